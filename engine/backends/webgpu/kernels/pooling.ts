/**
 * Max and average pooling, forward and backward, with the CPU kernels' rules
 * (engine/backends/cpu/kernels/pooling.ts, which are PyTorch's): output pixel (oh, ow) covers
 * input rows oh·stride − padTop up to kernel rows further, clipped to the input. Max pooling
 * treats padding as −∞ and records the winner's index within its plane (the first of equal
 * maxima); a window with no real pixel outputs 0 with index −1. Average pooling divides by the
 * window clipped to the padded input (countIncludePad) or by its real pixels; in ceil mode a
 * window that runs past the padded edge stops there.
 *
 *   x [N, C, inH, inW]   y, argmax [N, C, outH, outW]
 *
 * Forward: one thread per output. Backward: one thread per input pixel, gathering from the
 * outputs whose windows cover it (for max pooling, those whose winner it is), so nothing is
 * written twice and no atomics are needed. Backward passes ADD into the input gradient.
 */
import type { PoolWindow } from '../../cpu/kernels/pooling';
import type { WgslProgram } from '../compile';
import { grid1D, type GpuRunner } from '../run';
import { WINDOW_UNIFORMS, windowUniforms } from './im2col';

const WORKGROUP = 256;
const UNIFORMS = { count: 'u32', padBottom: 'u32', padRight: 'u32', includePad: 'u32', ...WINDOW_UNIFORMS } as const;

/** WGSL: the outputs along one axis whose windows cover input index `at`: [first, last] (empty when first > last). */
const COVERING_WGSL = /* wgsl */ `
fn coveringOutputs(at: u32, pad: i32, kernel: u32, stride: u32, outSize: u32) -> vec2<i32> {
  let shifted = i32(at) + pad;
  let low = shifted - i32(kernel) + 1;
  var first = 0;
  if (low > 0) { first = (low + i32(stride) - 1) / i32(stride); }
  let last = min(shifted / i32(stride), i32(outSize) - 1);
  return vec2<i32>(first, last);
}

// The divisor of average window (oh, ow): clipped to the padded input, or to the real pixels.
fn span(index: u32, stride: u32, kernel: u32, padBefore: i32, size: u32, padAfter: u32) -> u32 {
  let first = i32(index * stride) - padBefore;
  let last = min(first + i32(kernel), i32(size + padAfter));
  if (u.includePad != 0u) { return u32(last - first); }
  return u32(max(min(last, i32(size)) - max(first, 0), 0));
}

fn divisor(oh: u32, ow: u32) -> f32 {
  let rows = span(oh, u.strideH, u.kernelH, u.padTop, u.inH, u.padBottom);
  let cols = span(ow, u.strideW, u.kernelW, u.padLeft, u.inW, u.padRight);
  return f32(rows * cols);
}`;

/** Decodes an output index into its plane and window's clipped row and column ranges. */
const OUTPUT_WINDOW_WGSL = /* wgsl */ `
  let ow = index % u.outW;
  let oh = (index / u.outW) % u.outH;
  let plane = index / (u.outW * u.outH);
  let base = plane * u.inH * u.inW;
  let h0 = i32(oh * u.strideH) - u.padTop;
  let w0 = i32(ow * u.strideW) - u.padLeft;
  let hStart = u32(max(h0, 0));
  let hEnd = u32(max(min(h0 + i32(u.kernelH), i32(u.inH)), 0));
  let wStart = u32(max(w0, 0));
  let wEnd = u32(max(min(w0 + i32(u.kernelW), i32(u.inW)), 0));`;

/** Decodes an input index into its plane, row and column, and the outputs covering it. */
const INPUT_PIXEL_WGSL = /* wgsl */ `
  let w = index % u.inW;
  let h = (index / u.inW) % u.inH;
  let plane = index / (u.inW * u.inH);
  let outBase = plane * u.outH * u.outW;
  let rows = coveringOutputs(h, u.padTop, u.kernelH, u.strideH, u.outH);
  let cols = coveringOutputs(w, u.padLeft, u.kernelW, u.strideW, u.outW);`;

