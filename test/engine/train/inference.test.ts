// CPU inference (engine/train/inference.ts): batches split at maxBatch give the outputs of one
// batch, and each head's outputs become the probabilities it means (softmax, sigmoid, or none).
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import type { GraphDocument } from '../../../engine/graph/document';
import type { LayerType } from '../../../engine/graph/layer-types';
import { GraphBuilder } from '../../../engine/graph/templates/builder';
import { CpuInference } from '../../../engine/train/inference';
import { compileModel, type Model } from '../../../engine/train/plan';
import { loadStateDict } from '../../../engine/train/state-dict';
import { convolutionMix, seededImages, seededWeights } from '../backends/webgpu/inference-cases';

const withHead = (head: LayerType, params: Record<string, unknown>): GraphDocument => {
  const g = new GraphBuilder(head, '');
  g.add('input', 'Input', { channels: 1, height: 4, width: 4 });
  g.add('conv', 'Conv2D', { filters: 2, kernel: 3, padding: 'same' });
  if (head === 'ImageHead') g.add('output', head, params);
  else {
    g.add('flatten', 'Flatten');
    g.add('fc', 'Dense', { units: 3 });
    g.add('output', head, params);
  }
  return g.build();
};

const loaded = (graph: GraphDocument, seed: number): Model => {
  const model = compileModel(graph, CPU_LAYERS);
  loadStateDict(model, seededWeights(graph, seed));
  return model;
};

describe('CPU inference', () => {
  it('gives the same outputs in batches of any size (inference mode: dropout off, running statistics)', () => {
    const graph = convolutionMix();
    const model = loaded(graph, 5);
    const images = seededImages(graph, 7, 6);
    const whole = new CpuInference(model).run(images, 7);
    expect(whole.length).toBe(7 * 7);
    expect(new CpuInference(model, 3).run(images, 7)).toEqual(whole);
    expect(new CpuInference(model, 1).run(images.subarray(3 * 768, 4 * 768), 1)).toEqual(whole.subarray(3 * 7, 4 * 7));
  });

  it('turns each head’s outputs into what they mean', () => {
    const cases: { head: LayerType; params: Record<string, unknown>; kind: string }[] = [
      { head: 'ClassificationHead', params: { classes: 3 }, kind: 'softmax' },
      { head: 'BinaryHead', params: { outputs: 3 }, kind: 'sigmoid' },
      { head: 'RegressionHead', params: { outputs: 3 }, kind: 'none' },
      { head: 'ImageHead', params: { loss: 'bce' }, kind: 'sigmoid' },
      { head: 'ImageHead', params: { loss: 'mse' }, kind: 'none' },
    ];
    for (const { head, params, kind } of cases) {
      const graph = withHead(head, params);
      const prediction = new CpuInference(loaded(graph, 9)).predict(seededImages(graph, 2, 10), 2);
      const { outputs, probabilities, outputSize } = prediction;
      expect(outputSize, head).toBe(head === 'ImageHead' ? 32 : 3);
      if (kind === 'none') {
        expect(probabilities, head).toBeNull();
        continue;
      }
      for (let sample = 0; sample < 2; sample++) {
        const row = Array.from(outputs.subarray(sample * outputSize, (sample + 1) * outputSize));
        const expected =
          kind === 'sigmoid'
            ? row.map((value) => 1 / (1 + Math.exp(-value)))
            : row.map((value) => Math.exp(value) / row.reduce((sum, other) => sum + Math.exp(other), 0));
        const actual = Array.from(probabilities!.subarray(sample * outputSize, (sample + 1) * outputSize));
        actual.forEach((value, i) => expect(value, `${head} [${sample}, ${i}]`).toBeCloseTo(expected[i], 6));
      }
    }
  });
});
