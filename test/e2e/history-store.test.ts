// The History tab's state without a browser: runs and their epochs as the events come, the
// scrubber's epoch, the run compared, the canvas warnings of the newest run; and the histogram
// strip (epoch × bin) drawn from histograms with different ranges.
import { describe, expect, it } from 'vitest';
import { commonBins, histogramStrip } from '../../engine/viz/history-strip';
import type { EpochStats } from '../../engine/viz/training-stats';
import type { RunRecord } from '../../engine/project/schema';
import { atEpoch, HistoryStore, MAX_KEPT_RUNS, savedRunId, shownRun, type EpochStatsEvent } from '../../renderer/viz/history-store';

const event = (epoch: number, deadUnits = 0, gradientNorm = 1): EpochStatsEvent => {
  const stats: EpochStats = {
    epoch,
    globalStep: epoch * 10,
    layers: [
      {
        nodeId: 'conv1',
        weights: { min: -1, max: 1, counts: [1, 2] },
        weightNorm: 1,
        gradients: { min: 0, max: 1, counts: [3, 0] },
        gradientNorm,
      },
    ],
    relus: [{ nodeId: 'relu1', deadUnits, units: 10, probeSamples: 4 }],
  };
  return { type: 'epoch-stats', stats };
};

describe('HistoryStore', () => {
  it('keeps each run’s epochs, follows the newest and scrubs to any', () => {
    const store = new HistoryStore();
    store.beginRun('job-1');
    store.receive('job-1', event(1));
    store.receive('job-1', event(2));
    let state = store.getState();
    expect(shownRun(state)?.epochs.map((e) => e.stats.epoch)).toEqual([1, 2]);
    expect(atEpoch(shownRun(state), state.epoch)?.stats.epoch).toBe(2);
    store.setEpoch(1);
    state = store.getState();
    expect(atEpoch(shownRun(state), state.epoch)?.stats.epoch).toBe(1);
    // a resumed run that repeats an epoch replaces it
    store.receive('job-1', event(2, 5));
    expect(shownRun(store.getState())?.epochs.map((e) => e.stats.relus[0].deadUnits)).toEqual([0, 5]);
  });

  it('shows a new run and compares it with the one before; forgets the oldest beyond MAX_KEPT_RUNS', () => {
    const store = new HistoryStore();
    store.beginRun('job-1');
    store.receive('job-1', event(1));
    store.beginRun('job-2');
    const state = store.getState();
    expect(state.jobId).toBe('job-2');
    expect(state.compareJobId).toBe('job-1');
    // a run that has not reached the epoch shows its newest
    store.receive('job-2', event(1));
    store.receive('job-2', event(2));
    expect(
      atEpoch(
        state.runs.find((run) => run.jobId === 'job-1'),
        2,
      )?.stats.epoch,
    ).toBe(1);
    for (let i = 3; i <= MAX_KEPT_RUNS + 2; i++) store.beginRun(`job-${i}`);
    expect(store.getState().runs.map((run) => run.jobId)).toEqual(Array.from({ length: MAX_KEPT_RUNS }, (_, i) => `job-${i + 3}`));
  });

  it('gives the canvas the newest run’s warnings of its last epoch, by node', () => {
    const store = new HistoryStore();
    store.beginRun('job-1');
    store.receive('job-1', event(1, 8, 1e-9));
    const warnings = store.getState().warnings;
    expect(warnings.get('relu1')?.map((w) => w.message)).toEqual([
      'relu1: 80% of units never fire on the probe batch (4 samples, epoch 1)',
    ]);
    expect(warnings.get('conv1')?.map((w) => w.kind)).toEqual(['vanishing-gradient']);
    store.receive('job-1', event(2));
    expect(store.getState().warnings.size).toBe(0);
    store.beginRun('job-2');
    store.receive('job-1', event(3, 10));
    expect(store.getState().warnings.size).toBe(0);
    store.reset();
    expect(store.getState().runs).toEqual([]);
    store.beginRun('job-3');
    expect(store.getState().runs.map((run) => run.label)).toEqual(['run 1']);
  });

  it('loads a past run from its record, first among the runs, without touching the canvas warnings', () => {
    const store = new HistoryStore();
    const record = { ...recorded('run-4'), epochStats: [event(1, 9).stats, event(2).stats] };
    expect(store.showSavedRun(recorded('run-1'))).toBe(false);
    for (let i = 1; i <= MAX_KEPT_RUNS; i++) store.beginRun(`job-${i}`);
    store.receive(`job-${MAX_KEPT_RUNS}`, event(1, 0, 1e-9));
    expect(store.showSavedRun(record)).toBe(true);
    const state = store.getState();
    expect(state.runs.map((run) => run.jobId)).toEqual([
      savedRunId('run-4'),
      ...Array.from({ length: MAX_KEPT_RUNS - 1 }, (_, i) => `job-${i + 2}`),
    ]);
    expect(shownRun(state)).toMatchObject({ label: 'saved run-4', epochs: [{ stats: { epoch: 1 } }, { stats: { epoch: 2 } }] });
    expect(atEpoch(shownRun(state), 1)?.stats.relus[0].deadUnits).toBe(9);
    expect([...state.warnings.keys()]).toEqual(['conv1']);
    // Loading it again shows the one already loaded.
    store.showRun('job-2');
    store.showSavedRun(record);
    expect(store.getState().runs).toHaveLength(MAX_KEPT_RUNS);
    expect(store.getState().jobId).toBe(savedRunId('run-4'));
  });
});

/** A run record as a project file keeps it, without statistics (as files written before they were kept). */
const recorded = (id: string): RunRecord => ({
  id,
  startedAt: '2026-01-01T00:00:00Z',
  status: 'completed',
  graphVersion: 'abc',
  training: { epochs: 2, batchSize: 8, learningRate: 0.01, optimizer: { kind: 'sgd' }, seed: 1 },
  dataset: { kind: 'mnist' },
  epochs: [],
});

describe('histogram strips', () => {
  it('moves each epoch’s counts onto the common range', () => {
    const { min, max, rows } = commonBins(
      [
        { min: 0, max: 1, counts: [4, 0] },
        { min: 0, max: 2, counts: [1, 3] },
        { min: 0, max: 0, counts: [0, 0] },
      ],
      4,
    );
    expect([min, max]).toEqual([0, 2]);
    // centres 0.25, 0.75 | 0.5, 1.5 on bins of width 0.5
    expect(rows).toEqual([
      [4, 0, 0, 0],
      [0, 1, 0, 3],
      [0, 0, 0, 0],
    ]);
  });

  it('draws a row per epoch, brightest where most values lie, the highlighted row in orange', () => {
    const image = histogramStrip(
      [
        { min: 0, max: 1, counts: [9, 1] },
        { min: 0, max: 1, counts: [0, 5] },
      ],
      2,
      2,
      1,
    );
    expect([image.width, image.height]).toEqual([4, 4]);
    const pixel = (x: number, y: number) => [...image.data.slice((y * 4 + x) * 4, (y * 4 + x) * 4 + 3)];
    expect(pixel(0, 0)[0]).toBeGreaterThan(pixel(2, 0)[0]);
    expect(pixel(2, 2)[0]).toBeGreaterThan(pixel(2, 2)[2]);
    expect(pixel(0, 2)).toEqual([40, 40, 30]);
  });
});
