/**
 * Parity of the WebGPU loss and optimiser kernels with the CPU: softmax cross-entropy (with and
 * without label smoothing, reduced to one scalar on the GPU), mean squared error and binary
 * cross-entropy on logits, the epoch accumulators, SGD, Adam and RMSprop steps against the CPU
 * optimisers (engine/train/optimizers.ts) over several steps, frozen elements included, and
 * gradient clipping by value and by global norm.
 */
import { describe, expect, it } from 'vitest';
import {
  clipGradientNorm as cpuClipGradientNorm,
  clipGradientValue as cpuClipGradientValue,
  createOptimizer,
  type OptimizerConfig,
} from '../../../../engine/train/optimizers';
import {
  binaryCrossEntropyWithLogits,
  meanSquaredError,
  softmaxCrossEntropy as cpuSoftmaxCrossEntropy,
} from '../../../../engine/train/losses';
import { argmaxRow } from '../../../../engine/train/metrics';
import { uploadStorage } from '../../../../engine/backends/webgpu/buffers';
import { accumulateEpoch, checkTargets, elementLoss, softmaxCrossEntropy } from '../../../../engine/backends/webgpu/kernels/loss';
import {
  adamStep,
  clipGradientNorm,
  clipGradientValue,
  packFrozenMask,
  rmspropStep,
  sgdStep,
} from '../../../../engine/backends/webgpu/kernels/optimizers';
import { between, expectClose, gpu, randomData, seededRandom, upload, warnIfSkipped, zeros } from './harness';

warnIfSkipped('training.test.ts');

describe('checkTargets', () => {
  it("throws the CPU loss's RangeError for a class outside the head", () => {
    expect(() => checkTargets(Int32Array.of(0, 3), 2, 3)).toThrow(/sample 1 has class 3, but the classification head has classes 0 to 2/);
    expect(() => checkTargets(Int32Array.of(0, 2, 1), 3, 3)).not.toThrow();
  });
});

describe.skipIf(!gpu)('WebGPU softmax cross-entropy matches the CPU', () => {
  for (const smoothing of [0, 0.1]) {
    it(`loss, per-sample reduction and gradient, label smoothing ${smoothing}`, async () => {
      const random = seededRandom(17);
      for (const [batch, classes] of [
        [1, 2],
        [7, 10],
        [300, 3],
        [33, 1000],
      ]) {
        const logits = randomData(batch * classes, random, 8);
        const targets = Int32Array.from({ length: batch }, () => between(random, 0, classes - 1));
        const gradient = new Float64Array(batch * classes);
        const expected = cpuSoftmaxCrossEntropy(logits, targets, gradient, batch, classes, smoothing);

        const [gGradient, losses, loss] = [zeros(batch * classes), zeros(batch), zeros(1)];
        checkTargets(targets, batch, classes);
        const gTargets = uploadStorage(gpu!.device, targets, 'targets');
        softmaxCrossEntropy(gpu!.runner, upload(logits), gTargets, gGradient, losses, loss, batch, classes, smoothing);
        const label = `batch ${batch}, ${classes} classes`;
        expectClose(await gpu!.runner.readFloats(loss, 1), [expected], `loss, ${label}`);
        expectClose(await gpu!.runner.readFloats(gGradient, batch * classes), gradient, `gradient, ${label}`);

        // Without a gradient buffer: the loss alone.
        const lossOnly = zeros(1);
        softmaxCrossEntropy(gpu!.runner, upload(logits), gTargets, null, losses, lossOnly, batch, classes, smoothing);
        expectClose(await gpu!.runner.readFloats(lossOnly, 1), [expected], `loss without gradient, ${label}`);
      }
    });
  }
});

describe.skipIf(!gpu)('WebGPU element-wise losses match the CPU', () => {
  for (const kind of ['mse', 'bce'] as const) {
    it(`${kind}: mean loss and gradient, with and without a gradient buffer`, async () => {
      const random = seededRandom(kind.length * 7);
      const cpuLoss = kind === 'mse' ? meanSquaredError : binaryCrossEntropyWithLogits;
      for (const count of [1, 10, 1000, 100_003]) {
        // Logits wide enough that e^−|x| underflows log(1 + ·) in float32; targets in [0, 1].
        const predictions = randomData(count, random, kind === 'bce' ? 30 : 3);
        const targets = randomData(count, random).map((t) => Math.fround(kind === 'bce' ? Math.abs(t) : t));
        const gradient = new Float64Array(count);
        const expected = cpuLoss(predictions, targets, gradient, count);
        const [gGradient, losses, loss, lossOnly] = [zeros(count), zeros(count), zeros(1), zeros(1)];
        const [gPredictions, gTargets] = [upload(predictions), upload(targets)];
        elementLoss(gpu!.runner, kind, gPredictions, gTargets, gGradient, losses, loss, count);
        elementLoss(gpu!.runner, kind, gPredictions, gTargets, null, losses, lossOnly, count);
        expectClose(await gpu!.runner.readFloats(loss, 1), [expected], `loss, ${count} values`);
        expectClose(await gpu!.runner.readFloats(lossOnly, 1), [expected], `loss without gradient, ${count} values`);
        expectClose(await gpu!.runner.readFloats(gGradient, count), gradient, `gradient, ${count} values`);
      }
    });
  }

  it("accumulates the epoch's loss sum and correct predictions on the GPU", async () => {
    const random = seededRandom(61);
    const stats = zeros(2);
    let lossSum = 0;
    let hits = 0;
    for (const [batch, classes] of [
      [16, 10],
      [300, 3],
      [1, 2],
    ]) {
      const logits = randomData(batch * classes, random, 4);
      const targets = Int32Array.from({ length: batch }, () => between(random, 0, classes - 1));
      for (let n = 0; n < batch; n += 5) targets[n] = argmaxRow(logits, n, classes);
      const loss = cpuSoftmaxCrossEntropy(logits, targets, null, batch, classes);
      lossSum += Math.fround(loss) * batch;
      for (let n = 0; n < batch; n++) if (argmaxRow(logits, n, classes) === targets[n]) hits++;
      accumulateEpoch(gpu!.runner, upload([loss]), upload(logits), uploadStorage(gpu!.device, targets, 'targets'), stats, batch, classes);
    }
    // Without logits (a regression head): only the loss sum moves.
    accumulateEpoch(gpu!.runner, upload([0.5]), null, null, stats, 4, 0);
    lossSum += 2;
    const [gLossSum, gHits] = await gpu!.runner.readFloats(stats, 2);
    expectClose([gLossSum], [lossSum], 'loss sum');
    expect(gHits).toBe(hits);
  });
});

