// The synthetic shapes feed the training engine: LeNet-5 learns them with a finite, falling loss.
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { applyPreprocess } from '../../../engine/data/preprocess';
import { splitDataset } from '../../../engine/data/split';
import { SyntheticShapesDataset } from '../../../engine/data/synthetic-shapes';
import { findTemplate } from '../../../engine/graph/templates';
import { compileModel } from '../../../engine/train/plan';
import { Trainer } from '../../../engine/train/trainer';

describe('training on synthetic shapes', () => {
  it('LeNet-5 trains: the loss stays finite and falls well below chance', () => {
    const shapes = new SyntheticShapesDataset({ samples: 2000, seed: 11 });
    const { train, validation } = applyPreprocess(splitDataset(shapes, { validation: 0.1, test: 0, seed: 1 }), {
      normalise: true,
      augment: { flipHorizontal: true, shift: 1 },
    });
    const model = compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS);
    const config = { epochs: 3, batchSize: 32, learningRate: 0.003, optimizer: { kind: 'adam' as const }, seed: 3 };
    const trainer = new Trainer(model, config, train, validation);
    trainer.initialiseWeights();
    const losses: number[] = [];
    const reports = trainer.fit({ onStep: (report) => losses.push(report.loss) });
    expect(reports).toHaveLength(3);
    expect(losses).toHaveLength(3 * 57);
    expect(losses.every(Number.isFinite)).toBe(true);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(losses.slice(-20))).toBeLessThan(0.6 * mean(losses.slice(0, 20)));
    expect(reports[2].trainLoss).toBeLessThan(reports[0].trainLoss);
    // Four balanced classes: guessing scores ln 4 ≈ 1.39 and 25%.
    expect(reports[2].validation!.loss).toBeLessThan(1);
    expect(reports[2].validation!.classification!.accuracy).toBeGreaterThan(0.6);
  });
});
