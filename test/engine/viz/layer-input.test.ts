// The input the explainer takes for a layer deep in a network: the output of the layer before it
// for one sample, as the engine's forward pass computes it; the sample itself right after the Input.
import { describe, expect, it } from 'vitest';
import { layerInput } from '../../../engine/viz/layer-input';
import { chainModel, probePlan, randomSample } from './helpers';

describe("a layer's input for one sample", () => {
  const model = chainModel(
    [2, 10, 10],
    [
      ['conv1', 'Conv2D', { filters: 3, kernel: 3 }],
      ['relu1', 'ReLU'],
      ['pool1', 'MaxPool2D', { kernel: 2 }],
      ['conv2', 'Conv2D', { filters: 4, kernel: 3, padding: 'same' }],
    ],
    3,
  );
  const x = randomSample(200, 4);

  it("is the previous layer's output in the engine's forward pass, and the sample after the Input", () => {
    const plan = probePlan(model);
    plan.input.set(x);
    plan.forward(false);
    expect(layerInput(model, 'conv2', x)).toEqual(plan.activation('pool1'));
    expect(layerInput(model, 'relu1', x)).toEqual(plan.activation('conv1'));
    expect(layerInput(model, 'conv1', x)).toBe(x);
    // another sample gives another input: nothing is kept from the last call
    const y = randomSample(200, 5);
    expect(layerInput(model, 'conv2', y)).not.toEqual(layerInput(model, 'conv2', x));
  });

  it('says what is wrong with a sample of the wrong size or an unknown layer', () => {
    expect(() => layerInput(model, 'conv2', new Float32Array(100))).toThrow(
      "the sample has 100 values; the network's input 2×10×10 needs 200",
    );
    expect(() => layerInput(model, 'conv9', x)).toThrow("the network has no layer 'conv9'");
  });
});
