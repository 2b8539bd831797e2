/**
 * Pooling kernels with direct loops over each window (no im2col): max and average pooling over
 * sliding windows, and global pooling over whole feature maps ([N, C, H, W] → [N, C]).
 *
 * Window rules are PyTorch's. Output pixel (oh, ow) covers input rows oh·stride − padTop up to
 * kernel rows further, clipped to the input. Max pooling treats padding as −∞; average pooling
 * divides by the window clipped to the padded input (countIncludePad, PyTorch's count_include_pad)
 * or by the number of real pixels in it. In ceil mode a window that runs past the padded edge is
 * clipped there, so that part never counts.
 */
import { resolvePadding } from '../../../graph/geometry';
import type { Pair, Padding } from '../../../graph/params';
import type { Shape } from '../../../graph/shape';
import { windowOf, type Window2D } from '../geometry';
import type { Floats } from '../types';

export interface PoolWindow extends Window2D {
  /** Padding after the last row and column: with ceil mode, average windows stop there. */
  readonly padBottom: number;
  readonly padRight: number;
}

/** The window of a pooling layer for its input and output shapes, padding on all four sides resolved. */
export const poolWindowOf = (params: { kernel: Pair; stride: Pair; padding: Padding }, input: Shape, output: Shape): PoolWindow => {
  const window = windowOf(params, input, output);
  const [padH, padW] = resolvePadding(
    params.padding,
    { input: input[1], kernel: params.kernel[0], stride: params.stride[0], dilation: 1 },
    { input: input[2], kernel: params.kernel[1], stride: params.stride[1], dilation: 1 },
  );
  return { ...window, padBottom: padH.after, padRight: padW.after };
};

/**
 * Max pooling. `argmax` (batch × C × outH × outW) receives, for each output, the index within
 * its input plane of the winning pixel (the first of equal maxima, NaN winning as in PyTorch),
 * or −1 for a window with no real pixel (its output is 0; the graph's rules never make one).
 */
export const maxPoolForward = (input: Floats, output: Floats, argmax: Int32Array, batch: number, g: Window2D): void => {
  const { channels, inH, inW, outH, outW, kernelH, kernelW, strideH, strideW, padTop, padLeft } = g;
  const planeIn = inH * inW;
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * planeIn;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padTop;
      const hStart = Math.max(h0, 0);
      const hEnd = Math.min(h0 + kernelH, inH);
      for (let ow = 0; ow < outW; ow++) {
        const w0 = ow * strideW - padLeft;
        const wStart = Math.max(w0, 0);
        const wEnd = Math.min(w0 + kernelW, inW);
        let best = -Infinity;
        let where = -1;
        for (let h = hStart; h < hEnd; h++) {
          const row = h * inW;
          for (let w = wStart; w < wEnd; w++) {
            const value = input[base + row + w];
            if (value > best || where < 0 || Number.isNaN(value)) {
              best = value;
              where = row + w;
              if (Number.isNaN(value)) break;
            }
          }
          if (Number.isNaN(best)) break;
        }
        output[o] = where < 0 ? 0 : best;
        argmax[o] = where;
        o++;
      }
    }
  }
};

/** Routes each output gradient to the input pixel that won its window. */
export const maxPoolBackward = (gradOutput: Floats, gradInput: Floats, argmax: Int32Array, batch: number, g: Window2D): void => {
  const planeIn = g.inH * g.inW;
  const planeOut = g.outH * g.outW;
  let o = 0;
  for (let plane = 0; plane < batch * g.channels; plane++) {
    const base = plane * planeIn;
    for (let i = 0; i < planeOut; i++, o++) {
      const where = argmax[o];
      if (where >= 0) gradInput[base + where] += gradOutput[o];
    }
  }
};

/** One average window along one axis: its real pixels [start, end) and its divisor factor. */
const averageSpan = (
  index: number,
  stride: number,
  kernel: number,
  padBefore: number,
  input: number,
  padAfter: number,
  includePad: boolean,
) => {
  const first = index * stride - padBefore;
  // Clipped to the padded input: a ceil-mode window that runs past it stops at its edge.
  const last = Math.min(first + kernel, input + padAfter);
  const start = Math.max(first, 0);
  const end = Math.min(last, input);
  return { start, end, size: includePad ? last - first : end - start };
};

