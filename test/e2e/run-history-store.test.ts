// The training panel's data shaping without a browser: the run history's rows, overlaid curves,
// the error-against-cost points, and the dataset picker's form turned into a dataset.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING, type EpochRecord, type RunRecord } from '../../engine/project/schema';
import { choiceOf, specOf } from '../../renderer/training/dataset-choice';
import { axisRange, costScatter, finalError, overlay, runRows } from '../../renderer/training/run-history';

const epoch = (n: number, trainLoss: number, extra: Partial<EpochRecord> = {}): EpochRecord => ({
  epoch: n,
  trainLoss,
  learningRate: 0.01,
  seconds: 1,
  ...extra,
});

const run = (id: string, changes: Partial<RunRecord> = {}): RunRecord => ({
  id,
  startedAt: '2026-11-26T01:00:00.000Z',
  status: 'completed',
  graphVersion: 'aaaaaaaaaaaaaaaa',
  training: DEFAULT_TRAINING,
  dataset: { kind: 'mnist' },
  epochs: [],
  ...changes,
});

describe('run history rows', () => {
  it('summarise the hyper-parameters, shorten the graph version and mark runs of another graph', () => {
    const runs = [
      run('run-1', { epochs: [epoch(1, 0.9), epoch(2, 0.5, { validationAccuracy: 0.8 })] }),
      run('run-2', { graphVersion: 'bbbbbbbbbbbbbbbb', training: { ...DEFAULT_TRAINING, learningRate: 0.05, epochs: 1 } }),
    ];
    const rows = runRows(runs, 'aaaaaaaaaaaaaaaa');
    expect(rows.map((row) => [row.id, row.graphShort, row.otherGraph, row.epochsDone])).toEqual([
      ['run-1', 'aaaaaaa', false, 2],
      ['run-2', 'bbbbbbb', true, 0],
    ]);
    expect(rows[0].summary).toBe(`${DEFAULT_TRAINING.optimizer.kind} · lr 0.001 · batch 32 · 10 epochs`);
    expect(rows[1].summary).toContain('lr 0.05');
    expect(rows[1].summary).toContain('1 epoch');
    expect(rows[0].final?.validationAccuracy).toBe(0.8);
    expect(rows[1].final).toBeNull();
  });
});

describe('overlay', () => {
  it('puts every run on one epoch axis, with gaps where a run is shorter or lacks the metric', () => {
    const runs = [
      run('a', { epochs: [epoch(1, 1), epoch(2, 0.5), epoch(3, 0.25)] }),
      run('b', { epochs: [epoch(1, 2, { validationLoss: 1.5 })] }),
    ];
    expect(overlay(runs, 'trainLoss')).toEqual({
      labels: ['a', 'b'],
      data: [
        [1, 2, 3],
        [1, 0.5, 0.25],
        [2, null, null],
      ],
    });
    expect(overlay(runs, 'validationLoss').data).toEqual([
      [1, 2, 3],
      [null, null, null],
      [1.5, null, null],
    ]);
    expect(overlay([], 'trainLoss')).toEqual({ labels: [], data: [[]] });
  });
});

describe('error against cost', () => {
  it('takes the validation error, else the training error, else a loss', () => {
    expect(finalError(run('a', { epochs: [epoch(1, 1, { trainAccuracy: 0.7, validationAccuracy: 0.75 })] }))).toEqual({
      value: 0.25,
      kind: 'validation error',
    });
    expect(finalError(run('a', { epochs: [epoch(1, 1, { trainAccuracy: 0.5 })] }))).toEqual({ value: 0.5, kind: 'training error' });
    expect(finalError(run('a', { epochs: [epoch(1, 0.3, { validationLoss: 0.4 })] }))).toEqual({ value: 0.4, kind: 'validation loss' });
    expect(finalError(run('a', { epochs: [epoch(1, 0.3)] }))).toEqual({ value: 0.3, kind: 'training loss' });
    expect(finalError(run('a'))).toBeNull();
  });

  it('places each run at its recorded cost, falls back to the current graph’s for its own older runs, and leaves out the rest', () => {
    const done = [epoch(1, 1, { validationAccuracy: 0.9 })];
    const runs = [
      run('recorded', { multiplyAdds: 5000, graphVersion: 'other', epochs: done }),
      run('current-older', { epochs: done }),
      run('other-older', { graphVersion: 'other', epochs: done }),
      run('unfinished', { multiplyAdds: 5000 }),
    ];
    const scatter = costScatter(runs, 'aaaaaaaaaaaaaaaa', 1234);
    expect(scatter.points.map((point) => [point.id, point.multiplyAdds])).toEqual([
      ['recorded', 5000],
      ['current-older', 1234],
    ]);
    expect(scatter.points[0].error).toBeCloseTo(0.1);
    expect(scatter.leftOut).toEqual(['other-older', 'unfinished']);
  });

  it('widens an axis a little past its values, and a single value around itself', () => {
    expect(axisRange([1, 3])).toEqual([1 - 0.16, 3 + 0.16]);
    expect(axisRange([2, 2])).toEqual([1.8, 2.2]);
    expect(axisRange([0])).toEqual([-1, 1]);
    expect(axisRange([])).toEqual([0, 1]);
  });
});

describe('dataset picker form', () => {
  it('describes each kind of dataset, keeping a built-in one’s options', () => {
    const blank = choiceOf(undefined);
    expect(blank.kind).toBe('mnist');
    expect(specOf(blank)).toEqual({ kind: 'mnist' });
    const shapes = { kind: 'shapes', task: 'size', size: 32 } as const;
    expect(specOf({ ...blank, kind: 'shapes' }, shapes)).toBe(shapes);
    expect(specOf({ ...blank, kind: 'shapes' })).toEqual({ kind: 'shapes', task: 'classify' });
    expect(specOf({ ...blank, kind: 'folder', path: ' digits ', size: '32', channels: '3' })).toEqual({
      kind: 'folder',
      path: 'digits',
      size: 32,
      channels: 3,
    });
    expect(specOf({ ...blank, kind: 'idx', path: 'a-images', labels: 'a-labels' })).toEqual({
      kind: 'idx',
      images: 'a-images',
      labels: 'a-labels',
    });
    expect(specOf({ ...blank, kind: 'csv', path: 'data.csv', size: '' })).toEqual({ kind: 'csv', path: 'data.csv', channels: 1 });
  });

  it('says what is missing or wrong', () => {
    const blank = choiceOf(undefined);
    expect(specOf({ ...blank, kind: 'folder' })).toMatch(/folder’s path/);
    expect(specOf({ ...blank, kind: 'folder', path: 'x', size: '2.5' })).toBe(
      "Image size must be a whole number of pixels from 1, not '2.5'",
    );
    expect(specOf({ ...blank, kind: 'idx', path: 'images' })).toMatch(/labels file/);
    expect(specOf({ ...blank, kind: 'csv' })).toMatch(/CSV file’s path/);
  });

  it('fills the form back from a project’s dataset', () => {
    const folder = { kind: 'folder', path: 'cats', size: 64, channels: 3 } as const;
    expect(specOf(choiceOf(folder))).toEqual(folder);
    const idx = { kind: 'idx', images: 'i', labels: 'l' } as const;
    expect(specOf(choiceOf(idx))).toEqual(idx);
    const csv = { kind: 'csv', path: 'p.csv', size: 16, channels: 1 } as const;
    expect(specOf(choiceOf(csv))).toEqual(csv);
  });
});
