/**
 * The convolution explainer's data for one node of a compiled model and one sample's input to
 * it: a convolution (standard, grouped or depthwise) as its im2col product (conv-matrices.ts), a
 * transposed convolution as the transposed matrix of the convolution it reverses
 * (transposed-matrix.ts), and a factorised convolution as its stages and their cost
 * (separable-stages.ts).
 */
import { windowOf, type Window2D } from '../backends/cpu/geometry';
import { transposedGeometry } from '../backends/cpu/layers/convolution';
import type { Conv2DParams, DepthwiseConv2DParams } from '../graph/layers/convolution';
import type { ConvTranspose2DParams } from '../graph/layers/transposed';
import type { Shape } from '../graph/shape';
import type { Model, ModelNode } from '../train/plan';
import { convMatrices, type ConvMatrices } from './conv-matrices';
import { separableStages, type SeparableStages } from './separable-stages';

/** The most entries of a matrix the explainer builds: a patch matrix, or one block of a transposed convolution's (a 224×224 RGB 7×7 convolution's patches are 7.4 million). */
export const MAX_PATCH_ENTRIES = 8_000_000;

export type NodeExplanation =
  | {
      readonly kind: 'conv';
      readonly nodeId: string;
      readonly type: 'Conv2D' | 'DepthwiseConv2D';
      readonly inputShape: Shape;
      readonly outputShape: Shape;
      readonly input: Float32Array;
      readonly groups: number;
      readonly matrices: ConvMatrices;
    }
  | {
      readonly kind: 'transposed';
      readonly nodeId: string;
      readonly inputShape: Shape;
      readonly outputShape: Shape;
      readonly input: Float32Array;
      /** The engine's window of the convolution this one transposes (output → input). */
      readonly window: Window2D;
      readonly groups: number;
      /** [Cin, F/groups, kh, kw]. */
      readonly weight: Float32Array;
    }
  | {
      readonly kind: 'separable';
      readonly nodeId: string;
      readonly inputShape: Shape;
      readonly outputShape: Shape;
      readonly stages: SeparableStages;
    };

const weightOf = (model: Model, node: ModelNode, name: string): Float32Array => {
  const weight = model.weights.get(`${node.id}.${name}`);
  if (!weight) throw new Error(`${node.id}: the model has no ${node.id}.${name}`);
  return weight;
};

/** Node types the explainer can show. */
export const EXPLAINABLE_TYPES: readonly string[] = [
  'Conv2D',
  'DepthwiseConv2D',
  'ConvTranspose2D',
  'SeparableConv2D',
  'SpatiallySeparableConv2D',
];

/**
 * Explains `nodeId` of `model`, whose input (one sample, the output of the node before it) is
 * `input`; `group` picks the channel group of a grouped or depthwise convolution. Throws saying
 * why for another layer type, an input of the wrong size, or matrices too large to build.
 */
export const explainNode = (model: Model, nodeId: string, input: Float32Array, group = 0): NodeExplanation => {
  const node = model.nodes.find((candidate) => candidate.id === nodeId);
  if (!node) throw new Error(`there is no layer '${nodeId}' in the network`);
  const inputShape = node.inputShapes[0];
  const outputShape = node.outputShape;
  const expected = inputShape.reduce((a, b) => a * b, 1);
  if (input.length !== expected)
    throw new Error(`${nodeId}: its input has ${input.length} values; ${inputShape.join('×')} needs ${expected}`);
  switch (node.type) {
    case 'Conv2D':
    case 'DepthwiseConv2D': {
      const params = node.params as unknown as Conv2DParams | DepthwiseConv2DParams;
      const window = windowOf(params, inputShape, outputShape);
      const groups = 'groups' in params ? params.groups : inputShape[0];
      const taps = (inputShape[0] / groups) * window.kernelH * window.kernelW;
      if (taps * window.outH * window.outW > MAX_PATCH_ENTRIES)
        throw new Error(`${nodeId}: its patch matrix (${window.outH * window.outW} × ${taps}) is too large to show`);
      const matrices = convMatrices({ window, groups, filters: outputShape[0], input, weight: weightOf(model, node, 'weight'), group });
      return { kind: 'conv', nodeId, type: node.type, inputShape, outputShape, input, groups, matrices };
    }
    case 'ConvTranspose2D': {
      const { window, groups } = transposedGeometry(node.params as unknown as ConvTranspose2DParams, inputShape, outputShape);
      const blockEntries = window.inH * window.inW * window.outH * window.outW;
      if (blockEntries > MAX_PATCH_ENTRIES)
        throw new Error(
          `${nodeId}: a block of its matrix (${window.outH * window.outW} × ${window.inH * window.inW}) is too large to show`,
        );
      return { kind: 'transposed', nodeId, inputShape, outputShape, input, window, groups, weight: weightOf(model, node, 'weight') };
    }
    case 'SeparableConv2D':
    case 'SpatiallySeparableConv2D':
      return {
        kind: 'separable',
        nodeId,
        inputShape,
        outputShape,
        stages: separableStages({ id: node.id, type: node.type, params: node.params }, inputShape),
      };
    default:
      throw new Error(`${nodeId}: the explainer shows convolutions; a ${node.type} layer is not one`);
  }
};
