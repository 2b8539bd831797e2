/**
 * CPU layers other than the convolution family and Dense: gradient checks by finite differences
 * over many parameter combinations, and forward values against naive reference implementations
 * written here from the definitions (PyTorch's semantics), independently of the kernels.
 */
import { describe, expect, it } from 'vitest';
import { inferLayer } from '../../../../engine/graph/analyze';
import type { LayerType } from '../../../../engine/graph/layer-types';
import { LAYER_TYPES } from '../../../../engine/graph/layer-types';
import { elementCount, type Shape } from '../../../../engine/graph/shape';
import { erf, erfc, gelu } from '../../../../engine/backends/cpu/kernels/elementwise';
import { avgPoolForward, maxPoolForward, poolWindowOf } from '../../../../engine/backends/cpu/kernels/pooling';
import { batchNormForward } from '../../../../engine/backends/cpu/kernels/normalisation';
import {
  BASIC_CPU_LAYERS,
  addLayer,
  avgPool2dLayer,
  batchNorm2dLayer,
  binaryHeadLayer,
  classificationHeadLayer,
  concatLayer,
  dropoutLayer,
  flattenLayer,
  geluLayer,
  globalAvgPoolLayer,
  globalMaxPoolLayer,
  imageHeadLayer,
  inputLayer,
  leakyReluLayer,
  maxPool2dLayer,
  regressionHeadLayer,
  reluLayer,
  sigmoidLayer,
  softmaxLayer,
  tanhLayer,
  upsampleLayer,
} from '../../../../engine/backends/cpu/layers/basic';
import type { CpuLayer, ForwardContext } from '../../../../engine/backends/cpu/types';
import { checkGradients, seededRandom, setUpLayer, type LayerRun } from './harness';

const expectClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-12, label = ''): void => {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(error <= tolerance)) expect.fail(`${label}[${i}]: ${actual[i]} vs expected ${expected[i]}`);
  }
};

/** Scales a run's inputs in place, to reach the saturated and far-negative parts of an activation. */
const scaleInputs = (run: LayerRun, factor: number): LayerRun => {
  for (const input of run.inputs) input.forEach((value, index) => (input[index] = value * factor));
  return run;
};

// ---------------------------------------------------------------- naive pooling reference

/** TensorFlow's 'same' along one axis: [before, after]. */
const tfSame = (size: number, kernel: number, stride: number): [number, number] => {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
};

type WrittenPadding = 'valid' | 'same' | number | [number, number] | [number, number, number, number];

/** [top, bottom, left, right]. */
const sides = (padding: WrittenPadding, shape: Shape, kernel: [number, number], stride: [number, number]): number[] => {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') return [...tfSame(shape[1], kernel[0], stride[0]), ...tfSame(shape[2], kernel[1], stride[1])];
  if (typeof padding === 'number') return [padding, padding, padding, padding];
  if (padding.length === 2) return [padding[0], padding[0], padding[1], padding[1]];
  return [...padding];
};

/** PyTorch's output size along one axis, with its ceil-mode rule for a last window starting in the padding. */
const pooledSize = (size: number, kernel: number, stride: number, before: number, after: number, ceil: boolean): number => {
  const span = size + before + after - kernel;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && (out - 1) * stride >= size + before) out -= 1;
  return out;
};

interface PoolCase {
  kernel: [number, number];
  stride: [number, number];
  padding: WrittenPadding;
  ceilMode: boolean;
  countIncludePad?: boolean;
}

/**
 * Pools by building each padded plane explicitly (padding −∞ for max, 0 for average) and
 * reading every window position that lies inside the padded plane; an average divides by the
 * positions read (countIncludePad) or by the real pixels among them.
 */
