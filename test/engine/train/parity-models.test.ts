// The three benchmark models against PyTorch (test/fixtures/models.json, made by
// make_engine_fixtures.py): logits, loss, every gradient, and the weights after one and three
// steps of SGD with momentum and of Adam, from the same weights and batch; float32 here,
// float64 there, relative error ≤ 1e-4. Weights and data are drawn by the rule in the fixture's
// "rules" field, so the file stores summaries only.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { findTemplate } from '../../../engine/graph/templates';
import { lossForHead } from '../../../engine/train/losses';
import { createOptimizer, type OptimizerConfig } from '../../../engine/train/optimizers';
import { compileModel, Plan, type Model } from '../../../engine/train/plan';
import { Random } from '../../../engine/train/random';

interface Summary {
  shape: number[];
  sum: number;
  sumAbs: number;
  sumSquares: number;
  samples: [number, number][];
}

interface ModelFixture {
  stateDictOrder: string[];
  logits: number[][];
  loss: number;
  initial: Record<string, Summary>;
  gradients: Record<string, Summary>;
  afterSgd1: Record<string, Summary>;
  afterSgd3: Record<string, Summary>;
  afterAdam1: Record<string, Summary>;
  afterAdam3: Record<string, Summary>;
  lossesSgd3: number[];
  lossesAdam3: number[];
}

const fixture: { torch: string; models: Record<string, ModelFixture> } = JSON.parse(readFileSync('test/fixtures/models.json', 'utf8'));
const BATCH = 16;

/** The fixture's generation rule: weights in state_dict order, then the batch and its labels. */
const setUp = (name: string) => {
  const model = compileModel(findTemplate(name)!.build(), CPU_LAYERS);
  const random = new Random(2026);
  const draw = () => random.uniform() * 2 - 1;
  for (const [tensorName, values] of model.weights) {
    const spec = model.specs.get(tensorName)!;
    if (spec.role === 'running_mean') values.fill(0);
    else if (spec.role === 'running_var') values.fill(1);
    else if (spec.role === 'gamma') values.forEach((_, i) => (values[i] = 1 + 0.1 * draw()));
    else if (spec.role === 'beta') values.forEach((_, i) => (values[i] = 0.1 * draw()));
    else {
      const weightName = tensorName.replace(/bias$/, 'weight');
      const fanIn = model.specs
        .get(weightName)!
        .shape.slice(1)
        .reduce((a, b) => a * b, 1);
      const bound = 1 / Math.sqrt(fanIn);
      values.forEach((_, i) => (values[i] = draw() * bound));
    }
  }
  const plan = new Plan(model, BATCH, () => 0);
  plan.input.forEach((_, i) => (plan.input[i] = random.uniform()));
  const labels = Int32Array.from({ length: BATCH }, () => Math.floor(10 * random.uniform()));
  return { model, plan, labels };
};

/** Error relative to the tensor's root-mean-square size, over its sampled values and its sums. */
const checkSummary = (label: string, ours: Float32Array, expected: Summary, tolerance: number) => {
  const count = ours.length;
  const rms = Math.sqrt(expected.sumSquares / count) || 1e-12;
  for (const [index, value] of expected.samples) {
    expect(Math.abs(ours[index] - value) / rms, `${label}[${index}]: ours ${ours[index]}, torch ${value}`).toBeLessThan(tolerance);
  }
  let sumAbs = 0;
  let sumSquares = 0;
  for (const value of ours) {
    sumAbs += Math.abs(value);
    sumSquares += value * value;
  }
  expect(Math.abs(sumAbs - expected.sumAbs) / expected.sumAbs, `${label} sum of |values|`).toBeLessThan(tolerance);
  expect(Math.abs(sumSquares - expected.sumSquares) / expected.sumSquares, `${label} sum of squares`).toBeLessThan(tolerance);
};

const checkTensors = (model: Model, expected: Record<string, Summary>, tolerance: number, source: 'weights' | 'gradients') => {
  for (const [name, summary] of Object.entries(expected)) checkSummary(`${source} ${name}`, model[source].get(name)!, summary, tolerance);
};

const trainSteps = (name: string, config: OptimizerConfig, learningRate: number, steps: number) => {
  const { model, plan, labels } = setUp(name);
  const loss = lossForHead(model.head.type, model.head.params);
  const slots = [...model.gradients.keys()].map((tensor) => ({
    name: tensor,
    values: model.weights.get(tensor)!,
    gradient: model.gradients.get(tensor)!,
  }));
  const optimizer = createOptimizer(config, slots);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    losses.push(loss.compute(plan.forward(true), labels, plan.headGradient, BATCH));
    plan.backward();
    optimizer.step(learningRate);
  }
  return { model, losses };
};

describe.each(Object.keys(fixture.models))(`%s against PyTorch ${fixture.torch}`, (name) => {
  const expected = fixture.models[name];

  it('draws the same initial weights and names them in state_dict order', () => {
    const { model } = setUp(name);
    expect([...model.weights.keys()]).toEqual(expected.stateDictOrder);
    checkTensors(model, expected.initial, 1e-6, 'weights');
  });

  it('gives the same logits, loss and gradients', () => {
    const { model, plan, labels } = setUp(name);
    const logits = plan.forward(true);
    const scale = Math.max(...expected.logits.flat().map(Math.abs));
    expected.logits.flat().forEach((value, i) => expect(Math.abs(logits[i] - value) / scale, `logit ${i}`).toBeLessThan(1e-4));
    const loss = lossForHead(model.head.type, model.head.params).compute(logits, labels, plan.headGradient, BATCH);
    expect(Math.abs(loss - expected.loss) / expected.loss).toBeLessThan(1e-5);
    plan.backward();
    checkTensors(model, expected.gradients, 1e-4, 'gradients');
  });

  it('gives the same weights after one and three steps of SGD with momentum', () => {
    checkTensors(trainSteps(name, { kind: 'sgd', momentum: 0.9 }, 0.01, 1).model, expected.afterSgd1, 1e-4, 'weights');
    const three = trainSteps(name, { kind: 'sgd', momentum: 0.9 }, 0.01, 3);
    checkTensors(three.model, expected.afterSgd3, 1e-4, 'weights');
    three.losses.forEach((loss, i) => expect(Math.abs(loss - expected.lossesSgd3[i]) / expected.lossesSgd3[i]).toBeLessThan(1e-4));
  });

  it('gives the same weights after one and three steps of Adam', () => {
    checkTensors(trainSteps(name, { kind: 'adam' }, 0.001, 1).model, expected.afterAdam1, 1e-4, 'weights');
    const three = trainSteps(name, { kind: 'adam' }, 0.001, 3);
    checkTensors(three.model, expected.afterAdam3, 1e-4, 'weights');
    three.losses.forEach((loss, i) => expect(Math.abs(loss - expected.lossesAdam3[i]) / expected.lossesAdam3[i]).toBeLessThan(1e-4));
  });
});
