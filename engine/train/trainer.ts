/**
 * The training loop: shuffled mini-batches, forward, loss, backward, clipping, an optimiser
 * step, per-epoch validation, learning-rate schedules and early stopping. It runs one step at a
 * time (`step()`), so a worker can interleave messages (pause, stop, snapshots) between steps;
 * `runEpoch()` and `fit()` loop over it.
 *
 * Determinism: weights, shuffles and dropout each draw from their own generator derived from
 * the seed, so the same seed, data and backend give bit-identical losses.
 */
import type { Dataset } from '../data/dataset';
import { elementCount } from '../graph/shape';
import { initialiseWeight, type RandomInit } from './init';
import { isHeadType, lossForHead, type HeadLoss } from './losses';
import { ClassificationAccumulator, type ClassificationMetrics } from './metrics';
import { clipGradientNorm, clipGradientValue, createOptimizer, type Optimizer, type OptimizerConfig, type ParamSlot } from './optimizers';
import { Plan, type Model } from './plan';
import { Random } from './random';
import { learningRateAt, PlateauTracker, type Schedule } from './schedules';

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
  private readonly shuffleRandom: Random;
  private readonly dropoutRandom: Random;
  private readonly initRandom: Random;
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
    const root = new Random(config.seed);
    this.initRandom = root.fork();
    this.shuffleRandom = root.fork();
    this.dropoutRandom = root.fork();
    this.slots = [...model.gradients.keys()].map((name) => ({
      name,
      values: model.weights.get(name)!,
      gradient: model.gradients.get(name)!,
      frozen: config.frozen?.get(name),
    }));
    this.optimizer = createOptimizer(config.optimizer, this.slots);
    this.plateau = config.schedule?.kind === 'plateau' ? new PlateauTracker(config.schedule) : null;
    this.classes = head.type === 'ClassificationHead' ? (head.params.classes as number) : 0;
    this.trainMetrics = this.classes ? new ClassificationAccumulator(this.classes, 1) : null;
    const perSample = this.loss.targets === 'classes' ? 1 : elementCount(head.outputShape);
    this.targets = this.loss.targets === 'classes' ? new Int32Array(config.batchSize) : new Float32Array(config.batchSize * perSample);
  }

  /** Fills every weight from the seed (call once before training a fresh model). */
  initialiseWeights(): void {
    const scheme = this.config.init ?? { kind: 'pytorch-default' };
    for (const [name, values] of this.model.weights) initialiseWeight(this.model.specs.get(name)!, values, scheme, this.initRandom);
  }

  get stepsPerEpoch(): number {
    return Math.ceil(this.train.size / this.config.batchSize);
  }

  /** The rate the next step will use. */
  get learningRate(): number {
    const base = this.plateau ? this.plateau.apply(this.config.learningRate) : this.config.learningRate;
    return learningRateAt(this.config.schedule ?? { kind: 'constant' }, base, this.globalStep, this.stepsPerEpoch, {
      steps: this.config.warmUpSteps ?? 0,
    });
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
    const permutation = this.shuffleRandom.permutation(this.train.size);
    this.order.set(permutation);
    this.cursor = 0;
    this.epochLossSum = 0;
    this.epochSamples = 0;
    this.trainMetrics?.reset();
    this.epoch++;
  }

  /** One optimiser step on the next mini-batch; null when the epoch has no batches left. */
  step(): StepReport | null {
    if (this.cursor >= this.order.length) return null;
    const count = Math.min(this.config.batchSize, this.order.length - this.cursor);
    const plan = this.plan(count);
    this.train.fill(this.order, this.cursor, count, plan.input, this.targets);
    this.cursor += count;
    const predictions = plan.forward(true);
    const loss = this.loss.compute(predictions, this.targets, plan.headGradient, count);
    this.globalStep++;
    if (!Number.isFinite(loss)) throw new DivergedError(this.globalStep, loss);
    if (this.trainMetrics) this.trainMetrics.add(predictions, this.targets as Int32Array, count);
    plan.backward();
    if (this.config.clipValue !== undefined) clipGradientValue(this.slots, this.config.clipValue);
    if (this.config.clipNorm !== undefined) clipGradientNorm(this.slots, this.config.clipNorm);
    const learningRate = this.learningRate;
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

/** The dataset's samples and targets must fit the graph's input and head. */
const checkDatasetFits = (model: Model, dataset: Dataset): void => {
  const expected = model.input.outputShape;
  if (dataset.sampleShape.join('×') !== expected.join('×')) {
    throw new Error(
      `${dataset.name} has samples of ${dataset.sampleShape.join('×')} but the graph's Input is ${expected.join('×')}; change the Input layer or the dataset`,
    );
  }
  const head = model.head;
  if (head.type === 'ClassificationHead') {
    const classes = head.params.classes as number;
    if (dataset.target.kind !== 'class')
      throw new Error(`${dataset.name} has no class labels, but the graph ends in a classification head`);
    if (dataset.target.classes > classes) {
      throw new Error(
        `${dataset.name} has ${dataset.target.classes} classes but the head '${head.id}' has ${classes}; set its classes to ${dataset.target.classes}`,
      );
    }
  } else if (dataset.target.kind !== 'values') {
    throw new Error(`${dataset.name} has class labels, but the head '${head.id}' (${head.type}) needs target values`);
  }
};
