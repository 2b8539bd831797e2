/**
 * Turns on WebAssembly relaxed SIMD where Node's V8 keeps it behind a flag (Node 20:
 * --experimental-wasm-relaxed-simd; Electron and Chromium have it on), so that the CPU engine
 * picks the FMA build of its kernels (engine/backends/cpu/heap.ts). V8 flags are per process, so
 * call it in each process entry before the engine first runs a kernel.
 */
import { setFlagsFromString } from 'node:v8';
import { relaxedSimdAvailable } from '../../engine/backends/cpu/heap';

export const enableRelaxedSimd = (): void => {
  if (!relaxedSimdAvailable()) setFlagsFromString('--experimental-wasm-relaxed-simd');
};
