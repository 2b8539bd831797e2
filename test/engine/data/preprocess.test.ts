// Normalisation from training-split statistics, and seeded augmentation of the training split.
import { describe, expect, it } from 'vitest';
import { applyPreprocess, AugmentedDataset, measureChannelStats, NormalisedDataset } from '../../../engine/data/preprocess';
import { splitDataset } from '../../../engine/data/split';
import { SyntheticDenoiseDataset } from '../../../engine/data/synthetic-denoise';
import { SyntheticShapesDataset } from '../../../engine/data/synthetic-shapes';
import { FunctionDataset, range, read } from './helpers';

const directStats = (x: Float32Array, channels: number, plane: number) => {
  const samples = x.length / (channels * plane);
  return range(channels).map((c) => {
    const values: number[] = [];
    for (let s = 0; s < samples; s++) for (let j = 0; j < plane; j++) values.push(x[(s * channels + c) * plane + j]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    return { mean, std: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) };
  });
};

describe('normalisation', () => {
  it('measures per-channel statistics exactly, whatever the batch size', () => {
    const dataset = new SyntheticShapesDataset({ channels: 3, samples: 50, size: 16 });
    const expected = directStats(read(dataset, range(50)).x, 3, 256);
    for (const batch of [7, 64]) {
      const stats = measureChannelStats(dataset, batch);
      expect(stats.samples).toBe(50);
      stats.mean.forEach((mean, c) => expect(mean).toBeCloseTo(expected[c].mean, 10));
      stats.std.forEach((std, c) => expect(std).toBeCloseTo(expected[c].std, 10));
    }
  });

  it('gives the training split mean 0 and deviation 1 per channel; other splits use its statistics', () => {
    const base = new SyntheticShapesDataset({ channels: 3, samples: 200, size: 20 });
    const splits = splitDataset(base, { validation: 0.2, test: 0, seed: 1 });
    const prepared = applyPreprocess(splits, { normalise: true });
    const after = measureChannelStats(prepared.train);
    after.mean.forEach((mean) => expect(Math.abs(mean)).toBeLessThan(1e-5));
    after.std.forEach((std) => expect(std).toBeCloseTo(1, 5));
    expect(prepared.stats!.samples).toBe(160);
    expect(prepared.stats!.mean).toEqual(measureChannelStats(splits.train).mean);
    const validation = measureChannelStats(prepared.validation!);
    expect(Math.abs(validation.mean[0])).toBeGreaterThan(0);
    expect(Math.abs(validation.mean[0])).toBeLessThan(0.3);
  });

  it('only centres a channel without spread, and keeps the labels', () => {
    const flat = new FunctionDataset(4, [1, 3, 3], () => 0.5);
    const stats = measureChannelStats(flat);
    expect(stats.std[0]).toBe(0);
    const { x, y } = read(new NormalisedDataset(flat, stats), [0, 1, 2]);
    expect([...x].every((v) => v === 0)).toBe(true);
    expect([...y]).toEqual([0, 1, 2]);
    expect(() => new NormalisedDataset(flat, { mean: [0, 0], std: [1, 1], samples: 1 })).toThrow(/channels/);
  });
});

