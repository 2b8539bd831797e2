/**
 * The WebAssembly kernels that run on buffers in the heap (engine/backends/cpu/heap.ts and
 * kernels/*-heap.ts), against the JavaScript kernels in float64: each layer run with every buffer
 * in the heap, scratch and outputs starting as NaN (nothing may assume zeros) and gradients
 * starting at 1 (backward passes add into them). Also the heap's allocator, and that the heap
 * path is the one taken.
 */
import { describe, expect, it } from 'vitest';
import { allocate, heap, heapAddress, heapFloats, heapInts, release } from '../../../../engine/backends/cpu/heap';
import { CPU_LAYERS } from '../../../../engine/backends/cpu/layers';
import type { BackwardContext, CpuLayer, ForwardContext } from '../../../../engine/backends/cpu/types';
import { maxPoolForward, poolWindowOf } from '../../../../engine/backends/cpu/kernels/pooling';
import { maxPoolForwardHeap } from '../../../../engine/backends/cpu/kernels/pooling-heap';
import type { LayerType } from '../../../../engine/graph/layer-types';
import type { PoolParams } from '../../../../engine/graph/layers/pooling';
import { elementCount, type Shape } from '../../../../engine/graph/shape';
import { canonicalParams, seededRandom, setUpLayer, type LayerRun } from './harness';

type Written = Record<string, unknown>;

interface Case {
  type: LayerType;
  params: Written;
  input: Shape;
  batch: number;
}

const CASES: Case[] = [
  { type: 'Conv2D', params: { filters: 3, kernel: 3, padding: 'same' }, input: [2, 5, 6], batch: 3 },
  {
    type: 'Conv2D',
    params: { filters: 4, kernel: [3, 2], stride: [2, 1], dilation: [1, 2], padding: [1, 0], groups: 2 },
    input: [4, 7, 6],
    batch: 2,
  },
  { type: 'Conv2D', params: { filters: 5, kernel: 1 }, input: [3, 4, 4], batch: 1 }, // one sample, 1×1: no columns
  { type: 'Conv2D', params: { filters: 6, kernel: 1, groups: 2 }, input: [4, 3, 5], batch: 17 }, // chunks of 1×1
  { type: 'Conv2D', params: { filters: 8, kernel: 5, padding: 2 }, input: [1, 12, 12], batch: 9 },
  { type: 'Conv2D', params: { filters: 16, kernel: 3, stride: 2, padding: 'same' }, input: [8, 9, 9], batch: 5 },
  { type: 'Conv2D', params: { filters: 4, kernel: 3, bias: false }, input: [3, 6, 6], batch: 4 },
  { type: 'Conv2D', params: { filters: 7, kernel: 3, stride: 3, padding: 'same' }, input: [2, 10, 11], batch: 2 },
  // Winograd F(2×2, 3×3) (kernels/winograd.ts): 3×3 at stride 1 with at least 8 channels in and out;
  // odd and even sizes, every padding it takes, chunks of several samples and a last short one.
  { type: 'Conv2D', params: { filters: 16, kernel: 3, padding: 'same' }, input: [8, 9, 11], batch: 5 },
  { type: 'Conv2D', params: { filters: 8, kernel: 3, bias: false }, input: [12, 10, 7], batch: 3 },
  { type: 'Conv2D', params: { filters: 9, kernel: 3, padding: 2 }, input: [8, 5, 6], batch: 2 },
  { type: 'Conv2D', params: { filters: 8, kernel: 3, padding: [1, 0] }, input: [8, 13, 6], batch: 17 },
  { type: 'DepthwiseConv2D', params: { kernel: 3, padding: 'same' }, input: [3, 7, 9], batch: 3 },
  { type: 'DepthwiseConv2D', params: { kernel: 3, stride: 2, padding: 'same' }, input: [4, 14, 14], batch: 2 },
  {
    type: 'DepthwiseConv2D',
    params: { kernel: [3, 2], stride: [1, 3], dilation: 2, depthMultiplier: 2, padding: 1 },
    input: [2, 9, 10],
    batch: 2,
  },
  { type: 'DepthwiseConv2D', params: { kernel: 5, stride: 2, bias: false }, input: [2, 11, 13], batch: 9 },
  { type: 'SeparableConv2D', params: { filters: 5, kernel: 3, padding: 'same' }, input: [3, 6, 6], batch: 3 },
  { type: 'SpatiallySeparableConv2D', params: { filters: 4, kernel: 3, padding: 'same' }, input: [2, 7, 7], batch: 2 },
  { type: 'Dense', params: { units: 9 }, input: [40], batch: 6 },
  { type: 'ReLU', params: {}, input: [3, 5, 7], batch: 3 },
  { type: 'MaxPool2D', params: { kernel: 2 }, input: [3, 8, 10], batch: 2 },
  { type: 'MaxPool2D', params: { kernel: 2 }, input: [2, 9, 19], batch: 2 },
  { type: 'MaxPool2D', params: { kernel: 3, stride: 2, padding: 1 }, input: [2, 9, 9], batch: 2 },
  { type: 'MaxPool2D', params: { kernel: 2, ceilMode: true }, input: [2, 7, 9], batch: 3 },
  { type: 'GlobalAvgPool', params: {}, input: [5, 7, 7], batch: 3 },
  { type: 'GlobalAvgPool', params: {}, input: [3, 2, 3], batch: 2 },
];