const naivePool = (
  kind: 'max' | 'avg',
  input: Float64Array,
  batch: number,
  shape: Shape,
  p: PoolCase,
): { shape: Shape; values: number[] } => {
  const [channels, height, width] = shape;
  const [top, bottom, left, right] = sides(p.padding, shape, p.kernel, p.stride);
  const paddedH = top + height + bottom;
  const paddedW = left + width + right;
  const outH = pooledSize(height, p.kernel[0], p.stride[0], top, bottom, p.ceilMode);
  const outW = pooledSize(width, p.kernel[1], p.stride[1], left, right, p.ceilMode);
  const values: number[] = [];
  for (let plane = 0; plane < batch * channels; plane++) {
    const padded: { value: number; real: boolean }[][] = [];
    for (let i = 0; i < paddedH; i++) {
      padded.push([]);
      for (let j = 0; j < paddedW; j++) {
        const h = i - top;
        const w = j - left;
        const real = h >= 0 && h < height && w >= 0 && w < width;
        padded[i].push({ value: real ? input[plane * height * width + h * width + w] : kind === 'max' ? -Infinity : 0, real });
      }
    }
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const cells = [];
        for (let i = oh * p.stride[0]; i < oh * p.stride[0] + p.kernel[0]; i++) {
          for (let j = ow * p.stride[1]; j < ow * p.stride[1] + p.kernel[1]; j++) if (i < paddedH && j < paddedW) cells.push(padded[i][j]);
        }
        if (kind === 'max') values.push(Math.max(...cells.map((cell) => cell.value)));
        else {
          const sum = cells.reduce((total, cell) => total + cell.value, 0);
          values.push(sum / (p.countIncludePad ? cells.length : cells.filter((cell) => cell.real).length));
        }
      }
    }
  }
  return { shape: [channels, outH, outW], values };
};

/** Every pooling combination the graph accepts: windows 1–4 (and non-square), strides 1–3, four paddings, ceil mode. */
const poolCases = (): PoolCase[] => {
  const kernels: [number, number][] = [
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4],
    [2, 3],
    [3, 1],
  ];
  const strides: [number, number][] = [
    [1, 1],
    [2, 2],
    [3, 3],
    [1, 2],
    [3, 2],
  ];
  const cases: PoolCase[] = [];
  for (const kernel of kernels) {
    const half: [number, number] = [Math.floor(kernel[0] / 2), Math.floor(kernel[1] / 2)];
    const paddings: WrittenPadding[] = ['valid', 'same', half];
    if (half[0] > 0 && half[1] > 0) paddings.push([half[0], 0, 0, half[1]]);
    for (const stride of strides)
      for (const padding of paddings) for (const ceilMode of [false, true]) cases.push({ kernel, stride, padding, ceilMode });
  }
  return cases;
};

const POOL_SHAPE: Shape = [2, 5, 7];
const accepted = (type: LayerType, params: object, shapes: Shape[]): boolean => inferLayer(type, { ...params }, shapes).result !== null;
const describeCase = (p: PoolCase): string =>
  `k${p.kernel.join('×')} s${p.stride.join('×')} pad ${JSON.stringify(p.padding)}${p.ceilMode ? ' ceil' : ''}`;

