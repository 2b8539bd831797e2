/**
 * Parity of the WebGPU depthwise convolution and pooling kernels with the CPU kernels, on random
 * windows: odd sizes, strides 1–3, dilations 1–3 (depthwise), asymmetric padding, depth
 * multipliers, ceil mode and countIncludePad.
 */
import { describe, expect, it } from 'vitest';
import {
  depthwiseBackward as cpuDepthwiseBackward,
  depthwiseForward as cpuDepthwiseForward,
} from '../../../../engine/backends/cpu/kernels/depthwise';
import * as cpu from '../../../../engine/backends/cpu/kernels/pooling';
import { depthwiseBackward, depthwiseForward } from '../../../../engine/backends/webgpu/kernels/depthwise';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from '../../../../engine/backends/webgpu/kernels/pooling';
import { uploadStorage } from '../../../../engine/backends/webgpu/buffers';
import { between, expectClose, gpu, randomData, seededRandom, upload, warnIfSkipped, zeros } from './harness';
import { describeWindow, randomPoolWindow, randomWindow } from './windows';

warnIfSkipped('pooling.test.ts');

describe.skipIf(!gpu)('WebGPU depthwise convolution matches the CPU', () => {
  const random = seededRandom(3);
  for (let trial = 0; trial < 8; trial++) {
    const window = randomWindow(random, between(random, 1, 5));
    const multiplier = between(random, 1, 3);
    const batch = between(random, 1, 3);
    it(`${describeWindow(window)} multiplier=${multiplier} batch=${batch}`, async () => {
      const data = seededRandom(trial + 1);
      const outChannels = window.channels * multiplier;
      const inSize = batch * window.channels * window.inH * window.inW;
      const outSize = batch * outChannels * window.outH * window.outW;
      const weightSize = outChannels * window.kernelH * window.kernelW;
      const [x, w, b, dy] = [
        randomData(inSize, data),
        randomData(weightSize, data),
        randomData(outChannels, data),
        randomData(outSize, data),
      ];
      const [dx0, dw0, db0] = [randomData(inSize, data), randomData(weightSize, data), randomData(outChannels, data)];
      const y = new Float64Array(outSize);
      cpuDepthwiseForward(window, multiplier, batch, x, w, b, y);
      const [dx, dw, db] = [dx0.slice(), dw0.slice(), db0.slice()];
      cpuDepthwiseBackward(window, multiplier, batch, x, w, dy, dx, dw, db);

      const [gx, gw, gy] = [upload(x), upload(w), zeros(outSize)];
      const [gdx, gdw, gdb] = [upload(dx0), upload(dw0), upload(db0)];
      depthwiseForward(gpu!.runner, window, multiplier, batch, gx, gw, upload(b), gy);
      depthwiseBackward(gpu!.runner, window, multiplier, batch, gx, gw, upload(dy), gdx, gdw, gdb);
      expectClose(await gpu!.runner.readFloats(gy, outSize), y, 'forward');
      expectClose(await gpu!.runner.readFloats(gdx, inSize), dx, 'input gradient');
      expectClose(await gpu!.runner.readFloats(gdw, weightSize), dw, 'weight gradient');
      expectClose(await gpu!.runner.readFloats(gdb, outChannels), db, 'bias gradient');
    });
  }
});

describe.skipIf(!gpu)('WebGPU pooling matches the CPU', () => {
  const random = seededRandom(9);
  for (let trial = 0; trial < 10; trial++) {
    const window = randomPoolWindow(random, between(random, 1, 4));
    const batch = between(random, 1, 3);
    const label = `${describeWindow(window)} padAfter=${window.padBottom},${window.padRight} ceil=${window.ceilMode} batch=${batch}`;
    it(`max pooling ${label}`, async () => {
      const data = seededRandom(trial + 100);
      const inSize = batch * window.channels * window.inH * window.inW;
      const outSize = batch * window.channels * window.outH * window.outW;
      // Few distinct values, so windows have ties and the first maximum must win.
      const x = Float64Array.from(randomData(inSize, data), (v) => Math.round(v * 3));
      const [dy, dx0] = [randomData(outSize, data), randomData(inSize, data)];
      const y = new Float64Array(outSize);
      const argmax = new Int32Array(outSize);
      cpu.maxPoolForward(x, y, argmax, batch, window);
      const dx = dx0.slice();
      cpu.maxPoolBackward(dy, dx, argmax, batch, window);

      const [gy, gargmax, gdx] = [zeros(outSize), zeros(outSize), upload(dx0)];
      maxPoolForward(gpu!.runner, upload(x), gy, gargmax, batch, window);
      maxPoolBackward(gpu!.runner, upload(dy), gdx, gargmax, batch, window);
      expectClose(await gpu!.runner.readFloats(gy, outSize), y, 'forward');
      expect(Array.from(await gpu!.runner.readInts(gargmax, outSize)), 'argmax').toEqual(Array.from(argmax));
      expectClose(await gpu!.runner.readFloats(gdx, inSize), dx, 'input gradient');
    });

    for (const includePad of [false, true]) {
      it(`average pooling ${label} countIncludePad=${includePad}`, async () => {
        const data = seededRandom(trial + 200);
        const inSize = batch * window.channels * window.inH * window.inW;
        const outSize = batch * window.channels * window.outH * window.outW;
        const [x, dy, dx0] = [randomData(inSize, data), randomData(outSize, data), randomData(inSize, data)];
        const y = new Float64Array(outSize);
        const divisor = new Float64Array(window.outH * window.outW);
        cpu.avgPoolForward(x, y, divisor, batch, window, includePad);
        const dx = dx0.slice();
        cpu.avgPoolBackward(dy, dx, divisor, batch, window);

        const [gy, gdx] = [zeros(outSize), upload(dx0)];
        avgPoolForward(gpu!.runner, upload(x), gy, batch, window, includePad);
        avgPoolBackward(gpu!.runner, upload(dy), gdx, batch, window, includePad);
        expectClose(await gpu!.runner.readFloats(gy, outSize), y, 'forward');
        expectClose(await gpu!.runner.readFloats(gdx, inSize), dx, 'input gradient');
      });
    }
  }

  it('a window with no real pixel gives 0 and index −1, as on the CPU', async () => {
    // Padding 2 on a 3-wide kernel over a 1×1 input with stride 3: the second window is all padding.
    const window = { ...randomPoolWindow(seededRandom(1), 1), inH: 1, inW: 1, kernelH: 3, kernelW: 3, strideH: 3, strideW: 3 };
    const poolWindow = { ...window, padTop: 1, padLeft: 1, padBottom: 1, padRight: 4, outH: 1, outW: 2 };
    const y = new Float64Array(2);
    const argmax = new Int32Array(2);
    cpu.maxPoolForward(Float64Array.of(5), y, argmax, 1, poolWindow);
    const [gy, gargmax] = [zeros(2), uploadStorage(gpu!.device, Int32Array.of(7, 7), 'argmax')];
    maxPoolForward(gpu!.runner, upload([5]), gy, gargmax, 1, poolWindow);
    expect(Array.from(await gpu!.runner.readFloats(gy, 2))).toEqual(Array.from(y));
    expect(Array.from(await gpu!.runner.readInts(gargmax, 2))).toEqual(Array.from(argmax));
  });
});
