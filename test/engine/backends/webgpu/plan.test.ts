/**
 * The GPU layer table and plan against the CPU plan: small graphs that together use every layer
 * type of the catalogue and every head, run one training-mode forward pass, the head's loss and
 * the backward pass on both engines from the same weights and batch, and compare every node's
 * output and output gradient, every weight gradient, and the running statistics that batch norm
 * updated. Dropout is compared element for element by feeding the CPU plan the GPU's hash
 * stream as its random numbers. A second, inference-mode pass checks the running-statistics
 * path. Also: weights in and out by state_dict name, and a plan per batch size sharing pipelines.
 */
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../../engine/backends/cpu/layers';
import { GPU_LAYERS } from '../../../../engine/backends/webgpu/layers';
import { dropoutBits, dropoutKey } from '../../../../engine/backends/webgpu/kernels/normalisation';
import { elementLoss, softmaxCrossEntropy } from '../../../../engine/backends/webgpu/kernels/loss';
import { createStorage, uploadStorage } from '../../../../engine/backends/webgpu/buffers';
import { GpuModelState, GpuPlan } from '../../../../engine/backends/webgpu/plan';
import type { GraphDocument } from '../../../../engine/graph/document';
import { LAYER_TYPES } from '../../../../engine/graph/layer-types';
import { elementCount } from '../../../../engine/graph/shape';
import { GraphBuilder } from '../../../../engine/graph/templates/builder';
import { initialiseWeight } from '../../../../engine/train/init';
import { lossForHead } from '../../../../engine/train/losses';
import { compileModel, Plan, type Model } from '../../../../engine/train/plan';
import { Random } from '../../../../engine/train/random';
import { expectClose, gpu, warnIfSkipped } from './harness';

warnIfSkipped('plan.test.ts');

const STEP_SEED = 0x5eed;

/** Convolutions of every kind, batch norm, dropout, pooling and activations, into a classifier. */
const convolutions = (): GraphDocument => {
  const g = new GraphBuilder('convolutions', '');
  g.add('input', 'Input', { channels: 3, height: 12, width: 12 });
  // No bias before batch norm: its gradient is exactly zero, and both engines' rounding noise would be compared.
  g.add('conv', 'Conv2D', { filters: 8, kernel: 3, padding: 'same', groups: 1, bias: false });
  g.add('bn', 'BatchNorm2D');
  g.add('leaky', 'LeakyReLU', { negativeSlope: 0.1 });
  g.add('grouped', 'Conv2D', { filters: 8, kernel: 3, stride: 2, padding: 1, groups: 2, bias: false });
  g.add('dw', 'DepthwiseConv2D', { kernel: 3, padding: 'same', depthMultiplier: 2 });
  g.add('gelu', 'GELU');
  g.add('sep', 'SeparableConv2D', { filters: 6, kernel: 3, padding: 'same' });
  g.add('spatial', 'SpatiallySeparableConv2D', { filters: 5, kernel: 3, padding: 'same' });
  g.add('deconv', 'ConvTranspose2D', { filters: 4, kernel: 2, stride: 2 });
  g.add('tanh', 'Tanh');
  g.add('maxpool', 'MaxPool2D', { kernel: 2, stride: 2 });
  g.add('avgpool', 'AvgPool2D', { kernel: 3, stride: 2, padding: 1, countIncludePad: false, ceilMode: true });
  g.add('flatten', 'Flatten');
  g.add('dropout', 'Dropout', { rate: 0.3 });
  g.add('fc', 'Dense', { units: 10 });
  g.add('output', 'ClassificationHead', { classes: 10, labelSmoothing: 0.1 });
  return g.build();
};

/** Branches: Add, Concat of images and of vectors, both upsamplings, softmax, sigmoid, global pooling; MSE. */
const branches = (): GraphDocument => {
  const g = new GraphBuilder('branches', '');
  g.add('input', 'Input', { channels: 2, height: 6, width: 6 });
  const a = g.add('a', 'Conv2D', { filters: 4, kernel: 1 }, 'input');
  const b = g.add('b', 'Conv2D', { filters: 4, kernel: 3, padding: 'same' }, 'input');
  g.add('add', 'Add', {}, [a, b]);
  const up1 = g.add('nearest', 'Upsample', { scale: 2, mode: 'nearest' });
  const up2 = g.add('bilinear', 'Upsample', { scale: [2, 2], mode: 'bilinear' }, 'input');
  g.add('cat', 'Concat', {}, [up1, up2]);
  g.add('softmax', 'Softmax');
  const sig = g.add('sigmoid', 'Sigmoid');
  const gmp = g.add('gmp', 'GlobalMaxPool', {}, sig);
  const gap = g.add('gap', 'GlobalAvgPool', {}, 'cat');
  g.add('vectors', 'Concat', {}, [gmp, gap]);
  g.add('fc', 'Dense', { units: 3 });
  g.add('output', 'RegressionHead', { outputs: 3 });
  return g.build();
};

