// The weights the explainer shows before any training (initial-model.ts) are those a run starts
// from: a Trainer with the same settings and seed initialises every tensor of the model to the
// same numbers, hand-set filters included; another seed gives other weights.
import { beforeAll, describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import type { ByteImageDataset } from '../../../engine/data/dataset';
import { findTemplate } from '../../../engine/graph/templates';
import type { ConvFilterInits } from '../../../engine/train/filter-init';
import { initialModel } from '../../../engine/train/initial-model';
import { compileModel } from '../../../engine/train/plan';
import { Trainer, type TrainingConfig } from '../../../engine/train/trainer';
import { loadMnist } from '../../../electron/services/datasets/mnist';

let train: ByteImageDataset;
beforeAll(() => {
  train = loadMnist('train').take(64);
});

const FILTERS: ConvFilterInits = {
  conv1: {
    filters: [
      { filter: 0, preset: { kind: 'gaussian' }, frozen: true },
      { filter: 2, preset: { kind: 'identity' } },
    ],
  },
};

const settings = (seed: number, filters?: ConvFilterInits): Omit<TrainingConfig, 'frozen'> => ({
  epochs: 1,
  batchSize: 16,
  learningRate: 0.01,
  optimizer: { kind: 'sgd' },
  seed,
  init: { kind: 'he-uniform' },
  ...(filters ? { filters } : {}),
});

const trainerWeights = (template: string, config: TrainingConfig) => {
  const trainer = new Trainer(compileModel(findTemplate(template)!.build(), CPU_LAYERS), config, train);
  trainer.initialiseWeights();
  return trainer.model.weights;
};

describe('the initial weights before any training', () => {
  for (const [template, filters] of [
    ['lenet5', FILTERS],
    ['lenet5', undefined],
    ['factorised', undefined],
  ] as const) {
    it(`equal a Trainer's with the same seed: ${template}${filters ? ' with hand-set filters' : ''}`, () => {
      const { model, awaitingData } = initialModel(findTemplate(template)!.build(), settings(11, filters));
      const expected = trainerWeights(template, settings(11, filters));
      expect([...model.weights.keys()]).toEqual([...expected.keys()]);
      for (const [name, values] of model.weights) expect(values, name).toEqual(expected.get(name));
      expect(awaitingData).toEqual([]);
    });
  }

  it('put the hand-set filters in, and differ with another seed', () => {
    const seeded = initialModel(findTemplate('lenet5')!.build(), settings(11, FILTERS)).model.weights.get('conv1.weight')!;
    // identity: the centre of filter 2's 5×5 kernel is 1, the rest 0
    expect([...seeded.subarray(2 * 25, 3 * 25)]).toEqual(Array.from({ length: 25 }, (_, i) => (i === 12 ? 1 : 0)));
    const other = initialModel(findTemplate('lenet5')!.build(), settings(12, FILTERS)).model.weights.get('conv1.weight')!;
    expect([...other.subarray(0, 25)]).toEqual([...seeded.subarray(0, 25)]);
    expect([...other.subarray(25, 50)]).not.toEqual([...seeded.subarray(25, 50)]);
  });

  it('list a layer that starts from k-means, which needs the training images', () => {
    const { awaitingData } = initialModel(findTemplate('lenet5')!.build(), settings(11, { conv1: { start: { kind: 'kmeans' } } }));
    expect(awaitingData).toEqual(['conv1']);
  });

  it('report how far k-means has got on the training images, without changing what it learns', () => {
    const config = settings(11, { conv1: { start: { kind: 'kmeans', patches: 400, iterations: 4 } } });
    const steps: { nodeId: string; index: number; layers: number; fraction: number }[] = [];
    const reported = initialModel(findTemplate('lenet5')!.build(), config, train, (step) => steps.push(step));
    const silent = initialModel(findTemplate('lenet5')!.build(), config, train);
    expect([...reported.model.weights.get('conv1.weight')!]).toEqual([...silent.model.weights.get('conv1.weight')!]);
    expect(steps.every((step) => step.nodeId === 'conv1' && step.index === 0 && step.layers === 1)).toBe(true);
    // from 0, one report per iteration among them, never backwards, to 1
    expect(steps[0].fraction).toBe(0);
    expect(steps.at(-1)!.fraction).toBe(1);
    expect(steps.length).toBeGreaterThanOrEqual(4 + 2);
    for (let i = 1; i < steps.length; i++) expect(steps[i].fraction).toBeGreaterThanOrEqual(steps[i - 1].fraction);
  });
});
