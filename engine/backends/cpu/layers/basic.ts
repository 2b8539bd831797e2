/**
 * CPU layers for everything but the convolution family and Dense: Input, pooling, batch norm,
 * dropout, Flatten, Add, Concat, Upsample, the activations, softmax and the four heads.
 * Pooling lives in basic-pooling.ts and normalisation in basic-normalisation.ts; all are
 * re-exported here, and gathered in `BASIC_CPU_LAYERS`.
 */
import type { LeakyReLUParams } from '../../../graph/layers/activations';
import type { UpsampleParams } from '../../../graph/layers/structure';
import type { LayerType } from '../../../graph/layer-types';
import { elementCount } from '../../../graph/shape';
import {
  accumulate,
  addForward,
  bilinearTable,
  concatBackward,
  concatForward,
  copyForward,
  geluBackward,
  geluForward,
  leakyReluBackward,
  leakyReluForward,
  nearestTable,
  reluBackward,
  reluForward,
  sigmoidBackward,
  sigmoidForward,
  softmaxBackward,
  softmaxForward,
  tanhBackward,
  tanhForward,
  upsampleBilinearBackward,
  upsampleBilinearForward,
  upsampleNearestBackward,
  upsampleNearestForward,
  type BilinearTables,
  type NearestTables,
  type UpsampleGeometry,
} from '../kernels/elementwise';
import { reluBackwardHeap, reluForwardHeap } from '../kernels/elementwise-heap';
import type { AnyCpuLayer, BackwardContext, CpuLayer, Floats, ForwardContext } from '../types';
import { cpuLayer, noWeights, outputCount } from './basic-common';
import { batchNorm2dLayer, dropoutLayer } from './basic-normalisation';
import { avgPool2dLayer, globalAvgPoolLayer, globalMaxPoolLayer, maxPool2dLayer } from './basic-pooling';

export { avgPool2dLayer, batchNorm2dLayer, dropoutLayer, globalAvgPoolLayer, globalMaxPoolLayer, maxPool2dLayer };

type NoParams = Record<string, never>;

/** The graph's input: the plan fills its output buffer, and nothing flows back past it. */
export const inputLayer = cpuLayer<NoParams>({
  weights: noWeights,
  forward: () => {},
  backward: () => {},
});

/** A layer whose output is its input, element for element (Flatten, the heads). */
const identity = (): CpuLayer =>
  cpuLayer<unknown>({
    weights: noWeights,
    forward: (ctx) => copyForward(ctx.inputs[0], ctx.output, outputCount(ctx)),
    backward: (ctx) => {
      const gradInput = ctx.gradInputs[0];
      if (gradInput) accumulate(ctx.gradOutput, gradInput, outputCount(ctx));
    },
  });

/** NCHW is already laid out channel by channel, row by row: flattening is a copy. */
export const flattenLayer = identity();

export const addLayer = cpuLayer<NoParams>({
  weights: noWeights,
  forward: (ctx) => addForward(ctx.inputs, ctx.output, outputCount(ctx)),
  backward: (ctx) => {
    const count = outputCount(ctx);
    for (const gradInput of ctx.gradInputs) if (gradInput) accumulate(ctx.gradOutput, gradInput, count);
  },
});

/** One sample's elements per port; concatenating along the first axis is concatenating these blocks. */
const portSizes = (ctx: ForwardContext<unknown>): number[] => ctx.inputShapes.map((shape) => elementCount(shape));

export const concatLayer = cpuLayer<NoParams>({
  weights: noWeights,
  forward: (ctx) => concatForward(ctx.inputs, ctx.output, ctx.batch, portSizes(ctx)),
  backward: (ctx) => concatBackward(ctx.gradOutput, ctx.gradInputs, ctx.batch, portSizes(ctx)),
});

const upsampleGeometry = (ctx: ForwardContext<UpsampleParams>): UpsampleGeometry => {
  const [channels, inH, inW] = ctx.inputShapes[0];
  return { planes: ctx.batch * channels, inH, inW, scaleH: ctx.params.scale[0], scaleW: ctx.params.scale[1] };
};

/** The bilinear tables live in scratch: filled by forward, read again by backward. */
const bilinearTables = (ctx: ForwardContext<UpsampleParams>): BilinearTables => {
  const [, outH, outW] = ctx.outputShape;
  return {
    rowLower: ctx.scratchInt('rowLower', outH),
    rowUpper: ctx.scratchInt('rowUpper', outH),
    rowWeight: ctx.scratch('rowWeight', outH),
    colLower: ctx.scratchInt('colLower', outW),
    colUpper: ctx.scratchInt('colUpper', outW),
    colWeight: ctx.scratch('colWeight', outW),
  };
};

/** Nearest tables, like the bilinear ones, are filled by forward and read again by backward. */
const nearestTables = (ctx: ForwardContext<UpsampleParams>): NearestTables => {
  const [, outH, outW] = ctx.outputShape;
  return { rows: ctx.scratchInt('rowSource', outH), cols: ctx.scratchInt('colSource', outW) };
};

