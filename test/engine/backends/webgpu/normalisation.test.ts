/**
 * Parity of the WebGPU batch norm (training with batch statistics and running-stat updates,
 * and inference), global pooling and dropout kernels with the CPU kernels. Dropout's mask comes
 * from a hash on the GPU, not the CPU's stream: its test checks the GPU against the hash's host
 * mirror, the keep rate, and the forward/backward rules.
 */
import { describe, expect, it } from 'vitest';
import {
  batchNormBackward as cpuBatchNormBackward,
  batchNormForward as cpuBatchNormForward,
} from '../../../../engine/backends/cpu/kernels/normalisation';
import * as cpuPooling from '../../../../engine/backends/cpu/kernels/pooling';
import * as globalPooling from '../../../../engine/backends/webgpu/kernels/global-pooling';
import {
  batchNormBackward,
  batchNormForward,
  dropoutBackward,
  dropoutForward,
  dropoutMask,
  keepThreshold,
} from '../../../../engine/backends/webgpu/kernels/normalisation';
import { expectClose, gpu, randomData, seededRandom, upload, warnIfSkipped, zeros } from './harness';

warnIfSkipped('normalisation.test.ts');

describe.skipIf(!gpu)('WebGPU batch norm matches the CPU', () => {
  const shapes = [
    { batch: 1, channels: 1, size: 1 },
    { batch: 3, channels: 5, size: 7 },
    { batch: 2, channels: 3, size: 300 },
    { batch: 16, channels: 6, size: 196 },
    { batch: 4, channels: 70, size: 9 },
  ];
  for (const shape of shapes) {
    for (const training of [true, false]) {
      it(`N=${shape.batch} C=${shape.channels} H·W=${shape.size}, ${training ? 'training' : 'inference'}`, async () => {
        const random = seededRandom(shape.batch * 1000 + shape.channels * 10 + shape.size);
        const { batch, channels, size } = shape;
        const count = batch * channels * size;
        // An offset and a spread per channel, so the statistics are not those of the raw uniforms.
        const x = randomData(count, random, 2).map((v, i) => Math.fround(v * (1 + (i % 3)) + 0.5 * (Math.floor(i / size) % channels)));
        const gamma = randomData(channels, random);
        const beta = randomData(channels, random);
        const runningMean = randomData(channels, random, 0.3);
        const runningVar = randomData(channels, random, 0.5).map((v) => Math.fround(1 + v));
        const dy = randomData(count, random);
        const [dx0, dg0, db0] = [randomData(count, random), randomData(channels, random), randomData(channels, random)];
        const eps = 1e-5;
        const momentum = 0.1;

        const cpu = {
          gamma,
          beta,
          runningMean: runningMean.slice(),
          runningVar: runningVar.slice(),
          mean: new Float64Array(channels),
          invStd: new Float64Array(channels),
        };
        const y = new Float64Array(count);
        cpuBatchNormForward(x, y, shape, cpu, training, eps, momentum);
        const [dx, dg, db] = [dx0.slice(), dg0.slice(), db0.slice()];
        cpuBatchNormBackward(x, dy, dx, dg, db, shape, cpu, training);

        const g = {
          gamma: upload(gamma),
          beta: upload(beta),
          runningMean: upload(runningMean),
          runningVar: upload(runningVar),
          mean: zeros(channels),
          invStd: zeros(channels),
        };
        const [gx, gy, gdx, gdg, gdb] = [upload(x), zeros(count), upload(dx0), upload(dg0), upload(db0)];
        batchNormForward(gpu!.runner, gx, gy, shape, g, training, eps, momentum);
        batchNormBackward(gpu!.runner, gx, upload(dy), gdx, gdg, gdb, shape, g, zeros(2 * channels), training);
        const read = (buffer: GPUBuffer, length: number) => gpu!.runner.readFloats(buffer, length);
        expectClose(await read(gy, count), y, 'forward');
        expectClose(await read(g.runningMean, channels), cpu.runningMean, 'running mean');
        expectClose(await read(g.runningVar, channels), cpu.runningVar, 'running variance');
        expectClose(await read(gdx, count), dx, 'input gradient');
        expectClose(await read(gdg, channels), dg, 'γ gradient');
        expectClose(await read(gdb, channels), db, 'β gradient');
      });
    }
  }
});

