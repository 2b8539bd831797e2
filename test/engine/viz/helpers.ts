/** Small networks with seeded random weights for the attribution tests. */
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import type { LayerType } from '../../../engine/graph/layer-types';
import { GraphBuilder } from '../../../engine/graph/templates/builder';
import { Random } from '../../../engine/train/random';
import { compileModel, Plan, type Model } from '../../../engine/train/plan';

export type Layer = [id: string, type: LayerType, params?: Record<string, unknown>];

/** A chain of layers after an Input of `shape`, its weights uniform in ±scale from `seed`. */
export const chainModel = (shape: [number, number, number], layers: Layer[], seed = 1, scale = 0.5): Model => {
  const g = new GraphBuilder('test', 'a test chain');
  g.add('input', 'Input', { channels: shape[0], height: shape[1], width: shape[2] });
  for (const [id, type, params] of layers) g.add(id, type, params ?? {});
  // every graph ends in a head; an image chain gets one that passes its output through
  if (!layers[layers.length - 1][1].endsWith('Head')) g.add('head', 'ImageHead', { matchInputSize: false });
  const model = compileModel(g.build(), CPU_LAYERS);
  const random = new Random(seed);
  for (const [name, tensor] of model.weights) {
    if (name.endsWith('running_var')) tensor.fill(1);
    else if (name.endsWith('running_mean')) tensor.fill(0);
    else for (let i = 0; i < tensor.length; i++) tensor[i] = (random.uniform() * 2 - 1) * scale;
  }
  return model;
};

export const randomSample = (length: number, seed = 2): Float32Array => {
  const random = new Random(seed);
  return Float32Array.from({ length }, () => random.uniform());
};

export const probePlan = (model: Model, batch = 1): Plan => new Plan(model, batch, () => 0.5, { inputGradient: true });
