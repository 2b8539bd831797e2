/**
 * SGEMM in WebAssembly SIMD for Float32Array operands: the same contract as `gemm` in gemm.ts
 * (row-major, C = alpha · op(A) · op(B) + beta · C, offsets, leading dimensions, the four
 * transposes, beta 0 ignoring what C held), which hands its float32 calls of sufficient size
 * here. Float64Array calls (gradient checks) stay in JavaScript.
 *
 * The kernels (kernels/wasm/sgemm.wat) work in the heap (heap.ts). Operands that live there (the
 * plan's activations) are used in place; the others are copied in (and C back out) with
 * TypedArray.set, into a staging block that grows on demand and never shrinks. Products too large
 * for it run in chunks of at most STAGE_FLOATS staged values, split along K only at multiples of
 * KC, so every entry of C is summed in the same order whatever the chunking and wherever the entry
 * falls in a tile: per KC block, per run of 64 k, Σ_k a·b in float32 in k order, then C += alpha ·
 * that (short runs keep the float32 rounding error well below that of one chain of K additions:
 * each chain is at most 64 + K/64 long). For the same reason a product split between threads
 * (by columns or rows of C) gives the bits it gives on one.
 *
 * The loops are GotoBLAS's, run from here (`gemmAt`): for each KC×NC block of op(B), pack it
 * (pack_b); for each MC×KC block of op(A), pack it (pack_a) and sweep both with the 4×8
 * micro-kernel (block), in the calling thread's packing area (parallel.ts).
 */
import { heap, heapAddress, heapF32, Region } from '../heap';
import { canFork, defineJob, packArea, parallelFor, threadCount } from '../parallel';
import type { Floats } from '../types';

/** Block sizes: a KC×8 panel of packed B stays in L1, an MC×KC block of packed A in L2. */
const KC = 256;
const MC = 128;
const NC = 1024;
/** Offsets in a thread's packing area (parallel.PACK_BYTES long). */
const TILE = 0;
const PACK_A = 256;
const PACK_B = PACK_A + MC * KC * 4;
/** The most float32 values staged at once (A, B and C chunks together): 64 MiB. */
const STAGE_FLOATS = 1 << 24;

/**
 * Below this many multiply-adds, gemm.ts keeps the call: a WebAssembly call costs ~0.5 µs
 * whatever its size, which plain loops beat up to a few hundred multiply-adds. From 8×8×8 on,
 * WebAssembly is faster (3× there, ~13× from 64³ up).
 */
export const WASM_GEMM_MIN_WORK = 512;
/** From this many multiply-adds on, a product is split between threads (when there are several). */
const PARALLEL_MIN_WORK = 1 << 20;

let enabled = true;
let stageFloats = STAGE_FLOATS;
const stage = new Region();

/** Whether this runtime can run the WebAssembly SGEMM (compiles it on first call). */
export const wasmGemmAvailable = (): boolean => heap() !== null;

/** The bytes of WebAssembly memory in use (it grows on demand and never shrinks); 0 before the first call. */
export const wasmGemmMemoryBytes = (): number => heap()?.memory.buffer.byteLength ?? 0;

/** For tests: a small limit on the staged values makes modest products run in chunks. */
export const setWasmGemmStageFloats = (floats: number): void => {
  stageFloats = floats;
};

/** Turns the WebAssembly path off (every call then stays in JavaScript) or back on: for benchmarks and tests. */
export const setWasmGemmEnabled = (on: boolean): void => {
  enabled = on;
};

/**
 * C = alpha · op(A) · op(B) + beta · C on heap byte addresses (M, N ≥ 1), on thread `thread`
 * alone: the building block of everything else here.
 */
export const gemmAt = (
  thread: number,
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  beta: number,
  c: number,
  ldc: number,
): void => {
  const wasm = heap()!.kernels;
  if (beta !== 1) wasm.scale(c, ldc, M, N, Math.fround(beta));
  const area = packArea(thread);
  const ta = transA ? 1 : 0;
  const tb = transB ? 1 : 0;
  const a32 = Math.fround(alpha);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      wasm.pack_b(tb, b + 4 * (transB ? jc * ldb + pc : pc * ldb + jc), ldb, kc, nc, area + PACK_B);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        wasm.pack_a(ta, a + 4 * (transA ? pc * lda + ic : ic * lda + pc), lda, mc, kc, area + PACK_A);
        wasm.block(mc, nc, kc, area + PACK_A, area + PACK_B, c + 4 * (ic * ldc + jc), ldc, a32, area + TILE);
      }
    }
  }
};

