// Receptive fields worked out from the graph, on LeNet-5 and on a strided, dilated, 'same' chain.
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { findTemplate } from '../../../engine/graph/templates';
import { compileModel } from '../../../engine/train/plan';
import { receptiveField } from '../../../engine/viz/receptive-field';
import { chainModel } from './helpers';

describe('receptiveField', () => {
  const lenet = compileModel(findTemplate('lenet5')!.build(), CPU_LAYERS);

  it("follows LeNet-5's convolutions and pooling back to the input", () => {
    // conv1 5×5 pad 2: one pixel sees 5×5 around it
    expect(receptiveField(lenet, 'conv1', 10, 10)).toEqual({ top: 8, bottom: 12, left: 8, right: 12 });
    expect(receptiveField(lenet, 'relu1', 0, 27)).toEqual({ top: 0, bottom: 2, left: 25, right: 27 });
    // conv2 (5, 5) ← pool1 5..9 ← relu1 10..19 ← input 8..21
    expect(receptiveField(lenet, 'conv2', 5, 5)).toEqual({ top: 8, bottom: 21, left: 8, right: 21 });
    // pool2 (0, 0) ← conv2 0..1 ← pool1 0..5 ← relu1 0..11 ← input -2..13, clipped at the edge
    expect(receptiveField(lenet, 'pool2', 0, 0)).toEqual({ top: 0, bottom: 13, left: 0, right: 13 });
    // past Flatten everything is seen
    expect(receptiveField(lenet, 'fc1', 0, 0)).toEqual({ top: 0, bottom: 27, left: 0, right: 27 });
  });

  it('handles stride, dilation and same padding', () => {
    const model = chainModel(
      [1, 20, 20],
      [
        ['a', 'Conv2D', { filters: 1, kernel: 3, stride: 2, padding: 'same' }],
        ['b', 'Conv2D', { filters: 1, kernel: 3, dilation: 2 }],
      ],
    );
    // a: same, stride 2 on 20 → 10, total padding 1: before 0. a(y) sees 2y .. 2y + 2
    expect(receptiveField(model, 'a', 3, 9)).toEqual({ top: 6, bottom: 8, left: 18, right: 19 });
    // b(y) sees a(y .. y + 4) → input 2y .. 2y + 10
    expect(receptiveField(model, 'b', 1, 2)).toEqual({ top: 2, bottom: 12, left: 4, right: 14 });
  });
});
