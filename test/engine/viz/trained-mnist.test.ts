// The views that need a trained network, on LeNet-5 trained briefly on a subset of real MNIST:
// occlusion sensitivity, the top activating samples of a feature, and the confusion report.
import { beforeAll, describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import type { ByteImageDataset } from '../../../engine/data/dataset';
import { findTemplate } from '../../../engine/graph/templates';
import { compileModel, Plan } from '../../../engine/train/plan';
import { Trainer } from '../../../engine/train/trainer';
import { confusionReport } from '../../../engine/viz/confusion';
import { occlusion, placesAlong } from '../../../engine/viz/occlusion';
import { receptiveField } from '../../../engine/viz/receptive-field';
import { topActivations } from '../../../engine/viz/top-patches';
import { loadMnist } from '../../../electron/services/datasets/mnist';

let trainer: Trainer;
let validation: ByteImageDataset;

beforeAll(() => {
  validation = loadMnist('test').take(300);
  const model = compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS);
  trainer = new Trainer(
    model,
    { epochs: 1, batchSize: 32, learningRate: 0.002, optimizer: { kind: 'adam' }, seed: 3 },
    loadMnist('train').take(4096),
    validation,
  );
  trainer.initialiseWeights();
  trainer.runEpoch();
}, 120_000);

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

const sampleOf = (index: number): { pixels: Float32Array; label: number } => {
  const pixels = new Float32Array(784);
  const label = new Int32Array(1);
  validation.fill(Int32Array.of(index), 0, 1, pixels, label);
  return { pixels, label: label[0] };
};

describe('on a trained LeNet-5', () => {
  it('occluding the digit lowers its class probability more than occluding the empty border', () => {
    const plan = new Plan(trainer.model, 16, () => 0.5);
    const size = 8;
    const stride = 4;
    const places = placesAlong(28, size, stride);
    const inkUnder = (pixels: Float32Array, top: number, left: number) => {
      let ink = 0;
      for (let y = top; y < top + size; y++) for (let x = left; x < left + size; x++) ink += pixels[y * 28 + x];
      return ink;
    };
    let compared = 0;
    for (let index = 0; index < 30 && compared < 12; index++) {
      const { pixels, label } = sampleOf(index);
      const map = occlusion(plan, pixels, label, { size, stride });
      if (map.baseline < 0.5) continue;
      expect([map.rows, map.columns]).toEqual([places.length, places.length]);
      // squares over the digit (a fair amount of ink under them) against squares over nothing
      const digit: number[] = [];
      const border: number[] = [];
      let largest = { drop: -Infinity, ink: 0 };
      map.drop.forEach((drop, at) => {
        const ink = inkUnder(pixels, places[Math.floor(at / map.columns)], places[at % map.columns]);
        if (ink >= 4) digit.push(drop);
        if (ink === 0) border.push(drop);
        if (drop > largest.drop) largest = { drop, ink };
      });
      expect(digit.length).toBeGreaterThan(0);
      expect(border.length).toBeGreaterThan(0);
      expect(mean(digit)).toBeGreaterThan(mean(border) + 0.01);
      // and the square that hurts most covers some of the digit
      expect(largest.ink).toBeGreaterThan(0);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(10);
  });

  it('finds the samples where a feature fires most, with the receptive field of the place', () => {
    const batch = new Plan(trainer.model, 32, () => 0.5);
    const indices = Int32Array.from({ length: 120 }, (_, i) => i);
    const top = topActivations(batch, validation, 'conv2', 3, { indices });
    expect(top).toHaveLength(9);
    // each sample's largest activation of conv2's channel 3 ([16, 10, 10]), one sample at a time
    const single = new Plan(trainer.model, 1, () => 0.5);
    const largest = [...indices].map((index) => {
      single.input.set(sampleOf(index).pixels);
      single.forward(false);
      const plane = single.activation('conv2')!.subarray(300, 400);
      let where = 0;
      for (let i = 1; i < 100; i++) if (plane[i] > plane[where]) where = i;
      return { sample: index, value: plane[where], y: Math.floor(where / 10), x: where % 10 };
    });
    largest.sort((a, b) => b.value - a.value || a.sample - b.sample);
    expect(top.map(({ sample, y, x }) => ({ sample, y, x }))).toEqual(largest.slice(0, 9).map(({ sample, y, x }) => ({ sample, y, x })));
    top.forEach((entry, i) => {
      expect(entry.value).toBeCloseTo(largest[i].value, 4);
      expect(entry.field).toEqual(receptiveField(trainer.model, 'conv2', entry.y, entry.x));
    });
  });

  it('reports the confusion matrix and per-class accuracy the trainer measures, and the mistakes', () => {
    const plan = new Plan(trainer.model, 64, () => 0.5);
    const report = confusionReport(plan, validation, { limit: 1000 });
    const evaluation = trainer.evaluate(validation).classification!;
    expect(report.samples).toBe(300);
    expect([...report.counts]).toEqual([...evaluation.confusion]);
    expect(report.accuracy).toBeCloseTo(evaluation.accuracy, 10);
    expect(report.accuracy).toBeGreaterThan(0.7);
    [...report.perClass].forEach((value, k) => expect(value).toBeCloseTo(evaluation.perClass[k], 10));
    const offDiagonal = [...report.counts].reduce((sum, n, i) => sum + (i % 11 === 0 ? 0 : n), 0);
    expect(report.wrong).toBe(offDiagonal);
    expect(report.misclassified).toHaveLength(offDiagonal);
    for (const wrong of report.misclassified) {
      expect(wrong.predicted).not.toBe(wrong.label);
      expect(sampleOf(wrong.sample).label).toBe(wrong.label);
    }
    for (let i = 1; i < report.misclassified.length; i++)
      expect(report.misclassified[i - 1].confidence).toBeGreaterThanOrEqual(report.misclassified[i].confidence);
    expect(confusionReport(plan, validation, { limit: 3 }).misclassified).toEqual(report.misclassified.slice(0, 3));
  });
});
