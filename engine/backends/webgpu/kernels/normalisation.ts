/**
 * Batch normalisation and inverted dropout on the GPU.
 *
 * Batch norm has the CPU's definition (engine/backends/cpu/kernels/normalisation.ts, which is
 * PyTorch's BatchNorm2d): in training it normalises with the batch's mean and biased variance
 * over (N, H, W) and moves the running statistics towards the batch's mean and UNBIASED
 * variance, in place; at inference it normalises with the running statistics.
 *
 *   x, y, dy, dx [N, C, H·W]   γ, β, running mean and variance, mean, invStd [C]   sums [2C]
 *
 * - Statistics: one workgroup per channel reduces the batch (the mean first, then the squared
 *   deviations from it, two passes as on the CPU) and updates the running statistics.
 * - Normalise: one thread per element, y = (x − mean)·γ·invStd + β.
 * - Backward: one workgroup per channel reduces Σdy and Σdy·x̂ into `sums` and ADDS them to dβ
 *   and dγ; then one thread per element ADDS the input gradient.
 *
 * Dropout draws its mask on the GPU from a counter-based hash rather than uploading one: bit
 * pattern = mix32(mix32(i ⊕ key) + 0x9e3779b9) with mix32 a 32-bit integer finaliser (Chris
 * Wellons' lowbias32), element i kept when the pattern is below (1 − rate)·2³², so each element
 * is an independent draw from the step's and layer's `key` and its own index, with nothing to
 * store or upload. The CPU engine draws from its mulberry32 stream instead, so the two engines'
 * masks agree in distribution, not element for element (`dropoutMask` reproduces the GPU's on
 * the host, for tests). The mask (0 or 1/(1 − rate)) is kept for the backward pass, as on the CPU.
 */
import type { WgslProgram } from '../compile';
import { grid1D, gridOfGroups, type GpuRunner } from '../run';
import { REDUCE_THREADS, REDUCE_WGSL } from './reduce';

const WORKGROUP = 256;

export interface BatchNormShape {
  readonly batch: number;
  readonly channels: number;
  /** H·W. */
  readonly size: number;
}

export interface GpuBatchNormBuffers {
  readonly gamma: GPUBuffer;
  readonly beta: GPUBuffer;
  readonly runningMean: GPUBuffer;
  readonly runningVar: GPUBuffer;
  /** Scratch [C]: the mean used for normalising (the batch's in training, the running one at inference). */
  readonly mean: GPUBuffer;
  /** Scratch [C]: 1/√(variance + eps). */
  readonly invStd: GPUBuffer;
}

const SHAPE_UNIFORMS = { batch: 'u32', channels: 'u32', size: 'u32' } as const;

/** Sums `term` (an expression in `value` = x[at] and `at`) over channel c of every sample, across the workgroup. */
const channelSum = (variable: string, term: string) => /* wgsl */ `
  var ${variable} = 0.0;
  for (var n = 0u; n < u.batch; n++) {
    let base = (n * u.channels + c) * u.size;
    for (var i = lindex; i < u.size; i += ${REDUCE_THREADS}u) {
      let at = base + i;
      ${variable} += ${term};
    }
  }`;

export const batchNormStatisticsProgram: WgslProgram = {
  name: 'batch norm statistics',
  workgroupSize: [REDUCE_THREADS, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'runningMean', access: 'read_write' },
    { name: 'runningVar', access: 'read_write' },
    { name: 'mean', access: 'read_write' },
    { name: 'invStd', access: 'read_write' },
  ],
  uniforms: { ...SHAPE_UNIFORMS, eps: 'f32', momentum: 'f32' },
  declarations: REDUCE_WGSL,
  body: /* wgsl */ `
  let c = wid.x + wid.y * nwg.x;
  if (c >= u.channels) { return; }
  let count = f32(u.batch * u.size);
  ${channelSum('sum', 'x[at]')}
  let mu = workgroupSum(lindex, sum) / count;
  ${channelSum('squares', '(x[at] - mu) * (x[at] - mu)')}
  let total = workgroupSum(lindex, squares);
  if (lindex == 0u) {
    let variance = total / count;
    let unbiased = select(variance, total / (count - 1.0), u.batch * u.size > 1u);
    mean[c] = mu;
    invStd[c] = 1.0 / sqrt(variance + u.eps);
    runningMean[c] = (1.0 - u.momentum) * runningMean[c] + u.momentum * mu;
    runningVar[c] = (1.0 - u.momentum) * runningVar[c] + u.momentum * unbiased;
  }`,
};

