/**
 * 3×3 convolutions at stride 1 by Winograd's minimal filtering, F(2×2, 3×3) (Lavin & Gray 2015):
 * each 2×2 block of outputs takes 16 multiplications per channel pair instead of 36, so the GEMM
 * work of a 3×3 layer falls by 2.25×. conv-heap.ts sends the forward pass, the input gradient
 * (that of a 3×3 stride-1 convolution is itself one: dy correlated with the kernels turned 180°
 * and transposed) and the weight gradient here.
 *
 * The weight gradient is F(3×3, 2×2) on the same tiles, the transposed algorithm: per chunk,
 * V of the input as above, W = A h Aᵀ for every 2×2 tile h of dy (wino_dy), the 16 GEMMs
 * Σ_t W_ξν[k, t]·V_ξν[c, t], and after the chunks' partial sums are added in chunk order,
 * dw = Gᵀ M G for every (k, c) in JavaScript.
 *
 * Per chunk of samples, with T tiles of 2×2 outputs per sample:
 *   V = Bᵀ d B for every 4×4 input tile d and channel       (wino_in, [16][C, T·S])
 *   M_ξν = U_ξν · V_ξν for the 16 (ξ, ν)                    (16 GEMMs [K, C]·[C, T·S])
 *   y = Aᵀ M A for every tile, plus the bias                 (wino_out)
 * with U = G g Gᵀ for every kernel g, made here in JavaScript once per call.
 *
 * A chunk's size depends only on the layer's shapes and the batch, and each output is summed in
 * one fixed order, so results do not depend on the thread count. They differ from im2col's in
 * the last bits (the transforms round differently); both match PyTorch well inside 1e-4.
 */
import type { Floats } from '../types';
import { heap, heapAddress, heapF32, Region } from '../heap';
import { defineJob, parallelFor, prepareWorkspaces, workspace } from '../parallel';
import type { ConvGeometry } from './conv';
import { gemmHeap } from './gemm-wasm';

/** A chunk's V and M together stay within this many bytes where one sample allows (about L2). */
const CHUNK_BYTES = 1 << 20;
/** Chunks per batch at least, where the batch allows, so that threads share the work evenly. */
const MIN_CHUNKS = 8;
/** Channels in and out at least: below this the 16 GEMMs are too thin to beat im2col. */
const MIN_CHANNELS = 8;

/**
 * True where a convolution goes through Winograd: a 3×3 window at stride 1, no dilation, one
 * group, padding that keeps the input gradient's padding non-negative, and enough channels.
 */
export const winogradApplies = ({ window, outChannels, groups }: ConvGeometry): boolean =>
  window.kernelH === 3 &&
  window.kernelW === 3 &&
  window.strideH === 1 &&
  window.strideW === 1 &&
  window.dilationH === 1 &&
  window.dilationW === 1 &&
  groups === 1 &&
  window.padTop >= 0 &&
  window.padTop <= 2 &&
  window.padLeft >= 0 &&
  window.padLeft <= 2 &&
  window.channels >= MIN_CHANNELS &&
  outChannels >= MIN_CHANNELS;

/** G g of one kernel (4 rows × 3 columns), and Gᵀ M of one gradient (3 × 4): reused, no garbage per step. */
const KERNEL_ROWS = new Float64Array(12);
const GRADIENT_ROWS = new Float64Array(12);

/**
 * U [16][rows, cols] for kernels g [K, C, 3, 3]: U_ξν[k, c] = (G g_kc Gᵀ)_ξν, or, with `flip`,
 * U_ξν[c, k] = (G rot180(g_kc) Gᵀ)_ξν, the input gradient's kernels. G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
 */
