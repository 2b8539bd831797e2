/**
 * The training panel's state, fed by one job's event stream: the latest progress, the per-step
 * loss and per-epoch metrics for the curves, and a failure when there is one. Framework-free.
 */
import type { JobState, StudioApi, StudioJobEvent, TrainingOverrides, Unsubscribe } from '../../electron/api';
import type { EpochRecord, ProjectDocument } from '../../engine/project/schema';
import { Store, ValueStore } from '../editor/store-core';
import { history } from '../viz/history-store';

type Progress = Extract<StudioJobEvent, { type: 'progress' }>;
type Started = Extract<StudioJobEvent, { type: 'started' }>;
type Finished = Extract<StudioJobEvent, { type: 'finished' }>;
type DatasetProblems = Extract<StudioJobEvent, { type: 'dataset-problems' }>;

/** A file or folder the run's dataset skipped. */
export type DatasetProblem = DatasetProblems['problems'][number];

export interface TrainingState {
  readonly jobId: string | null;
  /** The graph the run trains, as it was when it started (the editor's graph object then). */
  readonly graph: unknown;
  /** `idle` before the first run of this project. */
  readonly state: JobState | 'idle';
  readonly starting: boolean;
  readonly started: Started | null;
  readonly progress: Progress | null;
  /**
   * Global step and loss of every progress report: the loss curve. Appended in place (a long
   * run has tens of thousands); `points` counts them, so a change of `points` means new data.
   */
  readonly steps: number[];
  readonly losses: number[];
  readonly points: number;
  readonly epochs: readonly EpochRecord[];
  readonly failure: string | null;
  readonly finished: Finished | null;
  /** What the run's dataset skipped (as many as the host sent), and how many it skipped in all. */
  readonly datasetProblems: readonly DatasetProblem[];
  readonly datasetProblemCount: number;
}

const IDLE: TrainingState = {
  jobId: null,
  graph: null,
  state: 'idle',
  starting: false,
  started: null,
  progress: null,
  steps: [],
  losses: [],
  points: 0,
  epochs: [],
  failure: null,
  finished: null,
  datasetProblems: [],
  datasetProblemCount: 0,
};

export const isActive = (state: TrainingState): boolean =>
  state.starting || state.state === 'queued' || state.state === 'running' || state.state === 'paused';

/** The fraction of the whole run done, from 0 to 1. */
export const fractionDone = (state: TrainingState): number => {
  const progress = state.progress;
  const epochs = state.started?.epochs ?? 1;
  if (state.state === 'completed') return 1;
  if (!progress || progress.stepsPerEpoch === 0) return 0;
  return Math.min(1, (progress.epoch - 1 + progress.stepInEpoch / progress.stepsPerEpoch) / epochs);
};

export class TrainingStore extends Store<TrainingState> {
  private unwatch: Unsubscribe | null = null;
  /** Told when a run ends (the app marks unsaved results). */
  onFinished: (event: Finished) => void = () => undefined;

  constructor() {
    super({ ...IDLE, steps: [], losses: [] });
  }

  /** Forgets the panel's run (another project was opened); the job itself goes on. */
  reset(): void {
    this.unwatch?.();
    this.unwatch = null;
    this.set({ ...IDLE, steps: [], losses: [] });
  }

  async start(api: StudioApi, document: ProjectDocument, overrides: TrainingOverrides): Promise<void> {
    this.reset();
    this.set({ ...IDLE, steps: [], losses: [], starting: true, graph: document.graph });
    try {
      const job = await api.startTraining(document, overrides);
      this.set({ ...this.state, jobId: job.jobId, state: job.state });
      history.beginRun(job.jobId);
      const unwatch = await api.watchJob(job.jobId, (event) => this.receive(job.jobId, event));
      if (this.state.jobId === job.jobId) this.unwatch = unwatch;
      else unwatch();
    } catch (error) {
      this.set({ ...IDLE, steps: [], losses: [], failure: error instanceof Error ? error.message : String(error) });
    } finally {
      if (this.state.starting) this.set({ ...this.state, starting: false });
    }
  }

  /**
   * Starts a run with the panel's settings: set by the mounted training panel (the settings are
   * its form's), null while no panel is shown. The menu's Train ▸ Start calls it.
   */
  requestStart: (() => void) | null = null;

  /** Pauses the running job or resumes the paused one (the panel's and the menu's Pause). */
  togglePause(api: StudioApi): Promise<void> {
    const { jobId, state } = this.state;
    if (!jobId || !isActive(this.state)) return Promise.resolve();
    return state === 'paused' ? api.resumeTraining(jobId) : api.pauseTraining(jobId);
  }

  /** Stops the job, keeping its weights so far. */
  stop(api: StudioApi): Promise<void> {
    const { jobId } = this.state;
    return jobId && isActive(this.state) ? api.stopTraining(jobId) : Promise.resolve();
  }

  /** Applies one event of the watched job. */
  receive(jobId: string, event: StudioJobEvent): void {
    if (jobId !== this.state.jobId) return;
    const state = this.state;
    switch (event.type) {
      case 'state':
        return this.set({ ...state, state: event.state, starting: false });
      case 'started':
        return this.set({ ...state, started: event, starting: false });
      case 'progress':
        state.steps.push(event.globalStep);
        state.losses.push(event.loss);
        return this.set({ ...state, progress: event, points: state.steps.length });
      case 'dataset-problems':
        return this.set({
          ...state,
          datasetProblems: [...state.datasetProblems, ...event.problems],
          datasetProblemCount: state.datasetProblemCount + event.total,
        });
      case 'epoch':
        return this.set({ ...state, epochs: [...state.epochs, event.summary] });
      case 'epoch-stats':
        return history.receive(jobId, event);
      case 'failed':
        return this.set({ ...state, failure: event.reason });
      case 'finished':
        this.set({ ...state, finished: event, state: event.state });
        this.onFinished(event);
        return;
      default:
        return;
    }
  }
}

export const training = new TrainingStore();

/**
 * The training panel's sample limit (the first N training samples a run reads; null: all), for
 * what previews the run's start: k-means cuts its patches from those samples only.
 */
export const sampleLimit = new ValueStore<{ readonly limit: number | null }>({ limit: null });
