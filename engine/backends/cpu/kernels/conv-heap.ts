/**
 * Standard (grouped) 2-D convolution on activations that live in the heap (heap.ts): conv.ts's
 * float32 path, in WebAssembly, split between threads by chunks of samples. Same shapes and
 * contract as conv.ts; each function returns false, having done nothing, where an activation is
 * not in the heap (conv.ts then takes the call).
 *
 * A chunk of S samples is one work item. Forward: im2col of each of its samples side by side,
 * col [taps, S·P] (P = outH·outW; a 1×1 window just copies the planes), one GEMM
 * w [F, taps] · col → [F, S·P], then each sample's [F, P] block copied into y with the bias. So
 * the GEMMs are large enough to run well even for small images, and col stays in L2 where one
 * sample's columns fit there (one sample at a time, written straight into y, otherwise).
 * Backward, per chunk: dy gathered the same way, [F, S·P]; the chunk's weight gradient
 * dy · colᵀ and bias gradient (row sums) into partial sums of its own; dcol = wᵀ · dy scattered
 * back into dx (col2im). The caller adds the partial sums up in chunk order.
 *
 * S depends only on the layer's shapes and the batch, so the bits are the same on any number of
 * threads; each output element is summed in one fixed order (gemm-wasm.ts), whichever thread
 * computes its chunk.
 */
import type { Window2D } from '../geometry';
import type { Floats } from '../types';
import { heap, heapAddress, heapF32, Region } from '../heap';
import { defineJob, parallelFor, prepareWorkspaces, workspace } from '../parallel';
import type { ConvGeometry } from './conv';
import { gemmHeap } from './gemm-wasm';
import { winogradApplies, winogradForward, winogradInputGradient, winogradWeightGradient } from './winograd';

/** A chunk's column block stays within this many floats where one sample allows (256 KiB: L2). */
const COLUMN_FLOATS = 1 << 16;
/** Chunks per batch at least, where the batch allows, so that threads share the work evenly. */
const MIN_CHUNKS = 8;

// parallelFor arguments: the window, then the rest.
const CHANNELS = 0;
const IN_H = 1;
const IN_W = 2;
const OUT_H = 3;
const OUT_W = 4;
const KH = 5;
const KW = 6;
const SH = 7;
const SW = 8;
const DH = 9;
const DW = 10;
const PT = 11;
const PL = 12;
const FILTERS = 13;
const GROUPS = 14;
const BATCH = 15;
const CHUNK = 16;
const X = 17;
const W = 18;
const BIAS = 19;
const Y = 20;
const DY = 21;
const DX = 22;
const PARTIALS = 23;
const WANT_DW = 24;
const WANT_DB = 25;
const ARGS = new Float64Array(26);

const weights = new Region();
const partials = new Region();

/** Samples per chunk for a layer: the most whose columns fit COLUMN_FLOATS, at least 1, and no more than gives MIN_CHUNKS. */
export const chunkSamples = (geometry: ConvGeometry, batch: number): number => {
  const { window, groups } = geometry;
  const taps = (window.channels / groups) * window.kernelH * window.kernelW;
  const byCache = Math.floor(COLUMN_FLOATS / (taps * window.outH * window.outW));
  return Math.max(1, Math.min(byCache, Math.ceil(batch / MIN_CHUNKS)));
};

const setWindow = (window: Window2D): void => {
  ARGS[CHANNELS] = window.channels;
  ARGS[IN_H] = window.inH;
  ARGS[IN_W] = window.inW;
  ARGS[OUT_H] = window.outH;
  ARGS[OUT_W] = window.outW;
  ARGS[KH] = window.kernelH;
  ARGS[KW] = window.kernelW;
  ARGS[SH] = window.strideH;
  ARGS[SW] = window.strideW;
  ARGS[DH] = window.dilationH;
  ARGS[DW] = window.dilationW;
  ARGS[PT] = window.padTop;
  ARGS[PL] = window.padLeft;
};

