/**
 * Tiled SGEMM with workgroup memory: C = alpha · op(A) · op(B) + beta · C, row-major, with the
 * CPU GEMM's arguments (engine/backends/cpu/kernels/gemm.ts), plus batching and reduction:
 *
 * - op(A) is M×K, op(B) is K×N, C is M×N. The transposes are strides in uniforms, so one
 *   pipeline serves all four combinations: op(A)(i, k) is at aOffset + i·aRow + k·aCol, which is
 *   (lda, 1) untransposed and (1, lda) transposed; likewise for B.
 * - Batched: workgroup z runs product z = zo·groups + zi, each operand offset by
 *   zo·strideOuter + zi·strideInner. A convolution runs one product per sample (zo) and group
 *   (zi) in a single dispatch.
 * - Reduced: `reduce` products are summed into the same C, operands offset by r·strideReduce.
 *   A weight gradient sums over the samples of the batch this way, without atomics.
 *
 * Each workgroup of 16×16 threads computes a 64×64 tile of C, each thread a 4×4 block of it
 * (rows ty + 16·i, columns tx + 16·j) held in four vec4 accumulators, stepping through K in
 * slices of 16 held in workgroup memory. (The vec4 form ran 2.5–3.4× faster on SwiftShader
 * than a 16-element accumulator array indexed in loops.) Loads are arranged so that
 * neighbouring threads read neighbouring addresses along whichever axis of the operand is
 * contiguous. With beta 0, C's old contents (even NaN) are ignored, as on the CPU.
 *
 * Known limit: a reduced product with a small C (a weight gradient of a thin layer) has only
 * ⌈M/64⌉·⌈N/64⌉ workgroups per group, each looping over the whole batch; splitting the
 * reduction over workgroups (partial sums, then a reduce kernel) is the next step for speed.
 *
 * `gemm` picks between this kernel and `gemmDirectProgram` (below): the direct one on software
 * adapters (runner.software) and for thin products (M or N below 32), whose 64×64 tiles would
 * be mostly padding; the tiled one otherwise.
 */
import type { WgslProgram } from '../compile';
import type { GpuRunner } from '../run';

const TILE = 64;
const SLICE = 16;
/** The direct kernel's block of C per workgroup: 8×8 threads of 4×4 elements. */
const DIRECT_TILE = 32;

