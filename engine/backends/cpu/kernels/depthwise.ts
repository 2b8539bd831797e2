/**
 * Depthwise convolution as a direct kernel (no im2col): output channel o = c·m + j filters input
 * channel c = ⌊o / m⌋ with its own kh×kw kernel, m being the depth multiplier. Each kernel tap
 * is a strided multiply-add of a whole rectangle of rows, the rectangle clipped to the input so
 * the inner loop has no bounds tests.
 *
 * Shapes, batch first, row-major:
 *   x [N, C, inH, inW]       C = window.channels
 *   w [C·m, 1, kh, kw]       PyTorch's Conv2d(C, C·m, groups=C) layout
 *   b [C·m]
 *   y [N, C·m, outH, outW]
 */
import type { Window2D } from '../geometry';
import type { Floats } from '../types';
import { biasGradient, fillBias } from './conv';
import { endInside, firstInside } from './im2col';

/** y = depthwise(x, w) + b. Overwrites y. */
export const depthwiseForward = (
  window: Window2D,
  multiplier: number,
  batch: number,
  x: Floats,
  w: Floats,
  bias: Floats | null,
  y: Floats,
): void => {
  const { channels, inH, inW, outH, outW, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = window;
  const outChannels = channels * multiplier;
  const inPlane = inH * inW;
  const outPlane = outH * outW;
  fillBias(y, bias, batch, outChannels, outPlane);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outChannels; o++) {
      const xChannel = (n * channels + Math.floor(o / multiplier)) * inPlane;
      const yChannel = (n * outChannels + o) * outPlane;
      for (let ki = 0; ki < kernelH; ki++) {
        const offH = ki * dilationH - padTop;
        const ohStart = firstInside(offH, strideH);
        const ohEnd = endInside(offH, strideH, inH, outH);
        for (let kj = 0; kj < kernelW; kj++) {
          const weight = w[(o * kernelH + ki) * kernelW + kj];
          const offW = kj * dilationW - padLeft;
          const owStart = firstInside(offW, strideW);
          const owEnd = endInside(offW, strideW, inW, outW);
          for (let oh = ohStart; oh < ohEnd; oh++) {
            const dst = yChannel + oh * outW;
            const src = xChannel + (oh * strideH + offH) * inW + offW;
            if (strideW === 1) for (let ow = owStart; ow < owEnd; ow++) y[dst + ow] += weight * x[src + ow];
            else for (let ow = owStart; ow < owEnd; ow++) y[dst + ow] += weight * x[src + ow * strideW];
          }
        }
      }
    }
  }
};

/** Accumulates dx, dw and db (each may be null) from dy, tap by tap as in the forward pass. */
export const depthwiseBackward = (
  window: Window2D,
  multiplier: number,
  batch: number,
  x: Floats,
  w: Floats,
  dy: Floats,
  dx: Floats | null,
  dw: Floats | null,
  db: Floats | null,
): void => {
  const { channels, inH, inW, outH, outW, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = window;
  const outChannels = channels * multiplier;
  const inPlane = inH * inW;
  const outPlane = outH * outW;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outChannels; o++) {
      const xChannel = (n * channels + Math.floor(o / multiplier)) * inPlane;
      const yChannel = (n * outChannels + o) * outPlane;
      for (let ki = 0; ki < kernelH; ki++) {
        const offH = ki * dilationH - padTop;
        const ohStart = firstInside(offH, strideH);
        const ohEnd = endInside(offH, strideH, inH, outH);
        for (let kj = 0; kj < kernelW; kj++) {
          const tap = (o * kernelH + ki) * kernelW + kj;
          const weight = w[tap];
          const offW = kj * dilationW - padLeft;
          const owStart = firstInside(offW, strideW);
          const owEnd = endInside(offW, strideW, inW, outW);
          let sum = 0;
          for (let oh = ohStart; oh < ohEnd; oh++) {
            const g = yChannel + oh * outW;
            const src = xChannel + (oh * strideH + offH) * inW + offW;
            if (dw) for (let ow = owStart; ow < owEnd; ow++) sum += dy[g + ow] * x[src + ow * strideW];
            if (dx) for (let ow = owStart; ow < owEnd; ow++) dx[src + ow * strideW] += weight * dy[g + ow];
          }
          if (dw) dw[tap] += sum;
        }
      }
    }
  }
  if (db) biasGradient(dy, db, batch, outChannels, outPlane);
};
