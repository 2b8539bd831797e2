/**
 * What the two training loops share: the CPU `Trainer` (trainer.ts) and the WebGPU backend's
 * `GpuTrainer` (engine/backends/webgpu/trainer.ts). Both draw their weights, shuffles and
 * dropout seeds from the same streams of the run's seed, follow the same learning-rate
 * schedule, and refuse the same data and checkpoints with the same words, so a run on either
 * engine is the same run and a checkpoint from one restores into the other.
 */
import type { Dataset } from '../data/dataset';
import { applyFilterInits, checkFilterInits, frozenFilterMasks, type KmeansProgress } from './filter-init';
import { initialiseWeight } from './init';
import type { Model } from './plan';
import { Random, streamSeed } from './random';
import { learningRateAt, type PlateauTracker } from './schedules';
import type { Checkpoint, TrainingConfig } from './trainer';

/** The streams of the run's seed (streamSeed's `stream`): weights, each epoch's shuffle, each step's dropout. */
export const STREAM_INIT = 1;
export const STREAM_SHUFFLE = 2;
export const STREAM_DROPOUT = 3;

/**
 * Fills every weight of the model from the run's seed, by the configured scheme (PyTorch's default
 * if none), then the per-layer filter settings (filter-init.ts; k-means cuts patches from `train`).
 */
export const initialiseModelWeights = (model: Model, config: TrainingConfig, train?: Dataset, onKmeansProgress?: KmeansProgress): void => {
  const scheme = config.init ?? { kind: 'pytorch-default' };
  const random = new Random(streamSeed(config.seed, STREAM_INIT, 0));
  for (const [name, values] of model.weights) initialiseWeight(model.specs.get(name)!, values, scheme, random);
  if (config.filters) applyFilterInits(model, config.filters, config.seed, train, onKmeansProgress);
};

/**
 * The elements the optimiser must leave alone: the config's own masks and the filters its filter
 * settings freeze, joined. Checks the filter settings against the model (FilterInitError).
 */
export const frozenMasks = (model: Model, config: TrainingConfig): ReadonlyMap<string, Uint8Array> | undefined => {
  if (!config.filters) return config.frozen;
  checkFilterInits(model, config.filters);
  const fromFilters = frozenFilterMasks(model, config.filters);
  if (!fromFilters) return config.frozen;
  for (const [name, mask] of config.frozen ?? []) {
    const other = fromFilters.get(name);
    if (!other) fromFilters.set(name, mask);
    else
      fromFilters.set(
        name,
        mask.map((value, i) => (value || other[i] ? 1 : 0)),
      );
  }
  return fromFilters;
};

/** The order of the training samples in epoch `epoch` (from 1). */
export const epochOrder = (seed: number, epoch: number, size: number): Int32Array =>
  new Random(streamSeed(seed, STREAM_SHUFFLE, epoch)).permutation(size);

/** The rate of the step with index `globalStep` (from 0): the schedule, the plateau's scale and the warm-up. */
export const scheduledLearningRate = (
  config: TrainingConfig,
  plateau: PlateauTracker | null,
  globalStep: number,
  stepsPerEpoch: number,
): number => {
  const base = plateau ? plateau.apply(config.learningRate) : config.learningRate;
  return learningRateAt(config.schedule ?? { kind: 'constant' }, base, globalStep, stepsPerEpoch, { steps: config.warmUpSteps ?? 0 });
};

/** The dataset's samples and targets must fit the graph's input and head; throws saying what to change. */
export const checkDatasetFits = (model: Model, dataset: Dataset): void => {
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

/** Every tensor of the model must be in the checkpoint, at its size; throws naming the first that is not. */
export const checkCheckpointWeights = (model: Model, checkpoint: Checkpoint): void => {
  for (const [name, values] of model.weights) {
    const saved = checkpoint.weights.get(name);
    if (!saved || saved.length !== values.length) throw new Error(`the checkpoint's ${name} is missing or has the wrong size`);
  }
};
