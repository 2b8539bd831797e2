/**
 * What model.py is written from: each layer's type, canonical parameters, inputs and shapes, and
 * the trainable parameter count. A compiled Model is one; `outlineGraph` makes one from the graph
 * alone (its analysis), without creating layers or weights, so the IDE can show model.py as the
 * graph is edited.
 */
import { analyzeGraph } from '../../graph/analyze';
import type { LayerType } from '../../graph/layer-types';
import { IssueList, parseGraph } from '../../graph/parse';
import type { Shape } from '../../graph/shape';
import type { Model } from '../../train/plan';

export interface OutlineNode {
  readonly id: string;
  readonly type: LayerType;
  readonly params: Record<string, unknown>;
  /** Source node ids, in port order. */
  readonly inputIds: readonly string[];
  readonly inputShapes: readonly Shape[];
  readonly outputShape: Shape;
}

export interface ModelOutline {
  /** In execution order: the Input first, the head last. */
  readonly nodes: readonly OutlineNode[];
  readonly input: OutlineNode;
  readonly head: OutlineNode;
  readonly trainableParameters: number;
}

export const outlineModel = (model: Model): ModelOutline => {
  let trainableParameters = 0;
  for (const [name, values] of model.weights) if (model.specs.get(name)!.trainable) trainableParameters += values.length;
  return { nodes: model.nodes, input: model.input, head: model.head, trainableParameters };
};

/** The outline of a valid graph, or the first error's message when it is not valid. */
export const outlineGraph = (document: unknown): { ok: true; outline: ModelOutline } | { ok: false; problem: string } => {
  const report = analyzeGraph(document);
  if (!report.valid) {
    const first = report.issues.find((issue) => issue.severity === 'error');
    return { ok: false, problem: first?.message ?? 'the graph is not valid' };
  }
  const wiring = parseGraph(document, new IssueList())!;
  const byId = new Map(report.nodes.map((node) => [node.id, node]));
  const nodes: OutlineNode[] = report.order.map((id) => {
    const node = byId.get(id)!;
    const ports = wiring.incoming.get(id)!;
    const inputIds = [...ports.keys()].sort((a, b) => a - b).map((port) => ports.get(port)![0].source);
    return {
      id,
      type: node.type as LayerType,
      params: node.params!,
      inputIds,
      inputShapes: inputIds.map((source) => byId.get(source)!.outputShape!),
      outputShape: node.outputShape!,
    };
  });
  return {
    ok: true,
    outline: {
      nodes,
      input: nodes.find((node) => node.type === 'Input')!,
      head: nodes[nodes.length - 1],
      trainableParameters: report.totals.params,
    },
  };
};
