/**
 * CPU layers of the convolution family and Dense. Weight names, layouts and fans are PyTorch's
 * (state_dict suffixes, `_calculate_fan_in_and_fan_out`); a bias takes its weight's fans, as
 * PyTorch's default bias initialisation does.
 */
import type { Conv2DParams, DepthwiseConv2DParams } from '../../../graph/layers/convolution';
import type { SeparableConv2DParams, SpatiallySeparableConv2DParams } from '../../../graph/layers/separable';
import type { DenseParams } from '../../../graph/layers/structure';
import type { ConvTranspose2DParams } from '../../../graph/layers/transposed';
import type { Shape } from '../../../graph/shape';
import { windowOf, type Window2D } from '../geometry';
import { addBias, convBackward, convColumnLength, convForward, type ConvGeometry } from '../kernels/conv';
import { depthwiseBackward, depthwiseForward } from '../kernels/depthwise';
import { gemm } from '../kernels/gemm';
import { transposedBackward, transposedColumnLength, transposedForward, type TransposedGeometry } from '../kernels/transposed';
import type { CpuLayer, Floats, WeightSpec } from '../types';

const trainable = (name: string, shape: number[], role: 'weight' | 'bias', fanIn: number, fanOut: number): WeightSpec => ({
  name,
  shape,
  role,
  trainable: true,
  fanIn,
  fanOut,
});

/** A weight and, when there is one, its bias [biasLength] with the same fans. */
const withBias = (prefix: string, shape: number[], fanIn: number, fanOut: number, bias: boolean, biasLength = shape[0]): WeightSpec[] => [
  trainable(`${prefix}weight`, shape, 'weight', fanIn, fanOut),
  ...(bias ? [trainable(`${prefix}bias`, [biasLength], 'bias', fanIn, fanOut)] : []),
];

const orNull = (value: Floats | undefined): Floats | null => value ?? null;

/** The direct 1×1 paths need no column scratch. */
const NO_COLUMNS = new Float32Array(0);

// ---------------------------------------------------------------- Conv2D

const convGeometry = (params: Conv2DParams, input: Shape, output: Shape): ConvGeometry => ({
  window: windowOf(params, input, output),
  outChannels: params.filters,
  groups: params.groups,
});

