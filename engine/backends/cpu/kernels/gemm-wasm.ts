/**
 * SGEMM in WebAssembly SIMD for Float32Array operands: the same contract as `gemm` in gemm.ts
 * (row-major, C = alpha · op(A) · op(B) + beta · C, offsets, leading dimensions, the four
 * transposes, beta 0 ignoring what C held), which hands its float32 calls of sufficient size
 * here. Float64Array calls (gradient checks) stay in JavaScript.
 *
 * The module (kernels/wasm/sgemm.wat, embedded base64 in gemm-wasm.generated.ts: regenerate with
 * `npm run wasm`, ~3 KB: under the 4 KB that some browsers allow synchronous compilation on a
 * page's main thread) is compiled on first use; where WebAssembly SIMD is missing, the
 * JavaScript path simply keeps every call. Its memory holds, in order: a 4×8 scratch tile, the
 * packed MC×KC block of op(A), the packed KC×NC block of op(B), then the operands, copied in
 * (and C copied back out) with TypedArray.set. That region grows on demand and never shrinks;
 * products too large for it run in chunks of at most STAGE_FLOATS staged values, split along K
 * only at multiples of KC, so every entry of C is summed in the same order whatever the chunking
 * and wherever the entry falls in a tile: per KC block, per run of 64 k, Σ_k a·b in float32 in k
 * order, then C += alpha · that (short runs keep the float32 rounding error well below that of
 * one chain of K additions: each chain is at most 64 + K/64 long).
 *
 * The loops are GotoBLAS's, run from here: for each KC×NC block of op(B), pack it (pack_b); for
 * each MC×KC block of op(A), pack it (pack_a) and sweep both with the 4×8 micro-kernel (block).
 */
import type { Floats } from '../types';
import { SGEMM_WASM_BASE64 } from './gemm-wasm.generated';

/** Block sizes: a KC×8 panel of packed B stays in L1, an MC×KC block of packed A in L2. */
const KC = 256;
const MC = 128;
const NC = 1024;
/** Byte addresses in the module's memory. */
const TILE = 0;
const PACK_A = 256;
const PACK_B = PACK_A + MC * KC * 4;
const STAGE = PACK_B + KC * NC * 4;
/** The most float32 values staged at once (A, B and C chunks together): 64 MiB. */
const STAGE_FLOATS = 1 << 24;
const PAGE = 65536;

/**
 * Below this many multiply-adds, gemm.ts keeps the call: a WebAssembly call costs ~0.5 µs
 * whatever its size, which plain loops beat up to a few hundred multiply-adds. From 8×8×8 on,
 * WebAssembly is faster (3× there, ~13× from 64³ up).
 */
export const WASM_GEMM_MIN_WORK = 512;

interface SgemmExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  scale(c: number, ldc: number, m: number, n: number, beta: number): void;
  pack_a(trans: number, a: number, lda: number, mc: number, kc: number, dst: number): void;
  pack_b(trans: number, b: number, ldb: number, kc: number, nc: number, dst: number): void;
  block(mc: number, nc: number, kc: number, pa: number, pb: number, c: number, ldc: number, alpha: number, tile: number): void;
}

/** The part of the WebAssembly JS API used here (the engine's type libraries have no DOM). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

/** undefined: not tried yet; null: unavailable here (no WebAssembly, or no SIMD). */
let kernels: SgemmExports | null | undefined;
let heap = new Float32Array(0);
let enabled = true;
let stageFloats = STAGE_FLOATS;

const instantiate = (): SgemmExports | null => {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) return null;
  try {
    const binary = atob(SGEMM_WASM_BASE64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new api.Instance(new api.Module(bytes), {}).exports as SgemmExports;
  } catch {
    return null;
  }
};

const loaded = (): SgemmExports | null => {
  if (kernels === undefined) kernels = instantiate();
  return kernels;
};

/** Whether this runtime can run the WebAssembly SGEMM (compiles it on first call). */
export const wasmGemmAvailable = (): boolean => loaded() !== null;

/** The bytes of WebAssembly memory in use (it grows on demand and never shrinks); 0 before the first call. */
export const wasmGemmMemoryBytes = (): number => (kernels ? kernels.memory.buffer.byteLength : 0);

/** For tests: a small limit on the staged values makes modest products run in chunks. */
export const setWasmGemmStageFloats = (floats: number): void => {
  stageFloats = floats;
};

