// The training loop on real MNIST samples: determinism, learning, divergence, frozen filters,
// inference mode, and weights in and out by state_dict name.
import { beforeAll, describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import type { ByteImageDataset } from '../../../engine/data/dataset';
import type { GraphDocument } from '../../../engine/graph/document';
import { findTemplate } from '../../../engine/graph/templates';
import { handFilterKernel, setFilter } from '../../../engine/train/init';
import { compileModel, InvalidGraphError } from '../../../engine/train/plan';
import { loadStateDict, saveStateDict, StateDictError } from '../../../engine/train/state-dict';
import { DivergedError, Trainer, type TrainingConfig } from '../../../engine/train/trainer';
import { loadMnist } from '../../../electron/services/datasets/mnist';

let train: ByteImageDataset;
let test: ByteImageDataset;
beforeAll(() => {
  train = loadMnist('train').take(1024);
  test = loadMnist('test').take(500);
});

const config = (overrides: Partial<TrainingConfig> = {}): TrainingConfig => ({
  epochs: 1,
  batchSize: 32,
  learningRate: 0.05,
  optimizer: { kind: 'sgd', momentum: 0.9 },
  seed: 7,
  ...overrides,
});

const trainer = (template: string, overrides: Partial<TrainingConfig> = {}, graph?: GraphDocument) => {
  const model = compileModel(graph ?? findTemplate(template)!.build(), CPU_LAYERS);
  const result = new Trainer(model, config(overrides), train, test);
  result.initialiseWeights();
  return result;
};

const losses = (t: Trainer, steps: number): number[] => {
  t.beginEpoch();
  return Array.from({ length: steps }, () => t.step()!.loss);
};

describe('the trainer', () => {
  it('is deterministic: the same seed gives bit-identical losses, another seed does not', () => {
    const graph = findTemplate('resnet')!.build();
    const first = losses(trainer('resnet', {}, graph), 6);
    const second = losses(trainer('resnet', {}, graph), 6);
    expect(second).toEqual(first);
    expect(losses(trainer('resnet', { seed: 8 }, graph), 6)).not.toEqual(first);
  });

  it('resumes from a checkpoint exactly where the run would have gone', () => {
    const graph = findTemplate('factorised')!.build();
    const small = {
      batchSize: 128,
      optimizer: { kind: 'adam' as const },
      learningRate: 0.003,
      schedule: { kind: 'exponential' as const, gamma: 0.5 },
    };
    const straight = trainer('factorised', { ...small, epochs: 2 }, graph);
    const straightLosses: number[] = [];
    straight.fit({ onStep: (step) => straightLosses.push(step.loss) });

    const first = trainer('factorised', { ...small, epochs: 2 }, graph);
    const firstLosses: number[] = [];
    first.runEpoch((step) => firstLosses.push(step.loss));
    const checkpoint = first.checkpoint();
    const resumed = new Trainer(compileModel(graph, CPU_LAYERS), config({ ...small, epochs: 2 }), train, test);
    resumed.restore(checkpoint);
    const resumedLosses: number[] = [];
    const report = resumed.runEpoch((step) => resumedLosses.push(step.loss));
    expect([...firstLosses, ...resumedLosses]).toEqual(straightLosses);
    expect(report.epoch).toBe(2);
    expect(report.stop).toBe(true);
  });

  it("gives every step of an epoch that epoch's rate, and warms up from the first step", () => {
    const t = trainer('lenet5', {
      epochs: 2,
      batchSize: 256,
      learningRate: 0.1,
      schedule: { kind: 'step', everyEpochs: 1, gamma: 0.5 },
      warmUpSteps: 2,
    });
    const rates: number[][] = [[], []];
    t.fit({ onStep: (step) => rates[step.epoch - 1].push(step.learningRate) });
    expect(rates[0]).toEqual([0.05, 0.1, 0.1, 0.1]);
    expect(rates[1]).toEqual([0.05, 0.05, 0.05, 0.05]);
  });

  it('keeps dropout deterministic under a seed', () => {
    const withDropout = findTemplate('factorised')!.build();
    expect(losses(trainer('factorised', {}, withDropout), 4)).toEqual(losses(trainer('factorised', {}, withDropout), 4));
  });

  it('learns digits: LeNet-5 on 1,024 images reaches 80% on held-out ones in three epochs', () => {
    const t = trainer('lenet5', { epochs: 3, optimizer: { kind: 'adam' }, learningRate: 0.003 });
    const reports = t.fit();
    expect(reports).toHaveLength(3);
    expect(reports[2].trainLoss).toBeLessThan(reports[0].trainLoss);
    expect(reports[2].validation!.classification!.accuracy).toBeGreaterThan(0.8);
    expect(reports[2].stop).toBe(true);
  });

  it('evaluates in inference mode: batch norm uses running statistics, so results repeat', () => {
    const t = trainer('resnet');
    losses(t, 3);
    const first = t.evaluate(test);
    expect(t.evaluate(test)).toEqual(first);
    expect(first.classification!.confusion.reduce((a, b) => a + b, 0)).toBe(test.size);
  });

  it('stops a diverging run with the step and advice', () => {
    const t = trainer('lenet5', { learningRate: 1e6 });
    t.beginEpoch();
    let error: unknown;
    try {
      for (let i = 0; i < 50; i++) t.step();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DivergedError);
    expect((error as Error).message).toMatch(/^loss diverged at step \d+ .*lower the learning rate/);
  });

  it('never changes frozen filters', () => {
    const model = compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS);
    const weight = model.weights.get('conv1.weight')!;
    expect(handFilterKernel('sobel-x', 5, 5)).toEqual({ ok: false, problem: "sobel-x is 3×3 but the layer's kernel is 5×5" });
    const gaussian = handFilterKernel('gaussian', 5, 5);
    if (!gaussian.ok) throw new Error(gaussian.problem);
    const t = new Trainer(model, config(), train);
    t.initialiseWeights();
    const indices = setFilter(weight, [6, 1, 5, 5], 2, gaussian.kernel);
    const frozen = new Trainer(model, config({ frozen: new Map([['conv1.weight', frozenMask(weight.length, indices)]]) }), train);
    const before = weight.slice();
    losses(frozen, 5);
    indices.forEach((index) => expect(weight[index]).toBe(before[index]));
    expect(weight.some((value, index) => !indices.includes(index) && value !== before[index])).toBe(true);
  });

  it('refuses data that does not fit the graph, saying what to change', () => {
    const model = compileModel(findTemplate('autoencoder')!.build(), CPU_LAYERS);
    expect(() => new Trainer(model, config(), train)).toThrow(/has class labels, but the head 'output' \(ImageHead\) needs target values/);
    const colour = findTemplate('lenet5')!.build();
    colour.nodes[0].params = { channels: 3, height: 28, width: 28 };
    expect(() => new Trainer(compileModel(colour, CPU_LAYERS), config(), train)).toThrow(
      /samples of 1×28×28 but the graph's Input is 3×28×28/,
    );
  });

  it('refuses an invalid graph with its errors', () => {
    const broken = findTemplate('lenet5')!.build();
    broken.edges.pop();
    expect(() => compileModel(broken, CPU_LAYERS)).toThrow(InvalidGraphError);
  });
});

const frozenMask = (length: number, indices: number[]): Uint8Array => {
  const mask = new Uint8Array(length);
  for (const index of indices) mask[index] = 1;
  return mask;
};

describe('state_dict', () => {
  it('round-trips every tensor by name and refuses weights of another graph', () => {
    const t = trainer('resnet');
    losses(t, 2);
    const saved = saveStateDict(t.model);
    expect(saved.map((tensor) => tensor.name)).toContain('block1_bn1.running_var');
    expect(saved.find((tensor) => tensor.name === 'stem.weight')!.shape).toEqual([16, 1, 3, 3]);
    const fresh = compileModel(findTemplate('resnet')!.build(), CPU_LAYERS);
    loadStateDict(fresh, saved);
    for (const tensor of saved) expect(fresh.weights.get(tensor.name)).toEqual(tensor.data);

    const lenet = compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS);
    const before = lenet.weights.get('conv1.weight')!.slice();
    expect(() => loadStateDict(lenet, saved)).toThrow(StateDictError);
    expect(() => loadStateDict(lenet, saved)).toThrow(/conv1\.weight is missing/);
    expect(lenet.weights.get('conv1.weight')).toEqual(before);
  });
});
