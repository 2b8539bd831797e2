/**
 * Parity of the WebGPU transposed convolution (forward, and both backward passes) with the CPU
 * kernels, on random geometries: strides, dilations, padding, output padding (an output larger
 * than the windows reach), groups, and the direct 1×1 path.
 */
import { describe, it } from 'vitest';
import type { Window2D } from '../../../../engine/backends/cpu/geometry';
import {
  transposedBackward as cpuTransposedBackward,
  transposedColumnLength as cpuColumnLength,
  transposedForward as cpuTransposedForward,
  type TransposedGeometry,
} from '../../../../engine/backends/cpu/kernels/transposed';
import { transposedBackward, transposedColumnLength, transposedForward } from '../../../../engine/backends/webgpu/kernels/transposed';
import { between, expectClose, gpu, randomData, seededRandom, upload, warnIfSkipped, zeros } from './harness';
import { describeWindow } from './windows';

warnIfSkipped('transposed.test.ts');

/** A transposed convolution's geometry: input H×W, then the output PyTorch computes (plus output padding). */
const randomTransposed = (random: () => number): TransposedGeometry => {
  const groups = [1, 1, 2, 3][between(random, 0, 3)];
  const kernelH = between(random, 1, 4);
  const kernelW = between(random, 1, 4);
  const strideH = between(random, 1, 3);
  const strideW = between(random, 1, 3);
  const dilationH = between(random, 1, 2);
  const dilationW = between(random, 1, 2);
  const padTop = between(random, 0, Math.floor((dilationH * (kernelH - 1)) / 2));
  const padLeft = between(random, 0, Math.floor((dilationW * (kernelW - 1)) / 2));
  for (;;) {
    const H = between(random, 1, 8);
    const W = between(random, 1, 8);
    // PyTorch: out = (in − 1)·stride − 2·pad + dilation·(kernel − 1) + output_padding + 1, output_padding < stride.
    const outH = (H - 1) * strideH - 2 * padTop + dilationH * (kernelH - 1) + between(random, 0, strideH - 1) + 1;
    const outW = (W - 1) * strideW - 2 * padLeft + dilationW * (kernelW - 1) + between(random, 0, strideW - 1) + 1;
    if (outH < 1 || outW < 1) continue;
    const window: Window2D = {
      channels: groups * between(random, 1, 3),
      inH: outH,
      inW: outW,
      outH: H,
      outW: W,
      ...{ kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft },
    };
    return { window, inChannels: groups * between(random, 1, 3), groups };
  }
};

describe.skipIf(!gpu)('WebGPU transposed convolution matches the CPU', () => {
  const random = seededRandom(59);
  const cases = Array.from({ length: 10 }, () => ({ geometry: randomTransposed(random), batch: between(random, 1, 3) }));
  // The direct 1×1 path, with and without groups.
  for (const groups of [1, 2]) {
    const window: Window2D = {
      ...{ channels: 4, inH: 5, inW: 3, outH: 5, outW: 3, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1 },
      ...{ dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0 },
    };
    cases.push({ geometry: { window, inChannels: 6, groups }, batch: 2 });
  }
  // Several GEMM tiles: 70 output channels, 2× upsampling of a 12×11 map.
  cases.push({
    geometry: {
      window: {
        ...{ channels: 70, inH: 24, inW: 22, outH: 12, outW: 11, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2 },
        ...{ dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0 },
      },
      inChannels: 9,
      groups: 1,
    },
    batch: 2,
  });

  for (const { geometry, batch } of cases) {
    const { window, inChannels, groups } = geometry;
    it(`${describeWindow(window)} Cin=${inChannels} groups=${groups} batch=${batch}`, async () => {
      const data = seededRandom(inChannels * 100 + batch + window.inH);
      const outChannels = window.channels;
      const inSize = batch * inChannels * window.outH * window.outW;
      const outSize = batch * outChannels * window.inH * window.inW;
      const weightSize = inChannels * (outChannels / groups) * window.kernelH * window.kernelW;
      const x = randomData(inSize, data);
      const w = randomData(weightSize, data, 0.5);
      const b = randomData(outChannels, data);
      const dy = randomData(outSize, data);
      const [dx0, dw0, db0] = [randomData(inSize, data), randomData(weightSize, data), randomData(outChannels, data)];

      const y = new Float64Array(outSize);
      const cpuCol = new Float64Array(cpuColumnLength(geometry));
      cpuTransposedForward(geometry, batch, x, w, b, y, cpuCol);
      const [dx, dw, db] = [dx0.slice(), dw0.slice(), db0.slice()];
      cpuTransposedBackward(geometry, batch, x, w, dy, dx, dw, db, cpuCol);

      const length = transposedColumnLength(geometry, batch);
      const col = length > 0 ? zeros(length) : null;
      // y starts as garbage: the forward pass must overwrite it.
      const [gx, gw, gy] = [upload(x), upload(w), upload(randomData(outSize, data))];
      const [gdx, gdw, gdb] = [upload(dx0), upload(dw0), upload(db0)];
      transposedForward(gpu!.runner, geometry, batch, gx, gw, upload(b), gy, col);
      transposedBackward(gpu!.runner, geometry, batch, gx, gw, upload(dy), gdx, gdw, gdb, col);
      expectClose(await gpu!.runner.readFloats(gy, outSize), y, 'forward');
      expectClose(await gpu!.runner.readFloats(gdx, inSize), dx, 'input gradient');
      expectClose(await gpu!.runner.readFloats(gdw, weightSize), dw, 'weight gradient');
      expectClose(await gpu!.runner.readFloats(gdb, outChannels), db, 'bias gradient');
    });
  }
});
