/** Layers that reshape, connect and resize: Flatten, Dense, Add, Concat, Upsample. */
import { defineLayer } from '../layer';
import { LIMITS, type Pair } from '../params';
import { elementCount, formatShape, isImage, isVector, sameShape } from '../shape';
import { requireImage, requireVector } from './common';

export const flatten = defineLayer<Record<string, never>>({
  type: 'Flatten',
  category: 'structure',
  title: 'Flatten',
  summary: 'Unrolls C×H×W feature maps into one vector for Dense layers.',
  help:
    'Flatten lays the feature maps out as one long vector (channel by channel, row by row), so a Dense ' +
    'layer can look at all of them at once. It has no weights; it only changes the shape.',
  inputs: { min: 1, max: 1 },
  params: {},
  infer: ({ inputs }) => {
    const size = elementCount(inputs[0]);
    return { shape: [size], params: 0, macs: 0, formulas: [`${formatShape(inputs[0])} = ${size}`] };
  },
});

export interface DenseParams {
  units: number;
  bias: boolean;
}

export const dense = defineLayer<DenseParams>({
  type: 'Dense',
  category: 'structure',
  title: 'Dense (fully connected)',
  summary: 'Every output is a weighted sum of every input.',
  help:
    'A dense layer connects every input to every output with its own weight: a matrix multiplication plus ' +
    'a bias. It combines the features found by the convolutions into a decision. It needs a flat vector, ' +
    'so put Flatten or global pooling before it.',
  inputs: { min: 1, max: 1 },
  params: {
    units: { kind: 'int', label: 'Units', help: 'How many outputs the layer has.', default: 10, min: 1, max: LIMITS.units },
    bias: { kind: 'bool', label: 'Bias', help: 'Adds a learned constant to each output.', default: true },
  },
  infer: (ctx) => {
    const input = requireVector(ctx, 'add a Flatten (or global pooling) before it');
    if (!input) return null;
    const { units, bias } = ctx.params;
    return { shape: [units], params: input[0] * units + (bias ? units : 0), macs: input[0] * units };
  },
});

const MAX_MERGE_INPUTS = 16;

export const add = defineLayer<Record<string, never>>({
  type: 'Add',
  category: 'structure',
  title: 'Add',
  summary: 'Adds tensors of the same shape: the skip connection of ResNet.',
  help:
    'Add sums its inputs element by element. A residual (skip) connection adds a block’s input to its ' +
    'output, so the block only has to learn a correction and gradients flow straight through; this is what ' +
    'lets ResNets be very deep. All inputs must have exactly the same shape.',
  inputs: { min: 2, max: MAX_MERGE_INPUTS },
  params: {},
  infer: (ctx) => {
    const [first, ...rest] = ctx.inputs;
    if (rest.some((shape) => !sameShape(shape, first))) {
      const shapes = ctx.inputs.map(formatShape).join(', ');
      ctx.error(
        'shape-mismatch',
        `cannot add tensors of different shapes (${shapes}); make the branches produce the same shape, e.g. with a 1×1 convolution on the skip path`,
      );
      return null;
    }
    return { shape: first, params: 0, macs: 0 };
  },
});

export const concat = defineLayer<Record<string, never>>({
  type: 'Concat',
  category: 'structure',
  title: 'Concatenate',
  summary: 'Stacks inputs along the channel axis (as in Inception and U-Net).',
  help:
    'Concatenate stacks its inputs’ channels into one tensor: 16 and 32 channels make 48. The feature maps ' +
    'must have the same height and width. Vectors are joined end to end.',
  inputs: { min: 2, max: MAX_MERGE_INPUTS },
  params: {},
  infer: (ctx) => {
    const { inputs } = ctx;
    const shapes = inputs.map(formatShape).join(', ');
    if (inputs.every(isVector)) {
      const length = inputs.reduce((sum, shape) => sum + shape[0], 0);
      return { shape: [length], params: 0, macs: 0 };
    }
    if (!inputs.every(isImage)) {
      ctx.error('rank-mismatch', `cannot concatenate images with vectors (${shapes}); flatten all inputs or none`);
      return null;
    }
    const [, height, width] = inputs[0];
    if (inputs.some((shape) => shape[1] !== height || shape[2] !== width)) {
      ctx.error(
        'shape-mismatch',
        `cannot concatenate feature maps of different heights and widths (${shapes}); resize them to the same H×W first`,
      );
      return null;
    }
    const channels = inputs.reduce((sum, shape) => sum + shape[0], 0);
    return { shape: [channels, height, width], params: 0, macs: 0 };
  },
});

export interface UpsampleParams {
  scale: Pair;
  mode: 'nearest' | 'bilinear';
}

export const upsample = defineLayer<UpsampleParams>({
  type: 'Upsample',
  category: 'structure',
  title: 'Upsample',
  summary: 'Enlarges feature maps by a whole factor, by copying or interpolating pixels.',
  help:
    'Upsample makes each feature map larger without learned weights: nearest copies each pixel into a ' +
    'block, bilinear interpolates between neighbours. Followed by a convolution it is an alternative to ' +
    'transposed convolution that avoids checkerboard artefacts.',
  inputs: { min: 1, max: 1 },
  params: {
    scale: {
      kind: 'pair',
      label: 'Scale',
      help: 'How many times larger the height and width become.',
      default: [2, 2],
      min: 1,
      max: LIMITS.scale,
    },
    mode: {
      kind: 'enum',
      label: 'Mode',
      help: 'nearest copies pixels; bilinear interpolates.',
      default: 'nearest',
      values: ['nearest', 'bilinear'],
    },
  },
  infer: (ctx) => {
    const input = requireImage(ctx, 'place it where the data is still an image');
    if (!input) return null;
    const [channels, height, width] = input;
    const [sh, sw] = ctx.params.scale;
    return {
      shape: [channels, height * sh, width * sw],
      params: 0,
      macs: 0,
      formulas: [`H: ${height}·${sh} = ${height * sh}`, `W: ${width}·${sw} = ${width * sw}`],
    };
  },
});
