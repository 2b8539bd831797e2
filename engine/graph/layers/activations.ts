/** Element-wise non-linearities, and softmax. None has weights or changes the shape. */
import { defineLayer, type LayerDefinition } from '../layer';
import type { LayerType } from '../layer-types';

type NoParams = Record<string, never>;

const activation = (type: LayerType, title: string, summary: string, help: string): LayerDefinition<NoParams> =>
  defineLayer<NoParams>({
    type,
    category: 'activation',
    title,
    summary,
    help,
    inputs: { min: 1, max: 1 },
    params: {},
    infer: ({ inputs }) => ({ shape: inputs[0], params: 0, macs: 0 }),
  });

export const relu = activation(
  'ReLU',
  'ReLU',
  'max(0, x): passes positives, zeroes negatives.',
  'The rectified linear unit keeps positive values and sets negative ones to zero. Without a non-linearity ' +
    'between them, stacked layers would collapse into one linear map. ReLU is cheap and its gradient does not ' +
    'vanish for positive inputs; a unit that only ever sees negatives stops learning ("dead ReLU").',
);

export interface LeakyReLUParams {
  negativeSlope: number;
}

export const leakyRelu = defineLayer<LeakyReLUParams>({
  type: 'LeakyReLU',
  category: 'activation',
  title: 'Leaky ReLU',
  summary: 'Like ReLU, but negatives keep a small slope.',
  help: 'Leaky ReLU multiplies negative values by a small slope instead of zeroing them, so no unit goes completely dead.',
  inputs: { min: 1, max: 1 },
  params: {
    negativeSlope: {
      kind: 'float',
      label: 'Negative slope',
      help: 'The factor applied to negative inputs.',
      default: 0.01,
      min: 0,
      max: 1,
    },
  },
  infer: ({ inputs }) => ({ shape: inputs[0], params: 0, macs: 0 }),
});

export const sigmoid = activation(
  'Sigmoid',
  'Sigmoid',
  '1 / (1 + e^−x): squashes values into (0, 1).',
  'The sigmoid maps any value into (0, 1), which reads as a probability. Its gradient is small for large ' +
    '|x|, which slows learning deep inside a network; it is mostly used at the output.',
);

export const tanh = activation(
  'Tanh',
  'Tanh',
  'Squashes values into (−1, 1), centred on zero.',
  'The hyperbolic tangent maps values into (−1, 1). It is a zero-centred sigmoid; like it, it saturates for large |x|.',
);

export const gelu = activation(
  'GELU',
  'GELU',
  'x·Φ(x): a smooth ReLU used by modern networks.',
  'The Gaussian error linear unit weighs each value by the probability that a standard normal variable is below it. It behaves like a smooth ReLU.',
);

export const softmax = activation(
  'Softmax',
  'Softmax',
  'Turns scores into probabilities that sum to 1 (over channels).',
  'Softmax exponentiates the scores and divides by their sum, giving probabilities over the classes (over ' +
    'the channel axis of an image, per pixel). A classification head already applies it inside its loss, so ' +
    'use this layer for display or inside a network, not right before the head.',
);
