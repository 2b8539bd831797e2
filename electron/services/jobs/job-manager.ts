/**
 * Training jobs: a queue, a bound on how many run at once, each job in its own worker process.
 * A worker that crashes, is killed or runs out of memory fails its job with the reason; the
 * other jobs go on, and the failed job can be resumed from its last checkpoint. Runs that would
 * not fit in memory are refused before they start, with the figure.
 */
import { analyzeGraph } from '../../../engine/graph/analyze';
import { estimateTrainingMemory } from '../../../engine/train/memory';
import type { EpochStats } from '../../../engine/viz/training-stats';
import {
  PROTOCOL_VERSION,
  type CheckpointMessage,
  type EpochSummary,
  type StartMessage,
  type TensorList,
  type WorkerMessage,
} from '../../worker/protocol';
import type { WorkerExit, WorkerHandle, WorkerHost } from './worker-host';

export type JobState = 'queued' | 'running' | 'paused' | 'completed' | 'stopped' | 'failed';

export type JobRequest = Omit<StartMessage, 'type' | 'protocol' | 'jobId'>;

export type JobEvent =
  | { readonly type: 'state'; readonly state: JobState }
  | Exclude<WorkerMessage, { type: 'ready' | 'paused' | 'resumed' | 'done' | 'failed' }>
  | { readonly type: 'failed'; readonly reason: string; readonly kind: string };

export class MemoryRefusedError extends Error {
  constructor(
    readonly neededBytes: number,
    readonly limitBytes: number,
  ) {
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    super(
      `this run needs about ${mib(neededBytes)} of memory but at most ${mib(limitBytes)} is allowed; lower the batch size or the model's size`,
    );
    this.name = 'MemoryRefusedError';
  }
}

export class Job {
  state: JobState = 'queued';
  failure: { reason: string; kind: string } | null = null;
  lastCheckpoint: CheckpointMessage | null = null;
  readonly epochs: EpochSummary[] = [];
  /** Each finished epoch's layer statistics (the snapshots travel in the events only). */
  readonly epochStats: EpochStats[] = [];
  finalWeights: TensorList | null = null;
  worker: WorkerHandle | null = null;
  /** The worker has opened the dataset, built the model and begun training (its `started`). */
  trainingStarted = false;
  private readonly listeners = new Set<(event: JobEvent) => void>();
  private readonly ended: Promise<Job>;
  private resolveEnded!: (job: Job) => void;