export const batchNormRunningStatisticsProgram: WgslProgram = {
  name: 'batch norm running statistics',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'runningMean', access: 'read' },
    { name: 'runningVar', access: 'read' },
    { name: 'mean', access: 'read_write' },
    { name: 'invStd', access: 'read_write' },
  ],
  uniforms: { channels: 'u32', eps: 'f32' },
  body: /* wgsl */ `
  if (index >= u.channels) { return; }
  mean[index] = runningMean[index];
  invStd[index] = 1.0 / sqrt(runningVar[index] + u.eps);`,
};

export const batchNormNormaliseProgram: WgslProgram = {
  name: 'batch norm normalise',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'gamma', access: 'read' },
    { name: 'beta', access: 'read' },
    { name: 'mean', access: 'read' },
    { name: 'invStd', access: 'read' },
    { name: 'y', access: 'read_write' },
  ],
  uniforms: { count: 'u32', channels: 'u32', size: 'u32' },
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  let c = (index / u.size) % u.channels;
  y[index] = (x[index] - mean[c]) * (gamma[c] * invStd[c]) + beta[c];`,
};

export const batchNormGradientSumsProgram: WgslProgram = {
  name: 'batch norm gradient sums',
  workgroupSize: [REDUCE_THREADS, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'dy', access: 'read' },
    { name: 'mean', access: 'read' },
    { name: 'invStd', access: 'read' },
    { name: 'sums', access: 'read_write' },
    { name: 'gradGamma', access: 'read_write' },
    { name: 'gradBeta', access: 'read_write' },
  ],
  uniforms: { ...SHAPE_UNIFORMS, hasGamma: 'u32', hasBeta: 'u32' },
  declarations: REDUCE_WGSL,
  body: /* wgsl */ `
  let c = wid.x + wid.y * nwg.x;
  if (c >= u.channels) { return; }
  let mu = mean[c];
  let inv = invStd[c];
  ${channelSum('dySum', 'dy[at]')}
  ${channelSum('dyXhatSum', 'dy[at] * (x[at] - mu) * inv')}
  let sumDy = workgroupSum(lindex, dySum);
  let sumDyXhat = workgroupSum(lindex, dyXhatSum);
  if (lindex == 0u) {
    sums[2u * c] = sumDy;
    sums[2u * c + 1u] = sumDyXhat;
    if (u.hasGamma != 0u) { gradGamma[c] = gradGamma[c] + sumDyXhat; }
    if (u.hasBeta != 0u) { gradBeta[c] = gradBeta[c] + sumDy; }
  }`,
};

export const batchNormInputGradientProgram: WgslProgram = {
  name: 'batch norm input gradient',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'dy', access: 'read' },
    { name: 'gamma', access: 'read' },
    { name: 'mean', access: 'read' },
    { name: 'invStd', access: 'read' },
    { name: 'sums', access: 'read' },
    { name: 'dx', access: 'read_write' },
  ],
  uniforms: { count: 'u32', channels: 'u32', size: 'u32', perChannel: 'f32', training: 'u32' },
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  let c = (index / u.size) % u.channels;
  let inv = invStd[c];
  let scale = gamma[c] * inv;
  var g = dy[index];
  if (u.training != 0u) {
    let xhat = (x[index] - mean[c]) * inv;
    g = g - sums[2u * c] / u.perChannel - xhat * (sums[2u * c + 1u] / u.perChannel);
  }
  dx[index] = dx[index] + scale * g;`,
};

/**
 * y = batchNorm(x). In training, fills `mean`/`invStd` from the batch and updates the running
 * statistics in place; at inference, normalises with the running statistics.
 */
export const batchNormForward = (
  runner: GpuRunner,
  x: GPUBuffer,
  y: GPUBuffer,
  shape: BatchNormShape,
  b: GpuBatchNormBuffers,
  training: boolean,
  eps: number,
  momentum: number,
): void => {
  const { batch, channels, size } = shape;
  if (training) {
    runner.dispatch(
      batchNormStatisticsProgram,
      { x, runningMean: b.runningMean, runningVar: b.runningVar, mean: b.mean, invStd: b.invStd },
      { batch, channels, size, eps, momentum },
      gridOfGroups(channels),
    );
  } else {
    runner.dispatch(
      batchNormRunningStatisticsProgram,
      { runningMean: b.runningMean, runningVar: b.runningVar, mean: b.mean, invStd: b.invStd },
      { channels, eps },
      grid1D(channels, WORKGROUP),
    );
  }
  const count = batch * channels * size;
  runner.dispatch(
    batchNormNormaliseProgram,
    { x, gamma: b.gamma, beta: b.beta, mean: b.mean, invStd: b.invStd, y },
    { count, channels, size },
    grid1D(count, WORKGROUP),
  );
};

/**
 * Accumulates dγ, dβ and dx (each may be null) from dy, with the statistics the forward pass
 * left in `mean` and `invStd`; `sums` is scratch of 2C.
 */
