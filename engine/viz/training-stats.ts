/**
 * Statistics of a network's health, taken at the end of each epoch: histograms of each layer's
 * weights and of its last step's gradients, gradient norms, and how many units of each ReLU never
 * fire on a fixed probe batch. Also the warnings they raise, with the thresholds below.
 */

/** A layer whose gradient norm (L2, over all its trainable tensors) is below this is vanishing. */
export const VANISHING_GRADIENT_NORM = 1e-6;
/** A layer whose gradient norm is above this is exploding. */
export const EXPLODING_GRADIENT_NORM = 1e3;
/** A ReLU where at least this fraction of units never fire on the probe batch is reported dead. */
export const DEAD_RELU_FRACTION = 0.5;
/** Bins of every histogram. */
export const STATS_BINS = 24;

/** Counts over `bins` equal bins from min to max (the last bin includes max); JSON-friendly. */
export interface BinnedValues {
  readonly min: number;
  readonly max: number;
  readonly counts: number[];
}

export interface LayerWeightStats {
  readonly nodeId: string;
  /** The node's weight tensors (role 'weight': kernels, not biases) together. */
  readonly weights: BinnedValues;
  /** L2 norm of the node's trainable tensors. */
  readonly weightNorm: number;
  /** The last training step's gradients of the same tensors; absent where the trainer keeps them on the GPU. */
  readonly gradients?: BinnedValues;
  /** L2 norm of the last step's gradients of all the node's trainable tensors. */
  readonly gradientNorm?: number;
}

export interface ReluStats {
  readonly nodeId: string;
  /** Units (output elements of one sample) that were ≤ 0 for every sample of the probe batch. */
  readonly deadUnits: number;
  readonly units: number;
  readonly probeSamples: number;
}

export interface EpochStats {
  /** The epoch that just ended, from 1. */
  readonly epoch: number;
  readonly globalStep: number;
  readonly layers: LayerWeightStats[];
  readonly relus: ReluStats[];
}

/** Bins finite values (NaN and ±Infinity are skipped) of one or more arrays together. */
export const binValues = (arrays: readonly ArrayLike<number>[], bins = STATS_BINS): BinnedValues => {
  let min = Infinity;
  let max = -Infinity;
  for (const values of arrays)
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  if (!(min <= max)) min = max = 0;
  const counts = new Array<number>(bins).fill(0);
  const width = max > min ? (max - min) / bins : 1;
  for (const values of arrays)
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      counts[Math.min(bins - 1, Math.floor((v - min) / width))]++;
    }
  return { min, max, counts };
};

/** The L2 norm of arrays taken together (in double precision). */
export const l2Norm = (arrays: readonly ArrayLike<number>[]): number => {
  let sum = 0;
  for (const values of arrays) for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum);
};

/**
 * Units that never fire: `outputs` holds `samples` consecutive outputs of `units` values each;
 * a unit is dead when it is ≤ 0 (or NaN) in every one of them.
 */
export const countDeadUnits = (outputs: ArrayLike<number>, samples: number, units: number): number => {
  let dead = 0;
  for (let u = 0; u < units; u++) {
    let fired = false;
    for (let s = 0; s < samples && !fired; s++) fired = outputs[s * units + u] > 0;
    if (!fired) dead++;
  }
  return dead;
};

export interface StatsWarning {
  readonly nodeId: string;
  readonly kind: 'dead-relu' | 'vanishing-gradient' | 'exploding-gradient';
  readonly message: string;
}

const formatNorm = (norm: number): string => (norm === 0 ? '0' : norm.toExponential(1).replace('e+', 'e'));

/** The warnings an epoch's statistics raise, one per node and problem. */
export const statsWarnings = (stats: EpochStats): StatsWarning[] => {
  const warnings: StatsWarning[] = [];
  for (const relu of stats.relus) {
    if (relu.units === 0) continue;
    const fraction = relu.deadUnits / relu.units;
    if (fraction >= DEAD_RELU_FRACTION)
      warnings.push({
        nodeId: relu.nodeId,
        kind: 'dead-relu',
        message: `${relu.nodeId}: ${Math.round(fraction * 100)}% of units never fire on the probe batch (${relu.probeSamples} samples, epoch ${stats.epoch})`,
      });
  }
  for (const layer of stats.layers) {
    const norm = layer.gradientNorm;
    if (norm === undefined) continue;
    if (!Number.isFinite(norm) || norm > EXPLODING_GRADIENT_NORM)
      warnings.push({
        nodeId: layer.nodeId,
        kind: 'exploding-gradient',
        message: `${layer.nodeId}: gradient norm ${formatNorm(norm)} — exploding (above ${formatNorm(EXPLODING_GRADIENT_NORM)}, epoch ${stats.epoch})`,
      });
    else if (norm < VANISHING_GRADIENT_NORM)
      warnings.push({
        nodeId: layer.nodeId,
        kind: 'vanishing-gradient',
        message: `${layer.nodeId}: gradient norm ${formatNorm(norm)} — vanishing (below ${formatNorm(VANISHING_GRADIENT_NORM)}, epoch ${stats.epoch})`,
      });
  }
  return warnings;
};