/** Turns the WebAssembly path off (every call then stays in JavaScript) or back on: for benchmarks and tests. */
export const setWasmGemmEnabled = (on: boolean): void => {
  enabled = on;
};

/** Makes the memory at least `bytes` long, growing it by whole pages (and a quarter more, so a slowly rising size does not grow it every call). */
const reserve = (wasm: SgemmExports, bytes: number): boolean => {
  const have = wasm.memory.buffer.byteLength;
  if (bytes > have) {
    const want = Math.ceil((bytes + (bytes >> 2)) / PAGE) - have / PAGE;
    try {
      wasm.memory.grow(want);
    } catch {
      try {
        wasm.memory.grow(Math.ceil(bytes / PAGE) - have / PAGE);
      } catch {
        return false;
      }
    }
  }
  if (heap.buffer !== wasm.memory.buffer) heap = new Float32Array(wasm.memory.buffer);
  return true;
};

/**
 * How a rows×cols block with leading dimension ld is staged: as the whole span between its first
 * and last element (one copy, leading dimension kept) when that wastes little, else row by row,
 * packed tight. Returns the staged leading dimension; `stagedLength` gives the floats it takes.
 */
const stagedLd = (rows: number, cols: number, ld: number): number => {
  if (rows === 1 || ld === cols) return cols;
  const span = (rows - 1) * ld + cols;
  return span <= rows * cols + ((rows * cols) >> 2) ? ld : cols;
};

const stagedLength = (rows: number, cols: number, ld: number): number => {
  const length = (rows - 1) * stagedLd(rows, cols, ld) + cols;
  return (length + 15) & ~15; // keep every staged block 64-byte aligned
};

/** Copies a rows×cols block of src (from base, leading dimension ld) into the heap at float index at. */
const copyIn = (src: Float32Array, base: number, rows: number, cols: number, ld: number, at: number): void => {
  const ldS = stagedLd(rows, cols, ld);
  if (ldS !== cols || rows === 1 || ld === cols) {
    heap.set(src.subarray(base, base + (rows - 1) * ld + cols), at);
    return;
  }
  for (let r = 0; r < rows; r++, base += ld, at += cols) {
    if (cols >= 32) heap.set(src.subarray(base, base + cols), at);
    else for (let c = 0; c < cols; c++) heap[at + c] = src[base + c];
  }
};

/** The reverse of copyIn. */
const copyOut = (dst: Float32Array, base: number, rows: number, cols: number, ld: number, at: number): void => {
  const ldS = stagedLd(rows, cols, ld);
  if (ldS !== cols || rows === 1 || ld === cols) {
    dst.set(heap.subarray(at, at + (rows - 1) * ld + cols), base);
    return;
  }
  for (let r = 0; r < rows; r++, base += ld, at += cols) {
    if (cols >= 32) dst.set(heap.subarray(at, at + cols), base);
    else for (let c = 0; c < cols; c++) dst[base + c] = heap[at + c];
  }
};

/** The stored rows × cols of a block that is outer × k in op() form, transposed or not. */
const opShape = (trans: boolean, outer: number, k: number): [number, number] => (trans ? [k, outer] : [outer, k]);

const halve = (size: number, grain: number): number => Math.ceil(Math.ceil(size / 2) / grain) * grain;

/**
 * C = alpha · op(A) · op(B) + beta · C in WebAssembly, for gemm.ts to call first. Returns false,
 * having done nothing, where the call is not for it: an operand that is not a Float32Array, a
 * product under WASM_GEMM_MIN_WORK multiply-adds, alpha 0, or no WebAssembly SIMD here.
 */
export const gemmWasm = (
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
): boolean => {
  if (!enabled || !(A instanceof Float32Array) || !(B instanceof Float32Array) || !(C instanceof Float32Array)) return false;
  if (M <= 0 || N <= 0 || K <= 0 || M * N * K < WASM_GEMM_MIN_WORK || alpha === 0) return false;
  return sgemmWasm(transA, transB, M, N, K, alpha, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc);
};

/**
 * The WebAssembly SGEMM itself, whatever the size (M, N, K ≥ 1). Unlike gemm, it does not skip
 * the product when alpha is 0 (so NaN or ±∞ in A or B would reach C): gemmWasm never passes that.
 * Returns false, having done nothing, where WebAssembly SIMD is missing or its memory cannot grow.
 */
