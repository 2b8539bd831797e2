/**
 * Factorised convolutions that replace one standard convolution with two cheaper stages; each
 * reports its cost beside the standard convolution it replaces.
 */
import { defineLayer } from '../layer';
import { LIMITS, type Pair, type Padding } from '../params';
import { ratio, requireImage, slideWindow } from './common';
import { biasSpec, depthMultiplierSpec, dilationSpec, filtersSpec, kernelSpec, paddingSpec, strideSpec } from './specs';

const BEFORE_DENSE = 'place it before Flatten and Dense, where the data is still an image';

export interface SeparableConv2DParams {
  filters: number;
  kernel: Pair;
  stride: Pair;
  padding: Padding;
  dilation: Pair;
  depthMultiplier: number;
  bias: boolean;
}

export const separableConv2d = defineLayer<SeparableConv2DParams>({
  type: 'SeparableConv2D',
  category: 'convolution',
  title: 'Depthwise separable convolution',
  summary: 'A depthwise convolution then a 1×1 pointwise one: MobileNet’s cheap convolution.',
  help:
    'Splits a standard convolution into two stages: a depthwise K×K convolution that filters each channel ' +
    'on its own, then a pointwise 1×1 convolution that mixes the channels into the output filters. It costs ' +
    'about 1/filters + 1/K² of the standard convolution — for a 3×3 kernel, roughly 8 to 9 times less. ' +
    'The bias sits on the pointwise stage only (a depthwise bias would be absorbed by it).',
  inputs: { min: 1, max: 1 },
  params: {
    filters: filtersSpec,
    kernel: kernelSpec(3),
    stride: strideSpec(1),
    padding: paddingSpec('same'),
    dilation: dilationSpec,
    depthMultiplier: depthMultiplierSpec,
    bias: biasSpec,
  },
  infer: (ctx) => {
    const input = requireImage(ctx, BEFORE_DENSE);
    if (!input) return null;
    const { filters, kernel, depthMultiplier, bias } = ctx.params;
    const out = slideWindow(ctx, input, ctx.params);
    if (!out) return null;
    const inChannels = input[0];
    const middle = inChannels * depthMultiplier;
    const taps = kernel[0] * kernel[1];
    const pixels = out.height * out.width;
    const params = middle * taps + middle * filters + (bias ? filters : 0);
    const macs = middle * pixels * taps + filters * pixels * middle;
    const standardParams = filters * inChannels * taps + (bias ? filters : 0);
    const standardMacs = filters * pixels * inChannels * taps;
    return {
      shape: [filters, out.height, out.width],
      params,
      macs,
      formulas: out.formulas,
      comparison: {
        replaces: `standard ${kernel[0]}×${kernel[1]} convolution, ${inChannels} → ${filters} channels`,
        standardParams,
        standardMacs,
        paramRatio: ratio(params, standardParams),
        macRatio: ratio(macs, standardMacs),
      },
    };
  },
});

export interface SpatiallySeparableConv2DParams {
  filters: number;
  kernel: number;
  stride: Pair;
  padding: Padding;
  dilation: Pair;
  bias: boolean;
}

export const spatiallySeparableConv2d = defineLayer<SpatiallySeparableConv2DParams>({
  type: 'SpatiallySeparableConv2D',
  category: 'convolution',
  title: 'Spatially separable convolution',
  summary: 'A K×1 convolution then a 1×K one, in place of one K×K convolution.',
  help:
    'Some filters factor into a column times a row: the Sobel filter is [1 2 1]ᵀ·[−1 0 1]. A spatially ' +
    'separable convolution learns such filters directly, as a K×1 convolution followed by a 1×K one, so ' +
    'each output pixel costs 2K multiply-adds per channel instead of K². It can only express filters of ' +
    'rank one per channel pair, which is the price of the saving. The bias sits on the second stage.',
  inputs: { min: 1, max: 1 },
  params: {
    filters: filtersSpec,
    kernel: {
      kind: 'int',
      label: 'Kernel size',
      help: 'K: the first stage is K×1, the second 1×K.',
      default: 3,
      min: 1,
      max: LIMITS.kernel,
    },
    stride: strideSpec(1),
    padding: paddingSpec('same'),
    dilation: dilationSpec,
    bias: biasSpec,
  },
  infer: (ctx) => {
    const input = requireImage(ctx, BEFORE_DENSE);
    if (!input) return null;
    const { filters, kernel, bias } = ctx.params;
    // The two stages together have the output size of one K×K convolution: the first pads and
    // strides the height only, the second the width only.
    const out = slideWindow(ctx, input, { ...ctx.params, kernel: [kernel, kernel] });
    if (!out) return null;
    const [inChannels, , inWidth] = input;
    const params = inChannels * filters * kernel + filters * filters * kernel + (bias ? filters : 0);
    const firstStageMacs = filters * out.height * inWidth * inChannels * kernel;
    const secondStageMacs = filters * out.height * out.width * filters * kernel;
    const macs = firstStageMacs + secondStageMacs;
    const standardParams = filters * inChannels * kernel * kernel + (bias ? filters : 0);
    const standardMacs = filters * out.height * out.width * inChannels * kernel * kernel;
    return {
      shape: [filters, out.height, out.width],
      params,
      macs,
      formulas: out.formulas,
      comparison: {
        replaces: `standard ${kernel}×${kernel} convolution, ${inChannels} → ${filters} channels`,
        standardParams,
        standardMacs,
        paramRatio: ratio(params, standardParams),
        macRatio: ratio(macs, standardMacs),
      },
    };
  },
});
