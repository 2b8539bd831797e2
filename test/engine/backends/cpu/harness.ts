/**
 * Test harness for CPU layers: runs one layer alone on random data, and checks its backward
 * pass against central finite differences in double precision.
 */
import { expect } from 'vitest';
import { inferLayer } from '../../../../engine/graph/analyze';
import { CATALOGUE } from '../../../../engine/graph/catalogue';
import type { LayerType } from '../../../../engine/graph/layer-types';
import { normaliseParam, type ParamSpec } from '../../../../engine/graph/params';
import { elementCount, type Shape } from '../../../../engine/graph/shape';
import type { BackwardContext, CpuLayer, Floats, ForwardContext, WeightSpec } from '../../../../engine/backends/cpu/types';

/** mulberry32: small, seeded, good enough for test data. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export const canonicalParams = (type: LayerType, written: Record<string, unknown>): Record<string, unknown> => {
  const params: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CATALOGUE[type].params as Record<string, ParamSpec>)) {
    const result = normaliseParam(spec, written[name]);
    if (!result.ok) throw new Error(`${type}.${name}: ${result.problem}`);
    params[name] = result.value;
  }
  return params;
};

export interface LayerRun {
  params: Record<string, unknown>;
  batch: number;
  inputShapes: Shape[];
  outputShape: Shape;
  specs: WeightSpec[];
  inputs: Float64Array[];
  weights: Record<string, Float64Array>;
  training: boolean;
  /** Runs forward and returns a fresh output buffer. */
  forward(): Float64Array;
  /** Runs forward then backward with the given output gradient; returns the accumulated gradients. */
  backward(gradOutput: Float64Array): { inputs: Float64Array[]; weights: Record<string, Float64Array> };
}

const randomArray = (length: number, random: () => number, scale = 1): Float64Array =>
  Float64Array.from({ length }, () => (random() * 2 - 1) * scale);

/** Sets up a layer with random inputs and weights (float64). */
export const setUpLayer = (
  layer: CpuLayer,
  type: LayerType,
  writtenParams: Record<string, unknown>,
  inputShapes: Shape[],
  { batch = 2, training = true, seed = 1 }: { batch?: number; training?: boolean; seed?: number } = {},
): LayerRun => {
  const params = canonicalParams(type, writtenParams);
  const inferred = inferLayer(type, writtenParams, inputShapes);
  if (!inferred.result) throw new Error(`${type}: ${inferred.issues.map((issue) => issue.message).join('; ')}`);
  const outputShape = inferred.result.shape;
  const random = seededRandom(seed);
  const inputs = inputShapes.map((shape) => randomArray(batch * elementCount(shape), random));
  const specs = layer.weights(params, inputShapes, outputShape);
  const weights: Record<string, Float64Array> = {};
  for (const spec of specs) {
    const values = randomArray(elementCount(spec.shape), random, 0.5);
    // Variances must stay positive.
    if (spec.role === 'running_var') values.forEach((value, index) => (values[index] = 0.5 + Math.abs(value)));
    weights[spec.name] = values;
  }
  const scratch = new Map<string, Floats | Int32Array>();
  const context = (): ForwardContext => {
    const dropoutRandom = seededRandom(seed + 1000);
    return {
      params,
      batch,
      inputShapes,
      outputShape,
      inputs,
      output: new Float64Array(batch * elementCount(outputShape)),
      weights,
      training,
      scratch: (name, length) => {
        const existing = scratch.get(name);
        if (existing instanceof Float64Array && existing.length === length) return existing;
        const created = new Float64Array(length);
        scratch.set(name, created);
        return created;
      },
      scratchInt: (name, length) => {
        const existing = scratch.get(`int:${name}`);
        if (existing instanceof Int32Array && existing.length === length) return existing;
        const created = new Int32Array(length);
        scratch.set(`int:${name}`, created);
        return created;
      },
      random: dropoutRandom,
    };
  };
  const run: LayerRun = {
    params,
    batch,
    inputShapes,
    outputShape,
    specs,
    inputs,
    weights,
    training,
    forward: () => {
      const forwardContext = context();
      layer.forward(forwardContext);
      return forwardContext.output as Float64Array;
    },
    backward: (gradOutput) => {
      const forwardContext = context();
      layer.forward(forwardContext);
      const gradInputs = inputs.map((input) => new Float64Array(input.length));
      const gradWeights: Record<string, Float64Array> = {};
      for (const spec of specs) if (spec.trainable) gradWeights[spec.name] = new Float64Array(weights[spec.name].length);
      const backwardContext: BackwardContext = { ...forwardContext, gradOutput, gradInputs, gradWeights };
      layer.backward(backwardContext);
      return { inputs: gradInputs, weights: gradWeights };
    },
  };
  return run;
};

const dot = (a: Float64Array, b: Float64Array): number => a.reduce((sum, value, index) => sum + value * b[index], 0);

/**
 * Checks every input and trainable-weight gradient against central differences of the scalar
 * loss sum(output · R) for a random R. Checks at most `samples` entries per tensor.
 */
export const checkGradients = (run: LayerRun, { epsilon = 1e-6, tolerance = 1e-6, samples = 40 } = {}): void => {
  const random = seededRandom(99);
  const direction = randomArray(run.forward().length, random);
  const analytic = run.backward(direction);
  const loss = () => dot(run.forward(), direction);
  const check = (label: string, values: Float64Array, gradient: Float64Array) => {
    const step = Math.max(1, Math.floor(values.length / samples));
    for (let index = 0; index < values.length; index += step) {
      const original = values[index];
      values[index] = original + epsilon;
      const plus = loss();
      values[index] = original - epsilon;
      const minus = loss();
      values[index] = original;
      const numeric = (plus - minus) / (2 * epsilon);
      const error = Math.abs(numeric - gradient[index]) / Math.max(1, Math.abs(numeric));
      expect(error, `${label}[${index}]: analytic ${gradient[index]} vs numeric ${numeric}`).toBeLessThan(tolerance);
    }
  };
  run.inputs.forEach((input, port) => check(`input ${port}`, input, analytic.inputs[port]));
  for (const spec of run.specs) if (spec.trainable) check(spec.name, run.weights[spec.name], analytic.weights[spec.name]);
};
