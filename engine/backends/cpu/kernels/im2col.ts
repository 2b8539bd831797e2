/**
 * im2col and col2im for one sample and one channel group.
 *
 * The column matrix is [channels·kh·kw, outH·outW], row-major: row (c·kh + ki)·kw + kj, column
 * oh·outW + ow holds x[c, oh·sh − padTop + ki·dh, ow·sw − padLeft + kj·dw], or 0 where that
 * falls in the padding. Padding may be asymmetric: the padding after the input is implied by
 * outH and outW, and any position past the input reads as 0.
 */
import type { Window2D } from '../geometry';
import type { Floats } from '../types';

/** The first output index whose input index o·stride + offset is ≥ 0. */
export const firstInside = (offset: number, stride: number): number => (offset >= 0 ? 0 : Math.ceil(-offset / stride));

/** One past the last output index (at most `outSize`) whose input index o·stride + offset is < inSize. */
export const endInside = (offset: number, stride: number, inSize: number, outSize: number): number =>
  Math.max(0, Math.min(outSize, Math.floor((inSize - 1 - offset) / stride) + 1));

/**
 * Fills col ([channels·kh·kw, outH·outW] at colOffset) from x ([channels, inH, inW] at xOffset).
 * `channels` is the group's channel count, not window.channels.
 */
export const im2col = (x: Floats, xOffset: number, channels: number, window: Window2D, col: Floats, colOffset: number): void => {
  const { inH, inW, outH, outW, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = window;
  const plane = outH * outW;
  let row = colOffset;
  for (let c = 0; c < channels; c++) {
    const channel = xOffset + c * inH * inW;
    for (let ki = 0; ki < kernelH; ki++) {
      const offH = ki * dilationH - padTop;
      const ohStart = Math.min(outH, firstInside(offH, strideH));
      const ohEnd = Math.max(ohStart, endInside(offH, strideH, inH, outH));
      for (let kj = 0; kj < kernelW; kj++, row += plane) {
        const offW = kj * dilationW - padLeft;
        const owStart = Math.min(outW, firstInside(offW, strideW));
        const owEnd = Math.max(owStart, endInside(offW, strideW, inW, outW));
        col.fill(0, row, row + ohStart * outW);
        for (let oh = ohStart; oh < ohEnd; oh++) {
          const dst = row + oh * outW;
          const src = channel + (oh * strideH + offH) * inW + offW;
          for (let ow = 0; ow < owStart; ow++) col[dst + ow] = 0;
          if (strideW === 1) for (let ow = owStart; ow < owEnd; ow++) col[dst + ow] = x[src + ow];
          else for (let ow = owStart; ow < owEnd; ow++) col[dst + ow] = x[src + ow * strideW];
          for (let ow = owEnd; ow < outW; ow++) col[dst + ow] = 0;
        }
        col.fill(0, row + ohEnd * outW, row + plane);
      }
    }
  }
};

/**
 * The adjoint of im2col: adds each entry of col ([channels·kh·kw, outH·outW] at colOffset) into
 * the x position it was read from ([channels, inH, inW] at xOffset); entries in the padding are dropped.
 */
export const col2im = (col: Floats, colOffset: number, channels: number, window: Window2D, x: Floats, xOffset: number): void => {
  const { inH, inW, outH, outW, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = window;
  const plane = outH * outW;
  let row = colOffset;
  for (let c = 0; c < channels; c++) {
    const channel = xOffset + c * inH * inW;
    for (let ki = 0; ki < kernelH; ki++) {
      const offH = ki * dilationH - padTop;
      const ohStart = firstInside(offH, strideH);
      const ohEnd = endInside(offH, strideH, inH, outH);
      for (let kj = 0; kj < kernelW; kj++, row += plane) {
        const offW = kj * dilationW - padLeft;
        const owStart = firstInside(offW, strideW);
        const owEnd = endInside(offW, strideW, inW, outW);
        for (let oh = ohStart; oh < ohEnd; oh++) {
          const src = row + oh * outW;
          const dst = channel + (oh * strideH + offH) * inW + offW;
          if (strideW === 1) for (let ow = owStart; ow < owEnd; ow++) x[dst + ow] += col[src + ow];
          else for (let ow = owStart; ow < owEnd; ow++) x[dst + ow * strideW] += col[src + ow];
        }
      }
    }
  }
};
