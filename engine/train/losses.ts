/**
 * Loss functions on a batch of predictions (the head's input: raw scores, not probabilities)
 * and its targets. Each returns the mean loss over the batch and, when given a buffer, writes
 * the gradient of that mean with respect to the predictions into it (overwriting, not adding:
 * it is the start of the backward pass). Definitions and reductions are PyTorch's defaults:
 *
 * - classification: CrossEntropyLoss(label_smoothing=ε) on logits, mean over samples;
 * - regression and image intensities: MSELoss, mean over every element;
 * - binary answers and image masks: BCEWithLogitsLoss, mean over every element.
 */
import type { Floats } from '../backends/cpu/types';
import type { LayerType } from '../graph/layer-types';

/**
 * Softmax cross-entropy of `batch` rows of `classes` logits against integer class targets.
 * With label smoothing ε the target distribution is q_k = ε/K + (1 − ε)·[k = target], so the
 * loss is (1 − ε)·(−log p_target) + ε/K·Σ_k (−log p_k), and its gradient (p − q)/batch.
 * Throws a RangeError for a target outside [0, classes).
 */
export const softmaxCrossEntropy = (
  logits: Floats,
  targets: Int32Array,
  gradient: Floats | null,
  batch: number,
  classes: number,
  labelSmoothing = 0,
): number => {
  const off = labelSmoothing / classes;
  const on = 1 - labelSmoothing + off;
  let total = 0;
  for (let n = 0; n < batch; n++) {
    const target = targets[n];
    if (!(target >= 0 && target < classes)) {
      throw new RangeError(`sample ${n} has class ${target}, but the classification head has classes 0 to ${classes - 1}`);
    }
    const base = n * classes;
    let max = -Infinity;
    for (let k = 0; k < classes; k++) if (logits[base + k] > max) max = logits[base + k];
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[base + k] - max);
    const logSum = max + Math.log(sum);
    // −Σ_k q_k·log p_k with log p_k = x_k − logSum and Σ_k q_k = 1.
    let loss = logSum - (1 - labelSmoothing) * logits[base + target];
    if (labelSmoothing > 0) {
      let sumLogits = 0;
      for (let k = 0; k < classes; k++) sumLogits += logits[base + k];
      loss -= off * sumLogits;
    }
    total += loss;
    if (gradient) {
      for (let k = 0; k < classes; k++) {
        const p = Math.exp(logits[base + k] - logSum);
        gradient[base + k] = (p - (k === target ? on : off)) / batch;
      }
    }
  }
  return total / batch;
};

/** Mean squared error over the first `count` elements: Σ(p − t)²/count; gradient 2(p − t)/count. */
export const meanSquaredError = (predictions: Floats, targets: Floats, gradient: Floats | null, count = predictions.length): number => {
  let total = 0;
  for (let i = 0; i < count; i++) {
    const d = predictions[i] - targets[i];
    total += d * d;
    if (gradient) gradient[i] = (2 * d) / count;
  }
  return total / count;
};

/**
 * Binary cross-entropy of sigmoid(logits) against targets in [0, 1] over the first `count`
 * elements, computed stably from the logits: max(x, 0) − x·t + log(1 + e^−|x|); gradient
 * (σ(x) − t)/count.
 */
export const binaryCrossEntropyWithLogits = (logits: Floats, targets: Floats, gradient: Floats | null, count = logits.length): number => {
  let total = 0;
  for (let i = 0; i < count; i++) {
    const x = logits[i];
    const t = targets[i];
    const e = Math.exp(-Math.abs(x));
    total += Math.max(x, 0) - x * t + Math.log1p(e);
    if (gradient) {
      const sigmoid = x >= 0 ? 1 / (1 + e) : e / (1 + e);
      gradient[i] = (sigmoid - t) / count;
    }
  }
  return total / count;
};

/** Per-pixel losses of image heads: the same functions, over every pixel of every channel and sample. */
export const imageMeanSquaredError = meanSquaredError;
export const imageBinaryCrossEntropy = binaryCrossEntropyWithLogits;

export type HeadType = 'ClassificationHead' | 'RegressionHead' | 'BinaryHead' | 'ImageHead';

export const isHeadType = (type: LayerType): type is HeadType =>
  type === 'ClassificationHead' || type === 'RegressionHead' || type === 'BinaryHead' || type === 'ImageHead';

export interface HeadLoss {
  readonly name: 'cross-entropy' | 'mse' | 'bce';
  /** 'classes': one class index per sample (Int32Array); 'values': one target per prediction. */
  readonly targets: 'classes' | 'values';
  /**
   * The mean loss of a batch; overwrites `gradient` (the head's output gradient) when given.
   * Reads batch × (values per sample) predictions: classes or outputs from the head's params,
   * or for an image head predictions.length / batch.
   */
  compute(predictions: Floats, targets: Floats | Int32Array, gradient: Floats | null, batch: number): number;
}

const classTargets = (targets: Floats | Int32Array): Int32Array => {
  if (!(targets instanceof Int32Array)) throw new TypeError('a classification head needs integer class targets (an Int32Array)');
  return targets;
};

const valueTargets = (targets: Floats | Int32Array): Floats => {
  if (targets instanceof Int32Array)
    throw new TypeError('this head needs real-valued targets (a Float32Array or Float64Array), not class indices');
  return targets;
};

/** The loss a head trains with, from its canonical params. Throws for a type that is not a head. */
export const lossForHead = (headType: LayerType, params: Readonly<Record<string, unknown>>): HeadLoss => {
  switch (headType) {
    case 'ClassificationHead': {
      const classes = params.classes as number;
      const smoothing = (params.labelSmoothing as number | undefined) ?? 0;
      return {
        name: 'cross-entropy',
        targets: 'classes',
        compute: (predictions, targets, gradient, batch) =>
          softmaxCrossEntropy(predictions, classTargets(targets), gradient, batch, classes, smoothing),
      };
    }
    case 'RegressionHead':
    case 'BinaryHead': {
      const outputs = params.outputs as number;
      const loss = headType === 'RegressionHead' ? meanSquaredError : binaryCrossEntropyWithLogits;
      return {
        name: headType === 'RegressionHead' ? 'mse' : 'bce',
        targets: 'values',
        compute: (predictions, targets, gradient, batch) => loss(predictions, valueTargets(targets), gradient, batch * outputs),
      };
    }
    case 'ImageHead': {
      const bce = params.loss === 'bce';
      const loss = bce ? imageBinaryCrossEntropy : imageMeanSquaredError;
      return {
        name: bce ? 'bce' : 'mse',
        targets: 'values',
        compute: (predictions, targets, gradient, batch) => {
          const size = predictions.length / batch;
          if (!Number.isInteger(size)) throw new RangeError(`${predictions.length} predictions do not split into ${batch} images`);
          return loss(predictions, valueTargets(targets), gradient, batch * size);
        },
      };
    }
    default:
      throw new Error(`${headType} is not an output head, so it has no loss`);
  }
};
