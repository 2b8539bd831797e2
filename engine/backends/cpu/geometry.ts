/** Resolved sliding-window geometry for kernels: the graph's parameters turned into numbers. */
import { resolvePadding } from '../../graph/geometry';
import type { Pair, Padding } from '../../graph/params';
import type { Shape } from '../../graph/shape';

export interface Window2D {
  readonly channels: number;
  readonly inH: number;
  readonly inW: number;
  readonly outH: number;
  readonly outW: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  /** Zero rows/columns before the first input pixel (after the last is implied by outH/outW). */
  readonly padTop: number;
  readonly padLeft: number;
}

/** The window of a convolution or pooling layer, `same` padding resolved, for its input and output shapes. */
export const windowOf = (
  params: { kernel: Pair; stride: Pair; padding: Padding; dilation?: Pair },
  input: Shape,
  output: Shape,
): Window2D => {
  const dilation = params.dilation ?? [1, 1];
  const [padH, padW] = resolvePadding(
    params.padding,
    { input: input[1], kernel: params.kernel[0], stride: params.stride[0], dilation: dilation[0] },
    { input: input[2], kernel: params.kernel[1], stride: params.stride[1], dilation: dilation[1] },
  );
  return {
    channels: input[0],
    inH: input[1],
    inW: input[2],
    outH: output[1],
    outW: output[2],
    kernelH: params.kernel[0],
    kernelW: params.kernel[1],
    strideH: params.stride[0],
    strideW: params.stride[1],
    dilationH: dilation[0],
    dilationW: dilation[1],
    padTop: padH.before,
    padLeft: padW.before,
  };
};
