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
import { convBackwardHeap, convForwardHeap } from '../kernels/conv-heap';
import { depthwiseBackward, depthwiseForward } from '../kernels/depthwise';
import { depthwiseBackwardHeap, depthwiseForwardHeap } from '../kernels/depthwise-heap';
import { gemm } from '../kernels/gemm';
import { transposedBackward, transposedColumnLength, transposedForward, type TransposedGeometry } from '../kernels/transposed';
import type { CpuLayer, Floats, ForwardContext, WeightSpec } from '../types';

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

/** The direct 1×1 paths, and the heap's kernels, need no column scratch. */
const NO_COLUMNS = new Float32Array(0);

// ---------------------------------------------------------------- Conv2D

/**
 * A convolution on the plan's buffers: in the heap's WebAssembly kernels where they live there
 * (conv-heap.ts), else in conv.ts's JavaScript, with a column scratch of `columns` floats.
 */
// prettier-ignore
const runConvForward = (geometry: ConvGeometry, ctx: ScratchSource, x: Floats, w: Floats, bias: Floats | null, y: Floats,
  columns = convColumnLength(geometry)): void => {
  if (!convForwardHeap(geometry, ctx.batch, x, w, bias, y)) convForward(geometry, ctx.batch, x, w, bias, y, columnScratch(ctx, columns));
};

// prettier-ignore
const runConvBackward = (geometry: ConvGeometry, ctx: ScratchSource, x: Floats, w: Floats, dy: Floats, dx: Floats | null,
  dw: Floats | null, db: Floats | null, columns = convColumnLength(geometry)): void => {
  if (!convBackwardHeap(geometry, ctx.batch, x, w, dy, dx, dw, db)) {
    convBackward(geometry, ctx.batch, x, w, dy, dx, dw, db, columnScratch(ctx, columns));
  }
};

type ScratchSource = { readonly batch: number; scratch(name: string, length: number): Floats };

const columnScratch = (ctx: ScratchSource, length: number): Floats => (length ? ctx.scratch('col', length) : NO_COLUMNS);

/** Geometry made once per plan node (its context object), not per call. */
const convGeometries = new WeakMap<object, ConvGeometry>();

const convGeometry = (ctx: ForwardContext<Conv2DParams>): ConvGeometry => {
  let geometry = convGeometries.get(ctx);
  if (!geometry) {
    geometry = {
      window: windowOf(ctx.params, ctx.inputShapes[0], ctx.outputShape),
      outChannels: ctx.params.filters,
      groups: ctx.params.groups,
    };
    convGeometries.set(ctx, geometry);
  }
  return geometry;
};

/** Conv2d: `weight` [F, C/groups, kh, kw], `bias` [F]. */
export const conv2dLayer: CpuLayer<Conv2DParams> = {
  weights: ({ filters, kernel: [kh, kw], groups, bias }, [input]) =>
    withBias('', [filters, input[0] / groups, kh, kw], (input[0] / groups) * kh * kw, (filters / groups) * kh * kw, bias),
  forward: (ctx) => runConvForward(convGeometry(ctx), ctx, ctx.inputs[0], ctx.weights.weight, orNull(ctx.weights.bias), ctx.output),
  backward: (ctx) => {
    const { gradWeights } = ctx;
    const bias = ctx.params.bias ? orNull(gradWeights.bias) : null;
    const dw = orNull(gradWeights.weight);
    runConvBackward(convGeometry(ctx), ctx, ctx.inputs[0], ctx.weights.weight, ctx.gradOutput, ctx.gradInputs[0], dw, bias);
  },
};

// ---------------------------------------------------------------- DepthwiseConv2D

/** Windows made once per plan node (its context object), not per call. */
const windows = new WeakMap<object, Window2D>();

