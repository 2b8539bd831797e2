/**
 * Depthwise convolution on activations that live in the heap (heap.ts): depthwise.ts's float32
 * path, in WebAssembly SIMD, split between threads by chunks of samples. Same shapes and contract
 * as depthwise.ts; each function returns false, having done nothing, where an activation is not
 * in the heap (depthwise.ts then takes the call).
 *
 * Work items are chunks of samples; each sample is one call of sgemm.wat's dw_forward or
 * dw_backward, which copy each input plane into a zero-bordered plane in the thread's workspace
 * (so they never test a bound). The input gradient is a stride-1 forward pass of dy (spread out by
 * the strides) with the flipped weights, or, where the padding passes the window, dy scattered back. The weight and bias gradients go into
 * per-chunk partial sums, added up in chunk order (conv-heap.ts's addPartials): the bits do not
 * depend on the threads.
 */
import type { Window2D } from '../geometry';
import { heap, heapAddress, heapF32, Region } from '../heap';
import { defineJob, parallelFor, prepareWorkspaces, workspace } from '../parallel';
import type { Floats } from '../types';
import { addPartials, isFloat32 } from './conv-heap';

/** Chunks per batch, where the batch allows. */
const CHUNKS = 8;
/** Floats after a padded plane that the stride-2 kernels may read past its end. */
const SLACK = 8;

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
const MULTIPLIER = 13;
const BATCH = 14;
const CHUNK = 15;
const X = 16;
const W = 17;
const BIAS = 18;
const Y = 19;
const DY = 20;
const DX = 21;
const PARTIALS = 22;
const WANT_DW = 23;
const WANT_DB = 24;
/** The padded input plane, PAD_H × PAD_W. */
const PAD_H = 25;
const PAD_W = 26;
/** The input gradient as a forward pass: flipped weights, and dy placed at (TOP, LEFT) in a GRAD_H × GRAD_W plane. */
const FLIPPED = 27;
const TOP = 28;
const LEFT = 29;
const GRAD_H = 30;
const GRAD_W = 31;
const ARGS = new Float64Array(32);

const weights = new Region();
const partials = new Region();

