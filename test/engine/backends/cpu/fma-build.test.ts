/**
 * The two builds of the CPU kernels (engine/backends/cpu/heap.ts): the FMA one (relaxed SIMD's
 * f32x4.relaxed_madd in the SGEMM micro-kernel), which the heap picks where relaxed SIMD
 * validates, as under this suite's V8 flag (vitest.config.ts) and the Node hosts'; and the plain
 * one, the fallback. Each is driven here over its own memory: both match a float64 product, and
 * each gives the same bits from run to run.
 */
import { describe, expect, it } from 'vitest';
import { heap, moduleBytes, relaxedSimdAvailable, type Kernels } from '../../../../engine/backends/cpu/heap';
import { seededRandom } from './harness';

const M = 12;
const N = 24;
const K = 300;
// Float indices into a private memory of 4 pages: A, B, packed A, packed B, C, the edge tile.
const A_AT = 1024;
const B_AT = A_AT + M * K;
const PA_AT = B_AT + K * N + 64;
const PB_AT = PA_AT + 16 * K + 64;
const C_AT = PB_AT + 32 * K + 64;
const TILE_AT = C_AT + M * N + 64;

/** The part of the WebAssembly JS API used here (the test's type libraries have no DOM). */
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object, imports: object) => { exports: unknown };
    };
  }
).WebAssembly;

/** C = A · B (row-major, no transposes) with one build's pack_a, pack_b and block. */
const product = (fma: boolean, a: Float32Array, b: Float32Array): Float32Array => {
  const memory = new wasm.Memory({ initial: 4, maximum: 4 });
  const kernels = new wasm.Instance(new wasm.Module(moduleBytes(false, fma)), { env: { memory } }).exports as unknown as Kernels;
  const f32 = new Float32Array(memory.buffer);
  f32.set(a, A_AT);
  f32.set(b, B_AT);
  kernels.pack_b(0, 4 * B_AT, N, K, N, 4 * PB_AT);
  kernels.pack_a(0, 4 * A_AT, K, M, K, 4 * PA_AT);
  kernels.block(M, N, K, 4 * PA_AT, 4 * PB_AT, 4 * C_AT, N, 1, 4 * TILE_AT);
  return f32.slice(C_AT, C_AT + M * N);
};

const operands = (): { a: Float32Array; b: Float32Array; reference: Float64Array } => {
  const random = seededRandom(7);
  const a = Float32Array.from({ length: M * K }, () => random() * 2 - 1);
  const b = Float32Array.from({ length: K * N }, () => random() * 2 - 1);
  const reference = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) reference[i * N + j] += a[i * K + k] * b[k * N + j];
  return { a, b, reference };
};

describe('the FMA and plain builds of the CPU kernels', () => {
  it('the heap runs the FMA build where relaxed SIMD validates (here, under the suite’s V8 flag)', () => {
    expect(relaxedSimdAvailable()).toBe(true);
    expect(heap()?.fma).toBe(true);
  });

  for (const fma of [true, false]) {
    it(`the ${fma ? 'FMA' : 'plain'} build matches a float64 product and repeats its bits`, () => {
      const { a, b, reference } = operands();
      const first = product(fma, a, b);
      for (let i = 0; i < M * N; i++) expect(Math.abs(first[i] - reference[i])).toBeLessThan(1e-4 * (1 + Math.abs(reference[i])));
      expect(product(fma, a, b)).toEqual(first);
    });
  }
});