export const transformKernels = (g: Floats, filters: number, channels: number, flip: boolean, into: Float32Array, at = 0): void => {
  const pairs = filters * channels;
  const t = KERNEL_ROWS;
  for (let k = 0; k < filters; k++) {
    for (let c = 0; c < channels; c++) {
      const base = (k * channels + c) * 9;
      for (let s = 0; s < 3; s++) {
        // g_kc[r, s], or rot180(g_kc)[r, s] = g_kc[2 − r, 2 − s]
        const g0 = flip ? g[base + 8 - s] : g[base + s];
        const g1 = flip ? g[base + 5 - s] : g[base + 3 + s];
        const g2 = flip ? g[base + 2 - s] : g[base + 6 + s];
        t[s] = g0;
        t[3 + s] = (g0 + g1 + g2) / 2;
        t[6 + s] = (g0 - g1 + g2) / 2;
        t[9 + s] = g2;
      }
      const cell = at + (flip ? c * filters + k : k * channels + c);
      for (let xi = 0; xi < 4; xi++) {
        const t0 = t[3 * xi];
        const t1 = t[3 * xi + 1];
        const t2 = t[3 * xi + 2];
        const row = cell + 4 * xi * pairs;
        into[row] = t0;
        into[row + pairs] = (t0 + t1 + t2) / 2;
        into[row + 2 * pairs] = (t0 - t1 + t2) / 2;
        into[row + 3 * pairs] = t2;
      }
    }
  }
};

// parallelFor arguments.
const IN_C = 0; // channels of the transformed input (x forward, dy for the input gradient)
const IN_H = 1;
const IN_W = 2;
const PT = 3;
const PL = 4;
const OUT_C = 5; // rows of each M (filters forward, input channels for the input gradient)
const OUT_H = 6;
const OUT_W = 7;
const TILES_H = 8;
const TILES_W = 9;
const BATCH = 10;
const CHUNK = 11;
const LDV = 12;
const SRC = 13;
const U = 14;
const BIAS = 15;
const DST = 16;
const ACC = 17;
const DY = 18;
const PARTIALS = 19;
const ARGS = new Float64Array(20);

const kernels = new Region();
const biases = new Region();
const partials = new Region();

/**
 * Where a chunk's samples and its thread's V, second matrix (M or W) and scratch are: one object
 * per thread (each runs its items one after another), refilled per item, so a step makes no garbage.
 */
interface ChunkLayout {
  first: number;
  samples: number;
  perSample: number;
  v: number;
  second: number;
  scratch: number;
}

const layout: ChunkLayout = { first: 0, samples: 0, perSample: 0, v: 0, second: 0, scratch: 0 };

const layoutOf = (args: Float64Array, item: number, thread: number): ChunkLayout => {
  layout.first = item * args[CHUNK];
  layout.samples = Math.min(args[CHUNK], args[BATCH] - layout.first);
  layout.perSample = args[TILES_H] * args[TILES_W];
  layout.v = workspace(thread);
  layout.second = layout.v + 64 * args[IN_C] * args[LDV];
  layout.scratch = layout.second + 64 * args[OUT_C] * args[LDV];
  return layout;
};

/** wino_in of the chunk's samples of args[SRC] ([N, IN_C, IN_H, IN_W]) into V. */
const transformInputs = (args: Float64Array, { first, samples, perSample, v, scratch }: ChunkLayout): void => {
  const wasm = heap()!.kernels;
  const channels = args[IN_C];
  const ldv = args[LDV];
  const inPlane = args[IN_H] * args[IN_W];
  for (let s = 0; s < samples; s++) {
    const x = args[SRC] + 4 * (first + s) * channels * inPlane;
    // prettier-ignore
    wasm.wino_in(x, channels, args[IN_H], args[IN_W], args[PT], args[PL], args[TILES_H], args[TILES_W], v + 4 * s * perSample, ldv,
      channels * ldv, scratch);
  }
};

const chunkJob = defineJob('conv.winograd', (args, item, thread) => {
  const wasm = heap()!.kernels;
  const chunk = layoutOf(args, item, thread);
  const { first, samples, perSample, v, second: m, scratch } = chunk;
  const inC = args[IN_C];
  const outC = args[OUT_C];
  const ldv = args[LDV];
  const outPlane = args[OUT_H] * args[OUT_W];
  transformInputs(args, chunk);
  const n = samples * perSample;
  for (let e = 0; e < 16; e++) {
    // prettier-ignore
    gemmHeap(thread, false, false, outC, n, inC, 1, args[U] + 4 * e * outC * inC, inC, v + 4 * e * inC * ldv, ldv, 0, m + 4 * e * outC * ldv, ldv);
  }
  for (let s = 0; s < samples; s++) {
    const y = args[DST] + 4 * (first + s) * outC * outPlane;
    // prettier-ignore
    wasm.wino_out(m + 4 * s * perSample, ldv, outC * ldv, outC, args[TILES_H], args[TILES_W], y, args[OUT_H], args[OUT_W], args[BIAS],
      args[ACC], scratch);
  }
});