describe('augmentation', () => {
  const shapes = new SyntheticShapesDataset({ samples: 64, seed: 8 });
  const all = { flipHorizontal: true, flipVertical: true, shift: 3, rotate: 15, noise: 0.05 };

  it('is the identity when every option is off', () => {
    for (const options of [{}, { flipHorizontal: false, shift: 0, rotate: 0, noise: 0 }]) {
      const augmented = new AugmentedDataset(shapes, options, 1);
      expect(augmented.active).toBe(false);
      expect(read(augmented, range(16)).x).toEqual(read(shapes, range(16)).x);
    }
  });

  it('is deterministic by seed, varies between epochs, and keeps the labels', () => {
    const first = new AugmentedDataset(shapes, all, 21);
    const second = new AugmentedDataset(shapes, all, 21);
    const epoch1 = read(first, range(32));
    expect(read(second, range(32))).toEqual(epoch1);
    const epoch2 = read(first, range(32));
    expect(epoch2.x).not.toEqual(epoch1.x);
    expect(read(second, range(32))).toEqual(epoch2);
    first.reseed(21);
    expect(read(first, range(32))).toEqual(epoch1);
    expect(read(new AugmentedDataset(shapes, all, 22), range(32)).x).not.toEqual(epoch1.x);
    expect(epoch1.y).toEqual(read(shapes, range(32)).y);
    expect(epoch1.x).not.toEqual(read(shapes, range(32)).x);
  });

  it('flips: a mirror-symmetric picture is unchanged; another becomes itself or its mirror, both seen', () => {
    const symmetric = new FunctionDataset(20, [2, 6, 7], (s, c, row, column) => s + c * 0.5 + row * 0.1 + Math.abs(column - 3) * 0.01);
    const flipped = read(new AugmentedDataset(symmetric, { flipHorizontal: true }, 3), range(20));
    expect(flipped).toEqual(read(symmetric, range(20)));

    const ramp = new FunctionDataset(40, [1, 5, 6], (s, c, row, column) => row * 10 + column);
    const { x, n } = read(new AugmentedDataset(ramp, { flipHorizontal: true }, 3), range(40));
    let mirrored = 0;
    for (let s = 0; s < 40; s++) {
      const sample = [...x.subarray(s * n, (s + 1) * n)];
      const isMirror = sample.every((value, j) => value === Math.floor(j / 6) * 10 + (5 - (j % 6)));
      const isSame = sample.every((value, j) => value === Math.floor(j / 6) * 10 + (j % 6));
      expect(isMirror || isSame).toBe(true);
      if (isMirror) mirrored++;
    }
    expect(mirrored).toBeGreaterThan(5);
    expect(mirrored).toBeLessThan(35);
    const vertical = read(new AugmentedDataset(ramp, { flipVertical: true }, 5), range(40));
    const upsideDown = range(40).some((s) => vertical.x[s * n] === 40 && vertical.x[s * n + 5] === 45);
    expect(upsideDown).toBe(true);
  });

  it('shifts by whole pixels, replicating the edges', () => {
    const ramp = new FunctionDataset(30, [1, 8, 8], (s, c, row, column) => row * 8 + column);
    const { x, n } = read(new AugmentedDataset(ramp, { shift: 2 }, 4), range(30));
    const clamp = (v: number) => Math.min(7, Math.max(0, v));
    const seen = new Set<string>();
    for (let s = 0; s < 30; s++) {
      const sample = [...x.subarray(s * n, (s + 1) * n)];
      const match = range(25).find((k) => {
        const [dy, dx] = [Math.floor(k / 5) - 2, (k % 5) - 2];
        return sample.every((value, j) => value === clamp(Math.floor(j / 8) - dy) * 8 + clamp((j % 8) - dx));
      });
      expect(match).toBeDefined();
      seen.add(String(match));
    }
    expect(seen.size).toBeGreaterThan(8);
  });

  it('rotates about the centre with bilinear sampling: a centred disc barely changes, a bar turns', () => {
    const disc = new FunctionDataset(10, [1, 21, 21], (s, c, row, column) => (Math.hypot(row - 10, column - 10) < 6 ? 1 : 0));
    const { x } = read(new AugmentedDataset(disc, { rotate: 30 }, 2), range(10));
    const original = read(disc, range(10)).x;
    let differs = 0;
    for (let j = 0; j < x.length; j++) if (Math.abs(x[j] - original[j]) > 0.5) differs++;
    expect(differs / x.length).toBeLessThan(0.01);
    expect(x).not.toEqual(original);
    // A horizontal bar through the centre, turned by up to 30°, keeps its centre and tilts.
    const bar = new FunctionDataset(10, [1, 21, 21], (s, c, row) => (row === 10 ? 1 : 0));
    const turned = read(new AugmentedDataset(bar, { rotate: 30 }, 9), range(10));
    for (let s = 0; s < 10; s++) expect(turned.x[s * 441 + 10 * 21 + 10]).toBeCloseTo(1, 5);
    const offRow = range(10).some((s) => turned.x[s * 441 + 5 * 21 + 1] > 0.2 || turned.x[s * 441 + 15 * 21 + 1] > 0.2);
    expect(offRow).toBe(true);
  });

  it('adds Gaussian noise of the asked deviation', () => {
    const flat = new FunctionDataset(20, [1, 10, 10], () => 0.5);
    const { x } = read(new AugmentedDataset(flat, { noise: 0.1 }, 6), range(20));
    const d = [...x].map((v) => v - 0.5);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(std).toBeCloseTo(0.1, 1);
  });

  it('moves image targets with their input', () => {
    const pairs = new SyntheticDenoiseDataset({ samples: 20, noise: 0 });
    const { x, y } = read(new AugmentedDataset(pairs, { flipHorizontal: true, flipVertical: true, shift: 3, rotate: 20 }, 1), range(20));
    expect(x).toEqual(y);
    expect(y).not.toEqual(read(pairs, range(20)).y);
  });

  it('applies to the training split only, before normalisation', () => {
    const splits = splitDataset(shapes, { validation: 0.25, test: 0, seed: 1 });
    const prepared = applyPreprocess(splits, { normalise: true, augment: { flipHorizontal: true, noise: 0.1 } }, 5);
    expect(prepared.train.name).toContain('augmented');
    expect(prepared.validation!.name).not.toContain('augmented');
    expect(read(prepared.validation!, range(4))).toEqual(read(new NormalisedDataset(splits.validation!, prepared.stats!), range(4)));
    expect(prepared.stats).toEqual(measureChannelStats(splits.train));
    const unaugmented = applyPreprocess(splits, { normalise: false, augment: {} });
    expect(unaugmented.train).toBe(splits.train);
  });
});
