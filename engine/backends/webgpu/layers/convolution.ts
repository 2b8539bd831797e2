/**
 * GPU layers of the convolution family and Dense, the twins of engine/backends/cpu/layers/
 * convolution.ts (same weight names and layouts, which the CPU layers define):
 *
 * - Conv2D, DepthwiseConv2D and ConvTranspose2D call their kernels; im2col columns are a
 *   temporary shared by all layers.
 * - SeparableConv2D composes depthwise K×K (no bias) and a pointwise 1×1 convolution (the
 *   convolution kernel's direct path, no columns); the depthwise output is kept in scratch
 *   `mid` for the backward pass.
 * - SpatiallySeparableConv2D composes a K×1 and a 1×K convolution through scratch `mid`.
 * - Dense is GEMM: y = x·wᵀ + b; dw += dyᵀ·x; dx += dy·w; db += Σ dy.
 */
import type { Conv2DParams, DepthwiseConv2DParams } from '../../../graph/layers/convolution';
import type { SeparableConv2DParams, SpatiallySeparableConv2DParams } from '../../../graph/layers/separable';
import type { DenseParams } from '../../../graph/layers/structure';
import type { ConvTranspose2DParams } from '../../../graph/layers/transposed';
import type { Shape } from '../../../graph/shape';
import { windowOf, type Window2D } from '../../cpu/geometry';
import { convBackward, convColumnLength, convForward, type ConvGeometry } from '../kernels/conv';
import { depthwiseBackward, depthwiseForward } from '../kernels/depthwise';
import { addBias, biasGradient } from '../kernels/elementwise';
import { gemm } from '../kernels/gemm';
import { transposedBackward, transposedColumnLength, transposedForward, type TransposedGeometry } from '../kernels/transposed';
import { gpuLayer, type GpuForwardContext } from './types';

const orNull = (buffer: GPUBuffer | undefined): GPUBuffer | null => buffer ?? null;

/** The shared column scratch, or null on a direct 1×1 path that needs none. */
const columns = (ctx: GpuForwardContext<unknown>, length: number): GPUBuffer | null =>
  length > 0 ? ctx.temporary('columns', length) : null;

// ---------------------------------------------------------------- Conv2D

const convGeometry = (params: Conv2DParams, input: Shape, output: Shape): ConvGeometry => ({
  window: windowOf(params, input, output),
  outChannels: params.filters,
  groups: params.groups,
});

