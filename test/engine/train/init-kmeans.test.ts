// Filters from k-means on image patches (Coates, Lee & Ng 2011): the Jacobi eigen-solver, ZCA
// whitening, spherical k-means, and LeNet's conv1 learned from MNIST patches.
import { beforeAll, describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import type { ByteImageDataset } from '../../../engine/data/dataset';
import { findTemplate } from '../../../engine/graph/templates';
import { GraphBuilder } from '../../../engine/graph/templates/builder';
import {
  initialiseConvFromPatches,
  kmeansFilters,
  normalisePatches,
  PatchInitError,
  samplePatches,
  sphericalKmeans,
  whiten,
} from '../../../engine/train/init-kmeans';
import { covariance, symmetricEigen } from '../../../engine/train/linalg';
import { compileModel } from '../../../engine/train/plan';
import { Random } from '../../../engine/train/random';
import { Trainer } from '../../../engine/train/trainer';
import { loadMnist } from '../../../electron/services/datasets/mnist';

let train: ByteImageDataset;
beforeAll(() => {
  train = loadMnist('train').take(2000);
});

const randomSymmetric = (n: number, random: Random): Float64Array => {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const value = random.normal();
      a[i * n + j] = value;
      a[j * n + i] = value;
    }
  }
  return a;
};

const maxAbs = (values: ArrayLike<number>): number => Array.from(values).reduce((max, value) => Math.max(max, Math.abs(value)), 0);

/** max |A − U·diag(λ)·Uᵀ| and max |UᵀU − I|. */
const eigenErrors = (a: Float64Array, n: number) => {
  const { values, vectors: u } = symmetricEigen(a, n);
  let reconstruction = 0;
  let orthonormality = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let product = 0;
      let gram = 0;
      for (let k = 0; k < n; k++) {
        product += u[i * n + k] * values[k] * u[j * n + k];
        gram += u[k * n + i] * u[k * n + j];
      }
      reconstruction = Math.max(reconstruction, Math.abs(product - a[i * n + j]));
      orthonormality = Math.max(orthonormality, Math.abs(gram - (i === j ? 1 : 0)));
    }
  }
  return { values, reconstruction, orthonormality };
};

describe('the Jacobi eigen-solver', () => {
  it('decomposes random symmetric matrices: A = UΛUᵀ with U orthonormal and λ largest first', () => {
    const random = new Random(11);
    for (const n of [1, 2, 3, 10, 25, 75, 150]) {
      const a = randomSymmetric(n, random);
      const { values, reconstruction, orthonormality } = eigenErrors(a, n);
      expect(reconstruction, `n = ${n}`).toBeLessThan(1e-10 * Math.max(1, maxAbs(a)) * n);
      expect(orthonormality, `n = ${n}`).toBeLessThan(1e-12 * n);
      for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
      let trace = 0;
      for (let i = 0; i < n; i++) trace += a[i * n + i];
      expect(values.reduce((sum, value) => sum + value, 0)).toBeCloseTo(trace, 9);
    }
  });

  it('handles repeated and zero eigenvalues (a covariance of mean-free patches has one)', () => {
    const n = 8;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = (i === j ? 1 : 0) - 1 / n; // I − 11ᵀ/n
    const { values, reconstruction, orthonormality } = eigenErrors(a, n);
    expect(reconstruction).toBeLessThan(1e-12);
    expect(orthonormality).toBeLessThan(1e-12);
    for (let k = 0; k < n - 1; k++) expect(values[k]).toBeCloseTo(1, 12);
    expect(values[n - 1]).toBeCloseTo(0, 12);
    expect(symmetricEigen(new Float64Array(9), 3).values).toEqual(new Float64Array(3));
  });
});

/** Covariance (divided by count) of rows. */
const covarianceOf = (rows: Float64Array, count: number, dim: number) => covariance(rows, count, dim).covariance;

describe('ZCA whitening', () => {
  it('makes the covariance of correlated data the identity', () => {
    const random = new Random(5);
    const dim = 12;
    const count = 4000;
    const mixing = randomSymmetric(dim, random);
    const rows = new Float64Array(count * dim);
    for (let i = 0; i < count; i++) {
      const z = Array.from({ length: dim }, () => random.normal());
      for (let j = 0; j < dim; j++) for (let k = 0; k < dim; k++) rows[i * dim + j] += mixing[j * dim + k] * z[k] + 3;
    }
    expect(maxAbs(covarianceOf(rows, count, dim).map((value, index) => value - (index % (dim + 1) === 0 ? 1 : 0)))).toBeGreaterThan(0.5);
    const { whitened } = whiten(rows, count, dim, 1e-12);
    const after = covarianceOf(whitened, count, dim);
    expect(maxAbs(after.map((value, index) => value - (index % (dim + 1) === 0 ? 1 : 0)))).toBeLessThan(1e-8);
  });

  it('makes the covariance of normalised MNIST patches the identity, but for the all-ones direction', () => {
    const dim = 25;
    const { rows, count, flatRejected } = samplePatches(train, { channels: 1, kernelH: 5, kernelW: 5, patches: 5000 }, new Random(3));
    expect(count).toBe(5000);
    expect(flatRejected).toBeGreaterThan(1000); // most of a digit's image is background
    normalisePatches(rows, count, dim);
    // Each patch has mean 0, so the ones direction has no variance to whiten: the result is I − 11ᵀ/25.
    const { whitened, eigenvalues } = whiten(rows, count, dim, 1e-7);
    expect(eigenvalues[dim - 1]).toBeCloseTo(0, 10);
    expect(eigenvalues[dim - 2]).toBeGreaterThan(1e-3);
    const after = covarianceOf(whitened, count, dim);
    expect(maxAbs(after.map((value, index) => value - (index % (dim + 1) === 0 ? 1 : 0) + 1 / dim))).toBeLessThan(1e-3);
  });
});