/** Fills `divisor` (outH × outW, shared by every plane) with each window's divisor. */
const averageDivisors = (g: PoolWindow, includePad: boolean, divisor: Floats): void => {
  for (let oh = 0; oh < g.outH; oh++) {
    const rows = averageSpan(oh, g.strideH, g.kernelH, g.padTop, g.inH, g.padBottom, includePad);
    for (let ow = 0; ow < g.outW; ow++) {
      const cols = averageSpan(ow, g.strideW, g.kernelW, g.padLeft, g.inW, g.padRight, includePad);
      divisor[oh * g.outW + ow] = rows.size * cols.size;
    }
  }
};

/**
 * Average pooling. `divisor` is scratch of outH × outW, filled here and read by the backward
 * pass. A window with nothing to divide by (no real pixel, countIncludePad off) outputs 0.
 */
export const avgPoolForward = (input: Floats, output: Floats, divisor: Floats, batch: number, g: PoolWindow, includePad: boolean): void => {
  const { channels, inH, inW, outH, outW, kernelH, kernelW, strideH, strideW, padTop, padLeft } = g;
  averageDivisors(g, includePad, divisor);
  const planeIn = inH * inW;
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * planeIn;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padTop;
      const hStart = Math.max(h0, 0);
      const hEnd = Math.min(h0 + kernelH, inH);
      for (let ow = 0; ow < outW; ow++) {
        const w0 = ow * strideW - padLeft;
        const wStart = Math.max(w0, 0);
        const wEnd = Math.min(w0 + kernelW, inW);
        let sum = 0;
        for (let h = hStart; h < hEnd; h++) {
          const row = base + h * inW;
          for (let w = wStart; w < wEnd; w++) sum += input[row + w];
        }
        const size = divisor[oh * outW + ow];
        output[o++] = size > 0 ? sum / size : 0;
      }
    }
  }
};

/** Spreads each output gradient evenly, divided by the window's divisor, over the window's real pixels. */
export const avgPoolBackward = (gradOutput: Floats, gradInput: Floats, divisor: Floats, batch: number, g: PoolWindow): void => {
  const { channels, inH, inW, outH, outW, kernelH, kernelW, strideH, strideW, padTop, padLeft } = g;
  const planeIn = inH * inW;
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * planeIn;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padTop;
      const hStart = Math.max(h0, 0);
      const hEnd = Math.min(h0 + kernelH, inH);
      for (let ow = 0; ow < outW; ow++) {
        const w0 = ow * strideW - padLeft;
        const wStart = Math.max(w0, 0);
        const wEnd = Math.min(w0 + kernelW, inW);
        const size = divisor[oh * outW + ow];
        const share = size > 0 ? gradOutput[o] / size : 0;
        o++;
        for (let h = hStart; h < hEnd; h++) {
          const row = base + h * inW;
          for (let w = wStart; w < wEnd; w++) gradInput[row + w] += share;
        }
      }
    }
  }
};

/** Global average pooling: `planes` (batch × C) maps of `size` (H·W) pixels to one value each. */
export const globalAvgPoolForward = (input: Floats, output: Floats, planes: number, size: number): void => {
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * size;
    let sum = 0;
    for (let i = 0; i < size; i++) sum += input[base + i];
    output[plane] = sum / size;
  }
};

export const globalAvgPoolBackward = (gradOutput: Floats, gradInput: Floats, planes: number, size: number): void => {
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * size;
    const share = gradOutput[plane] / size;
    for (let i = 0; i < size; i++) gradInput[base + i] += share;
  }
};

/** Global max pooling; `argmax` (batch × C) receives the winning pixel's index within its plane. */
export const globalMaxPoolForward = (input: Floats, output: Floats, argmax: Int32Array, planes: number, size: number): void => {
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * size;
    let best = input[base];
    let where = 0;
    for (let i = 1; i < size && !Number.isNaN(best); i++) {
      const value = input[base + i];
      if (value > best || Number.isNaN(value)) {
        best = value;
        where = i;
      }
    }
    output[plane] = best;
    argmax[plane] = where;
  }
};

export const globalMaxPoolBackward = (gradOutput: Floats, gradInput: Floats, argmax: Int32Array, planes: number, size: number): void => {
  for (let plane = 0; plane < planes; plane++) gradInput[plane * size + argmax[plane]] += gradOutput[plane];
};
