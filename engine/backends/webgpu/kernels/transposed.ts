/**
 * Transposed 2-D convolution: the backward-data pass of a convolution, run forwards, with the
 * CPU's geometry and layouts (engine/backends/cpu/kernels/transposed.ts: `window` is the
 * convolution from this layer's OUTPUT to its INPUT), batched as the GPU convolution is: one
 * GEMM dispatch whose workgroups' z runs over every sample × group, and one col2im or im2col
 * over the whole batch.
 *
 *   x   [N, Cin, H, W]           H × W = window.outH × window.outW
 *   w   [Cin, F/groups, kh, kw]  PyTorch's ConvTranspose2d layout
 *   y   [N, F, outH, outW]       outH × outW = window.inH × window.inW
 *   col [N, F·kh·kw, H·W]        scratch (transposedColumnLength); unused on the 1×1 path
 *
 * Forward:   col_(n,g) = w_gᵀ · x_(n,g), then y = col2im(col) (+ b)
 * Backward:  col = im2col(dy);  dx_(n,g) += w_g · col_(n,g);  dw_g += Σ_n x_(n,g) · col_(n,g)ᵀ;  db += Σ dy
 */
import { isPointwise } from '../../cpu/kernels/conv';
import type { TransposedGeometry } from '../../cpu/kernels/transposed';
import type { GpuRunner } from '../run';
import { addBias, biasGradient } from './elementwise';
import { gemm } from './gemm';
import { col2im, columnLength, im2col } from './im2col';

export type { TransposedGeometry } from '../../cpu/kernels/transposed';

/** Elements of the column scratch for `batch` samples (0 on the direct 1×1 path). */
export const transposedColumnLength = ({ window }: TransposedGeometry, batch: number): number =>
  isPointwise(window) ? 0 : columnLength(window, batch);

const sizes = ({ window, inChannels, groups }: TransposedGeometry) => {
  const outChannels = window.channels;
  const inPlane = window.outH * window.outW;
  const outPlane = window.inH * window.inW;
  const groupIn = inChannels / groups;
  const groupOut = outChannels / groups;
  const taps = groupOut * window.kernelH * window.kernelW;
  const direct = isPointwise(window);
  // Where each product's [taps, H·W] block lies: the column matrices, or y (dy) itself on the 1×1 path.
  const columns = direct
    ? { outer: outChannels * outPlane, inner: groupOut * outPlane }
    : { outer: groups * taps * inPlane, inner: taps * inPlane };
  return { outChannels, inPlane, outPlane, groupIn, groupOut, taps, direct, columns };
};

const requireColumns = (col: GPUBuffer | null): GPUBuffer => {
  if (!col) throw new Error('this transposed convolution needs a column scratch buffer of transposedColumnLength elements');
  return col;
};

/** y = convTranspose(x, w) + b. Overwrites y. */
export const transposedForward = (
  runner: GpuRunner,
  geometry: TransposedGeometry,
  batch: number,
  x: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | null,
  y: GPUBuffer,
  col: GPUBuffer | null,
): void => {
  const { window, inChannels, groups } = geometry;
  const { outChannels, inPlane, outPlane, groupIn, taps, direct, columns } = sizes(geometry);
  const target = direct ? y : requireColumns(col);
  // col_(n,g) [taps, H·W] = w_gᵀ [taps, Cin/g] · x_(n,g) [Cin/g, H·W]
  gemm(runner, true, false, taps, inPlane, groupIn, 1, w, 0, taps, x, 0, inPlane, 0, target, 0, inPlane, {
    count: batch * groups,
    groups,
    a: { inner: groupIn * taps },
    b: { outer: inChannels * inPlane, inner: groupIn * inPlane },
    c: columns,
  });
  if (!direct) {
    runner.clear(y, 0, batch * outChannels * outPlane);
    col2im(runner, target, 0, batch, window, y, 0);
  }
  if (bias) addBias(runner, y, bias, batch, outChannels, outPlane);
};

/** Accumulates dx, dw and db (each may be null) from dy. */
export const transposedBackward = (
  runner: GpuRunner,
  geometry: TransposedGeometry,
  batch: number,
  x: GPUBuffer,
  w: GPUBuffer,
  dy: GPUBuffer,
  dx: GPUBuffer | null,
  dw: GPUBuffer | null,
  db: GPUBuffer | null,
  col: GPUBuffer | null,
): void => {
  const { window, inChannels, groups } = geometry;
  const { outChannels, inPlane, outPlane, groupIn, taps, direct, columns } = sizes(geometry);
  if (dx || dw) {
    const source = direct ? dy : requireColumns(col);
    if (!direct) im2col(runner, dy, 0, batch, window, source, 0);
    // dx_(n,g) [Cin/g, H·W] += w_g [Cin/g, taps] · col_(n,g) [taps, H·W]
    if (dx) {
      gemm(runner, false, false, groupIn, inPlane, taps, 1, w, 0, taps, source, 0, inPlane, 1, dx, 0, inPlane, {
        count: batch * groups,
        groups,
        a: { inner: groupIn * taps },
        b: columns,
        c: { outer: inChannels * inPlane, inner: groupIn * inPlane },
      });
    }
    // dw_g [Cin/g, taps] += Σ_n x_(n,g) [Cin/g, H·W] · col_(n,g)ᵀ [H·W, taps]
    if (dw) {
      gemm(runner, false, true, groupIn, taps, inPlane, 1, x, 0, inPlane, source, 0, inPlane, 1, dw, 0, taps, {
        count: groups,
        reduce: batch,
        a: { inner: groupIn * inPlane, reduce: inChannels * inPlane },
        b: { inner: columns.inner, reduce: columns.outer },
        c: { inner: groupIn * taps },
      });
    }
  }
  if (db) biasGradient(runner, dy, db, batch, outChannels, outPlane);
};
