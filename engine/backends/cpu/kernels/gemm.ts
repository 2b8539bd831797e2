/**
 * SGEMM in plain JavaScript, row-major: C = alpha · op(A) · op(B) + beta · C, where op(A) is
 * M×K and op(B) is K×N.
 *
 * - `transA` false: A is M×K, element (i, k) at `aOffset + i·lda + k`; true: A is K×M, (i, k) at `aOffset + k·lda + i`.
 * - `transB` false: B is K×N, element (k, j) at `bOffset + k·ldb + j`; true: B is N×K, (k, j) at `bOffset + j·ldb + k`.
 * - C is M×N, element (i, j) at `cOffset + i·ldc + j`. With beta 0, C's old contents (even NaN) are ignored.
 *
 * The structure is GotoBLAS's: op(B) is packed in KC×NC blocks of NR-wide column panels, op(A)
 * in MC×KC blocks of MR-tall row panels (both into float64 buffers, so the inner kernel is
 * monomorphic whatever the caller's array type, and the transposes cost nothing past packing),
 * and a 4×8 register-blocked micro-kernel keeps its 32 sums in plain locals. This is the one
 * entry point that a WebAssembly SIMD version can replace.
 */
import type { Floats } from '../types';
import { gemmWasm } from './gemm-wasm';

/** Rows of A and columns of B in one micro-kernel tile. */
const MR = 4;
const NR = 8;
/** Block sizes: an MC×KC block of A stays in L2, a KC×NR panel of B in L1. */
const KC = 256;
const MC = 128;
const NC = 1024;

// Packing buffers live as long as the module: a few hundred kilobytes, allocated on first use.
let packedA = new Float64Array(0);
let packedB = new Float64Array(0);

/** Below this many multiply-adds, packing costs more than it saves. */
const SMALL = 4096;

export const gemm = (
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: Floats,
  aOffset: number,
  lda: number,
  B: Floats,
  bOffset: number,
  ldb: number,
  beta: number,
  C: Floats,
  cOffset: number,
  ldc: number,
): void => {
  if (M <= 0 || N <= 0) return;
  if (gemmWasm(transA, transB, M, N, K, alpha, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)) return; // float32: WebAssembly SIMD
  if (beta !== 1) scaleC(M, N, beta, C, cOffset, ldc);
  if (K <= 0 || alpha === 0) return;
  if (M * N * K <= SMALL) {
    smallGemm(transA, transB, M, N, K, alpha, A, aOffset, lda, B, bOffset, ldb, C, cOffset, ldc);
    return;
  }
  if (packedA.length === 0) {
    packedA = new Float64Array(MC * KC);
    packedB = new Float64Array(KC * NC);
  }
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      packB(transB, B, bOffset, ldb, pc, kc, jc, nc, packedB);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packA(transA, A, aOffset, lda, ic, mc, pc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const bPanel = jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            kernel4x8(kc, packedA, ir * kc, packedB, bPanel, alpha, C, cOffset + (ic + ir) * ldc + jc + jr, ldc, mr, nr);
          }
        }
      }
    }
  }
};

const scaleC = (M: number, N: number, beta: number, C: Floats, cOffset: number, ldc: number): void => {
  for (let i = 0; i < M; i++) {
    const row = cOffset + i * ldc;
    if (beta === 0) C.fill(0, row, row + N);
    else for (let j = row; j < row + N; j++) C[j] *= beta;
  }
};

/** Plain loops for tiny products (gradient checks, a Dense layer on a small batch). */
const smallGemm = (
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: Floats,
  aOffset: number,
  lda: number,
  B: Floats,
  bOffset: number,
  ldb: number,
  C: Floats,
  cOffset: number,
  ldc: number,
): void => {
  const aRow = transA ? 1 : lda;
  const aCol = transA ? lda : 1;
  const bRow = transB ? 1 : ldb;
  const bCol = transB ? ldb : 1;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      let a = aOffset + i * aRow;
      let b = bOffset + j * bCol;
      for (let k = 0; k < K; k++, a += aCol, b += bRow) sum += A[a] * B[b];
      C[cOffset + i * ldc + j] += alpha * sum;
    }
  }
};

/**
 * Packs op(A)[ic : ic + mc, pc : pc + kc] as MR-tall row panels: panel p holds, for each k, the
 * MR values of rows ic + p·MR … (zeros past row mc), so the micro-kernel reads it sequentially.
 */
const packA = (
  transA: boolean,
  A: Floats,
  aOffset: number,
  lda: number,
  ic: number,
  mc: number,
  pc: number,
  kc: number,
  out: Float64Array,
): void => {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir);
    let o = ir * kc;
    if (transA) {
      // (i, k) at k·lda + i: the MR values of one k are contiguous.
      let src = aOffset + pc * lda + ic + ir;
      if (rows === MR) {
        for (let k = 0; k < kc; k++, src += lda, o += MR) {
          out[o] = A[src];
          out[o + 1] = A[src + 1];
          out[o + 2] = A[src + 2];
          out[o + 3] = A[src + 3];
        }
      } else {
        for (let k = 0; k < kc; k++, src += lda, o += MR) for (let r = 0; r < MR; r++) out[o + r] = r < rows ? A[src + r] : 0;
      }
    } else {
      // (i, k) at i·lda + k: walk MR rows side by side.
      const r0 = aOffset + (ic + ir) * lda + pc;
      if (rows === MR) {
        const r1 = r0 + lda;
        const r2 = r1 + lda;
        const r3 = r2 + lda;
        for (let k = 0; k < kc; k++, o += MR) {
          out[o] = A[r0 + k];
          out[o + 1] = A[r1 + k];
          out[o + 2] = A[r2 + k];
          out[o + 3] = A[r3 + k];
        }
      } else {
        for (let k = 0; k < kc; k++, o += MR) for (let r = 0; r < MR; r++) out[o + r] = r < rows ? A[r0 + r * lda + k] : 0;
      }
    }
  }
};

