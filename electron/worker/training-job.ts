/**
 * One training job inside a worker process, independent of the transport: it receives host
 * messages through `handle` and reports through `post`. Training runs in slices of about
 * `SLICE_MS`, yielding between them so that pause, stop and snapshot requests are answered
 * while it trains.
 *
 * Backends: 'cpu' trains with the CPU Trainer; 'webgpu' with the GpuTrainer on whatever adapter
 * answers (SwiftShader included); 'auto' asks `chooseBackend` (a hardware GPU, else the CPU).
 * The 'started' message names the backend and why. The two trainers share one surface, the
 * GPU's returning promises, so a slice awaits each call. A GPU device lost mid-run fails the
 * job with a message saying so; the host keeps the last checkpoint, from which the run can
 * continue on the CPU.
 */
import { CPU_LAYERS } from '../../engine/backends/cpu/layers';
import { DeviceLostError, type GpuContext } from '../../engine/backends/webgpu/device';
import { GpuTrainer } from '../../engine/backends/webgpu/trainer';
import { loadAll, type Dataset } from '../../engine/data/dataset';
import type { DatasetProblem } from '../../engine/data/problems';
import { FilterInitError } from '../../engine/train/filter-init';
import { PatchInitError } from '../../engine/train/init-kmeans';
import { compileModel, InvalidGraphError } from '../../engine/train/plan';
import { DivergedError, Trainer, type Checkpoint, type EpochReport } from '../../engine/train/trainer';
import { computeEpochStats, PROBE_SAMPLES } from './epoch-stats';
import { openGpuBackend, type GpuBackendChoice } from './gpu-node';
import { openTrainingData } from './training-data';
import { answerVisual, FilterWatch } from './visual';
import {
  MAX_FORWARDED_PROBLEMS,
  type CheckpointMessage,
  type EpochSummary,
  type HostMessage,
  type StartMessage,
  type TensorList,
  type WorkerMessage,
} from './protocol';

const SLICE_MS = 50;
/**
 * The GPU trainer waits for its loss every this many steps (and at each epoch's end), so the
 * device has steps queued rather than idling at each read-back: progress shows a loss at most
 * that many steps old, a divergence is caught within that many steps, and the epoch's figures
 * are exact either way (they are summed on the GPU).
 */
const GPU_LOSS_INTERVAL = 10;

type TrainingData = ReturnType<typeof openTrainingData>;

/** Some convolution starts from k-means on the training set's patches. */
const usesPatches = (message: StartMessage): boolean =>
  Object.values(message.training.filters ?? {}).some((settings) => settings?.start?.kind === 'kmeans');

const toTensorList = (tensors: ReadonlyMap<string, Float32Array> | Readonly<Record<string, Float32Array>>): TensorList =>
  (tensors instanceof Map ? [...tensors] : Object.entries(tensors)).map(([name, values]) => [name, values.slice()]);

const toCheckpointMessage = (checkpoint: Checkpoint): CheckpointMessage => ({
  ...checkpoint,
  weights: toTensorList(checkpoint.weights),
  optimizerState: toTensorList(checkpoint.optimizerState),
});

const fromCheckpointMessage = (message: CheckpointMessage): Checkpoint => ({
  ...message,
  weights: new Map(message.weights),
  optimizerState: Object.fromEntries(message.optimizerState),
});

const summarise = (report: EpochReport, seconds: number): EpochSummary => ({
  epoch: report.epoch,
  trainLoss: report.trainLoss,
  ...(report.trainAccuracy !== undefined ? { trainAccuracy: report.trainAccuracy } : {}),
  ...(report.validation ? { validationLoss: report.validation.loss } : {}),
  ...(report.validation?.classification ? { validationAccuracy: report.validation.classification.accuracy } : {}),
  learningRate: report.learningRate,
  seconds,
});

export interface TrainingJobOptions {
  /** Resolves 'webgpu' and 'auto' to a device or the CPU (tests substitute their own). */
  readonly openGpu?: (requested: 'webgpu' | 'auto') => Promise<GpuBackendChoice>;
  /** The GPU trainer waits for its loss every N steps (see GpuTrainer); default GPU_LOSS_INTERVAL. */
  readonly lossInterval?: number;
  /** Opens the datasets a start message names (default: from disk; the GPU window reads through its data port). */
  readonly openData?: (message: StartMessage) => TrainingData | Promise<TrainingData>;
}

export class TrainingJob {
  private trainer: Trainer | GpuTrainer | null = null;
  private context: GpuContext | null = null;
  private paused = false;
  private stopping = false;
  private finished = false;
  private scheduled = false;
  /** A slice is running (the GPU's awaits let messages in meanwhile): never two at once. */
  private running = false;
  private readonly epochs: EpochSummary[] = [];
  private epochStarted = 0;
  private lastProgress = 0;
  private speedWindow: { time: number; samples: number }[] = [];
  private progressIntervalMs = 200;
  /** The dataset's problems (it adds files that fail while training), and how many were sent. */
  private problems: readonly DatasetProblem[] = [];
  private problemsSent = 0;
  /** Pushes a layer's filters every N steps while the host watches (visual.ts). */
  private readonly filterWatch = new FilterWatch();

