/**
 * Parity of the WebGPU kernels of the data-moving layers (copy, Add, Concat, softmax over
 * channels, Upsample nearest and bilinear) and of GELU with the CPU kernels.
 */
import { describe, it } from 'vitest';
import * as cpu from '../../../../engine/backends/cpu/kernels/elementwise';
import { geluBackward, geluForward } from '../../../../engine/backends/webgpu/kernels/elementwise';
import * as structure from '../../../../engine/backends/webgpu/kernels/structure';
import { uploadStorage } from '../../../../engine/backends/webgpu/buffers';
import { between, expectClose, gpu, randomData, seededRandom, upload, warnIfSkipped, zeros } from './harness';

warnIfSkipped('structure.test.ts');

describe.skipIf(!gpu)('WebGPU data-moving kernels match the CPU', () => {
  it('copy, accumulate and Add over 2–4 inputs', async () => {
    const random = seededRandom(41);
    for (const count of [1, 255, 70_001]) {
      const ports = between(random, 2, 4);
      const inputs = Array.from({ length: ports }, () => randomData(count, random));
      const expected = new Float64Array(count);
      cpu.addForward(inputs, expected, count);
      const gy = zeros(count);
      structure.addForward(
        gpu!.runner,
        inputs.map((input) => upload(input)),
        gy,
        count,
      );
      expectClose(await gpu!.runner.readFloats(gy, count), expected, `add of ${ports} inputs, ${count} values`);
      const dx0 = randomData(count, random);
      const dx = dx0.slice();
      cpu.accumulate(inputs[0], dx, count);
      const gdx = upload(dx0);
      structure.accumulate(gpu!.runner, upload(inputs[0]), gdx, count);
      expectClose(await gpu!.runner.readFloats(gdx, count), dx, `accumulate, ${count} values`);
      const copy = zeros(count);
      structure.copyForward(gpu!.runner, upload(inputs[1]), copy, count);
      expectClose(await gpu!.runner.readFloats(copy, count), inputs[1], `copy, ${count} values`, 0);
    }
  });

  it('Concat forward and backward, images and vectors, with a port that needs no gradient', async () => {
    const random = seededRandom(43);
    for (let trial = 0; trial < 5; trial++) {
      const batch = between(random, 1, 4);
      const sizes = Array.from({ length: between(random, 2, 4) }, () => between(random, 1, 3) * between(random, 1, 50));
      const total = sizes.reduce((a, b) => a + b, 0);
      const inputs = sizes.map((size) => randomData(batch * size, random));
      const y = new Float64Array(batch * total);
      cpu.concatForward(inputs, y, batch, sizes);
      const dy = randomData(batch * total, random);
      const starts = sizes.map((size) => randomData(batch * size, random));
      const dxs = starts.map((start, port) => (port === 1 ? null : start.slice()));
      cpu.concatBackward(dy, dxs, batch, sizes);

      const gy = zeros(batch * total);
      structure.concatForward(
        gpu!.runner,
        inputs.map((input) => upload(input)),
        gy,
        batch,
        sizes,
      );
      const gdxs = starts.map((start, port) => (port === 1 ? null : upload(start)));
      structure.concatBackward(gpu!.runner, upload(dy), gdxs, batch, sizes);
      const label = `batch ${batch}, ports ${sizes.join('+')}`;
      expectClose(await gpu!.runner.readFloats(gy, batch * total), y, `forward, ${label}`, 0);
      for (const [port, gdx] of gdxs.entries()) {
        if (gdx) expectClose(await gpu!.runner.readFloats(gdx, batch * sizes[port]), dxs[port]!, `backward port ${port}, ${label}`);
      }
    }
  });

  it('softmax over channels, per pixel and for vectors', async () => {
    const random = seededRandom(47);
    for (const [outer, channels, inner] of [
      [1, 1, 1],
      [3, 10, 1],
      [2, 7, 13],
      [5, 3, 400],
    ]) {
      const count = outer * channels * inner;
      const x = randomData(count, random, 10);
      const y = new Float64Array(count);
      cpu.softmaxForward(x, y, outer, channels, inner);
      const dy = randomData(count, random);
      const dx0 = randomData(count, random);
      const dx = dx0.slice();
      cpu.softmaxBackward(y, dy, dx, outer, channels, inner);
      const [gy, gdx] = [zeros(count), upload(dx0)];
      structure.softmaxForward(gpu!.runner, upload(x), gy, outer, channels, inner);
      structure.softmaxBackward(gpu!.runner, gy, upload(dy), gdx, outer, channels, inner);
      const label = `${outer}×${channels}×${inner}`;
      expectClose(await gpu!.runner.readFloats(gy, count), y, `forward ${label}`);
      expectClose(await gpu!.runner.readFloats(gdx, count), dx, `backward ${label}`);
    }
  });

  for (const mode of ['nearest', 'bilinear'] as const) {
    it(`Upsample ${mode}, forward and backward, scales 1–5 and 41 (nearest's float32 rounding)`, async () => {
      const random = seededRandom(mode.length);
      const cases = [
        { planes: 2, inH: 3, inW: 4, scaleH: 2, scaleW: 2 },
        { planes: 3, inH: 5, inW: 1, scaleH: 3, scaleW: 1 },
        { planes: 1, inH: 1, inW: 1, scaleH: 4, scaleW: 5 },
        { planes: 4, inH: 7, inW: 6, scaleH: 1, scaleW: 3 },
        { planes: 2, inH: 3, inW: 2, scaleH: 41, scaleW: 2 },
      ];
      for (const geometry of cases) {
        const { planes, inH, inW, scaleH, scaleW } = geometry;
        const [outH, outW] = [inH * scaleH, inW * scaleW];
        const x = randomData(planes * inH * inW, random);
        const dy = randomData(planes * outH * outW, random);
        const dx0 = randomData(planes * inH * inW, random);
        const y = new Float64Array(planes * outH * outW);
        const dx = dx0.slice();
        if (mode === 'nearest') {
          const tables = { rows: new Int32Array(outH), cols: new Int32Array(outW) };
          cpu.nearestTable(inH, scaleH, tables.rows);
          cpu.nearestTable(inW, scaleW, tables.cols);
          cpu.upsampleNearestForward(x, y, geometry, tables);
          cpu.upsampleNearestBackward(dy, dx, geometry, tables);
        } else {
          const t = {
            rowLower: new Int32Array(outH),
            rowUpper: new Int32Array(outH),
            rowWeight: new Float64Array(outH),
            colLower: new Int32Array(outW),
            colUpper: new Int32Array(outW),
            colWeight: new Float64Array(outW),
          };
          cpu.bilinearTable(inH, scaleH, t.rowLower, t.rowUpper, t.rowWeight);
          cpu.bilinearTable(inW, scaleW, t.colLower, t.colUpper, t.colWeight);
          cpu.upsampleBilinearForward(x, y, geometry, t);
          cpu.upsampleBilinearBackward(dy, dx, geometry, t);
        }
        const shape = { ...geometry, mode };
        const tables = structure.upsampleTables(shape);
        const indices = uploadStorage(gpu!.device, tables.indices, 'indices');
        const weights = uploadStorage(gpu!.device, tables.weights, 'weights');
        const [gy, gdx] = [zeros(y.length), upload(dx0)];
        structure.upsampleForward(gpu!.runner, upload(x), gy, shape, indices, weights);
        structure.upsampleBackward(gpu!.runner, upload(dy), gdx, shape, indices, weights);
        const label = `${planes}×${inH}×${inW} scale ${scaleH}×${scaleW}`;
        expectClose(await gpu!.runner.readFloats(gy, y.length), y, `forward ${label}`);
        expectClose(await gpu!.runner.readFloats(gdx, dx.length), dx, `backward ${label}`);
      }
    });
  }

  it('GELU forward and backward (exact erf form), across the tails', async () => {
    const random = seededRandom(53);
    for (const count of [1, 1000, 70_001]) {
      const x = randomData(count, random, 12);
      for (let i = 0; i < count; i += 17) x[i] = 0;
      const dy = randomData(count, random);
      const dx0 = randomData(count, random);
      const y = new Float64Array(count);
      cpu.geluForward(x, y, count);
      const dx = dx0.slice();
      cpu.geluBackward(x, dy, dx, count);
      const [gx, gy, gdx] = [upload(x), zeros(count), upload(dx0)];
      geluForward(gpu!.runner, gx, gy, count);
      geluBackward(gpu!.runner, gx, upload(dy), gdx, count);
      expectClose(await gpu!.runner.readFloats(gy, count), y, `forward, ${count} values`);
      expectClose(await gpu!.runner.readFloats(gdx, count), dx, `backward, ${count} values`);
    }
  });
});