export const batchNormBackward = (
  runner: GpuRunner,
  x: GPUBuffer,
  dy: GPUBuffer,
  dx: GPUBuffer | null,
  gradGamma: GPUBuffer | null,
  gradBeta: GPUBuffer | null,
  shape: BatchNormShape,
  b: Pick<GpuBatchNormBuffers, 'gamma' | 'mean' | 'invStd'>,
  sums: GPUBuffer,
  training: boolean,
): void => {
  const { batch, channels, size } = shape;
  runner.dispatch(
    batchNormGradientSumsProgram,
    {
      x,
      dy,
      mean: b.mean,
      invStd: b.invStd,
      sums,
      gradGamma: gradGamma ?? runner.placeholder,
      gradBeta: gradBeta ?? runner.placeholder,
    },
    { batch, channels, size, hasGamma: gradGamma ? 1 : 0, hasBeta: gradBeta ? 1 : 0 },
    gridOfGroups(channels),
  );
  if (!dx) return;
  const count = batch * channels * size;
  runner.dispatch(
    batchNormInputGradientProgram,
    { x, dy, gamma: b.gamma, mean: b.mean, invStd: b.invStd, sums, dx },
    { count, channels, size, perChannel: batch * size, training: training ? 1 : 0 },
    grid1D(count, WORKGROUP),
  );
};

// ---------------------------------------------------------------- dropout

/** lowbias32 (Chris Wellons' integer hash), as the WGSL below computes it. */
export const mix32 = (value: number): number => {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
};

/** The 32 random bits of element `index` under `key`. */
export const dropoutBits = (key: number, index: number): number => mix32((mix32((index ^ key) >>> 0) + 0x9e3779b9) >>> 0);

/** Elements whose bits are below this are kept: (1 − rate)·2³², rounded down. */
export const keepThreshold = (rate: number): number => Math.min(0xffffffff, Math.floor((1 - rate) * 2 ** 32));

/** The key of one layer's mask in one step, from the step's seed and the layer's position in the plan. */
export const dropoutKey = (stepSeed: number, layer: number): number => mix32((stepSeed ^ mix32(layer + 1)) >>> 0);

/** The mask the GPU draws for `count` elements (for tests): 0 or 1/(1 − rate). */
export const dropoutMask = (key: number, count: number, rate: number): Float32Array => {
  const threshold = keepThreshold(rate);
  const scale = 1 / (1 - rate);
  return Float32Array.from({ length: count }, (_, i) => (dropoutBits(key, i) < threshold ? scale : 0));
};

export const dropoutForwardProgram: WgslProgram = {
  name: 'dropout forward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'mask', access: 'read_write' },
    { name: 'y', access: 'read_write' },
  ],
  uniforms: { count: 'u32', key: 'u32', threshold: 'u32', scale: 'f32' },
  declarations: /* wgsl */ `
fn mix32(value: u32) -> u32 {
  var x = value;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}`,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  let bits = mix32(mix32(index ^ u.key) + 0x9e3779b9u);
  let factor = select(0.0, u.scale, bits < u.threshold);
  mask[index] = factor;
  y[index] = x[index] * factor;`,
};

export const dropoutBackwardProgram: WgslProgram = {
  name: 'dropout backward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'dy', access: 'read' },
    { name: 'mask', access: 'read' },
    { name: 'dx', access: 'read_write' },
  ],
  uniforms: { count: 'u32' },
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  dx[index] = dx[index] + dy[index] * mask[index];`,
};

/** Inverted dropout in training: mask = 0 or 1/(1 − rate) from the hash of (key, element); y = x·mask. */
export const dropoutForward = (
  runner: GpuRunner,
  x: GPUBuffer,
  y: GPUBuffer,
  mask: GPUBuffer,
  count: number,
  rate: number,
  key: number,
): void =>
  runner.dispatch(
    dropoutForwardProgram,
    { x, mask, y },
    { count, key: key >>> 0, threshold: keepThreshold(rate), scale: 1 / (1 - rate) },
    grid1D(count, WORKGROUP),
  );

/** dx += dy·mask. */
export const dropoutBackward = (runner: GpuRunner, dy: GPUBuffer, dx: GPUBuffer, mask: GPUBuffer, count: number): void =>
  runner.dispatch(dropoutBackwardProgram, { dy, mask, dx }, { count }, grid1D(count, WORKGROUP));

export const normalisationPrograms: readonly WgslProgram[] = [
  batchNormStatisticsProgram,
  batchNormRunningStatisticsProgram,
  batchNormNormaliseProgram,
  batchNormGradientSumsProgram,
  batchNormInputGradientProgram,
  dropoutForwardProgram,
  dropoutBackwardProgram,
];
