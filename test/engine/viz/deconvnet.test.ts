// The deconvnet's projection on cases whose answer is known: a first-layer feature projects to
// its filter placed at the activation; through max pooling, at the switch's place; ReLU rectifies
// the signal rather than masking it; layers it cannot invert are named.
import { describe, expect, it } from 'vitest';
import { deconvnetProjection } from '../../../engine/viz/deconvnet';
import { chainModel, probePlan, randomSample } from './helpers';

/** The filter `f` of a [F, C, k, k] weight, scaled by `value` and placed with its top-left at (top, left) of a [C, H, W] image (clipped). */
const placedFilter = (weight: Float32Array, f: number, shape: number[], k: number, top: number, left: number, value: number) => {
  const [C, H, W] = shape;
  const out = new Float32Array(C * H * W);
  for (let c = 0; c < C; c++)
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) {
        const y = top + i;
        const x = left + j;
        if (y >= 0 && y < H && x >= 0 && x < W) out[(c * H + y) * W + x] = value * weight[((f * C + c) * k + i) * k + j];
      }
  return out;
};

const expectClose = (actual: Float32Array, expected: Float32Array) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(1e-6);
};

describe('deconvnet projection', () => {
  it('projects a first-layer feature to its filter pattern placed at the activation, padding clipping it', () => {
    const model = chainModel(
      [2, 10, 10],
      [
        ['conv1', 'Conv2D', { filters: 3, kernel: 5, padding: 2, bias: true }],
        ['relu1', 'ReLU'],
      ],
    );
    const plan = probePlan(model);
    const sample = randomSample(200, 4);
    const weight = model.weights.get('conv1.weight')!;
    for (const channel of [0, 1, 2]) {
      const projection = deconvnetProjection(plan, sample, 'relu1', channel);
      expect(projection.value).toBeGreaterThan(0);
      // the largest activation of the channel, found here independently
      const relu = plan.activation('relu1')!;
      const plane = relu.subarray(channel * 100, channel * 100 + 100);
      expect(projection.value).toBe(Math.max(...plane));
      expect(plane[projection.y * 10 + projection.x]).toBe(projection.value);
      expectClose(projection.pixels, placedFilter(weight, channel, [2, 10, 10], 5, projection.y - 2, projection.x - 2, projection.value));
    }
    // a corner activation, asked for by place: the filter hangs over the edge and is clipped
    const corner = deconvnetProjection(plan, sample, 'conv1', 1, { y: 0, x: 9 });
    expectClose(corner.pixels, placedFilter(weight, 1, [2, 10, 10], 5, -2, 7, corner.value));
  });

  it('unpools through the switches: a pooled feature projects to the filter at the winning place', () => {
    const model = chainModel(
      [1, 8, 8],
      [
        ['conv1', 'Conv2D', { filters: 2, kernel: 3, stride: 1 }],
        ['relu1', 'ReLU'],
        ['pool1', 'MaxPool2D', { kernel: 2, stride: 2 }],
      ],
    );
    const plan = probePlan(model);
    const sample = randomSample(64, 5);
    const projection = deconvnetProjection(plan, sample, 'pool1', 0);
    const relu = plan.activation('relu1')!;
    // the winner of the pooling window in relu1 (6×6), found here
    let best = { y: 0, x: 0, value: -Infinity };
    for (let dy = 0; dy < 2; dy++)
      for (let dx = 0; dx < 2; dx++) {
        const y = projection.y * 2 + dy;
        const x = projection.x * 2 + dx;
        if (relu[y * 6 + x] > best.value) best = { y, x, value: relu[y * 6 + x] };
      }
    expect(best.value).toBe(projection.value);
    expectClose(projection.pixels, placedFilter(model.weights.get('conv1.weight')!, 0, [1, 8, 8], 3, best.y, best.x, projection.value));
  });

  it('rectifies the signal at a ReLU where the gradient would mask it', () => {
    // conv1 → relu → conv2 (1×1) → relu: with a negative 1×1 weight the signal reaching relu1 is
    // negative everywhere; the deconvnet rectifies it to zero, the gradient would pass it.
    const model = chainModel(
      [1, 6, 6],
      [
        ['conv1', 'Conv2D', { filters: 1, kernel: 3, padding: 1, bias: false }],
        ['relu1', 'ReLU'],
        ['conv2', 'Conv2D', { filters: 1, kernel: 1, bias: true }],
        ['relu2', 'ReLU'],
      ],
    );
    model.weights.get('conv2.weight')!.fill(-1);
    model.weights.get('conv2.bias')!.fill(10);
    const plan = probePlan(model);
    const projection = deconvnetProjection(plan, randomSample(36, 6), 'relu2', 0);
    expect(projection.value).toBeGreaterThan(0);
    expect(projection.pixels.every((v) => v === 0)).toBe(true);
  });

  it('passes batch norm (inference) and names the layers it cannot invert', () => {
    const model = chainModel(
      [1, 6, 6],
      [
        ['conv1', 'Conv2D', { filters: 2, kernel: 3 }],
        ['bn1', 'BatchNorm2D'],
        ['tanh1', 'Tanh'],
        ['conv2', 'Conv2D', { filters: 2, kernel: 3 }],
      ],
    );
    const plan = probePlan(model);
    const sample = randomSample(36, 7);
    const bn = deconvnetProjection(plan, sample, 'bn1', 0, { y: 1, x: 1 });
    // BN with running mean 0 and variance 1 scales by γ/√(1 + eps): the filter at (1, 1), scaled
    const gamma = model.weights.get('bn1.weight')![0] / Math.sqrt(1 + 1e-5);
    expectClose(bn.pixels, placedFilter(model.weights.get('conv1.weight')!, 0, [1, 6, 6], 3, 1, 1, bn.value * gamma));
    expect(() => deconvnetProjection(plan, sample, 'conv2', 0)).toThrow('the deconvnet cannot invert tanh1 (Tanh)');
    expect(() => deconvnetProjection(plan, sample, 'conv1', 5)).toThrow('conv1 has channels 0 to 1, not 5');
  });
});
