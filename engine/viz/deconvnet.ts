/**
 * Zeiler & Fergus's deconvnet (2013): one feature's activation projected back to pixel space.
 * The projection starts from a map that is zero but for the chosen activation and runs down the
 * layers to the input:
 *
 * - convolutions (all four kinds), transposed convolution, average pooling, Upsample, Flatten, Add
 *   and Concat: their transpose (the backward pass of a linear layer, so the same filters flipped);
 * - max pooling: unpooling through the switches recorded in the forward pass;
 * - ReLU: the signal is rectified (ReLU applied to it), not masked by where the forward pass was
 *   positive; this is what distinguishes the deconvnet from the gradient;
 * - batch norm, in inference mode an affine map per channel: its transpose (scaled by γ/σ);
 * - dropout: the identity, as at inference.
 *
 * Not invertible here (a VizError names the layer): LeakyReLU, Sigmoid, Tanh, GELU and Softmax,
 * which the deconvnet defines no rule for, and anything after the features lose their places
 * (Dense, global pooling: a feature of those has no position to project from).
 */
import type { BackwardContext } from '../backends/cpu/types';
import type { LayerType } from '../graph/layer-types';
import type { Plan } from '../train/plan';
import { loadSample, nodeById, VizError } from './class-score';

const TRANSPOSED: ReadonlySet<LayerType> = new Set<LayerType>([
  'Input',
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'SpatiallySeparableConv2D',
  'ConvTranspose2D',
  'MaxPool2D',
  'AvgPool2D',
  'BatchNorm2D',
  'Dropout',
  'Flatten',
  'Add',
  'Concat',
  'Upsample',
]);

/** The layer types a projection passes through. */
export const DECONVNET_LAYERS: readonly LayerType[] = [...TRANSPOSED, 'ReLU'];

export interface Projection {
  readonly layer: string;
  readonly channel: number;
  /** The activation projected, and where it is in the layer's output. */
  readonly value: number;
  readonly y: number;
  readonly x: number;
  /** In pixel space: the input's shape [C, H, W]. */
  readonly pixels: Float32Array;
}

/** The layers between the input and `layerId` that the projection cannot pass, as a message, or null. */
export const deconvnetObstacle = (plan: Plan, layerId: string): string | null => {
  const model = plan.model;
  const target = nodeById(model, layerId);
  if (target.outputShape.length !== 3)
    return `${layerId} outputs [${target.outputShape.join(', ')}]; a projection starts from a layer whose output is an image`;
  const needed = new Set([layerId]);
  for (let i = model.nodes.indexOf(target); i >= 0; i--) {
    const node = model.nodes[i];
    if (!needed.has(node.id)) continue;
    if (!TRANSPOSED.has(node.type) && node.type !== 'ReLU')
      return `the deconvnet cannot invert ${node.id} (${node.type}); it passes ${DECONVNET_LAYERS.join(', ')}`;
    for (const source of node.inputIds) needed.add(source);
  }
  return null;
};

const rectify = (context: BackwardContext): void => {
  const gradInput = context.gradInputs[0];
  if (!gradInput) return;
  const count = context.gradOutput.length;
  for (let i = 0; i < count; i++) {
    const g = context.gradOutput[i];
    if (g > 0) gradInput[i] += g;
  }
};

/**
 * Projects channel `channel` of layer `layerId` for one sample. The activation taken is the one
 * at (y, x) when given, else the channel's largest. Needs a batch-1 plan made with
 * `{ inputGradient: true }`; runs its forward pass in inference mode.
 */
export const deconvnetProjection = (
  plan: Plan,
  sample: ArrayLike<number>,
  layerId: string,
  channel: number,
  at?: { y: number; x: number },
): Projection => {
  if (plan.batch !== 1 || !plan.inputGradient) throw new VizError('a projection needs a batch-1 plan made with { inputGradient: true }');
  const obstacle = deconvnetObstacle(plan, layerId);
  if (obstacle) throw new VizError(obstacle);
  const [channels, height, width] = nodeById(plan.model, layerId).outputShape;
  if (!(Number.isInteger(channel) && channel >= 0 && channel < channels))
    throw new VizError(`${layerId} has channels 0 to ${channels - 1}, not ${channel}`);
  loadSample(plan, sample);
  plan.forward(false);
  const activation = plan.activation(layerId)!;
  const plane = height * width;
  let where: number;
  if (at) {
    if (!(at.y >= 0 && at.y < height && at.x >= 0 && at.x < width))
      throw new VizError(`${layerId} is ${height}×${width}; (${at.y}, ${at.x}) is outside it`);
    where = at.y * width + at.x;
  } else {
    where = 0;
    for (let i = 1; i < plane; i++) if (activation[channel * plane + i] > activation[channel * plane + where]) where = i;
  }
  const value = activation[channel * plane + where];
  const seed = plan.activationGradient(layerId)!;
  seed.fill(0);
  seed[channel * plane + where] = value;
  plan.backwardFrom(layerId, (node, context) => {
    if (node.type !== 'ReLU') return false;
    rectify(context);
    return true;
  });
  const inputSize = plan.model.input.outputShape.reduce((a, b) => a * b, 1);
  return {
    layer: layerId,
    channel,
    value,
    y: Math.floor(where / width),
    x: where % width,
    pixels: plan.activationGradient(plan.model.input.id)!.slice(0, inputSize),
  };
};