export const gemmProgram: WgslProgram = {
  name: 'gemm',
  workgroupSize: [16, 16, 1],
  bindings: [
    { name: 'a', access: 'read' },
    { name: 'b', access: 'read' },
    { name: 'c', access: 'read_write' },
  ],
  uniforms: {
    M: 'u32',
    N: 'u32',
    K: 'u32',
    alpha: 'f32',
    beta: 'f32',
    aOffset: 'u32',
    aRow: 'u32',
    aCol: 'u32',
    bOffset: 'u32',
    bRow: 'u32',
    bCol: 'u32',
    cOffset: 'u32',
    ldc: 'u32',
    groups: 'u32',
    aOuter: 'u32',
    aInner: 'u32',
    bOuter: 'u32',
    bInner: 'u32',
    cOuter: 'u32',
    cInner: 'u32',
    reduce: 'u32',
    aReduce: 'u32',
    bReduce: 'u32',
  },
  declarations: /* wgsl */ `
const TILE = ${TILE}u;
const SLICE = ${SLICE}u;
// A slice of op(A), k-major: aTile[k·TILE + i]; of op(B): bTile[k·TILE + j].
var<workgroup> aTile: array<f32, ${TILE * SLICE}>;
var<workgroup> bTile: array<f32, ${TILE * SLICE}>;`,
  body: /* wgsl */ `
  let zo = wid.z / u.groups;
  let zi = wid.z % u.groups;
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  // Contiguous along k (untransposed A) or along i (transposed A): map threads accordingly.
  let aAlongK = u.aCol == 1u;
  let bAlongJ = u.bCol == 1u;
  // Four rows of four columns each: row p holds columns lid.x + 16·q, q = 0…3.
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  for (var r = 0u; r < u.reduce; r++) {
    let aBase = u.aOffset + zo * u.aOuter + zi * u.aInner + r * u.aReduce;
    let bBase = u.bOffset + zo * u.bOuter + zi * u.bInner + r * u.bReduce;
    for (var k0 = 0u; k0 < u.K; k0 += SLICE) {
      for (var l = 0u; l < 4u; l++) {
        let e = lindex + l * 256u;
        var i = e / SLICE;
        var k = e % SLICE;
        if (!aAlongK) {
          i = e % TILE;
          k = e / TILE;
        }
        var value = 0.0;
        if (row0 + i < u.M && k0 + k < u.K) {
          value = a[aBase + (row0 + i) * u.aRow + (k0 + k) * u.aCol];
        }
        aTile[k * TILE + i] = value;
        var j = e % TILE;
        var kb = e / TILE;
        if (!bAlongJ) {
          j = e / SLICE;
          kb = e % SLICE;
        }
        var other = 0.0;
        if (k0 + kb < u.K && col0 + j < u.N) {
          other = b[bBase + (k0 + kb) * u.bRow + (col0 + j) * u.bCol];
        }
        bTile[kb * TILE + j] = other;
      }
      workgroupBarrier();
      for (var k = 0u; k < SLICE; k++) {
        let at = k * TILE;
        let bv = vec4<f32>(bTile[at + lid.x], bTile[at + lid.x + 16u], bTile[at + lid.x + 32u], bTile[at + lid.x + 48u]);
        acc0 = fma(vec4<f32>(aTile[at + lid.y]), bv, acc0);
        acc1 = fma(vec4<f32>(aTile[at + lid.y + 16u]), bv, acc1);
        acc2 = fma(vec4<f32>(aTile[at + lid.y + 32u]), bv, acc2);
        acc3 = fma(vec4<f32>(aTile[at + lid.y + 48u]), bv, acc3);
      }
      workgroupBarrier();
    }
  }
  let rows = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  let cBase = u.cOffset + zo * u.cOuter + zi * u.cInner;
  for (var p = 0u; p < 4u; p++) {
    let row = row0 + lid.y + 16u * p;
    for (var q = 0u; q < 4u; q++) {
      let col = col0 + lid.x + 16u * q;
      if (row < u.M && col < u.N) {
        let at = cBase + row * u.ldc + col;
        var result = u.alpha * rows[p][q];
        if (u.beta != 0.0) {
          result += u.beta * c[at];
        }
        c[at] = result;
      }
    }
  }`,
};

/**
 * The same product without workgroup memory or barriers: each thread of an 8×8 workgroup
 * computes a 4×4 block of C straight from the operands (indices clamped to the matrices, and
 * only the block's real elements written). For software adapters, where a barrier costs far
 * more than a load (SwiftShader runs a workgroup's invocations as coroutines that switch at each
 * barrier: the tiled kernel ran 5–20× slower there on LeNet's shapes), and for products too thin
 * to fill the tiled kernel's 64×64 tiles.
 */
export const gemmDirectProgram: WgslProgram = {
  name: 'gemm direct',
  workgroupSize: [8, 8, 1],
  bindings: gemmProgram.bindings,
  uniforms: gemmProgram.uniforms,
  body: /* wgsl */ `
  let zo = wid.z / u.groups;
  let zi = wid.z % u.groups;
  let i0 = (wid.y * 8u + lid.y) * 4u;
  let j0 = (wid.x * 8u + lid.x) * 4u;
  if (i0 >= u.M || j0 >= u.N) { return; }
  // Rows and columns past the matrix read its last one; their results are never written.
  let i1 = min(i0 + 1u, u.M - 1u);
  let i2 = min(i0 + 2u, u.M - 1u);
  let i3 = min(i0 + 3u, u.M - 1u);
  let j1 = min(j0 + 1u, u.N - 1u);
  let j2 = min(j0 + 2u, u.N - 1u);
  let j3 = min(j0 + 3u, u.N - 1u);
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  for (var r = 0u; r < u.reduce; r++) {
    let aBase = u.aOffset + zo * u.aOuter + zi * u.aInner + r * u.aReduce;
    let bBase = u.bOffset + zo * u.bOuter + zi * u.bInner + r * u.bReduce;
    for (var k = 0u; k < u.K; k++) {
      let bk = bBase + k * u.bRow;
      let bv = vec4<f32>(b[bk + j0 * u.bCol], b[bk + j1 * u.bCol], b[bk + j2 * u.bCol], b[bk + j3 * u.bCol]);
      let ak = aBase + k * u.aCol;
      acc0 = fma(vec4<f32>(a[ak + i0 * u.aRow]), bv, acc0);
      acc1 = fma(vec4<f32>(a[ak + i1 * u.aRow]), bv, acc1);
      acc2 = fma(vec4<f32>(a[ak + i2 * u.aRow]), bv, acc2);
      acc3 = fma(vec4<f32>(a[ak + i3 * u.aRow]), bv, acc3);
    }
  }
  let rows = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  let cBase = u.cOffset + zo * u.cOuter + zi * u.cInner;
  for (var p = 0u; p < 4u; p++) {
    let row = i0 + p;
    for (var q = 0u; q < 4u; q++) {
      let col = j0 + q;
      if (row < u.M && col < u.N) {
        let at = cBase + row * u.ldc + col;
        var result = u.alpha * rows[p][q];
        if (u.beta != 0.0) {
          result += u.beta * c[at];
        }
        c[at] = result;
      }
    }
  }`,
};