const binary = (): GraphDocument => {
  const g = new GraphBuilder('binary', '');
  g.add('input', 'Input', { channels: 1, height: 5, width: 5 });
  g.add('flatten', 'Flatten');
  g.add('fc1', 'Dense', { units: 7 });
  g.add('relu', 'ReLU');
  g.add('fc2', 'Dense', { units: 2, bias: false });
  g.add('output', 'BinaryHead', { outputs: 2 });
  return g.build();
};

const image = (loss: 'mse' | 'bce') => (): GraphDocument => {
  const g = new GraphBuilder('image', '');
  g.add('input', 'Input', { channels: 1, height: 8, width: 8 });
  g.add('conv', 'Conv2D', { filters: 4, kernel: 3, padding: 'same', bias: false });
  g.add('bn', 'BatchNorm2D', { momentum: 0.3 });
  g.add('relu', 'ReLU');
  g.add('pool', 'MaxPool2D', { kernel: 2, stride: 2 });
  g.add('deconv', 'ConvTranspose2D', { filters: 1, kernel: 2, stride: 2 });
  g.add('output', 'ImageHead', { loss });
  return g.build();
};

const GRAPHS: Record<string, () => GraphDocument> = {
  convolutions,
  branches,
  binary,
  'image (bce)': image('bce'),
  'image (mse)': image('mse'),
};

/** Weights from the engine's initialisation, with non-trivial batch-norm parameters and statistics. */
const initialise = (model: Model, seed: number): void => {
  const random = new Random(seed);
  for (const [name, values] of model.weights) {
    const spec = model.specs.get(name)!;
    initialiseWeight(spec, values, { kind: 'pytorch-default' }, random);
    if (spec.role === 'gamma' || spec.role === 'beta' || spec.role === 'running_mean') {
      values.forEach((_, i) => (values[i] = (spec.role === 'gamma' ? 1 : 0) + 0.2 * (random.uniform() - 0.5)));
    }
    if (spec.role === 'running_var') values.forEach((_, i) => (values[i] = 0.5 + random.uniform()));
  }
};

/** A batch of inputs and the head's targets (classes, values, or values in [0, 1] for binary losses). */
const batchFor = (model: Model, batch: number, random: Random) => {
  const input = Float32Array.from({ length: batch * elementCount(model.input.outputShape) }, () => random.uniform() * 2 - 1);
  const head = model.head;
  const loss = lossForHead(head.type, head.params);
  const perSample = elementCount(head.outputShape);
  const targets =
    loss.targets === 'classes'
      ? Int32Array.from({ length: batch }, () => random.below(head.params.classes as number))
      : Float32Array.from({ length: batch * perSample }, () => (loss.name === 'bce' ? random.uniform() : random.normal()));
  return { input, targets, loss, perSample };
};

describe.skipIf(!gpu)('the GPU layer table covers the catalogue', () => {
  it('has a layer for every type, and the test graphs use every type', () => {
    expect(Object.keys(GPU_LAYERS).sort()).toEqual([...LAYER_TYPES].sort());
    const used = new Set(Object.values(GRAPHS).flatMap((build) => build().nodes.map((node) => node.type)));
    expect([...LAYER_TYPES].filter((type) => !used.has(type))).toEqual([]);
  });
});

