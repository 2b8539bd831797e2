/**
 * Softmax cross-entropy on the GPU, with the CPU's definition (engine/train/losses.ts, which is
 * PyTorch's CrossEntropyLoss with label smoothing ε): per sample,
 * loss = (1 − ε)·(−log p_target) + ε/K·Σ_k (−log p_k), gradient (p − q)/batch with
 * q_k = ε/K + (1 − ε)·[k = target]; the batch's loss is the mean.
 *
 *   logits, gradient [batch, classes]   targets [batch] (int32)   losses [batch]   loss [1]
 *
 * One thread per sample computes its loss and gradient row (overwriting the gradient: it starts
 * the backward pass); then one workgroup reduces the per-sample losses to their mean, so the
 * only number a training step has to read back is one float.
 *
 * Targets are checked on the host (`checkTargets`, the CPU's RangeError) before they are
 * uploaded: a kernel cannot throw. An out-of-range target that slipped through reads a clamped
 * logit rather than out of bounds.
 *
 * The element-wise losses of the other heads follow the same pattern, one thread per element:
 * mean squared error (Σ(p − t)²/count, gradient 2(p − t)/count) and binary cross-entropy on
 * logits (max(x, 0) − x·t + log(1 + e^−|x|), gradient (σ(x) − t)/count), both means over every
 * element as PyTorch's MSELoss and BCEWithLogitsLoss.
 *
 * `accumulateEpoch` keeps the epoch's sums on the GPU (Σ loss·batch and, for classification,
 * the number of correct predictions), so a training step reads back nothing but its loss.
 */
import type { WgslProgram } from '../compile';
import { grid1D, type GpuRunner } from '../run';
import { REDUCE_THREADS, REDUCE_WGSL } from './reduce';

const WORKGROUP = 64;

/** The per-sample kernel; `withGradient` is baked in (a second pipeline) because the gradient buffer is then bound. */
export const softmaxCrossEntropyProgram = (withGradient: boolean): WgslProgram => ({
  name: withGradient ? 'softmax cross-entropy with gradient' : 'softmax cross-entropy',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'logits', access: 'read' },
    { name: 'targets', access: 'read', type: 'i32' },
    { name: 'losses', access: 'read_write' },
    ...(withGradient ? [{ name: 'gradient', access: 'read_write' } as const] : []),
  ],
  uniforms: { batch: 'u32', classes: 'u32', smoothing: 'f32', off: 'f32', on: 'f32' },
  body: /* wgsl */ `
  if (index >= u.batch) { return; }
  let base = index * u.classes;
  let label = u32(clamp(targets[index], 0, i32(u.classes) - 1));
  var top = logits[base];
  for (var k = 1u; k < u.classes; k++) { top = max(top, logits[base + k]); }
  var sum = 0.0;
  var sumLogits = 0.0;
  for (var k = 0u; k < u.classes; k++) {
    sum += exp(logits[base + k] - top);
    sumLogits += logits[base + k];
  }
  let logSum = top + log(sum);
  // −Σ_k q_k·log p_k with log p_k = x_k − logSum and Σ_k q_k = 1.
  losses[index] = logSum - (1.0 - u.smoothing) * logits[base + label] - u.off * sumLogits;
  ${
    withGradient
      ? `for (var k = 0u; k < u.classes; k++) {
    let p = exp(logits[base + k] - logSum);
    gradient[base + k] = (p - select(u.off, u.on, k == label)) / f32(u.batch);
  }`
      : ''
  }`,
});

/** One workgroup: result[0] = Σ values[0 … count) / count. */
export const meanProgram: WgslProgram = {
  name: 'mean',
  workgroupSize: [REDUCE_THREADS, 1, 1],
  bindings: [
    { name: 'values', access: 'read' },
    { name: 'result', access: 'read_write' },
  ],
  uniforms: { count: 'u32' },
  declarations: REDUCE_WGSL,
  body: /* wgsl */ `
  var sum = 0.0;
  for (var i = lindex; i < u.count; i += ${REDUCE_THREADS}u) { sum += values[i]; }
  let total = workgroupSum(lindex, sum);
  if (lindex == 0u) { result[0] = total / f32(u.count); }`,
};

export type ElementLoss = 'mse' | 'bce';

/** log(1 + e) for 0 ≤ e ≤ 1, keeping e's digits when it is tiny (WGSL has no log1p). */
const LOG1P_WGSL = /* wgsl */ `
fn log1pSmall(e: f32) -> f32 {
  let onePlus = 1.0 + e;
  if (onePlus == 1.0) { return e; }
  return log(onePlus) * e / (onePlus - 1.0);
}`;