export const conv2dLayer = gpuLayer<Conv2DParams>({
  forward: (ctx) => {
    const geometry = convGeometry(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    const col = columns(ctx, convColumnLength(geometry, ctx.batch));
    convForward(ctx.runner, geometry, ctx.batch, ctx.inputs[0], ctx.weights.weight, orNull(ctx.weights.bias), ctx.output, col);
  },
  backward: (ctx) => {
    const geometry = convGeometry(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    const col = columns(ctx, convColumnLength(geometry, ctx.batch));
    const { gradWeights } = ctx;
    const bias = ctx.params.bias ? orNull(gradWeights.bias) : null;
    convBackward(
      ctx.runner,
      geometry,
      ctx.batch,
      ctx.inputs[0],
      ctx.weights.weight,
      ctx.gradOutput,
      ctx.gradInputs[0],
      orNull(gradWeights.weight),
      bias,
      col,
    );
  },
});

// ---------------------------------------------------------------- DepthwiseConv2D

export const depthwiseConv2dLayer = gpuLayer<DepthwiseConv2DParams>({
  forward: (ctx) => {
    const window = windowOf(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    const { depthMultiplier } = ctx.params;
    depthwiseForward(
      ctx.runner,
      window,
      depthMultiplier,
      ctx.batch,
      ctx.inputs[0],
      ctx.weights.weight,
      orNull(ctx.weights.bias),
      ctx.output,
    );
  },
  backward: (ctx) => {
    const window = windowOf(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    const { gradWeights } = ctx;
    const bias = ctx.params.bias ? orNull(gradWeights.bias) : null;
    depthwiseBackward(
      ctx.runner,
      window,
      ctx.params.depthMultiplier,
      ctx.batch,
      ctx.inputs[0],
      ctx.weights.weight,
      ctx.gradOutput,
      ctx.gradInputs[0],
      orNull(gradWeights.weight),
      bias,
    );
  },
});

// ---------------------------------------------------------------- SeparableConv2D

/** The pointwise stage: a 1×1 convolution over the depthwise output [C·m, outH, outW]. */
const pointwiseGeometry = (channels: number, output: Shape): ConvGeometry => {
  const [filters, outH, outW] = output;
  const window: Window2D = {
    ...{ channels, inH: outH, inW: outW, outH, outW, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1 },
    ...{ dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0 },
  };
  return { window, outChannels: filters, groups: 1 };
};

const separableStages = (ctx: GpuForwardContext<SeparableConv2DParams>) => {
  const window = windowOf(ctx.params, ctx.inputShapes[0], ctx.outputShape);
  const pointwise = pointwiseGeometry(window.channels * ctx.params.depthMultiplier, ctx.outputShape);
  const midLength = ctx.batch * pointwise.window.channels * ctx.outputShape[1] * ctx.outputShape[2];
  return { window, pointwise, midLength, mid: ctx.scratch('mid', midLength) };
};

export const separableConv2dLayer = gpuLayer<SeparableConv2DParams>({
  forward: (ctx) => {
    const { window, pointwise, mid } = separableStages(ctx);
    const { runner, batch, weights } = ctx;
    depthwiseForward(runner, window, ctx.params.depthMultiplier, batch, ctx.inputs[0], weights['depthwise.weight'], null, mid);
    convForward(runner, pointwise, batch, mid, weights['pointwise.weight'], orNull(weights['pointwise.bias']), ctx.output, null);
  },
  backward: (ctx) => {
    const { window, pointwise, mid, midLength } = separableStages(ctx);
    const { runner, batch, weights, gradWeights } = ctx;
    const gradMid = ctx.temporary('gradient of mid', midLength);
    runner.clear(gradMid, 0, midLength);
    const bias = ctx.params.bias ? orNull(gradWeights['pointwise.bias']) : null;
    convBackward(
      runner,
      pointwise,
      batch,
      mid,
      weights['pointwise.weight'],
      ctx.gradOutput,
      gradMid,
      orNull(gradWeights['pointwise.weight']),
      bias,
      null,
    );
    const gradDepthwise = orNull(gradWeights['depthwise.weight']);
    depthwiseBackward(
      runner,
      window,
      ctx.params.depthMultiplier,
      batch,
      ctx.inputs[0],
      weights['depthwise.weight'],
      gradMid,
      ctx.gradInputs[0],
      gradDepthwise,
      null,
    );
  },
});

// ---------------------------------------------------------------- SpatiallySeparableConv2D

/** The K×1 column stage then the 1×K row stage, as the CPU layer splits them. */
const spatialStages = (params: SpatiallySeparableConv2DParams, input: Shape, output: Shape): [ConvGeometry, ConvGeometry] => {
  const { filters, kernel } = params;
  const full = windowOf({ ...params, kernel: [kernel, kernel] }, input, output);
  const column: Window2D = { ...full, outW: full.inW, kernelW: 1, strideW: 1, dilationW: 1, padLeft: 0 };
  const row: Window2D = { ...full, channels: filters, inH: full.outH, kernelH: 1, strideH: 1, dilationH: 1, padTop: 0 };
  return [
    { window: column, outChannels: filters, groups: 1 },
    { window: row, outChannels: filters, groups: 1 },
  ];
};

const spatialBuffers = (ctx: GpuForwardContext<SpatiallySeparableConv2DParams>) => {
  const stages = spatialStages(ctx.params, ctx.inputShapes[0], ctx.outputShape);
  const row = stages[1].window;
  const midLength = ctx.batch * row.channels * row.inH * row.inW;
  const columnLength = Math.max(convColumnLength(stages[0], ctx.batch), convColumnLength(stages[1], ctx.batch));
  return { stages, midLength, mid: ctx.scratch('mid', midLength), col: columns(ctx, columnLength) };
};

export const spatiallySeparableConv2dLayer = gpuLayer<SpatiallySeparableConv2DParams>({
  forward: (ctx) => {
    const { stages, mid, col } = spatialBuffers(ctx);
    const { runner, batch, weights } = ctx;
    convForward(runner, stages[0], batch, ctx.inputs[0], weights['column.weight'], null, mid, col);
    convForward(runner, stages[1], batch, mid, weights['row.weight'], orNull(weights['row.bias']), ctx.output, col);
  },
  backward: (ctx) => {
    const { stages, mid, col, midLength } = spatialBuffers(ctx);
    const { runner, batch, weights, gradWeights } = ctx;
    const gradMid = ctx.temporary('gradient of mid', midLength);
    runner.clear(gradMid, 0, midLength);
    const bias = ctx.params.bias ? orNull(gradWeights['row.bias']) : null;
    convBackward(
      runner,
      stages[1],
      batch,
      mid,
      weights['row.weight'],
      ctx.gradOutput,
      gradMid,
      orNull(gradWeights['row.weight']),
      bias,
      col,
    );
    const gradColumn = orNull(gradWeights['column.weight']);
    convBackward(runner, stages[0], batch, ctx.inputs[0], weights['column.weight'], gradMid, ctx.gradInputs[0], gradColumn, null, col);
  },
});

// ---------------------------------------------------------------- ConvTranspose2D

/** The window of the convolution that this one transposes (see the CPU's transposed.ts). */
const transposedGeometry = (params: ConvTranspose2DParams, input: Shape, output: Shape): TransposedGeometry => {
  const [inChannels, inH, inW] = input;
  const [filters, outH, outW] = output;
  const window: Window2D = {
    ...{ channels: filters, inH: outH, inW: outW, outH: inH, outW: inW },
    ...{ kernelH: params.kernel[0], kernelW: params.kernel[1], strideH: params.stride[0], strideW: params.stride[1] },
    ...{ dilationH: params.dilation[0], dilationW: params.dilation[1], padTop: params.padding[0], padLeft: params.padding[1] },
  };
  return { window, inChannels, groups: params.groups };
};

export const convTranspose2dLayer = gpuLayer<ConvTranspose2DParams>({
  forward: (ctx) => {
    const geometry = transposedGeometry(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    const col = columns(ctx, transposedColumnLength(geometry, ctx.batch));
    transposedForward(ctx.runner, geometry, ctx.batch, ctx.inputs[0], ctx.weights.weight, orNull(ctx.weights.bias), ctx.output, col);
  },
  backward: (ctx) => {
    const geometry = transposedGeometry(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    const col = columns(ctx, transposedColumnLength(geometry, ctx.batch));
    const { gradWeights } = ctx;
    const bias = ctx.params.bias ? orNull(gradWeights.bias) : null;
    transposedBackward(
      ctx.runner,
      geometry,
      ctx.batch,
      ctx.inputs[0],
      ctx.weights.weight,
      ctx.gradOutput,
      ctx.gradInputs[0],
      orNull(gradWeights.weight),
      bias,
      col,
    );
  },
});

// ---------------------------------------------------------------- Dense

/** Linear: `weight` [out, in], `bias` [out]; x [N, in], y [N, out]. */
export const denseLayer = gpuLayer<DenseParams>({
  forward: ({ runner, batch, inputShapes, params, inputs, weights, output }) => {
    const inFeatures = inputShapes[0][0];
    // y [N, out] = x [N, in] · wᵀ [in, out] + b
    gemm(
      runner,
      false,
      true,
      batch,
      params.units,
      inFeatures,
      1,
      inputs[0],
      0,
      inFeatures,
      weights.weight,
      0,
      inFeatures,
      0,
      output,
      0,
      params.units,
    );
    if (params.bias) addBias(runner, output, weights.bias, batch, params.units, 1);
  },
  backward: ({ runner, batch, inputShapes, params, inputs, weights, gradOutput, gradInputs, gradWeights }) => {
    const inFeatures = inputShapes[0][0];
    const units = params.units;
    // dw [out, in] += dyᵀ [out, N] · x [N, in]
    const dw = orNull(gradWeights.weight);
    if (dw) gemm(runner, true, false, units, inFeatures, batch, 1, gradOutput, 0, units, inputs[0], 0, inFeatures, 1, dw, 0, inFeatures);
    // dx [N, in] += dy [N, out] · w [out, in]
    const dx = gradInputs[0];
    if (dx)
      gemm(runner, false, false, batch, inFeatures, units, 1, gradOutput, 0, units, weights.weight, 0, inFeatures, 1, dx, 0, inFeatures);
    const db = params.bias ? orNull(gradWeights.bias) : null;
    if (db) biasGradient(runner, gradOutput, db, batch, units, 1);
  },
});
