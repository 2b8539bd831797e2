/**
 * What the worker sends at each epoch's end besides its summary (the `epoch-stats` message):
 * engine/viz/training-stats.ts's statistics of every layer, and a small snapshot of the first
 * convolution's filters and of its output for the training set's first sample, which the host
 * keeps per epoch so the IDE can replay them.
 *
 * The probe batch is the training set's first PROBE_SAMPLES samples (at most a batch), the same every epoch, run in
 * inference mode through a plan of its own (so training's buffers and gradients are untouched).
 */
import type { Dataset } from '../../engine/data/dataset';
import { elementCount } from '../../engine/graph/shape';
import { Plan, type Model } from '../../engine/train/plan';
import { binValues, countDeadUnits, l2Norm, type EpochStats, type LayerWeightStats, type ReluStats } from '../../engine/viz/training-stats';
import { firstFilterNode } from './visual-compute';

/**
 * Samples of the probe batch (fewer when the training set or the batch is smaller: its plan, kept
 * for the run, then needs no more memory than training's own).
 */
export const PROBE_SAMPLES = 32;
/** A snapshot is sent only when its filters and its activation each have at most this many values. */
export const MAX_SNAPSHOT_VALUES = 32768;

const RELU_FAMILY = new Set(['ReLU', 'LeakyReLU']);

export interface SnapshotTensor {
  readonly shape: number[];
  readonly values: Float32Array;
}

/** The first convolution's filters and its output for the training set's sample 0, after one epoch. */
export interface EpochSnapshot {
  readonly nodeId: string;
  /** The state_dict name of the filters (`conv1.weight`). */
  readonly filterName: string;
  readonly filters: SnapshotTensor;
  readonly sampleIndex: number;
  readonly activation: SnapshotTensor;
}

const probePlans = new WeakMap<Model, Plan>();

const probePlan = (model: Model, samples: number): Plan => {
  let plan = probePlans.get(model);
  if (!plan || plan.batch !== samples) {
    plan = new Plan(model, samples, () => 0.5);
    probePlans.set(model, plan);
  }
  return plan;
};

const layerStats = (model: Model, withGradients: boolean): LayerWeightStats[] => {
  const layers: LayerWeightStats[] = [];
  for (const node of model.nodes) {
    const trainable = node.weightSpecs.filter((spec) => spec.trainable).map((spec) => `${node.id}.${spec.name}`);
    if (trainable.length === 0) continue;
    const kernels = node.weightSpecs.filter((spec) => spec.trainable && spec.role === 'weight').map((spec) => `${node.id}.${spec.name}`);
    const shown = kernels.length > 0 ? kernels : trainable;
    const weights = (names: string[]) => names.map((name) => model.weights.get(name)!);
    const gradients = (names: string[]) => names.map((name) => model.gradients.get(name)!);
    layers.push({
      nodeId: node.id,
      weights: binValues(weights(shown)),
      weightNorm: l2Norm(weights(trainable)),
      ...(withGradients ? { gradients: binValues(gradients(shown)), gradientNorm: l2Norm(gradients(trainable)) } : {}),
    });
  }
  return layers;
};

/**
 * The statistics after epoch `epoch`, and the snapshot where the network has a small enough
 * convolution. `withGradients`: `model.gradients` hold the last step's (the CPU trainer's do; the
 * GPU trainer keeps its own on the device).
 */
export const computeEpochStats = (
  model: Model,
  train: Dataset,
  epoch: number,
  globalStep: number,
  withGradients: boolean,
  batchSize: number,
): { stats: EpochStats; snapshot?: EpochSnapshot } => {
  const layers = layerStats(model, withGradients);
  const samples = Math.min(PROBE_SAMPLES, batchSize, train.size);
  const relus: ReluStats[] = [];
  let snapshot: EpochSnapshot | undefined;
  if (samples > 0) {
    const plan = probePlan(model, samples);
    const order = Int32Array.from({ length: samples }, (_, i) => i);
    const targets = train.target.kind === 'class' ? new Int32Array(samples) : new Float32Array(samples * elementCount(train.target.shape));
    train.fill(order, 0, samples, plan.input, targets);
    plan.forward(false);
    for (const node of model.nodes) {
      if (!RELU_FAMILY.has(node.type)) continue;
      const units = elementCount(node.outputShape);
      relus.push({ nodeId: node.id, deadUnits: countDeadUnits(plan.activation(node.id)!, samples, units), units, probeSamples: samples });
    }
    snapshot = takeSnapshot(model, plan);
  }
  return { stats: { epoch, globalStep, layers, relus }, ...(snapshot ? { snapshot } : {}) };
};

const takeSnapshot = (model: Model, plan: Plan): EpochSnapshot | undefined => {
  const nodeId = firstFilterNode(model);
  if (nodeId === null) return undefined;
  const node = model.nodes.find((candidate) => candidate.id === nodeId)!;
  const spec = node.weightSpecs.find((candidate) => candidate.role === 'weight' && candidate.shape.length === 4)!;
  const filterName = `${nodeId}.${spec.name}`;
  const units = elementCount(node.outputShape);
  const filters = model.weights.get(filterName)!;
  if (filters.length > MAX_SNAPSHOT_VALUES || units > MAX_SNAPSHOT_VALUES) return undefined;
  return {
    nodeId,
    filterName,
    filters: { shape: [...spec.shape], values: filters.slice() },
    sampleIndex: 0,
    activation: { shape: [...node.outputShape], values: plan.activation(nodeId)!.slice(0, units) },
  };
};
