/** Standard and depthwise convolution. */
import { defineLayer } from '../layer';
import type { Pair, Padding } from '../params';
import { checkGroups, requireImage, slideWindow } from './common';
import { biasSpec, depthMultiplierSpec, dilationSpec, filtersSpec, groupsSpec, kernelSpec, paddingSpec, strideSpec } from './specs';

export interface Conv2DParams {
  filters: number;
  kernel: Pair;
  stride: Pair;
  padding: Padding;
  dilation: Pair;
  groups: number;
  bias: boolean;
}

const BEFORE_DENSE = 'place it before Flatten and Dense, where the data is still an image';

export const conv2d = defineLayer<Conv2DParams>({
  type: 'Conv2D',
  category: 'convolution',
  title: 'Convolution',
  summary: 'Slides learned filters over the image; each filter makes one feature map.',
  help:
    'A convolution slides each filter (a small grid of weights) across the image and, at every position, ' +
    'multiplies the filter with the patch under it and sums the products. The same weights are reused ' +
    'everywhere, so a filter that detects an edge finds it anywhere in the image. Under the hood this is ' +
    'a matrix multiplication: every patch becomes a column (im2col) and the filters become rows.',
  inputs: { min: 1, max: 1 },
  params: {
    filters: filtersSpec,
    kernel: kernelSpec(3),
    stride: strideSpec(1),
    padding: paddingSpec('valid'),
    dilation: dilationSpec,
    groups: groupsSpec,
    bias: biasSpec,
  },
  infer: (ctx) => {
    const input = requireImage(ctx, BEFORE_DENSE);
    if (!input) return null;
    const { filters, kernel, groups, bias } = ctx.params;
    if (!checkGroups(ctx, input[0], filters, groups, 'filters')) return null;
    const out = slideWindow(ctx, input, ctx.params);
    if (!out) return null;
    const weightsPerFilter = (input[0] / groups) * kernel[0] * kernel[1];
    return {
      shape: [filters, out.height, out.width],
      params: filters * weightsPerFilter + (bias ? filters : 0),
      macs: filters * out.height * out.width * weightsPerFilter,
      formulas: out.formulas,
    };
  },
});

export interface DepthwiseConv2DParams {
  depthMultiplier: number;
  kernel: Pair;
  stride: Pair;
  padding: Padding;
  dilation: Pair;
  bias: boolean;
}

export const depthwiseConv2d = defineLayer<DepthwiseConv2DParams>({
  type: 'DepthwiseConv2D',
  category: 'convolution',
  title: 'Depthwise convolution',
  summary: 'One filter per input channel; channels are not mixed.',
  help:
    'A depthwise convolution gives every input channel its own filter and never mixes channels: it is a ' +
    'convolution with as many groups as channels. It filters space cheaply; a 1×1 (pointwise) convolution ' +
    'after it mixes the channels. Together they make the depthwise separable convolution of MobileNet.',
  inputs: { min: 1, max: 1 },
  params: {
    depthMultiplier: depthMultiplierSpec,
    kernel: kernelSpec(3),
    stride: strideSpec(1),
    padding: paddingSpec('same'),
    dilation: dilationSpec,
    bias: biasSpec,
  },
  infer: (ctx) => {
    const input = requireImage(ctx, BEFORE_DENSE);
    if (!input) return null;
    const { depthMultiplier, kernel, bias } = ctx.params;
    const out = slideWindow(ctx, input, ctx.params);
    if (!out) return null;
    const channels = input[0] * depthMultiplier;
    const taps = kernel[0] * kernel[1];
    return {
      shape: [channels, out.height, out.width],
      params: channels * taps + (bias ? channels : 0),
      macs: channels * out.height * out.width * taps,
      formulas: out.formulas,
    };
  },
});
