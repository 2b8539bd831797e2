/** CPU layers for max, average and global pooling. */
import type { AvgPoolParams, PoolParams } from '../../../graph/layers/pooling';
import {
  avgPoolBackward,
  avgPoolForward,
  globalAvgPoolBackward,
  globalAvgPoolForward,
  globalMaxPoolBackward,
  globalMaxPoolForward,
  maxPoolBackward,
  maxPoolForward,
  poolWindowOf,
  type PoolWindow,
} from '../kernels/pooling';
import { globalAvgPoolBackwardHeap, globalAvgPoolForwardHeap, maxPoolBackwardHeap, maxPoolForwardHeap } from '../kernels/pooling-heap';
import type { ForwardContext } from '../types';
import { cpuLayer, noWeights, outputCount } from './basic-common';

type NoParams = Record<string, never>;

/** Windows made once per plan node (its context object), not per call. */
const windows = new WeakMap<object, PoolWindow>();

const windowFor = (ctx: ForwardContext<PoolParams>): PoolWindow => {
  let window = windows.get(ctx);
  if (!window) {
    window = poolWindowOf(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    windows.set(ctx, window);
  }
  return window;
};

/** The heap's WebAssembly kernels (pooling-heap.ts) where the buffers live there, else pooling.ts's. */
export const maxPool2dLayer = cpuLayer<PoolParams>({
  weights: noWeights,
  forward: (ctx) => {
    const argmax = ctx.scratchInt('argmax', outputCount(ctx));
    const window = windowFor(ctx);
    if (!maxPoolForwardHeap(ctx.inputs[0], ctx.output, argmax, ctx.batch, window)) {
      maxPoolForward(ctx.inputs[0], ctx.output, argmax, ctx.batch, window);
    }
  },
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (!gradInput) return;
    const argmax = ctx.scratchInt('argmax', outputCount(ctx));
    const window = windowFor(ctx);
    if (!maxPoolBackwardHeap(ctx.gradOutput, gradInput, argmax, ctx.batch, window)) {
      maxPoolBackward(ctx.gradOutput, gradInput, argmax, ctx.batch, window);
    }
  },
});

const divisorLength = (ctx: ForwardContext<unknown>): number => ctx.outputShape[1] * ctx.outputShape[2];

export const avgPool2dLayer = cpuLayer<AvgPoolParams>({
  weights: noWeights,
  forward: (ctx) => {
    const divisor = ctx.scratch('divisor', divisorLength(ctx));
    avgPoolForward(ctx.inputs[0], ctx.output, divisor, ctx.batch, windowFor(ctx), ctx.params.countIncludePad);
  },
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (gradInput) avgPoolBackward(ctx.gradOutput, gradInput, ctx.scratch('divisor', divisorLength(ctx)), ctx.batch, windowFor(ctx));
  },
});

/** batch × C planes of H·W pixels. */
const planesOf = (ctx: ForwardContext<unknown>): [number, number] => {
  const [channels, height, width] = ctx.inputShapes[0];
  return [ctx.batch * channels, height * width];
};

export const globalAvgPoolLayer = cpuLayer<NoParams>({
  weights: noWeights,
  forward: (ctx) => {
    const [planes, size] = planesOf(ctx);
    if (!globalAvgPoolForwardHeap(ctx.inputs[0], ctx.output, planes, size)) globalAvgPoolForward(ctx.inputs[0], ctx.output, planes, size);
  },
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    const [planes, size] = planesOf(ctx);
    if (gradInput && !globalAvgPoolBackwardHeap(ctx.gradOutput, gradInput, planes, size)) {
      globalAvgPoolBackward(ctx.gradOutput, gradInput, planes, size);
    }
  },
});

export const globalMaxPoolLayer = cpuLayer<NoParams>({
  weights: noWeights,
  forward: (ctx) => {
    const [planes, size] = planesOf(ctx);
    globalMaxPoolForward(ctx.inputs[0], ctx.output, ctx.scratchInt('argmax', planes), planes, size);
  },
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    const [planes, size] = planesOf(ctx);
    if (gradInput) globalMaxPoolBackward(ctx.gradOutput, gradInput, ctx.scratchInt('argmax', planes), planes, size);
  },
});
