// Per-layer filter settings on real MNIST samples: presets written into the filters, frozen
// filters that training leaves alone while the rest learn, a layer's own random scheme, k-means
// from the training images, and settings the model cannot take refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import type { ByteImageDataset } from '../../../engine/data/dataset';
import { findTemplate } from '../../../engine/graph/templates';
import { FilterInitError, type ConvFilterInits } from '../../../engine/train/filter-init';
import { compileModel } from '../../../engine/train/plan';
import { Trainer, type TrainingConfig } from '../../../engine/train/trainer';
import { loadMnist } from '../../../electron/services/datasets/mnist';

let train: ByteImageDataset;
beforeAll(() => {
  train = loadMnist('train').take(256);
});

const SOBEL_X = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
const LAPLACIAN = [0, 1, 0, 1, -4, 1, 0, 1, 0];

const config = (filters: ConvFilterInits, overrides: Partial<TrainingConfig> = {}): TrainingConfig => ({
  epochs: 1,
  batchSize: 16,
  learningRate: 0.05,
  optimizer: { kind: 'sgd', momentum: 0.9 },
  seed: 3,
  filters,
  ...overrides,
});

const trainer = (template: string, filters: ConvFilterInits, overrides: Partial<TrainingConfig> = {}) => {
  const model = compileModel(findTemplate(template)!.build(), CPU_LAYERS);
  const t = new Trainer(model, config(filters, overrides), train);
  t.initialiseWeights();
  return t;
};

/** Filter `index` of a [filters, 1, 3, 3] weight. */
const filter3 = (weight: Float32Array, index: number): number[] => [...weight.subarray(index * 9, index * 9 + 9)];

describe('filter settings', () => {
  it('write presets into the chosen filters and zero their biases', () => {
    const t = trainer('convnet', {
      conv1: {
        filters: [
          { filter: 0, preset: { kind: 'sobel-x' } },
          { filter: 5, preset: { kind: 'laplacian' } },
        ],
      },
    });
    const weight = t.model.weights.get('conv1.weight')!;
    expect(filter3(weight, 0)).toEqual(SOBEL_X);
    expect(filter3(weight, 5)).toEqual(LAPLACIAN);
    expect(t.model.weights.get('conv1.bias')![0]).toBe(0);
    expect(filter3(weight, 1)).not.toEqual(SOBEL_X);
  });

  it('keep frozen filters exactly while the others learn', () => {
    const t = trainer('convnet', {
      conv1: {
        filters: [
          { filter: 0, preset: { kind: 'sobel-x' }, frozen: true },
          { filter: 1, preset: { kind: 'laplacian' } },
        ],
      },
    });
    const weight = t.model.weights.get('conv1.weight')!;
    const bias = t.model.weights.get('conv1.bias')!;
    const before = weight.slice();
    t.beginEpoch();
    for (let i = 0; i < 4; i++) t.step();
    expect(filter3(weight, 0)).toEqual(SOBEL_X);
    expect(bias[0]).toBe(0);
    expect(filter3(weight, 1)).not.toEqual(LAPLACIAN);
    expect(bias[1]).not.toBe(0);
    // The rest learn (a filter whose ReLU never fires on these batches gets no gradient, so not all need to).
    const changed = Array.from({ length: 30 }, (_, i) => i + 2).filter((f) => filter3(weight, f).join() !== filter3(before, f).join());
    expect(changed.length).toBeGreaterThan(20);
  });

  it("give a layer its own random scheme, from the run's seed", () => {
    const own = { conv1: { start: { kind: 'random' as const, init: { kind: 'normal' as const, std: 5 } } } };
    const first = trainer('convnet', own).model.weights.get('conv1.weight')!;
    const again = trainer('convnet', own).model.weights.get('conv1.weight')!;
    const other = trainer('convnet', own, { seed: 4 }).model.weights.get('conv1.weight')!;
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    // PyTorch's default keeps 3×3×1 weights within 1/3; a normal of std 5 does not.
    expect(Math.max(...first.map(Math.abs))).toBeGreaterThan(1);
    const conv2 = trainer('convnet', own).model.weights.get('conv2.weight')!;
    expect(Math.max(...conv2.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(32 * 9));
  });

  it('start from k-means on the training images, presets on top', () => {
    const t = trainer('convnet', {
      conv1: { start: { kind: 'kmeans', patches: 400, iterations: 3 }, filters: [{ filter: 2, preset: { kind: 'prewitt-x' } }] },
    });
    const weight = t.model.weights.get('conv1.weight')!;
    for (const f of [0, 1, 3, 31]) {
      const values = filter3(weight, f);
      expect(Math.hypot(...values)).toBeCloseTo(Math.SQRT2, 5);
      expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
    }
    expect(filter3(weight, 2)).toEqual([-1, 0, 1, -1, 0, 1, -1, 0, 1]);
  });

  it('refuse what the model cannot take, naming the layer and the filter', () => {
    const refused = (template: string, filters: ConvFilterInits) => () => trainer(template, filters);
    expect(refused('convnet', { relu1: {} })).toThrow("the filter settings are for a Conv2D layer, but 'relu1' is a ReLU");
    expect(refused('convnet', { conv9: {} })).toThrow("the filter settings name 'conv9', but the graph has no such layer");
    expect(refused('convnet', { conv1: { filters: [{ filter: 32, frozen: true }] } })).toThrow(
      "'conv1' has filters 0 to 31, so it has no filter 32",
    );
    expect(refused('lenet5', { conv1: { filters: [{ filter: 0, preset: { kind: 'sobel-x' } }] } })).toThrow(
      "'conv1' filter 0: sobel-x is 3×3 but the layer's kernel is 5×5",
    );
    expect(refused('convnet', { conv1: { filters: [{ filter: 0, preset: { kind: 'custom', matrix: [[1, 2]] } }] } })).toThrow(
      FilterInitError,
    );
  });
});
