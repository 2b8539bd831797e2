// Filter settings on the WebGPU trainer (skipped without a GPU): LeNet-5's conv1 starts from
// k-means on MNIST patches with a frozen Gabor filter 0 and a Gaussian filter 1; the GPU trainer
// starts from exactly the CPU trainer's weights, and after training filter 0 and its bias are
// unchanged while filter 1 has learned.
import { afterAll, describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../../engine/backends/cpu/layers';
import { GpuTrainer } from '../../../../engine/backends/webgpu/trainer';
import { SubsetDataset } from '../../../../engine/data/split';
import { findTemplate } from '../../../../engine/graph/templates';
import { gaborKernel } from '../../../../engine/train/gabor';
import { compileModel } from '../../../../engine/train/plan';
import { Trainer, type TrainingConfig } from '../../../../engine/train/trainer';
import { loadMnist } from '../../../../electron/services/datasets/mnist';
import { gpu, warnIfSkipped } from './harness';

warnIfSkipped('filter-settings.test.ts');

const trainers: GpuTrainer[] = [];
afterAll(() => trainers.forEach((trainer) => trainer.destroy()));

const GABOR = { orientation: 0.6, wavelength: 3, sigma: 1.2, phase: Math.PI / 2 };

describe.skipIf(!gpu)('GpuTrainer with filter settings', () => {
  it('starts as the CPU trainer does and keeps the frozen filter while the others learn', { timeout: 120_000 }, async () => {
    const train = new SubsetDataset(
      loadMnist('train'),
      Int32Array.from({ length: 320 }, (_, i) => i),
      'MNIST train[:320]',
    );
    const config: TrainingConfig = {
      epochs: 1,
      batchSize: 16,
      learningRate: 0.01,
      optimizer: { kind: 'sgd', momentum: 0.9 },
      seed: 11,
      filters: {
        conv1: {
          start: { kind: 'kmeans', patches: 1000, iterations: 3 },
          filters: [
            { filter: 0, preset: { kind: 'gabor', ...GABOR }, frozen: true },
            { filter: 1, preset: { kind: 'gaussian' } },
          ],
        },
      },
    };
    const cpu = new Trainer(compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS), config, train);
    cpu.initialiseWeights();
    const trainer = await GpuTrainer.create(gpu!.context, compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS), config, train);
    trainers.push(trainer);
    trainer.initialiseWeights();
    // Copies: downloading fills the model's own arrays, which the next download overwrites.
    const start = new Map([...(await trainer.downloadWeights())].map(([name, values]) => [name, values.slice()]));
    for (const [name, values] of cpu.model.weights) expect(start.get(name), name).toEqual(values);

    trainer.beginEpoch();
    for (let report = await trainer.step(); report; report = await trainer.step());
    const end = await trainer.downloadWeights();
    const kernel = gaborKernel(5, 5, GABOR);
    if (!kernel.ok) throw new Error(kernel.problem);
    expect([...end.get('conv1.weight')!.subarray(0, 25)]).toEqual(kernel.kernel.flat().map(Math.fround));
    expect(end.get('conv1.bias')![0]).toBe(0);
    expect(end.get('conv1.weight')!.subarray(25, 50)).not.toEqual(start.get('conv1.weight')!.subarray(25, 50));
    expect(end.get('conv1.bias')![1]).not.toBe(0);
  });
});
