/**
 * Max pooling on activations that live in the heap (heap.ts): pooling.ts's float32 path, in
 * WebAssembly, split between threads by ranges of planes. Same results as pooling.ts (argmax
 * included); each function returns false, having done nothing, where a buffer is not in the heap.
 * Global average pooling too, on one thread (it is a pass over memory): SIMD row sums then a
 * scale, so a plane's mean may differ from pooling.ts's in the last bit.
 */
import type { Window2D } from '../geometry';
import { heap, heapAddress, heapF32, Region } from '../heap';
import { defineJob, parallelFor } from '../parallel';
import type { Floats } from '../types';

/** Input elements per work item, at least: whole planes. */
const RANGE = 1 << 15;

const X = 0;
const Y = 1;
const ARG = 2;
const PLANES = 3;
const PER_ITEM = 4;
const IN_H = 5;
const IN_W = 6;
const OUT_H = 7;
const OUT_W = 8;
const KH = 9;
const KW = 10;
const SH = 11;
const SW = 12;
const PT = 13;
const PL = 14;
const ARGS = new Float64Array(15);

const planeRange = (args: Float64Array, item: number): number => Math.min(args[PER_ITEM], args[PLANES] - item * args[PER_ITEM]);

const forwardPlanes = defineJob('maxpool.forward', (args, item) => {
  const first = item * args[PER_ITEM];
  const inPlane = args[IN_H] * args[IN_W];
  const outPlane = args[OUT_H] * args[OUT_W];
  // prettier-ignore
  heap()!.kernels.maxpool(args[X] + 4 * first * inPlane, args[Y] + 4 * first * outPlane, args[ARG] + 4 * first * outPlane,
    planeRange(args, item), args[IN_H], args[IN_W], args[OUT_H], args[OUT_W], args[KH], args[KW], args[SH], args[SW], args[PT], args[PL]);
});

const backwardPlanes = defineJob('maxpool.backward', (args, item) => {
  const first = item * args[PER_ITEM];
  const inPlane = args[IN_H] * args[IN_W];
  const outPlane = args[OUT_H] * args[OUT_W];
  // prettier-ignore
  heap()!.kernels.maxpool_grad(args[Y] + 4 * first * outPlane, args[X] + 4 * first * inPlane, args[ARG] + 4 * first * outPlane,
    planeRange(args, item), inPlane, outPlane);
});

/** Sets the arguments for batch × channels planes; the number of work items. */
const setUp = (g: Window2D, batch: number, x: number, y: number, arg: number): number => {
  const planes = batch * g.channels;
  const perItem = Math.max(1, Math.floor(RANGE / (g.inH * g.inW)));
  ARGS[X] = x;
  ARGS[Y] = y;
  ARGS[ARG] = arg;
  ARGS[PLANES] = planes;
  ARGS[PER_ITEM] = perItem;
  ARGS[IN_H] = g.inH;
  ARGS[IN_W] = g.inW;
  ARGS[OUT_H] = g.outH;
  ARGS[OUT_W] = g.outW;
  ARGS[KH] = g.kernelH;
  ARGS[KW] = g.kernelW;
  ARGS[SH] = g.strideH;
  ARGS[SW] = g.strideW;
  ARGS[PT] = g.padTop;
  ARGS[PL] = g.padLeft;
  return Math.ceil(planes / perItem);
};

/** Max pooling with argmax (as maxPoolForward); false where a buffer is not in the heap. */
export const maxPoolForwardHeap = (input: Floats, output: Floats, argmax: Int32Array, batch: number, g: Window2D): boolean => {
  const x = heapAddress(input);
  const y = heapAddress(output);
  const arg = heapAddress(argmax);
  if (x < 0 || y < 0 || arg < 0) return false;
  parallelFor(forwardPlanes, setUp(g, batch, x, y, arg), ARGS);
  return true;
};

/** Routes each output gradient to its window's winner (as maxPoolBackward); false where a buffer is not in the heap. */
export const maxPoolBackwardHeap = (gradOutput: Floats, gradInput: Floats, argmax: Int32Array, batch: number, g: Window2D): boolean => {
  const gy = heapAddress(gradOutput);
  const gx = heapAddress(gradInput);
  const arg = heapAddress(argmax);
  if (gy < 0 || gx < 0 || arg < 0) return false;
  parallelFor(backwardPlanes, setUp(g, batch, gx, gy, arg), ARGS);
  return true;
};

/** output[p] = the mean of plane p of input ([planes, size]); false where a buffer is not in the heap. */
export const globalAvgPoolForwardHeap = (input: Floats, output: Floats, planes: number, size: number): boolean => {
  const x = heapAddress(input);
  const y = heapAddress(output);
  if (x < 0 || y < 0 || planes <= 0 || size <= 0) return false;
  const wasm = heap()!.kernels;
  wasm.row_sums(x, size, planes, size, y);
  wasm.scale(y, planes, 1, planes, 1 / size);
  return true;
};

const shares = new Region();

/** gradInput[p, :] += gradOutput[p] / size; false where gradInput is not in the heap. */
export const globalAvgPoolBackwardHeap = (gradOutput: Floats, gradInput: Floats, planes: number, size: number): boolean => {
  const gi = heapAddress(gradInput);
  if (gi < 0 || planes <= 0 || size <= 0) return false;
  const at = shares.reserve(4 * planes);
  if (at < 0) throw new Error('the WebAssembly heap cannot grow any further');
  const view = heapF32();
  const base = at >> 2;
  for (let p = 0; p < planes; p++) view[base + p] = gradOutput[p] / size;
  // copy2d adds its bias row by row: in place, that is the += above.
  heap()!.kernels.copy2d(gi, size, gi, size, planes, size, at);
  return true;
};
