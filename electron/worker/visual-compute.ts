/**
 * Answers a `visual` request from a model's weights and its datasets: a layer's filters, or the
 * outputs of layers for one sample through a batch-1 Plan in inference mode (batch norm's running
 * statistics, no dropout). Used by the worker between training steps, and by the host for a job
 * that has ended (from its final weights).
 */
import { CATALOGUE } from '../../engine/graph/catalogue';
import type { Dataset } from '../../engine/data/dataset';
import { elementCount } from '../../engine/graph/shape';
import { Plan, type Model } from '../../engine/train/plan';
import { SAMPLE_ANALYSES } from '../../engine/viz/analysis';
import { quantiseFilterGradient, type FilterGradients } from '../../engine/viz/filter-gradients';
import { analyseSample, analyseSet } from './visual-analysis';
import type { VisualReplyMessage, VisualRequestMessage, VisualSampleMessage, VisualTensorMessage } from './visual-protocol';

export interface VisualSource {
  readonly model: Model;
  readonly train: Dataset;
  readonly validation?: Dataset;
  readonly epoch: number;
  readonly globalStep: number;
  /** The step whose gradients `model.gradients` hold; 0 or absent: none yet. */
  readonly gradientStep?: number;
  /** Why this source has no gradients at all (an ended run); wins over gradientStep. */
  readonly gradientNote?: string;
}

export const NO_GRADIENTS_YET = 'no gradients yet: they come with the first training step';

/** A request that cannot be answered; the message says why. */
export class VisualError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VisualError';
  }
}

const FEATURE_CATEGORIES = new Set(['convolution', 'pooling', 'activation']);

/** The layers shown by default: convolutions, pooling and activations whose output is an image. */
export const featureNodes = (model: Model): string[] =>
  model.nodes
    .filter((node) => FEATURE_CATEGORIES.has(CATALOGUE[node.type].category) && node.outputShape.length === 3)
    .map((node) => node.id);

/** The 4-D weight tensors (filters) of a node, by state_dict name. */
export const filterNames = (model: Model, nodeId: string): string[] => {
  const node = model.nodes.find((candidate) => candidate.id === nodeId);
  if (!node) throw new VisualError(`there is no layer '${nodeId}' in the trained network`);
  const names = node.weightSpecs
    .filter((spec) => spec.role === 'weight' && spec.shape.length === 4)
    .map((spec) => `${nodeId}.${spec.name}`);
  if (names.length === 0) throw new VisualError(`${nodeId} is a ${node.type} layer: it has no filters; choose a convolution`);
  return names;
};

/** The first layer that has filters, or null. */
export const firstFilterNode = (model: Model): string | null =>
  model.nodes.find((node) => node.weightSpecs.some((spec) => spec.role === 'weight' && spec.shape.length === 4))?.id ?? null;

/** One batch-1 plan per model, made on first use: its buffers live as long as the model. */
const plans = new WeakMap<Model, Plan>();

const planFor = (model: Model): Plan => {
  let plan = plans.get(model);
  if (!plan) {
    plan = new Plan(model, 1, () => 0.5);
    plans.set(model, plan);
  }
  return plan;
};

const copyOut = (nodeId: string, name: string, shape: readonly number[], values: Float32Array): VisualTensorMessage => ({
  nodeId,
  name,
  shape: [...shape],
  values: values.slice(0, elementCount(shape)),
});

const filters = (source: VisualSource, nodeId: string): VisualTensorMessage[] =>
  filterNames(source.model, nodeId).map((name) =>
    copyOut(nodeId, name, source.model.specs.get(name)!.shape, source.model.weights.get(name)!),
  );

const filterGradients = (source: VisualSource, tensors: readonly VisualTensorMessage[]): FilterGradients => {
  if (source.gradientNote !== undefined) return { tensors: [], note: source.gradientNote };
  if (!source.gradientStep) return { tensors: [], note: NO_GRADIENTS_YET };
  const untrained = tensors.find((tensor) => !source.model.gradients.has(tensor.name));
  if (untrained) return { tensors: [], note: `${untrained.name} is not trained, so it has no gradients` };
  return {
    step: source.gradientStep,
    tensors: tensors.map((tensor) => quantiseFilterGradient(tensor.name, source.model.gradients.get(tensor.name)!, tensor.shape)),
  };
};