const optimizerCases: { config: OptimizerConfig; learningRate: number }[] = [
  { config: { kind: 'sgd' }, learningRate: 0.1 },
  { config: { kind: 'sgd', momentum: 0.9 }, learningRate: 0.05 },
  { config: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-3 }, learningRate: 0.05 },
  { config: { kind: 'sgd', momentum: 0.8, dampening: 0.3, weightDecay: 5e-4 }, learningRate: 0.02 },
  { config: { kind: 'adam' }, learningRate: 1e-3 },
  { config: { kind: 'adam', beta1: 0.8, beta2: 0.99, weightDecay: 1e-2, epsilon: 1e-6 }, learningRate: 3e-3 },
  { config: { kind: 'adamw', weightDecay: 0.05 }, learningRate: 1e-2 },
  { config: { kind: 'rmsprop' }, learningRate: 1e-2 },
  { config: { kind: 'rmsprop', alpha: 0.9, momentum: 0.5, weightDecay: 1e-3, epsilon: 1e-6 }, learningRate: 5e-3 },
];

describe.skipIf(!gpu)('WebGPU optimiser steps match the CPU optimisers', () => {
  for (const { config, learningRate } of optimizerCases) {
    it(`${JSON.stringify(config)} lr=${learningRate}, 4 steps, with frozen elements`, async () => {
      const random = seededRandom(23);
      const count = 1037;
      const values = Float32Array.from(randomData(count, random));
      const frozen = Uint8Array.from({ length: count }, (_, i) => (i % 7 === 3 ? 1 : 0));
      const gradient = new Float32Array(count);
      const cpuOptimizer = createOptimizer(config, [{ name: 'w', values, gradient, frozen }]);

      const gValues = upload(values);
      const gGradient = zeros(count);
      const slot = { values: gValues, gradient: gGradient, count, frozen: uploadStorage(gpu!.device, packFrozenMask(frozen), 'frozen') };
      const [stateA, stateB] = [zeros(count), zeros(count)];
      for (let step = 0; step < 4; step++) {
        gradient.set(randomData(count, random));
        gpu!.runner.write(gGradient, gradient);
        if (config.kind === 'sgd') sgdStep(gpu!.runner, slot, stateA, config, learningRate, step === 0);
        else if (config.kind === 'rmsprop') rmspropStep(gpu!.runner, slot, stateA, stateB, config, learningRate);
        else adamStep(gpu!.runner, slot, stateA, stateB, config, learningRate, step + 1);
        cpuOptimizer.step(learningRate);
      }
      const state = cpuOptimizer.state();
      expectClose(await gpu!.runner.readFloats(gValues, count), values, 'values');
      if (config.kind === 'sgd' && config.momentum)
        expectClose(await gpu!.runner.readFloats(stateA, count), state['w.momentum_buffer'], 'momentum');
      if (config.kind === 'rmsprop') {
        expectClose(await gpu!.runner.readFloats(stateA, count), state['w.square_avg'], 'square average');
        expectClose(await gpu!.runner.readFloats(stateB, count), state['w.momentum_buffer'], 'momentum');
      } else if (config.kind !== 'sgd') {
        expectClose(await gpu!.runner.readFloats(stateA, count), state['w.exp_avg'], 'first moment');
        expectClose(await gpu!.runner.readFloats(stateB, count), state['w.exp_avg_sq'], 'second moment');
      }
    });
  }
});

describe.skipIf(!gpu)('WebGPU gradient clipping matches the CPU', () => {
  it('by value, and by global norm (clipping and not clipping)', async () => {
    const random = seededRandom(67);
    const counts = [1, 300, 5000];
    for (const [mode, limit] of [
      ['value', 0.3],
      ['norm', 2],
      ['norm', 1e4],
    ] as const) {
      const gradients = counts.map((count) => Float32Array.from(randomData(count, random)));
      const slots = gradients.map((gradient, i) => ({ name: `g${i}`, values: new Float32Array(gradient.length), gradient }));
      const gpuSlots = gradients.map((gradient) => ({ gradient: upload(gradient), count: gradient.length }));
      if (mode === 'value') {
        cpuClipGradientValue(slots, limit);
        clipGradientValue(gpu!.runner, gpuSlots, limit);
      } else {
        cpuClipGradientNorm(slots, limit);
        clipGradientNorm(gpu!.runner, gpuSlots, limit, zeros(gpuSlots.length));
      }
      for (const [i, slot] of gpuSlots.entries()) {
        expectClose(await gpu!.runner.readFloats(slot.gradient, slot.count), gradients[i], `clip by ${mode} ${limit}, tensor ${i}`);
      }
    }
  });
});
