/**
 * A factorised convolution's two stages as a model of their own, for the explainer: the node's
 * graph expanded (graph/expand.ts) between an Input of the node's input shape and a pass-through
 * head, compiled on the CPU, with the node's own weights: `sep.depthwise.weight` becomes the
 * stage `sep_depthwise`'s `weight`, `sep.row.bias` the stage `sep_row`'s `bias`, and so on. Each
 * stage is then a plain convolution the explainer can show as its im2col product.
 */
import { CPU_LAYERS } from '../backends/cpu/layers';
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDocument } from '../graph/document';
import { expandNode } from '../graph/expand';
import { compileModel, type Model } from '../train/plan';
import { explainNode, type NodeExplanation } from './explain-node';
import { layerInput } from './layer-input';

export interface StageModel {
  readonly model: Model;
  /** The stages' node ids, in order. */
  readonly stageIds: readonly [string, string];
}

/** The stages of factorised node `nodeId` of `model` with its weights. Throws saying why. */
export const stageModel = (model: Model, nodeId: string): StageModel => {
  const node = model.nodes.find((candidate) => candidate.id === nodeId);
  if (!node) throw new Error(`there is no layer '${nodeId}' in the network`);
  if (node.type !== 'SeparableConv2D' && node.type !== 'SpatiallySeparableConv2D')
    throw new Error(`${nodeId}: only separable convolutions have stages; a ${node.type} layer has none`);
  const [channels, height, width] = node.inputShapes[0];
  const document: GraphDocument = {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    nodes: [
      { id: 'input', type: 'Input', params: { channels, height, width } },
      { id: nodeId, type: node.type, params: node.params },
      { id: 'head', type: 'ImageHead', params: { matchInputSize: false } },
    ],
    edges: [
      { source: 'input', target: nodeId },
      { source: nodeId, target: 'head' },
    ],
  };
  const expanded = expandNode(document, nodeId);
  if (!expanded.ok) throw new Error(expanded.reason);
  const stages = compileModel(expanded.document, CPU_LAYERS);
  const stageIds = expanded.document.nodes.filter((candidate) => candidate.id.startsWith(`${nodeId}_`)).map((candidate) => candidate.id);
  for (const [name, target] of stages.weights) {
    const stageId = stageIds.find((id) => name.startsWith(`${id}.`));
    if (!stageId) continue;
    // `sep_depthwise.weight` is the node's `sep.depthwise.weight`
    const source = model.weights.get(`${nodeId}.${stageId.slice(nodeId.length + 1)}${name.slice(stageId.length)}`);
    if (!source || source.length !== target.length) throw new Error(`${nodeId}: its weights do not fit its stage ${stageId}`);
    target.set(source);
  }
  return { model: stages, stageIds: [stageIds[0], stageIds[1]] };
};

/**
 * Explains stage `stage` (0 or 1) of factorised node `nodeId`, whose input (one sample) is
 * `input`: the first stage takes that input, the second the first's output.
 */
export const explainStage = (stages: StageModel, stage: number, input: Float32Array, group = 0): NodeExplanation => {
  const stageId = stages.stageIds[stage];
  if (!stageId) throw new Error(`a factorised convolution has stages 0 and 1, not ${stage}`);
  return explainNode(stages.model, stageId, layerInput(stages.model, stageId, input), group);
};
