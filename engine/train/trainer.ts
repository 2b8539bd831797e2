/**
 * The training loop: shuffled mini-batches, forward, loss, backward, clipping, an optimiser
 * step, per-epoch validation, learning-rate schedules and early stopping. It runs one step at a
 * time (`step()`), so a worker can interleave messages (pause, stop, snapshots) between steps;
 * `runEpoch()` and `fit()` loop over it.
 *
 * Determinism: weights, each epoch's shuffle and each step's dropout masks draw from their own
 * generator, seeded from the run's seed and the epoch or step, so the same seed, data and backend
 * give bit-identical losses, and a run resumed from a checkpoint continues exactly as it would
 * have.
 */
import type { Dataset } from '../data/dataset';
import { elementCount } from '../graph/shape';
import type { ConvFilterInits } from './filter-init';
import type { RandomInit } from './init';
import {
  checkCheckpointWeights,
  checkDatasetFits,
  epochOrder,
  frozenMasks,
  initialiseModelWeights,
  scheduledLearningRate,
  STREAM_DROPOUT,
} from './loop';
import { isHeadType, lossForHead, type HeadLoss } from './losses';
import { ClassificationAccumulator, type ClassificationMetrics } from './metrics';
import { clipGradientNorm, clipGradientValue, createOptimizer, type Optimizer, type OptimizerConfig, type ParamSlot } from './optimizers';
import { Plan, type Model } from './plan';
import { Random, streamSeed } from './random';
import { PlateauTracker, type Schedule } from './schedules';

export interface TrainingConfig {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly optimizer: OptimizerConfig;
  readonly schedule?: Schedule;
  readonly warmUpSteps?: number;
  readonly clipNorm?: number;
  readonly clipValue?: number;
  readonly seed: number;
  /** How weights start; default: PyTorch's default initialisation. */
  readonly init?: RandomInit;
  /** Stop when the validation loss has not improved by `minDelta` for `patience` epochs. */
  readonly earlyStopping?: { readonly patience: number; readonly minDelta?: number };
  /** How each Conv2D's filters start and which are frozen, by node id (filter-init.ts). */
  readonly filters?: ConvFilterInits;
  /** Weight elements that must not change (frozen filters), by tensor name. */
  readonly frozen?: ReadonlyMap<string, Uint8Array>;
}

export interface StepReport {
  readonly epoch: number;
  /** Steps in this epoch so far, from 1. */
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
  /** Optimiser steps since the start, from 1. */
  readonly globalStep: number;
  readonly loss: number;
  readonly learningRate: number;
  readonly samples: number;
}

export interface Evaluation {
  readonly loss: number;
  readonly samples: number;
  /** For classification heads. */
  readonly classification?: ClassificationMetrics;
}

export interface EpochReport {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy?: number;
  readonly validation?: Evaluation;
  readonly learningRate: number;
  /** True when early stopping says to stop after this epoch. */
  readonly stop: boolean;
}

/** Everything needed to continue a run where it stopped: taken at the end of an epoch. */
export interface Checkpoint {
  /** Completed epochs. */
  readonly epoch: number;
  readonly globalStep: number;
  readonly weights: ReadonlyMap<string, Float32Array>;
  readonly optimizerState: Readonly<Record<string, Float32Array>>;
  readonly optimizerSteps: number;
  readonly bestValidationLoss: number;
  readonly epochsWithoutImprovement: number;
  readonly plateauScale: number;
}

export class DivergedError extends Error {
  constructor(
    readonly step: number,
    readonly loss: number,
  ) {
    super(`loss diverged at step ${step} (it became ${loss}); lower the learning rate, or clip the gradients`);
    this.name = 'DivergedError';
  }
}

export class Trainer {
  readonly loss: HeadLoss;
  private readonly plans = new Map<number, Plan>();
  private readonly optimizer: Optimizer;
  private readonly slots: ParamSlot[];
  private dropoutRandom: Random;
  private readonly plateau: PlateauTracker | null;
  private readonly classes: number;
  private order = new Int32Array(0);
  private cursor = 0;
  private epochLossSum = 0;
  private epochSamples = 0;
  private readonly trainMetrics: ClassificationAccumulator | null;
  private bestValidationLoss = Infinity;
  private epochsWithoutImprovement = 0;
  private targets: Int32Array | Float32Array;
  epoch = 0;
  globalStep = 0;
  /**
   * The step whose gradients `model.gradients` hold (after clipping: what the optimiser applied);
   * 0 before the first step of this trainer (a resumed run's start included).
   */
  gradientStep = 0;

