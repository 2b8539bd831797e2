/**
 * The WebGPU backend's kernels, by name, and every WGSL program they dispatch.
 * (Separable and spatially separable convolutions and Dense have no kernels of their own: their
 * layers, layers/convolution.ts, compose depthwise, convolution and GEMM.)
 *
 * `webgpuKernels` must name every `WebGpuKernelName` (a missing one fails `tsc`), so the table
 * is the list of what the GPU engine can run. Each kernel takes the runner first and otherwise
 * mirrors the CPU kernel of the same name (engine/backends/cpu/kernels/), buffers in place of
 * typed arrays. The CPU backend has no such table yet; when it gets one, the two should share
 * one `KernelName` union.
 *
 * `webgpuPrograms` lists every program, so a test (or a plan, before its first step) can
 * compile them all up front.
 */
import type { WgslProgram } from '../compile';
import type { GpuRunner } from '../run';
import { convBackward, convForward } from './conv';
import {
  depthwiseBackward,
  depthwiseForward,
  depthwiseForwardProgram,
  depthwiseInputGradientProgram,
  depthwiseWeightGradientProgram,
} from './depthwise';
import * as elementwise from './elementwise';
import { gemm, gemmDirectProgram, gemmProgram } from './gemm';
import { col2im, col2imProgram, im2col, im2colProgram } from './im2col';
import * as globalPooling from './global-pooling';
import {
  accumulateEpoch,
  accumulateEpochProgram,
  elementLoss,
  elementLossProgram,
  meanProgram,
  softmaxCrossEntropy,
  softmaxCrossEntropyProgram,
} from './loss';
import * as normalisation from './normalisation';
import * as optimizers from './optimizers';
import * as pooling from './pooling';
import * as structure from './structure';
import { transposedBackward, transposedForward } from './transposed';

export type WebGpuKernelName =
  | 'gemm'
  | 'im2col'
  | 'col2im'
  | 'convForward'
  | 'convBackward'
  | 'depthwiseForward'
  | 'depthwiseBackward'
  | 'transposedForward'
  | 'transposedBackward'
  | 'maxPoolForward'
  | 'maxPoolBackward'
  | 'avgPoolForward'
  | 'avgPoolBackward'
  | 'globalAvgPoolForward'
  | 'globalAvgPoolBackward'
  | 'globalMaxPoolForward'
  | 'globalMaxPoolBackward'
  | 'batchNormForward'
  | 'batchNormBackward'
  | 'dropoutForward'
  | 'dropoutBackward'
  | 'copyForward'
  | 'accumulate'
  | 'addForward'
  | 'concatForward'
  | 'concatBackward'
  | 'softmaxForward'
  | 'softmaxBackward'
  | 'upsampleForward'
  | 'upsampleBackward'
  | 'reluForward'
  | 'reluBackward'
  | 'leakyReluForward'
  | 'leakyReluBackward'
  | 'sigmoidForward'
  | 'sigmoidBackward'
  | 'tanhForward'
  | 'tanhBackward'
  | 'geluForward'
  | 'geluBackward'
  | 'addBias'
  | 'biasGradient'
  | 'softmaxCrossEntropy'
  | 'elementLoss'
  | 'accumulateEpoch'
  | 'sgdStep'
  | 'adamStep'
  | 'rmspropStep'
  | 'clipGradientValue'
  | 'clipGradientNorm';

/** Any kernel: the runner, then its own arguments. */
export type WebGpuKernel = (runner: GpuRunner, ...args: never[]) => void;

export const webgpuKernels = {
  gemm,
  im2col,
  col2im,
  convForward,
  convBackward,
  depthwiseForward,
  depthwiseBackward,
  transposedForward,
  transposedBackward,
  maxPoolForward: pooling.maxPoolForward,
  maxPoolBackward: pooling.maxPoolBackward,
  avgPoolForward: pooling.avgPoolForward,
  avgPoolBackward: pooling.avgPoolBackward,
  globalAvgPoolForward: globalPooling.globalAvgPoolForward,
  globalAvgPoolBackward: globalPooling.globalAvgPoolBackward,
  globalMaxPoolForward: globalPooling.globalMaxPoolForward,
  globalMaxPoolBackward: globalPooling.globalMaxPoolBackward,
  batchNormForward: normalisation.batchNormForward,
  batchNormBackward: normalisation.batchNormBackward,
  dropoutForward: normalisation.dropoutForward,
  dropoutBackward: normalisation.dropoutBackward,
  copyForward: structure.copyForward,
  accumulate: structure.accumulate,
  addForward: structure.addForward,
  concatForward: structure.concatForward,
  concatBackward: structure.concatBackward,
  softmaxForward: structure.softmaxForward,
  softmaxBackward: structure.softmaxBackward,
  upsampleForward: structure.upsampleForward,
  upsampleBackward: structure.upsampleBackward,
  reluForward: elementwise.reluForward,
  reluBackward: elementwise.reluBackward,
  leakyReluForward: elementwise.leakyReluForward,
  leakyReluBackward: elementwise.leakyReluBackward,
  sigmoidForward: elementwise.sigmoidForward,
  sigmoidBackward: elementwise.sigmoidBackward,
  tanhForward: elementwise.tanhForward,
  tanhBackward: elementwise.tanhBackward,
  geluForward: elementwise.geluForward,
  geluBackward: elementwise.geluBackward,
  addBias: elementwise.addBias,
  biasGradient: elementwise.biasGradient,
  softmaxCrossEntropy,
  elementLoss,
  accumulateEpoch,
  sgdStep: optimizers.sgdStep,
  adamStep: optimizers.adamStep,
  rmspropStep: optimizers.rmspropStep,
  clipGradientValue: optimizers.clipGradientValue,
  clipGradientNorm: optimizers.clipGradientNorm,
} as const satisfies Record<WebGpuKernelName, WebGpuKernel>;

export const webgpuPrograms: readonly WgslProgram[] = [
  gemmProgram,
  gemmDirectProgram,
  im2colProgram,
  col2imProgram,
  depthwiseForwardProgram,
  depthwiseInputGradientProgram,
  depthwiseWeightGradientProgram,
  pooling.maxPoolForwardProgram,
  pooling.maxPoolBackwardProgram,
  pooling.avgPoolForwardProgram,
  pooling.avgPoolBackwardProgram,
  ...globalPooling.globalPoolingPrograms,
  ...normalisation.normalisationPrograms,
  ...structure.structurePrograms,
  ...elementwise.elementwisePrograms,
  softmaxCrossEntropyProgram(true),
  softmaxCrossEntropyProgram(false),
  ...(['mse', 'bce'] as const).flatMap((kind) => [elementLossProgram(kind, true), elementLossProgram(kind, false)]),
  meanProgram,
  accumulateEpochProgram,
  optimizers.sgdProgram,
  optimizers.adamProgram,
  optimizers.rmspropProgram,
  optimizers.clipValueProgram,
  optimizers.sumOfSquaresProgram,
  optimizers.clipNormScaleProgram,
];
