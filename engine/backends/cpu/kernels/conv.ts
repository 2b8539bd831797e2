/**
 * Standard (grouped) 2-D convolution as im2col + GEMM, one sample and one group at a time.
 *
 * Shapes, batch first, row-major:
 *   x  [N, C, inH, inW]          C = window.channels
 *   w  [F, C/groups, kh, kw]     PyTorch's Conv2d layout
 *   b  [F]
 *   y  [N, F, outH, outW]
 *   col [C/groups·kh·kw, outH·outW]  scratch for one sample and group (convColumnLength)
 */
import type { Window2D } from '../geometry';
import type { Floats } from '../types';
import { gemm } from './gemm';
import { col2im, im2col } from './im2col';

export interface ConvGeometry {
  /** The window over the input; window.channels is all input channels. */
  readonly window: Window2D;
  readonly outChannels: number;
  readonly groups: number;
}

/** A 1×1, stride-1, unpadded window: the input already is its own column matrix. */
export const isPointwise = (window: Window2D): boolean =>
  window.kernelH === 1 &&
  window.kernelW === 1 &&
  window.strideH === 1 &&
  window.strideW === 1 &&
  window.padTop === 0 &&
  window.padLeft === 0 &&
  window.outH === window.inH &&
  window.outW === window.inW;

/** Length of the column scratch that convForward and convBackward need (0 on the direct 1×1 path). */
export const convColumnLength = ({ window, groups }: ConvGeometry): number =>
  isPointwise(window) ? 0 : (window.channels / groups) * window.kernelH * window.kernelW * window.outH * window.outW;

/** y[n, f, :, :] = b[f] (or 0 without a bias) for every sample; y is [N, F, plane]. */
export const fillBias = (y: Floats, bias: Floats | null, batch: number, channels: number, plane: number): void => {
  for (let n = 0; n < batch; n++) {
    for (let f = 0; f < channels; f++) {
      const start = (n * channels + f) * plane;
      y.fill(bias ? bias[f] : 0, start, start + plane);
    }
  }
};

/** y[n, f, :, :] += b[f]; y is [N, F, plane]. */
export const addBias = (y: Floats, bias: Floats, batch: number, channels: number, plane: number): void => {
  for (let n = 0; n < batch; n++) {
    for (let f = 0; f < channels; f++) {
      const value = bias[f];
      const start = (n * channels + f) * plane;
      for (let i = start; i < start + plane; i++) y[i] += value;
    }
  }
};

/** db[f] += Σ_{n, pixels} dy[n, f, pixel]; dy is [N, F, plane]. */
export const biasGradient = (dy: Floats, db: Floats, batch: number, channels: number, plane: number): void => {
  for (let f = 0; f < channels; f++) {
    let sum = 0;
    for (let n = 0; n < batch; n++) {
      const start = (n * channels + f) * plane;
      for (let i = start; i < start + plane; i++) sum += dy[i];
    }
    db[f] += sum;
  }
};

/** y = conv(x, w) + b. Overwrites y. */
export const convForward = (
  geometry: ConvGeometry,
  batch: number,
  x: Floats,
  w: Floats,
  bias: Floats | null,
  y: Floats,
  col: Floats,
): void => {
  const { window, outChannels, groups } = geometry;
  const inPlane = window.inH * window.inW;
  const outPlane = window.outH * window.outW;
  const groupIn = window.channels / groups;
  const groupOut = outChannels / groups;
  const taps = groupIn * window.kernelH * window.kernelW;
  const direct = isPointwise(window);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      const xOffset = (n * window.channels + g * groupIn) * inPlane;
      const yOffset = (n * outChannels + g * groupOut) * outPlane;
      const wOffset = g * groupOut * taps;
      // y_g [F/g, P] = w_g [F/g, taps] · col [taps, P]
      if (direct) {
        gemm(false, false, groupOut, outPlane, taps, 1, w, wOffset, taps, x, xOffset, inPlane, 0, y, yOffset, outPlane);
      } else {
        im2col(x, xOffset, groupIn, window, col, 0);
        gemm(false, false, groupOut, outPlane, taps, 1, w, wOffset, taps, col, 0, outPlane, 0, y, yOffset, outPlane);
      }
    }
  }
  if (bias) addBias(y, bias, batch, outChannels, outPlane);
};

/**
 * Accumulates dx += ∂L/∂x, dw += ∂L/∂w, db += ∂L/∂b from dy = ∂L/∂y; any of them may be null.
 * dw_g += dy_g · colᵀ; dx_g += col2im(w_gᵀ · dy_g); db += Σ dy.
 */
export const convBackward = (
  geometry: ConvGeometry,
  batch: number,
  x: Floats,
  w: Floats,
  dy: Floats,
  dx: Floats | null,
  dw: Floats | null,
  db: Floats | null,
  col: Floats,
): void => {
  const { window, outChannels, groups } = geometry;
  const inPlane = window.inH * window.inW;
  const outPlane = window.outH * window.outW;
  const groupIn = window.channels / groups;
  const groupOut = outChannels / groups;
  const taps = groupIn * window.kernelH * window.kernelW;
  const direct = isPointwise(window);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      const xOffset = (n * window.channels + g * groupIn) * inPlane;
      const yOffset = (n * outChannels + g * groupOut) * outPlane;
      const wOffset = g * groupOut * taps;
      if (direct) {
        // dw_g [F/g, C/g] += dy_g [F/g, P] · x_gᵀ [P, C/g]; dx_g [C/g, P] += w_gᵀ · dy_g
        if (dw) gemm(false, true, groupOut, taps, outPlane, 1, dy, yOffset, outPlane, x, xOffset, inPlane, 1, dw, wOffset, taps);
        if (dx) gemm(true, false, taps, outPlane, groupOut, 1, w, wOffset, taps, dy, yOffset, outPlane, 1, dx, xOffset, inPlane);
        continue;
      }
      if (dw) {
        // dw_g [F/g, taps] += dy_g [F/g, P] · colᵀ [P, taps]
        im2col(x, xOffset, groupIn, window, col, 0);
        gemm(false, true, groupOut, taps, outPlane, 1, dy, yOffset, outPlane, col, 0, outPlane, 1, dw, wOffset, taps);
      }
      if (dx) {
        // dcol [taps, P] = w_gᵀ [taps, F/g] · dy_g [F/g, P], scattered back into dx
        gemm(true, false, taps, outPlane, groupOut, 1, w, wOffset, taps, dy, yOffset, outPlane, 0, col, 0, outPlane);
        col2im(col, 0, groupIn, window, dx, xOffset);
      }
    }
  }
  if (db) biasGradient(dy, db, batch, outChannels, outPlane);
};
