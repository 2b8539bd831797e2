/**
 * Gradient-based attributions of one class score for one sample:
 *
 * - saliency (Simonyan et al. 2013): the gradient of the class score (the logit, before softmax)
 *   with respect to the input pixels; the map is the largest |gradient| over the channels.
 * - Grad-CAM (Selvaraju et al. 2017): for a layer with image output, each channel is weighted by
 *   the spatial mean of the score's gradient over it; the map is the ReLU of the weighted sum of
 *   the channels, resized bilinearly to the input.
 *
 * Both run one forward pass (inference mode) and one backward pass seeded with a one-hot at the
 * class score, on a batch-1 plan made with `{ inputGradient: true }`.
 */
import type { Plan } from '../train/plan';
import { checkClass, classScoreNode, loadSample, nodeById, VizError } from './class-score';
import { resizeBilinear } from './resize';

/** Forward, then backward from the one-hot at `classIndex`; returns the class score. */
const backpropagateScore = (plan: Plan, sample: ArrayLike<number>, classIndex: number): number => {
  if (plan.batch !== 1) throw new VizError(`attributions run on a batch-1 plan, not batch ${plan.batch}`);
  checkClass(plan.model, classIndex);
  loadSample(plan, sample);
  plan.forward(false);
  const scores = classScoreNode(plan.model);
  const seed = plan.activationGradient(scores.id)!;
  seed.fill(0);
  seed[classIndex] = 1;
  plan.backwardFrom(scores.id);
  return plan.activation(scores.id)![classIndex];
};

export interface Saliency {
  readonly score: number;
  /** d score / d input, the input's shape [C, H, W]. */
  readonly gradient: Float32Array;
  /** H × W: the largest |gradient| over the channels. */
  readonly map: Float32Array;
  readonly height: number;
  readonly width: number;
}

export const saliency = (plan: Plan, sample: ArrayLike<number>, classIndex: number): Saliency => {
  const inputGradient = plan.activationGradient(plan.model.input.id)!;
  if (!plan.inputGradient) throw new VizError('saliency needs a plan made with { inputGradient: true }');
  const score = backpropagateScore(plan, sample, classIndex);
  const [channels, height, width] = plan.model.input.outputShape;
  const gradient = inputGradient.slice(0, channels * height * width);
  const map = new Float32Array(height * width);
  for (let c = 0; c < channels; c++) for (let i = 0; i < map.length; i++) map[i] = Math.max(map[i], Math.abs(gradient[c * map.length + i]));
  return { score, gradient, map, height, width };
};

export interface GradCam {
  readonly score: number;
  readonly layer: string;
  /** One weight per channel of the layer: the spatial mean of the score's gradient. */
  readonly weights: Float32Array;
  /** The layer's own resolution (h × w), after the ReLU. */
  readonly coarse: Float32Array;
  readonly coarseHeight: number;
  readonly coarseWidth: number;
  /** Resized to the input (H × W). */
  readonly map: Float32Array;
  readonly height: number;
  readonly width: number;
}

export const gradCam = (plan: Plan, sample: ArrayLike<number>, classIndex: number, layerId: string): GradCam => {
  const layer = nodeById(plan.model, layerId);
  if (layer.outputShape.length !== 3)
    throw new VizError(`${layerId} outputs [${layer.outputShape.join(', ')}]; Grad-CAM needs a layer whose output is an image [C, H, W]`);
  const scoreNode = classScoreNode(plan.model);
  if (plan.model.nodes.indexOf(layer) >= plan.model.nodes.indexOf(scoreNode))
    throw new VizError(`${layerId} comes after the class scores; choose a layer before ${scoreNode.id}`);
  const score = backpropagateScore(plan, sample, classIndex);
  const [channels, h, w] = layer.outputShape;
  const activation = plan.activation(layerId)!;
  const gradient = plan.activationGradient(layerId)!;
  const plane = h * w;
  const weights = new Float32Array(channels);
  const coarse = new Float32Array(plane);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let i = 0; i < plane; i++) sum += gradient[c * plane + i];
    weights[c] = sum / plane;
    for (let i = 0; i < plane; i++) coarse[i] += weights[c] * activation[c * plane + i];
  }
  for (let i = 0; i < plane; i++) coarse[i] = Math.max(0, coarse[i]);
  const [, height, width] = plan.model.input.outputShape;
  return {
    score,
    layer: layerId,
    weights,
    coarse,
    coarseHeight: h,
    coarseWidth: w,
    map: resizeBilinear(coarse, h, w, height, width),
    height,
    width,
  };
};