describe('max and average pooling', () => {
  const cases = poolCases().filter((p) => accepted('MaxPool2D', p, [POOL_SHAPE]));

  it('covers many combinations, including ceil mode', () => {
    expect(cases.length).toBeGreaterThan(200);
    expect(cases.filter((p) => p.ceilMode).length).toBeGreaterThan(100);
  });

  it.each(cases.map((p, index) => [describeCase(p), p, index % 2 === 0 ? 1 : 3] as const))('max %s', (_name, p, batch) => {
    const run = setUpLayer(maxPool2dLayer, 'MaxPool2D', { ...p }, [POOL_SHAPE], { batch, seed: batch + 7 });
    const reference = naivePool('max', run.inputs[0], batch, POOL_SHAPE, p);
    expect(run.outputShape).toEqual(reference.shape);
    expectClose(run.forward(), reference.values);
    checkGradients(run);
  });

  it.each(
    cases.flatMap((p, index) =>
      [true, false].map((countIncludePad) => [describeCase(p), countIncludePad, p, index % 2 === 0 ? 3 : 1] as const),
    ),
  )('average %s countIncludePad %s', (_name, countIncludePad, p, batch) => {
    const params = { ...p, countIncludePad };
    const run = setUpLayer(avgPool2dLayer, 'AvgPool2D', params, [POOL_SHAPE], { batch, seed: batch + 11 });
    const reference = naivePool('avg', run.inputs[0], batch, POOL_SHAPE, params);
    expect(run.outputShape).toEqual(reference.shape);
    expectClose(run.forward(), reference.values);
    checkGradients(run);
  });

  it('drops a ceil-mode window that would start in the trailing padding (PyTorch)', () => {
    const p: PoolCase = { kernel: [2, 2], stride: [2, 2], padding: 1, ceilMode: true, countIncludePad: true };
    const run = setUpLayer(avgPool2dLayer, 'AvgPool2D', { ...p }, [[1, 5, 5]]);
    // ⌈(5 + 2 − 2)/2⌉ + 1 = 4, but the fourth window would start at padded row 6, in the padding.
    expect(run.outputShape).toEqual([1, 3, 3]);
    expectClose(run.forward(), naivePool('avg', run.inputs[0], 2, [1, 5, 5], p).values);
  });

  it('clips a ceil-mode window at the padded edge, so the part past it never counts', () => {
    for (const countIncludePad of [true, false]) {
      // 6 rows, window 3, stride 2, padding 1: ⌈(6 + 2 − 3)/2⌉ + 1 = 4 windows; the last covers padded rows 6–8 of 0–7.
      const p: PoolCase = { kernel: [3, 3], stride: [2, 2], padding: 1, ceilMode: true, countIncludePad };
      const run = setUpLayer(avgPool2dLayer, 'AvgPool2D', { ...p }, [[2, 6, 6]], { batch: 3 });
      expect(run.outputShape).toEqual([2, 4, 4]);
      expectClose(run.forward(), naivePool('avg', run.inputs[0], 3, [2, 6, 6], p).values);
      checkGradients(run);
    }
  });

  it('counts padding as −∞ in max pooling even where every real value is negative', () => {
    const run = setUpLayer(maxPool2dLayer, 'MaxPool2D', { kernel: 3, stride: 1, padding: 1 }, [[1, 3, 3]], { batch: 1 });
    run.inputs[0].forEach((value, index) => (run.inputs[0][index] = -1 - Math.abs(value)));
    const output = run.forward();
    for (const value of output) expect(value).toBeLessThan(-1);
  });

  it('works on float32 buffers', () => {
    const shape: Shape = [3, 6, 5];
    const params = { kernel: [3, 2] as [number, number], stride: [2, 2] as [number, number], padding: { mode: 'same' as const } };
    const output: Shape = [3, 3, 3];
    const window = poolWindowOf(params, shape, output);
    const random = seededRandom(5);
    const input64 = Float64Array.from({ length: 2 * elementCount(shape) }, () => random() * 2 - 1);
    const input32 = Float32Array.from(input64);
    for (const kind of ['max', 'avg'] as const) {
      const out64 = new Float64Array(2 * elementCount(output));
      const out32 = new Float32Array(out64.length);
      if (kind === 'max') {
        maxPoolForward(input64, out64, new Int32Array(out64.length), 2, window);
        maxPoolForward(input32, out32, new Int32Array(out64.length), 2, window);
      } else {
        avgPoolForward(input64, out64, new Float64Array(9), 2, window, false);
        avgPoolForward(input32, out32, new Float32Array(9), 2, window, false);
      }
      expectClose(out32, out64, 1e-6, kind);
    }
  });
});

describe('global pooling', () => {
  const shapes: Shape[] = [
    [3, 4, 5],
    [2, 1, 1],
    [1, 7, 3],
  ];
  it.each(shapes.flatMap((shape) => [1, 3].map((batch) => [shape.join('×'), shape, batch] as const)))(
    '%s batch %i',
    (_name, shape, batch) => {
      const size = shape[1] * shape[2];
      for (const [layer, type] of [
        [globalAvgPoolLayer, 'GlobalAvgPool'],
        [globalMaxPoolLayer, 'GlobalMaxPool'],
      ] as const) {
        const run = setUpLayer(layer, type, {}, [shape], { batch });
        expect(run.outputShape).toEqual([shape[0]]);
        const expected = [];
        for (let plane = 0; plane < batch * shape[0]; plane++) {
          const values = Array.from(run.inputs[0].subarray(plane * size, (plane + 1) * size));
          expected.push(type === 'GlobalMaxPool' ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / size);
        }
        expectClose(run.forward(), expected);
        checkGradients(run);
      }
    },
  );
});

// ---------------------------------------------------------------- batch norm

