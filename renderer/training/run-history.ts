/**
 * The project's runs shaped for the training panel: one row per run for the history list, the
 * chosen runs' per-epoch curves overlaid in one chart, and every run as a point of final error
 * against the multiply-adds of the graph it trained. Framework-free.
 */
import type { EpochRecord, RunRecord } from '../../engine/project/schema';
import { describeRunSettings, runSettingsOf } from './run-settings';

export interface RunRow {
  readonly id: string;
  readonly startedAt: string;
  readonly status: RunRecord['status'];
  /** The hyper-parameters, short: `adam · lr 0.001 · batch 32 · 3 epochs`. */
  readonly summary: string;
  /** The schedule, seed, initialisation and augmentation: `cosine · seed 7 · flip ↔`. */
  readonly settings: string;
  /** The first 7 digits of the graph version. */
  readonly graphShort: string;
  /** It trained a graph other than the current one. */
  readonly otherGraph: boolean;
  readonly epochsDone: number;
  readonly final: EpochRecord | null;
}

export const runRows = (runs: readonly RunRecord[], currentGraphVersion: string): RunRow[] =>
  runs.map((run) => {
    const t = run.training;
    return {
      id: run.id,
      startedAt: run.startedAt,
      status: run.status,
      summary: `${t.optimizer.kind} · lr ${t.learningRate} · batch ${t.batchSize} · ${t.epochs} epoch${t.epochs === 1 ? '' : 's'}`,
      settings: describeRunSettings(runSettingsOf(run)),
      graphShort: run.graphVersion.slice(0, 7),
      otherGraph: run.graphVersion !== currentGraphVersion,
      epochsDone: run.epochs.length,
      final: run.epochs.at(-1) ?? null,
    };
  });

export type OverlayMetric = 'trainLoss' | 'validationLoss' | 'trainAccuracy' | 'validationAccuracy';

export const OVERLAY_METRICS: readonly { readonly metric: OverlayMetric; readonly label: string }[] = [
  { metric: 'trainLoss', label: 'training loss' },
  { metric: 'validationLoss', label: 'validation loss' },
  { metric: 'trainAccuracy', label: 'training accuracy' },
  { metric: 'validationAccuracy', label: 'validation accuracy' },
];

/** Distinct colours for overlaid runs, in turn. */
export const RUN_COLOURS = ['#4fc1ff', '#f0a35e', '#7fd67f', '#e070d0', '#e0d050', '#ff6b6b', '#a0a0ff', '#50d0c0'];

export interface Overlay {
  /** One per run, in the order given. */
  readonly labels: string[];
  /** Epochs 1…the longest run's, then one list per run (null where a run has no value). */
  readonly data: [number[], ...(number | null)[][]];
}

/** The runs' `metric` per epoch, on one epoch axis. */
export const overlay = (runs: readonly RunRecord[], metric: OverlayMetric): Overlay => {
  const longest = Math.max(0, ...runs.map((run) => run.epochs.length));
  const epochs = Array.from({ length: longest }, (_, i) => i + 1);
  const lines = runs.map((run) => {
    const byEpoch = new Map(run.epochs.map((epoch) => [epoch.epoch, epoch[metric]]));
    return epochs.map((epoch) => byEpoch.get(epoch) ?? null);
  });
  return { labels: runs.map((run) => run.id), data: [epochs, ...lines] };
};

export type ErrorKind = 'validation error' | 'training error' | 'validation loss' | 'training loss';

/**
 * A run's final error: 1 − accuracy on the validation set, else on the training set; for runs
 * without accuracy (regression), the final loss. Null for a run with no finished epoch.
 */
export const finalError = (run: RunRecord): { readonly value: number; readonly kind: ErrorKind } | null => {
  const last = run.epochs.at(-1);
  if (!last) return null;
  if (last.validationAccuracy !== undefined) return { value: 1 - last.validationAccuracy, kind: 'validation error' };
  if (last.trainAccuracy !== undefined) return { value: 1 - last.trainAccuracy, kind: 'training error' };
  if (last.validationLoss !== undefined) return { value: last.validationLoss, kind: 'validation loss' };
  return { value: last.trainLoss, kind: 'training loss' };
};

export interface CostPoint {
  readonly id: string;
  /** Multiply-adds of one forward pass over one sample. */
  readonly multiplyAdds: number;
  readonly error: number;
  readonly errorKind: ErrorKind;
  readonly summary: string;
}

export interface CostScatter {
  readonly points: CostPoint[];
  /** Runs left out: no finished epoch, or the cost of their graph is unknown. */
  readonly leftOut: string[];
}

/**
 * Every run as a point of final error against cost. A run records its graph's multiply-adds; an
 * older record without them takes the current graph's when it trained the current graph.
 */
export const costScatter = (runs: readonly RunRecord[], currentGraphVersion: string, currentMultiplyAdds: number): CostScatter => {
  const points: CostPoint[] = [];
  const leftOut: string[] = [];
  const rows = runRows(runs, currentGraphVersion);
  runs.forEach((run, index) => {
    const error = finalError(run);
    const cost = run.multiplyAdds ?? (run.graphVersion === currentGraphVersion ? currentMultiplyAdds : undefined);
    if (!error || cost === undefined) leftOut.push(run.id);
    else points.push({ id: run.id, multiplyAdds: cost, error: error.value, errorKind: error.kind, summary: rows[index].summary });
  });
  return { points, leftOut };
};

/** The lower and upper ends of an axis over `values`, a little wider than they span. */
export const axisRange = (values: readonly number[]): [number, number] => {
  if (!values.length) return [0, 1];
  const low = Math.min(...values);
  const high = Math.max(...values);
  const pad = high > low ? (high - low) * 0.08 : Math.abs(high) * 0.1 || 1;
  return [low - pad, high + pad];
};
