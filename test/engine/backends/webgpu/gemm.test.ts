/**
 * Parity of the WebGPU GEMM kernels (the tiled one and the barrier-free direct one) with the
 * CPU GEMM: the four transpose combinations on odd shapes, alpha and beta (beta 0 ignoring NaN
 * in C), offsets and leading dimensions larger than the matrix, and the batched and reduced
 * forms convolutions use.
 */
import { describe, expect, it } from 'vitest';
import { gemm as cpuGemm } from '../../../../engine/backends/cpu/kernels/gemm';
import { gemm } from '../../../../engine/backends/webgpu/kernels/gemm';
import { between, expectClose, gpu, randomData, seededRandom, upload, warnIfSkipped } from './harness';

warnIfSkipped('gemm.test.ts');

interface Case {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  /** Extra columns in each leading dimension, and offsets into each buffer. */
  pad: number;
  offset: number;
}

const randomCase = (random: () => number, transA: boolean, transB: boolean): Case => ({
  transA,
  transB,
  M: between(random, 1, 150),
  N: between(random, 1, 150),
  K: between(random, 1, 200),
  alpha: [1, -0.5, 2.25][between(random, 0, 2)],
  beta: [0, 1, 0.5][between(random, 0, 2)],
  pad: between(random, 0, 3),
  offset: between(random, 0, 5),
});

describe.skipIf(!gpu)('WebGPU GEMM matches the CPU', () => {
  for (const kernel of ['tiled', 'direct'] as const) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`${kernel}: transA=${transA} transB=${transB} on random shapes`, async () => {
          const random = seededRandom(1 + Number(transA) * 2 + Number(transB));
          const shapes: Case[] = [
            { transA, transB, M: 1, N: 1, K: 1, alpha: 1, beta: 0, pad: 0, offset: 0 },
            { transA, transB, M: 64, N: 64, K: 16, alpha: 1, beta: 1, pad: 0, offset: 0 },
            { transA, transB, M: 65, N: 63, K: 17, alpha: 1, beta: 0, pad: 1, offset: 3 },
          ];
          for (let i = 0; i < 5; i++) shapes.push(randomCase(random, transA, transB));
          for (const { M, N, K, alpha, beta, pad, offset } of shapes) {
            const [aRows, aCols] = transA ? [K, M] : [M, K];
            const [bRows, bCols] = transB ? [N, K] : [K, N];
            const lda = aCols + pad;
            const ldb = bCols + pad;
            const ldc = N + pad;
            const A = randomData(offset + aRows * lda, random);
            const B = randomData(offset + bRows * ldb, random);
            const C = randomData(offset + M * ldc, random);
            // beta 0 must ignore whatever C held.
            if (beta === 0) C[offset] = NaN;
            const expected = C.slice();
            cpuGemm(transA, transB, M, N, K, alpha, A, offset, lda, B, offset, ldb, beta, expected, offset, ldc);
            const gc = upload(C);
            gemm(gpu!.runner, transA, transB, M, N, K, alpha, upload(A), offset, lda, upload(B), offset, ldb, beta, gc, offset, ldc, {
              kernel,
            });
            const actual = await gpu!.runner.readFloats(gc, C.length);
            expectClose(actual, expected, `M=${M} N=${N} K=${K} alpha=${alpha} beta=${beta} pad=${pad} offset=${offset}`);
          }
        });
      }
    }

    it(`${kernel}: batched over samples and groups, and reduced over samples`, async () => {
      const random = seededRandom(42);
      const samples = 3;
      const groups = 2;
      const [M, N, K] = [13, 37, 29];
      // A: one M×K matrix per group; B: one K×N per sample and group; C: one M×N per sample and group.
      const A = randomData(groups * M * K, random);
      const B = randomData(samples * groups * K * N, random);
      const C = randomData(samples * groups * M * N, random);
      const expected = C.slice();
      for (let n = 0; n < samples; n++) {
        for (let g = 0; g < groups; g++) {
          const z = n * groups + g;
          cpuGemm(false, false, M, N, K, 1, A, g * M * K, K, B, z * K * N, N, 0, expected, z * M * N, N);
        }
      }
      const gc = upload(C);
      gemm(gpu!.runner, false, false, M, N, K, 1, upload(A), 0, K, upload(B), 0, N, 0, gc, 0, N, {
        kernel,
        count: samples * groups,
        groups,
        a: { inner: M * K },
        b: { outer: groups * K * N, inner: K * N },
        c: { outer: groups * M * N, inner: M * N },
      });
      expectClose(await gpu!.runner.readFloats(gc, C.length), expected, 'batched');

      // Reduced: D_g += Σ_n A_(n,g) · B_(n,g)ᵀ, as a weight gradient sums over samples.
      const As = randomData(samples * groups * M * K, random);
      const Bt = randomData(samples * groups * N * K, random);
      const D = randomData(groups * M * N, random);
      const reduced = D.slice();
      for (let n = 0; n < samples; n++) {
        for (let g = 0; g < groups; g++) {
          const z = n * groups + g;
          cpuGemm(false, true, M, N, K, 1, As, z * M * K, K, Bt, z * N * K, K, 1, reduced, g * M * N, N);
        }
      }
      const gd = upload(D);
      gemm(gpu!.runner, false, true, M, N, K, 1, upload(As), 0, K, upload(Bt), 0, K, 1, gd, 0, N, {
        kernel,
        count: groups,
        reduce: samples,
        a: { inner: M * K, reduce: groups * M * K },
        b: { inner: N * K, reduce: groups * N * K },
        c: { inner: M * N },
      });
      expectClose(await gpu!.runner.readFloats(gd, D.length), reduced, 'reduced');
    });
  }

  it('a second shape reuses the pipeline', () => {
    const before = gpu!.runner.cache.size;
    const a = upload(randomData(6, seededRandom(1)));
    gemm(gpu!.runner, false, false, 2, 3, 1, 1, a, 0, 1, a, 0, 3, 0, upload(new Float64Array(6)), 0, 3);
    gemm(gpu!.runner, true, true, 3, 2, 1, 1, a, 0, 3, a, 0, 1, 0, upload(new Float64Array(6)), 0, 2);
    expect(gpu!.runner.cache.size).toBeLessThanOrEqual(Math.max(before, 1));
  });
});