/** Nearest or bilinear (align_corners=False) upsampling by whole factors, as torch.nn.Upsample. */
export const upsampleLayer = cpuLayer<UpsampleParams>({
  weights: noWeights,
  forward: (ctx) => {
    const geometry = upsampleGeometry(ctx);
    if (ctx.params.mode === 'nearest') {
      const tables = nearestTables(ctx);
      nearestTable(geometry.inH, geometry.scaleH, tables.rows);
      nearestTable(geometry.inW, geometry.scaleW, tables.cols);
      upsampleNearestForward(ctx.inputs[0], ctx.output, geometry, tables);
      return;
    }
    const tables = bilinearTables(ctx);
    bilinearTable(geometry.inH, geometry.scaleH, tables.rowLower, tables.rowUpper, tables.rowWeight);
    bilinearTable(geometry.inW, geometry.scaleW, tables.colLower, tables.colUpper, tables.colWeight);
    upsampleBilinearForward(ctx.inputs[0], ctx.output, geometry, tables);
  },
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (!gradInput) return;
    const geometry = upsampleGeometry(ctx);
    if (ctx.params.mode === 'nearest') upsampleNearestBackward(ctx.gradOutput, gradInput, geometry, nearestTables(ctx));
    else upsampleBilinearBackward(ctx.gradOutput, gradInput, geometry, bilinearTables(ctx));
  },
});

type Kernel = (from: Floats, to: Floats, count: number) => void;
type GradKernel = (saved: Floats, gradOutput: Floats, gradInput: Floats, count: number) => void;
/** A kernel's heap version (elementwise-heap.ts): false, having done nothing, where a buffer is not in the heap. */
type HeapKernel = (from: Floats, to: Floats, count: number) => boolean;
type HeapGradKernel = (saved: Floats, gradOutput: Floats, gradInput: Floats, count: number) => boolean;

const never = (): boolean => false;

/**
 * An element-wise activation. Its backward pass reads the forward input (`fromOutput` false) or
 * the forward output (`fromOutput` true: sigmoid and tanh, whose derivatives are simplest in y).
 * Heap versions of the kernels, where given, run first.
 */
const activation = (
  forward: Kernel,
  backward: GradKernel,
  fromOutput: boolean,
  heapForward: HeapKernel = never,
  heapBackward: HeapGradKernel = never,
): CpuLayer =>
  cpuLayer<unknown>({
    weights: noWeights,
    forward: (ctx) => {
      const count = outputCount(ctx);
      if (!heapForward(ctx.inputs[0], ctx.output, count)) forward(ctx.inputs[0], ctx.output, count);
    },
    backward: (ctx: BackwardContext<unknown>) => {
      const gradInput = ctx.gradInputs[0];
      if (!gradInput) return;
      const saved = fromOutput ? ctx.output : ctx.inputs[0];
      const count = outputCount(ctx);
      if (!heapBackward(saved, ctx.gradOutput, gradInput, count)) backward(saved, ctx.gradOutput, gradInput, count);
    },
  });

export const reluLayer = activation(reluForward, reluBackward, false, reluForwardHeap, reluBackwardHeap);
export const sigmoidLayer = activation(sigmoidForward, sigmoidBackward, true);
export const tanhLayer = activation(tanhForward, tanhBackward, true);
export const geluLayer = activation(geluForward, geluBackward, false);

export const leakyReluLayer = cpuLayer<LeakyReLUParams>({
  weights: noWeights,
  forward: (ctx) => leakyReluForward(ctx.inputs[0], ctx.output, outputCount(ctx), ctx.params.negativeSlope),
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (gradInput) leakyReluBackward(ctx.inputs[0], ctx.gradOutput, gradInput, outputCount(ctx), ctx.params.negativeSlope);
  },
});

/** [channels, pixels per channel]: softmax runs over channels, per pixel of an image or once for a vector. */
const softmaxAxes = (ctx: ForwardContext<unknown>): [number, number] => {
  const shape = ctx.inputShapes[0];
  return [shape[0], elementCount(shape) / shape[0]];
};

export const softmaxLayer = cpuLayer<NoParams>({
  weights: noWeights,
  forward: (ctx) => softmaxForward(ctx.inputs[0], ctx.output, ctx.batch, ...softmaxAxes(ctx)),
  backward: (ctx) => {
    const gradInput = ctx.gradInputs[0];
    if (gradInput) softmaxBackward(ctx.output, ctx.gradOutput, gradInput, ctx.batch, ...softmaxAxes(ctx));
  },
});

/** The heads pass their input through as the prediction; the loss (engine/train/losses.ts) is separate. */
export const classificationHeadLayer = identity();
export const regressionHeadLayer = identity();
export const binaryHeadLayer = identity();
export const imageHeadLayer = identity();

/** Every layer in this file, by type, for the backend's `Record<LayerType, CpuLayer>`. */
export const BASIC_CPU_LAYERS = {
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
  ClassificationHead: classificationHeadLayer,
  RegressionHead: regressionHeadLayer,
  BinaryHead: binaryHeadLayer,
  ImageHead: imageHeadLayer,
} as const satisfies Partial<Record<LayerType, AnyCpuLayer>>;
