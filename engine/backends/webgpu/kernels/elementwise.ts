/**
 * Element-wise kernels: the activations (ReLU, LeakyReLU, Sigmoid, Tanh, GELU) forward and backward,
 * and the bias of convolution and dense layers (add, and its gradient: a sum over the batch and
 * the pixels of each channel).
 *
 * Semantics are the CPU kernels' (engine/backends/cpu/kernels/elementwise.ts and conv.ts):
 * PyTorch's rules at 0 (ReLU passes no gradient at x = 0, LeakyReLU the slope), Sigmoid and
 * Tanh backward from the forward output, and every backward ADDS into its gradient.
 */
import type { WgslProgram } from '../compile';
import { grid1D, gridOfGroups, type GpuRunner } from '../run';
import { REDUCE_THREADS, REDUCE_WGSL } from './reduce';

const WORKGROUP = 256;

/** y[i] = f(x[i]) for i < count, the expression written in terms of `v` = x[i]. */
const unaryForward = (name: string, expression: string, extra: Record<string, 'f32'> = {}, declarations?: string): WgslProgram => ({
  name,
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'y', access: 'read_write' },
  ],
  uniforms: { count: 'u32', ...extra },
  ...(declarations ? { declarations } : {}),
  body: `
  if (index >= u.count) { return; }
  let v = x[index];
  y[index] = ${expression};`,
});

/**
 * dx[i] += dy[i]·f'(…) for i < count, written in terms of `s` (the saved forward input or
 * output, whichever the rule needs) and `g` = dy[i].
 */
const unaryBackward = (name: string, expression: string, extra: Record<string, 'f32'> = {}, declarations?: string): WgslProgram => ({
  name,
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'saved', access: 'read' },
    { name: 'dy', access: 'read' },
    { name: 'dx', access: 'read_write' },
  ],
  uniforms: { count: 'u32', ...extra },
  ...(declarations ? { declarations } : {}),
  body: `
  if (index >= u.count) { return; }
  let s = saved[index];
  let g = dy[index];
  dx[index] = dx[index] + ${expression};`,
});

export const reluForwardProgram = unaryForward('relu forward', 'select(0.0, v, v > 0.0)');
export const reluBackwardProgram = unaryBackward('relu backward', 'select(0.0, g, s > 0.0)');
export const leakyReluForwardProgram = unaryForward('leaky relu forward', 'select(v * u.slope, v, v > 0.0)', { slope: 'f32' });
export const leakyReluBackwardProgram = unaryBackward('leaky relu backward', 'select(g * u.slope, g, s > 0.0)', { slope: 'f32' });
/** 1/(1 + e^−v) for v ≥ 0, e^v/(1 + e^v) below: neither form overflows. */
export const sigmoidForwardProgram = unaryForward('sigmoid forward', 'select(exp(v) / (1.0 + exp(v)), 1.0 / (1.0 + exp(-v)), v >= 0.0)');
export const sigmoidBackwardProgram = unaryBackward('sigmoid backward', 'g * s * (1.0 - s)');
/** Clamped first: tanh(±15) is ±1 in float32, and some implementations overflow e^2v to NaN for large |v|. */
export const tanhForwardProgram = unaryForward('tanh forward', 'tanh(clamp(v, -15.0, 15.0))');
export const tanhBackwardProgram = unaryBackward('tanh backward', 'g * (1.0 - s * s)');

/**
 * The exact GELU, x·Φ(x) (PyTorch's approximate='none'), with Φ from erfc by the Chebyshev fit
 * of Numerical Recipes (erfcc: relative error below 1.2e-7 everywhere), so Φ keeps its relative
 * accuracy in the far negative tail where 1 − ½·erfc would cancel.
 */
const GELU_WGSL = /* wgsl */ `
fn erfcPositive(z: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
    t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * exp(-z * z + p);
}
// Φ(v) = ½·erfc(−v/√2): the tail directly below 0, one minus the tail above.
fn normalCdf(v: f32) -> f32 {
  let z = abs(v) * 0.70710678118654752;
  let tail = 0.5 * erfcPositive(z);
  return select(1.0 - tail, tail, v < 0.0);
}`;
export const geluForwardProgram = unaryForward('gelu forward', 'v * normalCdf(v)', {}, GELU_WGSL);
/** d/dx x·Φ(x) = Φ(x) + x·φ(x). */
export const geluBackwardProgram = unaryBackward(
  'gelu backward',
  'g * (normalCdf(s) + s * 0.3989422804014327 * exp(-0.5 * s * s))',
  {},
  GELU_WGSL,
);

const unary = (runner: GpuRunner, program: WgslProgram, a: GPUBuffer, b: GPUBuffer, count: number, slope?: number): void =>
  runner.dispatch(program, { x: a, y: b }, slope === undefined ? { count } : { count, slope }, grid1D(count, WORKGROUP));

const unaryGrad = (
  runner: GpuRunner,
  program: WgslProgram,
  saved: GPUBuffer,
  dy: GPUBuffer,
  dx: GPUBuffer,
  count: number,
  slope?: number,
): void => runner.dispatch(program, { saved, dy, dx }, slope === undefined ? { count } : { count, slope }, grid1D(count, WORKGROUP));

