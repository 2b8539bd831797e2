/**
 * Occlusion sensitivity (Zeiler & Fergus 2013): a grey square slides over the input, and at each
 * place the class's probability is measured again. Where covering the image lowers the
 * probability most is what the network looks at. The square is grey: filled with `fill` in every
 * channel, by default each channel's mean over the sample (which is right whether or not the
 * inputs are normalised).
 */
import type { Plan } from '../train/plan';
import { checkClass, classCount, classProbability, classScoreNode, loadSample, VizError } from './class-score';

export interface OcclusionOptions {
  /** The square's side in input pixels (default: a quarter of the smaller side, at least 1). */
  readonly size?: number;
  /** How far it moves between places (default: half its size, at least 1). */
  readonly stride?: number;
  readonly fill?: number;
}

const channelMeans = (sample: ArrayLike<number>, channels: number, plane: number): number[] =>
  Array.from({ length: channels }, (_, c) => {
    let sum = 0;
    for (let i = 0; i < plane; i++) sum += sample[c * plane + i];
    return sum / plane;
  });

export interface OcclusionMap {
  readonly classIndex: number;
  /** The class's probability with nothing covered. */
  readonly baseline: number;
  readonly size: number;
  readonly stride: number;
  /** Places down and across; place (r, c) covers rows r·stride … r·stride + size − 1 (the last row and column of places end at the edge). */
  readonly rows: number;
  readonly columns: number;
  /** rows × columns: the class's probability with the square at each place. */
  readonly probability: Float32Array;
  /** rows × columns: baseline − probability (positive where covering hurts). */
  readonly drop: Float32Array;
}

/** Top-left corners along one axis: every `stride`, and one flush with the far edge. */
export const placesAlong = (length: number, size: number, stride: number): number[] => {
  const places: number[] = [];
  for (let at = 0; at + size <= length; at += stride) places.push(at);
  if (places[places.length - 1] !== length - size) places.push(length - size);
  return places;
};

export const occlusion = (plan: Plan, sample: ArrayLike<number>, classIndex: number, options: OcclusionOptions = {}): OcclusionMap => {
  const model = plan.model;
  checkClass(model, classIndex);
  const [channels, height, width] = model.input.outputShape;
  if (model.input.outputShape.length !== 3) throw new VizError('occlusion needs an image input [C, H, W]');
  const size = options.size ?? Math.max(1, Math.floor(Math.min(height, width) / 4));
  const stride = options.stride ?? Math.max(1, Math.floor(size / 2));
  if (!(Number.isInteger(size) && size >= 1 && size <= Math.min(height, width)))
    throw new VizError(`the occluding square's size must be a whole number from 1 to ${Math.min(height, width)}, not ${size}`);
  if (!(Number.isInteger(stride) && stride >= 1)) throw new VizError(`the occlusion stride must be a whole number from 1, not ${stride}`);
  const ys = placesAlong(height, size, stride);
  const xs = placesAlong(width, size, stride);
  const classes = classCount(model);
  const scores = classScoreNode(model).id;
  const plane = height * width;
  const sampleSize = channels * plane;
  const fill = options.fill === undefined ? channelMeans(sample, channels, plane) : new Array<number>(channels).fill(options.fill);

  loadSample(plan, sample, 0);
  for (let slot = 1; slot < plan.batch; slot++) plan.input.copyWithin(slot * sampleSize, 0, sampleSize);
  plan.forward(false);
  const baseline = classProbability(plan.activation(scores)!, 0, classes, classIndex);

  const total = ys.length * xs.length;
  const probability = new Float32Array(total);
  for (let first = 0; first < total; first += plan.batch) {
    const count = Math.min(plan.batch, total - first);
    for (let slot = 0; slot < count; slot++) {
      const base = slot * sampleSize;
      plan.input.set(sample, base);
      const top = ys[Math.floor((first + slot) / xs.length)];
      const left = xs[(first + slot) % xs.length];
      for (let c = 0; c < channels; c++)
        for (let y = top; y < top + size; y++)
          plan.input.fill(fill[c], base + c * plane + y * width + left, base + c * plane + y * width + left + size);
    }
    plan.forward(false);
    const logits = plan.activation(scores)!;
    for (let slot = 0; slot < count; slot++) probability[first + slot] = classProbability(logits, slot, classes, classIndex);
  }
  const drop = probability.map((p) => baseline - p);
  return { classIndex, baseline, size, stride, rows: ys.length, columns: xs.length, probability, drop };
};
