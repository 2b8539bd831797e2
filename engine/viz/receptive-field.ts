/**
 * The receptive field of one position of a layer's output: the input pixels it depends on,
 * worked out backwards through the graph from each layer's window (kernel, stride, padding,
 * dilation). Element-wise layers keep the region; a layer whose output is not an image (Dense,
 * global pooling) depends on its whole input. Where paths join (Add, Concat) the regions are
 * united. The box is clipped to the image.
 */
import { effectiveKernel, resolvePadding } from '../graph/geometry';
import type { Pair, Padding } from '../graph/params';
import type { Model, ModelNode } from '../train/plan';
import { nodeById, VizError } from './class-score';

/** Rows top … bottom and columns left … right, inclusive. */
export interface Box {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

interface WindowParams {
  kernel: Pair | number;
  stride: Pair;
  padding: Padding;
  dilation?: Pair;
}

const WINDOWED = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'MaxPool2D', 'AvgPool2D']);

const unite = (a: Box | undefined, b: Box): Box =>
  a
    ? {
        top: Math.min(a.top, b.top),
        bottom: Math.max(a.bottom, b.bottom),
        left: Math.min(a.left, b.left),
        right: Math.max(a.right, b.right),
      }
    : b;

const whole = (shape: readonly number[]): Box => ({ top: 0, bottom: shape[1] - 1, left: 0, right: shape[2] - 1 });

/** The region of `node`'s input that the region `box` of its output depends on (unclipped). */
const throughLayer = (node: ModelNode, box: Box, port: number): Box => {
  const input = node.inputShapes[port];
  if (input.length !== 3 || node.outputShape.length !== 3) return input.length === 3 ? whole(input) : box;
  if (WINDOWED.has(node.type) || node.type === 'SpatiallySeparableConv2D') {
    const params = node.params as unknown as WindowParams;
    // the spatially separable convolution's K×1 then 1×K cover a K×K window together
    const kernel: Pair = typeof params.kernel === 'number' ? [params.kernel, params.kernel] : params.kernel;
    const dilation = params.dilation ?? [1, 1];
    const [padH, padW] = resolvePadding(
      params.padding,
      { input: input[1], kernel: kernel[0], stride: params.stride[0], dilation: dilation[0] },
      { input: input[2], kernel: kernel[1], stride: params.stride[1], dilation: dilation[1] },
    );
    return {
      top: box.top * params.stride[0] - padH.before,
      bottom: box.bottom * params.stride[0] - padH.before + effectiveKernel(kernel[0], dilation[0]) - 1,
      left: box.left * params.stride[1] - padW.before,
      right: box.right * params.stride[1] - padW.before + effectiveKernel(kernel[1], dilation[1]) - 1,
    };
  }
  if (node.type === 'ConvTranspose2D') {
    // output o = i·stride − padding + j·dilation for kernel tap j
    const params = node.params as unknown as { kernel: Pair; stride: Pair; padding: Pair; dilation: Pair };
    const span = (lo: number, hi: number, axis: 0 | 1) => {
      const s = params.stride[axis];
      const reach = params.dilation[axis] * (params.kernel[axis] - 1);
      return [Math.ceil((lo + params.padding[axis] - reach) / s), Math.floor((hi + params.padding[axis]) / s)];
    };
    const [top, bottom] = span(box.top, box.bottom, 0);
    const [left, right] = span(box.left, box.right, 1);
    return { top, bottom, left, right };
  }
  if (node.type === 'Upsample') {
    const [fy, fx] = (node.params as unknown as { scale: Pair }).scale;
    // bilinear reads the neighbouring input pixel as well; nearest needs none but one more is harmless
    return {
      top: Math.floor(box.top / fy) - 1,
      bottom: Math.floor(box.bottom / fy) + 1,
      left: Math.floor(box.left / fx) - 1,
      right: Math.floor(box.right / fx) + 1,
    };
  }
  if (input[1] === node.outputShape[1] && input[2] === node.outputShape[2]) return box;
  throw new VizError(`the receptive field cannot be traced through ${node.id} (${node.type})`);
};

const clip = (box: Box, shape: readonly number[]): Box => ({
  top: Math.max(0, box.top),
  bottom: Math.min(shape[1] - 1, box.bottom),
  left: Math.max(0, box.left),
  right: Math.min(shape[2] - 1, box.right),
});

/** The input pixels that output position (y, x) of layer `nodeId` depends on. */
export const receptiveField = (model: Model, nodeId: string, y: number, x: number): Box => {
  const target = nodeById(model, nodeId);
  if (target.outputShape.length !== 3) return whole(model.input.outputShape);
  const boxes = new Map<string, Box>([[nodeId, { top: y, bottom: y, left: x, right: x }]]);
  for (let i = model.nodes.indexOf(target); i >= 0; i--) {
    const node = model.nodes[i];
    const box = boxes.get(node.id);
    if (!box || node.type === 'Input') continue;
    node.inputIds.forEach((source, port) => {
      const sourceShape = node.inputShapes[port];
      const region = throughLayer(node, box, port);
      boxes.set(source, unite(boxes.get(source), sourceShape.length === 3 ? clip(region, sourceShape) : region));
    });
  }
  const field = boxes.get(model.input.id);
  if (!field) throw new VizError(`${nodeId} does not depend on the input`);
  return field;
};