describe('batch normalisation', () => {
  const configs = [
    { shape: [3, 4, 5], batch: 3, eps: 1e-5, momentum: 0.1 },
    { shape: [2, 3, 3], batch: 1, eps: 1e-3, momentum: 0.5 },
    { shape: [4, 1, 1], batch: 3, eps: 1e-5, momentum: 0 },
    { shape: [1, 5, 2], batch: 2, eps: 0.1, momentum: 1 },
  ];
  const cases = configs.flatMap((config) => [true, false].map((training) => [JSON.stringify(config), training, config] as const));

  it.each(cases)('gradients %s training %s', (_name, training, { shape, batch, eps, momentum }) => {
    const run = setUpLayer(batchNorm2dLayer, 'BatchNorm2D', { eps, momentum }, [shape], { batch, training });
    checkGradients(run);
  });

  it('declares weight, bias, running_mean and running_var as PyTorch does', () => {
    const specs = batchNorm2dLayer.weights({ eps: 1e-5, momentum: 0.1 }, [[6, 4, 4]], [6, 4, 4]);
    expect(specs.map(({ name, role, trainable, shape }) => ({ name, role, trainable, shape }))).toEqual([
      { name: 'weight', role: 'gamma', trainable: true, shape: [6] },
      { name: 'bias', role: 'beta', trainable: true, shape: [6] },
      { name: 'running_mean', role: 'running_mean', trainable: false, shape: [6] },
      { name: 'running_var', role: 'running_var', trainable: false, shape: [6] },
    ]);
  });

  /** Per channel over (N, H, W): mean, biased variance and unbiased variance. */
  const channelStats = (values: Float64Array, batch: number, [channels, height, width]: Shape) => {
    const size = height * width;
    return Array.from({ length: channels }, (_, c) => {
      const xs: number[] = [];
      for (let n = 0; n < batch; n++) for (let i = 0; i < size; i++) xs.push(values[(n * channels + c) * size + i]);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const squares = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
      return { mean, biased: squares / xs.length, unbiased: squares / (xs.length - 1) };
    });
  };

  it('normalises each channel to mean 0 and variance 1 in training (γ = 1, β = 0)', () => {
    const shape: Shape = [3, 4, 5];
    const run = setUpLayer(batchNorm2dLayer, 'BatchNorm2D', { eps: 1e-12 }, [shape], { batch: 3 });
    run.inputs[0].forEach((value, index) => (run.inputs[0][index] = 5 * value + 3));
    run.weights.weight.fill(1);
    run.weights.bias.fill(0);
    for (const { mean, biased } of channelStats(run.forward(), 3, shape)) {
      expect(Math.abs(mean)).toBeLessThan(1e-12);
      expect(Math.abs(biased - 1)).toBeLessThan(1e-9);
    }
  });

  it('moves the running statistics towards the batch mean and UNBIASED variance', () => {
    const shape: Shape = [3, 2, 3];
    const momentum = 0.3;
    const run = setUpLayer(batchNorm2dLayer, 'BatchNorm2D', { momentum }, [shape], { batch: 2 });
    const oldMean = Float64Array.from(run.weights.running_mean);
    const oldVar = Float64Array.from(run.weights.running_var);
    run.forward();
    const stats = channelStats(run.inputs[0], 2, shape);
    expectClose(
      run.weights.running_mean,
      stats.map((s, c) => (1 - momentum) * oldMean[c] + momentum * s.mean),
    );
    expectClose(
      run.weights.running_var,
      stats.map((s, c) => (1 - momentum) * oldVar[c] + momentum * s.unbiased),
    );
  });

  it('uses and keeps the running statistics at inference', () => {
    const shape: Shape = [2, 3, 2];
    const eps = 1e-3;
    const run = setUpLayer(batchNorm2dLayer, 'BatchNorm2D', { eps }, [shape], { batch: 3, training: false });
    const before = { mean: Float64Array.from(run.weights.running_mean), variance: Float64Array.from(run.weights.running_var) };
    const output = run.forward();
    const { weight, bias, running_mean: mean, running_var: variance } = run.weights;
    const expected = Array.from(run.inputs[0], (x, i) => {
      const c = Math.floor(i / 6) % 2;
      return ((x - mean[c]) / Math.sqrt(variance[c] + eps)) * weight[c] + bias[c];
    });
    expectClose(output, expected);
    expectClose(run.weights.running_mean, before.mean, 0);
    expectClose(run.weights.running_var, before.variance, 0);
  });

  it('works on float32 buffers', () => {
    const random = seededRandom(3);
    const values = Float64Array.from({ length: 2 * 3 * 8 }, () => random() * 4 - 1);
    const run = (make: (n: number | ArrayLike<number>) => Float32Array | Float64Array) => {
      const output = make(values.length);
      const buffers = {
        gamma: make([1, 2, 0.5]),
        beta: make([0, 1, -1]),
        runningMean: make(3),
        runningVar: make([1, 1, 1]),
        mean: make(3),
        invStd: make(3),
      };
      batchNormForward(make(values), output, { batch: 2, channels: 3, size: 8 }, buffers, true, 1e-5, 0.1);
      return [...output, ...buffers.runningMean, ...buffers.runningVar];
    };
    expectClose(
      run((n) => new Float32Array(n as number)),
      run((n) => new Float64Array(n as number)),
      1e-5,
    );
  });
});

