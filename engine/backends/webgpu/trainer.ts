/**
 * The training loop on the GPU: `GpuTrainer`, with the CPU Trainer's surface (engine/train/
 * trainer.ts) made asynchronous: `step()`, `endEpoch()`, `evaluate()` and `checkpoint()` return
 * promises, because their results come back from the device; `beginEpoch()`, `restore()` and
 * `initialiseWeights()` stay synchronous (uploads are queued in order with the work).
 *
 * Why a second class rather than a backend switch inside Trainer: the CPU trainer is
 * synchronous by design (a step is a function call that returns its loss), and making it
 * async for the GPU's sake would put a promise into every CPU step and every caller. The two
 * classes share everything that is not the step itself: the Model and its WeightSpecs, weight
 * initialisation, the shuffles and dropout seeds (streamSeed of the same streams), the loss
 * definitions, schedules, plateau and early stopping, the Checkpoint format and DivergedError.
 * A checkpoint from either trainer restores into the other. The code of the shared parts is in
 * engine/train/loop.ts (seeds and streams, weight initialisation, shuffles, the rate, the data
 * and checkpoint checks). Still written twice: `endEpoch`'s plateau and early-stopping
 * bookkeeping and `evaluate`'s scoring loop, which no trainer test covers yet (plateau, early
 * stopping), so they were left where they are.
 *
 * One training step = one submission: upload the batch (images and targets), then forward,
 * loss, backward, clipping and the optimiser update are recorded into one command encoder and
 * submitted together. Everything stays on the device; what comes back is the loss (4 bytes,
 * through a mapped staging buffer). With `lossInterval` N > 1 only every N-th step (and the
 * epoch's last) waits for its loss, so up to N steps are queued at once; the steps between
 * report the last loss read (`lossRead: false`). The epoch's loss and accuracy are summed on
 * the GPU either way, and a non-finite running sum is caught at the next read.
 *
 * Differences from the CPU trainer, all documented where they arise:
 * - Divergence is seen after the step has been applied (the loss comes back with the step), so
 *   the weights then hold the diverged update; the run stops either way, and the job keeps its
 *   last checkpoint.
 * - Dropout masks come from a hash on the GPU, not the CPU's mulberry32 stream: the same in
 *   distribution, not element for element (kernels/normalisation.ts).
 * - Validation reads the head's output of each batch back and scores it on the CPU, with the
 *   CPU's loss and metrics code, so evaluation numbers mean exactly what they mean there.
 * - A lost device rejects the step with DeviceLostError (device.ts) instead of hanging.
 */
import type { Dataset } from '../../data/dataset';
import { elementCount } from '../../graph/shape';
import { isHeadType, lossForHead, type HeadLoss } from '../../train/losses';
import { ClassificationAccumulator } from '../../train/metrics';
import type { OptimizerConfig } from '../../train/optimizers';
import {
  checkCheckpointWeights,
  checkDatasetFits,
  epochOrder,
  frozenMasks,
  initialiseModelWeights,
  scheduledLearningRate,
  STREAM_DROPOUT,
} from '../../train/loop';
import type { Model } from '../../train/plan';
import { streamSeed } from '../../train/random';
import { PlateauTracker } from '../../train/schedules';
import {
  DivergedError,
  type Checkpoint,
  type EpochReport,
  type Evaluation,
  type StepReport,
  type TrainingConfig,
} from '../../train/trainer';
import { createStorage, uploadStorage } from './buffers';
import { DeviceLossGuard, type GpuContext } from './device';
import { webgpuPrograms } from './kernels';
import { accumulateEpoch, checkTargets, elementLoss, softmaxCrossEntropy } from './kernels/loss';
import {
  adamStep,
  clipGradientNorm,
  clipGradientValue,
  packFrozenMask,
  rmspropStep,
  sgdStep,
  type GpuParamSlot,
} from './kernels/optimizers';
import { GPU_LAYERS, type GpuLayerTable } from './layers';
import { GpuModelState, GpuPlan } from './plan';
import { GpuRunner } from './run';
import { BufferUsage, MapMode } from './types';

