/**
 * Whole networks trained on the GPU against the CPU trainer:
 *
 * - LeNet-5 on MNIST, 200 steps of batch 16 with Adam (lr 2e-3, as the CPU's MNIST integration
 *   test) from the same initial weights and the same batches: the per-step losses must follow
 *   the CPU's (mean absolute difference over the first 50 steps ≤ 1e-3, every one of the 200
 *   within 1e-3, the final loss and the mean of the last 20 within 2%), and so must the epoch's
 *   loss and accuracy, the validation figures and the final weights. Observed on SwiftShader:
 *   the largest difference over the 200 steps is below 1e-6. On SwiftShader (no GPU on CI) this
 *   is the slow test of the folder: about 30 s for the GPU's 200 steps on two cores.
 *   Why Adam: SGD with momentum 0.9 at lr 0.02–0.05 sits on LeNet's initial plateau (loss ≈ ln 10)
 *   for 50–100 steps and then breaks symmetry, and the step where it escapes is chaotic: the
 *   engines agree to 1e-6 until then, after which float32 rounding differences of 1e-7 grow to
 *   whole different (equally good) trajectories. That is a property of the run, not of either
 *   engine, so it cannot be held to a per-step tolerance.
 * - A checkpoint round trip GPU → CPU → GPU with Adam: the GPU's checkpoint restores into the
 *   CPU trainer bit for bit and the CPU's back into a fresh GPU trainer, and each engine's next
 *   epoch from a shared checkpoint gives the same losses.
 * - lossInterval: reading the loss every N steps keeps the epoch's sums exact.
 * - The rest of the trainer's options on a small graph with a regression, binary or image head:
 *   RMSprop, SGD with Nesterov and weight decay, AdamW, clipping by norm and by value, frozen
 *   elements, a warm-up schedule, batch norm, a partial last batch; a few epochs on both engines.
 * - Dropout: its masks differ from the CPU's by design (a hash on the GPU), so a run with
 *   dropout is checked to train and to be reproducible, not to match the CPU.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../../engine/backends/cpu/layers';
import { GpuTrainer } from '../../../../engine/backends/webgpu/trainer';
import type { Dataset } from '../../../../engine/data/dataset';
import { GraphBuilder } from '../../../../engine/graph/templates/builder';
import { elementCount, type Shape } from '../../../../engine/graph/shape';
import { Random } from '../../../../engine/train/random';
import { SubsetDataset } from '../../../../engine/data/split';
import { findTemplate } from '../../../../engine/graph/templates';
import { compileModel } from '../../../../engine/train/plan';
import { Trainer, type Checkpoint, type TrainingConfig } from '../../../../engine/train/trainer';
import { loadMnist } from '../../../../electron/services/datasets/mnist';
import { expectClose, gpu, relativeError, warnIfSkipped } from './harness';

warnIfSkipped('trainer.test.ts');

const lenet = () => compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS);
const firstOf = (dataset: Dataset, count: number, name: string): Dataset =>
  new SubsetDataset(
    dataset,
    Int32Array.from({ length: count }, (_, i) => i),
    name,
  );

const trainers: GpuTrainer[] = [];
afterAll(() => trainers.forEach((trainer) => trainer.destroy()));

const gpuTrainer = async (config: TrainingConfig, train: Dataset, validation?: Dataset, lossInterval = 1): Promise<GpuTrainer> => {
  const trainer = await GpuTrainer.create(gpu!.context, lenet(), config, train, validation, { lossInterval });
  trainers.push(trainer);
  return trainer;
};

const expectSameCheckpoint = (actual: Checkpoint, expected: Checkpoint, label: string): void => {
  expect(actual.epoch, label).toBe(expected.epoch);
  expect(actual.globalStep, label).toBe(expected.globalStep);
  expect(actual.optimizerSteps, label).toBe(expected.optimizerSteps);
  expect([...actual.weights.keys()], label).toEqual([...expected.weights.keys()]);
  for (const [name, values] of expected.weights) expect(actual.weights.get(name), `${label}: ${name}`).toEqual(values);
  expect(Object.keys(actual.optimizerState).sort(), label).toEqual(Object.keys(expected.optimizerState).sort());
  for (const [name, values] of Object.entries(expected.optimizerState))
    expect(actual.optimizerState[name], `${label}: ${name}`).toEqual(values);
};

describe.skipIf(!gpu)('GpuTrainer follows the CPU trainer', () => {
  it('LeNet-5, 200 steps of MNIST at batch 16: the loss curve, epoch figures, validation and weights', { timeout: 300_000 }, async () => {
    const STEPS = 200;
    const BATCH = 16;
    const train = firstOf(loadMnist('train'), STEPS * BATCH, 'MNIST train[:3200]');
    const validation = firstOf(loadMnist('test'), 500, 'MNIST test[:500]');
    const config: TrainingConfig = {
      epochs: 1,
      batchSize: BATCH,
      learningRate: 2e-3,
      optimizer: { kind: 'adam' },
      seed: 7,
    };

    const cpu = new Trainer(lenet(), config, train, validation);
    cpu.initialiseWeights();
    cpu.beginEpoch();
    const cpuLosses: number[] = [];
    for (let report = cpu.step(); report; report = cpu.step()) cpuLosses.push(report.loss);
    const cpuEpoch = cpu.endEpoch();

    const started = performance.now();
    const trainer = await gpuTrainer(config, train, validation);
    trainer.initialiseWeights();
    trainer.beginEpoch();
    const gpuLosses: number[] = [];
    for (let report = await trainer.step(); report; report = await trainer.step()) {
      expect(report.lossRead).toBe(true);
      gpuLosses.push(report.loss);
    }
    const seconds = (performance.now() - started) / 1000;
    const gpuEpoch = await trainer.endEpoch();

    expect(gpuLosses).toHaveLength(STEPS);
    const differences = gpuLosses.map((loss, i) => Math.abs(loss - cpuLosses[i]));
    const meanFirst50 = differences.slice(0, 50).reduce((a, b) => a + b, 0) / 50;
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const lastCpu = mean(cpuLosses.slice(-20));
    const lastGpu = mean(gpuLosses.slice(-20));
    const finalWeights = await trainer.downloadWeights();
    const weightErrors = [...cpu.model.weights].map(([name, values]) => relativeError(finalWeights.get(name)!, values).error);
    const worst = [...cpu.model.weights.keys()][weightErrors.indexOf(Math.max(...weightErrors))];
    console.log(
      `LeNet-5, ${STEPS} steps at batch ${BATCH} on ${gpu!.context.adapter.vendor} ${gpu!.context.adapter.architecture}: ` +
        `GPU ${seconds.toFixed(1)} s; loss ${cpuLosses[0].toFixed(4)} → ${lastCpu.toFixed(4)} (CPU, mean of the last 20) / ` +
        `${lastGpu.toFixed(4)} (GPU); mean |Δloss| over the first 50 steps ${meanFirst50.toExponential(2)}, ` +
        `largest over all ${Math.max(...differences).toExponential(2)}; final loss ${cpuLosses[STEPS - 1].toFixed(5)} vs ` +
        `${gpuLosses[STEPS - 1].toFixed(5)}; largest weight difference ${Math.max(...weightErrors).toExponential(2)} (relative, ${worst}); ` +
        `epoch loss ${cpuEpoch.trainLoss.toFixed(5)} vs ${gpuEpoch.trainLoss.toFixed(5)}, validation loss ` +
        `${cpuEpoch.validation!.loss.toFixed(5)} vs ${gpuEpoch.validation!.loss.toFixed(5)}`,
    );
    // The network learns: the loss falls well below chance (ln 10 ≈ 2.30).
    expect(lastCpu).toBeLessThan(0.8);
    expect(meanFirst50).toBeLessThanOrEqual(1e-3);
    expect(Math.max(...differences)).toBeLessThanOrEqual(1e-3);
    expect(Math.abs(lastGpu - lastCpu) / lastCpu).toBeLessThanOrEqual(0.02);
    expect(Math.abs(gpuLosses[STEPS - 1] - cpuLosses[STEPS - 1]) / cpuLosses[STEPS - 1]).toBeLessThanOrEqual(0.02);
    // Adam moves an element whose gradient is near zero by about lr whichever sign rounding gives
    // it, so single weights drift further apart than the losses do (5e-4 observed).
    expect(Math.max(...weightErrors)).toBeLessThan(5e-3);
    expect(Math.abs(gpuEpoch.trainLoss - cpuEpoch.trainLoss) / cpuEpoch.trainLoss).toBeLessThanOrEqual(0.01);
    expect(Math.abs(gpuEpoch.trainAccuracy! - cpuEpoch.trainAccuracy!)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(gpuEpoch.validation!.loss - cpuEpoch.validation!.loss) / cpuEpoch.validation!.loss).toBeLessThanOrEqual(0.02);
    expect(Math.abs(gpuEpoch.validation!.classification!.accuracy - cpuEpoch.validation!.classification!.accuracy)).toBeLessThanOrEqual(
      0.01,
    );
    expect(gpuEpoch.stop).toBe(true);
  });

  it('checkpoints cross engines: GPU → CPU → GPU, bit for bit, and the next epochs agree', { timeout: 120_000 }, async () => {
    const train = firstOf(loadMnist('train'), 64, 'MNIST train[:64]');
    const config: TrainingConfig = { epochs: 3, batchSize: 16, learningRate: 2e-3, optimizer: { kind: 'adam' }, seed: 11 };
    const epoch = async (trainer: Trainer | GpuTrainer): Promise<number[]> => {
      trainer.beginEpoch();
      const losses: number[] = [];
      for (let report = await trainer.step(); report; report = await trainer.step()) losses.push(report.loss);
      await trainer.endEpoch();
      return losses;
    };

    // Epoch 1 on the GPU.
    const first = await gpuTrainer(config, train);
    first.initialiseWeights();
    await epoch(first);
    const fromGpu = await first.checkpoint();
    expect(fromGpu.optimizerSteps).toBe(4);

    // Into the CPU trainer: the same tensors, bit for bit; then epoch 2 on both engines.
    const cpu = new Trainer(lenet(), config, train);
    cpu.restore(fromGpu);
    expectSameCheckpoint(cpu.checkpoint(), fromGpu, 'GPU checkpoint restored on the CPU');
    const cpuEpoch2 = await epoch(cpu);
    const gpuEpoch2 = await epoch(first);
    expectClose(gpuEpoch2, cpuEpoch2, 'epoch 2 losses, GPU and CPU from the GPU checkpoint');

    // Back to a fresh GPU trainer: the CPU's checkpoint comes back out unchanged; then epoch 3 on both.
    const fromCpu = cpu.checkpoint();
    const second = await gpuTrainer(config, train);
    second.restore(fromCpu);
    expectSameCheckpoint(await second.checkpoint(), fromCpu, 'CPU checkpoint restored on the GPU');
    const gpuEpoch3 = await epoch(second);
    const cpuEpoch3 = await epoch(cpu);
    expectClose(gpuEpoch3, cpuEpoch3, 'epoch 3 losses, GPU and CPU from the CPU checkpoint');
    expect(second.globalStep).toBe(12);
    expect(second.epoch).toBe(3);

    // A checkpoint of another graph is refused, naming the tensor.
    const wrong = { ...fromCpu, weights: new Map([...fromCpu.weights].filter(([name]) => name !== 'fc3.bias')) };
    expect(() => second.restore(wrong)).toThrow(/fc3\.bias is missing/);
  });

  it('reads the loss every N steps, and the epoch sums stay exact', { timeout: 120_000 }, async () => {
    const train = firstOf(loadMnist('train'), 16 * 7, 'MNIST train[:112]');
    const config: TrainingConfig = { epochs: 1, batchSize: 16, learningRate: 0.01, optimizer: { kind: 'sgd' }, seed: 5 };
    const every = await gpuTrainer(config, train, undefined, 1);
    const sometimes = await gpuTrainer(config, train, undefined, 3);
    const results = [];
    for (const trainer of [every, sometimes]) {
      trainer.initialiseWeights();
      trainer.beginEpoch();
      const reads: boolean[] = [];
      for (let report = await trainer.step(); report; report = await trainer.step()) reads.push(report.lossRead);
      results.push({ reads, epoch: await trainer.endEpoch() });
    }
    expect(results[0].reads).toEqual([true, true, true, true, true, true, true]);
    // Every third step, and the epoch's last.
    expect(results[1].reads).toEqual([false, false, true, false, false, true, true]);
    expect(results[1].epoch.trainLoss).toBe(results[0].epoch.trainLoss);
    expect(results[1].epoch.trainAccuracy).toBe(results[0].epoch.trainAccuracy);
  });
});

/** Random images with real-valued targets: `targetOf` maps an image to its target. */
const valueDataset = (size: number, sampleShape: Shape, targetShape: Shape, seed: number, binary: boolean): Dataset => {
  const random = new Random(seed);
  const sampleSize = elementCount(sampleShape);
  const targetSize = elementCount(targetShape);
  const x = Float32Array.from({ length: size * sampleSize }, () => random.uniform());
  const y = Float32Array.from({ length: size * targetSize }, () => (binary ? (random.uniform() < 0.5 ? 0 : 1) : random.normal()));
  return {
    name: 'random values',
    size,
    sampleShape,
    target: { kind: 'values', shape: targetShape },
    fill: (indices, start, count, xs, ys) => {
      for (let i = 0; i < count; i++) {
        const n = indices[start + i];
        xs.set(x.subarray(n * sampleSize, (n + 1) * sampleSize), i * sampleSize);
        ys.set(y.subarray(n * targetSize, (n + 1) * targetSize), i * targetSize);
      }
    },
  };
};