// ---------------------------------------------------------------- dropout

describe('dropout', () => {
  it('is the identity at inference, forward and backward', () => {
    const run = setUpLayer(dropoutLayer, 'Dropout', { rate: 0.5 }, [[2, 3, 4]], { batch: 3, training: false });
    expectClose(run.forward(), run.inputs[0], 0);
    checkGradients(run);
  });

  it.each([0, 0.2, 0.5, 0.9])('has the gradient of its fixed mask in training (rate %s)', (rate) => {
    const run = setUpLayer(dropoutLayer, 'Dropout', { rate }, [[2, 3, 4]], { batch: 3 });
    const output = run.forward();
    output.forEach((value, index) => {
      if (value !== 0) expect(value).toBeCloseTo(run.inputs[0][index] / (1 - rate), 12);
    });
    checkGradients(run);
  });

  it('keeps close to 1 − rate of a large tensor, scaled by 1/(1 − rate)', () => {
    for (const rate of [0.1, 0.3, 0.75]) {
      const run = setUpLayer(dropoutLayer, 'Dropout', { rate }, [[4, 50, 50]], { batch: 10, seed: 17 });
      const output = run.forward();
      let kept = 0;
      output.forEach((value, index) => {
        if (value === 0) return;
        kept++;
        expect(Math.abs(value - run.inputs[0][index] / (1 - rate))).toBeLessThan(1e-12);
      });
      // 100 000 draws: the standard deviation of the kept fraction is below 0.0015.
      expect(Math.abs(kept / output.length - (1 - rate))).toBeLessThan(0.01);
    }
  });

  it('gives the same mask for the same seed and another for another seed', () => {
    const mask = (seed: number) => {
      const run = setUpLayer(dropoutLayer, 'Dropout', { rate: 0.5 }, [[3, 8, 8]], { batch: 2, seed });
      run.inputs[0].fill(1);
      return Array.from(run.forward(), (value) => (value === 0 ? 0 : 1));
    };
    expect(mask(4)).toEqual(mask(4));
    expect(mask(4)).not.toEqual(mask(5));
  });
});

// ---------------------------------------------------------------- activations