/**
 * Sets the chunking ARGS for a pass whose tiles cover ARGS[OUT_H] × ARGS[OUT_W] and whose V and M
 * have inC and outC rows, makes every thread's workspace big enough; the number of chunks.
 */
const prepareChunks = (batch: number, inC: number, outC: number): number => {
  const tilesH = Math.ceil(ARGS[OUT_H] / 2);
  const tilesW = Math.ceil(ARGS[OUT_W] / 2);
  const perSample = tilesH * tilesW;
  const bytesPerSample = 64 * (inC + outC) * perSample;
  const chunk = Math.max(1, Math.min(Math.floor(CHUNK_BYTES / bytesPerSample), Math.ceil(batch / MIN_CHUNKS)));
  // Room for three tiles past the last: the transforms work four at a time.
  const ldv = chunk * perSample + 4;
  const scratchFloats = Math.max((2 * tilesH + 2) * 2 * (tilesW + 4), 2 * (2 * tilesW + 8));
  prepareWorkspaces(4 * (16 * (inC + outC) * ldv + scratchFloats));
  ARGS[IN_C] = inC;
  ARGS[OUT_C] = outC;
  ARGS[TILES_H] = tilesH;
  ARGS[TILES_W] = tilesW;
  ARGS[BATCH] = batch;
  ARGS[CHUNK] = chunk;
  ARGS[LDV] = ldv;
  return Math.ceil(batch / chunk);
};

/** Runs chunkJob over the batch: src [N, inC, inH, inW] → dst [N, outC, outH, outW] with U staged at ARGS[U]. */
const run = (batch: number, inC: number, outC: number): void => {
  parallelFor(chunkJob, prepareChunks(batch, inC, outC), ARGS);
};

/** Stages U (and a bias copy where it is not in the heap) for a layer of `filters` × `channels` kernels. */
const stageKernels = (w: Floats, filters: number, channels: number, flip: boolean): void => {
  const at = kernels.reserve(4 * 16 * filters * channels);
  if (at < 0) throw new Error('the WebAssembly heap cannot grow any further');
  transformKernels(w, filters, channels, flip, heapF32(), at >> 2);
  ARGS[U] = at;
};

const stageBias = (bias: Floats | null): void => {
  if (!bias) {
    ARGS[BIAS] = 0;
    return;
  }
  const home = heapAddress(bias);
  if (home >= 0) {
    ARGS[BIAS] = home;
    return;
  }
  const at = biases.reserve(4 * bias.length);
  if (at < 0) throw new Error('the WebAssembly heap cannot grow any further');
  heapF32().set(bias, at >> 2);
  ARGS[BIAS] = at;
};

/** y = conv(x, w) + b for a layer where winogradApplies; x and y in the heap (addresses given). */
export const winogradForward = (geometry: ConvGeometry, batch: number, xAt: number, w: Floats, bias: Floats | null, yAt: number): void => {
  const { window, outChannels } = geometry;
  stageKernels(w, outChannels, window.channels, false);
  stageBias(bias);
  ARGS[IN_H] = window.inH;
  ARGS[IN_W] = window.inW;
  ARGS[PT] = window.padTop;
  ARGS[PL] = window.padLeft;
  ARGS[OUT_H] = window.outH;
  ARGS[OUT_W] = window.outW;
  ARGS[SRC] = xAt;
  ARGS[DST] = yAt;
  ARGS[ACC] = 0;
  run(batch, window.channels, outChannels);
};

/**
 * dx += ∂L/∂x for a layer where winogradApplies: dy correlated with the flipped kernels, padded
 * by 2 − pad (rows of dy outside it read as zeros); dy and dx in the heap (addresses given).
 */
