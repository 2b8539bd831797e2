/**
 * The History tab's state: every `epoch-stats` event of this project's runs in this window (the
 * training store hands them over as they come), past runs' statistics loaded from their run
 * records (`RunRecord.epochStats`, without snapshots), the epoch the scrubber shows, the layer whose
 * histograms are drawn, and the run compared with the current one. The newest run's last epoch
 * gives the canvas its warnings (dead ReLUs, vanishing or exploding gradients). Framework-free.
 */
import type { StudioJobEvent } from '../../electron/api';
import type { RunRecord } from '../../engine/project/schema';
import { statsWarnings, type StatsWarning } from '../../engine/viz/training-stats';
import { Store } from '../editor/store-core';

export type EpochStatsEvent = Extract<StudioJobEvent, { type: 'epoch-stats' }>;

/** Runs kept for comparison (the oldest are forgotten first). */
export const MAX_KEPT_RUNS = 6;

export interface RunHistory {
  readonly jobId: string;
  /** For people: "run 2". */
  readonly label: string;
  /** In epoch order. */
  readonly epochs: readonly EpochStatsEvent[];
}

export interface HistoryState {
  readonly runs: readonly RunHistory[];
  /** The run shown (default the newest). */
  readonly jobId: string | null;
  /** The epoch the scrubber shows; null follows the newest. */
  readonly epoch: number | null;
  /** The layer whose histograms are drawn; null: the first with weights. */
  readonly nodeId: string | null;
  /** The run whose filters are shown beside, at the same epoch. */
  readonly compareJobId: string | null;
  /** The newest run's warnings after its last epoch, by node. */
  readonly warnings: ReadonlyMap<string, readonly StatsWarning[]>;
}

const INITIAL: HistoryState = { runs: [], jobId: null, epoch: null, nodeId: null, compareJobId: null, warnings: new Map() };

const byNode = (warnings: readonly StatsWarning[]): Map<string, StatsWarning[]> => {
  const map = new Map<string, StatsWarning[]>();
  for (const warning of warnings) map.set(warning.nodeId, [...(map.get(warning.nodeId) ?? []), warning]);
  return map;
};

export class HistoryStore extends Store<HistoryState> {
  /** Runs begun since the last reset: the next run's label. */
  private runCount = 0;

  constructor() {
    super(INITIAL);
  }

  /** Forgets every run (another project was opened). */
  reset(): void {
    this.runCount = 0;
    this.set(INITIAL);
  }

  /** A new run started: it becomes the one shown, following its newest epoch. */
  beginRun(jobId: string): void {
    if (this.state.runs.some((run) => run.jobId === jobId)) return;
    const runs = [...this.state.runs, { jobId, label: `run ${++this.runCount}`, epochs: [] }].slice(-MAX_KEPT_RUNS);
    const previous = this.state.jobId;
    this.set({
      ...this.state,
      runs,
      jobId,
      epoch: null,
      compareJobId: previous !== null && runs.some((run) => run.jobId === previous) ? previous : null,
      warnings: new Map(),
    });
  }

  /** One epoch's statistics of a run (begun first when it is new); a repeated epoch replaces the one kept. */
  receive(jobId: string, event: EpochStatsEvent): void {
    if (!this.state.runs.some((run) => run.jobId === jobId)) this.beginRun(jobId);
    const runs = this.state.runs.map((run) =>
      run.jobId !== jobId ? run : { ...run, epochs: [...run.epochs.filter((kept) => kept.stats.epoch !== event.stats.epoch), event] },
    );
    const newest = runs[runs.length - 1].jobId === jobId;
    this.set({ ...this.state, runs, ...(newest ? { warnings: byNode(statsWarnings(event.stats)) } : {}) });
  }

  /**
   * Shows a past run from its record: first among the runs (it never takes the canvas's
   * warnings, which are the newest live run's), keeping the newest others. False when the record
   * holds no statistics (runs recorded before they were kept).
   */
  showSavedRun(record: RunRecord): boolean {
    if (!record.epochStats?.length) return false;
    const jobId = savedRunId(record.id);
    if (!this.state.runs.some((run) => run.jobId === jobId)) {
      const epochs = record.epochStats.map((stats): EpochStatsEvent => ({ type: 'epoch-stats', stats }));
      const others = this.state.runs.slice(-(MAX_KEPT_RUNS - 1));
      this.set({ ...this.state, runs: [{ jobId, label: `saved ${record.id}`, epochs }, ...others] });
    }
    this.showRun(jobId);
    return true;
  }

  showRun(jobId: string): void {
    this.set({ ...this.state, jobId, epoch: null });
  }

  setEpoch(epoch: number | null): void {
    this.set({ ...this.state, epoch });
  }

  setNode(nodeId: string | null): void {
    this.set({ ...this.state, nodeId });
  }

  compareWith(jobId: string | null): void {
    this.set({ ...this.state, compareJobId: jobId });
  }
}

export const history = new HistoryStore();

/** The History tab's id of a run loaded from its record (live runs go by their job ids). */
export const savedRunId = (runId: string): string => `saved:${runId}`;

export const isSavedRun = (jobId: string): boolean => jobId.startsWith('saved:');

/** The run shown. */
export const shownRun = (state: HistoryState): RunHistory | undefined =>
  state.runs.find((run) => run.jobId === state.jobId) ?? state.runs[state.runs.length - 1];

/** A run's statistics at `epoch` (its newest when null, or when it has not reached that epoch). */
export const atEpoch = (run: RunHistory | undefined, epoch: number | null): EpochStatsEvent | undefined => {
  if (!run || run.epochs.length === 0) return undefined;
  if (epoch === null) return run.epochs[run.epochs.length - 1];
  return run.epochs.find((event) => event.stats.epoch === epoch) ?? run.epochs[run.epochs.length - 1];
};