  constructor(
    readonly id: string,
    readonly request: JobRequest,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  /** Listens to the job's events; returns the function that stops listening. */
  subscribe(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when the job has completed, stopped or failed. */
  whenEnded(): Promise<Job> {
    return this.ended;
  }

  pause(): void {
    this.worker?.send({ type: 'pause' });
  }

  resume(): void {
    this.worker?.send({ type: 'resume' });
  }

  /** Asks the worker to stop after its current step; a queued job is dropped. */
  stop(): void {
    if (this.state === 'queued') this.end('stopped');
    else this.worker?.send({ type: 'stop' });
  }

  /** A request that continues this job from its last checkpoint (or starts it afresh). */
  resumeRequest(): JobRequest {
    return this.lastCheckpoint ? { ...this.request, resume: this.lastCheckpoint } : this.request;
  }

  get isOver(): boolean {
    return this.state === 'completed' || this.state === 'stopped' || this.state === 'failed';
  }

  emit(event: JobEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  setState(state: JobState): void {
    this.state = state;
    this.emit({ type: 'state', state });
  }

  end(state: 'completed' | 'stopped' | 'failed', failure?: { reason: string; kind: string }): void {
    if (this.isOver) return;
    if (failure) {
      this.failure = failure;
      this.emit({ type: 'failed', ...failure });
    }
    this.setState(state);
    this.resolveEnded(this);
  }
}

export interface JobManagerOptions {
  /** How many jobs train at once. */
  readonly maxConcurrent: number;
  /** Refuse runs estimated to need more than this. */
  readonly memoryLimitBytes?: number;
  /** Heap limit of each worker process, in MiB. */
  readonly workerMemoryMb?: number;
}

/** Why a job's worker ended, and what to do; `started`: it had begun training (else it was opening the dataset or building the model). */
const describeExit = (exit: WorkerExit, started: boolean): { reason: string; kind: string } => {
  const detail = exit.detail ? `: ${exit.detail}` : '';
  switch (exit.reason) {
    case 'oom':
      return {
        kind: 'oom',
        reason: started
          ? `the worker ran out of memory while training; lower the batch size or the model's size${detail}`
          : `the worker ran out of memory before training started, opening the dataset or building the model; train on fewer samples (limit), a smaller dataset or a smaller model${detail}`,
      };
    case 'killed':
      return { kind: 'killed', reason: 'the worker was killed' };
    case 'launch-failed':
      return { kind: 'crashed', reason: `the worker could not start${detail}` };
    default:
      return { kind: 'crashed', reason: `the worker stopped unexpectedly (exit code ${exit.code ?? exit.signal})${detail}` };
  }
};

export class JobManager {
  private readonly all: Job[] = [];
  private nextId = 1;

  constructor(
    private readonly host: WorkerHost,
    private readonly options: JobManagerOptions,
  ) {}

  get jobs(): readonly Job[] {
    return this.all;
  }

  /** Queues a run; throws MemoryRefusedError when it would not fit, or an Error for an invalid graph. */
  submit(request: JobRequest): Job {
    const report = analyzeGraph(request.graph);
    if (!report.valid)
      throw new Error(
        `the graph is not valid: ${report.issues
          .filter((i) => i.severity === 'error')
          .map((i) => i.message)
          .join('; ')}`,
      );
    const estimate = estimateTrainingMemory(report, request.training.batchSize, request.training.optimizer);
    const limit = this.options.memoryLimitBytes;
    if (limit !== undefined && estimate.totalBytes > limit) throw new MemoryRefusedError(estimate.totalBytes, limit);
    const job = new Job(`job-${this.nextId++}`, request);
    this.all.push(job);
    job.whenEnded().then(() => this.pump());
    this.pump();
    return job;
  }

  private pump(): void {
    let running = this.all.filter((job) => job.state === 'running' || job.state === 'paused').length;
    for (const job of this.all) {
      if (running >= this.options.maxConcurrent) return;
      if (job.state !== 'queued') continue;
      this.launch(job);
      running++;
    }
  }

  private launch(job: Job): void {
    const worker = this.host.spawn({
      maxMemoryMb: this.options.workerMemoryMb,
      backend: job.request.backend,
      datasetKind: job.request.dataset.kind,
    });
    job.worker = worker;
    job.setState('running');
    worker.onProtocolError((error) => job.end('failed', { kind: 'internal', reason: error.message }));
    worker.onMessage((message) => this.receive(job, message));
    worker.onExit((exit) => {
      if (!job.isOver) job.end('failed', describeExit(exit, job.trainingStarted));
    });
  }

  private receive(job: Job, message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        job.worker!.send({ type: 'start', protocol: PROTOCOL_VERSION, jobId: job.id, ...job.request });
        return;
      case 'started':
        job.trainingStarted = true;
        return job.emit(message);
      case 'paused':
        return job.setState('paused');
      case 'resumed':
        return job.setState('running');
      case 'checkpoint':
        job.lastCheckpoint = message.checkpoint;
        return job.emit(message);
      case 'epoch':
        job.epochs.push(message.summary);
        return job.emit(message);
      case 'epoch-stats':
        job.epochStats.push(message.stats);
        return job.emit(message);
      case 'done':
        job.finalWeights = message.weights;
        return job.end(message.status);
      case 'failed':
        job.worker!.kill();
        return job.end('failed', { kind: message.kind, reason: message.reason });
      default:
        return job.emit(message);
    }
  }
}
