/**
 * Parity of the WebGPU element-wise kernels (activations, bias) with the CPU kernels.
 */
import { describe, it } from 'vitest';
import { addBias as cpuAddBias, biasGradient as cpuBiasGradient } from '../../../../engine/backends/cpu/kernels/conv';
import * as cpu from '../../../../engine/backends/cpu/kernels/elementwise';
import * as gpuKernels from '../../../../engine/backends/webgpu/kernels/elementwise';
import { between, expectClose, gpu, randomData, seededRandom, upload, warnIfSkipped } from './harness';

warnIfSkipped('elementwise.test.ts');

type Forward = (input: Float64Array, output: Float64Array, count: number) => void;
type Backward = (saved: Float64Array, dy: Float64Array, dx: Float64Array, count: number) => void;

const SLOPE = 0.07;

const activations: {
  name: string;
  cpuForward: Forward;
  cpuBackward: Backward;
  gpuForward: (input: GPUBuffer, output: GPUBuffer, count: number) => void;
  gpuBackward: (saved: GPUBuffer, dy: GPUBuffer, dx: GPUBuffer, count: number) => void;
  /** The backward rule reads the forward output (true) or input (false). */
  fromOutput: boolean;
}[] = [
  {
    name: 'relu',
    cpuForward: cpu.reluForward,
    cpuBackward: cpu.reluBackward,
    gpuForward: (x, y, n) => gpuKernels.reluForward(gpu!.runner, x, y, n),
    gpuBackward: (s, dy, dx, n) => gpuKernels.reluBackward(gpu!.runner, s, dy, dx, n),
    fromOutput: false,
  },
  {
    name: 'leaky relu',
    cpuForward: (x, y, n) => cpu.leakyReluForward(x, y, n, SLOPE),
    cpuBackward: (s, dy, dx, n) => cpu.leakyReluBackward(s, dy, dx, n, SLOPE),
    gpuForward: (x, y, n) => gpuKernels.leakyReluForward(gpu!.runner, x, y, n, SLOPE),
    gpuBackward: (s, dy, dx, n) => gpuKernels.leakyReluBackward(gpu!.runner, s, dy, dx, n, SLOPE),
    fromOutput: false,
  },
  {
    name: 'sigmoid',
    cpuForward: cpu.sigmoidForward,
    cpuBackward: cpu.sigmoidBackward,
    gpuForward: (x, y, n) => gpuKernels.sigmoidForward(gpu!.runner, x, y, n),
    gpuBackward: (s, dy, dx, n) => gpuKernels.sigmoidBackward(gpu!.runner, s, dy, dx, n),
    fromOutput: true,
  },
  {
    name: 'tanh',
    cpuForward: cpu.tanhForward,
    cpuBackward: cpu.tanhBackward,
    gpuForward: (x, y, n) => gpuKernels.tanhForward(gpu!.runner, x, y, n),
    gpuBackward: (s, dy, dx, n) => gpuKernels.tanhBackward(gpu!.runner, s, dy, dx, n),
    fromOutput: true,
  },
];

describe.skipIf(!gpu)('WebGPU element-wise kernels match the CPU', () => {
  for (const activation of activations) {
    it(`${activation.name} forward and backward (accumulating)`, async () => {
      const random = seededRandom(activation.name.length);
      for (const count of [1, 7, 1000, 70_001]) {
        // Wide inputs reach the saturated ends; exact zeros check the rule at 0.
        const x = randomData(count, random, 12);
        for (let i = 0; i < count; i += 17) x[i] = 0;
        const dy = randomData(count, random);
        const dxStart = randomData(count, random);
        const y = new Float64Array(count);
        activation.cpuForward(x, y, count);
        const dx = dxStart.slice();
        activation.cpuBackward(activation.fromOutput ? y : x, dy, dx, count);

        const gx = upload(x);
        const gy = upload(new Float64Array(count));
        const gdy = upload(dy);
        const gdx = upload(dxStart);
        activation.gpuForward(gx, gy, count);
        activation.gpuBackward(activation.fromOutput ? gy : gx, gdy, gdx, count);
        expectClose(await gpu!.runner.readFloats(gy, count), y, `${activation.name} forward, ${count} values`);
        expectClose(await gpu!.runner.readFloats(gdx, count), dx, `${activation.name} backward, ${count} values`);
      }
    });
  }

  it('bias add and bias gradient (a reduction over batch and pixels)', async () => {
    const random = seededRandom(5);
    for (let trial = 0; trial < 6; trial++) {
      const batch = between(random, 1, 5);
      const channels = between(random, 1, 19);
      const plane = [1, 3, 49, 257, 1031][trial % 5];
      const count = batch * channels * plane;
      const y = randomData(count, random);
      const bias = randomData(channels, random);
      const dbStart = randomData(channels, random);
      const gy = upload(y);
      const gdb = upload(dbStart);
      const expectedY = y.slice();
      cpuAddBias(expectedY, bias, batch, channels, plane);
      const expectedDb = dbStart.slice();
      cpuBiasGradient(y, expectedDb, batch, channels, plane);
      // The gradient reads y before the bias is added to it.
      gpuKernels.biasGradient(gpu!.runner, gy, gdb, batch, channels, plane);
      gpuKernels.addBias(gpu!.runner, gy, upload(bias), batch, channels, plane);
      const label = `batch ${batch}, ${channels} channels, plane ${plane}`;
      expectClose(await gpu!.runner.readFloats(gy, count), expectedY, `add bias, ${label}`);
      expectClose(await gpu!.runner.readFloats(gdb, channels), expectedDb, `bias gradient, ${label}`);
    }
  });
});
