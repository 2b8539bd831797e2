/** Transposed convolution (deconvolution): the gradient of a convolution, used to upsample. */
import { transposedOutput } from '../geometry';
import { defineLayer } from '../layer';
import { LIMITS, type Pair } from '../params';
import { checkGroups, requireImage } from './common';
import { biasSpec, dilationSpec, filtersSpec, groupsSpec, kernelSpec, strideSpec } from './specs';

export interface ConvTranspose2DParams {
  filters: number;
  kernel: Pair;
  stride: Pair;
  padding: Pair;
  outputPadding: Pair;
  dilation: Pair;
  groups: number;
  bias: boolean;
}

export const convTranspose2d = defineLayer<ConvTranspose2DParams>({
  type: 'ConvTranspose2D',
  category: 'convolution',
  title: 'Transposed convolution',
  summary: 'Upsamples by spreading each input pixel over a learned kernel (deconvolution).',
  help:
    'A transposed convolution runs a convolution backwards: each input pixel is multiplied by the kernel ' +
    'and added into a K×K patch of the output, patches stepping by the stride. With stride 2 it doubles ' +
    'the height and width, which is how decoders, autoencoders and segmentation networks grow an image back. ' +
    'Output size = (input − 1)·stride − 2·padding + dilation·(kernel − 1) + output padding + 1.',
  inputs: { min: 1, max: 1 },
  params: {
    filters: filtersSpec,
    kernel: kernelSpec(2),
    stride: strideSpec(2),
    padding: {
      kind: 'pair',
      label: 'Padding',
      help: 'Pixels removed from each border of the output (PyTorch’s convention): the padding of the convolution this one reverses.',
      default: [0, 0],
      min: 0,
      max: LIMITS.padding,
    },
    outputPadding: {
      kind: 'pair',
      label: 'Output padding',
      help:
        'Extra pixels added to one side of the output, to choose between the output sizes that a strided ' +
        'convolution would map to the same input size. Must be smaller than the stride or the dilation.',
      default: [0, 0],
      min: 0,
      max: LIMITS.stride,
    },
    dilation: dilationSpec,
    groups: groupsSpec,
    bias: biasSpec,
  },
  infer: (ctx) => {
    const input = requireImage(ctx, 'place it where the data is still an image');
    if (!input) return null;
    const { filters, kernel, stride, padding, outputPadding, dilation, groups, bias } = ctx.params;
    const [inChannels, inH, inW] = input;
    if (!checkGroups(ctx, inChannels, filters, groups, 'filters')) return null;
    for (const axis of [0, 1] as const) {
      if (outputPadding[axis] >= Math.max(stride[axis], dilation[axis])) {
        ctx.error(
          'output-padding-invalid',
          `output padding ${outputPadding[axis]} must be smaller than the stride (${stride[axis]}) or the dilation (${dilation[axis]})`,
          'outputPadding',
        );
        return null;
      }
    }
    const height = transposedOutput(
      { input: inH, kernel: kernel[0], stride: stride[0], dilation: dilation[0] },
      padding[0],
      outputPadding[0],
    );
    const width = transposedOutput(
      { input: inW, kernel: kernel[1], stride: stride[1], dilation: dilation[1] },
      padding[1],
      outputPadding[1],
    );
    if (height.output <= 0 || width.output <= 0) {
      ctx.error('output-empty', `output would be ${height.output}×${width.output}; reduce the padding`, 'padding');
      return null;
    }
    const weightsPerInput = (filters / groups) * kernel[0] * kernel[1];
    return {
      shape: [filters, height.output, width.output],
      params: inChannels * weightsPerInput + (bias ? filters : 0),
      macs: inChannels * inH * inW * weightsPerInput,
      formulas: [`H: ${height.formula}`, `W: ${width.formula}`],
    };
  },
});
