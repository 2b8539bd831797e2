/**
 * Kernels of the layers that move data rather than compute it: copies (Flatten and the heads,
 * which are identities), Add, Concat, softmax over channels and Upsample, with the CPU kernels'
 * semantics (engine/backends/cpu/kernels/elementwise.ts).
 *
 * - One program copies (or adds) `blocks` blocks of `size` values between two strided layouts;
 *   it is Flatten's copy, every identity's backward (dx += dy), Add (copy the first input, add
 *   the others, in the CPU's order) and both passes of Concat (one dispatch per port: each
 *   sample's block of that port sits at an offset of the sample's output).
 * - Softmax runs over the channel axis: one thread per sample and pixel.
 * - Upsample (nearest or bilinear, align_corners=False) reads the CPU's own index and weight
 *   tables (`upsampleTables`, uploaded once per layer), so both engines pick the same source
 *   pixels, float32 rounding of nearest's 1/scale included. The backward pass is a gather: each
 *   input pixel sums the outputs that read it, whose rows and columns are contiguous ranges
 *   (the tables are monotonic) that the tables also hold; no atomics.
 *
 * Every backward ADDS into its input gradient.
 */
import { bilinearTable, nearestTable } from '../../cpu/kernels/elementwise';
import type { WgslProgram } from '../compile';
import { grid1D, type GpuRunner } from '../run';

const WORKGROUP = 256;

