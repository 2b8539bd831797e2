/** Parameter specs that several layers share, so each concept is explained once. */
import { LIMITS, type BoolSpec, type IntSpec, type PaddingSpec, type PairSpec } from '../params';

export const filtersSpec: IntSpec = {
  kind: 'int',
  label: 'Filters',
  help: 'How many filters the layer learns. Each filter produces one output channel (one feature map).',
  default: 16,
  min: 1,
  max: LIMITS.channels,
};

export const kernelSpec = (size: number): PairSpec => ({
  kind: 'pair',
  label: 'Kernel size',
  help: 'Height and width of each filter: the patch of the input that one output pixel looks at.',
  default: [size, size],
  min: 1,
  max: LIMITS.kernel,
});

export const strideSpec = (step: number): PairSpec => ({
  kind: 'pair',
  label: 'Stride',
  help: 'How far the window moves between outputs. A stride of 2 halves the height and width.',
  default: [step, step],
  min: 1,
  max: LIMITS.stride,
});

export const dilationSpec: PairSpec = {
  kind: 'pair',
  label: 'Dilation',
  help:
    'Spacing between the kernel taps (atrous convolution). A 3×3 kernel with dilation 2 covers 5×5 ' +
    'pixels with 9 weights, widening the receptive field at no extra cost.',
  default: [1, 1],
  min: 1,
  max: LIMITS.dilation,
};

export const paddingSpec = (initial: 'valid' | 'same'): PaddingSpec => ({
  kind: 'padding',
  label: 'Padding',
  help:
    "Zeros added around the input. 'valid' adds none, so the output shrinks by kernel − 1. 'same' adds " +
    "enough to keep ceil(input / stride) pixels (TensorFlow's rule; the extra pixel, if any, goes to the " +
    'bottom and right). Or give pixels: one number for every side, [vertical, horizontal], or ' +
    '[top, bottom, left, right].',
  default: { mode: initial },
  max: LIMITS.padding,
});

export const groupsSpec: IntSpec = {
  kind: 'int',
  label: 'Groups',
  help:
    'Splits the input and output channels into groups that are convolved separately. With as many ' +
    'groups as input channels, each channel gets its own filters (depthwise convolution).',
  default: 1,
  min: 1,
  max: LIMITS.channels,
};

export const biasSpec: BoolSpec = {
  kind: 'bool',
  label: 'Bias',
  help: 'Adds a learned constant to each output channel. Often turned off when batch norm follows.',
  default: true,
};

export const depthMultiplierSpec: IntSpec = {
  kind: 'int',
  label: 'Depth multiplier',
  help: 'How many filters each input channel gets in the depthwise stage; output channels = input channels × this.',
  default: 1,
  min: 1,
  max: 256,
};