  constructor(
    readonly model: Model,
    readonly config: TrainingConfig,
    readonly train: Dataset,
    readonly validation?: Dataset,
  ) {
    const head = model.head;
    if (!isHeadType(head.type)) throw new Error(`the graph must end in an output head, not ${head.type}`);
    this.loss = lossForHead(head.type, head.params);
    checkDatasetFits(model, train);
    if (validation) checkDatasetFits(model, validation);
    this.dropoutRandom = new Random(streamSeed(config.seed, STREAM_DROPOUT, 0));
    const frozen = frozenMasks(model, config);
    this.slots = [...model.gradients.keys()].map((name) => ({
      name,
      values: model.weights.get(name)!,
      gradient: model.gradients.get(name)!,
      frozen: frozen?.get(name),
    }));
    this.optimizer = createOptimizer(config.optimizer, this.slots);
    this.plateau = config.schedule?.kind === 'plateau' ? new PlateauTracker(config.schedule) : null;
    this.classes = head.type === 'ClassificationHead' ? (head.params.classes as number) : 0;
    this.trainMetrics = this.classes ? new ClassificationAccumulator(this.classes, 1) : null;
    const perSample = this.loss.targets === 'classes' ? 1 : elementCount(head.outputShape);
    this.targets = this.loss.targets === 'classes' ? new Int32Array(config.batchSize) : new Float32Array(config.batchSize * perSample);
  }

  /** Fills every weight from the seed and the filter settings (call once before training a fresh model). */
  initialiseWeights(): void {
    initialiseModelWeights(this.model, this.config, this.train);
  }

  get stepsPerEpoch(): number {
    return Math.ceil(this.train.size / this.config.batchSize);
  }

  /** The rate the next step will use. */
  get learningRate(): number {
    return scheduledLearningRate(this.config, this.plateau, this.globalStep, this.stepsPerEpoch);
  }

  private plan(batch: number): Plan {
    let plan = this.plans.get(batch);
    if (!plan) {
      plan = new Plan(this.model, batch, () => this.dropoutRandom.uniform());
      this.plans.set(batch, plan);
    }
    return plan;
  }

  /** Starts the next epoch with a fresh shuffle. */
  beginEpoch(): void {
    if (this.order.length !== this.train.size) this.order = new Int32Array(this.train.size);
    this.epoch++;
    this.order.set(epochOrder(this.config.seed, this.epoch, this.train.size));
    this.cursor = 0;
    this.epochLossSum = 0;
    this.epochSamples = 0;
    this.trainMetrics?.reset();
  }

  /** One optimiser step on the next mini-batch; null when the epoch has no batches left. */
  step(): StepReport | null {
    if (this.cursor >= this.order.length) return null;
    const count = Math.min(this.config.batchSize, this.order.length - this.cursor);
    const plan = this.plan(count);
    this.train.fill(this.order, this.cursor, count, plan.input, this.targets);
    this.cursor += count;
    // The rate of this step's own index (from 0), read before the step is counted.
    const learningRate = this.learningRate;
    this.dropoutRandom = new Random(streamSeed(this.config.seed, STREAM_DROPOUT, this.globalStep));
    const predictions = plan.forward(true);
    const loss = this.loss.compute(predictions, this.targets, plan.headGradient, count);
    this.globalStep++;
    if (!Number.isFinite(loss)) throw new DivergedError(this.globalStep, loss);
    if (this.trainMetrics) this.trainMetrics.add(predictions, this.targets as Int32Array, count);
    plan.backward();
    if (this.config.clipValue !== undefined) clipGradientValue(this.slots, this.config.clipValue);
    if (this.config.clipNorm !== undefined) clipGradientNorm(this.slots, this.config.clipNorm);
    this.gradientStep = this.globalStep;
    this.optimizer.step(learningRate);
    this.epochLossSum += loss * count;
    this.epochSamples += count;
    return {
      epoch: this.epoch,
      stepInEpoch: Math.ceil(this.cursor / this.config.batchSize),
      stepsPerEpoch: this.stepsPerEpoch,
      globalStep: this.globalStep,
      loss,
      learningRate,
      samples: count,
    };
  }

