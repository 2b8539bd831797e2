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
} from '../kernels/pooling';
import type { ForwardContext } from '../types';
import { cpuLayer, noWeights, outputCount } from './basic-common';

type NoParams = Record<string, never>;

const windowFor = (ctx: ForwardContext<PoolParams>) => poolWindowOf(ctx.params, ctx.inputShapes[0], ctx.outputShape);

export const maxPool2dLayer = cpuLayer<PoolParams>({
  weights: noWeights,
  forward: (ctx) => {
    maxPoolForward(ctx.inputs[0], ctx.output, ctx.scratchInt('argmax', outputCount(ctx)), ctx.batch, windowFor(ctx));
  },
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (gradInput) maxPoolBackward(ctx.gradOutput, gradInput, ctx.scratchInt('argmax', outputCount(ctx)), ctx.batch, windowFor(ctx));
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
  forward: (ctx) => globalAvgPoolForward(ctx.inputs[0], ctx.output, ...planesOf(ctx)),
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (gradInput) globalAvgPoolBackward(ctx.gradOutput, gradInput, ...planesOf(ctx));
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