const label = ({ type, params, input, batch }: Case) => `${type} ${JSON.stringify(params)} on ${input.join('×')} × ${batch}`;

const expectClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void => {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(error <= worst)) [worst, at] = [error, i];
  }
  expect(worst, `worst at ${at}: ${actual[at]} vs ${expected[at]}`).toBeLessThan(tolerance);
};

/** A heap copy of some values (or `fill` values). */
const inHeap = (values: ArrayLike<number>, fill?: number): Float32Array => {
  const array = heapFloats(values.length);
  if (fill === undefined) array.set(values);
  else array.fill(fill);
  return array;
};

/** Forward in float32 with every buffer in the heap. */
const heapForward = (layer: CpuLayer, run: LayerRun): ForwardContext => {
  const scratch = new Map<string, Float32Array | Int32Array>();
  const forward: ForwardContext = {
    params: run.params,
    batch: run.batch,
    inputShapes: run.inputShapes,
    outputShape: run.outputShape,
    inputs: run.inputs.map((input) => inHeap(input)),
    output: inHeap(new Float32Array(run.batch * elementCount(run.outputShape)), Number.NaN),
    weights: Object.fromEntries(Object.entries(run.weights).map(([name, values]) => [name, Float32Array.from(values)])),
    training: true,
    scratch: (name, length) => {
      const existing = scratch.get(name);
      if (existing instanceof Float32Array && existing.length === length) return existing;
      const created = inHeap(new Float32Array(length), Number.NaN);
      scratch.set(name, created);
      return created;
    },
    scratchInt: (name, length) => {
      const existing = scratch.get(`int:${name}`);
      if (existing instanceof Int32Array && existing.length === length) return existing;
      const created = heapInts(length).fill(-7);
      scratch.set(`int:${name}`, created);
      return created;
    },
    random: seededRandom(3),
  };
  layer.forward(forward);
  return forward;
};

const wasm = heap();

