/**
 * The WebAssembly SGEMM (engine/backends/cpu/kernels/gemm-wasm.ts) against a float64 triple loop:
 * the four transposes, odd sizes and sizes on either side of the 4×8 tile and of the MC, KC and
 * NC blocks, offsets and padded leading dimensions (staged as one span or row by row), alpha and
 * beta (beta 0 ignoring NaN), the chunked path, bit-for-bit determinism, gemm.ts's dispatch, and
 * that the committed module is what its source assembles to.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gemm } from '../../../../engine/backends/cpu/kernels/gemm';
import {
  gemmWasm,
  setWasmGemmEnabled,
  setWasmGemmStageFloats,
  sgemmWasm,
  WASM_GEMM_MIN_WORK,
  wasmGemmAvailable,
  wasmGemmMemoryBytes,
} from '../../../../engine/backends/cpu/kernels/gemm-wasm';
import { SGEMM_FMA_WASM_BASE64, SGEMM_WASM_BASE64 } from '../../../../engine/backends/cpu/kernels/gemm-wasm.generated';
import { seededRandom } from './harness';

interface Case {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  /** Extra columns past each stored row of A, B and C. */
  pad: readonly [number, number, number];
  offsets: readonly [number, number, number];
}

interface Operands {
  A: Float32Array;
  B: Float32Array;
  C: Float32Array;
  lda: number;
  ldb: number;
  ldc: number;
}

const name = (c: Case): string =>
  `${c.transA ? 'T' : 'N'}${c.transB ? 'T' : 'N'} ${c.M}×${c.N}×${c.K} alpha ${c.alpha} beta ${c.beta} pad ${c.pad.join(',')}`;

const make = (c: Case, seed: number): Operands => {
  const random = seededRandom(seed);
  const fill = (length: number) => Float32Array.from({ length }, () => random() * 2 - 1);
  const [aRows, aCols] = c.transA ? [c.K, c.M] : [c.M, c.K];
  const [bRows, bCols] = c.transB ? [c.N, c.K] : [c.K, c.N];
  const [lda, ldb, ldc] = [aCols + c.pad[0], bCols + c.pad[1], c.N + c.pad[2]];
  const C = fill(c.offsets[2] + c.M * ldc + 3);
  if (c.beta === 0) C.fill(Number.NaN, c.offsets[2], c.offsets[2] + c.M * ldc); // beta 0 ignores what was there
  return { A: fill(c.offsets[0] + aRows * lda + 2), B: fill(c.offsets[1] + bRows * ldb + 2), C, lda, ldb, ldc };
};

/**
 * Checks C against a float64 triple loop: each entry within 1e-5 of the scale of its terms,
 * |alpha|·Σ|a·b| + |beta·c| (the relative error that float32 sums can promise with cancellation),
 * and every entry outside the M×N block untouched.
 */
const check = (c: Case, before: Float32Array, o: Operands, after: Float32Array): void => {
  const [aOffset, bOffset, cOffset] = c.offsets;
  let worst = 0;
  let where = '';
  for (let i = 0; i < c.M; i++) {
    for (let j = 0; j < c.N; j++) {
      let sum = 0;
      let scale = 0;
      for (let k = 0; k < c.K; k++) {
        const a = c.transA ? o.A[aOffset + k * o.lda + i] : o.A[aOffset + i * o.lda + k];
        const b = c.transB ? o.B[bOffset + j * o.ldb + k] : o.B[bOffset + k * o.ldb + j];
        sum += a * b;
        scale += Math.abs(a * b);
      }
      const at = cOffset + i * o.ldc + j;
      const old = c.beta === 0 ? 0 : c.beta * before[at];
      const expected = c.alpha * sum + old;
      const error = Math.abs(after[at] - expected) / (Math.abs(c.alpha) * scale + Math.abs(old) + 1e-30);
      if (!(error <= worst)) [worst, where] = [error, `(${i}, ${j}): ${after[at]} vs ${expected}`];
    }
  }
  expect(worst, `${name(c)}: worst at ${where}`).toBeLessThanOrEqual(1e-5);
  for (let at = 0; at < after.length; at++) {
    const inside = at >= cOffset && at < cOffset + c.M * o.ldc && (at - cOffset) % o.ldc < c.N;
    if (!inside && !Object.is(after[at], before[at])) expect.fail(`${name(c)}: C[${at}] outside the product changed`);
  }
};

