/**
 * Output heads: the end of a network, naming the task and its loss. A head passes its input
 * through as the prediction; the loss compares it with the target while training.
 */
import { defineLayer, type InferContext } from '../layer';
import { LIMITS } from '../params';
import { formatShape, isImage, isVector } from '../shape';

/** A vector of exactly `size` values, or an error that says how to get one. */
const requireOutputs = (ctx: InferContext<unknown>, size: number, what: string): boolean => {
  const input = ctx.inputs[0];
  if (isVector(input) && input[0] === size) return true;
  const fix = !isVector(input)
    ? `add Flatten (or global pooling) and a Dense layer of ${size} units before it`
    : ctx.inputTypes[0] === 'Dense'
      ? `set the Dense layer before it to ${size} units`
      : `add a Dense layer of ${size} units before it`;
  ctx.error('head-mismatch', `expects a vector of ${size} ${what} but receives ${formatShape(input)}; ${fix}`);
  return false;
};

const warnIfFedBy = (ctx: InferContext<unknown>, type: 'Softmax' | 'Sigmoid'): void => {
  if (ctx.inputTypes[0] === type) {
    ctx.warn(
      'double-activation',
      `applies ${type.toLowerCase()} inside its loss, so the ${type} layer before it applies it twice; remove that layer`,
    );
  }
};

export interface ClassificationHeadParams {
  classes: number;
  labelSmoothing: number;
}

export const classificationHead = defineLayer<ClassificationHeadParams>({
  type: 'ClassificationHead',
  category: 'head',
  title: 'Classification output',
  summary: 'One score per class; trained with softmax cross-entropy.',
  help:
    'The classification head takes one score (logit) per class. Training turns the scores into ' +
    'probabilities with softmax and minimises the cross-entropy with the true class; the prediction is the ' +
    'class with the highest score. The layer before it must output exactly one value per class.',
  inputs: { min: 1, max: 1 },
  params: {
    classes: {
      kind: 'int',
      label: 'Classes',
      help: 'How many classes the data has (10 for digits).',
      default: 10,
      min: 2,
      max: LIMITS.units,
    },
    labelSmoothing: {
      kind: 'float',
      label: 'Label smoothing',
      help: 'Moves this much of the target probability from the true class to all classes, against over-confidence.',
      default: 0,
      min: 0,
      max: 1,
      maxExclusive: true,
    },
  },
  infer: (ctx) => {
    if (!requireOutputs(ctx, ctx.params.classes, 'class scores')) return null;
    warnIfFedBy(ctx, 'Softmax');
    return { shape: ctx.inputs[0], params: 0, macs: 0 };
  },
});

export interface RegressionHeadParams {
  outputs: number;
}

export const regressionHead = defineLayer<RegressionHeadParams>({
  type: 'RegressionHead',
  category: 'head',
  title: 'Regression output',
  summary: 'Predicts numbers; trained with mean squared error.',
  help: 'The regression head predicts real numbers (a size, a position, an angle) and is trained to minimise the mean squared error to the targets.',
  inputs: { min: 1, max: 1 },
  params: {
    outputs: { kind: 'int', label: 'Outputs', help: 'How many numbers are predicted per sample.', default: 1, min: 1, max: LIMITS.units },
  },
  infer: (ctx) => (requireOutputs(ctx, ctx.params.outputs, 'outputs') ? { shape: ctx.inputs[0], params: 0, macs: 0 } : null),
});

export const binaryHead = defineLayer<RegressionHeadParams>({
  type: 'BinaryHead',
  category: 'head',
  title: 'Binary output',
  summary: 'Yes/no per output; trained with sigmoid binary cross-entropy.',
  help:
    'The binary head predicts independent yes/no answers (one, or several for multi-label data). Training ' +
    'applies the sigmoid inside the binary cross-entropy loss, so the layer before it outputs raw scores.',
  inputs: { min: 1, max: 1 },
  params: {
    outputs: { kind: 'int', label: 'Outputs', help: 'How many yes/no answers per sample.', default: 1, min: 1, max: LIMITS.units },
  },
  infer: (ctx) => {
    if (!requireOutputs(ctx, ctx.params.outputs, 'scores')) return null;
    warnIfFedBy(ctx, 'Sigmoid');
    return { shape: ctx.inputs[0], params: 0, macs: 0 };
  },
});

export interface ImageHeadParams {
  loss: 'mse' | 'bce';
  matchInputSize: boolean;
}

export const imageHead = defineLayer<ImageHeadParams>({
  type: 'ImageHead',
  category: 'head',
  title: 'Image output',
  summary: 'Predicts an image per sample (autoencoders, denoising, segmentation).',
  help:
    'The image head predicts a whole image: a reconstruction (autoencoder), a cleaned image (denoising) or ' +
    'a mask (segmentation). The loss is taken per pixel: mean squared error for intensities, or binary ' +
    'cross-entropy (with the sigmoid inside) for masks.',
  inputs: { min: 1, max: 1 },
  params: {
    loss: { kind: 'enum', label: 'Loss', help: 'mse for intensities, bce for masks in [0, 1].', default: 'mse', values: ['mse', 'bce'] },
    matchInputSize: {
      kind: 'bool',
      label: 'Same size as input',
      help: 'Require the output to have the input’s height and width, as autoencoders and segmentation do.',
      default: true,
    },
  },
  infer: (ctx) => {
    const input = ctx.inputs[0];
    if (!isImage(input)) {
      ctx.error(
        'head-mismatch',
        `expects an image but receives a vector of ${formatShape(input)}; end the network with convolutions (or a transposed convolution) instead of Dense`,
      );
      return null;
    }
    const target = ctx.graphInput;
    if (ctx.params.matchInputSize && target && isImage(target) && (target[1] !== input[1] || target[2] !== input[2])) {
      ctx.error(
        'head-mismatch',
        `expects a ${target[1]}×${target[2]} image like the input but receives ${formatShape(input)}; adjust strides or upsampling, or turn off "Same size as input"`,
        'matchInputSize',
      );
      return null;
    }
    if (ctx.params.loss === 'bce') warnIfFedBy(ctx, 'Sigmoid');
    return { shape: input, params: 0, macs: 0 };
  },
});
