/**
 * Test harness for the WebGPU kernels: one device per test file (from the `webgpu` package,
 * SwiftShader on machines without a GPU), random data, and the parity check against the CPU
 * kernels, which are the reference.
 *
 * When no adapter can be had, `gpu` is null and `skipReason` says why; each file then skips
 * its GPU tests with `describe.skipIf(!gpu)` after printing the reason once.
 */
import { afterAll, expect } from 'vitest';
import { loadNodeGpu } from '../../../../electron/worker/gpu-node';
import { uploadStorage, createStorage } from '../../../../engine/backends/webgpu/buffers';
import { acquireDevice, type GpuContext } from '../../../../engine/backends/webgpu/device';
import { GpuRunner } from '../../../../engine/backends/webgpu/run';
import { relativeError } from './relative-error';

export interface GpuHarness {
  readonly context: GpuContext;
  readonly device: GPUDevice;
  readonly runner: GpuRunner;
}

const setUp = async (): Promise<{ gpu: GpuHarness | null; skipReason: string }> => {
  const { gpu, how } = await loadNodeGpu();
  if (!gpu) return { gpu: null, skipReason: `no WebGPU adapter: ${how}` };
  const errors: string[] = [];
  const context = await acquireDevice(gpu, { onUncapturedError: (message) => errors.push(message) });
  const runner = new GpuRunner(context.device);
  afterAll(() => {
    runner.destroy();
    context.destroy();
    expect(errors, 'uncaptured WebGPU errors').toEqual([]);
  });
  return { gpu: { context, device: context.device, runner }, skipReason: '' };
};

export const { gpu, skipReason } = await setUp();

/** Prints why the file's GPU tests are skipped (once per file). */
export const warnIfSkipped = (file: string): void => {
  if (!gpu) console.warn(`${file}: WebGPU tests skipped — ${skipReason}`);
};

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

/** Uniform values in [−scale, scale), as float32 numbers held in float64 (so both sides see the same inputs). */
export const randomData = (length: number, random: () => number, scale = 1): Float64Array =>
  Float64Array.from({ length }, () => Math.fround((random() * 2 - 1) * scale));

/** An integer in [low, high]. */
export const between = (random: () => number, low: number, high: number): number => low + Math.floor(random() * (high - low + 1));

/** A storage buffer holding `data` as float32. */
export const upload = (data: ArrayLike<number>, label = 'test'): GPUBuffer => uploadStorage(gpu!.device, Float32Array.from(data), label);

/** A zeroed storage buffer of `length` floats. */
export const zeros = (length: number, label = 'test'): GPUBuffer => createStorage(gpu!.device, length, label);

export { relativeError };

/** Expects `actual` within `tolerance` (see relativeError) of the CPU's `expected`, naming the case. */
export const expectClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, tolerance = 1e-4): void => {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const { error, at } = relativeError(actual, expected);
  // WEBGPU_PARITY_LOG=1 prints every comparison's error, to see how much room each kernel has.
  if (process.env.WEBGPU_PARITY_LOG) console.log(`parity ${expect.getState().currentTestName} | ${label} | ${error.toExponential(2)}`);
  if (!(error <= tolerance)) {
    throw new Error(`${label}: relative error ${error.toExponential(2)} at [${at}]: gpu ${actual[at]} vs cpu ${expected[at]}`);
  }
};