export const copyBlocksProgram: WgslProgram = {
  name: 'copy blocks',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'source', access: 'read' },
    { name: 'destination', access: 'read_write' },
  ],
  uniforms: {
    count: 'u32',
    size: 'u32',
    sourceOffset: 'u32',
    sourceStride: 'u32',
    targetOffset: 'u32',
    targetStride: 'u32',
    accumulate: 'u32',
  },
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  let block = index / u.size;
  let i = index % u.size;
  let value = source[u.sourceOffset + block * u.sourceStride + i];
  let at = u.targetOffset + block * u.targetStride + i;
  if (u.accumulate != 0u) {
    destination[at] = destination[at] + value;
  } else {
    destination[at] = value;
  }`,
};

interface BlockLayout {
  readonly offset: number;
  readonly stride: number;
}

/** target[block, i] = (or +=) source[block, i] for `blocks` blocks of `size` values. */
export const copyBlocks = (
  runner: GpuRunner,
  source: GPUBuffer,
  from: BlockLayout,
  target: GPUBuffer,
  to: BlockLayout,
  blocks: number,
  size: number,
  accumulate: boolean,
): void => {
  const count = blocks * size;
  if (count === 0) return;
  runner.dispatch(
    copyBlocksProgram,
    { source, destination: target },
    {
      count,
      size,
      sourceOffset: from.offset,
      sourceStride: from.stride,
      targetOffset: to.offset,
      targetStride: to.stride,
      accumulate: accumulate ? 1 : 0,
    },
    grid1D(count, WORKGROUP),
  );
};

const flat = (size: number): BlockLayout => ({ offset: 0, stride: size });

/** output = input (the first `count` values): Flatten and the heads. */
export const copyForward = (runner: GpuRunner, input: GPUBuffer, output: GPUBuffer, count: number): void =>
  copyBlocks(runner, input, flat(count), output, flat(count), 1, count, false);

/** gradInput += gradOutput: the backward pass of every identity and of Add's ports. */
export const accumulate = (runner: GpuRunner, gradOutput: GPUBuffer, gradInput: GPUBuffer, count: number): void =>
  copyBlocks(runner, gradOutput, flat(count), gradInput, flat(count), 1, count, true);

/** output = Σ inputs, added in port order as on the CPU. */
export const addForward = (runner: GpuRunner, inputs: readonly GPUBuffer[], output: GPUBuffer, count: number): void => {
  copyForward(runner, inputs[0], output, count);
  for (let port = 1; port < inputs.length; port++) accumulate(runner, inputs[port], output, count);
};

/** Each sample's output is its block of each port in turn; `sizes[port]` is one sample's elements of that port. */
export const concatForward = (
  runner: GpuRunner,
  inputs: readonly GPUBuffer[],
  output: GPUBuffer,
  batch: number,
  sizes: readonly number[],
) => {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  let offset = 0;
  inputs.forEach((input, port) => {
    copyBlocks(runner, input, flat(sizes[port]), output, { offset, stride: total }, batch, sizes[port], false);
    offset += sizes[port];
  });
};

/** gradInputs[port] += its blocks of gradOutput (null ports are skipped). */
export const concatBackward = (
  runner: GpuRunner,
  gradOutput: GPUBuffer,
  gradInputs: readonly (GPUBuffer | null)[],
  batch: number,
  sizes: readonly number[],
): void => {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  let offset = 0;
  gradInputs.forEach((gradInput, port) => {
    if (gradInput) copyBlocks(runner, gradOutput, { offset, stride: total }, gradInput, flat(sizes[port]), batch, sizes[port], true);
    offset += sizes[port];
  });
};

// ---------------------------------------------------------------- softmax over channels

const SOFTMAX_UNIFORMS = { count: 'u32', channels: 'u32', inner: 'u32' } as const;

/** The first element of sample n's softmax at pixel p; channels follow `inner` apart. */
const SOFTMAX_START = /* wgsl */ `
  if (index >= u.count) { return; }
  let start = (index / u.inner) * u.channels * u.inner + index % u.inner;
  let end = start + u.channels * u.inner;`;

export const softmaxForwardProgram: WgslProgram = {
  name: 'softmax forward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'y', access: 'read_write' },
  ],
  uniforms: SOFTMAX_UNIFORMS,
  body: /* wgsl */ `
  ${SOFTMAX_START}
  var top = x[start];
  for (var i = start + u.inner; i < end; i += u.inner) { top = max(top, x[i]); }
  var sum = 0.0;
  for (var i = start; i < end; i += u.inner) {
    let e = exp(x[i] - top);
    y[i] = e;
    sum += e;
  }
  let scale = 1.0 / sum;
  for (var i = start; i < end; i += u.inner) { y[i] = y[i] * scale; }`,
};

export const softmaxBackwardProgram: WgslProgram = {
  name: 'softmax backward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'y', access: 'read' },
    { name: 'dy', access: 'read' },
    { name: 'dx', access: 'read_write' },
  ],
  uniforms: SOFTMAX_UNIFORMS,
  body: /* wgsl */ `
  ${SOFTMAX_START}
  var dot = 0.0;
  for (var i = start; i < end; i += u.inner) { dot += dy[i] * y[i]; }
  for (var i = start; i < end; i += u.inner) { dx[i] = dx[i] + y[i] * (dy[i] - dot); }`,
};

/** Softmax over `channels` for each of `outer` samples and `inner` pixels (inner = 1 for vectors). */
export const softmaxForward = (runner: GpuRunner, x: GPUBuffer, y: GPUBuffer, outer: number, channels: number, inner: number): void => {
  const count = outer * inner;
  runner.dispatch(softmaxForwardProgram, { x, y }, { count, channels, inner }, grid1D(count, WORKGROUP));
};

/** dx_c += y_c·(dy_c − Σ_k dy_k·y_k), from the forward output y. */
export const softmaxBackward = (
  runner: GpuRunner,
  y: GPUBuffer,
  dy: GPUBuffer,
  dx: GPUBuffer,
  outer: number,
  channels: number,
  inner: number,
): void => {
  const count = outer * inner;
  runner.dispatch(softmaxBackwardProgram, { y, dy, dx }, { count, channels, inner }, grid1D(count, WORKGROUP));
};

// ---------------------------------------------------------------- upsampling

export interface UpsampleShape {
  /** batch × channels. */
  readonly planes: number;
  readonly inH: number;
  readonly inW: number;
  readonly scaleH: number;
  readonly scaleW: number;
  readonly mode: 'nearest' | 'bilinear';
}

/**
 * The tables of one upsampling geometry, for `upsampleForward`/`upsampleBackward`:
 * `indices` (int32) = rowLower[outH], rowUpper[outH], colLower[outW], colUpper[outW],
 * rowFirst[inH], rowLast[inH], colFirst[inW], colLast[inW]; `weights` (float32) =
 * rowWeight[outH], colWeight[outW]. Nearest has lower = upper = its source and weight 0.
 * rowFirst..rowLast are the output rows that read input row h (first > last when none do).
 */
export const upsampleTables = (shape: Omit<UpsampleShape, 'planes'>): { indices: Int32Array; weights: Float32Array } => {
  const { inH, inW, scaleH, scaleW, mode } = shape;
  const outH = inH * scaleH;
  const outW = inW * scaleW;
  const axis = (input: number, scale: number) => {
    const output = input * scale;
    const lower = new Int32Array(output);
    const upper = new Int32Array(output);
    const weight = new Float32Array(output);
    if (mode === 'nearest') {
      nearestTable(input, scale, lower);
      upper.set(lower);
    } else bilinearTable(input, scale, lower, upper, weight);
    const first = new Int32Array(input).fill(output);
    const last = new Int32Array(input).fill(-1);
    for (let o = 0; o < output; o++) {
      for (const source of [lower[o], upper[o]]) {
        first[source] = Math.min(first[source], o);
        last[source] = Math.max(last[source], o);
      }
    }
    return { lower, upper, weight, first, last };
  };
  const rows = axis(inH, scaleH);
  const cols = axis(inW, scaleW);
  const indices = new Int32Array(2 * (outH + outW) + 2 * (inH + inW));
  let at = 0;
  for (const part of [rows.lower, rows.upper, cols.lower, cols.upper, rows.first, rows.last, cols.first, cols.last]) {
    indices.set(part, at);
    at += part.length;
  }
  const weights = new Float32Array(outH + outW);
  weights.set(rows.weight, 0);
  weights.set(cols.weight, outH);
  return { indices, weights };
};

const UPSAMPLE_UNIFORMS = { count: 'u32', inH: 'u32', inW: 'u32', outH: 'u32', outW: 'u32', nearest: 'u32' } as const;

/** Offsets of the tables in `indices` and `weights` (see upsampleTables). */
const UPSAMPLE_TABLES_WGSL = /* wgsl */ `
fn rowLower(y: u32) -> u32 { return u32(indices[y]); }
fn rowUpper(y: u32) -> u32 { return u32(indices[u.outH + y]); }
fn colLower(x: u32) -> u32 { return u32(indices[2u * u.outH + x]); }
fn colUpper(x: u32) -> u32 { return u32(indices[2u * u.outH + u.outW + x]); }
fn rowRange(h: u32) -> vec2<i32> {
  let base = 2u * (u.outH + u.outW);
  return vec2<i32>(indices[base + h], indices[base + u.inH + h]);
}
fn colRange(w: u32) -> vec2<i32> {
  let base = 2u * (u.outH + u.outW) + 2u * u.inH;
  return vec2<i32>(indices[base + w], indices[base + u.inW + w]);
}
// How much of output row (or column) o comes from input index i: the lower and upper neighbours' weights.
fn share(i: u32, lower: u32, upper: u32, weight: f32) -> f32 {
  return select(0.0, 1.0 - weight, lower == i) + select(0.0, weight, upper == i);
}`;

export const upsampleForwardProgram: WgslProgram = {
  name: 'upsample forward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'indices', access: 'read', type: 'i32' },
    { name: 'weights', access: 'read' },
    { name: 'y', access: 'read_write' },
  ],
  uniforms: UPSAMPLE_UNIFORMS,
  declarations: UPSAMPLE_TABLES_WGSL,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  let ox = index % u.outW;
  let oy = (index / u.outW) % u.outH;
  let base = (index / (u.outW * u.outH)) * u.inH * u.inW;
  let top = base + rowLower(oy) * u.inW;
  let left = colLower(ox);
  if (u.nearest != 0u) {
    y[index] = x[top + left];
    return;
  }
  let bottom = base + rowUpper(oy) * u.inW;
  let right = colUpper(ox);
  let wy = weights[oy];
  let wx = weights[u.outH + ox];
  let upperRow = (1.0 - wx) * x[top + left] + wx * x[top + right];
  let lowerRow = (1.0 - wx) * x[bottom + left] + wx * x[bottom + right];
  y[index] = (1.0 - wy) * upperRow + wy * lowerRow;`,
};

