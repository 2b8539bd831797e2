// The epoch statistics on tensors whose answers are known by hand: bins, norms, dead units, and
// the warnings with their thresholds.
import { describe, expect, it } from 'vitest';
import {
  binValues,
  countDeadUnits,
  DEAD_RELU_FRACTION,
  EXPLODING_GRADIENT_NORM,
  l2Norm,
  statsWarnings,
  VANISHING_GRADIENT_NORM,
  type EpochStats,
} from '../../../engine/viz/training-stats';

describe('binValues', () => {
  it('bins values over their range, the maximum in the last bin', () => {
    const binned = binValues([Float32Array.of(0, 1, 2, 3), [4, 4]], 4);
    expect(binned).toEqual({ min: 0, max: 4, counts: [1, 1, 1, 3] });
  });

  it('skips NaN and infinities, and puts a constant tensor in the first bin', () => {
    expect(binValues([[NaN, Infinity, 2, 2, -Infinity]], 3)).toEqual({ min: 2, max: 2, counts: [2, 0, 0] });
    expect(binValues([[]], 2)).toEqual({ min: 0, max: 0, counts: [0, 0] });
  });
});

describe('l2Norm', () => {
  it('is the root of the sum of squares over every array', () => {
    expect(l2Norm([Float32Array.of(3), [4]])).toBe(5);
    expect(l2Norm([[1e-10, 0]])).toBeCloseTo(1e-10, 20);
  });
});

describe('countDeadUnits', () => {
  it('counts units that are ≤ 0 in every sample', () => {
    // 3 samples × 4 units: unit 0 fires in sample 2 only, unit 1 never, unit 2 always, unit 3 is 0 or negative
    const outputs = [0, 0, 1, 0, 0, -1, 2, -3, 5, 0, 1, 0];
    expect(countDeadUnits(outputs, 3, 4)).toBe(2);
    expect(countDeadUnits(outputs, 1, 4)).toBe(3);
  });
});

const stats = (relu: { dead: number; units: number }, gradientNorm?: number): EpochStats => ({
  epoch: 3,
  globalStep: 30,
  layers: [
    {
      nodeId: 'conv1',
      weights: { min: 0, max: 0, counts: [] },
      weightNorm: 1,
      ...(gradientNorm !== undefined ? { gradients: { min: 0, max: 0, counts: [] }, gradientNorm } : {}),
    },
  ],
  relus: [{ nodeId: 'relu2', deadUnits: relu.dead, units: relu.units, probeSamples: 32 }],
});

describe('statsWarnings', () => {
  it('warns of dead ReLUs from DEAD_RELU_FRACTION on', () => {
    expect(DEAD_RELU_FRACTION).toBe(0.5);
    expect(statsWarnings(stats({ dead: 49, units: 100 }, 1))).toEqual([]);
    expect(statsWarnings(stats({ dead: 63, units: 100 }, 1))).toEqual([
      {
        nodeId: 'relu2',
        kind: 'dead-relu',
        message: 'relu2: 63% of units never fire on the probe batch (32 samples, epoch 3)',
      },
    ]);
  });

  it('warns of vanishing and exploding gradients beyond the stated thresholds', () => {
    const one = (norm: number) => statsWarnings(stats({ dead: 0, units: 10 }, norm));
    expect(one(VANISHING_GRADIENT_NORM * 2)).toEqual([]);
    expect(one(EXPLODING_GRADIENT_NORM / 2)).toEqual([]);
    expect(one(1e-9)).toEqual([
      { nodeId: 'conv1', kind: 'vanishing-gradient', message: 'conv1: gradient norm 1.0e-9 — vanishing (below 1.0e-6, epoch 3)' },
    ]);
    expect(one(5e4).map((w) => w.kind)).toEqual(['exploding-gradient']);
    expect(one(NaN).map((w) => w.kind)).toEqual(['exploding-gradient']);
  });

  it('says nothing of gradients it was not given (a GPU run)', () => {
    expect(statsWarnings(stats({ dead: 0, units: 10 }))).toEqual([]);
  });
});
