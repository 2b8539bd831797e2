/**
 * The WebGPU engine's correctness on a real GPU: what the test suite checks on SwiftShader, for a
 * machine with a hardware adapter (bench/device/prepare.sh bundles this file as parity.mjs).
 *
 * 1. Inference: every template, a batch of 8 random images, the GPU's outputs against the CPU
 *    engine's from the same weights (largest relative error).
 * 2. Training: LeNet-5, 200 steps of MNIST at batch 16 with Adam, GPU against CPU from the same
 *    weights and batches (the suite's trainer test): the largest |Δloss| and the final losses.
 * Prints one JSON object on its last line.
 */
import { CPU_LAYERS } from '../../engine/backends/cpu/layers';
import { acquireDevice, adapterName } from '../../engine/backends/webgpu/device';
import { openInference } from '../../engine/backends/webgpu/inference';
import { GpuTrainer } from '../../engine/backends/webgpu/trainer';
import { SubsetDataset } from '../../engine/data/split';
import { elementCount } from '../../engine/graph/shape';
import { findTemplate, TEMPLATES } from '../../engine/graph/templates';
import { CpuInference } from '../../engine/train/inference';
import { initialiseModelWeights } from '../../engine/train/loop';
import { compileModel } from '../../engine/train/plan';
import { Random } from '../../engine/train/random';
import { saveStateDict } from '../../engine/train/state-dict';
import { Trainer, type TrainingConfig } from '../../engine/train/trainer';
import { loadMnist } from '../../electron/services/datasets/mnist';
import { loadNodeGpu } from '../../electron/worker/gpu-node';

const relativeError = (actual: Float32Array, expected: Float32Array): number => {
  let difference = 0;
  let size = 0;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i]! - expected[i]!));
    size = Math.max(size, Math.abs(expected[i]!));
  }
  return difference / Math.max(size, 1e-6);
};

const { gpu, how } = await loadNodeGpu({ allowSoftware: process.env.PARITY_ALLOW_SOFTWARE === '1' });
if (!gpu) throw new Error(`no WebGPU adapter: ${how}`);
const context = await acquireDevice(gpu);
const device = `${adapterName(context.adapter)}${context.adapter.software ? ' (software)' : ''}`;
console.error(`parity on ${device}`);

const inference: Record<string, number> = {};
for (const template of TEMPLATES) {
  const model = compileModel(template.build(), CPU_LAYERS);
  initialiseModelWeights(model, { seed: 3 } as TrainingConfig);
  const count = 8;
  const random = new Random(11);
  const images = Float32Array.from({ length: count * elementCount(model.input.outputShape) }, () => random.uniform());
  const expected = new CpuInference(model).run(images, count);
  const opened = await openInference(gpu, template.build(), saveStateDict(model), { backend: 'webgpu' });
  if (opened.backend !== 'webgpu') throw new Error(`inference did not open on the GPU: ${opened.reason}`);
  const predicted = (await opened.predict(images, count)).outputs;
  inference[template.name] = relativeError(predicted, expected);
  opened.close();
  console.error(`inference ${template.name}: relative error ${inference[template.name]!.toExponential(2)}`);
}

const STEPS = 200;
const BATCH = 16;
const lenet = () => compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS);
const first = (name: 'train' | 'test', count: number) =>
  new SubsetDataset(
    loadMnist(name),
    Int32Array.from({ length: count }, (_, i) => i),
    `MNIST ${name}[:${count}]`,
  );
const config: TrainingConfig = { epochs: 1, batchSize: BATCH, learningRate: 2e-3, optimizer: { kind: 'adam' }, seed: 7 };
const train = first('train', STEPS * BATCH);
const cpu = new Trainer(lenet(), config, train);
cpu.initialiseWeights();
cpu.beginEpoch();
const cpuLosses: number[] = [];
for (let report = cpu.step(); report; report = cpu.step()) cpuLosses.push(report.loss);
const started = performance.now();
const trainer = await GpuTrainer.create(context, lenet(), config, train, undefined, { lossInterval: 1 });
trainer.initialiseWeights();
trainer.beginEpoch();
const gpuLosses: number[] = [];
for (let report = await trainer.step(); report; report = await trainer.step()) gpuLosses.push(report.loss);
const seconds = (performance.now() - started) / 1000;
trainer.destroy();
const differences = gpuLosses.map((loss, i) => Math.abs(loss - cpuLosses[i]!));
const training = {
  steps: gpuLosses.length,
  maxAbsLossDifference: Math.max(...differences),
  meanAbsLossDifferenceFirst50: differences.slice(0, 50).reduce((a, b) => a + b, 0) / 50,
  finalLoss: { cpu: cpuLosses.at(-1), gpu: gpuLosses.at(-1) },
  gpuSeconds: seconds,
};
console.error(`training: ${JSON.stringify(training)}`);
context.destroy();
console.log(JSON.stringify({ device, inference, training }));
