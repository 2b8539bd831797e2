// Counting the samples of each class, with and without a cheap per-sample class.
import { describe, expect, it } from 'vitest';
import { ByteImageDataset, countClasses, type Dataset } from '../../../engine/data/dataset';
import { NormalisedDataset } from '../../../engine/data/preprocess';
import { SubsetDataset } from '../../../engine/data/split';
import { SyntheticDenoiseDataset } from '../../../engine/data/synthetic-denoise';

const labels = Uint8Array.from([0, 2, 2, 1, 2, 0, 2]);
const bytes = new ByteImageDataset('tiny', [1, 2, 2], new Uint8Array(labels.length * 4), labels, 3);

describe('countClasses', () => {
  it('counts each class of an in-memory dataset and of a subset of it', () => {
    expect(countClasses(bytes)).toEqual([2, 1, 4]);
    const subset = new SubsetDataset(bytes, Int32Array.from([1, 2, 3]), 'part');
    expect(subset.classOf?.(0)).toBe(2);
    expect(countClasses(subset)).toEqual([0, 1, 2]);
  });

  it('keeps the classes through normalising', () => {
    expect(countClasses(new NormalisedDataset(bytes, { mean: [0], std: [1], samples: 7 }))).toEqual([2, 1, 4]);
  });

  it('reads the samples of a dataset that cannot tell a class cheaply, in chunks', () => {
    const size = 600;
    const classOfSample = (index: number) => (index * 7) % 5;
    const filled: number[] = [];
    const reading: Dataset = {
      name: 'read-only',
      size,
      sampleShape: [1, 1, 1],
      target: { kind: 'class', classes: 5 },
      fill: (indices, start, count, _x, y) => {
        for (let i = 0; i < count; i++) y[i] = classOfSample(indices[start + i]);
        filled.push(count);
      },
    };
    const expected = [0, 0, 0, 0, 0];
    for (let i = 0; i < size; i++) expected[classOfSample(i)]++;
    expect(countClasses(reading)).toEqual(expected);
    expect(filled.reduce((a, b) => a + b, 0)).toBe(size);
    expect(filled.length).toBeGreaterThan(1);
  });

  it('has no counts for datasets of values', () => {
    expect(countClasses(new SyntheticDenoiseDataset({ size: 8, samples: 4 }))).toBeNull();
  });
});
