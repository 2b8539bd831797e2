/**
 * Transposed convolution: the backward-data pass of a convolution, run forwards.
 *
 * It is described by the window of the convolution it transposes, which maps the transposed
 * convolution's OUTPUT (as that convolution's input) to its INPUT (as that convolution's output):
 *   window.channels = F, inH × inW = the output's height × width, outH × outW = the input's,
 *   padTop/padLeft = PyTorch's padding (output padding only lengthens the bottom and right,
 *   where rows and columns that no input pixel reaches get the bias alone).
 *
 * Shapes, batch first, row-major:
 *   x  [N, Cin, H, W]            H × W = window.outH × window.outW
 *   w  [Cin, F/groups, kh, kw]   PyTorch's ConvTranspose2d layout
 *   b  [F]
 *   y  [N, F, outH, outW]        outH × outW = window.inH × window.inW
 *   col [F/groups·kh·kw, H·W]    scratch for one sample and group (transposedColumnLength)
 */
import type { Window2D } from '../geometry';
import type { Floats } from '../types';
import { addBias, biasGradient, isPointwise } from './conv';
import { gemm } from './gemm';
import { col2im, im2col } from './im2col';

export interface TransposedGeometry {
  /** The window of the convolution from this layer's output to its input (see above). */
  readonly window: Window2D;
  readonly inChannels: number;
  readonly groups: number;
}

export const transposedColumnLength = ({ window, groups }: TransposedGeometry): number =>
  isPointwise(window) ? 0 : (window.channels / groups) * window.kernelH * window.kernelW * window.outH * window.outW;

/** y = convTranspose(x, w) + b: per sample and group, col = w_gᵀ · x_g, then col2im into y. Overwrites y. */
export const transposedForward = (
  geometry: TransposedGeometry,
  batch: number,
  x: Floats,
  w: Floats,
  bias: Floats | null,
  y: Floats,
  col: Floats,
): void => {
  const { window, inChannels, groups } = geometry;
  const outChannels = window.channels;
  const inPlane = window.outH * window.outW;
  const outPlane = window.inH * window.inW;
  const groupIn = inChannels / groups;
  const groupOut = outChannels / groups;
  const taps = groupOut * window.kernelH * window.kernelW;
  const direct = isPointwise(window);
  if (!direct) y.fill(0);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      const xOffset = (n * inChannels + g * groupIn) * inPlane;
      const yOffset = (n * outChannels + g * groupOut) * outPlane;
      const wOffset = g * groupIn * taps;
      // col [taps, H·W] = w_gᵀ [taps, Cin/g] · x_g [Cin/g, H·W]; on the 1×1 path col is y_g itself.
      if (direct) {
        gemm(true, false, taps, inPlane, groupIn, 1, w, wOffset, taps, x, xOffset, inPlane, 0, y, yOffset, outPlane);
      } else {
        gemm(true, false, taps, inPlane, groupIn, 1, w, wOffset, taps, x, xOffset, inPlane, 0, col, 0, inPlane);
        col2im(col, 0, groupOut, window, y, yOffset);
      }
    }
  }
  if (bias) addBias(y, bias, batch, outChannels, outPlane);
};

/**
 * Accumulates dx, dw and db (each may be null) from dy: per sample and group, col = im2col(dy_g),
 * dx_g += w_g · col (a convolution of dy with w), dw_g += x_g · colᵀ; db += Σ dy.
 */
export const transposedBackward = (
  geometry: TransposedGeometry,
  batch: number,
  x: Floats,
  w: Floats,
  dy: Floats,
  dx: Floats | null,
  dw: Floats | null,
  db: Floats | null,
  col: Floats,
): void => {
  const { window, inChannels, groups } = geometry;
  const outChannels = window.channels;
  const inPlane = window.outH * window.outW;
  const outPlane = window.inH * window.inW;
  const groupIn = inChannels / groups;
  const groupOut = outChannels / groups;
  const taps = groupOut * window.kernelH * window.kernelW;
  const direct = isPointwise(window);
  if (dx || dw) {
    for (let n = 0; n < batch; n++) {
      for (let g = 0; g < groups; g++) {
        const xOffset = (n * inChannels + g * groupIn) * inPlane;
        const yOffset = (n * outChannels + g * groupOut) * outPlane;
        const wOffset = g * groupIn * taps;
        let source = dy;
        let sourceOffset = yOffset;
        if (!direct) {
          im2col(dy, yOffset, groupOut, window, col, 0);
          source = col;
          sourceOffset = 0;
        }
        // dx_g [Cin/g, H·W] += w_g [Cin/g, taps] · col [taps, H·W]
        if (dx) gemm(false, false, groupIn, inPlane, taps, 1, w, wOffset, taps, source, sourceOffset, inPlane, 1, dx, xOffset, inPlane);
        // dw_g [Cin/g, taps] += x_g [Cin/g, H·W] · colᵀ [H·W, taps]
        if (dw) gemm(false, true, groupIn, taps, inPlane, 1, x, xOffset, inPlane, source, sourceOffset, inPlane, 1, dw, wOffset, taps);
      }
    }
  }
  if (db) biasGradient(dy, db, batch, outChannels, outPlane);
};