/** Packs op(B)[pc : pc + kc, jc : jc + nc] as NR-wide column panels (zeros past column nc). */
const packB = (
  transB: boolean,
  B: Floats,
  bOffset: number,
  ldb: number,
  pc: number,
  kc: number,
  jc: number,
  nc: number,
  out: Float64Array,
): void => {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    let o = jr * kc;
    if (!transB) {
      // (k, j) at k·ldb + j: the NR values of one k are contiguous.
      let src = bOffset + pc * ldb + jc + jr;
      if (cols === NR) {
        for (let k = 0; k < kc; k++, src += ldb, o += NR) {
          out[o] = B[src];
          out[o + 1] = B[src + 1];
          out[o + 2] = B[src + 2];
          out[o + 3] = B[src + 3];
          out[o + 4] = B[src + 4];
          out[o + 5] = B[src + 5];
          out[o + 6] = B[src + 6];
          out[o + 7] = B[src + 7];
        }
      } else {
        for (let k = 0; k < kc; k++, src += ldb, o += NR) for (let c = 0; c < NR; c++) out[o + c] = c < cols ? B[src + c] : 0;
      }
    } else {
      // (k, j) at j·ldb + k: each column of op(B) is a contiguous row of B.
      for (let c = 0; c < NR; c++) {
        if (c < cols) {
          const src = bOffset + (jc + jr + c) * ldb + pc;
          for (let k = 0; k < kc; k++) out[o + k * NR + c] = B[src + k];
        } else {
          for (let k = 0; k < kc; k++) out[o + k * NR + c] = 0;
        }
      }
    }
  }
};

const tile = new Float64Array(MR * NR);

/**
 * C[0:mr, 0:nr] += alpha · Ap · Bp for one MR×kc panel of A and one kc×NR panel of B, the 32
 * sums held in locals.
 */
const kernel4x8 = (
  kc: number,
  Ap: Float64Array,
  a: number,
  Bp: Float64Array,
  b: number,
  alpha: number,
  C: Floats,
  c: number,
  ldc: number,
  mr: number,
  nr: number,
): void => {
  // prettier-ignore
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0,
    c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0,
    c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0,
    c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
  // prettier-ignore
  for (let k = 0; k < kc; k++, a += MR, b += NR) {
    const b0 = Bp[b], b1 = Bp[b + 1], b2 = Bp[b + 2], b3 = Bp[b + 3], b4 = Bp[b + 4], b5 = Bp[b + 5], b6 = Bp[b + 6], b7 = Bp[b + 7];
    let x = Ap[a];
    c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3; c04 += x * b4; c05 += x * b5; c06 += x * b6; c07 += x * b7;
    x = Ap[a + 1];
    c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3; c14 += x * b4; c15 += x * b5; c16 += x * b6; c17 += x * b7;
    x = Ap[a + 2];
    c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3; c24 += x * b4; c25 += x * b5; c26 += x * b6; c27 += x * b7;
    x = Ap[a + 3];
    c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3; c34 += x * b4; c35 += x * b5; c36 += x * b6; c37 += x * b7;
  }
  // prettier-ignore
  if (mr === MR && nr === NR) {
    C[c] += alpha * c00; C[c + 1] += alpha * c01; C[c + 2] += alpha * c02; C[c + 3] += alpha * c03;
    C[c + 4] += alpha * c04; C[c + 5] += alpha * c05; C[c + 6] += alpha * c06; C[c + 7] += alpha * c07;
    c += ldc;
    C[c] += alpha * c10; C[c + 1] += alpha * c11; C[c + 2] += alpha * c12; C[c + 3] += alpha * c13;
    C[c + 4] += alpha * c14; C[c + 5] += alpha * c15; C[c + 6] += alpha * c16; C[c + 7] += alpha * c17;
    c += ldc;
    C[c] += alpha * c20; C[c + 1] += alpha * c21; C[c + 2] += alpha * c22; C[c + 3] += alpha * c23;
    C[c + 4] += alpha * c24; C[c + 5] += alpha * c25; C[c + 6] += alpha * c26; C[c + 7] += alpha * c27;
    c += ldc;
    C[c] += alpha * c30; C[c + 1] += alpha * c31; C[c + 2] += alpha * c32; C[c + 3] += alpha * c33;
    C[c + 4] += alpha * c34; C[c + 5] += alpha * c35; C[c + 6] += alpha * c36; C[c + 7] += alpha * c37;
    return;
  }
  // An edge tile: the packed zeros made the extra sums 0; store only the rows and columns that exist.
  // prettier-ignore
  {
    tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03; tile[4] = c04; tile[5] = c05; tile[6] = c06; tile[7] = c07;
    tile[8] = c10; tile[9] = c11; tile[10] = c12; tile[11] = c13; tile[12] = c14; tile[13] = c15; tile[14] = c16; tile[15] = c17;
    tile[16] = c20; tile[17] = c21; tile[18] = c22; tile[19] = c23; tile[20] = c24; tile[21] = c25; tile[22] = c26; tile[23] = c27;
    tile[24] = c30; tile[25] = c31; tile[26] = c32; tile[27] = c33; tile[28] = c34; tile[29] = c35; tile[30] = c36; tile[31] = c37;
  }
  for (let r = 0; r < mr; r++) for (let j = 0; j < nr; j++) C[c + r * ldc + j] += alpha * tile[r * NR + j];
};
