// The CPU engine's accuracy check: LeNet-5 trained on the full MNIST training set for one epoch
// reaches at least 98% on the 10,000 test images. About two minutes on two cores; it is a
// correctness check, not a timing (speed is measured by `npm run bench`).
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../engine/backends/cpu/layers';
import { findTemplate } from '../../engine/graph/templates';
import { compileModel } from '../../engine/train/plan';
import { Trainer } from '../../engine/train/trainer';
import { measureChannelStats, NormalisedDataset } from '../../engine/data/preprocess';
import { loadMnist } from '../../electron/services/datasets/mnist';

describe('LeNet-5 on MNIST', () => {
  it('reaches 98% test accuracy after one epoch', { timeout: 600_000 }, () => {
    const model = compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS);
    // Inputs normalised with the training set's mean and standard deviation, as is usual for MNIST.
    const stats = measureChannelStats(loadMnist('train'));
    const trainer = new Trainer(
      model,
      { epochs: 1, batchSize: 32, learningRate: 0.002, optimizer: { kind: 'adam' }, seed: 2 },
      new NormalisedDataset(loadMnist('train'), stats),
      new NormalisedDataset(loadMnist('test'), stats),
    );
    trainer.initialiseWeights();
    const [epoch] = trainer.fit();
    const accuracy = epoch.validation!.classification!.accuracy;
    console.log(`LeNet-5, one epoch of MNIST: test accuracy ${(accuracy * 100).toFixed(2)}%, train loss ${epoch.trainLoss.toFixed(4)}`);
    expect(epoch.validation!.samples).toBe(10_000);
    expect(accuracy).toBeGreaterThanOrEqual(0.98);
  });
});
