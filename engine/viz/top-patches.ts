/**
 * Zeiler & Fergus's "top-9": for one feature (a channel of a layer), the samples of a set where
 * it fires most (each sample's largest activation of the channel, one place per sample), with
 * where it fired and the input region that place sees (its receptive field).
 */
import type { Dataset } from '../data/dataset';
import { elementCount } from '../graph/shape';
import type { Plan } from '../train/plan';
import { nodeById, VizError } from './class-score';
import { receptiveField, type Box } from './receptive-field';

export interface TopActivation {
  readonly sample: number;
  readonly value: number;
  readonly y: number;
  readonly x: number;
  readonly field: Box;
}

/**
 * The `count` strongest samples among `indices` (default all of the set) for channel `channel`
 * of `layerId`, strongest first (ties: the lower index first). Runs the plan in inference mode
 * batch by batch.
 */
export const topActivations = (
  plan: Plan,
  dataset: Dataset,
  layerId: string,
  channel: number,
  options: { count?: number; indices?: Int32Array } = {},
): TopActivation[] => {
  const model = plan.model;
  const layer = nodeById(model, layerId);
  if (layer.outputShape.length !== 3)
    throw new VizError(`${layerId} outputs [${layer.outputShape.join(', ')}]; choose a layer whose output is an image`);
  const [channels, height, width] = layer.outputShape;
  if (!(Number.isInteger(channel) && channel >= 0 && channel < channels))
    throw new VizError(`${layerId} has channels 0 to ${channels - 1}, not ${channel}`);
  const count = options.count ?? 9;
  const indices = options.indices ?? Int32Array.from({ length: dataset.size }, (_, i) => i);
  const targets =
    dataset.target.kind === 'class' ? new Int32Array(plan.batch) : new Float32Array(plan.batch * elementCount(dataset.target.shape));
  const plane = height * width;
  const sampleSize = channels * plane;
  const best: Omit<TopActivation, 'field'>[] = [];
  for (let first = 0; first < indices.length; first += plan.batch) {
    const n = Math.min(plan.batch, indices.length - first);
    dataset.fill(indices, first, n, plan.input, targets);
    plan.forward(false);
    const output = plan.activation(layerId)!;
    for (let slot = 0; slot < n; slot++) {
      const base = slot * sampleSize + channel * plane;
      let where = 0;
      for (let i = 1; i < plane; i++) if (output[base + i] > output[base + where]) where = i;
      best.push({ sample: indices[first + slot], value: output[base + where], y: Math.floor(where / width), x: where % width });
    }
    best.sort((a, b) => b.value - a.value || a.sample - b.sample);
    best.length = Math.min(best.length, count);
  }
  return best.map((top) => ({ ...top, field: receptiveField(model, layerId, top.y, top.x) }));
};

/** The region `box` of a [C, H, W] image, as its own [C, h, w] image. */
export const cropImage = (image: ArrayLike<number>, shape: readonly number[], box: Box): Float32Array => {
  const [channels, height, width] = shape;
  const h = box.bottom - box.top + 1;
  const w = box.right - box.left + 1;
  const out = new Float32Array(channels * h * w);
  for (let c = 0; c < channels; c++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) out[(c * h + y) * w + x] = image[(c * height + box.top + y) * width + box.left + x];
  return out;
};