describe.skipIf(!gpu)('GpuPlan matches the CPU plan', () => {
  for (const [name, build] of Object.entries(GRAPHS)) {
    it(`${name}: forward, loss and backward in training mode, then inference`, async () => {
      const runner = gpu!.runner;
      const batch = 3;
      const model = compileModel(build(), CPU_LAYERS);
      initialise(model, name.length);
      const { input, targets, loss, perSample } = batchFor(model, batch, new Random(7));
      const startWeights = new Map([...model.weights].map(([tensor, values]) => [tensor, values.slice()]));

      // The GPU first (the CPU plan updates the running statistics in Model.weights).
      const state = new GpuModelState(runner, model);
      const plan = new GpuPlan(model, batch, state);
      runner.write(plan.input, input);
      const gTargets = uploadStorage(gpu!.device, targets, 'targets');
      const gLoss = createStorage(gpu!.device, 1, 'loss');
      const losses = createStorage(gpu!.device, batch * perSample, 'losses');
      const predictions = plan.forward(true, STEP_SEED);
      if (loss.name === 'cross-entropy') {
        const { classes, labelSmoothing } = model.head.params as { classes: number; labelSmoothing: number };
        softmaxCrossEntropy(runner, predictions, gTargets, plan.headGradient, losses, gLoss, batch, classes, labelSmoothing);
      } else elementLoss(runner, loss.name, predictions, gTargets, plan.headGradient, losses, gLoss, batch * perSample);
      plan.backward();
      const gpuLoss = (await runner.readFloats(gLoss, 1))[0];
      const gpuNodes = new Map<string, { output: Float32Array; gradient: Float32Array | null }>();
      for (const node of model.nodes) {
        const output = await runner.readFloats(plan.activation(node.id)!, batch * elementCount(node.outputShape));
        const gradBuffer = plan.activationGradient(node.id);
        const gradient = gradBuffer ? await runner.readFloats(gradBuffer, output.length) : null;
        gpuNodes.set(node.id, { output, gradient });
      }
      const gpuGradients = new Map<string, Float32Array>();
      for (const [tensor, buffer] of state.gradients)
        gpuGradients.set(tensor, await runner.readFloats(buffer, model.gradients.get(tensor)!.length));
      await state.download();
      const gpuWeights = new Map([...model.weights].map(([tensor, values]) => [tensor, values.slice()]));

      // The CPU, from the same weights, with the GPU's dropout draws as its random numbers.
      for (const [tensor, values] of model.weights) values.set(startWeights.get(tensor)!);
      const dropoutPosition = model.nodes.findIndex((node) => node.type === 'Dropout');
      let draw = 0;
      const cpuPlan = new Plan(model, batch, () => dropoutBits(dropoutKey(STEP_SEED, dropoutPosition), draw++) / 2 ** 32);
      cpuPlan.input.set(input);
      const cpuLoss = loss.compute(cpuPlan.forward(true), targets, cpuPlan.headGradient, batch);
      cpuPlan.backward();

      expectClose([gpuLoss], [cpuLoss], 'loss');
      for (const node of model.nodes) {
        const gpuNode = gpuNodes.get(node.id)!;
        expectClose(gpuNode.output, cpuPlan.activation(node.id)!, `${node.id} (${node.type}) output`);
        if (gpuNode.gradient)
          expectClose(gpuNode.gradient, cpuPlan.activationGradient(node.id)!, `${node.id} (${node.type}) output gradient`);
      }
      for (const [tensor, gradient] of model.gradients) expectClose(gpuGradients.get(tensor)!, gradient, `gradient of ${tensor}`);
      // Batch norm's running statistics moved on both engines, by the same amount.
      for (const [tensor, values] of model.weights) expectClose(gpuWeights.get(tensor)!, values, `${tensor} after the training pass`);

      // Inference: running statistics, no dropout. Both engines start from the CPU's weights.
      state.upload();
      runner.write(plan.input, input);
      plan.forward(false);
      const inferred = await runner.readFloats(plan.output, batch * elementCount(model.head.outputShape));
      expectClose(inferred, cpuPlan.forward(false), 'inference output');
      plan.destroy();
      state.destroy();
    });
  }

  it('plans of two batch sizes share the model tensors and every pipeline', async () => {
    const runner = gpu!.runner;
    const model = compileModel(binary(), CPU_LAYERS);
    initialise(model, 3);
    const state = new GpuModelState(runner, model);
    const random = new Random(11);
    for (const batch of [4, 1]) {
      const { input } = batchFor(model, batch, random);
      const plan = new GpuPlan(model, batch, state);
      runner.write(plan.input, input);
      const before = runner.cache.size;
      plan.forward(false);
      const cpuPlan = new Plan(model, batch, () => 0);
      cpuPlan.input.set(input);
      expectClose(await runner.readFloats(plan.output, batch * 2), cpuPlan.forward(false), `batch ${batch}`);
      if (batch === 1) expect(runner.cache.size).toBe(before);
      plan.destroy();
    }
    // Weights out and in by state_dict name.
    const fc1 = model.weights.get('fc1.weight')!;
    fc1.fill(0.25);
    state.upload(['fc1.weight']);
    fc1.fill(0);
    await state.download(['fc1.weight']);
    expect([...new Set(fc1)]).toEqual([0.25]);
    state.destroy();
  });
});
