/**
 * Standard (grouped) 2-D convolution as im2col + GEMM, the CPU algorithm
 * (engine/backends/cpu/kernels/conv.ts) batched: one im2col over the whole batch, then one GEMM
 * dispatch whose workgroups' z runs over every sample × group.
 *
 *   x   [N, C, inH, inW]           C = window.channels
 *   w   [F, C/groups, kh, kw]      PyTorch's Conv2d layout
 *   b   [F]
 *   y   [N, F, outH, outW]
 *   col [N, C·kh·kw, outH·outW]    scratch (convColumnLength); unused on the 1×1 path
 *
 * Forward:   y_(n,g) = w_g · col_(n,g)                       (then + b)
 * Backward:  dw_g  += Σ_n dy_(n,g) · col_(n,g)ᵀ              (a reduced GEMM: no atomics)
 *            dx    += col2im(w_gᵀ · dy_(n,g))                 (col2im gathers: no atomics)
 *            db    += Σ dy
 *
 * A 1×1, stride-1, unpadded convolution skips im2col: the input is its own column matrix.
 * Memory: the column scratch holds the whole batch. A plan that cannot afford it will have to
 * run the batch in slices of samples; im2col, col2im and the GEMM already take the offsets
 * that needs, these wrappers do not pass them yet.
 */
import { isPointwise, type ConvGeometry } from '../../cpu/kernels/conv';
import type { GpuRunner } from '../run';
import { addBias, biasGradient } from './elementwise';
import { gemm } from './gemm';
import { col2im, columnLength, im2col } from './im2col';

export type { ConvGeometry } from '../../cpu/kernels/conv';

/** Elements of the column scratch for `batch` samples (0 on the direct 1×1 path). */
export const convColumnLength = (geometry: ConvGeometry, batch: number): number =>
  isPointwise(geometry.window) ? 0 : columnLength(geometry.window, batch);

/** Sizes that the three passes share. */
const sizes = ({ window, outChannels, groups }: ConvGeometry) => {
  const inPlane = window.inH * window.inW;
  const outPlane = window.outH * window.outW;
  const groupIn = window.channels / groups;
  const groupOut = outChannels / groups;
  const taps = groupIn * window.kernelH * window.kernelW;
  const direct = isPointwise(window);
  // The B operand of the forward GEMM: the column matrices, or x itself on the 1×1 path.
  const columns = direct
    ? { rowLength: inPlane, sample: window.channels * inPlane, group: groupIn * inPlane }
    : { rowLength: outPlane, sample: groups * taps * outPlane, group: taps * outPlane };
  return { inPlane, outPlane, groupIn, groupOut, taps, direct, columns };
};

/** y = conv(x, w) + b. Overwrites y. */
export const convForward = (
  runner: GpuRunner,
  geometry: ConvGeometry,
  batch: number,
  x: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | null,
  y: GPUBuffer,
  col: GPUBuffer | null,
): void => {
  const { window, outChannels, groups } = geometry;
  const { outPlane, groupOut, taps, direct, columns } = sizes(geometry);
  if (!direct) im2col(runner, x, 0, batch, window, requireColumns(col), 0);
  // y_(n,g) [F/g, P] = w_g [F/g, taps] · col_(n,g) [taps, P]
  gemm(runner, false, false, groupOut, outPlane, taps, 1, w, 0, taps, direct ? x : col!, 0, columns.rowLength, 0, y, 0, outPlane, {
    count: batch * groups,
    groups,
    a: { inner: groupOut * taps },
    b: { outer: columns.sample, inner: columns.group },
    c: { outer: outChannels * outPlane, inner: groupOut * outPlane },
  });
  if (bias) addBias(runner, y, bias, batch, outChannels, outPlane);
};

/**
 * Accumulates dx += ∂L/∂x, dw += ∂L/∂w, db += ∂L/∂b from dy = ∂L/∂y; any of them may be null.
 * Recomputes im2col(x) for dw, as the CPU does (the forward pass's columns may be gone).
 */
export const convBackward = (
  runner: GpuRunner,
  geometry: ConvGeometry,
  batch: number,
  x: GPUBuffer,
  w: GPUBuffer,
  dy: GPUBuffer,
  dx: GPUBuffer | null,
  dw: GPUBuffer | null,
  db: GPUBuffer | null,
  col: GPUBuffer | null,
): void => {
  const { window, outChannels, groups } = geometry;
  const { inPlane, outPlane, groupIn, groupOut, taps, direct, columns } = sizes(geometry);
  const dySample = outChannels * outPlane;
  const dyGroup = groupOut * outPlane;
  if (dw) {
    if (!direct) im2col(runner, x, 0, batch, window, requireColumns(col), 0);
    // dw_g [F/g, taps] += Σ_n dy_(n,g) [F/g, P] · col_(n,g)ᵀ [P, taps]
    gemm(runner, false, true, groupOut, taps, outPlane, 1, dy, 0, outPlane, direct ? x : col!, 0, columns.rowLength, 1, dw, 0, taps, {
      count: groups,
      reduce: batch,
      a: { inner: dyGroup, reduce: dySample },
      b: { inner: columns.group, reduce: columns.sample },
      c: { inner: groupOut * taps },
    });
  }
  if (dx) {
    // dcol_(n,g) [taps, P] = w_gᵀ [taps, F/g] · dy_(n,g) [F/g, P]; on the 1×1 path dcol is dx itself.
    const target = direct ? dx : requireColumns(col);
    gemm(runner, true, false, taps, outPlane, groupOut, 1, w, 0, taps, dy, 0, outPlane, direct ? 1 : 0, target, 0, outPlane, {
      count: batch * groups,
      groups,
      a: { inner: groupOut * taps },
      b: { outer: dySample, inner: dyGroup },
      c: direct ? { outer: window.channels * inPlane, inner: groupIn * inPlane } : { outer: columns.sample, inner: columns.group },
    });
    if (!direct) col2im(runner, target, 0, batch, window, dx, 0);
  }
  if (db) biasGradient(runner, dy, db, batch, outChannels, outPlane);
};

const requireColumns = (col: GPUBuffer | null): GPUBuffer => {
  if (!col) throw new Error('this convolution needs a column scratch buffer of convColumnLength elements');
  return col;
};