// The arguments of a split product, in parallelFor's args.
const T_A = 0;
const T_B = 1;
const M_ = 2;
const N_ = 3;
const K_ = 4;
const ALPHA = 5;
const A_ = 6;
const LDA = 7;
const B_ = 8;
const LDB = 9;
const BETA = 10;
const C_ = 11;
const LDC = 12;
const BY_ROWS = 13;
const SPAN = 14;
const ARGS = new Float64Array(15);

/** One block of rows or columns of C, SPAN wide, of the product in args. */
const gemmBlock = defineJob('gemm', (args, item, thread) => {
  const transA = args[T_A] === 1;
  const transB = args[T_B] === 1;
  const span = args[SPAN];
  const first = item * span;
  const lda = args[LDA];
  const ldb = args[LDB];
  const ldc = args[LDC];
  if (args[BY_ROWS]) {
    const rows = Math.min(span, args[M_] - first);
    const a = args[A_] + 4 * (transA ? first : first * lda);
    gemmAt(
      thread,
      transA,
      transB,
      rows,
      args[N_],
      args[K_],
      args[ALPHA],
      a,
      lda,
      args[B_],
      ldb,
      args[BETA],
      args[C_] + 4 * first * ldc,
      ldc,
    );
  } else {
    const cols = Math.min(span, args[N_] - first);
    const b = args[B_] + 4 * (transB ? first * ldb : first);
    gemmAt(thread, transA, transB, args[M_], cols, args[K_], args[ALPHA], args[A_], lda, b, ldb, args[BETA], args[C_] + 4 * first, ldc);
  }
});

/**
 * `gemmAt`, split between the threads by columns (or rows, when C is taller than wide) for
 * products of at least PARALLEL_MIN_WORK multiply-adds where it can fork (parallel.canFork);
 * otherwise on `thread`, the caller's own thread number.
 */