export const upsampleBackwardProgram: WgslProgram = {
  name: 'upsample backward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'dy', access: 'read' },
    { name: 'indices', access: 'read', type: 'i32' },
    { name: 'weights', access: 'read' },
    { name: 'dx', access: 'read_write' },
  ],
  uniforms: UPSAMPLE_UNIFORMS,
  declarations: UPSAMPLE_TABLES_WGSL,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  let w = index % u.inW;
  let h = (index / u.inW) % u.inH;
  let base = (index / (u.inW * u.inH)) * u.outH * u.outW;
  let rows = rowRange(h);
  let cols = colRange(w);
  var sum = 0.0;
  for (var oy = rows.x; oy <= rows.y; oy++) {
    let ry = share(h, rowLower(u32(oy)), rowUpper(u32(oy)), weights[u32(oy)]);
    if (ry == 0.0) { continue; }
    var row = 0.0;
    for (var ox = cols.x; ox <= cols.y; ox++) {
      let rx = share(w, colLower(u32(ox)), colUpper(u32(ox)), weights[u.outH + u32(ox)]);
      row += rx * dy[base + u32(oy) * u.outW + u32(ox)];
    }
    sum += ry * row;
  }
  dx[index] = dx[index] + sum;`,
};

const upsampleUniforms = (shape: UpsampleShape, count: number) => ({
  count,
  inH: shape.inH,
  inW: shape.inW,
  outH: shape.inH * shape.scaleH,
  outW: shape.inW * shape.scaleW,
  nearest: shape.mode === 'nearest' ? 1 : 0,
});

/** y = upsample(x); `indices` and `weights` hold upsampleTables(shape). */
export const upsampleForward = (
  runner: GpuRunner,
  x: GPUBuffer,
  y: GPUBuffer,
  shape: UpsampleShape,
  indices: GPUBuffer,
  weights: GPUBuffer,
): void => {
  const count = shape.planes * shape.inH * shape.scaleH * shape.inW * shape.scaleW;
  runner.dispatch(upsampleForwardProgram, { x, indices, weights, y }, upsampleUniforms(shape, count), grid1D(count, WORKGROUP));
};

/** dx += the adjoint of upsample applied to dy. */
export const upsampleBackward = (
  runner: GpuRunner,
  dy: GPUBuffer,
  dx: GPUBuffer,
  shape: UpsampleShape,
  indices: GPUBuffer,
  weights: GPUBuffer,
): void => {
  const count = shape.planes * shape.inH * shape.inW;
  runner.dispatch(upsampleBackwardProgram, { dy, indices, weights, dx }, upsampleUniforms(shape, count), grid1D(count, WORKGROUP));
};

export const structurePrograms: readonly WgslProgram[] = [
  copyBlocksProgram,
  softmaxForwardProgram,
  softmaxBackwardProgram,
  upsampleForwardProgram,
  upsampleBackwardProgram,
];
