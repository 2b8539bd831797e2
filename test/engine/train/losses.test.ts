/**
 * Losses (values against naive definitions, gradients by finite differences, stability) and
 * classification metrics on constructed batches.
 */
import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropyWithLogits,
  imageBinaryCrossEntropy,
  imageMeanSquaredError,
  lossForHead,
  meanSquaredError,
  softmaxCrossEntropy,
} from '../../../engine/train/losses';
import { ClassificationAccumulator, accuracy, confusionMatrix, perClassAccuracy, topKAccuracy } from '../../../engine/train/metrics';
import { seededRandom } from '../backends/cpu/harness';

const randomArray = (length: number, seed: number, scale = 1, offset = 0): Float64Array => {
  const random = seededRandom(seed);
  return Float64Array.from({ length }, () => (random() * 2 - 1) * scale + offset);
};

/** Central differences of `loss` at every entry of `values`, against `gradient`. */
const checkLossGradient = (values: Float64Array, gradient: ArrayLike<number>, loss: () => number, tolerance = 1e-7): void => {
  const epsilon = 1e-6;
  for (let i = 0; i < values.length; i++) {
    const original = values[i];
    values[i] = original + epsilon;
    const plus = loss();
    values[i] = original - epsilon;
    const minus = loss();
    values[i] = original;
    const numeric = (plus - minus) / (2 * epsilon);
    expect(Math.abs(numeric - gradient[i]), `[${i}]: analytic ${gradient[i]} vs numeric ${numeric}`).toBeLessThan(
      tolerance * Math.max(1, Math.abs(numeric)),
    );
  }
};

const logSoftmax = (row: number[]): number[] => {
  const sum = row.reduce((total, x) => total + Math.exp(x), 0);
  return row.map((x) => Math.log(Math.exp(x) / sum));
};

/** PyTorch's CrossEntropyLoss(label_smoothing=ε), written out: mean over samples of −Σ_k q_k log p_k. */
const naiveCrossEntropy = (logits: Float64Array, targets: Int32Array, classes: number, epsilon: number): number => {
  let total = 0;
  for (let n = 0; n < targets.length; n++) {
    const logp = logSoftmax(Array.from(logits.subarray(n * classes, (n + 1) * classes)));
    const nll = -logp[targets[n]];
    const smooth = -logp.reduce((sum, value) => sum + value, 0) / classes;
    total += (1 - epsilon) * nll + epsilon * smooth;
  }
  return total / targets.length;
};

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('softmax cross-entropy', () => {
  const batch = 5;
  const classes = 4;
  const targets = Int32Array.of(0, 3, 1, 1, 2);

  it.each([0, 0.1, 0.5, 0.9])('matches the definition and its finite differences, label smoothing %s', (smoothing) => {
    const logits = randomArray(batch * classes, 3, 3);
    const gradient = new Float64Array(logits.length).fill(Number.NaN);
    const loss = softmaxCrossEntropy(logits, targets, gradient, batch, classes, smoothing);
    expect(loss).toBeCloseTo(naiveCrossEntropy(logits, targets, classes, smoothing), 12);
    checkLossGradient(logits, gradient, () => softmaxCrossEntropy(logits, targets, null, batch, classes, smoothing));
  });

  it('is −log p(target) without smoothing, and stable for huge logits', () => {
    const logits = Float64Array.of(1000, -1000, 0, -1000, 1000, 0);
    const gradient = new Float64Array(6);
    const loss = softmaxCrossEntropy(logits, Int32Array.of(0, 0), gradient, 2, 3);
    expect(loss).toBeCloseTo((0 + 2000) / 2, 9);
    expect(Array.from(gradient).every(Number.isFinite)).toBe(true);
    expect(gradient[0]).toBeCloseTo(0, 12);
    expect(gradient[3]).toBeCloseTo(-1 / 2, 12);
    expect(gradient[4]).toBeCloseTo(1 / 2, 12);
  });

  it('rejects a class outside the head', () => {
    expect(() => softmaxCrossEntropy(new Float64Array(6), Int32Array.of(0, 3), null, 2, 3)).toThrow(RangeError);
    expect(() => softmaxCrossEntropy(new Float64Array(6), Int32Array.of(-1, 0), null, 2, 3)).toThrow(/class -1/);
  });

  it('works on float32 logits', () => {
    const logits = randomArray(batch * classes, 9, 2);
    const loss64 = softmaxCrossEntropy(logits, targets, null, batch, classes, 0.1);
    const loss32 = softmaxCrossEntropy(Float32Array.from(logits), targets, null, batch, classes, 0.1);
    expect(Math.abs(loss32 - loss64)).toBeLessThan(1e-6);
  });
});

