/**
 * The convolution family and Dense on the CPU: GEMM against a triple loop, forward values against
 * naive direct definitions, backward passes against finite differences, and the buffer contract
 * (output overwritten, gradients added to, scratch not assumed to be zero, float32 works).
 */
import { describe, expect, it } from 'vitest';
import type { LayerType } from '../../../../engine/graph/layer-types';
import type { Padding } from '../../../../engine/graph/params';
import { elementCount, type Shape } from '../../../../engine/graph/shape';
import {
  conv2dLayer,
  convTranspose2dLayer,
  denseLayer,
  depthwiseConv2dLayer,
  separableConv2dLayer,
  spatiallySeparableConv2dLayer,
} from '../../../../engine/backends/cpu/layers/convolution';
import { gemm } from '../../../../engine/backends/cpu/kernels/gemm';
import type { BackwardContext, CpuLayer, Floats, ForwardContext } from '../../../../engine/backends/cpu/types';
import { checkGradients, seededRandom, setUpLayer, type LayerRun } from './harness';

type Written = Record<string, unknown>;
type Pair = readonly [number, number];

const LAYERS: Partial<Record<LayerType, CpuLayer>> = {
  Conv2D: conv2dLayer as unknown as CpuLayer,
  DepthwiseConv2D: depthwiseConv2dLayer as unknown as CpuLayer,
  SeparableConv2D: separableConv2dLayer as unknown as CpuLayer,
  SpatiallySeparableConv2D: spatiallySeparableConv2dLayer as unknown as CpuLayer,
  ConvTranspose2D: convTranspose2dLayer as unknown as CpuLayer,
  Dense: denseLayer as unknown as CpuLayer,
};

const setUp = (type: LayerType, params: Written, input: Shape, batch = 2, seed = 1): LayerRun =>
  setUpLayer(LAYERS[type]!, type, params, [input], { batch, seed });

const expectClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-9): void => {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(error <= worst)) [worst, at] = [error, i];
  }
  expect(worst, `worst at ${at}: ${actual[at]} vs ${expected[at]}`).toBeLessThan(tolerance);
};

// ---------------------------------------------------------------- GEMM

