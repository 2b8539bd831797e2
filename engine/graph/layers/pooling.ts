/** Max and average pooling over windows, and over the whole image (global pooling). */
import { defineLayer, type InferContext, type LayerResult } from '../layer';
import type { Pair, Padding } from '../params';
import { requireImage, slideWindow } from './common';
import { kernelSpec, paddingSpec, strideSpec } from './specs';

export interface PoolParams {
  kernel: Pair;
  stride: Pair;
  padding: Padding;
  ceilMode: boolean;
}

export interface AvgPoolParams extends PoolParams {
  countIncludePad: boolean;
}

const poolSpecs = {
  kernel: { ...kernelSpec(2), label: 'Window size', help: 'Height and width of the pooling window.' },
  stride: { ...strideSpec(2), help: 'How far the window moves; usually equal to the window size, so windows do not overlap.' },
  padding: paddingSpec('valid'),
  ceilMode: {
    kind: 'bool',
    label: 'Ceil mode',
    help: 'Round the output size up instead of down, so a partial window at the edge still gives an output.',
    default: false,
  },
} as const;

const BEFORE_FLATTEN = 'place it before Flatten, where the data is still an image';

const inferPool = (ctx: InferContext<PoolParams>): LayerResult | null => {
  const input = requireImage(ctx, BEFORE_FLATTEN);
  if (!input) return null;
  const { kernel, padding } = ctx.params;
  if (padding.mode === 'explicit') {
    const { top, bottom, left, right } = padding;
    // PyTorch pads pooling symmetrically and at most half a window, so every window holds a real pixel.
    if (Math.max(top, bottom) > kernel[0] / 2 || Math.max(left, right) > kernel[1] / 2) {
      ctx.error(
        'padding-too-large',
        `padding ${top}/${bottom}/${left}/${right} is more than half the ${kernel[0]}×${kernel[1]} window; use at most ${Math.floor(kernel[0] / 2)}×${Math.floor(kernel[1] / 2)}`,
        'padding',
      );
      return null;
    }
  }
  const out = slideWindow(ctx, input, { ...ctx.params, dilation: [1, 1], noun: 'pooling window' });
  if (!out) return null;
  return { shape: [input[0], out.height, out.width], params: 0, macs: 0, formulas: out.formulas };
};

export const maxPool2d = defineLayer<PoolParams>({
  type: 'MaxPool2D',
  category: 'pooling',
  title: 'Max pooling',
  summary: 'Keeps the largest value in each window: smaller maps, a little shift tolerance.',
  help:
    'Max pooling slides a window over each feature map and keeps only the largest value. It shrinks the ' +
    'maps (a 2×2 window with stride 2 halves height and width), keeps the strongest responses, and makes ' +
    'the network tolerant of small shifts. It has no weights to learn.',
  inputs: { min: 1, max: 1 },
  params: poolSpecs,
  infer: inferPool,
});

export const avgPool2d = defineLayer<AvgPoolParams>({
  type: 'AvgPool2D',
  category: 'pooling',
  title: 'Average pooling',
  summary: 'Averages each window: smaller, smoother maps.',
  help:
    'Average pooling replaces each window with the mean of its values. It shrinks the maps like max ' +
    'pooling, but keeps the overall level of a response rather than its peak. It has no weights to learn.',
  inputs: { min: 1, max: 1 },
  params: {
    ...poolSpecs,
    countIncludePad: {
      kind: 'bool',
      label: 'Count padding',
      help: 'Whether padded zeros count when averaging a window at the border (PyTorch’s default: yes).',
      default: true,
    },
  },
  infer: inferPool,
});

const inferGlobal = (ctx: InferContext<Record<string, never>>): LayerResult | null => {
  const input = requireImage(ctx, 'it already receives a vector; remove it or move it before Flatten');
  if (!input) return null;
  return { shape: [input[0]], params: 0, macs: 0, formulas: [`${input[0]}×${input[1]}×${input[2]} → ${input[0]}`] };
};

export const globalAvgPool = defineLayer<Record<string, never>>({
  type: 'GlobalAvgPool',
  category: 'pooling',
  title: 'Global average pooling',
  summary: 'Averages each feature map to one number: C×H×W becomes a vector of C.',
  help:
    'Global average pooling averages every feature map over its whole height and width, leaving one number ' +
    'per channel. It replaces Flatten before the classifier in modern networks (ResNet, MobileNet): far ' +
    'fewer weights, and any input size works. Its output is a vector, ready for Dense.',
  inputs: { min: 1, max: 1 },
  params: {},
  infer: inferGlobal,
});

export const globalMaxPool = defineLayer<Record<string, never>>({
  type: 'GlobalMaxPool',
  category: 'pooling',
  title: 'Global max pooling',
  summary: 'Keeps each feature map’s largest value: C×H×W becomes a vector of C.',
  help:
    'Global max pooling keeps the strongest response of each feature map anywhere in the image: "is this ' +
    'feature present at all?". Its output is a vector of one number per channel, ready for Dense.',
  inputs: { min: 1, max: 1 },
  params: {},
  infer: inferGlobal,
});