describe('mean squared error', () => {
  it('is the mean over every element, with the gradient of that mean', () => {
    const predictions = randomArray(12, 4, 2);
    const targets = randomArray(12, 5, 2);
    const gradient = new Float64Array(12).fill(Number.NaN);
    const loss = meanSquaredError(predictions, targets, gradient);
    expect(loss).toBeCloseTo(predictions.reduce((sum, p, i) => sum + (p - targets[i]) ** 2, 0) / 12, 12);
    checkLossGradient(predictions, gradient, () => meanSquaredError(predictions, targets, null));
    expect(imageMeanSquaredError).toBe(meanSquaredError);
  });

  it('reads only the first `count` elements', () => {
    const predictions = Float64Array.of(1, 2, 100);
    const gradient = Float64Array.of(7, 7, 7);
    expect(meanSquaredError(predictions, Float64Array.of(0, 0, 0), gradient, 2)).toBeCloseTo(2.5, 12);
    expect(Array.from(gradient)).toEqual([1, 2, 7]);
  });
});

describe('binary cross-entropy with logits', () => {
  it('matches −[t·log σ(x) + (1 − t)·log(1 − σ(x))] and its finite differences', () => {
    const logits = randomArray(15, 6, 4);
    const targets = randomArray(15, 7, 0.5, 0.5);
    targets[0] = 0;
    targets[1] = 1;
    const gradient = new Float64Array(15).fill(Number.NaN);
    const loss = binaryCrossEntropyWithLogits(logits, targets, gradient);
    const naive =
      logits.reduce((sum, x, i) => sum - (targets[i] * Math.log(sigmoid(x)) + (1 - targets[i]) * Math.log(1 - sigmoid(x))), 0) / 15;
    expect(loss).toBeCloseTo(naive, 12);
    checkLossGradient(logits, gradient, () => binaryCrossEntropyWithLogits(logits, targets, null));
    expect(imageBinaryCrossEntropy).toBe(binaryCrossEntropyWithLogits);
  });

  it('is stable for huge logits, where the naive form gives infinities', () => {
    const gradient = new Float64Array(4);
    const loss = binaryCrossEntropyWithLogits(Float64Array.of(800, -800, 800, -800), Float64Array.of(1, 0, 0, 1), gradient);
    expect(loss).toBeCloseTo((0 + 0 + 800 + 800) / 4, 9);
    expect(Array.from(gradient)).toEqual([0, 0, 1 / 4, -1 / 4]);
  });
});

describe('lossForHead', () => {
  it('gives cross-entropy with label smoothing to a classification head', () => {
    const loss = lossForHead('ClassificationHead', { classes: 3, labelSmoothing: 0.2 });
    expect([loss.name, loss.targets]).toEqual(['cross-entropy', 'classes']);
    const logits = randomArray(6, 8);
    const targets = Int32Array.of(2, 0);
    const gradient = new Float64Array(6);
    const expected = new Float64Array(6);
    expect(loss.compute(logits, targets, gradient, 2)).toBe(softmaxCrossEntropy(logits, targets, expected, 2, 3, 0.2));
    expect(gradient).toEqual(expected);
    expect(() => loss.compute(logits, new Float64Array(2), null, 2)).toThrow(TypeError);
  });

  it('gives MSE to regression and BCE to binary heads, over batch × outputs', () => {
    const predictions = randomArray(8, 10, 2);
    const targets = randomArray(8, 11, 0.5, 0.5);
    const regression = lossForHead('RegressionHead', { outputs: 2 });
    const binary = lossForHead('BinaryHead', { outputs: 2 });
    expect([regression.name, binary.name]).toEqual(['mse', 'bce']);
    expect(regression.compute(predictions, targets, null, 3)).toBe(meanSquaredError(predictions, targets, null, 6));
    expect(binary.compute(predictions, targets, null, 4)).toBe(binaryCrossEntropyWithLogits(predictions, targets, null, 8));
    expect(() => regression.compute(predictions, new Int32Array(8), null, 4)).toThrow(TypeError);
  });

  it('gives per-pixel MSE or BCE to an image head', () => {
    const predictions = randomArray(2 * 3 * 4 * 4, 12, 2);
    const targets = randomArray(predictions.length, 13, 0.5, 0.5);
    const gradient = new Float64Array(predictions.length);
    for (const kind of ['mse', 'bce'] as const) {
      const loss = lossForHead('ImageHead', { loss: kind, matchInputSize: true });
      expect(loss.name).toBe(kind);
      const value = loss.compute(predictions, targets, gradient, 2);
      const reference = kind === 'mse' ? meanSquaredError : binaryCrossEntropyWithLogits;
      expect(value).toBe(reference(predictions, targets, null));
      checkLossGradient(predictions, gradient, () => loss.compute(predictions, targets, null, 2));
    }
    expect(() => lossForHead('ImageHead', { loss: 'mse' }).compute(predictions, targets, null, 5)).toThrow(RangeError);
  });

  it('refuses a layer that is not a head', () => {
    expect(() => lossForHead('Conv2D', {})).toThrow(/not an output head/);
  });
});