/** Conv2d: `weight` [F, C/groups, kh, kw], `bias` [F]. */
export const conv2dLayer: CpuLayer<Conv2DParams> = {
  weights: ({ filters, kernel: [kh, kw], groups, bias }, [input]) =>
    withBias('', [filters, input[0] / groups, kh, kw], (input[0] / groups) * kh * kw, (filters / groups) * kh * kw, bias),
  forward: (ctx) => {
    const geometry = convGeometry(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    const col = ctx.scratch('col', convColumnLength(geometry));
    convForward(geometry, ctx.batch, ctx.inputs[0], ctx.weights.weight, orNull(ctx.weights.bias), ctx.output, col);
  },
  backward: (ctx) => {
    const geometry = convGeometry(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    const col = ctx.scratch('col', convColumnLength(geometry));
    const { gradWeights } = ctx;
    const bias = ctx.params.bias ? orNull(gradWeights.bias) : null;
    convBackward(
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
};

// ---------------------------------------------------------------- DepthwiseConv2D

/** Conv2d(C, C·m, groups=C): `weight` [C·m, 1, kh, kw], `bias` [C·m]. */
export const depthwiseConv2dLayer: CpuLayer<DepthwiseConv2DParams> = {
  weights: ({ depthMultiplier, kernel: [kh, kw], bias }, [input]) =>
    withBias('', [input[0] * depthMultiplier, 1, kh, kw], kh * kw, depthMultiplier * kh * kw, bias),
  forward: (ctx) => {
    const window = windowOf(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    depthwiseForward(
      window,
      ctx.params.depthMultiplier,
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
    const { depthMultiplier } = ctx.params;
    depthwiseBackward(
      window,
      depthMultiplier,
      ctx.batch,
      ctx.inputs[0],
      ctx.weights.weight,
      ctx.gradOutput,
      ctx.gradInputs[0],
      orNull(gradWeights.weight),
      bias,
    );
  },
};

// ---------------------------------------------------------------- SeparableConv2D

/** The pointwise stage: a 1×1 convolution over the depthwise output [C·m, outH, outW]. */
const pointwiseGeometry = (channels: number, output: Shape): ConvGeometry => {
  const [filters, outH, outW] = output;
  const window: Window2D = {
    channels,
    inH: outH,
    inW: outW,
    outH,
    outW,
    kernelH: 1,
    kernelW: 1,
    strideH: 1,
    strideW: 1,
    dilationH: 1,
    dilationW: 1,
    padTop: 0,
    padLeft: 0,
  };
  return { window, outChannels: filters, groups: 1 };
};

/**
 * Depthwise K×K (no bias) then pointwise 1×1: `depthwise.weight` [C·m, 1, kh, kw],
 * `pointwise.weight` [F, C·m, 1, 1], `pointwise.bias` [F]. The depthwise output is kept in
 * scratch `mid` [N, C·m, outH, outW] for the backward pass.
 */
export const separableConv2dLayer: CpuLayer<SeparableConv2DParams> = {
  weights: ({ filters, kernel: [kh, kw], depthMultiplier, bias }, [input]) => {
    const middle = input[0] * depthMultiplier;
    return [
      trainable('depthwise.weight', [middle, 1, kh, kw], 'weight', kh * kw, depthMultiplier * kh * kw),
      ...withBias('pointwise.', [filters, middle, 1, 1], middle, filters, bias),
    ];
  },
  forward: (ctx) => {
    const { params, batch, outputShape } = ctx;
    const window = windowOf(params, ctx.inputShapes[0], outputShape);
    const pointwise = pointwiseGeometry(window.channels * params.depthMultiplier, outputShape);
    const mid = ctx.scratch('mid', batch * pointwise.window.channels * outputShape[1] * outputShape[2]);
    depthwiseForward(window, params.depthMultiplier, batch, ctx.inputs[0], ctx.weights['depthwise.weight'], null, mid);
    convForward(pointwise, batch, mid, ctx.weights['pointwise.weight'], orNull(ctx.weights['pointwise.bias']), ctx.output, NO_COLUMNS);
  },
  backward: (ctx) => {
    const { params, batch, outputShape, gradWeights } = ctx;
    const window = windowOf(params, ctx.inputShapes[0], outputShape);
    const pointwise = pointwiseGeometry(window.channels * params.depthMultiplier, outputShape);
    const length = batch * pointwise.window.channels * outputShape[1] * outputShape[2];
    const mid = ctx.scratch('mid', length);
    const gradMid = ctx.scratch('gradMid', length);
    gradMid.fill(0);
    const bias = params.bias ? orNull(gradWeights['pointwise.bias']) : null;
    convBackward(
      pointwise,
      batch,
      mid,
      ctx.weights['pointwise.weight'],
      ctx.gradOutput,
      gradMid,
      orNull(gradWeights['pointwise.weight']),
      bias,
      NO_COLUMNS,
    );
    const gradDepthwise = orNull(gradWeights['depthwise.weight']);
    depthwiseBackward(
      window,
      params.depthMultiplier,
      batch,
      ctx.inputs[0],
      ctx.weights['depthwise.weight'],
      gradMid,
      ctx.gradInputs[0],
      gradDepthwise,
      null,
    );
  },
};

// ---------------------------------------------------------------- SpatiallySeparableConv2D

/**
 * The two stages of a K×K window split into K×1 then 1×K: the column stage [C, inH, inW] →
 * [F, outH, inW] takes the height's stride, dilation and padding; the row stage [F, outH, inW]
 * → [F, outH, outW] the width's. `same` is resolved once on the full K×K window.
 */
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

const spatialScratch = (ctx: { batch: number; scratch(name: string, length: number): Floats }, stages: [ConvGeometry, ConvGeometry]) => {
  const [column, row] = stages;
  const midLength = ctx.batch * row.window.channels * row.window.inH * row.window.inW;
  return {
    midLength,
    mid: ctx.scratch('mid', midLength),
    col: ctx.scratch('col', Math.max(convColumnLength(column), convColumnLength(row))),
  };
};

/**
 * K×1 convolution (no bias) then 1×K: `column.weight` [F, C, K, 1], `row.weight` [F, F, 1, K],
 * `row.bias` [F]. The intermediate [N, F, outH, inW] is kept in scratch `mid`.
 */
export const spatiallySeparableConv2dLayer: CpuLayer<SpatiallySeparableConv2DParams> = {
  weights: ({ filters, kernel, bias }, [input]) => [
    trainable('column.weight', [filters, input[0], kernel, 1], 'weight', input[0] * kernel, filters * kernel),
    ...withBias('row.', [filters, filters, 1, kernel], filters * kernel, filters * kernel, bias),
  ],
  forward: (ctx) => {
    const stages = spatialStages(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    const { mid, col } = spatialScratch(ctx, stages);
    convForward(stages[0], ctx.batch, ctx.inputs[0], ctx.weights['column.weight'], null, mid, col);
    convForward(stages[1], ctx.batch, mid, ctx.weights['row.weight'], orNull(ctx.weights['row.bias']), ctx.output, col);
  },
  backward: (ctx) => {
    const { batch, gradWeights } = ctx;
    const stages = spatialStages(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    const { mid, col, midLength } = spatialScratch(ctx, stages);
    const gradMid = ctx.scratch('gradMid', midLength);
    gradMid.fill(0);
    const bias = ctx.params.bias ? orNull(gradWeights['row.bias']) : null;
    convBackward(stages[1], batch, mid, ctx.weights['row.weight'], ctx.gradOutput, gradMid, orNull(gradWeights['row.weight']), bias, col);
    const gradColumn = orNull(gradWeights['column.weight']);
    convBackward(stages[0], batch, ctx.inputs[0], ctx.weights['column.weight'], gradMid, ctx.gradInputs[0], gradColumn, null, col);
  },
};

// ---------------------------------------------------------------- ConvTranspose2D

/** The window of the convolution that this one transposes: from the output [F, outH, outW] to the input [Cin, H, W]. */
const transposedGeometry = (params: ConvTranspose2DParams, input: Shape, output: Shape): TransposedGeometry => {
  const [inChannels, inH, inW] = input;
  const [filters, outH, outW] = output;
  const window: Window2D = {
    channels: filters,
    inH: outH,
    inW: outW,
    outH: inH,
    outW: inW,
    kernelH: params.kernel[0],
    kernelW: params.kernel[1],
    strideH: params.stride[0],
    strideW: params.stride[1],
    dilationH: params.dilation[0],
    dilationW: params.dilation[1],
    padTop: params.padding[0],
    padLeft: params.padding[1],
  };
  return { window, inChannels, groups: params.groups };
};

/**
 * ConvTranspose2d: `weight` [Cin, F/groups, kh, kw], `bias` [F]. PyTorch's fans for that layout
 * are fanIn = (F/groups)·kh·kw and fanOut = Cin·kh·kw.
 */
export const convTranspose2dLayer: CpuLayer<ConvTranspose2DParams> = {
  weights: ({ filters, kernel: [kh, kw], groups, bias }, [input]) =>
    withBias('', [input[0], filters / groups, kh, kw], (filters / groups) * kh * kw, input[0] * kh * kw, bias, filters),
  forward: (ctx) => {
    const geometry = transposedGeometry(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    const col = ctx.scratch('col', transposedColumnLength(geometry));
    transposedForward(geometry, ctx.batch, ctx.inputs[0], ctx.weights.weight, orNull(ctx.weights.bias), ctx.output, col);
  },
  backward: (ctx) => {
    const geometry = transposedGeometry(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    const col = ctx.scratch('col', transposedColumnLength(geometry));
    const { gradWeights } = ctx;
    const bias = ctx.params.bias ? orNull(gradWeights.bias) : null;
    transposedBackward(
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
};

// ---------------------------------------------------------------- Dense

/** Linear: `weight` [out, in], `bias` [out]; x [N, in], y [N, out]. */
export const denseLayer: CpuLayer<DenseParams> = {
  weights: ({ units, bias }, [input]) => withBias('', [units, input[0]], input[0], units, bias),
  forward: ({ batch, inputShapes, params, inputs, weights, output }) => {
    const inFeatures = inputShapes[0][0];
    // y [N, out] = x [N, in] · wᵀ [in, out] + b
    gemm(
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
    if (params.bias) addBias(output, weights.bias, batch, params.units, 1);
  },
  backward: ({ batch, inputShapes, params, inputs, weights, gradOutput, gradInputs, gradWeights }) => {
    const inFeatures = inputShapes[0][0];
    const units = params.units;
    // dw [out, in] += dyᵀ [out, N] · x [N, in]
    const dw = orNull(gradWeights.weight);
    if (dw) gemm(true, false, units, inFeatures, batch, 1, gradOutput, 0, units, inputs[0], 0, inFeatures, 1, dw, 0, inFeatures);
    // dx [N, in] += dy [N, out] · w [out, in]
    const dx = gradInputs[0];
    if (dx) gemm(false, false, batch, inFeatures, units, 1, gradOutput, 0, units, weights.weight, 0, inFeatures, 1, dx, 0, inFeatures);
    const db = params.bias ? orNull(gradWeights.bias) : null;
    if (db) {
      for (let n = 0; n < batch; n++) for (let j = 0; j < units; j++) db[j] += gradOutput[n * units + j];
    }
  },
};
