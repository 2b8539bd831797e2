// A dataset whose samples must be fetched first (Dataset.fetchSamples; the GPU window's remote
// data): the GpuTrainer fetches each batch before it reads it and asks for the next one while the
// GPU works on this one, for training and validation, and trains exactly as on the same data read
// directly.
import { afterAll, describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../../engine/backends/cpu/layers';
import { GpuTrainer } from '../../../../engine/backends/webgpu/trainer';
import type { Dataset } from '../../../../engine/data/dataset';
import { findTemplate } from '../../../../engine/graph/templates';
import { compileModel } from '../../../../engine/train/plan';
import type { TrainingConfig } from '../../../../engine/train/trainer';
import { loadMnist } from '../../../../electron/services/datasets/mnist';
import { gpu, warnIfSkipped } from './harness';

warnIfSkipped('fetched-data.test.ts');

/** A local dataset that refuses to give a sample it was not asked to fetch; `log` keeps each fetch (first sample, count). */
class FetchFirst implements Dataset {
  readonly log: [first: number, count: number][] = [];
  private readonly fetched = new Set<number>();

  constructor(private readonly base: Dataset) {}
  get name() {
    return this.base.name;
  }
  get size() {
    return this.base.size;
  }
  get sampleShape() {
    return this.base.sampleShape;
  }
  get target() {
    return this.base.target;
  }

  async fetchSamples(indices: Int32Array, start: number, count: number): Promise<void> {
    this.log.push([indices[start], count]);
    await new Promise((resolve) => setTimeout(resolve, 1));
    for (let i = start; i < start + count; i++) this.fetched.add(indices[i]);
  }

  fill(indices: Int32Array, start: number, count: number, x: Float32Array, y: Int32Array | Float32Array): void {
    for (let i = start; i < start + count; i++) if (!this.fetched.has(indices[i])) throw new Error(`sample ${indices[i]} was not fetched`);
    this.base.fill(indices, start, count, x, y);
  }
}

const trainers: GpuTrainer[] = [];
afterAll(() => trainers.forEach((trainer) => trainer.destroy()));

describe.skipIf(!gpu)('GpuTrainer on data fetched first', () => {
  it('fetches each batch, the next one ahead, and trains as on the data read directly', { timeout: 120_000 }, async () => {
    const config: TrainingConfig = { epochs: 1, batchSize: 8, learningRate: 0.01, optimizer: { kind: 'sgd', momentum: 0.9 }, seed: 4 };
    const train = loadMnist('train').take(24);
    const validation = loadMnist('test').take(12);
    const run = async (trainData: Dataset, validationData: Dataset) => {
      const trainer = await GpuTrainer.create(
        gpu!.context,
        compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS),
        config,
        trainData,
        validationData,
        {
          lossInterval: 1,
        },
      );
      trainers.push(trainer);
      trainer.initialiseWeights();
      trainer.beginEpoch();
      const losses: number[] = [];
      const logs: number[] = [];
      for (let step = await trainer.step(); step; step = await trainer.step()) {
        losses.push(step.loss);
        if (trainData instanceof FetchFirst) logs.push(trainData.log.length);
      }
      const report = await trainer.endEpoch();
      return { losses, logs, validationLoss: report.validation!.loss };
    };
    const fetchedTrain = new FetchFirst(train);
    const fetchedValidation = new FetchFirst(validation);
    const fetched = await run(fetchedTrain, fetchedValidation);
    const direct = await run(train, validation);
    expect(fetched.losses).toEqual(direct.losses);
    expect(fetched.validationLoss).toBe(direct.validationLoss);
    // Step 1 fetched its batch and asked for batch 2; step 2 found batch 2 asked for and asked for batch 3; step 3, the last, asked for nothing more.
    const counts = fetchedTrain.log.map(([, count]) => count);
    expect(counts).toEqual([8, 8, 8, 8, 8]);
    expect(fetched.logs).toEqual([2, 4, 5]);
    // Validation (in order): the first 8, the last 4 asked for ahead, then fetched for their step.
    expect(fetchedValidation.log).toEqual([
      [0, 8],
      [8, 4],
      [8, 4],
    ]);
  });
});