export const maxPoolForwardProgram: WgslProgram = {
  name: 'max pool forward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'y', access: 'read_write' },
    { name: 'argmax', access: 'read_write', type: 'i32' },
  ],
  uniforms: UNIFORMS,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  ${OUTPUT_WINDOW_WGSL}
  var best = 0.0;
  var winner = -1;
  for (var h = hStart; h < hEnd; h++) {
    for (var w = wStart; w < wEnd; w++) {
      let value = x[base + h * u.inW + w];
      if (winner < 0 || value > best) {
        best = value;
        winner = i32(h * u.inW + w);
      }
    }
  }
  y[index] = best;
  argmax[index] = winner;`,
};

export const maxPoolBackwardProgram: WgslProgram = {
  name: 'max pool backward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'dy', access: 'read' },
    { name: 'argmax', access: 'read', type: 'i32' },
    { name: 'dx', access: 'read_write' },
  ],
  uniforms: UNIFORMS,
  declarations: COVERING_WGSL,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  ${INPUT_PIXEL_WGSL}
  let me = i32(h * u.inW + w);
  var sum = 0.0;
  for (var oh = rows.x; oh <= rows.y; oh++) {
    for (var ow = cols.x; ow <= cols.y; ow++) {
      let out = outBase + u32(oh) * u.outW + u32(ow);
      if (argmax[out] == me) { sum += dy[out]; }
    }
  }
  dx[index] = dx[index] + sum;`,
};

export const avgPoolForwardProgram: WgslProgram = {
  name: 'average pool forward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'y', access: 'read_write' },
  ],
  uniforms: UNIFORMS,
  declarations: COVERING_WGSL,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  ${OUTPUT_WINDOW_WGSL}
  var sum = 0.0;
  for (var h = hStart; h < hEnd; h++) {
    for (var w = wStart; w < wEnd; w++) {
      sum += x[base + h * u.inW + w];
    }
  }
  let size = divisor(oh, ow);
  y[index] = select(0.0, sum / size, size > 0.0);`,
};

export const avgPoolBackwardProgram: WgslProgram = {
  name: 'average pool backward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'dy', access: 'read' },
    { name: 'dx', access: 'read_write' },
  ],
  uniforms: UNIFORMS,
  declarations: COVERING_WGSL,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  ${INPUT_PIXEL_WGSL}
  var sum = 0.0;
  for (var oh = rows.x; oh <= rows.y; oh++) {
    for (var ow = cols.x; ow <= cols.y; ow++) {
      let size = divisor(u32(oh), u32(ow));
      if (size > 0.0) { sum += dy[outBase + u32(oh) * u.outW + u32(ow)] / size; }
    }
  }
  dx[index] = dx[index] + sum;`,
};

const uniforms = (window: PoolWindow, count: number, includePad: boolean) => ({
  count,
  padBottom: window.padBottom,
  padRight: window.padRight,
  includePad: includePad ? 1 : 0,
  ...windowUniforms(window),
});

const outputs = (window: PoolWindow, batch: number) => batch * window.channels * window.outH * window.outW;
const inputs = (window: PoolWindow, batch: number) => batch * window.channels * window.inH * window.inW;

/** Max pooling; argmax (an int32 buffer shaped like y) receives each winner's index within its input plane. */
export const maxPoolForward = (
  runner: GpuRunner,
  x: GPUBuffer,
  y: GPUBuffer,
  argmax: GPUBuffer,
  batch: number,
  window: PoolWindow,
): void => {
  const count = outputs(window, batch);
  runner.dispatch(maxPoolForwardProgram, { x, y, argmax }, uniforms(window, count, false), grid1D(count, WORKGROUP));
};

/** dx += each output gradient routed to its window's winner. */
export const maxPoolBackward = (
  runner: GpuRunner,
  dy: GPUBuffer,
  dx: GPUBuffer,
  argmax: GPUBuffer,
  batch: number,
  window: PoolWindow,
): void => {
  const count = inputs(window, batch);
  runner.dispatch(maxPoolBackwardProgram, { dy, argmax, dx }, uniforms(window, count, false), grid1D(count, WORKGROUP));
};

/** Average pooling (PyTorch's count_include_pad is `includePad`). */
export const avgPoolForward = (
  runner: GpuRunner,
  x: GPUBuffer,
  y: GPUBuffer,
  batch: number,
  window: PoolWindow,
  includePad: boolean,
): void => {
  const count = outputs(window, batch);
  runner.dispatch(avgPoolForwardProgram, { x, y }, uniforms(window, count, includePad), grid1D(count, WORKGROUP));
};

/** dx += each output gradient divided by its window's divisor, over the window's real pixels. */
export const avgPoolBackward = (
  runner: GpuRunner,
  dy: GPUBuffer,
  dx: GPUBuffer,
  batch: number,
  window: PoolWindow,
  includePad: boolean,
): void => {
  const count = inputs(window, batch);
  runner.dispatch(avgPoolBackwardProgram, { dy, dx }, uniforms(window, count, includePad), grid1D(count, WORKGROUP));
};