const windowFor = (ctx: ForwardContext<DepthwiseConv2DParams | SeparableConv2DParams>): Window2D => {
  let window = windows.get(ctx);
  if (!window) {
    window = windowOf(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    windows.set(ctx, window);
  }
  return window;
};

// prettier-ignore
const runDepthwiseForward = (window: Window2D, multiplier: number, batch: number, x: Floats, w: Floats, bias: Floats | null,
  y: Floats): void => {
  if (!depthwiseForwardHeap(window, multiplier, batch, x, w, bias, y)) depthwiseForward(window, multiplier, batch, x, w, bias, y);
};

// prettier-ignore
const runDepthwiseBackward = (window: Window2D, multiplier: number, batch: number, x: Floats, w: Floats, dy: Floats,
  dx: Floats | null, dw: Floats | null, db: Floats | null): void => {
  if (!depthwiseBackwardHeap(window, multiplier, batch, x, w, dy, dx, dw, db)) depthwiseBackward(window, multiplier, batch, x, w, dy, dx, dw, db);
};

/** Conv2d(C, C·m, groups=C): `weight` [C·m, 1, kh, kw], `bias` [C·m]. */
export const depthwiseConv2dLayer: CpuLayer<DepthwiseConv2DParams> = {
  weights: ({ depthMultiplier, kernel: [kh, kw], bias }, [input]) =>
    withBias('', [input[0] * depthMultiplier, 1, kh, kw], kh * kw, depthMultiplier * kh * kw, bias),
  forward: (ctx) => {
    const { depthMultiplier } = ctx.params;
    runDepthwiseForward(
      windowFor(ctx),
      depthMultiplier,
      ctx.batch,
      ctx.inputs[0],
      ctx.weights.weight,
      orNull(ctx.weights.bias),
      ctx.output,
    );
  },
  backward: (ctx) => {
    const { gradWeights } = ctx;
    const bias = ctx.params.bias ? orNull(gradWeights.bias) : null;
    const dw = orNull(gradWeights.weight);
    const { depthMultiplier } = ctx.params;
    runDepthwiseBackward(
      windowFor(ctx),
      depthMultiplier,
      ctx.batch,
      ctx.inputs[0],
      ctx.weights.weight,
      ctx.gradOutput,
      ctx.gradInputs[0],
      dw,
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

const pointwiseGeometries = new WeakMap<object, ConvGeometry>();

const pointwiseFor = (ctx: ForwardContext<SeparableConv2DParams>): ConvGeometry => {
  let geometry = pointwiseGeometries.get(ctx);
  if (!geometry) {
    geometry = pointwiseGeometry(ctx.inputShapes[0][0] * ctx.params.depthMultiplier, ctx.outputShape);
    pointwiseGeometries.set(ctx, geometry);
  }
  return geometry;
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
    const pointwise = pointwiseFor(ctx);
    const mid = ctx.scratch('mid', batch * pointwise.window.channels * outputShape[1] * outputShape[2]);
    runDepthwiseForward(windowFor(ctx), params.depthMultiplier, batch, ctx.inputs[0], ctx.weights['depthwise.weight'], null, mid);
    runConvForward(pointwise, ctx, mid, ctx.weights['pointwise.weight'], orNull(ctx.weights['pointwise.bias']), ctx.output);
  },
  backward: (ctx) => {
    const { params, batch, outputShape, gradWeights } = ctx;
    const pointwise = pointwiseFor(ctx);
    const length = batch * pointwise.window.channels * outputShape[1] * outputShape[2];
    const mid = ctx.scratch('mid', length);
    const gradMid = ctx.scratch('gradMid', length);
    gradMid.fill(0);
    const bias = params.bias ? orNull(gradWeights['pointwise.bias']) : null;
    const gradPointwise = orNull(gradWeights['pointwise.weight']);
    runConvBackward(pointwise, ctx, mid, ctx.weights['pointwise.weight'], ctx.gradOutput, gradMid, gradPointwise, bias);
    const gradDepthwise = orNull(gradWeights['depthwise.weight']);
    // prettier-ignore
    runDepthwiseBackward(windowFor(ctx), params.depthMultiplier, batch, ctx.inputs[0], ctx.weights['depthwise.weight'], gradMid,
      ctx.gradInputs[0], gradDepthwise, null);
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

const stageCache = new WeakMap<object, [ConvGeometry, ConvGeometry]>();

const stagesFor = (ctx: ForwardContext<SpatiallySeparableConv2DParams>): [ConvGeometry, ConvGeometry] => {
  let stages = stageCache.get(ctx);
  if (!stages) {
    stages = spatialStages(ctx.params, ctx.inputShapes[0], ctx.outputShape);
    stageCache.set(ctx, stages);
  }
  return stages;
};

/** Both stages share one column scratch, as long as the longer needs. */
const spatialColumns = (stages: [ConvGeometry, ConvGeometry]): number => Math.max(convColumnLength(stages[0]), convColumnLength(stages[1]));

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
    const stages = stagesFor(ctx);
    const [, row] = stages;
    const mid = ctx.scratch('mid', ctx.batch * row.window.channels * row.window.inH * row.window.inW);
    const columns = spatialColumns(stages);
    runConvForward(stages[0], ctx, ctx.inputs[0], ctx.weights['column.weight'], null, mid, columns);
    runConvForward(stages[1], ctx, mid, ctx.weights['row.weight'], orNull(ctx.weights['row.bias']), ctx.output, columns);
  },
  backward: (ctx) => {
    const { batch, gradWeights } = ctx;
    const stages = stagesFor(ctx);
    const [, row] = stages;
    const midLength = batch * row.window.channels * row.window.inH * row.window.inW;
    const mid = ctx.scratch('mid', midLength);
    const gradMid = ctx.scratch('gradMid', midLength);
    gradMid.fill(0);
    const columns = spatialColumns(stages);
    const bias = ctx.params.bias ? orNull(gradWeights['row.bias']) : null;
    runConvBackward(
      stages[1],
      ctx,
      mid,
      ctx.weights['row.weight'],
      ctx.gradOutput,
      gradMid,
      orNull(gradWeights['row.weight']),
      bias,
      columns,
    );
    const gradColumn = orNull(gradWeights['column.weight']);
    runConvBackward(stages[0], ctx, ctx.inputs[0], ctx.weights['column.weight'], gradMid, ctx.gradInputs[0], gradColumn, null, columns);
  },
};

// ---------------------------------------------------------------- ConvTranspose2D

/** The window of the convolution that this one transposes: from the output [F, outH, outW] to the input [Cin, H, W]. */
export const transposedGeometry = (params: ConvTranspose2DParams, input: Shape, output: Shape): TransposedGeometry => {
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