// ---------------------------------------------------------------- metrics

describe('classification metrics', () => {
  // 6 samples, 4 classes. Predicted (first maximum): 1, 1, 2, 0, 3, 0 (the last row ties 0 and 2).
  const logits = Float64Array.of(
    ...[0.1, 0.9, 0.3, 0.2], // target 1: correct
    ...[0.5, 2.0, 1.0, -1], // target 2: wrong, second
    ...[0.0, 0.1, 3.0, 0.2], // target 2: correct
    ...[4.0, 1.0, 2.0, 3.0], // target 3: wrong, second
    ...[0.0, 1.0, 2.0, 5.0], // target 0: wrong, fourth
    ...[1.0, 0.0, 1.0, 0.0], // target 2: wrong, second (ties rank by index)
  );
  const targets = Int32Array.of(1, 2, 2, 3, 0, 2);

  it('computes accuracy and top-k accuracy', () => {
    expect(accuracy(logits, targets, 6, 4)).toBeCloseTo(2 / 6, 15);
    expect(topKAccuracy(logits, targets, 6, 4, 1)).toBeCloseTo(2 / 6, 15);
    expect(topKAccuracy(logits, targets, 6, 4, 2)).toBeCloseTo(5 / 6, 15);
    expect(topKAccuracy(logits, targets, 6, 4, 3)).toBeCloseTo(5 / 6, 15);
    expect(topKAccuracy(logits, targets, 6, 4, 4)).toBe(1);
  });

  it('computes the confusion matrix (row: true class, column: predicted) and per-class accuracy', () => {
    expect(Array.from(confusionMatrix(logits, targets, 6, 4))).toEqual([
      ...[0, 0, 0, 1], // class 0: predicted 3
      ...[0, 1, 0, 0], // class 1: predicted 1
      ...[1, 1, 1, 0], // class 2: predicted 1, 2, 0
      ...[1, 0, 0, 0], // class 3: predicted 0
    ]);
    const perClass = perClassAccuracy(logits, targets, 6, 4);
    expect(Array.from(perClass)).toEqual([0, 1, 1 / 3, 0]);
    expect(perClassAccuracy(logits.subarray(0, 4), targets.subarray(0, 1), 1, 4)[0]).toBeNaN();
  });

  it('counts a NaN score as the largest, so a diverged network scores no hits', () => {
    const broken = Float64Array.of(Number.NaN, 1, 2, 0, Number.NaN, 3);
    expect(accuracy(broken, Int32Array.of(2, 2), 2, 3)).toBe(0);
    expect(Array.from(confusionMatrix(broken, Int32Array.of(2, 2), 2, 3))).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 0]);
  });

  it('accumulates over batches to the same values as one big batch', () => {
    const accumulator = new ClassificationAccumulator(4, 2);
    expect(accumulator.result().accuracy).toBeNaN();
    accumulator.add(logits.subarray(0, 12), targets.subarray(0, 3), 3);
    accumulator.add(logits.subarray(12), targets.subarray(3), 3);
    const result = accumulator.result();
    expect(result.samples).toBe(6);
    expect(result.accuracy).toBeCloseTo(accuracy(logits, targets, 6, 4), 15);
    expect(result.k).toBe(2);
    expect(result.topKAccuracy).toBeCloseTo(topKAccuracy(logits, targets, 6, 4, 2), 15);
    expect(result.perClass).toEqual(perClassAccuracy(logits, targets, 6, 4));
    expect(result.confusion).toEqual(confusionMatrix(logits, targets, 6, 4));
    accumulator.reset();
    expect(accumulator.result().samples).toBe(0);
    expect(new ClassificationAccumulator(3, 10).result().k).toBe(3);
  });

  it('rejects a class outside the head', () => {
    expect(() => accuracy(logits, Int32Array.of(1, 2, 2, 3, 0, 4), 6, 4)).toThrow(RangeError);
  });
});