export const sgemmWasm = (
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: Float32Array,
  aOffset: number,
  lda: number,
  B: Float32Array,
  bOffset: number,
  ldb: number,
  beta: number,
  C: Float32Array,
  cOffset: number,
  ldc: number,
): boolean => {
  const wasm = loaded();
  if (!wasm) return false;

  // Chunk sizes: everything at once unless the staged operands would pass STAGE_FLOATS.
  let mb = M;
  let nb = N;
  let kb = K;
  while (mb * kb + kb * nb + mb * nb > stageFloats) {
    if (kb > KC && kb >= mb && kb >= nb) kb = halve(kb, KC);
    else if (mb > 64 && mb >= nb) mb = halve(mb, 64);
    else if (nb > 64) nb = halve(nb, 64);
    else if (kb > KC) kb = halve(kb, KC);
    else break;
  }
  const ta = transA ? 1 : 0;
  const tb = transB ? 1 : 0;
  const a32 = Math.fround(alpha);

  for (let i0 = 0; i0 < M; i0 += mb) {
    const m = Math.min(mb, M - i0);
    for (let j0 = 0; j0 < N; j0 += nb) {
      const n = Math.min(nb, N - j0);
      // Room for the A and B chunks of either size along K (a full kb, and what is left at the end).
      const kLast = K - Math.floor((K - 1) / kb) * kb;
      const aLength = Math.max(stagedLength(...opShape(transA, m, kb), lda), stagedLength(...opShape(transA, m, kLast), lda));
      const bLength = Math.max(stagedLength(...opShape(!transB, n, kb), ldb), stagedLength(...opShape(!transB, n, kLast), ldb));
      const cAt = STAGE >> 2;
      const aAt = cAt + stagedLength(m, n, ldc);
      const bAt = aAt + aLength;
      if (!reserve(wasm, (bAt + bLength) * 4)) {
        if (i0 === 0 && j0 === 0) return false; // nothing done yet: JavaScript takes the call
        throw new Error('gemmWasm: WebAssembly memory could not grow');
      }

      const cBase = cOffset + i0 * ldc + j0;
      const ldcS = stagedLd(m, n, ldc);
      // Beta 0 over a tightly staged C needs nothing copied in; a span keeps the gaps between rows.
      if (beta !== 0 || (ldcS !== n && m > 1)) copyIn(C, cBase, m, n, ldc, cAt);
      if (beta !== 1) wasm.scale(cAt << 2, ldcS, m, n, Math.fround(beta));

      for (let k0 = 0; k0 < K; k0 += kb) {
        const k = Math.min(kb, K - k0);
        const [ar, ac, aBase] = transA ? [k, m, aOffset + k0 * lda + i0] : [m, k, aOffset + i0 * lda + k0];
        const [br, bc, bBase] = transB ? [n, k, bOffset + j0 * ldb + k0] : [k, n, bOffset + k0 * ldb + j0];
        copyIn(A, aBase, ar, ac, lda, aAt);
        copyIn(B, bBase, br, bc, ldb, bAt);
        const ldaS = stagedLd(ar, ac, lda);
        const ldbS = stagedLd(br, bc, ldb);
        const aByte = aAt << 2;
        const bByte = bAt << 2;
        const cByte = cAt << 2;

        for (let jc = 0; jc < n; jc += NC) {
          const nc = Math.min(NC, n - jc);
          for (let pc = 0; pc < k; pc += KC) {
            const kc = Math.min(KC, k - pc);
            wasm.pack_b(tb, bByte + 4 * (transB ? jc * ldbS + pc : pc * ldbS + jc), ldbS, kc, nc, PACK_B);
            for (let ic = 0; ic < m; ic += MC) {
              const mc = Math.min(MC, m - ic);
              wasm.pack_a(ta, aByte + 4 * (transA ? pc * ldaS + ic : ic * ldaS + pc), ldaS, mc, kc, PACK_A);
              wasm.block(mc, nc, kc, PACK_A, PACK_B, cByte + 4 * (ic * ldcS + jc), ldcS, a32, TILE);
            }
          }
        }
      }
      copyOut(C, cBase, m, n, ldc, cAt);
    }
  }
  return true;
};
