/** Batch normalisation and dropout: layers that change how training behaves, not the shape. */
import { defineLayer } from '../layer';
import { elementCount } from '../shape';
import { requireImage } from './common';

export interface BatchNorm2DParams {
  eps: number;
  momentum: number;
}

export const batchNorm2d = defineLayer<BatchNorm2DParams>({
  type: 'BatchNorm2D',
  category: 'normalisation',
  title: 'Batch normalisation',
  summary: 'Normalises each channel over the batch, then scales and shifts it.',
  help:
    'Batch normalisation subtracts each channel’s mean and divides by its standard deviation, measured over ' +
    'the batch (and over height and width), then applies a learned scale (γ) and shift (β). It keeps ' +
    'activations in a healthy range so deeper networks train faster. At inference it uses running averages ' +
    'of the statistics, kept during training; those are saved with the weights but not learned.',
  inputs: { min: 1, max: 1 },
  params: {
    eps: {
      kind: 'float',
      label: 'Epsilon',
      help: 'Added to the variance before the square root, so a constant channel does not divide by zero.',
      default: 1e-5,
      min: 0,
      minExclusive: true,
      max: 1,
    },
    momentum: {
      kind: 'float',
      label: 'Momentum',
      help: 'How fast the running statistics follow each batch (PyTorch’s convention: new = (1 − m)·old + m·batch).',
      default: 0.1,
      min: 0,
      max: 1,
    },
  },
  infer: (ctx) => {
    const input = requireImage(ctx, 'it normalises feature maps; place it after a convolution');
    if (!input) return null;
    const channels = input[0];
    return { shape: input, params: 2 * channels, buffers: 2 * channels, macs: elementCount(input) };
  },
});

export interface DropoutParams {
  rate: number;
}

export const dropout = defineLayer<DropoutParams>({
  type: 'Dropout',
  category: 'normalisation',
  title: 'Dropout',
  summary: 'Zeroes a random fraction of values while training, against overfitting.',
  help:
    'During training, dropout sets each value to zero with probability `rate` and scales the rest by ' +
    '1/(1 − rate), so no unit can rely on any other always being there. At inference it does nothing.',
  inputs: { min: 1, max: 1 },
  params: {
    rate: {
      kind: 'float',
      label: 'Rate',
      help: 'The fraction of values dropped while training.',
      default: 0.5,
      min: 0,
      max: 1,
      maxExclusive: true,
    },
  },
  infer: ({ inputs }) => ({ shape: inputs[0], params: 0, macs: 0 }),
});