  constructor(
    private readonly post: (message: WorkerMessage) => void,
    private readonly options: TrainingJobOptions = {},
  ) {}

  handle(message: HostMessage): void {
    switch (message.type) {
      case 'start':
        void this.start(message);
        return;
      case 'pause':
        if (!this.paused && !this.finished) {
          this.paused = true;
          this.post({ type: 'paused' });
        }
        return;
      case 'resume':
        if (this.paused) {
          this.paused = false;
          this.post({ type: 'resumed' });
          this.schedule();
        }
        return;
      case 'stop':
        this.stopping = true;
        if (this.paused) {
          this.paused = false;
          this.schedule();
        }
        return;
      case 'snapshot': {
        const trainer = this.trainer;
        const shape = [...(trainer?.model.specs.get(message.tensor)?.shape ?? [])];
        const reply = (values: Float32Array | null) =>
          this.post({ type: 'snapshot', requestId: message.requestId, tensor: message.tensor, shape, values });
        if (trainer instanceof GpuTrainer && !this.finished) {
          trainer.weight(message.tensor).then(reply, () => reply(null));
        } else reply(trainer?.model.weights.get(message.tensor)?.slice() ?? null);
        return;
      }
      case 'visual':
        void answerVisual(this.trainer, message, !this.finished).then((reply) => this.post(reply));
        return;
      case 'watch':
        this.filterWatch.set(message, this.trainer);
        return;
    }
  }

  private fail(error: unknown, step?: number): void {
    this.finished = true;
    this.release();
    if (error instanceof DivergedError) this.post({ type: 'failed', kind: 'diverged', reason: error.message, step: error.step });
    else if (error instanceof InvalidGraphError || error instanceof FilterInitError || error instanceof PatchInitError)
      this.post({ type: 'failed', kind: 'invalid-graph', reason: error.message });
    else if (error instanceof DeviceLostError) {
      const epochs = this.epochs.length;
      const kept = epochs > 0 ? `its last checkpoint (epoch ${epochs}) is kept` : 'no epoch had finished, so there is no checkpoint';
      const reason = `training on the GPU stopped: ${error.message}. ${kept}; continue the run with the CPU backend`;
      this.post({ type: 'failed', kind: 'internal', reason, ...(step !== undefined ? { step } : {}) });
    } else {
      const reason = error instanceof Error ? error.message : String(error);
      this.post({ type: 'failed', kind: 'internal', reason, ...(step !== undefined ? { step } : {}) });
    }
  }

