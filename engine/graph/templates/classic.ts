/** Plain stacks of convolutions: LeNet-5 and a small VGG-style network. */
import type { GraphDocument } from '../document';
import { GraphBuilder } from './builder';

/** LeNet-5 as in the benchmark (ReLU and max pooling in place of the original tanh and subsampling). */
export const lenet5 = (): GraphDocument => {
  const g = new GraphBuilder(
    'LeNet-5',
    'LeCun et al. 1998 on 28×28 digits: two convolutions with pooling, then three dense layers (6-16-120-84-10).',
  );
  g.add('input', 'Input', { channels: 1, height: 28, width: 28 });
  g.add('conv1', 'Conv2D', { filters: 6, kernel: 5, padding: 2 });
  g.add('relu1', 'ReLU');
  g.add('pool1', 'MaxPool2D', { kernel: 2, stride: 2 });
  g.add('conv2', 'Conv2D', { filters: 16, kernel: 5, padding: 'valid' });
  g.add('relu2', 'ReLU');
  g.add('pool2', 'MaxPool2D', { kernel: 2, stride: 2 });
  g.add('flatten', 'Flatten');
  g.add('fc1', 'Dense', { units: 120 });
  g.add('relu3', 'ReLU');
  g.add('fc2', 'Dense', { units: 84 });
  g.add('relu4', 'ReLU');
  g.add('fc3', 'Dense', { units: 10 });
  g.add('output', 'ClassificationHead', { classes: 10 });
  return g.build();
};

/** The benchmark's "convnet": 3×3 convolutions in VGG's style, 32-64-64 filters. */
export const convnet = (): GraphDocument => {
  const g = new GraphBuilder(
    'VGG-style MNIST net',
    'Stacked 3×3 convolutions with same padding, as in VGG: two convolutions, pool, one more, pool, then a dense classifier.',
  );
  g.add('input', 'Input', { channels: 1, height: 28, width: 28 });
  g.add('conv1', 'Conv2D', { filters: 32, kernel: 3, padding: 'same' });
  g.add('relu1', 'ReLU');
  g.add('conv2', 'Conv2D', { filters: 64, kernel: 3, padding: 'same' });
  g.add('relu2', 'ReLU');
  g.add('pool1', 'MaxPool2D', { kernel: 2, stride: 2 });
  g.add('conv3', 'Conv2D', { filters: 64, kernel: 3, padding: 'same' });
  g.add('relu3', 'ReLU');
  g.add('pool2', 'MaxPool2D', { kernel: 2, stride: 2 });
  g.add('flatten', 'Flatten');
  g.add('fc1', 'Dense', { units: 128 });
  g.add('relu4', 'ReLU');
  g.add('fc2', 'Dense', { units: 10 });
  g.add('output', 'ClassificationHead', { classes: 10 });
  return g.build();
};

/** Dilated (atrous) convolutions grow the receptive field without pooling (Yu & Koltun 2016). */
export const dilated = (): GraphDocument => {
  const g = new GraphBuilder(
    'Dilated-context net',
    'Four 3×3 convolutions with dilations 1, 2, 4 and 8 see a 31×31 context at full resolution, without pooling; global pooling then classifies.',
  );
  g.add('input', 'Input', { channels: 1, height: 28, width: 28 });
  for (const [index, rate] of [1, 2, 4, 8].entries()) {
    g.add(`conv${index + 1}`, 'Conv2D', { filters: index < 2 ? 16 : 32, kernel: 3, padding: 'same', dilation: rate });
    g.add(`relu${index + 1}`, 'ReLU');
  }
  g.add('gap', 'GlobalAvgPool');
  g.add('fc', 'Dense', { units: 10 });
  g.add('output', 'ClassificationHead', { classes: 10 });
  return g.build();
};
