/**
 * Global average and max pooling, with the CPU kernels' rules (engine/backends/cpu/kernels/
 * pooling.ts): `planes` (batch × C) maps of `size` (H·W) pixels to one value each; max pooling
 * records the winner's index within its plane (the first of equal maxima).
 *
 * Forward: one thread per plane, summing (or scanning) its pixels in order, as the CPU does, so
 * the results agree to the last bit or nearly. Backward: one thread per input pixel (a gather,
 * no atomics), ADDING into the input gradient.
 *
 * Not matched: the CPU lets a NaN win a max (as PyTorch does); WGSL comparisons with NaN are
 * false and implementations may assume NaN never occurs, so here a NaN never wins. A network
 * whose activations are NaN has diverged anyway, and the loss says so.
 */
import type { WgslProgram } from '../compile';
import { grid1D, type GpuRunner } from '../run';

const WORKGROUP = 256;
const UNIFORMS = { count: 'u32', size: 'u32' } as const;

export const globalAvgPoolForwardProgram: WgslProgram = {
  name: 'global average pool forward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'y', access: 'read_write' },
  ],
  uniforms: UNIFORMS,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  let base = index * u.size;
  var sum = 0.0;
  for (var i = 0u; i < u.size; i++) { sum += x[base + i]; }
  y[index] = sum / f32(u.size);`,
};

export const globalAvgPoolBackwardProgram: WgslProgram = {
  name: 'global average pool backward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'dy', access: 'read' },
    { name: 'dx', access: 'read_write' },
  ],
  uniforms: UNIFORMS,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  dx[index] = dx[index] + dy[index / u.size] / f32(u.size);`,
};

export const globalMaxPoolForwardProgram: WgslProgram = {
  name: 'global max pool forward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'x', access: 'read' },
    { name: 'y', access: 'read_write' },
    { name: 'argmax', access: 'read_write', type: 'i32' },
  ],
  uniforms: UNIFORMS,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  let base = index * u.size;
  var best = x[base];
  var winner = 0u;
  for (var i = 1u; i < u.size; i++) {
    let value = x[base + i];
    if (value > best) {
      best = value;
      winner = i;
    }
  }
  y[index] = best;
  argmax[index] = i32(winner);`,
};

export const globalMaxPoolBackwardProgram: WgslProgram = {
  name: 'global max pool backward',
  workgroupSize: [WORKGROUP, 1, 1],
  bindings: [
    { name: 'dy', access: 'read' },
    { name: 'argmax', access: 'read', type: 'i32' },
    { name: 'dx', access: 'read_write' },
  ],
  uniforms: UNIFORMS,
  body: /* wgsl */ `
  if (index >= u.count) { return; }
  let plane = index / u.size;
  if (u32(argmax[plane]) == index % u.size) {
    dx[index] = dx[index] + dy[plane];
  }`,
};

/** y[plane] = the mean of the plane's `size` pixels. */
export const globalAvgPoolForward = (runner: GpuRunner, x: GPUBuffer, y: GPUBuffer, planes: number, size: number): void =>
  runner.dispatch(globalAvgPoolForwardProgram, { x, y }, { count: planes, size }, grid1D(planes, WORKGROUP));

/** dx += dy[plane]/size at every pixel of the plane. */
export const globalAvgPoolBackward = (runner: GpuRunner, dy: GPUBuffer, dx: GPUBuffer, planes: number, size: number): void =>
  runner.dispatch(globalAvgPoolBackwardProgram, { dy, dx }, { count: planes * size, size }, grid1D(planes * size, WORKGROUP));

/** y[plane] = the plane's largest pixel; argmax (int32, one per plane) its index within the plane. */
export const globalMaxPoolForward = (
  runner: GpuRunner,
  x: GPUBuffer,
  y: GPUBuffer,
  argmax: GPUBuffer,
  planes: number,
  size: number,
): void => runner.dispatch(globalMaxPoolForwardProgram, { x, y, argmax }, { count: planes, size }, grid1D(planes, WORKGROUP));

/** dx += dy[plane] at the plane's winner. */
export const globalMaxPoolBackward = (
  runner: GpuRunner,
  dy: GPUBuffer,
  dx: GPUBuffer,
  argmax: GPUBuffer,
  planes: number,
  size: number,
): void =>
  runner.dispatch(globalMaxPoolBackwardProgram, { dy, argmax, dx }, { count: planes * size, size }, grid1D(planes * size, WORKGROUP));

export const globalPoolingPrograms: readonly WgslProgram[] = [
  globalAvgPoolForwardProgram,
  globalAvgPoolBackwardProgram,
  globalMaxPoolForwardProgram,
  globalMaxPoolBackwardProgram,
];