/** A step's report; `lossRead` is false when the step did not wait for its loss (see `lossInterval`). */
export interface GpuStepReport extends StepReport {
  readonly lossRead: boolean;
}

export interface GpuTrainerOptions {
  /** Wait for the loss every N steps (and at the end of each epoch); 1 by default. */
  readonly lossInterval?: number;
  /** The runner to record into (one per device); by default the trainer makes its own. */
  readonly runner?: GpuRunner;
  /** The GPU layer table (tests substitute layers). */
  readonly layers?: GpuLayerTable;
}

/**
 * Starts fetching the batch after `start` of a dataset whose samples must be fetched first
 * (Dataset.fetchSamples), so it is on its way while the GPU works on this one. A failure is left
 * to the step that needs the batch: its own fetch asks again and reports it.
 */
const prefetch = (dataset: Dataset, order: Int32Array, start: number, batchSize: number): void => {
  if (dataset.fetchSamples && start < order.length)
    dataset.fetchSamples(order, start, Math.min(batchSize, order.length - start)).catch(() => undefined);
};

/** The names of each optimiser's state tensors, as the CPU optimisers name them in checkpoints. */
const STATE_NAMES: Record<OptimizerConfig['kind'], readonly string[]> = {
  sgd: ['momentum_buffer'],
  adam: ['exp_avg', 'exp_avg_sq'],
  adamw: ['exp_avg', 'exp_avg_sq'],
  rmsprop: ['square_avg', 'momentum_buffer'],
};

interface TrainableSlot extends GpuParamSlot {
  readonly name: string;
  readonly state: Readonly<Record<string, GPUBuffer>>;
}

export class GpuTrainer {
  readonly loss: HeadLoss;
  readonly runner: GpuRunner;
  readonly state: GpuModelState;
  private readonly ownsRunner: boolean;
  private readonly layers: GpuLayerTable;
  private readonly plans = new Map<number, GpuPlan>();
  private readonly slots: TrainableSlot[];
  private readonly plateau: PlateauTracker | null;
  private readonly classes: number;
  private readonly perSample: number;
  private readonly lossInterval: number;
  private order = new Int32Array(0);
  private cursor = 0;
  private epochSamples = 0;
  private stepsSinceRead = 0;
  private lastLoss = NaN;
  private bestValidationLoss = Infinity;
  private epochsWithoutImprovement = 0;
  private optimizerSteps = 0;
  private destroyed = false;
  private readonly lossGuard: DeviceLossGuard;
  /** Host staging of one batch. */
  private readonly hostInput: Float32Array;
  private readonly hostTargets: Int32Array | Float32Array;
  /** Device buffers of the step: targets, per-sample (or per-element) losses, the mean loss, epoch sums, norms. */
  private readonly targets: GPUBuffer;
  private readonly losses: GPUBuffer;
  private readonly lossValue: GPUBuffer;
  private readonly epochStats: GPUBuffer;
  private readonly squares: GPUBuffer;
  private readonly staging: GPUBuffer;
  epoch = 0;
  globalStep = 0;
  /** The step whose gradients the GPU's gradient buffers hold (after clipping); 0 before this trainer's first step. */
  gradientStep = 0;

