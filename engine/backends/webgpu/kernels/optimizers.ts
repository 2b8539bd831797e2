/**
 * Optimiser updates on the GPU: SGD (momentum, dampening, Nesterov, weight decay) and Adam /
 * AdamW, with the CPU's rules (engine/train/optimizers.ts, which are torch.optim 1.13's), one
 * thread per weight element.
 *
 * The scalars that depend on the step (Adam's bias corrections, AdamW's decay factor) are
 * computed on the host in double precision, by the same expressions as the CPU optimiser, and
 * arrive as uniforms; the step count lives on the host too.
 *
 * Frozen elements (hand-set filters) are skipped: `frozen` is a bit mask, one bit per element
 * (packFrozenMask), or absent.
 */
import type { OptimizerConfig } from '../../../train/optimizers';
import type { WgslProgram } from '../compile';
import { grid1D, type GpuRunner } from '../run';

const WORKGROUP = 256;

/** One trainable tensor on the GPU. */
export interface GpuParamSlot {
  readonly values: GPUBuffer;
  readonly gradient: GPUBuffer;
  /** Elements in the tensor. */
  readonly count: number;
  /** packFrozenMask's bits, or null when nothing is frozen. */
  readonly frozen?: GPUBuffer | null;
}

/** A CPU frozen mask (one byte per element, non-zero = frozen) as bits, 32 elements to a word. */
export const packFrozenMask = (frozen: Uint8Array): Uint32Array => {
  const bits = new Uint32Array(Math.ceil(frozen.length / 32));
  for (let i = 0; i < frozen.length; i++) if (frozen[i]) bits[i >>> 5] |= 1 << (i & 31);
  return bits;
};

const FROZEN_WGSL = /* wgsl */ `
fn isFrozen(i: u32) -> bool {
  return u.hasFrozen != 0u && ((frozen[i >> 5u] >> (i & 31u)) & 1u) != 0u;
}`;

export const sgdProgram: WgslProgram = {
  name: 'sgd',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'values', access: 'read_write' },
    { name: 'gradient', access: 'read' },
    { name: 'momentumBuffer', access: 'read_write' },
    { name: 'frozen', access: 'read', type: 'u32' },
  ],
  uniforms: {
    count: 'u32',
    learningRate: 'f32',
    momentum: 'f32',
    keep: 'f32',
    weightDecay: 'f32',
    nesterov: 'u32',
    first: 'u32',
    hasFrozen: 'u32',
  },
  declarations: FROZEN_WGSL,
  body: /* wgsl */ `
  if (index >= u.count || isFrozen(index)) { return; }
  var g = gradient[index] + u.weightDecay * values[index];
  if (u.momentum != 0.0) {
    var b = g;
    if (u.first == 0u) { b = u.momentum * momentumBuffer[index] + u.keep * g; }
    momentumBuffer[index] = b;
    g = select(b, g + u.momentum * b, u.nesterov != 0u);
  }
  values[index] = values[index] - u.learningRate * g;`,
};

export const adamProgram: WgslProgram = {
  name: 'adam',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'values', access: 'read_write' },
    { name: 'gradient', access: 'read' },
    { name: 'firstMoment', access: 'read_write' },
    { name: 'secondMoment', access: 'read_write' },
    { name: 'frozen', access: 'read', type: 'u32' },
  ],
  uniforms: {
    count: 'u32',
    beta1: 'f32',
    oneMinusBeta1: 'f32',
    beta2: 'f32',
    oneMinusBeta2: 'f32',
    epsilon: 'f32',
    l2: 'f32',
    decay: 'f32',
    stepSize: 'f32',
    correction2Root: 'f32',
    hasFrozen: 'u32',
  },
  declarations: FROZEN_WGSL,
  body: /* wgsl */ `
  if (index >= u.count || isFrozen(index)) { return; }
  let g = gradient[index] + u.l2 * values[index];
  let m = u.beta1 * firstMoment[index] + u.oneMinusBeta1 * g;
  let v = u.beta2 * secondMoment[index] + u.oneMinusBeta2 * g * g;
  firstMoment[index] = m;
  secondMoment[index] = v;
  values[index] = values[index] * u.decay - (u.stepSize * m) / (sqrt(v) / u.correction2Root + u.epsilon);`,
};

type SgdConfig = Extract<OptimizerConfig, { kind: 'sgd' }>;
type AdamConfig = Extract<OptimizerConfig, { kind: 'adam' | 'adamw' }>;

/**
 * One SGD step of a tensor; `first` is true on the optimiser's first step (the momentum buffer
 * then starts as the gradient, as in PyTorch). `buffer` is the momentum buffer (any buffer when
 * momentum is 0: it is not touched).
 */
export const sgdStep = (
  runner: GpuRunner,
  slot: GpuParamSlot,
  buffer: GPUBuffer,
  config: SgdConfig,
  learningRate: number,
  first: boolean,
): void => {
  const { momentum = 0, nesterov = false, weightDecay = 0, dampening = 0 } = config;
  runner.dispatch(
    sgdProgram,
    { values: slot.values, gradient: slot.gradient, momentumBuffer: buffer, frozen: slot.frozen ?? runner.placeholder },
    {
      count: slot.count,
      learningRate,
      momentum,
      keep: 1 - dampening,
      weightDecay,
      nesterov: nesterov ? 1 : 0,
      first: first ? 1 : 0,
      hasFrozen: slot.frozen ? 1 : 0,
    },
    grid1D(slot.count, WORKGROUP),
  );
};

/** The step's scalars, by the CPU Adam's expressions; `step` counts from 1. */
export const adamScalars = (config: AdamConfig, learningRate: number, step: number) => {
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = config.kind === 'adamw' ? 0.01 : 0 } = config;
  const decoupled = config.kind === 'adamw';
  return {
    beta1,
    oneMinusBeta1: 1 - beta1,
    beta2,
    oneMinusBeta2: 1 - beta2,
    epsilon,
    l2: decoupled ? 0 : weightDecay,
    decay: decoupled ? 1 - learningRate * weightDecay : 1,
    stepSize: learningRate / (1 - beta1 ** step),
    correction2Root: Math.sqrt(1 - beta2 ** step),
  };
};

/** One Adam (or AdamW) step of a tensor; `step` is the optimiser's step count after this step (1 on the first). */
export const adamStep = (
  runner: GpuRunner,
  slot: GpuParamSlot,
  firstMoment: GPUBuffer,
  secondMoment: GPUBuffer,
  config: AdamConfig,
  learningRate: number,
  step: number,
): void => {
  runner.dispatch(
    adamProgram,
    { values: slot.values, gradient: slot.gradient, firstMoment, secondMoment, frozen: slot.frozen ?? runner.placeholder },
    { count: slot.count, ...adamScalars(config, learningRate, step), hasFrozen: slot.frozen ? 1 : 0 },
    grid1D(slot.count, WORKGROUP),
  );
};