describe('activations', () => {
  const shapes: Shape[] = [[2, 3, 4], [7]];
  const layers: [string, CpuLayer, LayerType, Record<string, unknown>][] = [
    ['ReLU', reluLayer, 'ReLU', {}],
    ['Sigmoid', sigmoidLayer, 'Sigmoid', {}],
    ['Tanh', tanhLayer, 'Tanh', {}],
    ['GELU', geluLayer, 'GELU', {}],
    ...[0, 0.01, 0.2, 1].map(
      (negativeSlope) =>
        [`LeakyReLU ${negativeSlope}`, leakyReluLayer, 'LeakyReLU', { negativeSlope }] as [
          string,
          CpuLayer,
          LayerType,
          Record<string, unknown>,
        ],
    ),
  ];
  const references: Record<string, (x: number, params: Record<string, unknown>) => number> = {
    ReLU: (x) => Math.max(x, 0),
    Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
    Tanh: (x) => (Math.exp(x) - Math.exp(-x)) / (Math.exp(x) + Math.exp(-x)),
    GELU: (x) => x * simpsonNormalCdf(x),
    LeakyReLU: (x, params) => (x > 0 ? x : x * (params.negativeSlope as number)),
  };
  const cases = layers.flatMap(([name, layer, type, params]) =>
    shapes.flatMap((shape) => [1, 3].map((batch) => [name, shape.join('×'), batch, layer, type, params, shape] as const)),
  );

  it.each(cases)('%s on %s, batch %i', (_name, _shape, batch, layer, type, params, shape) => {
    const run = scaleInputs(setUpLayer(layer, type, params, [shape], { batch }), 4);
    const reference = references[type];
    expectClose(
      run.forward(),
      Array.from(run.inputs[0], (x) => reference(x, run.params)),
      1e-12,
    );
    checkGradients(run);
  });

  it('passes no gradient through ReLU at 0, and the slope through LeakyReLU at 0 (PyTorch)', () => {
    for (const [layer, type, slope] of [
      [reluLayer, 'ReLU', 0],
      [leakyReluLayer, 'LeakyReLU', 0.01],
    ] as const) {
      const run = setUpLayer(layer, type, {}, [[3]], { batch: 1 });
      run.inputs[0].set([0, 1, -1]);
      expectClose(run.backward(Float64Array.of(1, 1, 1)).inputs[0], [slope, 1, slope], 0);
    }
  });

  it('keeps sigmoid finite and exact for large |x|', () => {
    const run = setUpLayer(sigmoidLayer, 'Sigmoid', {}, [[4]], { batch: 1 });
    run.inputs[0].set([-800, -40, 40, 800]);
    const output = run.forward();
    expect(output[0]).toBe(0);
    expect(output[1]).toBeCloseTo(Math.exp(-40), 30);
    expect(output[2]).toBe(1);
    expect(output[3]).toBe(1);
  });
});

/** Φ(x) by composite Simpson integration of the normal density: independent of erf. */
function simpsonNormalCdf(x: number): number {
  const steps = 2000;
  const h = x / steps;
  const density = (t: number) => Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
  let sum = density(0) + density(x);
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * density(i * h);
  return 0.5 + (sum * h) / 3;
}

describe('erf', () => {
  it('has the derivative 2/√π·e^(−x²) everywhere to 1e-9, so GELU gradients check at 1e-6', () => {
    for (let x = -7; x <= 7; x += 0.01) {
      const h = 1e-5;
      const numeric = (erf(x + h) - erf(x - h)) / (2 * h);
      expect(Math.abs(numeric - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x))).toBeLessThan(1e-9);
      expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThan(1e-15);
      expect(erf(-x)).toBe(-erf(x));
    }
  });

  it('agrees with Φ by numerical integration to 1e-13', () => {
    for (let x = -6; x <= 6; x += 0.125) expect(Math.abs(gelu(x) - x * simpsonNormalCdf(x))).toBeLessThan(1e-12);
  });

  it('keeps erfc accurate in relative terms in the tail', () => {
    // erfc(x) ~ e^(−x²)/(x√π)·Σ (−1)ⁿ(2n − 1)!!/(2x²)ⁿ, the asymptotic series, at x = 10 (7 terms: error ~1e-11).
    const x = 10;
    let term = 1;
    let sum = 1;
    for (let n = 1; n < 7; n++) sum += term *= -(2 * n - 1) / (2 * x * x);
    const series = (Math.exp(-x * x) / (x * Math.sqrt(Math.PI))) * sum;
    expect(Math.abs(erfc(x) / series - 1)).toBeLessThan(1e-9);
    expect(erf(Number.NaN)).toBeNaN();
  });
});

// ---------------------------------------------------------------- softmax

describe('softmax over channels', () => {
  const cases = ([[4, 3, 2], [6], [1, 2, 2]] as Shape[]).flatMap((shape) =>
    [1, 3].map((batch) => [shape.join('×'), batch, shape] as const),
  );

  it.each(cases)('%s batch %i', (_name, batch, shape) => {
    const run = scaleInputs(setUpLayer(softmaxLayer, 'Softmax', {}, [shape], { batch }), 3);
    const channels = shape[0];
    const inner = elementCount(shape) / channels;
    const expected = new Float64Array(run.inputs[0].length);
    for (let n = 0; n < batch; n++) {
      for (let p = 0; p < inner; p++) {
        const at = (c: number) => n * channels * inner + c * inner + p;
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += Math.exp(run.inputs[0][at(c)]);
        for (let c = 0; c < channels; c++) expected[at(c)] = Math.exp(run.inputs[0][at(c)]) / sum;
      }
    }
    expectClose(run.forward(), expected);
    checkGradients(run);
  });

  it('is stable for large scores', () => {
    const run = setUpLayer(softmaxLayer, 'Softmax', {}, [[3]], { batch: 1 });
    run.inputs[0].set([1000, 999, -1000]);
    const e = Math.exp(-1);
    expectClose(run.forward(), [1 / (1 + e), e / (1 + e), 0]);
  });
});