export const reluForward = (runner: GpuRunner, input: GPUBuffer, output: GPUBuffer, count: number): void =>
  unary(runner, reluForwardProgram, input, output, count);

/** dx += dy where the forward input is positive. */
export const reluBackward = (runner: GpuRunner, input: GPUBuffer, gradOutput: GPUBuffer, gradInput: GPUBuffer, count: number): void =>
  unaryGrad(runner, reluBackwardProgram, input, gradOutput, gradInput, count);

export const leakyReluForward = (runner: GpuRunner, input: GPUBuffer, output: GPUBuffer, count: number, slope: number): void =>
  unary(runner, leakyReluForwardProgram, input, output, count, slope);

export const leakyReluBackward = (
  runner: GpuRunner,
  input: GPUBuffer,
  gradOutput: GPUBuffer,
  gradInput: GPUBuffer,
  count: number,
  slope: number,
): void => unaryGrad(runner, leakyReluBackwardProgram, input, gradOutput, gradInput, count, slope);

export const sigmoidForward = (runner: GpuRunner, input: GPUBuffer, output: GPUBuffer, count: number): void =>
  unary(runner, sigmoidForwardProgram, input, output, count);

/** From the forward output y: dx += dy·y·(1 − y). */
export const sigmoidBackward = (runner: GpuRunner, output: GPUBuffer, gradOutput: GPUBuffer, gradInput: GPUBuffer, count: number): void =>
  unaryGrad(runner, sigmoidBackwardProgram, output, gradOutput, gradInput, count);

export const tanhForward = (runner: GpuRunner, input: GPUBuffer, output: GPUBuffer, count: number): void =>
  unary(runner, tanhForwardProgram, input, output, count);

/** From the forward output y: dx += dy·(1 − y²). */
export const tanhBackward = (runner: GpuRunner, output: GPUBuffer, gradOutput: GPUBuffer, gradInput: GPUBuffer, count: number): void =>
  unaryGrad(runner, tanhBackwardProgram, output, gradOutput, gradInput, count);

export const geluForward = (runner: GpuRunner, input: GPUBuffer, output: GPUBuffer, count: number): void =>
  unary(runner, geluForwardProgram, input, output, count);

/** From the forward input x: dx += dy·(Φ(x) + x·φ(x)). */
export const geluBackward = (runner: GpuRunner, input: GPUBuffer, gradOutput: GPUBuffer, gradInput: GPUBuffer, count: number): void =>
  unaryGrad(runner, geluBackwardProgram, input, gradOutput, gradInput, count);

// ---------------------------------------------------------------- bias

export const addBiasProgram: WgslProgram = {
  name: 'add bias',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'bias', access: 'read' },
    { name: 'y', access: 'read_write' },
  ],
  uniforms: { count: 'u32', channels: 'u32', plane: 'u32' },
  body: `
  if (index >= u.count) { return; }
  y[index] = y[index] + bias[(index / u.plane) % u.channels];`,
};

/** One workgroup per channel: db[f] += Σ over samples and pixels of dy[n, f, pixel]. */
export const biasGradientProgram: WgslProgram = {
  name: 'bias gradient',
  workgroupSize: [REDUCE_THREADS, 1, 1],
  bindings: [
    { name: 'dy', access: 'read' },
    { name: 'db', access: 'read_write' },
  ],
  uniforms: { batch: 'u32', channels: 'u32', plane: 'u32' },
  declarations: REDUCE_WGSL,
  body: `
  let f = wid.x + wid.y * nwg.x;
  if (f >= u.channels) { return; }
  var sum = 0.0;
  for (var n = 0u; n < u.batch; n++) {
    let start = (n * u.channels + f) * u.plane;
    for (var p = lindex; p < u.plane; p += ${REDUCE_THREADS}u) {
      sum += dy[start + p];
    }
  }
  let total = workgroupSum(lindex, sum);
  if (lindex == 0u) {
    db[f] = db[f] + total;
  }`,
};

/** y[n, f, :] += b[f]; y is [batch, channels, plane]. */
export const addBias = (runner: GpuRunner, y: GPUBuffer, bias: GPUBuffer, batch: number, channels: number, plane: number): void => {
  const count = batch * channels * plane;
  runner.dispatch(addBiasProgram, { bias, y }, { count, channels, plane }, grid1D(count, WORKGROUP));
};

/** db[f] += Σ_{n, pixels} dy[n, f, pixel]; dy is [batch, channels, plane]. */
export const biasGradient = (runner: GpuRunner, dy: GPUBuffer, db: GPUBuffer, batch: number, channels: number, plane: number): void =>
  runner.dispatch(biasGradientProgram, { dy, db }, { batch, channels, plane }, gridOfGroups(channels));

export const elementwisePrograms: readonly WgslProgram[] = [
  reluForwardProgram,
  reluBackwardProgram,
  leakyReluForwardProgram,
  leakyReluBackwardProgram,
  sigmoidForwardProgram,
  sigmoidBackwardProgram,
  tanhForwardProgram,
  tanhBackwardProgram,
  geluForwardProgram,
  geluBackwardProgram,
  addBiasProgram,
  biasGradientProgram,
];