export const gemmHeap = (
  thread: number,
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  beta: number,
  c: number,
  ldc: number,
): void => {
  if (!canFork() || M * N * K < PARALLEL_MIN_WORK) {
    gemmAt(thread, transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  const threads = threadCount();
  const byRows = M > N;
  const length = byRows ? M : N;
  const grain = byRows ? 4 : 8;
  // A few blocks per thread, for balance, but none narrower than 8 tiles.
  const blocks = Math.max(1, Math.min(4 * threads, Math.floor(length / (8 * grain))));
  const span = Math.ceil(length / blocks / grain) * grain;
  ARGS[T_A] = transA ? 1 : 0;
  ARGS[T_B] = transB ? 1 : 0;
  ARGS[M_] = M;
  ARGS[N_] = N;
  ARGS[K_] = K;
  ARGS[ALPHA] = alpha;
  ARGS[A_] = a;
  ARGS[LDA] = lda;
  ARGS[B_] = b;
  ARGS[LDB] = ldb;
  ARGS[BETA] = beta;
  ARGS[C_] = c;
  ARGS[LDC] = ldc;
  ARGS[BY_ROWS] = byRows ? 1 : 0;
  ARGS[SPAN] = span;
  parallelFor(gemmBlock, Math.ceil(length / span), ARGS);
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

/** Blocks up to this many floats are copied out value by value: no view object made per call. */
const SMALL_COPY = 1 << 16;

/** Copies a rows×cols block of src (from base, leading dimension ld) into the heap at float index at. */
const copyIn = (src: Float32Array, base: number, rows: number, cols: number, ld: number, at: number): void => {
  const heapView = heapF32();
  const ldS = stagedLd(rows, cols, ld);
  if (ldS !== cols || rows === 1 || ld === cols) {
    const end = base + (rows - 1) * ld + cols;
    if (base === 0 && end === src.length) heapView.set(src, at);
    else heapView.set(src.subarray(base, end), at);
    return;
  }
  for (let r = 0; r < rows; r++, base += ld, at += cols) {
    if (cols >= 32) heapView.set(src.subarray(base, base + cols), at);
    else for (let c = 0; c < cols; c++) heapView[at + c] = src[base + c];
  }
};

/** The reverse of copyIn. */
const copyOut = (dst: Float32Array, base: number, rows: number, cols: number, ld: number, at: number): void => {
  const heapView = heapF32();
  const ldS = stagedLd(rows, cols, ld);
  const small = rows * cols <= SMALL_COPY;
  if (ldS !== cols || rows === 1 || ld === cols) {
    const length = (rows - 1) * ld + cols;
    if (small) for (let i = 0; i < length; i++) dst[base + i] = heapView[at + i];
    else dst.set(heapView.subarray(at, at + length), base);
    return;
  }
  for (let r = 0; r < rows; r++, base += ld, at += cols) {
    if (cols >= 32 && !small) dst.set(heapView.subarray(at, at + cols), base);
    else for (let c = 0; c < cols; c++) dst[base + c] = heapView[at + c];
  }
};

/** The staged length of a block that is outer × k in op() form, stored transposed or not. */
const opLength = (trans: boolean, outer: number, k: number, ld: number): number =>
  trans ? stagedLength(k, outer, ld) : stagedLength(outer, k, ld);

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
  if (!heap()) return false;
  // Operands in the heap are used where they are; the others are staged.
  const aHome = heapAddress(A);
  const bHome = heapAddress(B);
  const cHome = heapAddress(C);

  // Chunk sizes: everything at once unless the staged operands would pass stageFloats.
  let mb = M;
  let nb = N;
  let kb = K;
  while ((aHome < 0 ? mb * kb : 0) + (bHome < 0 ? kb * nb : 0) + (cHome < 0 ? mb * nb : 0) > stageFloats) {
    if (kb > KC && kb >= mb && kb >= nb) kb = halve(kb, KC);
    else if (mb > 64 && mb >= nb) mb = halve(mb, 64);
    else if (nb > 64) nb = halve(nb, 64);
    else if (kb > KC) kb = halve(kb, KC);
    else break;
  }

  for (let i0 = 0; i0 < M; i0 += mb) {
    const m = Math.min(mb, M - i0);
    for (let j0 = 0; j0 < N; j0 += nb) {
      const n = Math.min(nb, N - j0);
      // Room for the A and B chunks of either size along K (a full kb, and what is left at the end).
      const kLast = K - Math.floor((K - 1) / kb) * kb;
      const aLength = aHome >= 0 ? 0 : Math.max(opLength(transA, m, kb, lda), opLength(transA, m, kLast, lda));
      const bLength = bHome >= 0 ? 0 : Math.max(opLength(!transB, n, kb, ldb), opLength(!transB, n, kLast, ldb));
      const cLength = cHome >= 0 ? 0 : stagedLength(m, n, ldc);
      const base = stage.reserve(4 * (cLength + aLength + bLength + 16));
      if (base < 0) {
        if (i0 === 0 && j0 === 0) return false; // nothing done yet: JavaScript takes the call
        throw new Error('gemmWasm: WebAssembly memory could not grow');
      }
      const cAt = base >> 2;
      const aAt = cAt + cLength;
      const bAt = aAt + aLength;

      const cBase = cOffset + i0 * ldc + j0;
      let c = cHome + 4 * cBase;
      let ldcS = ldc;
      if (cHome < 0) {
        ldcS = stagedLd(m, n, ldc);
        // Beta 0 over a tightly staged C needs nothing copied in; a span keeps the gaps between rows.
        if (beta !== 0 || (ldcS !== n && m > 1)) copyIn(C, cBase, m, n, ldc, cAt);
        c = cAt << 2;
      }

      for (let k0 = 0; k0 < K; k0 += kb) {
        const k = Math.min(kb, K - k0);
        const aBase = transA ? aOffset + k0 * lda + i0 : aOffset + i0 * lda + k0;
        const bBase = transB ? bOffset + j0 * ldb + k0 : bOffset + k0 * ldb + j0;
        let a = aHome + 4 * aBase;
        let ldaS = lda;
        if (aHome < 0) {
          const rows = transA ? k : m;
          const cols = transA ? m : k;
          copyIn(A, aBase, rows, cols, lda, aAt);
          a = aAt << 2;
          ldaS = stagedLd(rows, cols, lda);
        }
        let b = bHome + 4 * bBase;
        let ldbS = ldb;
        if (bHome < 0) {
          const rows = transB ? n : k;
          const cols = transB ? k : n;
          copyIn(B, bBase, rows, cols, ldb, bAt);
          b = bAt << 2;
          ldbS = stagedLd(rows, cols, ldb);
        }
        gemmHeap(0, transA, transB, m, n, k, alpha, a, ldaS, b, ldbS, k0 === 0 ? beta : 1, c, ldcS);
      }
      if (cHome < 0) copyOut(C, cBase, m, n, ldc, cAt);
    }
  }
  return true;
};