/** True for a Float32Array or null: what the kernels take besides the activations. */
export const isFloat32 = (values: Floats | null): values is Float32Array | null => values === null || values instanceof Float32Array;

/** Sets ARGS[W] (and ARGS[BIAS], 0 without one) to heap copies of the weights (a block reused call after call). */
const stageWeights = (values: Floats, bias: Floats | null): void => {
  const home = heapAddress(values);
  const biasHome = bias ? heapAddress(bias) : 0;
  if (home >= 0 && biasHome >= 0) {
    ARGS[W] = home;
    ARGS[BIAS] = biasHome;
    return;
  }
  const biasLength = bias ? (bias.length + 15) & ~15 : 0;
  const at = weights.reserve(4 * (values.length + biasLength));
  if (at < 0) throw new Error('the WebAssembly heap cannot grow any further');
  const view = heapF32();
  view.set(values, (at >> 2) + biasLength);
  if (bias) view.set(bias, at >> 2);
  ARGS[W] = at + 4 * biasLength;
  ARGS[BIAS] = bias ? at : 0;
};

/**
 * Puts sample s's group-g planes, as column rows, at col + s·P within rows of length ld: im2col, or
 * a copy for a 1×1 window (back = 0); col2im, adding into x, for back = 1.
 */
const columns = (args: Float64Array, back: number, x: number, channels: number, col: number, ld: number): void => {
  // prettier-ignore
  heap()!.kernels.im2col(back, x, channels, args[IN_H], args[IN_W], args[OUT_H], args[OUT_W], args[KH], args[KW], args[SH], args[SW],
    args[DH], args[DW], args[PT], args[PL], col, ld);
};

const pointwise = (args: Float64Array): boolean =>
  args[KH] === 1 &&
  args[KW] === 1 &&
  args[SH] === 1 &&
  args[SW] === 1 &&
  args[PT] === 0 &&
  args[PL] === 0 &&
  args[OUT_H] === args[IN_H] &&
  args[OUT_W] === args[IN_W];

const forwardChunk = defineJob('conv.forward', (args, item, thread) => {
  const wasm = heap()!.kernels;
  const channels = args[CHANNELS];
  const filters = args[FILTERS];
  const groups = args[GROUPS];
  const groupIn = channels / groups;
  const groupOut = filters / groups;
  const taps = groupIn * args[KH] * args[KW];
  const inPlane = args[IN_H] * args[IN_W];
  const plane = args[OUT_H] * args[OUT_W];
  const first = item * args[CHUNK];
  const samples = Math.min(args[CHUNK], args[BATCH] - first);
  const n = samples * plane;
  const direct = samples === 1 && pointwise(args);
  const col = workspace(thread);
  const product = col + 4 * taps * n;
  for (let g = 0; g < groups; g++) {
    const w = args[W] + 4 * g * groupOut * taps;
    const bias = args[BIAS] ? args[BIAS] + 4 * g * groupOut : 0;
    let b = col;
    if (direct) b = args[X] + 4 * (first * channels + g * groupIn) * inPlane;
    else {
      for (let s = 0; s < samples; s++) {
        columns(args, 0, args[X] + 4 * ((first + s) * channels + g * groupIn) * inPlane, groupIn, col + 4 * s * plane, n);
      }
    }
    const ldb = direct ? plane : n;
    if (samples === 1) {
      // One sample: straight into y, then the bias.
      const y = args[Y] + 4 * (first * filters + g * groupOut) * plane;
      gemmHeap(thread, false, false, groupOut, plane, taps, 1, w, taps, b, ldb, 0, y, plane);
      if (bias) wasm.copy2d(y, plane, y, plane, groupOut, plane, bias);
      continue;
    }
    gemmHeap(thread, false, false, groupOut, n, taps, 1, w, taps, b, ldb, 0, product, n);
    for (let s = 0; s < samples; s++) {
      const y = args[Y] + 4 * ((first + s) * filters + g * groupOut) * plane;
      wasm.copy2d(product + 4 * s * plane, n, y, plane, groupOut, plane, bias);
    }
  }
});

