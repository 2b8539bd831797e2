// Saliency against finite differences, Grad-CAM against its closed form (class activation
// mapping) where the layer feeds global pooling and one dense layer, and their errors.
import { describe, expect, it } from 'vitest';
import { Plan } from '../../../engine/train/plan';
import { classScoreNode } from '../../../engine/viz/class-score';
import { gradCam, saliency } from '../../../engine/viz/saliency';
import { chainModel, probePlan, randomSample } from './helpers';

describe('saliency', () => {
  // Smooth layers (tanh, average pooling), so that central differences are accurate.
  const model = chainModel(
    [2, 8, 8],
    [
      ['conv1', 'Conv2D', { filters: 3, kernel: 3, padding: 1 }],
      ['tanh1', 'Tanh'],
      ['pool1', 'AvgPool2D', { kernel: 2, stride: 2 }],
      ['conv2', 'Conv2D', { filters: 4, kernel: 3 }],
      ['tanh2', 'Tanh'],
      ['flatten', 'Flatten'],
      ['fc', 'Dense', { units: 5 }],
      ['output', 'ClassificationHead', { classes: 5 }],
    ],
  );
  const sample = randomSample(2 * 8 * 8);

  it('equals a central finite-difference estimate of d score / d pixel', () => {
    const plan = probePlan(model);
    const scoreOf = (input: Float32Array, k: number) => {
      plan.input.set(input);
      return plan.forward(false)[k];
    };
    for (const k of [0, 3]) {
      const result = saliency(plan, sample, k);
      expect(result.score).toBeCloseTo(scoreOf(sample, k), 6);
      const gradient = result.gradient.slice();
      let largest = 0;
      for (const g of gradient) largest = Math.max(largest, Math.abs(g));
      expect(largest).toBeGreaterThan(1e-3);
      const h = 1e-2;
      for (let i = 0; i < sample.length; i += 3) {
        const up = sample.slice();
        const down = sample.slice();
        up[i] += h;
        down[i] -= h;
        const estimate = (scoreOf(up, k) - scoreOf(down, k)) / (2 * h);
        expect(Math.abs(gradient[i] - estimate)).toBeLessThan(2e-3 * largest + 1e-5);
      }
      // the map is the largest |gradient| over the two channels
      for (let i = 0; i < 64; i++) expect(result.map[i]).toBe(Math.max(Math.abs(gradient[i]), Math.abs(gradient[64 + i])));
    }
  });

  it('says what is wrong with a plan without input gradients or a class that does not exist', () => {
    expect(() => saliency(probePlan(model), sample, 5)).toThrow('there is no class 5: the network scores 5 classes (0 to 4)');
    expect(() => saliency(new Plan(model, 1, () => 0.5), sample, 0)).toThrow('inputGradient');
  });
});

describe('Grad-CAM', () => {
  // conv → ReLU → global average pooling → dense: the gradient of score k at every pixel of
  // channel c is W[k, c] / (h·w), so Grad-CAM is ReLU(Σ_c W[k, c]·A_c) / (h·w) (Zhou et al.'s CAM).
  const model = chainModel(
    [1, 6, 6],
    [
      ['conv1', 'Conv2D', { filters: 4, kernel: 3 }],
      ['relu1', 'ReLU'],
      ['gap', 'GlobalAvgPool'],
      ['fc', 'Dense', { units: 3 }],
      ['output', 'ClassificationHead', { classes: 3 }],
    ],
  );
  const sample = randomSample(36, 9);

  it('equals class activation mapping where the layer feeds global pooling and a dense layer', () => {
    const plan = probePlan(model);
    const weight = model.weights.get('fc.weight')!;
    for (const k of [0, 1, 2]) {
      const cam = gradCam(plan, sample, k, 'relu1');
      const activation = plan.activation('relu1')!;
      expect([cam.coarseHeight, cam.coarseWidth, cam.height, cam.width]).toEqual([4, 4, 6, 6]);
      for (let c = 0; c < 4; c++) expect(cam.weights[c]).toBeCloseTo(weight[k * 4 + c] / 16, 7);
      for (let i = 0; i < 16; i++) {
        let sum = 0;
        for (let c = 0; c < 4; c++) sum += weight[k * 4 + c] * activation[c * 16 + i];
        expect(cam.coarse[i]).toBeCloseTo(Math.max(0, sum) / 16, 6);
      }
      // upsampled bilinearly to the input: its range stays within the coarse map's
      expect(Math.max(...cam.map)).toBeLessThanOrEqual(Math.max(...cam.coarse) + 1e-7);
      expect(Math.min(...cam.map)).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuses a layer without image output, and one after the class scores', () => {
    const plan = probePlan(model);
    expect(() => gradCam(plan, sample, 0, 'gap')).toThrow('gap outputs [4]; Grad-CAM needs a layer whose output is an image');
    expect(() => gradCam(plan, sample, 0, 'nope')).toThrow("there is no layer 'nope'");
    expect(classScoreNode(model).id).toBe('fc');
  });
});
