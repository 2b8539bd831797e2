/**
 * Where a classifier's class scores are: the pre-softmax outputs (logits). The heads pass their
 * input through and the loss applies the softmax, so the head's output is the logits, unless the
 * graph ends in an explicit Softmax layer, whose input is then taken instead.
 */
import type { Model, ModelNode, Plan } from '../train/plan';

export class VizError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VizError';
  }
}

const PASS_THROUGH = new Set(['ClassificationHead', 'Flatten', 'Dropout']);

/** The node whose output is the class scores (logits). */
export const classScoreNode = (model: Model): ModelNode => {
  if (model.head.type !== 'ClassificationHead')
    throw new VizError(`${model.head.id} is a ${model.head.type}: class scores need a network that ends in a ClassificationHead`);
  const byId = new Map(model.nodes.map((node) => [node.id, node]));
  let node = model.head;
  while (PASS_THROUGH.has(node.type) && node.inputIds.length === 1) node = byId.get(node.inputIds[0])!;
  if (node.type === 'Softmax') return byId.get(node.inputIds[0])!;
  return node;
};

/** How many classes the head scores. */
export const classCount = (model: Model): number => classScoreNode(model).outputShape[0];

export const checkClass = (model: Model, classIndex: number): void => {
  const classes = classCount(model);
  if (!(Number.isInteger(classIndex) && classIndex >= 0 && classIndex < classes))
    throw new VizError(`there is no class ${classIndex}: the network scores ${classes} classes (0 to ${classes - 1})`);
};

/** A node by id, or a VizError naming it. */
export const nodeById = (model: Model, id: string): ModelNode => {
  const node = model.nodes.find((candidate) => candidate.id === id);
  if (!node) throw new VizError(`there is no layer '${id}' in the network`);
  return node;
};

/** Copies one sample (C·H·W values) into slot `slot` of the plan's input batch. */
export const loadSample = (plan: Plan, sample: ArrayLike<number>, slot = 0): void => {
  const size = plan.input.length / plan.batch;
  if (sample.length !== size) throw new VizError(`a sample for this network has ${size} values, not ${sample.length}`);
  plan.input.set(sample, slot * size);
};

/** Softmax probability of `classIndex` in row `row` of a batch of logits. */
export const classProbability = (logits: ArrayLike<number>, row: number, classes: number, classIndex: number): number => {
  const base = row * classes;
  let largest = -Infinity;
  for (let k = 0; k < classes; k++) largest = Math.max(largest, logits[base + k]);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += Math.exp(logits[base + k] - largest);
  return Math.exp(logits[base + classIndex] - largest) / sum;
};
