/** CPU layers for batch normalisation and dropout. */
import type { BatchNorm2DParams, DropoutParams } from '../../../graph/layers/normalisation';
import { batchNormBackward, batchNormForward, dropoutBackward, dropoutForward, type BatchNormShape } from '../kernels/normalisation';
import { accumulate, copyForward } from '../kernels/elementwise';
import type { ForwardContext, WeightSpec } from '../types';
import { cpuLayer, noWeights, outputCount } from './basic-common';

const bnShape = (ctx: ForwardContext<unknown>): BatchNormShape => {
  const [channels, height, width] = ctx.inputShapes[0];
  return { batch: ctx.batch, channels, size: height * width };
};

/**
 * BatchNorm2d: `weight` (γ, initialised to 1) and `bias` (β, 0) are learned; `running_mean` and
 * `running_var` are buffers, saved but never touched by the optimiser.
 */
export const batchNorm2dLayer = cpuLayer<BatchNorm2DParams>({
  weights: (_params, inputShapes): WeightSpec[] => {
    const shape = [inputShapes[0][0]];
    const spec = (name: string, role: WeightSpec['role'], trainable: boolean): WeightSpec => ({
      name,
      shape,
      role,
      trainable,
      fanIn: 1,
      fanOut: 1,
    });
    return [
      spec('weight', 'gamma', true),
      spec('bias', 'beta', true),
      spec('running_mean', 'running_mean', false),
      spec('running_var', 'running_var', false),
    ];
  },
  forward: (ctx) => {
    const channels = ctx.inputShapes[0][0];
    const { weights } = ctx;
    batchNormForward(
      ctx.inputs[0],
      ctx.output,
      bnShape(ctx),
      {
        gamma: weights.weight,
        beta: weights.bias,
        runningMean: weights.running_mean,
        runningVar: weights.running_var,
        mean: ctx.scratch('mean', channels),
        invStd: ctx.scratch('invStd', channels),
      },
      ctx.training,
      ctx.params.eps,
      ctx.params.momentum,
    );
  },
  backward: (ctx) => {
    const channels = ctx.inputShapes[0][0];
    batchNormBackward(
      ctx.inputs[0],
      ctx.gradOutput,
      ctx.gradInputs[0],
      ctx.gradWeights.weight ?? null,
      ctx.gradWeights.bias ?? null,
      bnShape(ctx),
      { gamma: ctx.weights.weight, mean: ctx.scratch('mean', channels), invStd: ctx.scratch('invStd', channels) },
      ctx.training,
    );
  },
});

const dropping = (ctx: ForwardContext<DropoutParams>): boolean => ctx.training && ctx.params.rate > 0;

/** Inverted dropout while training (a fresh mask each step from ctx.random()); the identity at inference. */
export const dropoutLayer = cpuLayer<DropoutParams>({
  weights: noWeights,
  forward: (ctx) => {
    const count = outputCount(ctx);
    if (dropping(ctx)) dropoutForward(ctx.inputs[0], ctx.output, ctx.scratch('mask', count), count, ctx.params.rate, ctx);
    else copyForward(ctx.inputs[0], ctx.output, count);
  },
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (!gradInput) return;
    const count = outputCount(ctx);
    if (dropping(ctx)) dropoutBackward(ctx.gradOutput, gradInput, ctx.scratch('mask', count), count);
    else accumulate(ctx.gradOutput, gradInput, count);
  },
});