// ---------------------------------------------------------------- structure

describe('Add, Concat, Flatten', () => {
  it.each([
    [2, [3, 4, 2]],
    [3, [3, 4, 2]],
    [3, [5]],
  ] as const)('Add of %i inputs of %s', (ports, shape) => {
    for (const batch of [1, 3]) {
      const run = setUpLayer(addLayer, 'Add', {}, Array(ports).fill(shape), { batch });
      expectClose(
        run.forward(),
        Array.from(run.inputs[0], (_, i) => run.inputs.reduce((sum, input) => sum + input[i], 0)),
      );
      checkGradients(run);
    }
  });

  const concatCases: [string, Shape[]][] = [
    [
      '2 images',
      [
        [2, 3, 4],
        [1, 3, 4],
      ],
    ],
    [
      '3 images',
      [
        [1, 2, 5],
        [3, 2, 5],
        [2, 2, 5],
      ],
    ],
    ['3 vectors', [[4], [1], [3]]],
  ];
  it.each(concatCases)('Concat of %s', (_name, shapes) => {
    for (const batch of [1, 3]) {
      const run = setUpLayer(concatLayer, 'Concat', {}, shapes, { batch });
      const channels = shapes.reduce((sum, shape) => sum + shape[0], 0);
      const pixels = elementCount(shapes[0]) / shapes[0][0];
      expect(elementCount(run.outputShape)).toBe(channels * pixels);
      const expected: number[] = [];
      for (let n = 0; n < batch; n++) {
        for (let c = 0; c < channels; c++) {
          let port = 0;
          let local = c;
          while (local >= shapes[port][0]) local -= shapes[port++][0];
          for (let p = 0; p < pixels; p++) expected.push(run.inputs[port][(n * shapes[port][0] + local) * pixels + p]);
        }
      }
      expectClose(run.forward(), expected, 0);
      checkGradients(run);
    }
  });

  it('Flatten copies NCHW as it is laid out', () => {
    const run = setUpLayer(flattenLayer, 'Flatten', {}, [[2, 3, 4]], { batch: 3 });
    expect(run.outputShape).toEqual([24]);
    expectClose(run.forward(), run.inputs[0], 0);
    checkGradients(run);
  });
});

// ---------------------------------------------------------------- upsample

/** Nearest: output (y, x) reads input (⌊y·inH/outH⌋, ⌊x·inW/outW⌋). */
const naiveNearest = (input: Float64Array, planes: number, inH: number, inW: number, sh: number, sw: number): number[] => {
  const out: number[] = [];
  for (let p = 0; p < planes; p++)
    for (let y = 0; y < inH * sh; y++)
      for (let x = 0; x < inW * sw; x++)
        out.push(input[p * inH * inW + Math.floor((y * inH) / (inH * sh)) * inW + Math.floor((x * inW) / (inW * sw))]);
  return out;
};

/**
 * Bilinear with align_corners=False, as a sum over every input pixel weighted by the triangle
 * (tent) kernel around the source coordinate (dst + ½)/scale − ½, clamped to [0, in − 1].
 */
const naiveBilinear = (input: Float64Array, planes: number, inH: number, inW: number, sh: number, sw: number): number[] => {
  const source = (dst: number, scale: number, size: number) => Math.min(Math.max((dst + 0.5) / scale - 0.5, 0), size - 1);
  const tent = (d: number) => Math.max(0, 1 - Math.abs(d));
  const out: number[] = [];
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < inH * sh; y++) {
      for (let x = 0; x < inW * sw; x++) {
        const sy = source(y, sh, inH);
        const sx = source(x, sw, inW);
        let sum = 0;
        for (let i = 0; i < inH; i++) for (let j = 0; j < inW; j++) sum += input[p * inH * inW + i * inW + j] * tent(sy - i) * tent(sx - j);
        out.push(sum);
      }
    }
  }
  return out;
};