/** Fills ARGS for a call, with w (and bias, or w flipped for `backward`) in the heap; false where x is not in it. */
const setUp = (
  window: Window2D,
  multiplier: number,
  batch: number,
  x: Floats,
  w: Floats,
  bias: Floats | null,
  backward: boolean,
): boolean => {
  const xAt = heapAddress(x);
  if (xAt < 0 || batch <= 0 || !isFloat32(w) || !isFloat32(bias)) return false;
  const { channels, inH, inW, outH, outW, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = window;
  // The padded plane: every row and column that some window reads.
  const padH = (outH - 1) * strideH + (kernelH - 1) * dilationH + 1;
  const padW = (outW - 1) * strideW + (kernelW - 1) * dilationW + 1;
  // dx = a stride-1 forward pass of dy spread out by the strides, bordered so that the flipped
  // window fits: (kh − 1)·dh − pt rows on top, which the padding must not pass.
  const gather = backward && padTop <= (kernelH - 1) * dilationH && padLeft <= (kernelW - 1) * dilationW;
  const gradH = inH + (kernelH - 1) * dilationH;
  const gradW = inW + (kernelW - 1) * dilationW;
  const outChannels = channels * multiplier;
  const taps = kernelH * kernelW;
  const second = gather ? gradH * gradW + SLACK + inH * inW : padH * padW + SLACK;
  prepareWorkspaces(4 * (padH * padW + SLACK + second + outChannels));
  const at = weights.reserve(8 * outChannels * taps + 4 * outChannels);
  if (at < 0) throw new Error('the WebAssembly heap cannot grow any further');
  const view = heapF32();
  const base = at >> 2;
  view.set(w, base);
  if (bias) view.set(bias, base + outChannels * taps);
  if (gather) {
    const flipped = base + outChannels * taps;
    for (let o = 0; o < outChannels; o++)
      for (let t = 0; t < taps; t++) view[flipped + o * taps + t] = view[base + o * taps + taps - 1 - t];
  }
  ARGS[CHANNELS] = channels;
  ARGS[IN_H] = inH;
  ARGS[IN_W] = inW;
  ARGS[OUT_H] = outH;
  ARGS[OUT_W] = outW;
  ARGS[KH] = kernelH;
  ARGS[KW] = kernelW;
  ARGS[SH] = strideH;
  ARGS[SW] = strideW;
  ARGS[DH] = dilationH;
  ARGS[DW] = dilationW;
  ARGS[PT] = padTop;
  ARGS[PL] = padLeft;
  ARGS[MULTIPLIER] = multiplier;
  ARGS[BATCH] = batch;
  ARGS[CHUNK] = Math.ceil(batch / CHUNKS);
  ARGS[X] = xAt;
  ARGS[W] = at;
  ARGS[BIAS] = bias ? at + 4 * outChannels * taps : 0;
  ARGS[PAD_H] = padH;
  ARGS[PAD_W] = padW;
  ARGS[FLIPPED] = gather ? at + 4 * outChannels * taps : 0;
  ARGS[TOP] = (kernelH - 1) * dilationH - padTop;
  ARGS[LEFT] = (kernelW - 1) * dilationW - padLeft;
  ARGS[GRAD_H] = gradH;
  ARGS[GRAD_W] = gradW;
  return true;
};

const forwardChunk = defineJob('depthwise.forward', (args, item, thread) => {
  const wasm = heap()!.kernels;
  const channels = args[CHANNELS];
  const outChannels = channels * args[MULTIPLIER];
  const inPlane = args[IN_H] * args[IN_W];
  const outPlane = args[OUT_H] * args[OUT_W];
  const first = item * args[CHUNK];
  const last = Math.min(first + args[CHUNK], args[BATCH]);
  for (let n = first; n < last; n++) {
    // prettier-ignore
    wasm.dw_forward(args[X] + 4 * n * channels * inPlane, channels, args[IN_H], args[IN_W], args[MULTIPLIER], args[W], args[BIAS],
      args[Y] + 4 * n * outChannels * outPlane, args[OUT_H], args[OUT_W], args[KH], args[KW], args[SH], args[SW], args[DH], args[DW],
      args[PT], args[PL], workspace(thread), args[PAD_H], args[PAD_W]);
  }
});

/** y = depthwise(x, w) + b in the heap; false where x or y is not in it. */
export const depthwiseForwardHeap = (
  window: Window2D,
  multiplier: number,
  batch: number,
  x: Floats,
  w: Floats,
  bias: Floats | null,
  y: Floats,
): boolean => {
  const yAt = heapAddress(y);
  if (yAt < 0 || !setUp(window, multiplier, batch, x, w, bias, false)) return false;
  ARGS[Y] = yAt;
  parallelFor(forwardChunk, Math.ceil(batch / ARGS[CHUNK]), ARGS);
  return true;
};

const backwardChunk = defineJob('depthwise.backward', (args, item, thread) => {
  const wasm = heap()!.kernels;
  const channels = args[CHANNELS];
  const outChannels = channels * args[MULTIPLIER];
  const taps = args[KH] * args[KW];
  const inPlane = args[IN_H] * args[IN_W];
  const outPlane = args[OUT_H] * args[OUT_W];
  // The workspace: the padded input plane; then the scattered input gradient, or dy bordered and the gradient plane; then the bias sums.
  const xp = workspace(thread);
  const second = xp + 4 * (args[PAD_H] * args[PAD_W] + SLACK);
  const gradient = second + 4 * (args[GRAD_H] * args[GRAD_W] + SLACK);
  const sums = args[FLIPPED] ? gradient + 4 * inPlane : second + 4 * (args[PAD_H] * args[PAD_W] + SLACK);
  // This chunk's partial sums: the weight gradient [C·m·taps], then the bias gradient [C·m].
  const partial = args[PARTIALS] + 4 * item * (outChannels * taps + outChannels);
  if (args[PARTIALS]) wasm.zero(partial, outChannels * taps + outChannels);
  const first = item * args[CHUNK];
  const last = Math.min(first + args[CHUNK], args[BATCH]);
  for (let n = first; n < last; n++) {
    const dy = args[DY] + 4 * n * outChannels * outPlane;
    const dx = args[DX] ? args[DX] + 4 * n * channels * inPlane : 0;
    // prettier-ignore
    wasm.dw_backward(args[X] + 4 * n * channels * inPlane, dy, dx, args[WANT_DW] ? partial : 0, channels, args[IN_H], args[IN_W],
      args[MULTIPLIER], args[W], args[OUT_H], args[OUT_W], args[KH], args[KW], args[SH], args[SW], args[DH], args[DW], args[PT],
      args[PL], xp, second, args[PAD_H], args[PAD_W], args[FLIPPED], second, gradient, args[TOP], args[LEFT], args[GRAD_H], args[GRAD_W]);
    if (args[WANT_DB]) {
      wasm.row_sums(dy, outPlane, outChannels, outPlane, sums);
      wasm.add(partial + 4 * outChannels * taps, sums, outChannels);
    }
  }
});

/** Accumulates dx, dw and db (each may be null) from dy in the heap; false where x, dy or dx is not in it. */
export const depthwiseBackwardHeap = (
  window: Window2D,
  multiplier: number,
  batch: number,
  x: Floats,
  w: Floats,
  dy: Floats,
  dx: Floats | null,
  dw: Floats | null,
  db: Floats | null,
): boolean => {
  const dyAt = heapAddress(dy);
  const dxAt = dx ? heapAddress(dx) : 0;
  if (dyAt < 0 || dxAt < 0 || !setUp(window, multiplier, batch, x, w, null, dx !== null)) return false;
  const chunks = Math.ceil(batch / ARGS[CHUNK]);
  const outChannels = window.channels * multiplier;
  const weightCount = outChannels * window.kernelH * window.kernelW;
  const partialAt = dw || db ? partials.reserve(4 * chunks * (weightCount + outChannels)) : 0;
  if (partialAt < 0) throw new Error('the WebAssembly heap cannot grow any further');
  ARGS[DY] = dyAt;
  ARGS[DX] = dxAt;
  ARGS[PARTIALS] = partialAt;
  ARGS[WANT_DW] = dw ? 1 : 0;
  ARGS[WANT_DB] = db ? 1 : 0;
  parallelFor(backwardChunk, chunks, ARGS);
  if (dw || db) addPartials(partialAt, chunks, weightCount + outChannels, weightCount, dw, db);
  return true;
};
