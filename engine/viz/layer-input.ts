/**
 * A layer's input for one sample: the sample itself for a layer right after the Input, else the
 * output of the layer before it, from a batch-of-one forward pass of the model (no dropout).
 */
import { Plan, type Model } from '../train/plan';

const plans = new WeakMap<Model, Plan>();

const planOf = (model: Model): Plan => {
  let plan = plans.get(model);
  if (!plan) {
    // inference draws no random numbers (dropout is off)
    plan = new Plan(model, 1, () => 0.5);
    plans.set(model, plan);
  }
  return plan;
};

/** The input of `nodeId` when `sample` (the network's input) goes through `model`. Throws saying why. */
export const layerInput = (model: Model, nodeId: string, sample: Float32Array): Float32Array => {
  const node = model.nodes.find((candidate) => candidate.id === nodeId);
  if (!node) throw new Error(`the network has no layer '${nodeId}'`);
  const expected = model.input.outputShape.reduce((a, b) => a * b, 1);
  if (sample.length !== expected)
    throw new Error(`the sample has ${sample.length} values; the network's input ${model.input.outputShape.join('×')} needs ${expected}`);
  const sourceId = node.inputIds[0];
  if (sourceId === model.input.id) return sample;
  const plan = planOf(model);
  plan.input.set(sample);
  plan.forward(false);
  const values = plan.activation(sourceId);
  if (!values) throw new Error(`${nodeId}: the output of ${sourceId}, its input, was not kept`);
  return values.slice();
};
