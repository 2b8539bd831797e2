/**
 * One training job inside a worker process, independent of the transport: it receives host
 * messages through `handle` and reports through `post`. Training runs in slices of about
 * `SLICE_MS`, yielding between them so that pause, stop and snapshot requests are answered
 * while it trains.
 */
import { CPU_LAYERS } from '../../engine/backends/cpu/layers';
import type { Dataset } from '../../engine/data/dataset';
import { compileModel, InvalidGraphError } from '../../engine/train/plan';
import { DivergedError, Trainer, type Checkpoint, type EpochReport } from '../../engine/train/trainer';
import { openTrainingData } from './training-data';
import type { CheckpointMessage, EpochSummary, HostMessage, StartMessage, TensorList, WorkerMessage } from './protocol';

const SLICE_MS = 50;

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

export class TrainingJob {
  private trainer: Trainer | null = null;
  private paused = false;
  private stopping = false;
  private finished = false;
  private scheduled = false;
  private readonly epochs: EpochSummary[] = [];
  private epochStarted = 0;
  private lastProgress = 0;
  private speedWindow: { time: number; samples: number }[] = [];
  private progressIntervalMs = 200;

  constructor(private readonly post: (message: WorkerMessage) => void) {}

  handle(message: HostMessage): void {
    switch (message.type) {
      case 'start':
        return this.start(message);
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
        const values = this.trainer?.model.weights.get(message.tensor) ?? null;
        const shape = this.trainer?.model.specs.get(message.tensor)?.shape ?? [];
        this.post({
          type: 'snapshot',
          requestId: message.requestId,
          tensor: message.tensor,
          shape: [...shape],
          values: values ? values.slice() : null,
        });
        return;
      }
    }
  }

  private fail(error: unknown, step?: number): void {
    this.finished = true;
    if (error instanceof DivergedError) this.post({ type: 'failed', kind: 'diverged', reason: error.message, step: error.step });
    else if (error instanceof InvalidGraphError) this.post({ type: 'failed', kind: 'invalid-graph', reason: error.message });
    else {
      const reason = error instanceof Error ? error.message : String(error);
      this.post({ type: 'failed', kind: 'internal', reason, ...(step !== undefined ? { step } : {}) });
    }
  }

  private start(message: StartMessage): void {
    if (this.trainer || this.finished) return this.fail(new Error('this worker has already started a job'));
    this.progressIntervalMs = message.progressIntervalMs ?? 200;
    let train: Dataset;
    let validation: Dataset | undefined;
    try {
      ({ train, validation } = openTrainingData(message));
    } catch (error) {
      this.finished = true;
      this.post({ type: 'failed', kind: 'data', reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    try {
      const model = compileModel(message.graph, CPU_LAYERS);
      const trainer = new Trainer(model, message.training, train, validation);
      if (message.resume) trainer.restore(fromCheckpointMessage(message.resume));
      else if (message.initialWeights) {
        for (const [name, values] of message.initialWeights) {
          const target = model.weights.get(name);
          if (!target || target.length !== values.length) throw new Error(`the starting weights' ${name} does not fit the graph`);
          target.set(values);
        }
      } else trainer.initialiseWeights();
      this.trainer = trainer;
      this.post({
        type: 'started',
        backend: 'cpu',
        backendReason:
          message.backend === 'cpu'
            ? 'the CPU backend was asked for'
            : 'the WebGPU backend is not available in this version; training on the CPU',
        trainSamples: train.size,
        validationSamples: validation?.size ?? 0,
        stepsPerEpoch: trainer.stepsPerEpoch,
        epochs: message.training.epochs,
      });
      if (trainer.epoch >= message.training.epochs) return this.finish('completed');
      this.beginEpoch();
      this.schedule();
    } catch (error) {
      this.fail(error);
    }
  }

  private beginEpoch(): void {
    this.trainer!.beginEpoch();
    this.epochStarted = performance.now();
  }

  private schedule(): void {
    if (this.scheduled || this.paused || this.finished) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.runSlice();
    });
  }

  private runSlice(): void {
    const trainer = this.trainer!;
    const deadline = performance.now() + SLICE_MS;
    try {
      while (!this.paused && !this.finished) {
        if (this.stopping) return this.finish('stopped');
        const step = trainer.step();
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
        } else {
          const report = trainer.endEpoch();
          const summary = summarise(report, (performance.now() - this.epochStarted) / 1000);
          this.epochs.push(summary);
          this.post({ type: 'epoch', summary });
          this.post({ type: 'checkpoint', checkpoint: toCheckpointMessage(trainer.checkpoint()) });
          if (report.stop) return this.finish('completed');
          this.beginEpoch();
        }
        if (performance.now() > deadline) break;
      }
    } catch (error) {
      return this.fail(error, trainer.globalStep);
    }
    this.schedule();
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

  private finish(status: 'completed' | 'stopped'): void {
    this.finished = true;
    this.post({ type: 'done', status, epochs: this.epochs, weights: toTensorList(this.trainer!.model.weights) });
  }
}