  private async start(message: StartMessage): Promise<void> {
    if (this.trainer || this.finished) return this.fail(new Error('this worker has already started a job'));
    this.progressIntervalMs = message.progressIntervalMs ?? 200;
    let train: Dataset;
    let validation: Dataset | undefined;
    try {
      ({ train, validation, problems: this.problems } = await (this.options.openData ?? openTrainingData)(message));
    } catch (error) {
      this.finished = true;
      this.post({ type: 'failed', kind: 'data', reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    this.sendNewProblems();
    try {
      const model = compileModel(message.graph, CPU_LAYERS);
      const choice: GpuBackendChoice =
        message.backend === 'cpu'
          ? { backend: 'cpu', reason: 'the CPU backend was asked for', context: null }
          : await (this.options.openGpu ?? openGpuBackend)(message.backend);
      this.context = choice.context;
      const trainer = choice.context
        ? await GpuTrainer.create(choice.context, model, message.training, train, validation, {
            lossInterval: this.options.lossInterval ?? GPU_LOSS_INTERVAL,
          })
        : new Trainer(model, message.training, train, validation);
      if (message.resume) trainer.restore(fromCheckpointMessage(message.resume));
      else if (message.initialWeights) {
        for (const [name, values] of message.initialWeights) {
          const target = model.weights.get(name);
          if (!target || target.length !== values.length) throw new Error(`the starting weights' ${name} does not fit the graph`);
          target.set(values);
        }
        if (trainer instanceof GpuTrainer) trainer.uploadWeights();
      } else {
        // k-means cuts patches from samples it picks itself: a dataset read through a data port fetches them all first.
        if (usesPatches(message)) await loadAll(train);
        trainer.initialiseWeights();
      }
      this.trainer = trainer;
      this.post({
        type: 'started',
        // The protocol's type still says 'cpu' only; widening it to the BackendName union is its owner's change.
        backend: choice.backend as 'cpu',
        backendReason: choice.reason,
        trainSamples: train.size,
        validationSamples: validation?.size ?? 0,
        stepsPerEpoch: trainer.stepsPerEpoch,
        epochs: message.training.epochs,
      });
      if (trainer.epoch >= message.training.epochs) return await this.finish('completed');
      this.beginEpoch();
      this.schedule();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Tells the host about the dataset problems it has not heard of yet (the first MAX_FORWARDED_PROBLEMS). */
  private sendNewProblems(): void {
    const fresh = this.problems.slice(this.problemsSent);
    if (fresh.length === 0) return;
    this.problemsSent = this.problems.length;
    const problems = fresh.slice(0, MAX_FORWARDED_PROBLEMS).map((problem) => ({
      path: problem.path,
      reason: problem.reason,
      ...(problem.line !== undefined ? { line: problem.line } : {}),
    }));
    this.post({ type: 'dataset-problems', problems, total: fresh.length });
  }

  private beginEpoch(): void {
    this.trainer!.beginEpoch();
    this.epochStarted = performance.now();
  }

  private schedule(): void {
    if (this.scheduled || this.running || this.paused || this.finished) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.runSlice();
    });
  }

  private async runSlice(): Promise<void> {
    const trainer = this.trainer!;
    const deadline = performance.now() + SLICE_MS;
    this.running = true;
    try {
      while (!this.paused && !this.finished) {
        if (this.stopping) return await this.finish('stopped');
        const step = await trainer.step();
        if (step) {
          this.reportProgress(
            step.epoch,
            step.stepInEpoch,
            step.stepsPerEpoch,
            step.globalStep,
            step.loss,
            step.learningRate,
            step.samples,
          );
          this.filterWatch.afterStep(trainer, (reply) => this.post(reply));
        } else {
          const report = await trainer.endEpoch();
          const summary = summarise(report, (performance.now() - this.epochStarted) / 1000);
          this.epochs.push(summary);
          this.sendNewProblems();
          this.post({ type: 'epoch', summary });
          await this.sendEpochStats(trainer, summary.epoch);
          this.post({ type: 'checkpoint', checkpoint: toCheckpointMessage(await trainer.checkpoint()) });
          if (report.stop) return await this.finish('completed');
          this.beginEpoch();
        }
        if (performance.now() > deadline) break;
      }
    } catch (error) {
      return this.fail(error, trainer.globalStep);
    } finally {
      this.running = false;
    }
    this.schedule();
  }

  /** The layers' statistics after an epoch (gradients only from the CPU trainer, which keeps them in the model). */
  private async sendEpochStats(trainer: Trainer | GpuTrainer, epoch: number): Promise<void> {
    if (trainer instanceof GpuTrainer) await trainer.downloadWeights();
    const probe = Math.min(PROBE_SAMPLES, trainer.config.batchSize, trainer.train.size);
    await trainer.train.fetchSamples?.(
      Int32Array.from({ length: probe }, (_, i) => i),
      0,
      probe,
    );
    const { stats, snapshot } = computeEpochStats(
      trainer.model,
      trainer.train,
      epoch,
      trainer.globalStep,
      trainer instanceof Trainer,
      trainer.config.batchSize,
    );
    this.post({ type: 'epoch-stats', stats, ...(snapshot ? { snapshot } : {}) });
  }

  private reportProgress(
    epoch: number,
    stepInEpoch: number,
    stepsPerEpoch: number,
    globalStep: number,
    loss: number,
    learningRate: number,
    samples: number,
  ) {
    const now = performance.now();
    this.speedWindow.push({ time: now, samples });
    while (this.speedWindow.length > 2 && now - this.speedWindow[0].time > 5000) this.speedWindow.shift();
    const last = stepInEpoch === stepsPerEpoch;
    if (now - this.lastProgress < this.progressIntervalMs && !last) return;
    this.lastProgress = now;
    const first = this.speedWindow[0];
    const elapsed = (now - first.time) / 1000;
    const counted = this.speedWindow.slice(1).reduce((sum, entry) => sum + entry.samples, 0);
    const imagesPerSecond = elapsed > 0 ? counted / elapsed : 0;
    const trainer = this.trainer!;
    const remainingSteps = (trainer.config.epochs - epoch) * stepsPerEpoch + (stepsPerEpoch - stepInEpoch);
    const etaSeconds = imagesPerSecond > 0 ? (remainingSteps * trainer.config.batchSize) / imagesPerSecond : 0;
    this.post({ type: 'progress', epoch, stepInEpoch, stepsPerEpoch, globalStep, loss, learningRate, imagesPerSecond, etaSeconds });
  }

  private async finish(status: 'completed' | 'stopped'): Promise<void> {
    const trainer = this.trainer!;
    const weights = trainer instanceof GpuTrainer ? await trainer.downloadWeights() : trainer.model.weights;
    this.finished = true;
    this.release();
    this.post({ type: 'done', status, epochs: this.epochs, weights: toTensorList(weights) });
  }

  /** Gives the GPU back (a no-op on the CPU). */
  private release(): void {
    if (this.trainer instanceof GpuTrainer) this.trainer.destroy();
    this.context?.destroy();
    this.context = null;
  }
}
