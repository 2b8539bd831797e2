// A filters request's gradients from the WebGPU trainer (visual.ts reads its gradient buffers
// back): after one step of LeNet-5 on MNIST from the same weights and batch as the CPU trainer,
// the GPU's 8-bit gradients decode to the CPU's ∂L/∂w within half a byte of each filter's scale.
// Runs on SwiftShader where the machine has no GPU (test/engine/backends/webgpu/harness.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { GpuTrainer } from '../../../engine/backends/webgpu/trainer';
import { SubsetDataset } from '../../../engine/data/split';
import { findTemplate } from '../../../engine/graph/templates';
import { compileModel } from '../../../engine/train/plan';
import { Trainer, type TrainingConfig } from '../../../engine/train/trainer';
import { dequantiseFilterGradient } from '../../../engine/viz/filter-gradients';
import { loadMnist } from '../../../electron/services/datasets/mnist';
import { answerVisual, GPU_ENDED_NOTE } from '../../../electron/worker/visual';
import { NO_GRADIENTS_YET } from '../../../electron/worker/visual-compute';
import { gpu, warnIfSkipped } from '../../engine/backends/webgpu/harness';

warnIfSkipped('filter-gradients-gpu.test.ts');

const trainers: GpuTrainer[] = [];
afterAll(() => trainers.forEach((trainer) => trainer.destroy()));

describe.skipIf(!gpu)('filter gradients from the GPU trainer', () => {
  it('are the CPU trainer’s after the same step, and a note before it', { timeout: 120_000 }, async () => {
    const train = new SubsetDataset(
      loadMnist('train'),
      Int32Array.from({ length: 64 }, (_, i) => i),
      'MNIST train[:64]',
    );
    const config: TrainingConfig = { epochs: 1, batchSize: 16, learningRate: 0.05, optimizer: { kind: 'sgd' }, seed: 4 };
    const lenet = () => compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS);
    const cpu = new Trainer(lenet(), config, train);
    cpu.initialiseWeights();
    const trainer = await GpuTrainer.create(gpu!.context, lenet(), config, train);
    trainers.push(trainer);
    trainer.initialiseWeights();
    const request = { type: 'visual', requestId: 1, kind: 'filters', nodeId: 'conv2', withGradients: true } as const;

    expect((await answerVisual(trainer, request, true)).gradients).toEqual({ tensors: [], note: NO_GRADIENTS_YET });
    cpu.beginEpoch();
    cpu.step();
    trainer.beginEpoch();
    await trainer.step();

    const reply = await answerVisual(trainer, request, true);
    expect(reply.error).toBeUndefined();
    expect(reply.gradients!.step).toBe(1);
    const [encoded] = reply.gradients!.tensors;
    expect(encoded).toMatchObject({ name: 'conv2.weight', shape: [16, 6, 5, 5] });
    const decoded = dequantiseFilterGradient(encoded);
    const exact = cpu.model.gradients.get('conv2.weight')!;
    const largest = Math.max(...exact.map(Math.abs));
    expect(largest).toBeGreaterThan(0);
    const per = 6 * 25;
    for (let i = 0; i < exact.length; i++)
      expect(Math.abs(decoded[i] - exact[i])).toBeLessThanOrEqual(encoded.scales[Math.floor(i / per)] / 2 + 1e-4 * largest);
    expect((await answerVisual(trainer, request, false)).gradients).toEqual({ tensors: [], note: GPU_ENDED_NOTE });
  });
});