/** y = conv(x, w) + b in the heap; false where x or y is not in it. */
export const convForwardHeap = (geometry: ConvGeometry, batch: number, x: Floats, w: Floats, bias: Floats | null, y: Floats): boolean => {
  const xAt = heapAddress(x);
  const yAt = heapAddress(y);
  if (xAt < 0 || yAt < 0 || batch <= 0 || !isFloat32(w) || !isFloat32(bias)) return false;
  if (winogradApplies(geometry)) {
    winogradForward(geometry, batch, xAt, w, bias, yAt);
    return true;
  }
  const { window, outChannels, groups } = geometry;
  const chunk = chunkSamples(geometry, batch);
  const taps = (window.channels / groups) * window.kernelH * window.kernelW;
  const n = chunk * window.outH * window.outW;
  prepareWorkspaces(4 * (taps * n + (chunk > 1 ? (outChannels / groups) * n : 0)));
  stageWeights(w, bias);
  setWindow(window);
  ARGS[FILTERS] = outChannels;
  ARGS[GROUPS] = groups;
  ARGS[BATCH] = batch;
  ARGS[CHUNK] = chunk;
  ARGS[X] = xAt;
  ARGS[Y] = yAt;
  parallelFor(forwardChunk, Math.ceil(batch / chunk), ARGS);
  return true;
};

const backwardChunk = defineJob('conv.backward', (args, item, thread) => {
  const wasm = heap()!.kernels;
  const channels = args[CHANNELS];
  const filters = args[FILTERS];
  const groups = args[GROUPS];
  const groupIn = channels / groups;
  const groupOut = filters / groups;
  const taps = groupIn * args[KH] * args[KW];
  const inPlane = args[IN_H] * args[IN_W];
  const plane = args[OUT_H] * args[OUT_W];
  const first = item * args[CHUNK];
  const samples = Math.min(args[CHUNK], args[BATCH] - first);
  const n = samples * plane;
  const direct = samples === 1 && pointwise(args);
  const col = workspace(thread);
  const gathered = col + 4 * taps * n;
  // This chunk's partial sums: the weight gradient [F/g·taps per group], then the bias gradient [F].
  const partial = args[PARTIALS] + 4 * item * (filters * taps + filters);
  for (let g = 0; g < groups; g++) {
    const x = args[X] + 4 * g * groupIn * inPlane;
    const dx = args[DX] ? args[DX] + 4 * g * groupIn * inPlane : 0;
    // dy of the chunk's samples side by side: [F/g, S·P].
    let dy = args[DY] + 4 * (first * filters + g * groupOut) * plane;
    let ldy = plane;
    if (samples > 1) {
      for (let s = 0; s < samples; s++) {
        const from = args[DY] + 4 * ((first + s) * filters + g * groupOut) * plane;
        wasm.copy2d(from, plane, gathered + 4 * s * plane, n, groupOut, plane, 0);
      }
      dy = gathered;
      ldy = n;
    }
    if (args[WANT_DW]) {
      // dw_g [F/g, taps] = dy · colᵀ
      let b = col;
      if (direct) b = x + 4 * first * channels * inPlane;
      else for (let s = 0; s < samples; s++) columns(args, 0, x + 4 * (first + s) * channels * inPlane, groupIn, col + 4 * s * plane, n);
      gemmHeap(thread, false, true, groupOut, taps, n, 1, dy, ldy, b, direct ? plane : n, 0, partial + 4 * g * groupOut * taps, taps);
    }
    if (args[WANT_DB]) wasm.row_sums(dy, ldy, groupOut, n, partial + 4 * (filters * taps + g * groupOut));
    if (!dx) continue;
    const w = args[W] + 4 * g * groupOut * taps;
    if (direct) {
      // dx_g [C/g, P] += w_gᵀ · dy
      gemmHeap(thread, true, false, groupIn, plane, groupOut, 1, w, taps, dy, ldy, 1, dx + 4 * first * channels * inPlane, plane);
      continue;
    }
    // dcol [taps, S·P] = w_gᵀ · dy, added back into dx sample by sample.
    gemmHeap(thread, true, false, taps, n, groupOut, 1, w, taps, dy, ldy, 0, col, n);
    for (let s = 0; s < samples; s++) columns(args, 1, dx + 4 * (first + s) * channels * inPlane, groupIn, col + 4 * s * plane, n);
  }
});