describe.runIf(wasm?.shared)('layers on heap buffers', () => {
  for (const testCase of CASES) {
    it(`${label(testCase)}: forward and backward as in JavaScript`, () => {
      const layer = CPU_LAYERS[testCase.type];
      const run = setUpLayer(layer, testCase.type, testCase.params, [testCase.input], { batch: testCase.batch, seed: 5 });
      const expectedOutput = run.forward();
      const gradOutput = Float64Array.from(expectedOutput, (_, i) => Math.sin(i));
      const expected = run.backward(gradOutput);

      const forward = heapForward(layer, run);
      expect(heapAddress(forward.output)).toBeGreaterThanOrEqual(0);
      expectClose(forward.output, expectedOutput, 1e-5);
      const gradInputs = run.inputs.map((input) => inHeap(input, 1));
      const gradWeights = Object.fromEntries(run.specs.map((spec) => [spec.name, new Float32Array(elementCount(spec.shape)).fill(1)]));
      const backward: BackwardContext = { ...forward, gradOutput: inHeap(gradOutput), gradInputs, gradWeights };
      layer.backward(backward);
      expectClose(
        gradInputs[0].map((value) => value - 1),
        expected.inputs[0],
        1e-4,
      );
      for (const spec of run.specs) {
        if (spec.trainable)
          expectClose(
            gradWeights[spec.name].map((value) => value - 1),
            expected.weights[spec.name],
            1e-4,
          );
      }
      // Without an input gradient, the weight gradients are the same.
      const again = Object.fromEntries(run.specs.map((spec) => [spec.name, new Float32Array(elementCount(spec.shape)).fill(1)]));
      layer.backward({ ...backward, gradInputs: [null], gradWeights: again });
      for (const spec of run.specs) if (spec.trainable) expect(again[spec.name]).toEqual(gradWeights[spec.name]);
    });
  }

  it('max pooling keeps the first of equal maxima and lets the first NaN win, as in JavaScript', () => {
    const input: Shape = [2, 6, 12];
    for (const [written, output] of [
      [{ kernel: 2 }, [2, 3, 6]],
      [{ kernel: 3, stride: 1, padding: 1 }, [2, 6, 12]],
    ] as const) {
      const window = poolWindowOf(canonicalParams('MaxPool2D', written) as unknown as PoolParams, input, output);
      const values = Float32Array.from({ length: elementCount(input) }, (_, i) => [0, 1, 1, -1, Number.NaN, 2][(i * 7) % 6]);
      const outputs = elementCount(output);
      const expected = new Float32Array(outputs);
      const argmax = new Int32Array(outputs);
      maxPoolForward(values, expected, argmax, 1, window);
      const heapOutput = heapFloats(outputs);
      const heapArgmax = heapInts(outputs);
      expect(maxPoolForwardHeap(inHeap(values), heapOutput, heapArgmax, 1, window)).toBe(true);
      expect(Array.from(heapOutput)).toEqual(Array.from(expected));
      expect(Array.from(heapArgmax)).toEqual(Array.from(argmax));
    }
  });
});

describe.runIf(wasm?.shared)('the heap', () => {
  it('hands out aligned blocks, reuses freed ones and merges neighbours', () => {
    // Blocks larger than any hole that earlier tests left, so they come from the top, side by side.
    const size = 1 << 26;
    const a = allocate(size);
    const b = allocate(2 * size);
    const c = allocate(64);
    for (const at of [a, b, c]) expect(at % 64).toBe(0);
    expect(b).toBe(a + size);
    release(a, size);
    release(b, 2 * size);
    // a and b merged: one block of both their sizes fits where a was.
    const merged = allocate(3 * size);
    expect(merged).toBe(a);
    release(merged, 3 * size);
    release(c, 64);
  });

  it('keeps resident arrays apart, and tells them from ordinary ones', () => {
    const x = heapFloats(1000).fill(1);
    const y = heapFloats(1000).fill(2);
    expect(heapAddress(x)).toBeGreaterThanOrEqual(0);
    expect(Math.abs(heapAddress(x) - heapAddress(y))).toBeGreaterThanOrEqual(4000);
    expect(x.every((value) => value === 1) && y.every((value) => value === 2)).toBe(true);
    expect(heapAddress(x.subarray(10))).toBe(heapAddress(x) + 40);
    expect(heapAddress(new Float32Array(10))).toBe(-1);
    // Arrays made before the memory grows stay valid after.
    const big = heapFloats(1 << 22);
    big[big.length - 1] = 3;
    x[0] = 5;
    expect(x[0]).toBe(5);
    expect(heapFloats(1).length).toBe(1);
  });
});
