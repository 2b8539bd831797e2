/**
 * GPU layers for everything but the convolution family and Dense: Input, pooling, global
 * pooling, batch norm, dropout, Flatten, Add, Concat, Upsample, the activations, softmax and
 * the four heads, each the GPU twin of its CPU layer (engine/backends/cpu/layers/basic*.ts).
 *
 * Flatten and the heads copy their input (NCHW is already flat, so flattening moves nothing):
 * a copy rather than an alias keeps every node's output and gradient its own buffer, as on the
 * CPU, at the cost of one small kernel each way.
 */
import type { LeakyReLUParams } from '../../../graph/layers/activations';
import type { BatchNorm2DParams, DropoutParams } from '../../../graph/layers/normalisation';
import type { AvgPoolParams, PoolParams } from '../../../graph/layers/pooling';
import type { UpsampleParams } from '../../../graph/layers/structure';
import type { LayerType } from '../../../graph/layer-types';
import { elementCount } from '../../../graph/shape';
import { poolWindowOf } from '../../cpu/kernels/pooling';
import * as elementwise from '../kernels/elementwise';
import * as globalPooling from '../kernels/global-pooling';
import { batchNormBackward, batchNormForward, dropoutBackward, dropoutForward, type BatchNormShape } from '../kernels/normalisation';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from '../kernels/pooling';
import * as structure from '../kernels/structure';
import type { GpuRunner } from '../run';
import { gpuLayer, type AnyGpuLayer, type GpuForwardContext, type GpuLayer } from './types';

type NoParams = Record<string, never>;

/** Elements in the whole batch of the layer's output. */
export const outputCount = (ctx: GpuForwardContext<unknown>): number => ctx.batch * elementCount(ctx.outputShape);

/** The graph's input: the trainer uploads its output buffer, and nothing flows back past it. */
export const inputLayer = gpuLayer<NoParams>({ forward: () => {}, backward: () => {} });

/** A layer whose output is its input, element for element (Flatten, the heads). */
const identity = (): GpuLayer =>
  gpuLayer<unknown>({
    forward: (ctx) => structure.copyForward(ctx.runner, ctx.inputs[0], ctx.output, outputCount(ctx)),
    backward: (ctx) => {
      const gradInput = ctx.gradInputs[0];
      if (gradInput) structure.accumulate(ctx.runner, ctx.gradOutput, gradInput, outputCount(ctx));
    },
  });

export const flattenLayer = identity();

export const addLayer = gpuLayer<NoParams>({
  forward: (ctx) => structure.addForward(ctx.runner, ctx.inputs, ctx.output, outputCount(ctx)),
  backward: (ctx) => {
    for (const gradInput of ctx.gradInputs) if (gradInput) structure.accumulate(ctx.runner, ctx.gradOutput, gradInput, outputCount(ctx));
  },
});

const portSizes = (ctx: GpuForwardContext<unknown>): number[] => ctx.inputShapes.map((shape) => elementCount(shape));

export const concatLayer = gpuLayer<NoParams>({
  forward: (ctx) => structure.concatForward(ctx.runner, ctx.inputs, ctx.output, ctx.batch, portSizes(ctx)),
  backward: (ctx) => structure.concatBackward(ctx.runner, ctx.gradOutput, ctx.gradInputs, ctx.batch, portSizes(ctx)),
});

const upsampleShape = (ctx: GpuForwardContext<UpsampleParams>): structure.UpsampleShape => {
  const [channels, inH, inW] = ctx.inputShapes[0];
  return { planes: ctx.batch * channels, inH, inW, scaleH: ctx.params.scale[0], scaleW: ctx.params.scale[1], mode: ctx.params.mode };
};

const upsampleTables = (ctx: GpuForwardContext<UpsampleParams>, shape: structure.UpsampleShape) => {
  let tables: ReturnType<typeof structure.upsampleTables> | null = null;
  const make = () => (tables ??= structure.upsampleTables(shape));
  return { indices: ctx.constant('indices', () => make().indices), weights: ctx.constant('weights', () => make().weights) };
};