/** Per element loss (and gradient of the mean, when `withGradient`) of predictions against float targets. */
export const elementLossProgram = (loss: ElementLoss, withGradient: boolean): WgslProgram => ({
  name: `${loss === 'mse' ? 'mean squared error' : 'binary cross-entropy'}${withGradient ? ' with gradient' : ''}`,
  workgroupSize: [256, 1, 1],
  bindings: [
    { name: 'predictions', access: 'read' },
    { name: 'targets', access: 'read' },
    { name: 'losses', access: 'read_write' },
    ...(withGradient ? [{ name: 'gradient', access: 'read_write' } as const] : []),
  ],
  uniforms: { count: 'u32' },
  ...(loss === 'bce' ? { declarations: LOG1P_WGSL } : {}),
  body:
    loss === 'mse'
      ? /* wgsl */ `
  if (index >= u.count) { return; }
  let d = predictions[index] - targets[index];
  losses[index] = d * d;
  ${withGradient ? 'gradient[index] = (2.0 * d) / f32(u.count);' : ''}`
      : /* wgsl */ `
  if (index >= u.count) { return; }
  let x = predictions[index];
  let t = targets[index];
  let e = exp(-abs(x));
  losses[index] = max(x, 0.0) - x * t + log1pSmall(e);
  ${withGradient ? 'gradient[index] = (select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0) - t) / f32(u.count);' : ''}`,
});

/**
 * Records the mean loss of `count` predictions against float targets into loss[0], the
 * per-element losses into `losses`, and (when given) the gradient of the mean into `gradient`.
 */
export const elementLoss = (
  runner: GpuRunner,
  kind: ElementLoss,
  predictions: GPUBuffer,
  targets: GPUBuffer,
  gradient: GPUBuffer | null,
  losses: GPUBuffer,
  loss: GPUBuffer,
  count: number,
): void => {
  if (count <= 0) return;
  runner.dispatch(
    elementLossProgram(kind, gradient !== null),
    gradient ? { predictions, targets, losses, gradient } : { predictions, targets, losses },
    { count },
    grid1D(count, 256),
  );
  runner.dispatch(meanProgram, { values: losses, result: loss }, { count }, [1, 1, 1]);
};

/**
 * One workgroup: stats[0] += loss[0]·batch and, when `classes` > 0, stats[1] += the samples
 * whose first largest logit is their target (the CPU's argmax, NaN aside).
 */
export const accumulateEpochProgram: WgslProgram = {
  name: 'accumulate epoch',
  workgroupSize: [REDUCE_THREADS, 1, 1],
  bindings: [
    { name: 'loss', access: 'read' },
    { name: 'logits', access: 'read' },
    { name: 'targets', access: 'read', type: 'i32' },
    { name: 'stats', access: 'read_write' },
  ],
  uniforms: { batch: 'u32', classes: 'u32' },
  declarations: REDUCE_WGSL,
  body: /* wgsl */ `
  var hits = 0.0;
  if (u.classes > 0u) {
    for (var n = lindex; n < u.batch; n += ${REDUCE_THREADS}u) {
      let base = n * u.classes;
      var best = 0u;
      for (var k = 1u; k < u.classes; k++) {
        if (logits[base + k] > logits[base + best]) { best = k; }
      }
      hits += select(0.0, 1.0, i32(best) == targets[n]);
    }
  }
  let total = workgroupSum(lindex, hits);
  if (lindex == 0u) {
    stats[0] = stats[0] + loss[0] * f32(u.batch);
    stats[1] = stats[1] + total;
  }`,
};

/** Adds a step's loss (times its batch) and, for `classes` > 0, its correct predictions to `stats` [2]. */
export const accumulateEpoch = (
  runner: GpuRunner,
  loss: GPUBuffer,
  logits: GPUBuffer | null,
  targets: GPUBuffer | null,
  stats: GPUBuffer,
  batch: number,
  classes: number,
): void =>
  runner.dispatch(
    accumulateEpochProgram,
    { loss, logits: logits ?? runner.placeholder, targets: targets ?? runner.placeholder, stats },
    { batch, classes: logits && targets ? classes : 0 },
    [1, 1, 1],
  );

/** Throws the CPU's RangeError for a target outside [0, classes). */
export const checkTargets = (targets: Int32Array, batch: number, classes: number): void => {
  for (let n = 0; n < batch; n++) {
    const target = targets[n];
    if (!(target >= 0 && target < classes)) {
      throw new RangeError(`sample ${n} has class ${target}, but the classification head has classes 0 to ${classes - 1}`);
    }
  }
};

/**
 * Records the mean softmax cross-entropy of `batch` rows of logits into loss[0], the per-sample
 * losses into `losses`, and (when given) the gradient of the mean into `gradient`.
 */
export const softmaxCrossEntropy = (
  runner: GpuRunner,
  logits: GPUBuffer,
  targets: GPUBuffer,
  gradient: GPUBuffer | null,
  losses: GPUBuffer,
  loss: GPUBuffer,
  batch: number,
  classes: number,
  labelSmoothing = 0,
): void => {
  if (batch <= 0) return;
  const off = labelSmoothing / classes;
  const uniforms = { batch, classes, smoothing: labelSmoothing, off, on: 1 - labelSmoothing + off };
  const program = softmaxCrossEntropyProgram(gradient !== null);
  runner.dispatch(
    program,
    gradient ? { logits, targets, losses, gradient } : { logits, targets, losses },
    uniforms,
    grid1D(batch, WORKGROUP),
  );
  runner.dispatch(meanProgram, { values: losses, result: loss }, { count: batch }, [1, 1, 1]);
};