describe('spherical k-means', () => {
  it('never lowers the mean best cosine, with either assignment', () => {
    const dim = 25;
    const { rows, count } = samplePatches(train, { channels: 1, kernelH: 5, kernelW: 5, patches: 4000 }, new Random(8));
    normalisePatches(rows, count, dim);
    const { whitened } = whiten(rows, count, dim);
    for (const assignment of ['absolute', 'signed'] as const) {
      const result = sphericalKmeans(whitened, count, dim, 16, { iterations: 12, random: new Random(1), assignment });
      const similarity = result.meanSimilarity;
      expect(similarity).toHaveLength(13);
      for (let i = 1; i < similarity.length; i++)
        expect(similarity[i], `${assignment}, iteration ${i}`).toBeGreaterThanOrEqual(similarity[i - 1] - 1e-12);
      expect(similarity[12]).toBeGreaterThan(similarity[0] + 0.05);
      expect(result.clusterSizes.reduce((a, b) => a + b, 0)).toBe(count);
    }
  });

  it('re-seeds empty clusters from random patches', () => {
    // Three directions, five clusters: duplicate seeds leave clusters empty.
    const dim = 3;
    const count = 30;
    const rows = new Float64Array(count * dim);
    for (let i = 0; i < count; i++) rows[i * dim + (i % 3)] = 1 + i;
    const result = sphericalKmeans(rows, count, dim, 5, { iterations: 4, random: new Random(2) });
    expect(result.reseeded).toBeGreaterThan(0);
    expect(result.meanSimilarity[4]).toBeCloseTo(1, 12);
    for (let i = 1; i < 5; i++) expect(result.meanSimilarity[i]).toBeGreaterThanOrEqual(result.meanSimilarity[i - 1] - 1e-12);
  });

  it('is deterministic: the same seed gives the same filters, another seed others', () => {
    const options = { channels: 1, kernelH: 5, kernelW: 5, filters: 8, patches: 3000, iterations: 5 };
    const first = kmeansFilters(train, { ...options, seed: 4 });
    expect(kmeansFilters(train, { ...options, seed: 4 })).toEqual(first);
    expect(kmeansFilters(train, { ...options, seed: 5 }).filters).not.toEqual(first.filters);
  });
});

/** Mean over filters of the gradient structure tensor's coherence (λ₁ − λ₂)/(λ₁ + λ₂): 1 for a perfectly oriented filter. */
const coherence = (filters: ArrayLike<number>, count: number, size: number): number => {
  let total = 0;
  for (let f = 0; f < count; f++) {
    const at = (y: number, x: number) => filters[(f * size + y) * size + x];
    let xx = 0;
    let yy = 0;
    let xy = 0;
    for (let y = 0; y + 1 < size; y++) {
      for (let x = 0; x + 1 < size; x++) {
        const gx = (at(y, x + 1) - at(y, x) + at(y + 1, x + 1) - at(y + 1, x)) / 2;
        const gy = (at(y + 1, x) - at(y, x) + at(y + 1, x + 1) - at(y, x + 1)) / 2;
        xx += gx * gx;
        yy += gy * gy;
        xy += gx * gy;
      }
    }
    total += Math.sqrt((xx - yy) ** 2 + 4 * xy * xy) / (xx + yy);
  }
  return total / count;
};

/** Mean over filters of the lag-1 spatial autocorrelation (horizontal and vertical neighbours). */
const autocorrelation = (filters: ArrayLike<number>, count: number, size: number): number => {
  let total = 0;
  for (let f = 0; f < count; f++) {
    const at = (y: number, x: number) => filters[(f * size + y) * size + x];
    let neighbours = 0;
    let squares = 0;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        squares += at(y, x) ** 2;
        if (x + 1 < size) neighbours += at(y, x) * at(y, x + 1);
        if (y + 1 < size) neighbours += at(y, x) * at(y + 1, x);
      }
    }
    total += neighbours / (2 * squares);
  }
  return total / count;
};

