/**
 * Inference on WebGPU (engine/backends/webgpu/inference.ts) under Node's Dawn: LeNet-5 and a mix
 * of convolutions against the CPU engine from the same weights and images, in batches that
 * leave a partial last one; plans made for inference hold no gradients; `openInference`'s
 * backend choice for inference, with and without a GPU; and the errors for bad input.
 * The same networks run in a real browser on navigator.gpu in test/e2e/webgpu-inference.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../../engine/backends/cpu/layers';
import { GpuUnavailableError } from '../../../../engine/backends/webgpu/device';
import { GpuInference, openInference } from '../../../../engine/backends/webgpu/inference';
import { GpuModelState, GpuPlan } from '../../../../engine/backends/webgpu/plan';
import { GpuRunner } from '../../../../engine/backends/webgpu/run';
import { lenet5 } from '../../../../engine/graph/templates/classic';
import { CpuInference } from '../../../../engine/train/inference';
import { compileModel, InvalidGraphError, type Model } from '../../../../engine/train/plan';
import { loadStateDict, StateDictError } from '../../../../engine/train/state-dict';
import { expectClose, gpu, warnIfSkipped } from './harness';
import { inferenceCases, seededImages, seededWeights, type InferenceCase } from './inference-cases';

warnIfSkipped('inference.test.ts');

const CASES = inferenceCases();

const loaded = (example: InferenceCase): Model => {
  const model = compileModel(example.graph, CPU_LAYERS);
  loadStateDict(model, example.weights);
  return model;
};

describe.skipIf(!gpu)('inference on WebGPU', () => {
  for (const example of CASES) {
    it(`${example.name}: the GPU's outputs and probabilities are the CPU engine's`, async () => {
      const model = loaded(example);
      const expected = new CpuInference(model).predict(example.images, example.count);
      // At most 3 per batch: 5 images run as a batch of 3 and a partial batch of 2.
      const inference = new GpuInference(gpu!.context, model, 3);
      try {
        const actual = await inference.predict(example.images, example.count);
        expect(actual.outputSize).toBe(expected.outputSize);
        expectClose(actual.outputs, expected.outputs, `${example.name} logits`);
        expectClose(actual.probabilities!, expected.probabilities!, `${example.name} probabilities`);
        for (let sample = 0; sample < example.count; sample++) {
          const row = actual.probabilities!.subarray(sample * actual.outputSize, (sample + 1) * actual.outputSize);
          expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        }
        // A second call reuses the plans and gives the same numbers.
        expect(await inference.run(example.images, example.count)).toEqual(actual.outputs);
      } finally {
        inference.destroy();
      }
    });
  }

  it('plans made for inference hold outputs only, and refuse training passes', () => {
    const model = loaded(CASES[1]);
    const runner = new GpuRunner(gpu!.device);
    const training = new GpuModelState(runner, model);
    const inference = new GpuModelState(runner, model, 'inference');
    try {
      expect(training.gradients.size).toBeGreaterThan(0);
      expect(inference.gradients.size).toBe(0);
      const trainingPlan = new GpuPlan(model, 4, training);
      const inferencePlan = new GpuPlan(model, 4, inference, undefined, 'inference');
      // Outputs only: about half the bytes (the Input has no gradient in either).
      expect(inferencePlan.bytes).toBeLessThan(trainingPlan.bytes * 0.6);
      expect(() => inferencePlan.backward()).toThrow(/made for inference/);
      expect(() => inferencePlan.forward(true)).toThrow(/cannot run a training pass/);
      expect(() => inferencePlan.headGradient).toThrow(/no gradients/);
      trainingPlan.destroy();
      inferencePlan.destroy();
    } finally {
      training.destroy();
      inference.destroy();
      runner.destroy();
    }
  });

  it('openInference: auto passes over a software adapter for the CPU saying why; webgpu insists', async () => {
    const example = CASES[0];
    const expected = new CpuInference(loaded(example)).run(example.images, example.count);
    const errors: string[] = [];
    const auto = await openInference(gpu!.context.gpu, example.graph, example.weights);
    const forced = await openInference(gpu!.context.gpu, example.graph, example.weights, {
      backend: 'webgpu',
      onUncapturedError: (message) => errors.push(message),
    });
    try {
      if (gpu!.context.adapter.software) {
        expect(auto.backend).toBe('cpu');
        expect(auto.reason).toMatch(
          /^the only GPU adapter is .+, a software renderer that is slower than the CPU engine; inference on the CPU$/,
        );
        expect(auto.adapter).toBeNull();
      } else {
        expect(auto.backend).toBe('webgpu');
        expect(auto.reason).toMatch(/^inference on the GPU: /);
      }
      expect(forced.backend).toBe('webgpu');
      expect(forced.reason).toMatch(/^the WebGPU backend was asked for: inference on /);
      expect(forced.adapter).toEqual(gpu!.context.adapter);
      expectClose((await forced.predict(example.images, example.count)).outputs, expected, 'forced webgpu');
      expectClose((await auto.predict(example.images, example.count)).outputs, expected, 'auto');
    } finally {
      auto.close();
      forced.close();
    }
    expect(errors).toEqual([]);
  });
});

describe('openInference without a GPU, and bad input', () => {
  const graph = lenet5();
  const weights = seededWeights(graph, 3);
  const images = seededImages(graph, 2, 4);

  it('auto runs on the CPU saying why; webgpu fails saying why; cpu is the CPU', async () => {
    const auto = await openInference(null, graph, weights, { unavailable: 'this page has no WebGPU (navigator.gpu)' });
    expect(auto).toMatchObject({
      backend: 'cpu',
      reason: 'there is no WebGPU here (this page has no WebGPU (navigator.gpu)); inference on the CPU',
    });
    const model = compileModel(graph, CPU_LAYERS);
    loadStateDict(model, weights);
    expect((await auto.predict(images, 2)).outputs).toEqual(new CpuInference(model).run(images, 2));
    await expect(openInference(undefined, graph, weights, { backend: 'webgpu' })).rejects.toThrow(GpuUnavailableError);
    await expect(openInference(undefined, graph, weights, { backend: 'webgpu' })).rejects.toThrow(
      'the WebGPU backend was asked for, but there is no WebGPU here: this environment has no WebGPU',
    );
    expect((await openInference(null, graph, weights, { backend: 'cpu' })).reason).toBe('the CPU backend was asked for');
  });

  it('names what is wrong with the graph, the weights or the images', async () => {
    await expect(openInference(null, { format: 'nothing' }, weights)).rejects.toThrow(InvalidGraphError);
    const missing = weights.filter((tensor) => tensor.name !== 'fc3.bias');
    await expect(openInference(null, graph, missing)).rejects.toThrow(StateDictError);
    await expect(openInference(null, graph, missing)).rejects.toThrow('the weights do not fit the graph: fc3.bias is missing');
    const inference = await openInference(null, graph, weights);
    await expect(inference.predict(images.subarray(1), 2)).rejects.toThrow(
      "2 images of 1×28×28 (the graph's Input) are 1568 values, but 1567 were given",
    );
    await expect(inference.predict(images, 0)).rejects.toThrow(/at least 1 \(got 0\)/);
  });
});
