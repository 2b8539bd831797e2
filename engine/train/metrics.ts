/**
 * Classification metrics from logits (batch × classes, row-major) and integer targets: accuracy,
 * top-k accuracy, per-class accuracy and the confusion matrix. Pure functions, and an
 * accumulator that the trainer feeds batch by batch over an epoch.
 *
 * The predicted class is the first index of the largest score (as torch.argmax; a NaN score
 * counts as the largest, so a diverged network does not look accurate). Top-k ranks ties the
 * same way: a class ranks before the target when its score is greater, or equal at a lower index.
 */
import type { Floats } from '../backends/cpu/types';

/** a ranks above b: greater, with NaN above every number. */
const above = (a: number, b: number): boolean => (Number.isNaN(a) ? !Number.isNaN(b) : a > b);
const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** The predicted class of row `n`. */
export const argmaxRow = (logits: Floats, n: number, classes: number): number => {
  const base = n * classes;
  let best = 0;
  for (let k = 1; k < classes; k++) if (above(logits[base + k], logits[base + best])) best = k;
  return best;
};

/** How many classes rank before the target in row `n` (0 when the target is the prediction). */
export const targetRank = (logits: Floats, n: number, classes: number, target: number): number => {
  const base = n * classes;
  const score = logits[base + target];
  let rank = 0;
  for (let k = 0; k < classes; k++) {
    const other = logits[base + k];
    if (above(other, score) || (k < target && same(other, score))) rank++;
  }
  return rank;
};

const checkTarget = (target: number, n: number, classes: number): void => {
  if (!(target >= 0 && target < classes)) throw new RangeError(`sample ${n} has class ${target}, outside 0 to ${classes - 1}`);
};

/** The fraction of samples whose predicted class is the target (NaN for an empty batch). */
export const accuracy = (logits: Floats, targets: Int32Array, batch: number, classes: number): number =>
  topKAccuracy(logits, targets, batch, classes, 1);

/** The fraction of samples whose target is among the k highest scores (NaN for an empty batch). */
export const topKAccuracy = (logits: Floats, targets: Int32Array, batch: number, classes: number, k: number): number => {
  let hits = 0;
  for (let n = 0; n < batch; n++) {
    checkTarget(targets[n], n, classes);
    if (targetRank(logits, n, classes, targets[n]) < k) hits++;
  }
  return hits / batch;
};

/** classes × classes counts, row-major: entry [t·classes + p] counts samples of class t predicted as p. */
export const confusionMatrix = (logits: Floats, targets: Int32Array, batch: number, classes: number): Int32Array => {
  const counts = new Int32Array(classes * classes);
  addToConfusion(counts, logits, targets, batch, classes);
  return counts;
};

const addToConfusion = (counts: Int32Array, logits: Floats, targets: Int32Array, batch: number, classes: number): void => {
  for (let n = 0; n < batch; n++) {
    checkTarget(targets[n], n, classes);
    counts[targets[n] * classes + argmaxRow(logits, n, classes)]++;
  }
};

/** Per class, the fraction of its samples predicted correctly (its recall): the diagonal over the row sums; NaN for an absent class. */
export const perClassFromConfusion = (counts: Int32Array, classes: number): Float64Array => {
  const result = new Float64Array(classes);
  for (let t = 0; t < classes; t++) {
    let total = 0;
    for (let p = 0; p < classes; p++) total += counts[t * classes + p];
    result[t] = total === 0 ? NaN : counts[t * classes + t] / total;
  }
  return result;
};

export const perClassAccuracy = (logits: Floats, targets: Int32Array, batch: number, classes: number): Float64Array =>
  perClassFromConfusion(confusionMatrix(logits, targets, batch, classes), classes);

export interface ClassificationMetrics {
  readonly samples: number;
  /** Fraction correct; NaN before any sample. */
  readonly accuracy: number;
  /** The k of `topKAccuracy` (at most the number of classes). */
  readonly k: number;
  readonly topKAccuracy: number;
  /** Per class, the fraction of its samples predicted correctly; NaN for a class not seen. */
  readonly perClass: Float64Array;
  /** classes × classes, row = true class, column = predicted class. */
  readonly confusion: Int32Array;
}

/** Accumulates classification metrics over the batches of an epoch. */
export class ClassificationAccumulator {
  private readonly confusion: Int32Array;
  private readonly k: number;
  private samples = 0;
  private topKHits = 0;

  constructor(
    readonly classes: number,
    topK = 5,
  ) {
    this.confusion = new Int32Array(classes * classes);
    this.k = Math.min(Math.max(1, Math.floor(topK)), classes);
  }

  /** Adds a batch: `batch` rows of `classes` logits and their targets. */
  add(batchLogits: Floats, targets: Int32Array, batch: number): void {
    const { classes } = this;
    addToConfusion(this.confusion, batchLogits, targets, batch, classes);
    for (let n = 0; n < batch; n++) if (targetRank(batchLogits, n, classes, targets[n]) < this.k) this.topKHits++;
    this.samples += batch;
  }

  result(): ClassificationMetrics {
    const { classes, samples } = this;
    let correct = 0;
    for (let c = 0; c < classes; c++) correct += this.confusion[c * classes + c];
    return {
      samples,
      accuracy: correct / samples,
      k: this.k,
      topKAccuracy: this.topKHits / samples,
      perClass: perClassFromConfusion(this.confusion, classes),
      confusion: this.confusion.slice(),
    };
  }

  reset(): void {
    this.confusion.fill(0);
    this.samples = 0;
    this.topKHits = 0;
  }
}