describe('Upsample', () => {
  const scales: [number, number][] = [
    [2, 2],
    [1, 3],
    [3, 2],
    [2, 1],
    [4, 3],
  ];
  const shapes: Shape[] = [
    [2, 3, 4],
    [1, 5, 2],
    [1, 1, 1],
  ];
  const cases = (['nearest', 'bilinear'] as const).flatMap((mode) =>
    scales.flatMap((scale) =>
      shapes.map((shape, index) => [mode, scale.join('×'), shape.join('×'), mode, scale, shape, index % 2 === 0 ? 3 : 1] as const),
    ),
  );

  it.each(cases)('%s ×%s on %s', (_name, _scale, _shape, mode, scale, shape, batch) => {
    const run = setUpLayer(upsampleLayer, 'Upsample', { mode, scale }, [shape], { batch });
    const [channels, height, width] = shape;
    expect(run.outputShape).toEqual([channels, height * scale[0], width * scale[1]]);
    const reference = mode === 'nearest' ? naiveNearest : naiveBilinear;
    expectClose(run.forward(), reference(run.inputs[0], batch * channels, height, width, scale[0], scale[1]), 1e-12);
    checkGradients(run);
  });

  it('picks nearest pixels with PyTorch’s float32 rule: one pixel back at some multiples of a scale, never elsewhere', () => {
    const width = 64;
    let differences = 0;
    for (let scale = 1; scale <= 64; scale++) {
      const run = setUpLayer(upsampleLayer, 'Upsample', { mode: 'nearest', scale: [1, scale] }, [[1, 1, width]], { batch: 1 });
      run.inputs[0].forEach((_, index) => (run.inputs[0][index] = index));
      run.forward().forEach((source, dst) => {
        const exact = Math.floor(dst / scale);
        if (source === exact) return;
        differences++;
        expect([source, dst % scale], `scale ${scale}, output ${dst}`).toEqual([exact - 1, 0]);
      });
      if (scale === 41) expect(run.forward()[41], 'PyTorch 1.13 maps output 41 of a ×41 upsample to input 0').toBe(0);
    }
    expect(differences).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------- heads, input, the table

describe('heads, Input and the layer table', () => {
  const heads: [string, CpuLayer, LayerType, Record<string, unknown>, Shape][] = [
    ['ClassificationHead', classificationHeadLayer, 'ClassificationHead', { classes: 5 }, [5]],
    ['RegressionHead', regressionHeadLayer, 'RegressionHead', { outputs: 3 }, [3]],
    ['BinaryHead', binaryHeadLayer, 'BinaryHead', { outputs: 2 }, [2]],
    ['ImageHead', imageHeadLayer, 'ImageHead', { loss: 'bce' }, [2, 4, 4]],
  ];
  it.each(heads)('%s is the identity', (_name, layer, type, params, shape) => {
    for (const batch of [1, 3]) {
      const run = setUpLayer(layer, type, params, [shape], { batch });
      expect(layer.weights(run.params, [shape], shape)).toEqual([]);
      expectClose(run.forward(), run.inputs[0], 0);
      checkGradients(run);
    }
  });

  it('Input leaves the buffer the plan filled', () => {
    const output = Float64Array.of(1, 2, 3);
    const context = { output, inputs: [], batch: 1, inputShapes: [], outputShape: [3, 1, 1], training: true } as unknown as ForwardContext;
    inputLayer.forward(context);
    inputLayer.backward({ ...context, gradOutput: new Float64Array(3), gradInputs: [], gradWeights: {} });
    expect(Array.from(output)).toEqual([1, 2, 3]);
    expect(inputLayer.weights({}, [], [3, 1, 1])).toEqual([]);
  });

  it('covers every layer type but the convolution family and Dense', () => {
    const others = ['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'SpatiallySeparableConv2D', 'ConvTranspose2D', 'Dense'];
    expect(Object.keys(BASIC_CPU_LAYERS).sort()).toEqual(LAYER_TYPES.filter((type) => !others.includes(type)).sort());
  });
});
