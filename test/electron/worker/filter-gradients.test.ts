// A filters request's gradients (visual-compute.ts, engine/viz/filter-gradients.ts): after one
// SGD step of LeNet-5 on MNIST, the 8-bit gradients decode to the trainer's ∂L/∂w within half a
// byte of each filter's scale, and they are the gradients the step applied (w_before − lr·g).
import { beforeAll, describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import type { ByteImageDataset } from '../../../engine/data/dataset';
import { findTemplate } from '../../../engine/graph/templates';
import { compileModel } from '../../../engine/train/plan';
import { Trainer } from '../../../engine/train/trainer';
import { dequantiseFilterGradient, quantiseFilterGradient } from '../../../engine/viz/filter-gradients';
import { loadMnist } from '../../../electron/services/datasets/mnist';
import { computeVisual, NO_GRADIENTS_YET, type VisualSource } from '../../../electron/worker/visual-compute';
import { checkVisualReply, checkVisualRequest } from '../../../electron/worker/visual-protocol';

let train: ByteImageDataset;
beforeAll(() => {
  train = loadMnist('train').take(64);
});

const LEARNING_RATE = 0.1;

const lenet = (): Trainer => {
  const model = compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS);
  const trainer = new Trainer(model, { epochs: 1, batchSize: 16, learningRate: LEARNING_RATE, optimizer: { kind: 'sgd' }, seed: 9 }, train);
  trainer.initialiseWeights();
  return trainer;
};

const sourceOf = (trainer: Trainer): VisualSource => ({
  model: trainer.model,
  train: trainer.train,
  epoch: trainer.epoch,
  globalStep: trainer.globalStep,
  gradientStep: trainer.gradientStep,
});

const ask = (trainer: Trainer, nodeId: string) =>
  computeVisual(sourceOf(trainer), { type: 'visual', requestId: 1, kind: 'filters', nodeId, withGradients: true });

describe('filter gradients', () => {
  it('says there are none before the first step', () => {
    const reply = ask(lenet(), 'conv1');
    expect(reply.gradients).toEqual({ tensors: [], note: NO_GRADIENTS_YET });
    expect(checkVisualReply({ ...reply })).toBeNull();
  });

  it('decode to the last step’s gradient, the one the step applied, and survive an analysis between steps', () => {
    const trainer = lenet();
    const before = new Map([...trainer.model.weights].map(([name, values]) => [name, values.slice()]));
    trainer.beginEpoch();
    trainer.step();
    for (const nodeId of ['conv1', 'conv2']) {
      const reply = ask(trainer, nodeId);
      expect(checkVisualReply({ ...reply })).toBeNull();
      const gradients = reply.gradients!;
      expect(gradients.step).toBe(1);
      expect(gradients.tensors).toHaveLength(1);
      const [encoded] = gradients.tensors;
      const name = `${nodeId}.weight`;
      expect(encoded.name).toBe(name);
      const exact = trainer.model.gradients.get(name)!;
      const decoded = dequantiseFilterGradient(encoded);
      const per = encoded.shape[1] * encoded.shape[2] * encoded.shape[3];
      expect(Math.max(...exact.map(Math.abs))).toBeGreaterThan(0);
      for (let i = 0; i < exact.length; i++) {
        const scale = encoded.scales[Math.floor(i / per)];
        expect(Math.abs(decoded[i] - exact[i])).toBeLessThanOrEqual(scale / 2 + 1e-7 * Math.abs(exact[i]));
      }
      // plain SGD: the weights moved by exactly −lr times the gradient shown
      const after = trainer.model.weights.get(name)!;
      const old = before.get(name)!;
      for (let i = 0; i < exact.length; i++) expect(after[i]).toBeCloseTo(old[i] - LEARNING_RATE * exact[i], 6);
    }

    // a saliency map runs its own backward pass through the model; the training gradients stay
    const kept = trainer.model.gradients.get('conv1.weight')!.slice();
    const saliency = computeVisual(sourceOf(trainer), { type: 'visual', requestId: 2, kind: 'saliency', subset: 'train' });
    expect(saliency.analysis?.kind).toBe('saliency');
    expect(trainer.model.gradients.get('conv1.weight')).toEqual(kept);

    // the next step's gradients differ, and so does their encoding
    const first = ask(trainer, 'conv1').gradients!.tensors[0];
    trainer.step();
    const second = ask(trainer, 'conv1').gradients!;
    expect(second.step).toBe(2);
    expect(second.tensors[0].data).not.toEqual(first.data);
  });

  it('gives each filter its own scale, and the protocol checks the new fields', () => {
    // filter 1's gradients are a thousand times smaller, and still use the bytes' whole range
    const values = Float32Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => (i < 18 ? 1 : 0.001) * Math.sin(i + 1));
    const encoded = quantiseFilterGradient('c.weight', values, [2, 2, 3, 3]);
    expect(encoded.scales[1]).toBeLessThan(encoded.scales[0] / 500);
    expect(Math.max(...encoded.data.subarray(18))).toBe(255);
    expect(Math.min(...encoded.data.subarray(18))).toBe(0);
    expect(() => quantiseFilterGradient('c.weight', values, [2, 2, 3])).toThrow(/shape/);

    const request = { requestId: 1, kind: 'filters', nodeId: 'conv1' };
    expect(checkVisualRequest({ ...request, withGradients: true })).toBeNull();
    expect(checkVisualRequest({ ...request, withGradients: 'yes' })).toBe('withGradients must be true or false');
    expect(checkVisualRequest({ ...request, kind: 'activations', withGradients: true })).toMatch(/filters request only/);

    const tensor = { nodeId: 'c', name: 'c.weight', shape: [2, 2, 3, 3], values };
    const reply = { type: 'visual', requestId: 1, kind: 'filters', epoch: 1, globalStep: 4, tensors: [tensor] };
    expect(checkVisualReply({ ...reply, gradients: { step: 4, tensors: [encoded] } })).toBeNull();
    expect(checkVisualReply({ ...reply, gradients: { tensors: [], note: 'none yet' } })).toBeNull();
    expect(checkVisualReply({ ...reply, gradients: { step: 4, tensors: [] } })).toMatch(/one tensor per filter tensor/);
    expect(checkVisualReply({ ...reply, gradients: { step: 4, tensors: [{ ...encoded, scales: [1] }] } })).toMatch(
      /one min and scale per filter/,
    );
    expect(checkVisualReply({ ...reply, gradients: { step: 4, tensors: [{ ...encoded, name: 'd.weight' }] } })).toMatch(
      /d.weight does not match/,
    );
    expect(checkVisualReply({ ...reply, kind: 'activations', gradients: { step: 4, tensors: [encoded] } })).toMatch(/only a filters reply/);
  });
});