describe("LeNet's conv1 from MNIST patches", () => {
  it('learns oriented, He-scaled filters, and the network trains from them', () => {
    const model = compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS);
    const trainer = new Trainer(
      model,
      { epochs: 1, batchSize: 32, learningRate: 0.05, optimizer: { kind: 'sgd', momentum: 0.9 }, seed: 1 },
      train,
    );
    trainer.initialiseWeights();
    const bias = model.weights.get('conv1.bias')!;
    bias.fill(0.5);
    const progress: number[] = [];
    const report = initialiseConvFromPatches(model, 'conv1', train, { seed: 1, onProgress: (fraction) => progress.push(fraction) });
    expect(report).toMatchObject({ nodeId: 'conv1', filters: 6, kernel: [5, 5], channels: 1, patches: 10_000, iterations: 10 });
    expect(report.meanSimilarity).toHaveLength(11);
    expect(report.clusterSizes.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(progress[0]).toBe(0);
    expect(progress[progress.length - 1]).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
    expect(bias).toEqual(new Float32Array(6));

    // He's scale: each filter has mean 0 and norm √2, so its elements have variance 2/fanIn.
    const weight = model.weights.get('conv1.weight')!;
    for (let f = 0; f < 6; f++) {
      const filter = weight.subarray(f * 25, (f + 1) * 25);
      expect(filter.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
      expect(filter.reduce((a, b) => a + b * b, 0)).toBeCloseTo(2, 5);
    }
    // Strokes and edges have one orientation and vary smoothly along it; He's noise has neither.
    // Orientation is the strong signal (coherence ≈ 0.55–0.8 over seeds 1–20, He's ≈ 0.31). The
    // filters are W·c, and W amplifies exactly the high frequencies that whitening flattened, so
    // they are much less smooth than the centroids c themselves: autocorrelation ≈ 0.05–0.19
    // over seeds 1–20 against He's ≈ 0 (the centroids': ≈ 0.37).
    const random = new Random(9);
    const he = Float64Array.from({ length: 600 * 25 }, () => random.normal() * Math.sqrt(2 / 25));
    expect(coherence(weight, 6, 5)).toBeGreaterThan(coherence(he, 600, 5) + 0.2);
    expect(autocorrelation(weight, 6, 5)).toBeGreaterThan(autocorrelation(he, 600, 5) + 0.04);

    trainer.beginEpoch();
    const losses = Array.from({ length: 30 }, () => trainer.step()!.loss);
    const last = losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(losses[0] - 0.3);
  });
});

describe('layers that cannot learn filters from patches', () => {
  const expectRefusal = (act: () => unknown, nodeId: string, message: RegExp) => {
    let error: unknown;
    try {
      act();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PatchInitError);
    expect((error as PatchInitError).nodeId).toBe(nodeId);
    expect((error as Error).message).toMatch(message);
  };

  it('refuses a convolution not fed by the Input, a Dense layer, a missing node, and other images', () => {
    const model = compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS);
    const before = model.weights.get('conv2.weight')!.slice();
    expectRefusal(
      () => initialiseConvFromPatches(model, 'conv2', train, { seed: 1 }),
      'conv2',
      /^'conv2' reads 'pool1' \(MaxPool2D\), not the Input/,
    );
    expect(model.weights.get('conv2.weight')).toEqual(before);
    expectRefusal(() => initialiseConvFromPatches(model, 'fc1', train, { seed: 1 }), 'fc1', /^'fc1' is a Dense layer: .* Conv2D/);
    expectRefusal(() => initialiseConvFromPatches(model, 'conv9', train, { seed: 1 }), 'conv9', /no layer 'conv9'/);
    const colour = findTemplate('lenet5')!.build();
    colour.nodes[0].params = { channels: 3, height: 28, width: 28 };
    expectRefusal(
      () => initialiseConvFromPatches(compileModel(colour, CPU_LAYERS), 'conv1', train, { seed: 1 }),
      'conv1',
      /'conv1' reads 3×28×28 images, but MNIST train\[:2000\] has 1×28×28/,
    );
  });

  it('refuses a grouped convolution', () => {
    const g = new GraphBuilder('grouped', 'a grouped first convolution');
    g.add('input', 'Input', { channels: 2, height: 8, width: 8 });
    g.add('split', 'Conv2D', { filters: 4, kernel: 3, groups: 2 });
    g.add('flatten', 'Flatten');
    g.add('fc', 'Dense', { units: 2 });
    g.add('output', 'ClassificationHead', { classes: 2 });
    const model = compileModel(g.build(), CPU_LAYERS);
    expectRefusal(
      () => initialiseConvFromPatches(model, 'split', train, { seed: 1 }),
      'split',
      /^'split' has groups = 2: .*set groups to 1/,
    );
  });
});