describe.skipIf(!gpu)('WebGPU global pooling matches the CPU', () => {
  for (const [planes, size] of [
    [1, 1],
    [7, 49],
    [300, 3],
    [40, 784],
  ]) {
    it(`${planes} planes of ${size} pixels, average and max, forward and backward`, async () => {
      const random = seededRandom(planes + size);
      const x = randomData(planes * size, random, 3);
      // Ties: the first of equal maxima wins.
      if (size > 2) for (let p = 0; p < planes; p += 3) x[p * size + 2] = x[p * size + 1] = 9;
      const dy = randomData(planes, random);
      const dx0 = randomData(planes * size, random);
      const avg = new Float64Array(planes);
      cpuPooling.globalAvgPoolForward(x, avg, planes, size);
      const dxAvg = dx0.slice();
      cpuPooling.globalAvgPoolBackward(dy, dxAvg, planes, size);
      const max = new Float64Array(planes);
      const argmax = new Int32Array(planes);
      cpuPooling.globalMaxPoolForward(x, max, argmax, planes, size);
      const dxMax = dx0.slice();
      cpuPooling.globalMaxPoolBackward(dy, dxMax, argmax, planes, size);

      const runner = gpu!.runner;
      const [gx, gdy] = [upload(x), upload(dy)];
      const [gAvg, gMax, gArgmax, gdxAvg, gdxMax] = [zeros(planes), zeros(planes), zeros(planes), upload(dx0), upload(dx0)];
      globalPooling.globalAvgPoolForward(runner, gx, gAvg, planes, size);
      globalPooling.globalAvgPoolBackward(runner, gdy, gdxAvg, planes, size);
      globalPooling.globalMaxPoolForward(runner, gx, gMax, gArgmax, planes, size);
      globalPooling.globalMaxPoolBackward(runner, gdy, gdxMax, gArgmax, planes, size);
      expectClose(await runner.readFloats(gAvg, planes), avg, 'average forward');
      expectClose(await runner.readFloats(gdxAvg, planes * size), dxAvg, 'average backward');
      expectClose(await runner.readFloats(gMax, planes), max, 'max forward');
      expect([...(await runner.readInts(gArgmax, planes))], 'argmax').toEqual([...argmax]);
      expectClose(await runner.readFloats(gdxMax, planes * size), dxMax, 'max backward');
    });
  }
});

describe.skipIf(!gpu)('WebGPU dropout', () => {
  it('draws the hash mask of its host mirror, keeps about 1 − rate, scales by 1/(1 − rate), and routes gradients through it', async () => {
    const random = seededRandom(31);
    const count = 50_000;
    for (const [rate, key] of [
      [0.5, 0x12345678],
      [0.1, 7],
      [0.9, 0xfffffff0],
    ]) {
      const x = randomData(count, random);
      const dy = randomData(count, random);
      const dx0 = randomData(count, random);
      const mask = dropoutMask(key, count, rate);
      const kept = mask.reduce((sum, factor) => sum + (factor > 0 ? 1 : 0), 0) / count;
      // A binomial's standard deviation here is below 0.0023; allow five of them.
      expect(Math.abs(kept - (1 - rate)), `keep rate at rate ${rate}`).toBeLessThan(0.012);
      const runner = gpu!.runner;
      const [gx, gy, gMask, gdx] = [upload(x), zeros(count), zeros(count), upload(dx0)];
      dropoutForward(runner, gx, gy, gMask, count, rate, key);
      dropoutBackward(runner, upload(dy), gdx, gMask, count);
      expectClose(await runner.readFloats(gMask, count), mask, `mask, rate ${rate}`, 0);
      expectClose(
        await runner.readFloats(gy, count),
        x.map((v, i) => v * mask[i]),
        `forward, rate ${rate}`,
      );
      expectClose(
        await runner.readFloats(gdx, count),
        dx0.map((v, i) => v + dy[i] * mask[i]),
        `backward, rate ${rate}`,
      );
    }
    // Neighbouring keys give unrelated masks.
    const a = dropoutMask(1, 1000, 0.5);
    const b = dropoutMask(2, 1000, 0.5);
    const same = a.reduce((sum, v, i) => sum + (v === b[i] ? 1 : 0), 0);
    expect(same).toBeGreaterThan(430);
    expect(same).toBeLessThan(570);
    expect(keepThreshold(0.5)).toBe(2 ** 31);
  });
});
