// Forward and backward of every layer against PyTorch, on the inputs, weights and output
// gradients stored in test/fixtures/layer-grads.json (made by make_engine_fixtures.py): exactly
// (to 1e-9) in float64, and within 1e-4 relative in float32, the precision training uses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import type { BackwardContext, Floats, ForwardContext } from '../../../engine/backends/cpu/types';
import type { LayerType } from '../../../engine/graph/layer-types';
import type { Shape } from '../../../engine/graph/shape';
import { canonicalParams } from '../backends/cpu/harness';

interface GradCase {
  name: string;
  type: LayerType;
  params: Record<string, unknown>;
  training: boolean;
  inputShapes: number[][];
  batch: number;
  inputs: number[][];
  weights: Record<string, number[]>;
  gradOutput: number[];
  expected: {
    outputShape: number[];
    output: number[];
    gradInputs: number[][];
    gradWeights: Record<string, number[]>;
    runningStats?: Record<string, number[]>;
  };
}

const fixture: { torch: string; cases: GradCase[] } = JSON.parse(readFileSync('test/fixtures/layer-grads.json', 'utf8'));

type ArrayKind = Float32ArrayConstructor | Float64ArrayConstructor;

const run = (c: GradCase, Kind: ArrayKind) => {
  const layer = CPU_LAYERS[c.type];
  const params = canonicalParams(c.type, c.params);
  const scratch = new Map<string, Floats | Int32Array>();
  const weights: Record<string, Floats> = {};
  for (const [name, values] of Object.entries(c.weights)) weights[name] = Kind.from(values);
  const inputs = c.inputs.map((values) => Kind.from(values));
  const outputLength = c.expected.output.length;
  const forward: ForwardContext = {
    params,
    batch: c.batch,
    inputShapes: c.inputShapes as Shape[],
    outputShape: c.expected.outputShape,
    inputs,
    output: new Kind(outputLength),
    weights,
    training: c.training,
    scratch: (name, length) => {
      let buffer = scratch.get(name) as Floats | undefined;
      if (!buffer || buffer.length !== length) scratch.set(name, (buffer = new Kind(length)));
      return buffer;
    },
    scratchInt: (name, length) => {
      let buffer = scratch.get(`int:${name}`) as Int32Array | undefined;
      if (!buffer || buffer.length !== length) scratch.set(`int:${name}`, (buffer = new Int32Array(length)));
      return buffer;
    },
    random: () => 0.5,
  };
  layer.forward(forward);
  const gradInputs = inputs.map((input) => new Kind(input.length));
  const gradWeights: Record<string, Floats> = {};
  for (const name of Object.keys(c.expected.gradWeights)) gradWeights[name] = new Kind(c.weights[name].length);
  const backward: BackwardContext = { ...forward, gradOutput: Kind.from(c.gradOutput), gradInputs, gradWeights };
  layer.backward(backward);
  return { output: forward.output, gradInputs, gradWeights, weights };
};

/** Largest difference relative to the reference's largest magnitude. */
const relativeError = (ours: ArrayLike<number>, reference: number[]): number => {
  expect(ours.length).toBe(reference.length);
  let scale = 1e-12;
  let error = 0;
  for (let i = 0; i < reference.length; i++) {
    scale = Math.max(scale, Math.abs(reference[i]));
    error = Math.max(error, Math.abs(ours[i] - reference[i]));
  }
  return error / scale;
};

const compare = (c: GradCase, Kind: ArrayKind, tolerance: number) => {
  const ours = run(c, Kind);
  expect(relativeError(ours.output, c.expected.output), 'output').toBeLessThan(tolerance);
  c.expected.gradInputs.forEach((expected, port) =>
    expect(relativeError(ours.gradInputs[port], expected), `grad input ${port}`).toBeLessThan(tolerance),
  );
  for (const [name, expected] of Object.entries(c.expected.gradWeights)) {
    expect(relativeError(ours.gradWeights[name], expected), `grad ${name}`).toBeLessThan(tolerance);
  }
  for (const [name, expected] of Object.entries(c.expected.runningStats ?? {})) {
    expect(relativeError(ours.weights[name], expected), `running ${name}`).toBeLessThan(tolerance);
  }
};

describe(`layers, forward and backward, against PyTorch ${fixture.torch}`, () => {
  it('covers every layer type with weights or arithmetic', () => {
    const covered = new Set(fixture.cases.map((c) => c.type));
    const exempt = ['Input', 'Dropout', 'ClassificationHead', 'RegressionHead', 'BinaryHead', 'ImageHead'];
    expect(Object.keys(CPU_LAYERS).filter((type) => !covered.has(type as LayerType) && !exempt.includes(type))).toEqual([]);
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('float64 %s', (_name, c) => compare(c, Float64Array, 1e-9));
  it.each(fixture.cases.map((c) => [c.name, c] as const))('float32 %s', (_name, c) => compare(c, Float32Array, 1e-4));
});
