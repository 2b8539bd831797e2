// The Playground's network in the page (renderer/playground/playground-network.ts): the host's
// weights as they arrive (base64 state_dict tensors) on the CPU engine, one sample at a time,
// with every layer's output; the same answers as the engine's CpuInference.
import { describe, expect, it } from 'vitest';
import type { TrainedNetwork } from '../../electron/api';
import { CPU_LAYERS } from '../../engine/backends/cpu/layers';
import { findTemplate } from '../../engine/graph/templates';
import { CpuInference } from '../../engine/train/inference';
import { initialiseWeight } from '../../engine/train/init';
import { compileModel } from '../../engine/train/plan';
import { Random } from '../../engine/train/random';
import { saveStateDict } from '../../engine/train/state-dict';
import { encodeFloat32 } from '../../engine/viz/encoding';
import { PlaygroundNetwork } from '../../renderer/playground/playground-network';

const graph = findTemplate('lenet5')!.build();

/** LeNet-5 with seeded random weights, as `trainedNetwork` would send them, and the model they came from. */
const trained = () => {
  const model = compileModel(graph, CPU_LAYERS);
  const random = new Random(7);
  for (const [name, values] of model.weights) initialiseWeight(model.specs.get(name)!, values, { kind: 'pytorch-default' }, random);
  const network: TrainedNetwork = {
    tensors: saveStateDict(model).map((tensor) => ({
      nodeId: tensor.name.split('.')[0],
      name: tensor.name,
      shape: [...tensor.shape],
      data: encodeFloat32(tensor.data),
    })),
    normalisation: null,
  };
  return { model, network };
};

describe('PlaygroundNetwork', () => {
  it('answers as CpuInference, with every layer’s output after the Input', () => {
    const { model, network } = trained();
    const playground = new PlaygroundNetwork(graph, network);
    expect(playground.inputShape).toEqual([1, 28, 28]);
    const random = new Random(11);
    const input = Float32Array.from({ length: 784 }, () => random.uniform());
    const answer = playground.run(input);

    const expected = new CpuInference(model).predict(input, 1);
    expect(Array.from(answer.outputs)).toEqual(Array.from(expected.outputs));
    expect(Array.from(answer.probabilities!)).toEqual(Array.from(expected.probabilities!));
    expect(answer.probabilities!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);

    expect(answer.layers.map((layer) => `${layer.id}:${layer.shape.join('×')}`)).toEqual([
      'conv1:6×28×28',
      'relu1:6×28×28',
      'pool1:6×14×14',
      'conv2:16×10×10',
      'relu2:16×10×10',
      'pool2:16×5×5',
      'flatten:400',
      'fc1:120',
      'relu3:120',
      'fc2:84',
      'relu4:84',
      'fc3:10',
      'output:10',
    ]);
    const byId = new Map(answer.layers.map((layer) => [layer.id, layer.values]));
    expect(Array.from(byId.get('relu1')!)).toEqual(Array.from(byId.get('conv1')!, (v) => Math.max(v, 0)));
    expect(Array.from(byId.get('fc3')!)).toEqual(Array.from(answer.outputs));

    // the outputs kept are copies: a second run leaves the first answer as it was
    const before = Array.from(answer.layers[0].values);
    playground.run(new Float32Array(784));
    expect(Array.from(answer.layers[0].values)).toEqual(before);
  });

  it('says why weights that do not fit the graph cannot run', () => {
    const { network } = trained();
    const missing = { ...network, tensors: network.tensors.filter((tensor) => tensor.name !== 'fc2.bias') };
    expect(() => new PlaygroundNetwork(graph, missing)).toThrow(/fc2.bias is missing/);
  });
});
