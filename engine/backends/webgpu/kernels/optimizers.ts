/**
 * Optimiser updates on the GPU: SGD (momentum, dampening, Nesterov, weight decay), Adam /
 * AdamW and RMSprop, and gradient clipping by value and by global norm, with the CPU's rules (engine/train/optimizers.ts, which are torch.optim 1.13's), one
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
import { REDUCE_THREADS, REDUCE_WGSL } from './reduce';

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

export const rmspropProgram: WgslProgram = {
  name: 'rmsprop',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'values', access: 'read_write' },
    { name: 'gradient', access: 'read' },
    { name: 'squareAverage', access: 'read_write' },
    { name: 'momentumBuffer', access: 'read_write' },
    { name: 'frozen', access: 'read', type: 'u32' },
  ],
  uniforms: {
    count: 'u32',
    learningRate: 'f32',
    alpha: 'f32',
    oneMinusAlpha: 'f32',
    epsilon: 'f32',
    momentum: 'f32',
    weightDecay: 'f32',
    hasFrozen: 'u32',
  },
  declarations: FROZEN_WGSL,
  body: /* wgsl */ `
  if (index >= u.count || isFrozen(index)) { return; }
  let g = gradient[index] + u.weightDecay * values[index];
  let square = u.alpha * squareAverage[index] + u.oneMinusAlpha * g * g;
  squareAverage[index] = square;
  let scaled = g / (sqrt(square) + u.epsilon);
  if (u.momentum > 0.0) {
    let b = u.momentum * momentumBuffer[index] + scaled;
    momentumBuffer[index] = b;
    values[index] = values[index] - u.learningRate * b;
  } else {
    values[index] = values[index] - u.learningRate * scaled;
  }`,
};

type SgdConfig = Extract<OptimizerConfig, { kind: 'sgd' }>;
type AdamConfig = Extract<OptimizerConfig, { kind: 'adam' | 'adamw' }>;
type RmspropConfig = Extract<OptimizerConfig, { kind: 'rmsprop' }>;

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

/** One RMSprop step of a tensor (PyTorch's, without centering): `square` and `buffer` are its state. */
export const rmspropStep = (
  runner: GpuRunner,
  slot: GpuParamSlot,
  square: GPUBuffer,
  buffer: GPUBuffer,
  config: RmspropConfig,
  learningRate: number,
): void => {
  const { alpha = 0.99, epsilon = 1e-8, momentum = 0, weightDecay = 0 } = config;
  runner.dispatch(
    rmspropProgram,
    {
      values: slot.values,
      gradient: slot.gradient,
      squareAverage: square,
      momentumBuffer: buffer,
      frozen: slot.frozen ?? runner.placeholder,
    },
    { count: slot.count, learningRate, alpha, oneMinusAlpha: 1 - alpha, epsilon, momentum, weightDecay, hasFrozen: slot.frozen ? 1 : 0 },
    grid1D(slot.count, WORKGROUP),
  );
};

// ---------------------------------------------------------------- gradient clipping

export const clipValueProgram: WgslProgram = {
  name: 'clip gradient value',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [{ name: 'gradient', access: 'read_write' }],
  uniforms: { count: 'u32', limit: 'f32' },
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  gradient[index] = min(u.limit, max(-u.limit, gradient[index]));`,
};

/** One workgroup: squares[slot] = Σ gradient². */
export const sumOfSquaresProgram: WgslProgram = {
  name: 'sum of squares',
  workgroupSize: [REDUCE_THREADS, 1, 1],
  bindings: [
    { name: 'gradient', access: 'read' },
    { name: 'squares', access: 'read_write' },
  ],
  uniforms: { count: 'u32', slot: 'u32' },
  declarations: REDUCE_WGSL,
  body: /* wgsl */ `
  var sum = 0.0;
  for (var i = lindex; i < u.count; i += ${REDUCE_THREADS}u) { sum += gradient[i] * gradient[i]; }
  let total = workgroupSum(lindex, sum);
  if (lindex == 0u) { squares[u.slot] = total; }`,
};

export const clipNormScaleProgram: WgslProgram = {
  name: 'clip gradient norm',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'squares', access: 'read' },
    { name: 'gradient', access: 'read_write' },
  ],
  uniforms: { count: 'u32', slots: 'u32', maxNorm: 'f32' },
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  var sum = 0.0;
  for (var s = 0u; s < u.slots; s++) { sum += squares[s]; }
  let coefficient = u.maxNorm / (sqrt(sum) + 1e-6);
  if (coefficient < 1.0) { gradient[index] = gradient[index] * coefficient; }`,
};

/** Clamps every gradient element to [−limit, limit] (PyTorch's clip_grad_value_). */
export const clipGradientValue = (runner: GpuRunner, slots: readonly Pick<GpuParamSlot, 'gradient' | 'count'>[], limit: number): void => {
  for (const { gradient, count } of slots) runner.dispatch(clipValueProgram, { gradient }, { count, limit }, grid1D(count, WORKGROUP));
};

/**
 * Scales all gradients so their joint L2 norm is at most `maxNorm` (PyTorch's clip_grad_norm_),
 * entirely on the GPU: each tensor's sum of squares into `squares` (one float per slot), then
 * every element scaled by maxNorm/(norm + 1e-6) when that is below 1.
 */
export const clipGradientNorm = (
  runner: GpuRunner,
  slots: readonly Pick<GpuParamSlot, 'gradient' | 'count'>[],
  maxNorm: number,
  squares: GPUBuffer,
): void => {
  slots.forEach(({ gradient, count }, slot) => runner.dispatch(sumOfSquaresProgram, { gradient, squares }, { count, slot }, [1, 1, 1]));
  for (const { gradient, count } of slots) {
    runner.dispatch(clipNormScaleProgram, { squares, gradient }, { count, slots: slots.length, maxNorm }, grid1D(count, WORKGROUP));
  }
};
