// A factorised convolution's stages as convolutions of their own (stage-model.ts): each stage's
// patch matrix times filter matrix, plus its bias, equals the engine's forward pass of that stage
// in the expanded graph, and the second stage's output equals the engine's forward pass of the
// factorised node itself, so the stages carry the node's own weights.
import { describe, expect, it } from 'vitest';
import { explainStage, stageModel } from '../../../engine/viz/stage-model';
import { layerInput } from '../../../engine/viz/layer-input';
import { chainModel, probePlan, randomSample, type Layer } from './helpers';

const CASES: { name: string; shape: [number, number, number]; layer: Layer }[] = [
  {
    name: 'depthwise separable 3×3, 3 → 5 channels, depth multiplier 2, padding same',
    shape: [3, 9, 8],
    layer: ['sep', 'SeparableConv2D', { filters: 5, kernel: 3, depthMultiplier: 2, padding: 'same' }],
  },
  {
    name: 'depthwise separable 3×2, stride 2, dilation 2, no bias',
    shape: [2, 11, 10],
    layer: ['sep', 'SeparableConv2D', { filters: 4, kernel: [3, 2], stride: 2, dilation: 2, bias: false }],
  },
  {
    name: 'spatially separable 5, 2 → 4 channels, padding same',
    shape: [2, 10, 9],
    layer: ['sep', 'SpatiallySeparableConv2D', { filters: 4, kernel: 5, padding: 'same' }],
  },
  {
    name: 'spatially separable 3, stride 2 by 1, valid',
    shape: [3, 9, 7],
    layer: ['sep', 'SpatiallySeparableConv2D', { filters: 2, kernel: 3, stride: [2, 1] }],
  },
];

describe("a factorised convolution's stages", () => {
  for (const c of CASES) {
    it(`each stage's product is the expanded stage's forward, and the last the node's: ${c.name}`, () => {
      const model = chainModel(c.shape, [c.layer], 7);
      const x = randomSample(c.shape[0] * c.shape[1] * c.shape[2], 8);
      const stages = stageModel(model, 'sep');
      const stagePlan = probePlan(stages.model);
      stagePlan.input.set(x);
      stagePlan.forward(false);
      for (const [stage, stageId] of stages.stageIds.entries()) {
        const engine = stagePlan.activation(stageId)!;
        const first = explainStage(stages, stage, x);
        if (first.kind !== 'conv') throw new Error(`stage ${stage} is not shown as a convolution`);
        expect(first.nodeId).toBe(stageId);
        expect(first.input).toEqual(layerInput(stages.model, stageId, x));
        const bias = stages.model.weights.get(`${stageId}.bias`);
        const positions = first.matrices.window.outH * first.matrices.window.outW;
        let compared = 0;
        for (let group = 0; group < first.groups; group++) {
          const explained = explainStage(stages, stage, x, group);
          if (explained.kind !== 'conv') throw new Error(`stage ${stage} is not shown as a convolution`);
          const { product, firstFilter } = explained.matrices;
          for (let p = 0; p < positions; p++)
            for (let f = 0; f < product.columns; f++) {
              const filter = firstFilter + f;
              const ours = product.values[p * product.columns + f] + (bias ? bias[filter] : 0);
              expect(Math.abs(ours - engine[filter * positions + p])).toBeLessThan(1e-5);
              compared++;
            }
        }
        expect(compared).toBe(engine.length);
      }

      const whole = probePlan(model);
      whole.input.set(x);
      whole.forward(false);
      const nodeOutput = whole.activation('sep')!;
      const lastStage = stagePlan.activation(stages.stageIds[1])!;
      expect(lastStage.length).toBe(nodeOutput.length);
      for (let i = 0; i < nodeOutput.length; i++) expect(Math.abs(lastStage[i] - nodeOutput[i])).toBeLessThan(1e-5);
    });
  }

  it('says which layer has no stages', () => {
    const model = chainModel([1, 6, 6], [['conv', 'Conv2D', { filters: 2, kernel: 3 }]]);
    expect(() => stageModel(model, 'conv')).toThrow('conv: only separable convolutions have stages; a Conv2D layer has none');
    expect(() => stageModel(model, 'nothing')).toThrow("there is no layer 'nothing' in the network");
  });
});
