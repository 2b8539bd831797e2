/**
 * Random sliding windows for the parity tests: odd sizes, strides and dilations 1–3,
 * asymmetric padding, and (for pooling) ceil mode, with output sizes from the graph's rules.
 */
import type { Window2D } from '../../../../engine/backends/cpu/geometry';
import type { PoolWindow } from '../../../../engine/backends/cpu/kernels/pooling';
import { slidingOutput } from '../../../../engine/graph/geometry';
import { between } from './harness';

/** A random convolution window with asymmetric padding and at least one output pixel. */
export const randomWindow = (random: () => number, channels: number, maxInput = 13): Window2D => {
  for (;;) {
    const kernelH = between(random, 1, 4);
    const kernelW = between(random, 1, 4);
    const strideH = between(random, 1, 3);
    const strideW = between(random, 1, 3);
    const dilationH = between(random, 1, 3);
    const dilationW = between(random, 1, 3);
    const inH = between(random, 1, maxInput);
    const inW = between(random, 1, maxInput);
    const [top, bottom, left, right] = [0, 1, 2, 3].map(() => between(random, 0, 2));
    const outH = slidingOutput(
      { input: inH, kernel: kernelH, stride: strideH, dilation: dilationH },
      { before: top, after: bottom },
    ).output;
    const outW = slidingOutput(
      { input: inW, kernel: kernelW, stride: strideW, dilation: dilationW },
      { before: left, after: right },
    ).output;
    if (outH < 1 || outW < 1) continue;
    return { channels, inH, inW, outH, outW, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop: top, padLeft: left };
  }
};

/**
 * A random pooling window: padding at most half the kernel on each side (PyTorch's limit),
 * asymmetric, with or without ceil mode.
 */
export const randomPoolWindow = (random: () => number, channels: number): PoolWindow & { ceilMode: boolean } => {
  for (;;) {
    const kernelH = between(random, 1, 4);
    const kernelW = between(random, 1, 4);
    const strideH = between(random, 1, 3);
    const strideW = between(random, 1, 3);
    const inH = between(random, 1, 12);
    const inW = between(random, 1, 12);
    const ceilMode = random() < 0.5;
    const [top, bottom] = [0, 1].map(() => between(random, 0, Math.floor(kernelH / 2)));
    const [left, right] = [0, 1].map(() => between(random, 0, Math.floor(kernelW / 2)));
    const outH = slidingOutput(
      { input: inH, kernel: kernelH, stride: strideH, dilation: 1 },
      { before: top, after: bottom },
      ceilMode,
    ).output;
    const outW = slidingOutput(
      { input: inW, kernel: kernelW, stride: strideW, dilation: 1 },
      { before: left, after: right },
      ceilMode,
    ).output;
    if (outH < 1 || outW < 1) continue;
    return {
      channels,
      inH,
      inW,
      outH,
      outW,
      kernelH,
      kernelW,
      strideH,
      strideW,
      dilationH: 1,
      dilationW: 1,
      padTop: top,
      padLeft: left,
      padBottom: bottom,
      padRight: right,
      ceilMode,
    };
  }
};

export const describeWindow = (w: Window2D): string =>
  `C=${w.channels} in=${w.inH}×${w.inW} out=${w.outH}×${w.outW} k=${w.kernelH}×${w.kernelW} ` +
  `s=${w.strideH},${w.strideW} d=${w.dilationH},${w.dilationW} pad=${w.padTop},${w.padLeft}`;
