/**
 * im2col and col2im for a whole batch, with the CPU kernels' layout
 * (engine/backends/cpu/kernels/im2col.ts), one column matrix per sample:
 *
 *   x   [N, C, inH, inW]
 *   col [N, C·kh·kw, outH·outW]: row (c·kh + ki)·kw + kj, column oh·outW + ow holds
 *       x[n, c, oh·sh − padTop + ki·dh, ow·sw − padLeft + kj·dw], or 0 in the padding.
 *
 * A group's rows are a contiguous block of each sample's matrix, so grouped convolutions use
 * one im2col over all channels. Padding may be asymmetric: the padding after the input is
 * implied by outH and outW.
 *
 * col2im is the adjoint, computed as a gather rather than a scatter: each thread owns one input
 * pixel and sums every column entry that was read from it, so no two threads write the same
 * address and no atomics are needed. It ADDS into x, as the CPU's does.
 */
import type { Window2D } from '../../cpu/geometry';
import type { UniformType, WgslProgram } from '../compile';
import { grid1D, type GpuRunner } from '../run';

const WORKGROUP = 256;

/** The uniforms of a sliding window (shared by convolution, depthwise and pooling kernels). */
export const WINDOW_UNIFORMS = {
  channels: 'u32',
  inH: 'u32',
  inW: 'u32',
  outH: 'u32',
  outW: 'u32',
  kernelH: 'u32',
  kernelW: 'u32',
  strideH: 'u32',
  strideW: 'u32',
  dilationH: 'u32',
  dilationW: 'u32',
  padTop: 'i32',
  padLeft: 'i32',
} as const satisfies Record<string, UniformType>;

/** A Window2D as uniform values. */
export const windowUniforms = (window: Window2D): Record<keyof typeof WINDOW_UNIFORMS, number> => ({
  channels: window.channels,
  inH: window.inH,
  inW: window.inW,
  outH: window.outH,
  outW: window.outW,
  kernelH: window.kernelH,
  kernelW: window.kernelW,
  strideH: window.strideH,
  strideW: window.strideW,
  dilationH: window.dilationH,
  dilationW: window.dilationW,
  padTop: window.padTop,
  padLeft: window.padLeft,
});

/**
 * WGSL that finds, for input coordinate `at` (pixel + padding − tap·dilation), the output index
 * whose window tap reads it: −1 when none does (between strides, or outside the output).
 */
export const WINDOW_WGSL = /* wgsl */ `
fn sourceOutput(at: i32, stride: u32, outSize: u32) -> i32 {
  if (at < 0 || at % i32(stride) != 0) { return -1; }
  let o = at / i32(stride);
  if (o >= i32(outSize)) { return -1; }
  return o;
}`;

export const im2colProgram: WgslProgram = {
  name: 'im2col',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'col', access: 'read_write' },
  ],
  uniforms: { count: 'u32', xOffset: 'u32', colOffset: 'u32', ...WINDOW_UNIFORMS },
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  let plane = u.outH * u.outW;
  let rows = u.channels * u.kernelH * u.kernelW;
  let p = index % plane;
  let rest = index / plane;
  let row = rest % rows;
  let n = rest / rows;
  let kj = row % u.kernelW;
  let ki = (row / u.kernelW) % u.kernelH;
  let c = row / (u.kernelW * u.kernelH);
  let h = i32((p / u.outW) * u.strideH + ki * u.dilationH) - u.padTop;
  let w = i32((p % u.outW) * u.strideW + kj * u.dilationW) - u.padLeft;
  var value = 0.0;
  if (h >= 0 && h < i32(u.inH) && w >= 0 && w < i32(u.inW)) {
    value = x[u.xOffset + ((n * u.channels + c) * u.inH + u32(h)) * u.inW + u32(w)];
  }
  col[u.colOffset + index] = value;`,
};

export const col2imProgram: WgslProgram = {
  name: 'col2im',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'col', access: 'read' },
    { name: 'x', access: 'read_write' },
  ],
  uniforms: { count: 'u32', xOffset: 'u32', colOffset: 'u32', ...WINDOW_UNIFORMS },
  declarations: WINDOW_WGSL,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  let w = index % u.inW;
  let h = (index / u.inW) % u.inH;
  let c = (index / (u.inW * u.inH)) % u.channels;
  let n = index / (u.inW * u.inH * u.channels);
  let plane = u.outH * u.outW;
  let sample = u.colOffset + n * u.channels * u.kernelH * u.kernelW * plane;
  var sum = 0.0;
  for (var ki = 0u; ki < u.kernelH; ki++) {
    let oh = sourceOutput(i32(h) + u.padTop - i32(ki * u.dilationH), u.strideH, u.outH);
    if (oh < 0) { continue; }
    for (var kj = 0u; kj < u.kernelW; kj++) {
      let ow = sourceOutput(i32(w) + u.padLeft - i32(kj * u.dilationW), u.strideW, u.outW);
      if (ow < 0) { continue; }
      let row = (c * u.kernelH + ki) * u.kernelW + kj;
      sum += col[sample + row * plane + u32(oh) * u.outW + u32(ow)];
    }
  }
  let at = u.xOffset + index;
  x[at] = x[at] + sum;`,
};

/** Fills col ([batch, C·kh·kw, outH·outW] from colOffset) from x ([batch, C, inH, inW] from xOffset); C is window.channels. */
export const im2col = (
  runner: GpuRunner,
  x: GPUBuffer,
  xOffset: number,
  batch: number,
  window: Window2D,
  col: GPUBuffer,
  colOffset = 0,
): void => {
  const count = batch * window.channels * window.kernelH * window.kernelW * window.outH * window.outW;
  runner.dispatch(im2colProgram, { x, col }, { count, xOffset, colOffset, ...windowUniforms(window) }, grid1D(count, WORKGROUP));
};

/** x += the adjoint of im2col applied to col (same layouts as im2col); entries from the padding are dropped. */
export const col2im = (
  runner: GpuRunner,
  col: GPUBuffer,
  colOffset: number,
  batch: number,
  window: Window2D,
  x: GPUBuffer,
  xOffset = 0,
): void => {
  const count = batch * window.channels * window.inH * window.inW;
  runner.dispatch(col2imProgram, { col, x }, { count, xOffset, colOffset, ...windowUniforms(window) }, grid1D(count, WORKGROUP));
};

/** Elements of the column matrices of `batch` samples: batch · C·kh·kw · outH·outW. */
export const columnLength = (window: Window2D, batch: number): number =>
  batch * window.channels * window.kernelH * window.kernelW * window.outH * window.outW;
