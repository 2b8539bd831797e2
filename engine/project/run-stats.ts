/**
 * Epoch statistics as a run record keeps them (`RunRecord.epochStats`): the worker's EpochStats
 * (engine/viz/training-stats.ts) without the snapshots, their fractional numbers cut to 7
 * significant digits (float32's precision, which the tensors they summarise had), so a run of
 * many epochs stays small in project.json. JSON has no infinities or NaN: an infinite norm is kept
 * as the largest number (still far past the exploding-gradient threshold), a NaN gradient norm is
 * left out, and a layer whose weight norm is NaN (its weights are) is left out.
 */
import type { BinnedValues, EpochStats, LayerWeightStats } from '../viz/training-stats';

const SIGNIFICANT_DIGITS = 7;

const short = (value: number): number =>
  Number.isFinite(value) ? Number(value.toPrecision(SIGNIFICANT_DIGITS)) : Math.sign(value) * Number.MAX_VALUE;

const binned = (values: BinnedValues): BinnedValues => ({ min: short(values.min), max: short(values.max), counts: [...values.counts] });

const layer = (stats: LayerWeightStats): LayerWeightStats => ({
  nodeId: stats.nodeId,
  weights: binned(stats.weights),
  weightNorm: short(stats.weightNorm),
  ...(stats.gradients ? { gradients: binned(stats.gradients) } : {}),
  ...(stats.gradientNorm !== undefined && !Number.isNaN(stats.gradientNorm) ? { gradientNorm: short(stats.gradientNorm) } : {}),
});

/** One epoch's statistics as a run record keeps them. */
export const compactEpochStats = (stats: EpochStats): EpochStats => ({
  epoch: stats.epoch,
  globalStep: stats.globalStep,
  layers: stats.layers.filter((each) => !Number.isNaN(each.weightNorm)).map(layer),
  relus: stats.relus.map(({ nodeId, deadUnits, units, probeSamples }) => ({ nodeId, deadUnits, units, probeSamples })),
});