/**
 * Accumulates dx += ∂L/∂x, dw += ∂L/∂w, db += ∂L/∂b from dy in the heap (dx, dw, db may be null);
 * false where x, dy or dx is not in the heap. 3×3 stride-1 layers go through Winograd
 * (winograd.ts) unless `byColumns` asks for im2col + GEMM.
 */
export const convBackwardHeap = (
  geometry: ConvGeometry,
  batch: number,
  x: Floats,
  w: Floats,
  dy: Floats,
  dx: Floats | null,
  dw: Floats | null,
  db: Floats | null,
  byColumns = false,
): boolean => {
  const xAt = heapAddress(x);
  const dyAt = heapAddress(dy);
  const dxAt = dx ? heapAddress(dx) : 0;
  if (xAt < 0 || dyAt < 0 || dxAt < 0 || batch <= 0 || !isFloat32(w)) return false;
  if (!byColumns && winogradApplies(geometry)) {
    // The bias gradient here (row sums only), the rest by Winograd.
    if (db) convBackwardHeap(geometry, batch, x, w, dy, null, null, db, true);
    if (dw) winogradWeightGradient(geometry, batch, xAt, dyAt, dw);
    if (dx) winogradInputGradient(geometry, batch, dyAt, w, dxAt);
    return true;
  }
  const { window, outChannels, groups } = geometry;
  const chunk = chunkSamples(geometry, batch);
  const chunks = Math.ceil(batch / chunk);
  const taps = (window.channels / groups) * window.kernelH * window.kernelW;
  const n = chunk * window.outH * window.outW;
  const partialFloats = outChannels * taps + outChannels;
  prepareWorkspaces(4 * (taps * n + (chunk > 1 ? (outChannels / groups) * n : 0)));
  const partialAt = dw || db ? partials.reserve(4 * chunks * partialFloats) : 0;
  if (partialAt < 0) throw new Error('the WebAssembly heap cannot grow any further');
  stageWeights(w, null);
  setWindow(window);
  ARGS[FILTERS] = outChannels;
  ARGS[GROUPS] = groups;
  ARGS[BATCH] = batch;
  ARGS[CHUNK] = chunk;
  ARGS[X] = xAt;
  ARGS[DY] = dyAt;
  ARGS[DX] = dx ? dxAt : 0;
  ARGS[PARTIALS] = partialAt;
  ARGS[WANT_DW] = dw ? 1 : 0;
  ARGS[WANT_DB] = db ? 1 : 0;
  parallelFor(backwardChunk, chunks, ARGS);
  if (dw || db) addPartials(partialAt, chunks, partialFloats, outChannels * taps, dw, db);
  return true;
};

/** dw += Σ_chunks partial[0 : weights], db += Σ_chunks partial[weights :], summed in chunk order. */
export const addPartials = (
  at: number,
  chunks: number,
  stride: number,
  weightCount: number,
  dw: Floats | null,
  db: Floats | null,
): void => {
  const wasm = heap()!.kernels;
  for (let c = 1; c < chunks; c++) wasm.add(at, at + 4 * c * stride, stride);
  const sums = heapF32();
  const base = at >> 2;
  if (dw) for (let i = 0; i < weightCount; i++) dw[i] += sums[base + i];
  if (db) for (let i = 0; i < db.length; i++) db[i] += sums[base + weightCount + i];
};