  /** Closes the epoch: validation, the plateau schedule and early stopping. */
  endEpoch(): EpochReport {
    const validation = this.validation ? this.evaluate(this.validation) : undefined;
    if (validation && this.plateau) this.plateau.observe(validation.loss);
    let stop = false;
    if (validation && this.config.earlyStopping) {
      const { patience, minDelta = 0 } = this.config.earlyStopping;
      if (validation.loss < this.bestValidationLoss - minDelta) {
        this.bestValidationLoss = validation.loss;
        this.epochsWithoutImprovement = 0;
      } else stop = ++this.epochsWithoutImprovement >= patience;
    }
    return {
      epoch: this.epoch,
      trainLoss: this.epochLossSum / Math.max(1, this.epochSamples),
      ...(this.trainMetrics ? { trainAccuracy: this.trainMetrics.result().accuracy } : {}),
      ...(validation ? { validation } : {}),
      learningRate: this.learningRate,
      stop: stop || this.epoch >= this.config.epochs,
    };
  }

  /** The state at the end of the last completed epoch (call between epochs). Tensors are copies. */
  checkpoint(): Checkpoint {
    const copy = (record: Record<string, Float32Array>) =>
      Object.fromEntries(Object.entries(record).map(([name, values]) => [name, values.slice()]));
    return {
      epoch: this.epoch,
      globalStep: this.globalStep,
      weights: new Map([...this.model.weights].map(([name, values]) => [name, values.slice()])),
      optimizerState: copy(this.optimizer.state()),
      optimizerSteps: this.optimizer.stepCount,
      bestValidationLoss: this.bestValidationLoss,
      epochsWithoutImprovement: this.epochsWithoutImprovement,
      plateauScale: this.plateau?.scale ?? 1,
    };
  }

  /** Continues from a checkpoint: the next epoch is the one after it. */
  restore(checkpoint: Checkpoint): void {
    checkCheckpointWeights(this.model, checkpoint);
    this.optimizer.loadState(checkpoint.optimizerState, checkpoint.optimizerSteps);
    for (const [name, values] of this.model.weights) values.set(checkpoint.weights.get(name)!);
    this.epoch = checkpoint.epoch;
    this.globalStep = checkpoint.globalStep;
    this.bestValidationLoss = checkpoint.bestValidationLoss;
    this.epochsWithoutImprovement = checkpoint.epochsWithoutImprovement;
    this.plateau?.restore(checkpoint.plateauScale);
  }

  /** Loss and metrics on a dataset in inference mode (batch norm's running statistics, no dropout). */
  evaluate(dataset: Dataset, batchSize = this.config.batchSize): Evaluation {
    checkDatasetFits(this.model, dataset);
    const order = new Int32Array(dataset.size).map((_, index) => index);
    const metrics = this.classes ? new ClassificationAccumulator(this.classes) : null;
    const perSample = this.loss.targets === 'classes' ? 1 : elementCount(this.model.head.outputShape);
    const targets = this.loss.targets === 'classes' ? new Int32Array(batchSize) : new Float32Array(batchSize * perSample);
    let lossSum = 0;
    for (let start = 0; start < dataset.size; start += batchSize) {
      const count = Math.min(batchSize, dataset.size - start);
      const plan = this.plan(count);
      dataset.fill(order, start, count, plan.input, targets);
      const predictions = plan.forward(false);
      lossSum += this.loss.compute(predictions, targets, null, count) * count;
      metrics?.add(predictions, targets as Int32Array, count);
    }
    return {
      loss: lossSum / Math.max(1, dataset.size),
      samples: dataset.size,
      ...(metrics ? { classification: metrics.result() } : {}),
    };
  }

  /** Runs a whole epoch; `onStep` sees each step. */
  runEpoch(onStep?: (report: StepReport) => void): EpochReport {
    this.beginEpoch();
    for (let report = this.step(); report; report = this.step()) onStep?.(report);
    return this.endEpoch();
  }

  /** Trains until the configured epochs end or early stopping says stop. */
  fit(callbacks: { onStep?: (report: StepReport) => void; onEpoch?: (report: EpochReport) => void } = {}): EpochReport[] {
    const reports: EpochReport[] = [];
    for (;;) {
      const report = this.runEpoch(callbacks.onStep);
      reports.push(report);
      callbacks.onEpoch?.(report);
      if (report.stop) return reports;
    }
  }
}