export const winogradInputGradient = (geometry: ConvGeometry, batch: number, dyAt: number, w: Floats, dxAt: number): void => {
  const { window, outChannels } = geometry;
  stageKernels(w, outChannels, window.channels, true);
  ARGS[BIAS] = 0;
  ARGS[IN_H] = window.outH;
  ARGS[IN_W] = window.outW;
  ARGS[PT] = 2 - window.padTop;
  ARGS[PL] = 2 - window.padLeft;
  ARGS[OUT_H] = window.inH;
  ARGS[OUT_W] = window.inW;
  ARGS[SRC] = dyAt;
  ARGS[DST] = dxAt;
  ARGS[ACC] = 1;
  run(batch, outChannels, window.channels);
};

const weightJob = defineJob('conv.winograd.weights', (args, item, thread) => {
  const wasm = heap()!.kernels;
  const chunk = layoutOf(args, item, thread);
  const { first, samples, perSample, v, second: w, scratch } = chunk;
  const channels = args[IN_C];
  const filters = args[OUT_C];
  const ldv = args[LDV];
  const outPlane = args[OUT_H] * args[OUT_W];
  transformInputs(args, chunk);
  for (let s = 0; s < samples; s++) {
    const dy = args[DY] + 4 * (first + s) * filters * outPlane;
    // prettier-ignore
    wasm.wino_dy(dy, filters, args[OUT_H], args[OUT_W], args[TILES_H], args[TILES_W], w + 4 * s * perSample, ldv, filters * ldv, scratch);
  }
  const n = samples * perSample;
  const partial = args[PARTIALS] + 4 * item * 16 * filters * channels;
  for (let e = 0; e < 16; e++) {
    // prettier-ignore
    gemmHeap(thread, false, true, filters, channels, n, 1, w + 4 * e * filters * ldv, ldv, v + 4 * e * channels * ldv, ldv, 0,
      partial + 4 * e * filters * channels, channels);
  }
});

/** dw += ∂L/∂w for a layer where winogradApplies; x and dy in the heap (addresses given). */
export const winogradWeightGradient = (geometry: ConvGeometry, batch: number, xAt: number, dyAt: number, dw: Floats): void => {
  const { window, outChannels: filters } = geometry;
  const channels = window.channels;
  ARGS[IN_H] = window.inH;
  ARGS[IN_W] = window.inW;
  ARGS[PT] = window.padTop;
  ARGS[PL] = window.padLeft;
  ARGS[OUT_H] = window.outH;
  ARGS[OUT_W] = window.outW;
  ARGS[SRC] = xAt;
  ARGS[DY] = dyAt;
  const chunks = prepareChunks(batch, channels, filters);
  const stride = 16 * filters * channels;
  const at = partials.reserve(4 * chunks * stride);
  if (at < 0) throw new Error('the WebAssembly heap cannot grow any further');
  ARGS[PARTIALS] = at;
  parallelFor(weightJob, chunks, ARGS);
  const wasm = heap()!.kernels;
  for (let c = 1; c < chunks; c++) wasm.add(at, at + 4 * c * stride, stride);
  untransformGradients(heapF32(), at >> 2, filters * channels, dw);
};

/**
 * dw[k, c] += Gᵀ M_kc G for the summed M [16][filters·channels] at `at` in `sums`:
 * Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1].
 */
export const untransformGradients = (sums: Float32Array, at: number, pairs: number, dw: Floats): void => {
  const t = GRADIENT_ROWS;
  for (let pair = 0; pair < pairs; pair++) {
    for (let nu = 0; nu < 4; nu++) {
      // M_(ξ, ν) of this pair for ξ = 0 … 3
      const m0 = sums[at + nu * pairs + pair];
      const m1 = sums[at + (4 + nu) * pairs + pair];
      const m2 = sums[at + (8 + nu) * pairs + pair];
      const m3 = sums[at + (12 + nu) * pairs + pair];
      t[nu] = m0 + (m1 + m2) / 2;
      t[4 + nu] = (m1 - m2) / 2;
      t[8 + nu] = (m1 + m2) / 2 + m3;
    }
    const base = pair * 9;
    for (let a = 0; a < 3; a++) {
      const t0 = t[4 * a];
      const t1 = t[4 * a + 1];
      const t2 = t[4 * a + 2];
      const t3 = t[4 * a + 3];
      dw[base + 3 * a] += t0 + (t1 + t2) / 2;
      dw[base + 3 * a + 1] += (t1 - t2) / 2;
      dw[base + 3 * a + 2] += (t1 + t2) / 2 + t3;
    }
  }
};
