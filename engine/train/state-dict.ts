/**
 * Weights in and out as named float32 tensors, named and laid out as PyTorch's state_dict
 * (`conv1.weight` [6, 1, 5, 5], `bn1.running_var` [16], …), so checkpoints, safetensors and the
 * PyTorch export need no renaming.
 */
import type { Model } from './plan';

export interface NamedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Copies of every tensor, in state_dict order. */
export const saveStateDict = (model: Model): NamedTensor[] =>
  [...model.weights].map(([name, values]) => ({ name, shape: [...model.specs.get(name)!.shape], data: values.slice() }));

export class StateDictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateDictError';
  }
}

/**
 * Loads tensors into the model. Every tensor of the model must be given, with its shape; extra
 * names are an error too (they mean the weights belong to another graph). Nothing is changed
 * unless everything fits.
 */
export const loadStateDict = (model: Model, tensors: readonly NamedTensor[]): void => {
  const given = new Map(tensors.map((tensor) => [tensor.name, tensor]));
  const problems: string[] = [];
  for (const [name, values] of model.weights) {
    const tensor = given.get(name);
    const expected = model.specs.get(name)!.shape;
    if (!tensor) problems.push(`${name} is missing`);
    else if (tensor.shape.join('×') !== expected.join('×'))
      problems.push(`${name} is ${tensor.shape.join('×')} but the graph needs ${expected.join('×')}`);
    else if (tensor.data.length !== values.length)
      problems.push(`${name} holds ${tensor.data.length} values for a shape of ${values.length}`);
    else if (!tensor.data.every(Number.isFinite)) problems.push(`${name} contains NaN or infinite values`);
  }
  for (const name of given.keys()) if (!model.weights.has(name)) problems.push(`${name} is not a tensor of this graph`);
  if (problems.length) {
    const shown = problems.slice(0, 5).join('; ');
    throw new StateDictError(`the weights do not fit the graph: ${shown}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
  }
  for (const [name, values] of model.weights) values.set(given.get(name)!.data);
};
