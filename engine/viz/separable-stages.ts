/**
 * A factorised convolution stage by stage, for the explainer: the two convolutions it expands
 * into (graph/expand.ts), each with its output shape, parameters and multiply-adds from the
 * catalogue's own rules (graph/analyze.ts's inferLayer), beside the standard convolution it
 * replaces (the layer's own comparison) and the saving.
 */
import { inferLayer } from '../graph/analyze';
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphNode } from '../graph/document';
import { expandNode } from '../graph/expand';
import { isLayerType } from '../graph/layer-types';
import { CATALOGUE } from '../graph/catalogue';
import { normaliseParam, type Pair, type ParamSpec } from '../graph/params';
import type { Shape } from '../graph/shape';

export interface StageCost {
  readonly id: string;
  readonly type: string;
  /** The parameters as the expanded graph writes them (short forms allowed). */
  readonly params: Record<string, unknown>;
  /** Its kernel, height × width. */
  readonly kernel: Pair;
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  readonly paramCount: number;
  readonly macs: number;
}

export interface SeparableStages {
  readonly stages: readonly [StageCost, StageCost];
  /** e.g. "standard 3×3 convolution, 16 → 32 channels". */
  readonly replaces: string;
  readonly standardParams: number;
  readonly standardMacs: number;
  readonly params: number;
  readonly macs: number;
  /** Standard over factorised: how many times fewer multiply-adds and parameters. */
  readonly macSaving: number;
  readonly paramSaving: number;
}

/** inferLayer names the layer it checks 'layer': the message is given the node's own id. */
const firstProblem = (id: string, issues: readonly { message: string }[], fallback: string): string =>
  issues[0]?.message.replace(/^layer\b/, id) ?? fallback;

/**
 * The stages of a SeparableConv2D or SpatiallySeparableConv2D node whose input is `input`.
 * Throws saying why for another type or parameters that do not fit the input.
 */
export const separableStages = (node: GraphNode, input: Shape): SeparableStages => {
  const expanded = expandNode({ format: GRAPH_FORMAT, version: GRAPH_VERSION, nodes: [node], edges: [] }, node.id);
  if (!expanded.ok) throw new Error(expanded.reason);
  if (!isLayerType(node.type)) throw new Error(`${node.id}: '${node.type}' is not a layer type`);
  const whole = inferLayer(node.type, node.params ?? {}, [input]);
  if (!whole.result?.comparison) throw new Error(firstProblem(node.id, whole.issues, `${node.id}: its cost cannot be worked out`));
  const stages: StageCost[] = [];
  let shape = input;
  for (const stage of expanded.document.nodes) {
    if (!isLayerType(stage.type)) throw new Error(`${stage.id}: '${stage.type}' is not a layer type`);
    const params = stage.params ?? {};
    const { result, issues } = inferLayer(stage.type, params, [shape]);
    if (!result) throw new Error(firstProblem(stage.id, issues, `${stage.id}: its shape cannot be worked out`));
    const kernelSpec = (CATALOGUE[stage.type].params as Record<string, ParamSpec>).kernel;
    const kernel = kernelSpec ? normaliseParam(kernelSpec, params.kernel) : null;
    if (!kernel?.ok) throw new Error(`${stage.id}: its kernel cannot be read`);
    stages.push({
      id: stage.id,
      type: stage.type,
      params,
      kernel: kernel.value as Pair,
      inputShape: shape,
      outputShape: result.shape,
      paramCount: result.params,
      macs: result.macs,
    });
    shape = result.shape;
  }
  const { replaces, standardParams, standardMacs } = whole.result.comparison;
  const [first, second] = stages;
  return {
    stages: [first, second],
    replaces,
    standardParams,
    standardMacs,
    params: whole.result.params,
    macs: whole.result.macs,
    macSaving: standardMacs / whole.result.macs,
    paramSaving: standardParams / whole.result.params,
  };
};
