/**
 * Parity of the WebGPU im2col, col2im and convolution (forward, and both backward passes) with
 * the CPU kernels, on random geometries: odd sizes, strides and dilations 1–3, asymmetric
 * padding, groups, and the direct 1×1 path.
 */
import { describe, it } from 'vitest';
import type { Window2D } from '../../../../engine/backends/cpu/geometry';
import {
  convBackward as cpuConvBackward,
  convColumnLength as cpuColumnLength,
  convForward as cpuConvForward,
  type ConvGeometry,
} from '../../../../engine/backends/cpu/kernels/conv';
import { col2im as cpuCol2im, im2col as cpuIm2col } from '../../../../engine/backends/cpu/kernels/im2col';
import { convBackward, convColumnLength, convForward } from '../../../../engine/backends/webgpu/kernels/conv';
import { col2im, columnLength, im2col } from '../../../../engine/backends/webgpu/kernels/im2col';
import { between, expectClose, gpu, randomData, seededRandom, upload, warnIfSkipped, zeros } from './harness';
import { describeWindow, randomWindow } from './windows';

warnIfSkipped('conv.test.ts');

describe.skipIf(!gpu)('WebGPU im2col and col2im match the CPU', () => {
  it('im2col over a batch, and col2im (a gather) accumulating into x', async () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 12; trial++) {
      const batch = between(random, 1, 3);
      const window = randomWindow(random, between(random, 1, 4));
      const label = `${describeWindow(window)} batch ${batch}`;
      const inSize = window.channels * window.inH * window.inW;
      const colSize = columnLength(window, 1);
      const x = randomData(batch * inSize, random);
      const expectedCol = new Float64Array(batch * colSize);
      for (let n = 0; n < batch; n++) cpuIm2col(x, n * inSize, window.channels, window, expectedCol, n * colSize);
      const gcol = zeros(batch * colSize);
      im2col(gpu!.runner, upload(x), 0, batch, window, gcol);
      expectClose(await gpu!.runner.readFloats(gcol, batch * colSize), expectedCol, `im2col ${label}`);

      const col = randomData(batch * colSize, random);
      const expectedX = x.slice();
      for (let n = 0; n < batch; n++) cpuCol2im(col, n * colSize, window.channels, window, expectedX, n * inSize);
      const gx = upload(x);
      col2im(gpu!.runner, upload(col), 0, batch, window, gx);
      expectClose(await gpu!.runner.readFloats(gx, x.length), expectedX, `col2im ${label}`);
    }
  });
});

describe.skipIf(!gpu)('WebGPU convolution matches the CPU', () => {
  const cases: { geometry: ConvGeometry; batch: number }[] = [];
  const random = seededRandom(11);
  for (let trial = 0; trial < 10; trial++) {
    const groups = [1, 1, 2, 3][between(random, 0, 3)];
    const window = randomWindow(random, groups * between(random, 1, 3));
    cases.push({ geometry: { window, outChannels: groups * between(random, 1, 4), groups }, batch: between(random, 1, 3) });
  }
  // Several GEMM tiles in every dimension.
  const large: Window2D = {
    ...{ channels: 12, inH: 23, inW: 21, outH: 12, outW: 21, kernelH: 3, kernelW: 3, strideH: 2, strideW: 1 },
    ...{ dilationH: 1, dilationW: 1, padTop: 1, padLeft: 1 },
  };
  cases.push({ geometry: { window: large, outChannels: 70, groups: 1 }, batch: 3 });
  // The direct 1×1 path, with and without groups.
  for (const groups of [1, 2]) {
    const window: Window2D = { ...randomWindow(random, 4), kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, padTop: 0, padLeft: 0 };
    cases.push({ geometry: { window: { ...window, outH: window.inH, outW: window.inW }, outChannels: 6, groups }, batch: 2 });
  }

  for (const { geometry, batch } of cases) {
    const { window, outChannels, groups } = geometry;
    it(`${describeWindow(window)} F=${outChannels} groups=${groups} batch=${batch}`, async () => {
      const data = seededRandom(outChannels * 100 + batch);
      const inSize = batch * window.channels * window.inH * window.inW;
      const outSize = batch * outChannels * window.outH * window.outW;
      const weightSize = outChannels * (window.channels / groups) * window.kernelH * window.kernelW;
      const x = randomData(inSize, data);
      const w = randomData(weightSize, data, 0.5);
      const b = randomData(outChannels, data);
      const dy = randomData(outSize, data);
      const [dx0, dw0, db0] = [randomData(inSize, data), randomData(weightSize, data), randomData(outChannels, data)];

      const y = new Float64Array(outSize);
      const cpuCol = new Float64Array(cpuColumnLength(geometry));
      cpuConvForward(geometry, batch, x, w, b, y, cpuCol);
      const [dx, dw, db] = [dx0.slice(), dw0.slice(), db0.slice()];
      cpuConvBackward(geometry, batch, x, w, dy, dx, dw, db, cpuCol);

      const length = convColumnLength(geometry, batch);
      const col = length > 0 ? zeros(length) : null;
      const [gx, gw, gdy] = [upload(x), upload(w), upload(dy)];
      const gy = zeros(outSize);
      const [gdx, gdw, gdb] = [upload(dx0), upload(dw0), upload(db0)];
      convForward(gpu!.runner, geometry, batch, gx, gw, upload(b), gy, col);
      convBackward(gpu!.runner, geometry, batch, gx, gw, gdy, gdx, gdw, gdb, col);
      expectClose(await gpu!.runner.readFloats(gy, outSize), y, 'forward');
      expectClose(await gpu!.runner.readFloats(gdx, inSize), dx, 'input gradient');
      expectClose(await gpu!.runner.readFloats(gdw, weightSize), dw, 'weight gradient');
      expectClose(await gpu!.runner.readFloats(gdb, outChannels), db, 'bias gradient');
    });
  }
});