describe('gemm', () => {
  const naive = (
    transA: boolean,
    transB: boolean,
    [M, N, K]: number[],
    alpha: number,
    A: Floats,
    aOffset: number,
    lda: number,
    B: Floats,
    bOffset: number,
    ldb: number,
    beta: number,
    C: Float64Array,
    cOffset: number,
    ldc: number,
  ) => {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = 0;
        for (let k = 0; k < K; k++) {
          const a = transA ? A[aOffset + k * lda + i] : A[aOffset + i * lda + k];
          const b = transB ? B[bOffset + j * ldb + k] : B[bOffset + k * ldb + j];
          sum += a * b;
        }
        const c = cOffset + i * ldc + j;
        C[c] = alpha * sum + (beta === 0 ? 0 : beta * C[c]);
      }
    }
  };

  // [M, N, K]: tiny (plain loops), odd edges of the 4×8 tile, K past one 256 block, M past one 128 block, N past one 1024 block.
  const sizes = [
    [1, 1, 1],
    [3, 5, 7],
    [7, 13, 5],
    [17, 19, 23],
    [37, 29, 300],
    [130, 9, 11],
    [5, 1030, 3],
    [64, 64, 64],
  ];
  for (const size of sizes) {
    for (const [transA, transB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${size.join('×')} with offsets, padded leading dimensions, alpha and beta`, () => {
        const [M, N, K] = size;
        const random = seededRandom(M * 1000 + N * 10 + K);
        const fill = (length: number) => Float64Array.from({ length }, () => random() * 2 - 1);
        const [aRows, aCols] = transA ? [K, M] : [M, K];
        const [bRows, bCols] = transB ? [N, K] : [K, N];
        const [lda, ldb, ldc] = [aCols + 3, bCols + 1, N + 2];
        const [aOffset, bOffset, cOffset] = [5, 2, 7];
        const A = fill(aOffset + aRows * lda);
        const B = fill(bOffset + bRows * ldb);
        for (const [alpha, beta] of [
          [1, 0],
          [0.5, 1],
          [-1.5, 0.25],
        ]) {
          const C = fill(cOffset + M * ldc + 4);
          if (beta === 0) C.fill(Number.NaN, cOffset, cOffset + M * ldc); // beta 0 ignores what was there
          const expected = Float64Array.from(C);
          naive(transA, transB, size, alpha, A, aOffset, lda, B, bOffset, ldb, beta, expected, cOffset, ldc);
          // Entries between rows (past N) must be left alone.
          for (let i = 0; i < M; i++) for (let j = N; j < ldc; j++) expected[cOffset + i * ldc + j] = C[cOffset + i * ldc + j];
          gemm(transA, transB, M, N, K, alpha, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc);
          expectClose(C, expected, 1e-12);
        }
      });
    }
  }

  it('works on float32 arrays', () => {
    const [M, N, K] = [33, 41, 27];
    const random = seededRandom(5);
    const A = Float32Array.from({ length: M * K }, () => random() - 0.5);
    const B = Float32Array.from({ length: K * N }, () => random() - 0.5);
    const C = new Float32Array(M * N);
    const expected = new Float64Array(M * N);
    naive(false, false, [M, N, K], 1, A, 0, K, B, 0, N, 0, expected, 0, N);
    gemm(false, false, M, N, K, 1, A, 0, K, B, 0, N, 0, C, 0, N);
    expectClose(C, expected, 1e-6);
  });
});

// ---------------------------------------------------------------- naive references

/** TensorFlow's `same` along one axis: [before, after]. */
const sameAxis = (size: number, kernel: number, stride: number, dilation: number): Pair => {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
};

/** Canonical padding → [top, bottom, left, right]. */
const resolvePads = (padding: Padding, [, h, w]: Shape, kernel: Pair, stride: Pair, dilation: Pair): number[] => {
  if (padding.mode === 'valid') return [0, 0, 0, 0];
  if (padding.mode === 'same')
    return [...sameAxis(h, kernel[0], stride[0], dilation[0]), ...sameAxis(w, kernel[1], stride[1], dilation[1])];
  return [padding.top, padding.bottom, padding.left, padding.right];
};

interface NaiveConv {
  kernel: Pair;
  stride: Pair;
  dilation: Pair;
  /** [top, bottom, left, right] */
  pads: number[];
  groups: number;
}

/** The definition: y[n, f, oh, ow] = b[f] + Σ_{c, ki, kj} w[f, c, ki, kj] · x[n, g·C/g + c, oh·sh − top + ki·dh, ow·sw − left + kj·dw]. */
const naiveConv = (x: Floats, input: Shape, batch: number, w: Floats, filters: number, bias: Floats | null, conv: NaiveConv) => {
  const [channels, inH, inW] = input;
  const { kernel, stride, dilation, pads, groups } = conv;
  const outH = Math.floor((inH + pads[0] + pads[1] - dilation[0] * (kernel[0] - 1) - 1) / stride[0]) + 1;
  const outW = Math.floor((inW + pads[2] + pads[3] - dilation[1] * (kernel[1] - 1) - 1) / stride[1]) + 1;
  const groupIn = channels / groups;
  const groupOut = filters / groups;
  const y = new Float64Array(batch * filters * outH * outW);
  for (let n = 0; n < batch; n++)
    for (let f = 0; f < filters; f++)
      for (let oh = 0; oh < outH; oh++)
        for (let ow = 0; ow < outW; ow++) {
          const g = Math.floor(f / groupOut);
          let sum = bias ? bias[f] : 0;
          for (let c = 0; c < groupIn; c++)
            for (let ki = 0; ki < kernel[0]; ki++)
              for (let kj = 0; kj < kernel[1]; kj++) {
                const ih = oh * stride[0] - pads[0] + ki * dilation[0];
                const iw = ow * stride[1] - pads[2] + kj * dilation[1];
                if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) continue;
                sum +=
                  w[((f * groupIn + c) * kernel[0] + ki) * kernel[1] + kj] * x[((n * channels + g * groupIn + c) * inH + ih) * inW + iw];
              }
          y[((n * filters + f) * outH + oh) * outW + ow] = sum;
        }
  return { y, shape: [filters, outH, outW] as Shape };
};

/** The scatter definition: each input pixel adds w[c, f, :, :]·x into the output at (ih·sh − ph + ki·dh, iw·sw − pw + kj·dw). */
const naiveTransposed = (run: LayerRun): Float64Array => {
  const [channels, inH, inW] = run.inputShapes[0];
  const [filters, outH, outW] = run.outputShape;
  const kernel = run.params.kernel as Pair;
  const stride = run.params.stride as Pair;
  const dilation = run.params.dilation as Pair;
  const padding = run.params.padding as Pair;
  const groups = run.params.groups as number;
  const x = run.inputs[0];
  const w = run.weights.weight;
  const bias = run.weights.bias ?? null;
  const groupIn = channels / groups;
  const groupOut = filters / groups;
  const y = new Float64Array(run.batch * filters * outH * outW);
  for (let n = 0; n < run.batch; n++) {
    for (let f = 0; f < filters; f++) y.fill(bias ? bias[f] : 0, (n * filters + f) * outH * outW, (n * filters + f + 1) * outH * outW);
    for (let c = 0; c < channels; c++)
      for (let ih = 0; ih < inH; ih++)
        for (let iw = 0; iw < inW; iw++)
          for (let fo = 0; fo < groupOut; fo++)
            for (let ki = 0; ki < kernel[0]; ki++)
              for (let kj = 0; kj < kernel[1]; kj++) {
                const oh = ih * stride[0] - padding[0] + ki * dilation[0];
                const ow = iw * stride[1] - padding[1] + kj * dilation[1];
                if (oh < 0 || oh >= outH || ow < 0 || ow >= outW) continue;
                const f = Math.floor(c / groupIn) * groupOut + fo;
                y[((n * filters + f) * outH + oh) * outW + ow] +=
                  x[((n * channels + c) * inH + ih) * inW + iw] * w[((c * groupOut + fo) * kernel[0] + ki) * kernel[1] + kj];
              }
  }
  return y;
};

/** Forward of one layer by its naive definition, from the run's own (canonical) parameters, inputs and weights. */
const reference = (type: LayerType, run: LayerRun): Float64Array => {
  const input = run.inputShapes[0];
  const x = run.inputs[0];
  const { weights, batch, params } = run;
  const stride = params.stride as Pair;
  const dilation = params.dilation as Pair;
  const padding = params.padding as Padding;
  const filters = params.filters as number;
  const multiplier = params.depthMultiplier as number;
  switch (type) {
    case 'Conv2D': {
      const kernel = params.kernel as Pair;
      const pads = resolvePads(padding, input, kernel, stride, dilation);
      const groups = params.groups as number;
      return naiveConv(x, input, batch, weights.weight, filters, weights.bias ?? null, { kernel, stride, dilation, pads, groups }).y;
    }
    case 'DepthwiseConv2D': {
      const kernel = params.kernel as Pair;
      const pads = resolvePads(padding, input, kernel, stride, dilation);
      return naiveConv(x, input, batch, weights.weight, input[0] * multiplier, weights.bias ?? null, {
        kernel,
        stride,
        dilation,
        pads,
        groups: input[0],
      }).y;
    }
    case 'SeparableConv2D': {
      const kernel = params.kernel as Pair;
      const pads = resolvePads(padding, input, kernel, stride, dilation);
      const middle = input[0] * multiplier;
      const depthwise = naiveConv(x, input, batch, weights['depthwise.weight'], middle, null, {
        kernel,
        stride,
        dilation,
        pads,
        groups: input[0],
      });
      const pointwise = { kernel: [1, 1] as Pair, stride: [1, 1] as Pair, dilation: [1, 1] as Pair, pads: [0, 0, 0, 0], groups: 1 };
      return naiveConv(
        depthwise.y,
        depthwise.shape,
        batch,
        weights['pointwise.weight'],
        filters,
        weights['pointwise.bias'] ?? null,
        pointwise,
      ).y;
    }
    case 'SpatiallySeparableConv2D': {
      const size = params.kernel as number;
      const [top, bottom, left, right] = resolvePads(padding, input, [size, size], stride, dilation);
      const column = naiveConv(x, input, batch, weights['column.weight'], filters, null, {
        kernel: [size, 1],
        stride: [stride[0], 1],
        dilation: [dilation[0], 1],
        pads: [top, bottom, 0, 0],
        groups: 1,
      });
      return naiveConv(column.y, column.shape, batch, weights['row.weight'], filters, weights['row.bias'] ?? null, {
        kernel: [1, size],
        stride: [1, stride[1]],
        dilation: [1, dilation[1]],
        pads: [0, 0, left, right],
        groups: 1,
      }).y;
    }
    case 'ConvTranspose2D':
      return naiveTransposed(run);
    case 'Dense': {
      const [inFeatures] = input;
      const units = params.units as number;
      const y = new Float64Array(batch * units);
      for (let n = 0; n < batch; n++)
        for (let j = 0; j < units; j++) {
          let sum = weights.bias ? weights.bias[j] : 0;
          for (let i = 0; i < inFeatures; i++) sum += x[n * inFeatures + i] * weights.weight[j * inFeatures + i];
          y[n * units + j] = sum;
        }
      return y;
    }
    default:
      throw new Error(`no reference for ${type}`);
  }
};

// ---------------------------------------------------------------- cases

interface Case {
  type: LayerType;
  params: Written;
  input: Shape;
  batch?: number;
}

const CASES: Case[] = [
  // Conv2D
  { type: 'Conv2D', params: { filters: 3, kernel: 3 }, input: [2, 5, 5], batch: 1 },
  { type: 'Conv2D', params: { filters: 4, kernel: [2, 3], stride: [2, 1], padding: 'same' }, input: [3, 6, 5], batch: 3 },
  { type: 'Conv2D', params: { filters: 2, kernel: 3, stride: 3, padding: 'same' }, input: [2, 7, 8] },
  { type: 'Conv2D', params: { filters: 3, kernel: [3, 2], stride: 2, dilation: [2, 3], padding: [1, 2, 0, 1] }, input: [2, 7, 9] },
  { type: 'Conv2D', params: { filters: 4, kernel: 4, stride: 2, padding: 'same' }, input: [2, 6, 7] },
  { type: 'Conv2D', params: { filters: 2, kernel: 5, dilation: 3, padding: 'same', bias: false }, input: [1, 4, 4] },
  { type: 'Conv2D', params: { filters: 6, kernel: 1, groups: 2 }, input: [4, 3, 5], batch: 3 },
  { type: 'Conv2D', params: { filters: 3, kernel: 1, stride: 2 }, input: [2, 5, 5] },
  { type: 'Conv2D', params: { filters: 3, kernel: 1, padding: [1, 0, 0, 1] }, input: [2, 3, 4] },
  { type: 'Conv2D', params: { filters: 8, kernel: 3, dilation: 2, padding: 'same', groups: 4 }, input: [4, 4, 5] },
  {
    type: 'Conv2D',
    params: { filters: 4, kernel: [3, 1], stride: [1, 3], dilation: [3, 1], padding: [2, 0, 0, 0], groups: 2 },
    input: [2, 5, 7],
  },
  { type: 'Conv2D', params: { filters: 3, kernel: 1 }, input: [3, 1, 1], batch: 3 },
  { type: 'Conv2D', params: { filters: 2, kernel: 3, padding: 'same' }, input: [2, 1, 1] },
  { type: 'Conv2D', params: { filters: 2, kernel: 3, stride: [1, 2] }, input: [2, 3, 5] },
  { type: 'Conv2D', params: { filters: 2, kernel: [1, 3], stride: [2, 1], padding: 1 }, input: [1, 1, 2] },
  { type: 'Conv2D', params: { filters: 8, kernel: 3, padding: 1 }, input: [4, 12, 12], batch: 1 }, // the packed GEMM path
  // DepthwiseConv2D
  { type: 'DepthwiseConv2D', params: { kernel: 3 }, input: [3, 5, 6] },
  { type: 'DepthwiseConv2D', params: { kernel: [2, 3], depthMultiplier: 2, stride: 2, padding: [0, 1, 2, 1] }, input: [2, 6, 7], batch: 3 },
  { type: 'DepthwiseConv2D', params: { kernel: 3, depthMultiplier: 2, dilation: 2, padding: 'same', bias: false }, input: [2, 5, 5] },
  { type: 'DepthwiseConv2D', params: { kernel: 4, stride: 3, padding: 'valid' }, input: [2, 9, 8], batch: 1 },
  { type: 'DepthwiseConv2D', params: { kernel: [3, 1], stride: [2, 1], dilation: [1, 2], padding: 'same' }, input: [3, 7, 4] },
  { type: 'DepthwiseConv2D', params: { kernel: 3, depthMultiplier: 2 }, input: [2, 1, 1] },
  { type: 'DepthwiseConv2D', params: { kernel: 3, padding: 'valid' }, input: [1, 3, 5] },
  // SeparableConv2D
  { type: 'SeparableConv2D', params: { filters: 3, kernel: 3, depthMultiplier: 2 }, input: [2, 5, 5] },
  {
    type: 'SeparableConv2D',
    params: { filters: 4, kernel: [3, 2], stride: 2, dilation: [1, 2], padding: 'valid' },
    input: [3, 7, 8],
    batch: 3,
  },
  { type: 'SeparableConv2D', params: { filters: 2, kernel: 2, padding: [1, 0, 0, 2], bias: false }, input: [2, 4, 3], batch: 1 },
  { type: 'SeparableConv2D', params: { filters: 2, kernel: 3, stride: 3, dilation: 2 }, input: [2, 3, 5] },
  // SpatiallySeparableConv2D
  { type: 'SpatiallySeparableConv2D', params: { filters: 3, kernel: 3 }, input: [2, 5, 6] },
  { type: 'SpatiallySeparableConv2D', params: { filters: 2, kernel: 2, stride: [2, 3] }, input: [3, 7, 8], batch: 3 },
  { type: 'SpatiallySeparableConv2D', params: { filters: 3, kernel: 3, dilation: [2, 1], padding: [1, 0, 2, 1] }, input: [2, 6, 5] },
  {
    type: 'SpatiallySeparableConv2D',
    params: { filters: 2, kernel: 4, stride: 2, dilation: [1, 3], padding: 'same', bias: false },
    input: [1, 5, 7],
  },
  { type: 'SpatiallySeparableConv2D', params: { filters: 2, kernel: 3, stride: [1, 2], padding: 'valid' }, input: [2, 3, 5], batch: 1 },
  { type: 'SpatiallySeparableConv2D', params: { filters: 2, kernel: 1 }, input: [3, 1, 1] },
  // ConvTranspose2D
  { type: 'ConvTranspose2D', params: { filters: 3, kernel: 2, stride: 2 }, input: [2, 3, 4] },
  { type: 'ConvTranspose2D', params: { filters: 2, kernel: 3, stride: 2, padding: 1, outputPadding: 1 }, input: [3, 4, 3], batch: 3 },
  {
    type: 'ConvTranspose2D',
    params: { filters: 4, kernel: [3, 2], stride: [3, 2], dilation: [2, 1], padding: [1, 0], outputPadding: [2, 1], groups: 2 },
    input: [4, 3, 3],
  },
  { type: 'ConvTranspose2D', params: { filters: 2, kernel: 3, stride: 1, dilation: 2, padding: 1, outputPadding: 1 }, input: [2, 3, 4] },
  { type: 'ConvTranspose2D', params: { filters: 4, kernel: 1, stride: 1, groups: 2, bias: false }, input: [2, 3, 3] },
  { type: 'ConvTranspose2D', params: { filters: 2, kernel: 1, stride: 2, outputPadding: 1 }, input: [3, 2, 3] },
  { type: 'ConvTranspose2D', params: { filters: 6, kernel: 3, stride: 3, groups: 3 }, input: [3, 1, 1], batch: 1 },
  { type: 'ConvTranspose2D', params: { filters: 8, kernel: 4, stride: 2, padding: 1 }, input: [6, 6, 6], batch: 1 }, // packed GEMM
  // Dense
  { type: 'Dense', params: { units: 3 }, input: [5], batch: 1 },
  { type: 'Dense', params: { units: 4, bias: false }, input: [7], batch: 3 },
  { type: 'Dense', params: { units: 17 }, input: [70], batch: 5 }, // packed GEMM
];

const label = ({ type, params, input, batch = 2 }: Case) => `${type} ${JSON.stringify(params)} on ${input.join('×')} × ${batch}`;

describe('forward values against the naive definitions', () => {
  for (const testCase of CASES) {
    it(label(testCase), () => {
      const run = setUp(testCase.type, testCase.params, testCase.input, testCase.batch);
      const expected = reference(testCase.type, run);
      expectClose(run.forward(), expected);
    });
  }
});

describe('gradients against finite differences', () => {
  for (const testCase of CASES) {
    it(label(testCase), () => {
      checkGradients(setUp(testCase.type, testCase.params, testCase.input, testCase.batch), { samples: 30 });
    });
  }
});

// ---------------------------------------------------------------- the buffer contract, in float32

/** Contexts over float32 copies of a run's data; scratch starts as NaN so nothing may assume zeros. */
const float32Contexts = (layer: CpuLayer, run: LayerRun) => {
  const scratch = new Map<string, Float32Array | Int32Array>();
  const output = new Float32Array(run.batch * elementCount(run.outputShape)).fill(Number.NaN);
  const forward: ForwardContext = {
    params: run.params,
    batch: run.batch,
    inputShapes: run.inputShapes,
    outputShape: run.outputShape,
    inputs: run.inputs.map((input) => Float32Array.from(input)),
    output,
    weights: Object.fromEntries(Object.entries(run.weights).map(([name, values]) => [name, Float32Array.from(values)])),
    training: true,
    scratch: (name, length) => {
      const existing = scratch.get(name);
      if (existing instanceof Float32Array && existing.length === length) return existing;
      const created = new Float32Array(length).fill(Number.NaN);
      scratch.set(name, created);
      return created;
    },
    scratchInt: (name, length) => new Int32Array(length),
    random: seededRandom(3),
  };
  layer.forward(forward);
  return forward;
};

describe('buffer contract (float32)', () => {
  for (const testCase of CASES) {
    it(label(testCase), () => {
      const layer = LAYERS[testCase.type]!;
      const run = setUp(testCase.type, testCase.params, testCase.input, testCase.batch);
      const expectedOutput = run.forward();
      const gradOutput = Float64Array.from(expectedOutput, (_, i) => Math.sin(i));
      const expectedGradients = run.backward(gradOutput);

      const forward = float32Contexts(layer, run);
      expectClose(forward.output, expectedOutput, 1e-5);
      const gradInputs = run.inputs.map((input) => new Float32Array(input.length).fill(1));
      const gradWeights = Object.fromEntries(run.specs.map((spec) => [spec.name, new Float32Array(elementCount(spec.shape)).fill(1)]));
      const backward: BackwardContext = { ...forward, gradOutput: Float32Array.from(gradOutput), gradInputs, gradWeights };
      layer.backward(backward);
      expectClose(
        gradInputs[0].map((value) => value - 1),
        expectedGradients.inputs[0],
        1e-4,
      );
      for (const spec of run.specs)
        expectClose(
          gradWeights[spec.name].map((value) => value - 1),
          expectedGradients.weights[spec.name],
          1e-4,
        );
    });
  }

  it('skips the input gradient when it is not wanted', () => {
    for (const testCase of CASES.slice(0, 3)) {
      const layer = LAYERS[testCase.type]!;
      const run = setUp(testCase.type, testCase.params, testCase.input, testCase.batch);
      const forward = float32Contexts(layer, run);
      const gradWeights = Object.fromEntries(run.specs.map((spec) => [spec.name, new Float32Array(elementCount(spec.shape))]));
      const gradOutput = new Float32Array(forward.output.length).fill(1);
      expect(() => layer.backward({ ...forward, gradOutput, gradInputs: [null], gradWeights })).not.toThrow();
      expect(gradWeights.weight.some((value) => value !== 0)).toBe(true);
    }
  });
});

// ---------------------------------------------------------------- weight specs

describe('weight specs follow PyTorch', () => {
  const specsOf = (type: LayerType, params: Written, input: Shape) =>
    setUp(type, params, input, 1).specs.map(({ name, shape, role, fanIn, fanOut }) => ({ name, shape, role, fanIn, fanOut }));

  it('Conv2D', () => {
    expect(specsOf('Conv2D', { filters: 8, kernel: [3, 2], groups: 2 }, [4, 6, 6])).toEqual([
      { name: 'weight', shape: [8, 2, 3, 2], role: 'weight', fanIn: 12, fanOut: 24 },
      { name: 'bias', shape: [8], role: 'bias', fanIn: 12, fanOut: 24 },
    ]);
  });

  it('DepthwiseConv2D', () => {
    expect(specsOf('DepthwiseConv2D', { kernel: 3, depthMultiplier: 2, bias: false }, [3, 6, 6])).toEqual([
      { name: 'weight', shape: [6, 1, 3, 3], role: 'weight', fanIn: 9, fanOut: 18 },
    ]);
  });

  it('SeparableConv2D', () => {
    expect(specsOf('SeparableConv2D', { filters: 5, kernel: 3, depthMultiplier: 2 }, [3, 6, 6])).toEqual([
      { name: 'depthwise.weight', shape: [6, 1, 3, 3], role: 'weight', fanIn: 9, fanOut: 18 },
      { name: 'pointwise.weight', shape: [5, 6, 1, 1], role: 'weight', fanIn: 6, fanOut: 5 },
      { name: 'pointwise.bias', shape: [5], role: 'bias', fanIn: 6, fanOut: 5 },
    ]);
  });

  it('SpatiallySeparableConv2D', () => {
    expect(specsOf('SpatiallySeparableConv2D', { filters: 4, kernel: 3 }, [2, 6, 6])).toEqual([
      { name: 'column.weight', shape: [4, 2, 3, 1], role: 'weight', fanIn: 6, fanOut: 12 },
      { name: 'row.weight', shape: [4, 4, 1, 3], role: 'weight', fanIn: 12, fanOut: 12 },
      { name: 'row.bias', shape: [4], role: 'bias', fanIn: 12, fanOut: 12 },
    ]);
  });

  it('ConvTranspose2D', () => {
    expect(specsOf('ConvTranspose2D', { filters: 6, kernel: [3, 2], groups: 3 }, [9, 4, 4])).toEqual([
      { name: 'weight', shape: [9, 2, 3, 2], role: 'weight', fanIn: 12, fanOut: 54 },
      { name: 'bias', shape: [6], role: 'bias', fanIn: 12, fanOut: 54 },
    ]);
  });

  it('Dense', () => {
    expect(specsOf('Dense', { units: 10 }, [84])).toEqual([
      { name: 'weight', shape: [10, 84], role: 'weight', fanIn: 84, fanOut: 10 },
      { name: 'bias', shape: [10], role: 'bias', fanIn: 84, fanOut: 10 },
    ]);
  });
});
