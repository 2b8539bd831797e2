/** The layer catalogue: every layer type, defined once. */
import type { AnyLayerDefinition, LayerCategory } from './layer';
import { LAYER_TYPES, type LayerType } from './layer-types';
import { relu, leakyRelu, sigmoid, tanh, gelu, softmax } from './layers/activations';
import { conv2d, depthwiseConv2d } from './layers/convolution';
import { binaryHead, classificationHead, imageHead, regressionHead } from './layers/heads';
import { input } from './layers/input';
import { batchNorm2d, dropout } from './layers/normalisation';
import { avgPool2d, globalAvgPool, globalMaxPool, maxPool2d } from './layers/pooling';
import { separableConv2d, spatiallySeparableConv2d } from './layers/separable';
import { add, concat, dense, flatten, upsample } from './layers/structure';
import { convTranspose2d } from './layers/transposed';

export const CATALOGUE: Readonly<Record<LayerType, AnyLayerDefinition>> = {
  Input: input,
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  SpatiallySeparableConv2D: spatiallySeparableConv2d,
  ConvTranspose2D: convTranspose2d,
  MaxPool2D: maxPool2d,
  AvgPool2D: avgPool2d,
  GlobalAvgPool: globalAvgPool,
  GlobalMaxPool: globalMaxPool,
  BatchNorm2D: batchNorm2d,
  Dropout: dropout,
  Flatten: flatten,
  Dense: dense,
  Add: add,
  Concat: concat,
  Upsample: upsample,
  ReLU: relu,
  LeakyReLU: leakyRelu,
  Sigmoid: sigmoid,
  Tanh: tanh,
  GELU: gelu,
  Softmax: softmax,
  ClassificationHead: classificationHead,
  RegressionHead: regressionHead,
  BinaryHead: binaryHead,
  ImageHead: imageHead,
};

export const CATEGORY_TITLES: Readonly<Record<LayerCategory, string>> = {
  input: 'Input',
  convolution: 'Convolution',
  pooling: 'Pooling',
  normalisation: 'Normalisation and regularisation',
  structure: 'Structure',
  activation: 'Activations',
  head: 'Outputs',
};

export const layersInCategory = (category: LayerCategory): AnyLayerDefinition[] =>
  LAYER_TYPES.map((type) => CATALOGUE[type]).filter((layer) => layer.category === category);

/** The catalogue entry whose name is closest to a misspelt type, for "did you mean" hints. */
export const closestLayerType = (name: string): LayerType | null => {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(lower.length / 3));
  let best: LayerType | null = null;
  let bestDistance = Infinity;
  for (const type of LAYER_TYPES) {
    // The distance is at least the difference in length: skip types that cannot be close, so a
    // very long name costs no more than a short one.
    if (Math.abs(type.length - lower.length) > limit) continue;
    const distance = editDistance(lower, type.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [type, distance];
  }
  return bestDistance <= limit ? best : null;
};

const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
};
