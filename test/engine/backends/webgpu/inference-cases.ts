// Networks, weights and images for the inference tests, the same under Node (inference.test.ts)
// and in the browser (test/e2e/webgpu-inference.test.ts): LeNet-5, and a mix of every kind of
// convolution (plain, grouped, depthwise, separable, transposed) with batch norm in inference mode.
// Weights are drawn from a seed; batch norm's running statistics are set away from 0 and 1, so
// its inference path is really exercised.
import { CPU_LAYERS } from '../../../../engine/backends/cpu/layers';
import type { GraphDocument } from '../../../../engine/graph/document';
import { lenet5 } from '../../../../engine/graph/templates/classic';
import { GraphBuilder } from '../../../../engine/graph/templates/builder';
import { initialiseWeight } from '../../../../engine/train/init';
import { compileModel } from '../../../../engine/train/plan';
import { Random } from '../../../../engine/train/random';
import { saveStateDict, type NamedTensor } from '../../../../engine/train/state-dict';

export interface InferenceCase {
  readonly name: string;
  readonly graph: GraphDocument;
  readonly weights: NamedTensor[];
  readonly images: Float32Array;
  readonly count: number;
}

export const convolutionMix = (): GraphDocument => {
  const g = new GraphBuilder('convolution mix', '');
  g.add('input', 'Input', { channels: 3, height: 16, width: 16 });
  g.add('conv', 'Conv2D', { filters: 8, kernel: 3, padding: 'same', bias: false });
  g.add('bn', 'BatchNorm2D');
  g.add('relu', 'ReLU');
  g.add('grouped', 'Conv2D', { filters: 8, kernel: 3, stride: 2, padding: 1, groups: 4 });
  g.add('dw', 'DepthwiseConv2D', { kernel: 3, padding: 'same', depthMultiplier: 2 });
  g.add('gelu', 'GELU');
  g.add('deconv', 'ConvTranspose2D', { filters: 6, kernel: 3, stride: 2, padding: [1, 1], outputPadding: [1, 1] });
  g.add('sep', 'SeparableConv2D', { filters: 5, kernel: 3, padding: 'same' });
  g.add('pool', 'MaxPool2D', { kernel: 2, stride: 2 });
  g.add('dropout', 'Dropout', { rate: 0.5 });
  g.add('flatten', 'Flatten');
  g.add('fc', 'Dense', { units: 7 });
  g.add('output', 'ClassificationHead', { classes: 7 });
  return g.build();
};

/** Every tensor of `graph` drawn from `seed` (PyTorch's default scheme), running statistics off their defaults. */
export const seededWeights = (graph: GraphDocument, seed: number): NamedTensor[] => {
  const model = compileModel(graph, CPU_LAYERS);
  const random = new Random(seed);
  for (const [name, values] of model.weights) {
    const spec = model.specs.get(name)!;
    initialiseWeight(spec, values, { kind: 'pytorch-default' }, random);
    if (spec.role === 'running_mean' || spec.role === 'beta') for (let i = 0; i < values.length; i++) values[i] = random.uniform() - 0.5;
    if (spec.role === 'running_var' || spec.role === 'gamma') for (let i = 0; i < values.length; i++) values[i] = 0.5 + random.uniform();
  }
  return saveStateDict(model);
};

/** `count` images of `graph`'s Input, uniform in [−1, 1). */
export const seededImages = (graph: GraphDocument, count: number, seed: number): Float32Array => {
  const [channels, height, width] = compileModel(graph, CPU_LAYERS).input.outputShape;
  const random = new Random(seed);
  return Float32Array.from({ length: count * channels * height * width }, () => random.uniform() * 2 - 1);
};

/** LeNet-5 and the convolution mix, each with 5 images (not a power of two: the last batch of 2 is partial at maxBatch 3). */
export const inferenceCases = (): InferenceCase[] =>
  [
    { name: 'LeNet-5', graph: lenet5(), seed: 11 },
    { name: 'convolution mix', graph: convolutionMix(), seed: 12 },
  ].map(({ name, graph, seed }) => ({
    name,
    graph,
    weights: seededWeights(graph, seed),
    images: seededImages(graph, 5, seed + 100),
    count: 5,
  }));
