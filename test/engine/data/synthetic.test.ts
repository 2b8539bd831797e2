// The synthetic datasets: shapes (classes and sizes) and denoising pairs, made on the fly from a seed.
import { describe, expect, it } from 'vitest';
import { SyntheticDenoiseDataset } from '../../../engine/data/synthetic-denoise';
import { SHAPE_CLASSES, SHAPE_EXTENT, SyntheticShapesDataset } from '../../../engine/data/synthetic-shapes';
import type { Dataset } from '../../../engine/data/dataset';
import { elementCount } from '../../../engine/graph/shape';

const read = (dataset: Dataset, indices: number[]) => {
  const n = elementCount(dataset.sampleShape);
  const x = new Float32Array(indices.length * n);
  const y =
    dataset.target.kind === 'class'
      ? new Int32Array(indices.length)
      : new Float32Array(indices.length * elementCount(dataset.target.shape));
  dataset.fill(Int32Array.from(indices), 0, indices.length, x, y);
  return { x, y, n };
};

const range = (count: number, from = 0) => Array.from({ length: count }, (_, i) => from + i);

describe('synthetic shapes', () => {
  it('are deterministic: sample i is the same in any batch, order or instance, and another seed differs', () => {
    const a = new SyntheticShapesDataset({ seed: 5 });
    const { x, y, n } = read(a, range(12));
    const again = read(new SyntheticShapesDataset({ seed: 5 }), range(12));
    expect(again.x).toEqual(x);
    expect(again.y).toEqual(y);
    // Sample 7 alone, and inside a batch in another order, reads the same.
    const alone = read(a, [7]);
    expect(alone.x).toEqual(x.subarray(7 * n, 8 * n));
    const shuffled = read(a, [11, 3, 7, 0]);
    expect(shuffled.x.subarray(2 * n, 3 * n)).toEqual(x.subarray(7 * n, 8 * n));
    expect(Array.from(shuffled.y)).toEqual([11, 3, 7, 0].map((i) => y[i]));
    const other = read(new SyntheticShapesDataset({ seed: 6 }), range(12));
    expect(other.x).not.toEqual(x);
  });

  it('balances the four classes and keeps pixels in [0, 1]', () => {
    const dataset = new SyntheticShapesDataset({ samples: 1000 });
    expect(dataset.target).toEqual({ kind: 'class', classes: 4 });
    expect(dataset.sampleShape).toEqual([1, 28, 28]);
    const { x, y } = read(dataset, range(1000));
    const counts = [0, 0, 0, 0];
    for (const label of y) counts[label]++;
    expect(counts).toEqual([250, 250, 250, 250]);
    expect(SHAPE_CLASSES).toEqual(['circle', 'square', 'triangle', 'cross']);
    expect(x.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(0);
    expect(x.reduce((a, b) => Math.max(a, b))).toBeLessThanOrEqual(1);
    expect(dataset.classOf(6)).toBe(2);
  });

  it('tells the shapes apart: a square fills its box, a circle π/4 of it, a cross 5/9', () => {
    const dataset = new SyntheticShapesDataset({ samples: 400, noise: 0, size: 40, seed: 3 });
    const { x, n } = read(dataset, range(400));
    const fill = [[], [], [], []] as number[][];
    for (let s = 0; s < 400; s++) {
      const sample = x.subarray(s * n, (s + 1) * n);
      const low = Math.min(...sample);
      const high = Math.max(...sample);
      let area = 0;
      let top = 40;
      let bottom = -1;
      let left = 40;
      let right = -1;
      for (let i = 0; i < 40; i++) {
        for (let j = 0; j < 40; j++) {
          const coverage = (sample[i * 40 + j] - low) / (high - low);
          area += coverage;
          if (coverage > 0.5) [top, bottom, left, right] = [Math.min(top, i), Math.max(bottom, i), Math.min(left, j), Math.max(right, j)];
        }
      }
      fill[s % 4].push(area / ((bottom - top + 1) * (right - left + 1)));
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(fill[1])).toBeGreaterThan(0.9);
    expect(mean(fill[0])).toBeCloseTo(Math.PI / 4, 1);
    expect(mean(fill[3])).toBeCloseTo(5 / 9, 1);
    expect(mean(fill[2])).toBeCloseTo(0.5, 1);
  });

  it('draws random colours with three channels', () => {
    const dataset = new SyntheticShapesDataset({ channels: 3, size: 32, samples: 8 });
    expect(dataset.sampleShape).toEqual([3, 32, 32]);
    const { x } = read(dataset, [0]);
    const plane = 32 * 32;
    let differ = 0;
    for (let j = 0; j < plane; j++) if (Math.abs(x[j] - x[plane + j]) > 0.1 || Math.abs(x[j] - x[2 * plane + j]) > 0.1) differ++;
    expect(differ).toBeGreaterThan(plane / 2);
  });

  it('regresses the size: one target in the extent range, growing with the shape', () => {
    const dataset = new SyntheticShapesDataset({ task: 'size', samples: 300, noise: 0 });
    expect(dataset.target).toEqual({ kind: 'values', shape: [1] });
    const { x, y, n } = read(dataset, range(300));
    for (const value of y) {
      expect(value).toBeGreaterThanOrEqual(SHAPE_EXTENT.min);
      expect(value).toBeLessThanOrEqual(SHAPE_EXTENT.max);
    }
    // Within each kind, the painted area grows as the square of the target.
    for (let kind = 0; kind < 4; kind++) {
      const pairs: [number, number][] = [];
      for (let s = 0; s < 300; s++) {
        if (dataset.classOf(s) !== kind) continue;
        const sample = x.subarray(s * n, (s + 1) * n);
        const low = Math.min(...sample);
        const high = Math.max(...sample);
        pairs.push([y[s] * y[s], sample.reduce((sum, v) => sum + (v - low) / (high - low), 0)]);
      }
      const correlation = pearson(pairs);
      expect(correlation).toBeGreaterThan(0.97);
    }
  });

  it('refuses bad options and indices', () => {
    expect(() => new SyntheticShapesDataset({ samples: 0 })).toThrow(/at least 1/);
    expect(() => new SyntheticShapesDataset({ size: 4 })).toThrow(/8 pixels/);
    expect(() => read(new SyntheticShapesDataset({ samples: 5 }), [5])).toThrow(/no sample 5/);
  });
});

describe('synthetic denoising pairs', () => {
  it('pair a clean target with a noisy input of the same shape', () => {
    const dataset = new SyntheticDenoiseDataset({ samples: 50, noise: 0.2, seed: 2 });
    expect(dataset.target).toEqual({ kind: 'values', shape: [1, 28, 28] });
    const { x, y } = read(dataset, range(50));
    expect(y.length).toBe(x.length);
    let sum = 0;
    let squares = 0;
    expect(x.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(0);
    expect(x.reduce((a, b) => Math.max(a, b))).toBeLessThanOrEqual(1);
    for (let j = 0; j < x.length; j++) {
      const d = x[j] - y[j];
      sum += d;
      squares += d * d;
    }
    // Clamping to [0, 1] shrinks the noise a little.
    const rms = Math.sqrt(squares / x.length);
    expect(rms).toBeGreaterThan(0.1);
    expect(rms).toBeLessThan(0.2);
    expect(Math.abs(sum / x.length)).toBeLessThan(0.05);
    // The clean target has no noise: its background is flat.
    expect(y[0]).toBe(y[1]);
  });

  it('are deterministic, and without noise the input is the target', () => {
    const first = read(new SyntheticDenoiseDataset({ samples: 10, channels: 3 }), [4, 2]);
    const second = read(new SyntheticDenoiseDataset({ samples: 10, channels: 3 }), [4, 2]);
    expect(second.x).toEqual(first.x);
    expect(second.y).toEqual(first.y);
    const clean = read(new SyntheticDenoiseDataset({ samples: 10, noise: 0 }), [1, 9]);
    expect(clean.x).toEqual(clean.y);
  });
});

const pearson = (pairs: [number, number][]): number => {
  const n = pairs.length;
  const mx = pairs.reduce((s, [a]) => s + a, 0) / n;
  const my = pairs.reduce((s, [, b]) => s + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [a, b] of pairs) {
    sxy += (a - mx) * (b - my);
    sxx += (a - mx) ** 2;
    syy += (b - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
};
