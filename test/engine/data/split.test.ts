// Train / validation / test splits as views over a dataset.
import { describe, expect, it } from 'vitest';
import type { SubsetDataset } from '../../../engine/data/split';
import { splitDataset, splitIndices } from '../../../engine/data/split';
import { SyntheticShapesDataset } from '../../../engine/data/synthetic-shapes';
import { range, read } from './helpers';

describe('splits', () => {
  it('are disjoint, cover every index, follow the fractions and keep each part in order', () => {
    const parts = splitIndices(1000, { validation: 0.2, test: 0.1, seed: 4 });
    expect(parts.validation.length).toBe(200);
    expect(parts.test.length).toBe(100);
    expect(parts.train.length).toBe(700);
    const all = [...parts.train, ...parts.validation, ...parts.test].sort((a, b) => a - b);
    expect(all).toEqual(range(1000));
    for (const part of [parts.train, parts.validation, parts.test]) expect([...part]).toEqual([...part].sort((a, b) => a - b));
  });

  it('depend on the seed only', () => {
    const spec = { validation: 0.25, test: 0, seed: 9 };
    expect(splitIndices(100, spec)).toEqual(splitIndices(100, spec));
    expect(splitIndices(100, { ...spec, seed: 10 }).validation).not.toEqual(splitIndices(100, spec).validation);
    expect(splitIndices(100, spec).test.length).toBe(0);
  });

  it('ignore the test fraction when the data has a test split of its own', () => {
    const parts = splitIndices(100, { validation: 0.1, test: 0.3, seed: 1 }, true);
    expect(parts.test.length).toBe(0);
    expect(parts.train.length).toBe(90);
  });

  it('refuse fractions that leave nothing to train on', () => {
    expect(() => splitIndices(10, { validation: 0.6, test: 0.4, seed: 0 })).toThrow(/nothing to train on/);
    expect(() => splitIndices(10, { validation: -0.1, test: 0, seed: 0 })).toThrow(/at least 0/);
    expect(() => splitIndices(1, { validation: 0.5, test: 0, seed: 0 })).toThrow(/too few/);
  });

  it('are views: a part reads the base samples it names', () => {
    const base = new SyntheticShapesDataset({ samples: 60, seed: 2 });
    const { train, validation, test } = splitDataset(base, { validation: 0.25, test: 0.25, seed: 3 });
    expect(train.size + validation!.size + test!.size).toBe(60);
    const view = validation as SubsetDataset;
    expect(view.sampleShape).toEqual(base.sampleShape);
    expect(view.target).toEqual(base.target);
    const picked = [3, 0, 7];
    const through = read(view, picked);
    const direct = read(
      base,
      picked.map((i) => view.indices[i]),
    );
    expect(through.x).toEqual(direct.x);
    expect(through.y).toEqual(direct.y);
    expect(() => read(view, [view.size])).toThrow(/no sample/);
    expect(splitDataset(base, { validation: 0, test: 0, seed: 0 }).validation).toBeUndefined();
  });
});
