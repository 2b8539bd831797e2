/** Networks built from the ideas of the last decade: depthwise separable, residual, factorised. */
import type { GraphDocument } from '../document';
import { GraphBuilder } from './builder';

/** The benchmark's "mobilenet": depthwise and pointwise stages, each followed by ReLU. */
export const mobilenet = (): GraphDocument => {
  const g = new GraphBuilder(
    'MobileNet-style net',
    'Depthwise separable convolutions as in MobileNet: each 3×3 depthwise convolution filters channels alone, a 1×1 pointwise one mixes them.',
  );
  g.add('input', 'Input', { channels: 1, height: 28, width: 28 });
  g.add('conv1', 'Conv2D', { filters: 32, kernel: 3, stride: 2, padding: 'same' });
  g.add('relu1', 'ReLU');
  g.add('dw1', 'DepthwiseConv2D', { kernel: 3, padding: 'same' });
  g.add('relu2', 'ReLU');
  g.add('pw1', 'Conv2D', { filters: 64, kernel: 1 });
  g.add('relu3', 'ReLU');
  g.add('dw2', 'DepthwiseConv2D', { kernel: 3, stride: 2, padding: 'same' });
  g.add('relu4', 'ReLU');
  g.add('pw2', 'Conv2D', { filters: 128, kernel: 1 });
  g.add('relu5', 'ReLU');
  g.add('gap', 'GlobalAvgPool');
  g.add('fc', 'Dense', { units: 10 });
  g.add('output', 'ClassificationHead', { classes: 10 });
  return g.build();
};

/** A residual block: two 3×3 convolutions whose output is added to the block's input. */
const residualBlock = (g: GraphBuilder, name: string, input: string, filters: number, stride: number): string => {
  g.add(`${name}_conv1`, 'Conv2D', { filters, kernel: 3, stride, padding: 'same', bias: false }, input);
  g.add(`${name}_bn1`, 'BatchNorm2D');
  g.add(`${name}_relu1`, 'ReLU');
  g.add(`${name}_conv2`, 'Conv2D', { filters, kernel: 3, padding: 'same', bias: false });
  const main = g.add(`${name}_bn2`, 'BatchNorm2D');
  let skip = input;
  if (stride !== 1) {
    // The skip path must match the main path's shape: a strided 1×1 convolution projects it.
    g.add(`${name}_proj`, 'Conv2D', { filters, kernel: 1, stride, bias: false }, input);
    skip = g.add(`${name}_proj_bn`, 'BatchNorm2D');
  }
  g.add(`${name}_add`, 'Add', {}, [main, skip]);
  return g.add(`${name}_relu2`, 'ReLU');
};

export const resnet = (): GraphDocument => {
  const g = new GraphBuilder(
    'ResNet-style net',
    'Residual blocks (He et al. 2016): each block adds its input to its output through a skip connection; the second block halves the size and projects the skip path with a 1×1 convolution.',
  );
  g.add('input', 'Input', { channels: 1, height: 28, width: 28 });
  g.add('stem', 'Conv2D', { filters: 16, kernel: 3, padding: 'same', bias: false });
  g.add('stem_bn', 'BatchNorm2D');
  let x = g.add('stem_relu', 'ReLU');
  x = residualBlock(g, 'block1', x, 16, 1);
  x = residualBlock(g, 'block2', x, 32, 2);
  g.add('gap', 'GlobalAvgPool', {}, x);
  g.add('fc', 'Dense', { units: 10 });
  g.add('output', 'ClassificationHead', { classes: 10 });
  return g.build();
};

/** Spatially separable (K×1 then 1×K) and depthwise separable convolutions side by side. */
export const factorised = (): GraphDocument => {
  const g = new GraphBuilder(
    'Factorised convolutions',
    'A spatially separable 5×5 convolution (5×1 then 1×5) and a depthwise separable 3×3 one; each shows its cost beside the standard convolution it replaces.',
  );
  g.add('input', 'Input', { channels: 1, height: 28, width: 28 });
  g.add('conv1', 'Conv2D', { filters: 16, kernel: 3, padding: 'same' });
  g.add('relu0', 'ReLU');
  // With as many filters as input channels, K×1 then 1×K costs 2/K of a K×K convolution.
  g.add('spatial', 'SpatiallySeparableConv2D', { filters: 16, kernel: 5, padding: 'same' });
  g.add('relu1', 'ReLU');
  g.add('pool1', 'MaxPool2D', { kernel: 2 });
  g.add('separable', 'SeparableConv2D', { filters: 32, kernel: 3, padding: 'same' });
  g.add('relu2', 'ReLU');
  g.add('pool2', 'MaxPool2D', { kernel: 2 });
  g.add('dropout', 'Dropout', { rate: 0.25 });
  g.add('gap', 'GlobalAvgPool');
  g.add('fc', 'Dense', { units: 10 });
  g.add('output', 'ClassificationHead', { classes: 10 });
  return g.build();
};
