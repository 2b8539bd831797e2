/**
 * Training jobs as the renderer sees them: the job manager's events turned into `StudioJobEvent`s
 * (no tensors), kept per job so a window that starts watching late gets the events so far, and a
 * closing `finished` event once the job's owner has taken its weights.
 */
import type { JobState, StudioJobEvent, Unsubscribe, VisualReply, VisualRequest } from '../../api';
import type { Job, JobEvent, JobManager, JobRequest } from '../../services/jobs/job-manager';
import { RequestError } from './errors';
import { VisualRequests } from './visual-requests';

/** At most this many progress events are kept per job for late watchers (the newest). */
const MAX_KEPT_PROGRESS = 2000;

/** What the job's owner did with its result; becomes the `finished` event. */
export type FinishOutcome = Omit<Extract<StudioJobEvent, { type: 'finished' }>, 'type' | 'state'>;

/** The event a renderer receives for a job manager event; null for those it has no use for. */
export const toStudioEvent = (event: JobEvent): StudioJobEvent | null => {
  switch (event.type) {
    case 'state':
      return { type: 'state', state: event.state };
    case 'started':
      return {
        type: 'started',
        backend: event.backend,
        backendReason: event.backendReason,
        trainSamples: event.trainSamples,
        validationSamples: event.validationSamples,
        stepsPerEpoch: event.stepsPerEpoch,
        epochs: event.epochs,
      };
    case 'progress': {
      const { type: _, ...rest } = event;
      return { type: 'progress', ...rest };
    }
    case 'dataset-problems':
      return { type: 'dataset-problems', problems: event.problems.map((problem) => ({ ...problem })), total: event.total };
    case 'epoch':
      return { type: 'epoch', summary: { ...event.summary } };
    case 'checkpoint':
      return { type: 'checkpoint', epoch: event.checkpoint.epoch, globalStep: event.checkpoint.globalStep };
    case 'failed':
      return { type: 'failed', kind: event.kind, reason: event.reason };
    default:
      return null;
  }
};

class WatchedJob {
  readonly events: StudioJobEvent[] = [];
  readonly listeners = new Set<(event: StudioJobEvent) => void>();
  private progressKept = 0;

  constructor(readonly job: Job) {}

  push(event: StudioJobEvent): void {
    this.events.push(event);
    if (event.type === 'progress' && ++this.progressKept > MAX_KEPT_PROGRESS) {
      this.events.splice(
        this.events.findIndex((kept) => kept.type === 'progress'),
        1,
      );
      this.progressKept--;
    }
    for (const listener of this.listeners) listener(event);
  }
}

export class TrainingJobs {
  private readonly jobs = new Map<string, WatchedJob>();
  private readonly visuals = new VisualRequests();

  constructor(private readonly manager: JobManager) {}

  /**
   * Queues a run (throws as JobManager.submit does). When it ends, `onEnd` decides what becomes
   * of its weights, and its answer is sent as the `finished` event.
   */
  start(request: JobRequest, onEnd: (job: Job) => FinishOutcome): Job {
    const job = this.manager.submit(request);
    const watched = new WatchedJob(job);
    this.jobs.set(job.id, watched);
    job.subscribe((event) => {
      const studioEvent = toStudioEvent(event);
      if (studioEvent) watched.push(studioEvent);
    });
    void job.whenEnded().then(() => {
      let outcome: FinishOutcome;
      try {
        outcome = onEnd(job);
      } catch {
        outcome = { run: null, weightsKept: false };
      }
      watched.push({ type: 'finished', state: job.state as 'completed' | 'stopped' | 'failed', ...outcome });
    });
    return job;
  }

  private find(jobId: string): WatchedJob {
    const watched = this.jobs.get(jobId);
    if (!watched) throw new RequestError(`there is no training job '${jobId}'`);
    return watched;
  }

  state(jobId: string): JobState {
    return this.find(jobId).job.state;
  }

  /** Sends the events so far, then each new one; returns the function that stops it. */
  watch(jobId: string, listener: (event: StudioJobEvent) => void): Unsubscribe {
    const watched = this.find(jobId);
    for (const event of watched.events) listener(event);
    watched.listeners.add(listener);
    return () => watched.listeners.delete(listener);
  }

  /** The worker a job runs in, while it has one (the desktop app hands it the window's stream). */
  worker(jobId: string): Job['worker'] {
    return this.find(jobId).job.worker;
  }

  pause(jobId: string): void {
    this.find(jobId).job.pause();
  }

  resume(jobId: string): void {
    this.find(jobId).job.resume();
  }

  stop(jobId: string): void {
    this.find(jobId).job.stop();
  }

  /** A job's filters or activations: live from its worker, or from the weights it ended with. */
  visual(jobId: string, request: VisualRequest): Promise<VisualReply> {
    const watched = this.find(jobId);
    return this.visuals.ask(watched.job, request, () => {
      const last = watched.events.findLast((event) => event.type === 'progress');
      return { epoch: watched.job.epochs.length, globalStep: last?.type === 'progress' ? last.globalStep : 0 };
    });
  }

  /** Stops every job that is still going (the host is closing). */
  stopAll(): void {
    for (const { job } of this.jobs.values()) {
      if (!job.isOver) {
        job.stop();
        job.worker?.kill();
      }
    }
  }
}