/** Nearest or bilinear (align_corners=False) upsampling by whole factors, from the CPU's own tables. */
export const upsampleLayer = gpuLayer<UpsampleParams>({
  forward: (ctx) => {
    const shape = upsampleShape(ctx);
    const { indices, weights } = upsampleTables(ctx, shape);
    structure.upsampleForward(ctx.runner, ctx.inputs[0], ctx.output, shape, indices, weights);
  },
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (!gradInput) return;
    const shape = upsampleShape(ctx);
    const { indices, weights } = upsampleTables(ctx, shape);
    structure.upsampleBackward(ctx.runner, ctx.gradOutput, gradInput, shape, indices, weights);
  },
});

type Forward = (runner: GpuRunner, input: GPUBuffer, output: GPUBuffer, count: number) => void;
type Backward = (runner: GpuRunner, saved: GPUBuffer, gradOutput: GPUBuffer, gradInput: GPUBuffer, count: number) => void;

/** An element-wise activation; backward reads the forward input, or the output when `fromOutput`. */
const activation = (forward: Forward, backward: Backward, fromOutput: boolean): GpuLayer =>
  gpuLayer<unknown>({
    forward: (ctx) => forward(ctx.runner, ctx.inputs[0], ctx.output, outputCount(ctx)),
    backward: (ctx) => {
      const gradInput = ctx.gradInputs[0];
      if (gradInput) backward(ctx.runner, fromOutput ? ctx.output : ctx.inputs[0], ctx.gradOutput, gradInput, outputCount(ctx));
    },
  });

export const reluLayer = activation(elementwise.reluForward, elementwise.reluBackward, false);
export const sigmoidLayer = activation(elementwise.sigmoidForward, elementwise.sigmoidBackward, true);
export const tanhLayer = activation(elementwise.tanhForward, elementwise.tanhBackward, true);
export const geluLayer = activation(elementwise.geluForward, elementwise.geluBackward, false);

export const leakyReluLayer = gpuLayer<LeakyReLUParams>({
  forward: (ctx) => elementwise.leakyReluForward(ctx.runner, ctx.inputs[0], ctx.output, outputCount(ctx), ctx.params.negativeSlope),
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (gradInput) {
      elementwise.leakyReluBackward(ctx.runner, ctx.inputs[0], ctx.gradOutput, gradInput, outputCount(ctx), ctx.params.negativeSlope);
    }
  },
});

/** [channels, pixels per channel]: softmax runs over channels, per pixel of an image or once for a vector. */
const softmaxAxes = (ctx: GpuForwardContext<unknown>): [number, number] => {
  const shape = ctx.inputShapes[0];
  return [shape[0], elementCount(shape) / shape[0]];
};

export const softmaxLayer = gpuLayer<NoParams>({
  forward: (ctx) => structure.softmaxForward(ctx.runner, ctx.inputs[0], ctx.output, ctx.batch, ...softmaxAxes(ctx)),
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (gradInput) structure.softmaxBackward(ctx.runner, ctx.output, ctx.gradOutput, gradInput, ctx.batch, ...softmaxAxes(ctx));
  },
});

// ---------------------------------------------------------------- pooling

const windowFor = (ctx: GpuForwardContext<PoolParams>) => poolWindowOf(ctx.params, ctx.inputShapes[0], ctx.outputShape);

export const maxPool2dLayer = gpuLayer<PoolParams>({
  forward: (ctx) =>
    maxPoolForward(ctx.runner, ctx.inputs[0], ctx.output, ctx.scratch('argmax', outputCount(ctx)), ctx.batch, windowFor(ctx)),
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (gradInput) {
      maxPoolBackward(ctx.runner, ctx.gradOutput, gradInput, ctx.scratch('argmax', outputCount(ctx)), ctx.batch, windowFor(ctx));
    }
  },
});

export const avgPool2dLayer = gpuLayer<AvgPoolParams>({
  forward: (ctx) => avgPoolForward(ctx.runner, ctx.inputs[0], ctx.output, ctx.batch, windowFor(ctx), ctx.params.countIncludePad),
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (gradInput) avgPoolBackward(ctx.runner, ctx.gradOutput, gradInput, ctx.batch, windowFor(ctx), ctx.params.countIncludePad);
  },
});