const run = (c: Case, o: Operands, C = Float32Array.from(o.C)): Float32Array => {
  const [aOffset, bOffset, cOffset] = c.offsets;
  const done = sgemmWasm(c.transA, c.transB, c.M, c.N, c.K, c.alpha, o.A, aOffset, o.lda, o.B, bOffset, o.ldb, c.beta, C, cOffset, o.ldc);
  expect(done).toBe(true);
  return C;
};

const TRANSPOSES = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

const available = wasmGemmAvailable();
if (!available) console.warn('gemm-wasm tests skipped: this runtime has no WebAssembly SIMD');

describe.runIf(available)('gemmWasm', () => {
  // [M, N, K]: below and on the 4×8 tile's edges, K past one 256 block, M past one 128 block,
  // N past one 1024 block, all three exactly on a block and one past, K = 1024.
  const sizes = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 1],
    [5, 9, 2],
    [8, 16, 4],
    [17, 19, 23],
    [37, 29, 300],
    [130, 9, 11],
    [5, 1030, 3],
    [64, 64, 64],
    [128, 1024, 256],
    [129, 1025, 257],
    [33, 47, 1024],
  ];
  const scalars = [
    [1, 0],
    [0.5, 1],
    [-1.5, 0.25],
  ] as const;
  for (const [M, N, K] of sizes) {
    for (const [transA, transB] of TRANSPOSES) {
      it(`${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${M}×${N}×${K} with offsets, padded leading dimensions, alpha and beta`, () => {
        for (const [index, [alpha, beta]] of scalars.entries()) {
          // Small padding stages the span with its leading dimensions; large, row by row.
          const pad = index === 2 ? ([40, 3 * Math.max(M, N, K), 50] as const) : ([3, 1, 2] as const);
          const c: Case = { transA, transB, M, N, K, alpha, beta, pad, offsets: [5, 2, 7] };
          const o = make(c, M * 1000 + N * 10 + K + index);
          check(c, o.C, o, run(c, o));
        }
      });
    }
  }

  it('gives the same bits from run to run, and in chunks as in one piece', () => {
    for (const [transA, transB] of TRANSPOSES) {
      const c: Case = { transA, transB, M: 150, N: 170, K: 600, alpha: 0.75, beta: 0.5, pad: [1, 2, 3], offsets: [1, 2, 3] };
      const o = make(c, 42);
      const first = run(c, o);
      expect(run(c, o)).toEqual(first);
      try {
        // 20 000 staged floats: chunks of 64 rows or columns and 256 along K.
        setWasmGemmStageFloats(20_000);
        const chunked = run(c, o);
        expect(Buffer.from(chunked.buffer).equals(Buffer.from(first.buffer))).toBe(true);
      } finally {
        setWasmGemmStageFloats(1 << 24);
      }
      check(c, o.C, o, first);
    }
  });

  it('sums each entry in the same order wherever it falls: an edge tile gives the bits of a full one', () => {
    for (const [transA, transB] of TRANSPOSES) {
      // K = 600 passes the KC block and several 64-step runs; 13 and 6 leave edge tiles, 21 and 12 move them.
      const big: Case = { transA, transB, M: 12, N: 21, K: 600, alpha: 1.25, beta: 0.5, pad: [0, 0, 0], offsets: [0, 0, 0] };
      const o = make(big, 11);
      const whole = run(big, o);
      // The top-left 6×13 corner as its own product: the same operands with M = 6, N = 13.
      const corner: Case = { ...big, M: 6, N: 13 };
      const C = Float32Array.from(o.C);
      expect(sgemmWasm(transA, transB, 6, 13, 600, 1.25, o.A, 0, o.lda, o.B, 0, o.ldb, 0.5, C, 0, o.ldc)).toBe(true);
      check(corner, o.C, o, C);
      for (let i = 0; i < 6; i++) for (let j = 0; j < 13; j++) expect(Object.is(C[i * o.ldc + j], whole[i * o.ldc + j])).toBe(true);
    }
  });

  it('grows its memory once for a size, not per call', () => {
    const c: Case = { transA: false, transB: false, M: 300, N: 200, K: 500, alpha: 1, beta: 0, pad: [0, 0, 0], offsets: [0, 0, 0] };
    const o = make(c, 7);
    run(c, o);
    const bytes = wasmGemmMemoryBytes();
    expect(bytes).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) run(c, o);
    expect(wasmGemmMemoryBytes()).toBe(bytes);
  });

  it('is what gemm runs for float32 products of sufficient size, and only those', () => {
    const c: Case = { transA: true, transB: false, M: 40, N: 50, K: 60, alpha: 1, beta: 0, pad: [1, 1, 1], offsets: [3, 4, 5] };
    expect(c.M * c.N * c.K).toBeGreaterThanOrEqual(WASM_GEMM_MIN_WORK);
    const o = make(c, 9);
    const wasm = run(c, o);
    const viaGemm = Float32Array.from(o.C);
    gemm(c.transA, c.transB, c.M, c.N, c.K, c.alpha, o.A, 3, o.lda, o.B, 4, o.ldb, c.beta, viaGemm, 5, o.ldc);
    expect(viaGemm).toEqual(wasm);
    // Turned off, gemm computes it in JavaScript (float64 sums): close, but not the same bits.
    const viaJs = Float32Array.from(o.C);
    try {
      setWasmGemmEnabled(false);
      gemm(c.transA, c.transB, c.M, c.N, c.K, c.alpha, o.A, 3, o.lda, o.B, 4, o.ldb, c.beta, viaJs, 5, o.ldc);
    } finally {
      setWasmGemmEnabled(true);
    }
    check(c, o.C, o, viaJs);
    expect(viaJs).not.toEqual(wasm);
    // Not for it: float64 operands, small products, alpha 0.
    const f64 = new Float64Array(10);
    expect(gemmWasm(false, false, 100, 100, 100, 1, f64, 0, 100, o.B, 0, 100, 0, o.C, 0, 100)).toBe(false);
    expect(gemmWasm(false, false, 4, 4, 4, 1, o.A, 0, 4, o.B, 0, 4, 0, o.C, 0, 4)).toBe(false);
    expect(gemmWasm(false, false, 40, 50, 60, 0, o.A, 0, 60, o.B, 0, 50, 0, o.C, 0, 50)).toBe(false);
  });
});

describe('gemm-wasm.generated.ts', () => {
  it('is what npm run wasm assembles from the .wat source', async (context) => {
    let build: { assemble(fma?: boolean): Promise<Uint8Array>; render(bytes: Uint8Array, fmaBytes: Uint8Array): string; GENERATED: string };
    try {
      await import('wabt');
      build = await import(new URL('../../../../scripts/build-wasm.mjs', import.meta.url).href);
    } catch (error) {
      const reason = `the assembler (npm package wabt) is not installed: ${String(error)}`;
      console.warn(`gemm-wasm.generated.ts check skipped: ${reason}`);
      return context.skip(reason);
    }
    const bytes = await build.assemble();
    const fmaBytes = await build.assemble(true);
    expect(Buffer.from(SGEMM_WASM_BASE64, 'base64').equals(Buffer.from(bytes))).toBe(true);
    expect(Buffer.from(SGEMM_FMA_WASM_BASE64, 'base64').equals(Buffer.from(fmaBytes))).toBe(true);
    const committed = readFileSync(new URL(`../../../../${build.GENERATED}`, import.meta.url), 'utf8');
    expect(committed).toBe(build.render(bytes, fmaBytes));
  });
});
