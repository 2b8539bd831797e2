/**
 * ReLU on activations that live in the heap (heap.ts): elementwise.ts's float32 path, in
 * WebAssembly SIMD, split between threads by ranges of elements. Same results as elementwise.ts
 * (NaN gives 0; the gradient passes where the input is positive); each function returns false,
 * having done nothing, where a buffer is not in the heap.
 */
import { heap, heapAddress } from '../heap';
import { defineJob, parallelFor } from '../parallel';
import type { Floats } from '../types';

/** Elements per work item (a multiple of 4). */
const RANGE = 1 << 15;

const X = 0;
const Y = 1;
const G = 2;
const COUNT = 3;
const ARGS = new Float64Array(4);

const span = (args: Float64Array, item: number): number => Math.min(RANGE, args[COUNT] - item * RANGE);

const forwardRange = defineJob('relu.forward', (args, item) => {
  const offset = 4 * item * RANGE;
  heap()!.kernels.relu(args[X] + offset, args[Y] + offset, span(args, item));
});

const backwardRange = defineJob('relu.backward', (args, item) => {
  const offset = 4 * item * RANGE;
  heap()!.kernels.relu_grad(args[X] + offset, args[G] + offset, args[Y] + offset, span(args, item));
});

/** output = max(input, 0) over count elements; false where either is not in the heap. */
export const reluForwardHeap = (input: Floats, output: Floats, count: number): boolean => {
  const x = heapAddress(input);
  const y = heapAddress(output);
  if (x < 0 || y < 0) return false;
  ARGS[X] = x;
  ARGS[Y] = y;
  ARGS[COUNT] = count;
  parallelFor(forwardRange, Math.ceil(count / RANGE), ARGS);
  return true;
};

/** gradInput += input > 0 ? gradOutput : 0; false where a buffer is not in the heap. */
export const reluBackwardHeap = (input: Floats, gradOutput: Floats, gradInput: Floats, count: number): boolean => {
  const x = heapAddress(input);
  const g = heapAddress(gradOutput);
  const gi = heapAddress(gradInput);
  if (x < 0 || g < 0 || gi < 0) return false;
  ARGS[X] = x;
  ARGS[G] = g;
  ARGS[Y] = gi;
  ARGS[COUNT] = count;
  parallelFor(backwardRange, Math.ceil(count / RANGE), ARGS);
  return true;
};