/** Below this many rows or columns a product takes the direct kernel. */
const THIN = 32;

/** Element strides of one operand for the batched and reduced forms. */
export interface OperandStrides {
  /** Between products zo and zo + 1 (zo = z / groups). */
  readonly outer?: number;
  /** Between products zi and zi + 1 (zi = z % groups). */
  readonly inner?: number;
  /** Between the terms r and r + 1 of a reduction. */
  readonly reduce?: number;
}

export interface GemmBatch {
  /** Independent products, z = zo·groups + zi; 1 by default. */
  readonly count?: number;
  /** The period of zi; `count` by default (so zo = 0 and zi = z). */
  readonly groups?: number;
  /** Products summed into each C; 1 by default. */
  readonly reduce?: number;
  readonly a?: OperandStrides;
  readonly b?: OperandStrides;
  readonly c?: Omit<OperandStrides, 'reduce'>;
  /** Forces one kernel (for tests); by default `gemm` picks (see the header). */
  readonly kernel?: 'tiled' | 'direct';
}

/**
 * Records C = alpha · op(A) · op(B) + beta · C, in the CPU GEMM's argument order (offsets and
 * leading dimensions in elements), optionally batched and reduced (see the header).
 */
export const gemm = (
  runner: GpuRunner,
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: GPUBuffer,
  aOffset: number,
  lda: number,
  B: GPUBuffer,
  bOffset: number,
  ldb: number,
  beta: number,
  C: GPUBuffer,
  cOffset: number,
  ldc: number,
  batch: GemmBatch = {},
): void => {
  const count = batch.count ?? 1;
  if (M <= 0 || N <= 0 || count <= 0) return;
  const groups = batch.groups ?? count;
  const direct = batch.kernel ? batch.kernel === 'direct' : runner.software || M < THIN || N < THIN;
  const tile = direct ? DIRECT_TILE : TILE;
  runner.dispatch(
    direct ? gemmDirectProgram : gemmProgram,
    { a: A, b: B, c: C },
    {
      M,
      N,
      K: Math.max(K, 0),
      alpha,
      beta,
      aOffset,
      aRow: transA ? 1 : lda,
      aCol: transA ? lda : 1,
      bOffset,
      bRow: transB ? 1 : ldb,
      bCol: transB ? ldb : 1,
      cOffset,
      ldc,
      groups,
      aOuter: batch.a?.outer ?? 0,
      aInner: batch.a?.inner ?? 0,
      bOuter: batch.b?.outer ?? 0,
      bInner: batch.b?.inner ?? 0,
      cOuter: batch.c?.outer ?? 0,
      cInner: batch.c?.inner ?? 0,
      reduce: batch.reduce ?? 1,
      aReduce: batch.a?.reduce ?? 0,
      bReduce: batch.b?.reduce ?? 0,
    },
    [Math.ceil(N / tile), Math.ceil(M / tile), count],
  );
};