/** batch × C planes of H·W pixels. */
const planesOf = (ctx: GpuForwardContext<unknown>): [number, number] => {
  const [channels, height, width] = ctx.inputShapes[0];
  return [ctx.batch * channels, height * width];
};

export const globalAvgPoolLayer = gpuLayer<NoParams>({
  forward: (ctx) => globalPooling.globalAvgPoolForward(ctx.runner, ctx.inputs[0], ctx.output, ...planesOf(ctx)),
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (gradInput) globalPooling.globalAvgPoolBackward(ctx.runner, ctx.gradOutput, gradInput, ...planesOf(ctx));
  },
});

export const globalMaxPoolLayer = gpuLayer<NoParams>({
  forward: (ctx) => {
    const [planes, size] = planesOf(ctx);
    globalPooling.globalMaxPoolForward(ctx.runner, ctx.inputs[0], ctx.output, ctx.scratch('argmax', planes), planes, size);
  },
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    const [planes, size] = planesOf(ctx);
    if (gradInput) globalPooling.globalMaxPoolBackward(ctx.runner, ctx.gradOutput, gradInput, ctx.scratch('argmax', planes), planes, size);
  },
});

// ---------------------------------------------------------------- batch norm and dropout

const bnShape = (ctx: GpuForwardContext<unknown>): BatchNormShape => {
  const [channels, height, width] = ctx.inputShapes[0];
  return { batch: ctx.batch, channels, size: height * width };
};

/** BatchNorm2d: γ (`weight`) and β (`bias`) learned, the running statistics updated in place while training. */
export const batchNorm2dLayer = gpuLayer<BatchNorm2DParams>({
  forward: (ctx) => {
    const channels = ctx.inputShapes[0][0];
    const { weights } = ctx;
    batchNormForward(
      ctx.runner,
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
      ctx.runner,
      ctx.inputs[0],
      ctx.gradOutput,
      ctx.gradInputs[0],
      ctx.gradWeights.weight ?? null,
      ctx.gradWeights.bias ?? null,
      bnShape(ctx),
      { gamma: ctx.weights.weight, mean: ctx.scratch('mean', channels), invStd: ctx.scratch('invStd', channels) },
      ctx.temporary('batch norm sums', 2 * channels),
      ctx.training,
    );
  },
});

const dropping = (ctx: GpuForwardContext<DropoutParams>): boolean => ctx.training && ctx.params.rate > 0;

/** Inverted dropout while training, its mask hashed on the GPU from the step's key (see kernels/normalisation.ts). */
export const dropoutLayer = gpuLayer<DropoutParams>({
  forward: (ctx) => {
    const count = outputCount(ctx);
    if (dropping(ctx))
      dropoutForward(ctx.runner, ctx.inputs[0], ctx.output, ctx.scratch('mask', count), count, ctx.params.rate, ctx.randomKey);
    else structure.copyForward(ctx.runner, ctx.inputs[0], ctx.output, count);
  },
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (!gradInput) return;
    const count = outputCount(ctx);
    if (dropping(ctx)) dropoutBackward(ctx.runner, ctx.gradOutput, gradInput, ctx.scratch('mask', count), count);
    else structure.accumulate(ctx.runner, ctx.gradOutput, gradInput, count);
  },
});

/** Every layer in this file, by type, for the backend's `Record<LayerType, GpuLayer>`. */
export const BASIC_GPU_LAYERS = {
  Input: inputLayer,
  MaxPool2D: maxPool2dLayer,
  AvgPool2D: avgPool2dLayer,
  GlobalAvgPool: globalAvgPoolLayer,
  GlobalMaxPool: globalMaxPoolLayer,
  BatchNorm2D: batchNorm2dLayer,
  Dropout: dropoutLayer,
  Flatten: flattenLayer,
  Add: addLayer,
  Concat: concatLayer,
  Upsample: upsampleLayer,
  ReLU: reluLayer,
  LeakyReLU: leakyReluLayer,
  Sigmoid: sigmoidLayer,
  Tanh: tanhLayer,
  GELU: geluLayer,
  Softmax: softmaxLayer,
  ClassificationHead: identity(),
  RegressionHead: identity(),
  BinaryHead: identity(),
  ImageHead: identity(),
} as const satisfies Partial<Record<LayerType, AnyGpuLayer>>;
