/**
 * The WebGPU backend's kernels, by name, and every WGSL program they dispatch.
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
import { gemm, gemmProgram } from './gemm';
import { col2im, col2imProgram, im2col, im2colProgram } from './im2col';
import { meanProgram, softmaxCrossEntropy, softmaxCrossEntropyProgram } from './loss';
import { adamProgram, adamStep, sgdProgram, sgdStep } from './optimizers';
import * as pooling from './pooling';

export type WebGpuKernelName =
  | 'gemm'
  | 'im2col'
  | 'col2im'
  | 'convForward'
  | 'convBackward'
  | 'depthwiseForward'
  | 'depthwiseBackward'
  | 'maxPoolForward'
  | 'maxPoolBackward'
  | 'avgPoolForward'
  | 'avgPoolBackward'
  | 'reluForward'
  | 'reluBackward'
  | 'leakyReluForward'
  | 'leakyReluBackward'
  | 'sigmoidForward'
  | 'sigmoidBackward'
  | 'tanhForward'
  | 'tanhBackward'
  | 'addBias'
  | 'biasGradient'
  | 'softmaxCrossEntropy'
  | 'sgdStep'
  | 'adamStep';

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
  maxPoolForward: pooling.maxPoolForward,
  maxPoolBackward: pooling.maxPoolBackward,
  avgPoolForward: pooling.avgPoolForward,
  avgPoolBackward: pooling.avgPoolBackward,
  reluForward: elementwise.reluForward,
  reluBackward: elementwise.reluBackward,
  leakyReluForward: elementwise.leakyReluForward,
  leakyReluBackward: elementwise.leakyReluBackward,
  sigmoidForward: elementwise.sigmoidForward,
  sigmoidBackward: elementwise.sigmoidBackward,
  tanhForward: elementwise.tanhForward,
  tanhBackward: elementwise.tanhBackward,
  addBias: elementwise.addBias,
  biasGradient: elementwise.biasGradient,
  softmaxCrossEntropy,
  sgdStep,
  adamStep,
} as const satisfies Record<WebGpuKernelName, WebGpuKernel>;

export const webgpuPrograms: readonly WgslProgram[] = [
  gemmProgram,
  im2colProgram,
  col2imProgram,
  depthwiseForwardProgram,
  depthwiseInputGradientProgram,
  depthwiseWeightGradientProgram,
  pooling.maxPoolForwardProgram,
  pooling.maxPoolBackwardProgram,
  pooling.avgPoolForwardProgram,
  pooling.avgPoolBackwardProgram,
  ...elementwise.elementwisePrograms,
  softmaxCrossEntropyProgram(true),
  softmaxCrossEntropyProgram(false),
  meanProgram,
  sgdProgram,
  adamProgram,
];