/**
 * Runs an analysis and puts the training gradients back: the analyses' backward passes share
 * `model.gradients` with training, and a filters request between steps shows the last step's.
 */
const keepingGradients = <T>(model: Model, run: () => T): T => {
  const kept = [...model.gradients.values()].map((values) => [values, values.slice()] as const);
  try {
    return run();
  } finally {
    for (const [values, copy] of kept) values.set(copy);
  }
};

/** The set a request reads: its subset, by default the validation set where the run has one. */
const datasetOf = (source: VisualSource, request: VisualRequestMessage): { subset: 'validation' | 'train'; dataset: Dataset } => {
  const subset = request.subset ?? (source.validation ? 'validation' : 'train');
  const dataset = subset === 'validation' ? source.validation : source.train;
  if (!dataset) throw new VisualError("this run has no validation set; ask for a sample of the training set (subset 'train')");
  return { subset, dataset };
};

const activations = (
  source: VisualSource,
  request: VisualRequestMessage,
): { tensors: VisualTensorMessage[]; sample: VisualSampleMessage } => {
  const { model } = source;
  const { subset, dataset } = datasetOf(source, request);
  const index = request.sample ?? 0;
  if (index >= dataset.size)
    throw new VisualError(`there is no sample ${index}: the ${subset} set has ${dataset.size} (0 to ${dataset.size - 1})`);
  const ids =
    request.kind !== 'activations' ? [] : (request.nodes ?? (request.nodeId !== undefined ? [request.nodeId] : featureNodes(model)));
  const nodes = ids.map((id) => {
    const node = model.nodes.find((candidate) => candidate.id === id);
    if (!node) throw new VisualError(`there is no layer '${id}' in the trained network`);
    return node;
  });
  const plan = planFor(model);
  const classes = dataset.target.kind === 'class';
  const targets = classes ? new Int32Array(1) : new Float32Array(elementCount(dataset.target.shape));
  dataset.fill(Int32Array.of(index), 0, 1, plan.input, targets);
  plan.forward(false);
  const output = (id: string, shape: readonly number[]) => copyOut(id, id, shape, plan.activation(id)!);
  return {
    tensors: nodes.map((node) => output(node.id, node.outputShape)),
    sample: {
      index,
      subset,
      count: dataset.size,
      ...(classes ? { label: targets[0] } : {}),
      input: output(model.input.id, model.input.outputShape),
      output: output(model.head.id, model.head.outputShape),
    },
  };
};

/** The reply to a request; throws VisualError when it cannot be answered. */
export const computeVisual = (source: VisualSource, request: VisualRequestMessage): VisualReplyMessage => {
  const base = {
    type: 'visual',
    requestId: request.requestId,
    kind: request.kind,
    epoch: source.epoch,
    globalStep: source.globalStep,
  } as const;
  if (request.kind === 'filters') {
    const tensors = filters(source, request.nodeId!);
    return { ...base, tensors, ...(request.withGradients ? { gradients: filterGradients(source, tensors) } : {}) };
  }
  if (request.kind === 'activations') return { ...base, ...activations(source, request) };
  if (SAMPLE_ANALYSES.includes(request.kind)) {
    // the sample's input and the head's output come with the analysis, as for activations
    const { sample } = activations(source, request);
    const analysis = keepingGradients(source.model, () => analyseSample(source.model, request, sample.input.values));
    return { ...base, tensors: [], sample, analysis };
  }
  const analysis = keepingGradients(source.model, () => analyseSet(source.model, request, datasetOf(source, request).dataset));
  return { ...base, tensors: [], analysis };
};

/** A reply that says why there is no answer. */
export const visualFailure = (
  request: Pick<VisualRequestMessage, 'requestId' | 'kind'>,
  error: unknown,
  step = 0,
  epoch = 0,
): VisualReplyMessage => ({
  type: 'visual',
  requestId: request.requestId,
  kind: request.kind,
  epoch,
  globalStep: step,
  tensors: [],
  error: error instanceof Error ? error.message : String(error),
});