const smallGraph = (head: 'RegressionHead' | 'BinaryHead' | 'ImageHead', dropout = 0) => {
  const g = new GraphBuilder(head, '');
  g.add('input', 'Input', { channels: 1, height: 8, width: 8 });
  g.add('conv', 'Conv2D', { filters: 4, kernel: 3, padding: 'same', bias: false });
  g.add('bn', 'BatchNorm2D');
  g.add('relu', 'ReLU');
  if (head === 'ImageHead') {
    g.add('out', 'Conv2D', { filters: 1, kernel: 3, padding: 'same' });
    g.add('output', 'ImageHead', { loss: 'bce' });
  } else {
    g.add('pool', 'MaxPool2D', { kernel: 2, stride: 2 });
    g.add('flatten', 'Flatten');
    if (dropout) g.add('dropout', 'Dropout', { rate: dropout });
    g.add('fc', 'Dense', { units: 3 });
    g.add('output', head, { outputs: 3 });
  }
  return compileModel(g.build(), CPU_LAYERS);
};

describe.skipIf(!gpu)('GpuTrainer with every head, optimiser and option', () => {
  const cases: { head: 'RegressionHead' | 'BinaryHead' | 'ImageHead'; config: Partial<TrainingConfig> }[] = [
    { head: 'RegressionHead', config: { optimizer: { kind: 'rmsprop', momentum: 0.5 }, learningRate: 3e-3, clipNorm: 0.5 } },
    { head: 'BinaryHead', config: { optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-3 }, clipValue: 0.05 } },
    { head: 'ImageHead', config: { optimizer: { kind: 'adamw', weightDecay: 0.05 }, learningRate: 3e-3, warmUpSteps: 5 } },
  ];
  for (const { head, config: overrides } of cases) {
    it(`${head} with ${JSON.stringify(overrides)}, frozen elements and a partial last batch`, { timeout: 60_000 }, async () => {
      const model = smallGraph(head);
      const targetShape = model.head.outputShape;
      const data = valueDataset(40, [1, 8, 8], targetShape, head.length, head !== 'RegressionHead');
      const frozen = new Map([['conv.weight', Uint8Array.from({ length: 36 }, (_, i) => (i % 5 === 0 ? 1 : 0))]]);
      const config: TrainingConfig = {
        epochs: 3,
        batchSize: 16,
        learningRate: 0.01,
        optimizer: { kind: 'sgd' },
        seed: 3,
        frozen,
        ...overrides,
      };
      const cpu = new Trainer(model, config, data, data);
      cpu.initialiseWeights();
      const start = new Map([...model.weights].map(([name, values]) => [name, values.slice()]));
      const trainer = await GpuTrainer.create(gpu!.context, smallGraph(head), config, data, data);
      trainers.push(trainer);
      trainer.initialiseWeights();
      const [cpuLosses, gpuLosses, cpuEpochs, gpuEpochs] = [[], [], [], []] as number[][];
      for (let epoch = 0; epoch < 3; epoch++) {
        cpu.beginEpoch();
        trainer.beginEpoch();
        for (let report = cpu.step(); report; report = cpu.step()) cpuLosses.push(report.loss);
        for (let report = await trainer.step(); report; report = await trainer.step()) gpuLosses.push(report.loss);
        const [c, g] = [cpu.endEpoch(), await trainer.endEpoch()];
        cpuEpochs.push(c.trainLoss, c.validation!.loss);
        gpuEpochs.push(g.trainLoss, g.validation!.loss);
      }
      expect(gpuLosses).toHaveLength(9);
      expectClose(gpuLosses, cpuLosses, 'step losses');
      expectClose(gpuEpochs, cpuEpochs, 'epoch and validation losses');
      const weights = await trainer.downloadWeights();
      for (const [name, values] of cpu.model.weights) expectClose(weights.get(name)!, values, name, 1e-3);
      // Frozen elements never moved.
      const conv = weights.get('conv.weight')!;
      frozen.get('conv.weight')!.forEach((isFrozen, i) => {
        if (isFrozen) expect(conv[i]).toBe(start.get('conv.weight')![i]);
      });
    });
  }

  it('trains with dropout (hashed masks on the GPU), reproducibly', { timeout: 60_000 }, async () => {
    const data = valueDataset(48, [1, 8, 8], [3], 17, false);
    const config: TrainingConfig = { epochs: 2, batchSize: 16, learningRate: 3e-3, optimizer: { kind: 'adam' }, seed: 8 };
    const run = async () => {
      const trainer = await GpuTrainer.create(gpu!.context, smallGraph('RegressionHead', 0.5), config, data);
      trainers.push(trainer);
      trainer.initialiseWeights();
      const losses: number[] = [];
      for (let epoch = 0; epoch < 2; epoch++) {
        trainer.beginEpoch();
        for (let report = await trainer.step(); report; report = await trainer.step()) losses.push(report.loss);
        await trainer.endEpoch();
      }
      return losses;
    };
    const [first, second] = [await run(), await run()];
    expect(second).toEqual(first);
    expect(first.every(Number.isFinite)).toBe(true);
    // Different from a run without dropout, from the first step.
    const cpu = new Trainer(smallGraph('RegressionHead'), config, data);
    cpu.initialiseWeights();
    cpu.beginEpoch();
    expect(Math.abs(cpu.step()!.loss - first[0])).toBeGreaterThan(1e-4);
  });
});