  /** Use `GpuTrainer.create`, which also compiles every kernel before the first step. */
  private constructor(
    readonly context: GpuContext,
    readonly model: Model,
    readonly config: TrainingConfig,
    readonly train: Dataset,
    readonly validation: Dataset | undefined,
    options: GpuTrainerOptions,
  ) {
    const head = model.head;
    if (!isHeadType(head.type)) throw new Error(`the graph must end in an output head, not ${head.type}`);
    this.loss = lossForHead(head.type, head.params);
    checkDatasetFits(model, train);
    if (validation) checkDatasetFits(model, validation);
    if (!STATE_NAMES[config.optimizer.kind]) throw new Error(`the optimiser ${config.optimizer.kind} has no GPU kernel`);
    this.lossInterval = Math.max(1, Math.floor(options.lossInterval ?? 1));
    this.lossGuard = new DeviceLossGuard(context.lost);
    this.ownsRunner = !options.runner;
    this.runner = options.runner ?? new GpuRunner(context.device, undefined, { software: context.adapter.software });
    this.layers = options.layers ?? GPU_LAYERS;
    const device = context.device;
    this.state = new GpuModelState(this.runner, model);
    const masks = frozenMasks(model, config);
    this.slots = [...model.gradients.keys()].map((name) => {
      const count = model.weights.get(name)!.length;
      const frozen = masks?.get(name);
      return {
        name,
        values: this.state.weights.get(name)!,
        gradient: this.state.gradients.get(name)!,
        count,
        frozen: frozen?.some(Boolean) ? uploadStorage(device, packFrozenMask(frozen), `frozen ${name}`) : null,
        state: Object.fromEntries(
          STATE_NAMES[config.optimizer.kind].map((state) => [state, createStorage(device, count, `${name}.${state}`)]),
        ),
      };
    });
    this.plateau = config.schedule?.kind === 'plateau' ? new PlateauTracker(config.schedule) : null;
    this.classes = head.type === 'ClassificationHead' ? (head.params.classes as number) : 0;
    this.perSample = this.loss.targets === 'classes' ? 1 : elementCount(head.outputShape);
    const batch = config.batchSize;
    this.hostInput = new Float32Array(batch * elementCount(model.input.outputShape));
    this.hostTargets = this.loss.targets === 'classes' ? new Int32Array(batch) : new Float32Array(batch * this.perSample);
    this.targets = createStorage(device, this.hostTargets.length, 'targets');
    this.losses = createStorage(device, batch * this.perSample, 'losses');
    this.lossValue = createStorage(device, 1, 'loss');
    this.epochStats = createStorage(device, 2, 'epoch sums');
    this.squares = createStorage(device, Math.max(1, this.slots.length), 'gradient norms');
    this.staging = device.createBuffer({ label: 'loss read-back', size: 16, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  }

  /**
   * A trainer on `context`'s device, with `Model.weights` uploaded as they are (call
   * `initialiseWeights` or `restore` next, as with the CPU trainer). Compiles every kernel
   * first, so a WGSL error names its kernel before training starts.
   */
  static async create(
    context: GpuContext,
    model: Model,
    config: TrainingConfig,
    train: Dataset,
    validation?: Dataset,
    options: GpuTrainerOptions = {},
  ): Promise<GpuTrainer> {
    const trainer = new GpuTrainer(context, model, config, train, validation, options);
    try {
      await trainer.guard(trainer.runner.prepare(...webgpuPrograms));
    } catch (error) {
      trainer.destroy();
      throw error;
    }
    return trainer;
  }

  /** Fills every weight from the seed, as the CPU trainer does (the same numbers), and uploads them. */
  initialiseWeights(): void {
    initialiseModelWeights(this.model, this.config, this.train);
    this.state.upload();
  }

  /** Uploads `Model.weights` as they are now (after setting them from a file, say). */
  uploadWeights(): void {
    this.state.upload();
  }

  /** Copies the GPU's weights into `Model.weights` and returns them (live views: copy to keep). */
  async downloadWeights(): Promise<ReadonlyMap<string, Float32Array>> {
    await this.guard(this.state.download());
    return this.model.weights;
  }

  /**
   * Copies the GPU's gradients of the named tensors into `Model.gradients`: the last step's
   * (`gradientStep`), after clipping. Call between steps; tensors without gradients are left out.
   */
  async downloadGradients(names: Iterable<string>): Promise<void> {
    for (const name of names) {
      const buffer = this.state.gradients.get(name);
      const values = this.model.gradients.get(name);
      if (buffer && values) values.set(await this.guard(this.runner.readFloats(buffer, values.length)));
    }
  }

  /** One tensor, fresh from the GPU (a copy), or null when the model has no such tensor. */
  async weight(name: string): Promise<Float32Array | null> {
    const values = this.model.weights.get(name);
    if (!values) return null;
    await this.guard(this.state.download([name]));
    return values.slice();
  }

  get stepsPerEpoch(): number {
    return Math.ceil(this.train.size / this.config.batchSize);
  }

  /** The rate the next step will use. */
  get learningRate(): number {
    return scheduledLearningRate(this.config, this.plateau, this.globalStep, this.stepsPerEpoch);
  }

  /** The plan of one batch size (made on first use). */
  plan(batch: number): GpuPlan {
    let plan = this.plans.get(batch);
    if (!plan) {
      plan = new GpuPlan(this.model, batch, this.state, this.layers);
      this.plans.set(batch, plan);
    }
    return plan;
  }

  /** Starts the next epoch with a fresh shuffle (the CPU trainer's). */
  beginEpoch(): void {
    if (this.order.length !== this.train.size) this.order = new Int32Array(this.train.size);
    this.epoch++;
    this.order.set(epochOrder(this.config.seed, this.epoch, this.train.size));
    this.cursor = 0;
    this.epochSamples = 0;
    this.runner.clear(this.epochStats);
  }

  /** One optimiser step on the next mini-batch, as one submission; null when the epoch has no batches left. */
  async step(): Promise<GpuStepReport | null> {
    if (this.cursor >= this.order.length) return null;
    const { runner, config } = this;
    const count = Math.min(config.batchSize, this.order.length - this.cursor);
    const plan = this.plan(count);
    if (this.train.fetchSamples) await this.train.fetchSamples(this.order, this.cursor, count);
    this.train.fill(this.order, this.cursor, count, this.hostInput, this.hostTargets);
    if (this.hostTargets instanceof Int32Array) checkTargets(this.hostTargets, count, this.classes);
    this.cursor += count;
    prefetch(this.train, this.order, this.cursor, config.batchSize);
    runner.write(plan.input, this.hostInput.subarray(0, count * (this.hostInput.length / config.batchSize)));
    runner.write(this.targets, this.hostTargets.subarray(0, count * this.perSample));
    // The rate of this step's own index (from 0), read before the step is counted, as on the CPU.
    const learningRate = this.learningRate;

    const predictions = plan.forward(true, streamSeed(config.seed, STREAM_DROPOUT, this.globalStep));
    this.recordLoss(predictions, plan.headGradient, count);
    accumulateEpoch(
      runner,
      this.lossValue,
      this.classes ? predictions : null,
      this.classes ? this.targets : null,
      this.epochStats,
      count,
      this.classes,
    );
    this.globalStep++;
    plan.backward();
    if (config.clipValue !== undefined) clipGradientValue(runner, this.slots, config.clipValue);
    if (config.clipNorm !== undefined) clipGradientNorm(runner, this.slots, config.clipNorm, this.squares);
    this.gradientStep = this.globalStep;
    this.recordOptimizerStep(learningRate);
    this.epochSamples += count;

    const last = this.cursor >= this.order.length;
    const read = ++this.stepsSinceRead >= this.lossInterval || last;
    if (read) {
      this.stepsSinceRead = 0;
      const [loss, epochLossSum] = await this.readScalars(this.lossValue, this.epochStats);
      this.lastLoss = loss;
      if (!Number.isFinite(loss) || !Number.isFinite(epochLossSum)) {
        throw new DivergedError(this.globalStep, Number.isFinite(loss) ? epochLossSum : loss);
      }
    } else runner.submit();
    return {
      epoch: this.epoch,
      stepInEpoch: Math.ceil(this.cursor / config.batchSize),
      stepsPerEpoch: this.stepsPerEpoch,
      globalStep: this.globalStep,
      loss: this.lastLoss,
      learningRate,
      samples: count,
      lossRead: read,
    };
  }

  /** Closes the epoch: the GPU's sums of loss and accuracy, validation, the plateau schedule and early stopping. */
  async endEpoch(): Promise<EpochReport> {
    const [lossSum, hits] = await this.readScalars(this.epochStats, null, 2);
    const validation = this.validation ? await this.evaluate(this.validation) : undefined;
    if (validation && this.plateau) this.plateau.observe(validation.loss);
    let stop = false;
    if (validation && this.config.earlyStopping) {
      const { patience, minDelta = 0 } = this.config.earlyStopping;
      if (validation.loss < this.bestValidationLoss - minDelta) {
        this.bestValidationLoss = validation.loss;
        this.epochsWithoutImprovement = 0;
      } else stop = ++this.epochsWithoutImprovement >= patience;
    }
    const samples = Math.max(1, this.epochSamples);
    return {
      epoch: this.epoch,
      trainLoss: lossSum / samples,
      ...(this.classes ? { trainAccuracy: hits / this.epochSamples } : {}),
      ...(validation ? { validation } : {}),
      learningRate: this.learningRate,
      stop: stop || this.epoch >= this.config.epochs,
    };
  }

  /** The state at the end of the last completed epoch, downloaded from the GPU (copies), in the CPU trainer's format. */
  async checkpoint(): Promise<Checkpoint> {
    await this.downloadWeights();
    const optimizerState: Record<string, Float32Array> = {};
    for (const slot of this.slots) {
      for (const [state, buffer] of Object.entries(slot.state)) {
        optimizerState[`${slot.name}.${state}`] = await this.guard(this.runner.readFloats(buffer, slot.count));
      }
    }
    return {
      epoch: this.epoch,
      globalStep: this.globalStep,
      weights: new Map([...this.model.weights].map(([name, values]) => [name, values.slice()])),
      optimizerState,
      optimizerSteps: this.optimizerSteps,
      bestValidationLoss: this.bestValidationLoss,
      epochsWithoutImprovement: this.epochsWithoutImprovement,
      plateauScale: this.plateau?.scale ?? 1,
    };
  }

  /** Continues from a checkpoint (from either trainer): the next epoch is the one after it. */
  restore(checkpoint: Checkpoint): void {
    checkCheckpointWeights(this.model, checkpoint);
    for (const slot of this.slots) {
      for (const state of Object.keys(slot.state)) {
        const name = `${slot.name}.${state}`;
        const values = checkpoint.optimizerState[name];
        if (!values) throw new Error(`the optimiser state has no ${name}; the checkpoint belongs to another optimiser or graph`);
        if (values.length !== slot.count) throw new Error(`the optimiser state ${name} holds ${values.length} values, not ${slot.count}`);
      }
    }
    for (const [name, values] of this.model.weights) values.set(checkpoint.weights.get(name)!);
    this.state.upload();
    for (const slot of this.slots) {
      for (const [state, buffer] of Object.entries(slot.state))
        this.runner.write(buffer, checkpoint.optimizerState[`${slot.name}.${state}`]);
    }
    this.optimizerSteps = checkpoint.optimizerSteps;
    this.epoch = checkpoint.epoch;
    this.globalStep = checkpoint.globalStep;
    this.bestValidationLoss = checkpoint.bestValidationLoss;
    this.epochsWithoutImprovement = checkpoint.epochsWithoutImprovement;
    this.plateau?.restore(checkpoint.plateauScale);
  }

  /** Loss and metrics on a dataset in inference mode, scored on the CPU from the GPU's predictions. */
  async evaluate(dataset: Dataset, batchSize = this.config.batchSize): Promise<Evaluation> {
    checkDatasetFits(this.model, dataset);
    const order = new Int32Array(dataset.size).map((_, index) => index);
    const metrics = this.classes ? new ClassificationAccumulator(this.classes) : null;
    const sampleSize = elementCount(this.model.input.outputShape);
    const input = new Float32Array(batchSize * sampleSize);
    const targets = this.loss.targets === 'classes' ? new Int32Array(batchSize) : new Float32Array(batchSize * this.perSample);
    const outputSize = elementCount(this.model.head.outputShape);
    let lossSum = 0;
    for (let start = 0; start < dataset.size; start += batchSize) {
      const count = Math.min(batchSize, dataset.size - start);
      const plan = this.plan(count);
      if (dataset.fetchSamples) await dataset.fetchSamples(order, start, count);
      dataset.fill(order, start, count, input, targets);
      prefetch(dataset, order, start + count, batchSize);
      this.runner.write(plan.input, input.subarray(0, count * sampleSize));
      const output = plan.forward(false);
      const predictions = await this.guard(this.runner.readFloats(output, count * outputSize));
      lossSum += this.loss.compute(predictions, targets, null, count) * count;
      metrics?.add(predictions, targets as Int32Array, count);
    }
    return {
      loss: lossSum / Math.max(1, dataset.size),
      samples: dataset.size,
      ...(metrics ? { classification: metrics.result() } : {}),
    };
  }

  /** Waits until every step submitted so far has run on the device (for timings; steps never need it). */
  async sync(): Promise<void> {
    await this.guard(this.runner.flush());
  }

  /** Frees every GPU buffer of the trainer (not the device). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const plan of this.plans.values()) plan.destroy();
    this.state.destroy();
    for (const slot of this.slots) {
      slot.frozen?.destroy();
      for (const buffer of Object.values(slot.state)) buffer.destroy();
    }
    for (const buffer of [this.targets, this.losses, this.lossValue, this.epochStats, this.squares, this.staging]) buffer.destroy();
    if (this.ownsRunner) this.runner.destroy();
  }

  /** Records the head's loss into lossValue[0] and its gradient into the head's output gradient. */
  private recordLoss(predictions: GPUBuffer, gradient: GPUBuffer, count: number): void {
    if (this.loss.name === 'cross-entropy') {
      const smoothing = (this.model.head.params.labelSmoothing as number | undefined) ?? 0;
      softmaxCrossEntropy(this.runner, predictions, this.targets, gradient, this.losses, this.lossValue, count, this.classes, smoothing);
    } else
      elementLoss(this.runner, this.loss.name, predictions, this.targets, gradient, this.losses, this.lossValue, count * this.perSample);
  }

  private recordOptimizerStep(learningRate: number): void {
    const optimizer = this.config.optimizer;
    const first = this.optimizerSteps === 0;
    const step = ++this.optimizerSteps;
    for (const slot of this.slots) {
      if (optimizer.kind === 'sgd') sgdStep(this.runner, slot, slot.state.momentum_buffer, optimizer, learningRate, first);
      else if (optimizer.kind === 'rmsprop')
        rmspropStep(this.runner, slot, slot.state.square_avg, slot.state.momentum_buffer, optimizer, learningRate);
      else adamStep(this.runner, slot, slot.state.exp_avg, slot.state.exp_avg_sq, optimizer, learningRate, step);
    }
  }

  /**
   * Submits what was recorded and reads the first float of `a` (and of `b`), or `count` floats
   * of `a`, through the staging buffer: the only read-back of a training step.
   */
  private async readScalars(a: GPUBuffer, b: GPUBuffer | null, count = 1): Promise<number[]> {
    this.runner.copy(a, 0, this.staging, 0, count);
    if (b) this.runner.copy(b, 0, this.staging, count, 1);
    await this.guard(this.runner.flush());
    const values = count + (b ? 1 : 0);
    await this.guard(this.staging.mapAsync(MapMode.READ, 0, 16));
    const result = [...new Float32Array(this.staging.getMappedRange(0, 16).slice(0, values * 4))];
    this.staging.unmap();
    return result;
  }

  /** `work`, or the device's loss if that comes first (DeviceLossGuard). */
  private guard<T>(work: Promise<T>): Promise<T> {
    return this.lossGuard.guard(work);
  }
}
