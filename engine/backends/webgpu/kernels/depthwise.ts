/**
 * Depthwise convolution as direct kernels (no im2col), with the CPU kernels' semantics
 * (engine/backends/cpu/kernels/depthwise.ts): output channel o = c·m + j filters input channel
 * c = ⌊o / m⌋ with its own kh×kw kernel, m being the depth multiplier.
 *
 *   x [N, C, inH, inW]    w [C·m, 1, kh, kw]    b [C·m]    y [N, C·m, outH, outW]
 *
 * Forward: one thread per output pixel. Input gradient: one thread per input pixel, gathering
 * from the outputs whose windows read it. Weight gradient: one workgroup per weight (output
 * channel and tap), reducing over the batch and the output pixels in workgroup memory. No
 * atomics anywhere; backward passes ADD into their gradients.
 */
import type { Window2D } from '../../cpu/geometry';
import type { WgslProgram } from '../compile';
import { grid1D, gridOfGroups, type GpuRunner } from '../run';
import { addBias, biasGradient } from './elementwise';
import { WINDOW_UNIFORMS, WINDOW_WGSL, windowUniforms } from './im2col';
import { REDUCE_THREADS, REDUCE_WGSL } from './reduce';

const WORKGROUP = 256;
const UNIFORMS = { count: 'u32', multiplier: 'u32', batch: 'u32', ...WINDOW_UNIFORMS } as const;

export const depthwiseForwardProgram: WgslProgram = {
  name: 'depthwise forward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'w', access: 'read' },
    { name: 'y', access: 'read_write' },
  ],
  uniforms: UNIFORMS,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  let outChannels = u.channels * u.multiplier;
  let ow = index % u.outW;
  let oh = (index / u.outW) % u.outH;
  let o = (index / (u.outW * u.outH)) % outChannels;
  let n = index / (u.outW * u.outH * outChannels);
  let channel = (n * u.channels + o / u.multiplier) * u.inH * u.inW;
  var sum = 0.0;
  for (var ki = 0u; ki < u.kernelH; ki++) {
    let h = i32(oh * u.strideH + ki * u.dilationH) - u.padTop;
    if (h < 0 || h >= i32(u.inH)) { continue; }
    for (var kj = 0u; kj < u.kernelW; kj++) {
      let v = i32(ow * u.strideW + kj * u.dilationW) - u.padLeft;
      if (v < 0 || v >= i32(u.inW)) { continue; }
      sum += w[(o * u.kernelH + ki) * u.kernelW + kj] * x[channel + u32(h) * u.inW + u32(v)];
    }
  }
  y[index] = sum;`,
};

export const depthwiseInputGradientProgram: WgslProgram = {
  name: 'depthwise input gradient',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'w', access: 'read' },
    { name: 'dy', access: 'read' },
    { name: 'dx', access: 'read_write' },
  ],
  uniforms: UNIFORMS,
  declarations: WINDOW_WGSL,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  let outChannels = u.channels * u.multiplier;
  let x0 = index % u.inW;
  let h = (index / u.inW) % u.inH;
  let c = (index / (u.inW * u.inH)) % u.channels;
  let n = index / (u.inW * u.inH * u.channels);
  var sum = 0.0;
  for (var j = 0u; j < u.multiplier; j++) {
    let o = c * u.multiplier + j;
    let plane = (n * outChannels + o) * u.outH * u.outW;
    for (var ki = 0u; ki < u.kernelH; ki++) {
      let oh = sourceOutput(i32(h) + u.padTop - i32(ki * u.dilationH), u.strideH, u.outH);
      if (oh < 0) { continue; }
      for (var kj = 0u; kj < u.kernelW; kj++) {
        let ow = sourceOutput(i32(x0) + u.padLeft - i32(kj * u.dilationW), u.strideW, u.outW);
        if (ow < 0) { continue; }
        sum += w[(o * u.kernelH + ki) * u.kernelW + kj] * dy[plane + u32(oh) * u.outW + u32(ow)];
      }
    }
  }
  dx[index] = dx[index] + sum;`,
};

export const depthwiseWeightGradientProgram: WgslProgram = {
  name: 'depthwise weight gradient',
  workgroupSize: [REDUCE_THREADS, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'dy', access: 'read' },
    { name: 'dw', access: 'read_write' },
  ],
  uniforms: UNIFORMS,
  declarations: REDUCE_WGSL,
  body: /* wgsl */ `
  let tap = wid.x + wid.y * nwg.x;
  if (tap >= u.count) { return; }
  let outChannels = u.channels * u.multiplier;
  let kj = tap % u.kernelW;
  let ki = (tap / u.kernelW) % u.kernelH;
  let o = tap / (u.kernelW * u.kernelH);
  let c = o / u.multiplier;
  let outPlane = u.outH * u.outW;
  var sum = 0.0;
  for (var n = 0u; n < u.batch; n++) {
    let channel = (n * u.channels + c) * u.inH * u.inW;
    let gradients = (n * outChannels + o) * outPlane;
    for (var p = lindex; p < outPlane; p += ${REDUCE_THREADS}u) {
      let h = i32((p / u.outW) * u.strideH + ki * u.dilationH) - u.padTop;
      let v = i32((p % u.outW) * u.strideW + kj * u.dilationW) - u.padLeft;
      if (h >= 0 && h < i32(u.inH) && v >= 0 && v < i32(u.inW)) {
        sum += dy[gradients + p] * x[channel + u32(h) * u.inW + u32(v)];
      }
    }
  }
  let total = workgroupSum(lindex, sum);
  if (lindex == 0u) {
    dw[tap] = dw[tap] + total;
  }`,
};

/** y = depthwise(x, w) + b. Overwrites y. */
export const depthwiseForward = (
  runner: GpuRunner,
  window: Window2D,
  multiplier: number,
  batch: number,
  x: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | null,
  y: GPUBuffer,
): void => {
  const outChannels = window.channels * multiplier;
  const count = batch * outChannels * window.outH * window.outW;
  runner.dispatch(depthwiseForwardProgram, { x, w, y }, { count, multiplier, batch, ...windowUniforms(window) }, grid1D(count, WORKGROUP));
  if (bias) addBias(runner, y, bias, batch, outChannels, window.outH * window.outW);
};

/** Accumulates dx, dw and db (each may be null) from dy. */
export const depthwiseBackward = (
  runner: GpuRunner,
  window: Window2D,
  multiplier: number,
  batch: number,
  x: GPUBuffer,
  w: GPUBuffer,
  dy: GPUBuffer,
  dx: GPUBuffer | null,
  dw: GPUBuffer | null,
  db: GPUBuffer | null,
): void => {
  const outChannels = window.channels * multiplier;
  const geometry = { multiplier, batch, ...windowUniforms(window) };
  if (dx) {
    const count = batch * window.channels * window.inH * window.inW;
    runner.dispatch(depthwiseInputGradientProgram, { w, dy, dx }, { count, ...geometry }, grid1D(count, WORKGROUP));
  }
  if (dw) {
    const taps = outChannels * window.kernelH * window.kernelW;
    runner.dispatch(depthwiseWeightGradientProgram, { x, dy, dw }, { count: taps, ...geometry }, gridOfGroups(taps));
  }
  if (db) biasGradient(runner, dy, db, batch, outChannels, window.outH * window.outW);
};
