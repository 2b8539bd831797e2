/**
 * Winograd F(2×2, 3×3) (engine/backends/cpu/kernels/winograd.ts): which layers take it, and the
 * kernel transform against U = G g Gᵀ multiplied out. That its convolutions equal the
 * JavaScript im2col kernels is checked with the other heap kernels (heap-kernels.test.ts), and
 * that they do not depend on the thread count in threads.test.ts (convnet's 3×3 layers).
 */
import { describe, expect, it } from 'vitest';
import type { ConvGeometry } from '../../../../engine/backends/cpu/kernels/conv';
import { transformKernels, winogradApplies } from '../../../../engine/backends/cpu/kernels/winograd';

const geometry = (changes: Partial<ConvGeometry['window']> & { outChannels?: number; groups?: number } = {}): ConvGeometry => {
  const { outChannels = 16, groups = 1, ...window } = changes;
  return {
    window: {
      channels: 8,
      inH: 10,
      inW: 10,
      outH: 10,
      outW: 10,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      dilationH: 1,
      dilationW: 1,
      padTop: 1,
      padLeft: 1,
      ...window,
    },
    outChannels,
    groups,
  };
};

const G = [
  [1, 0, 0],
  [0.5, 0.5, 0.5],
  [0.5, -0.5, 0.5],
  [0, 0, 1],
];

/** G g Gᵀ, multiplied out. */
const reference = (g: number[][]): number[][] =>
  G.map((row) => G.map((column) => row.reduce((sum, a, r) => sum + a * column.reduce((inner, b, s) => inner + g[r][s] * b, 0), 0)));

describe('Winograd F(2×2, 3×3)', () => {
  it('applies to 3×3 convolutions at stride 1 with enough channels, and to nothing else', () => {
    expect(winogradApplies(geometry())).toBe(true);
    expect(winogradApplies(geometry({ padTop: 0, padLeft: 2 }))).toBe(true);
    expect(winogradApplies(geometry({ kernelH: 5, kernelW: 5 }))).toBe(false);
    expect(winogradApplies(geometry({ kernelW: 1 }))).toBe(false);
    expect(winogradApplies(geometry({ strideH: 2 }))).toBe(false);
    expect(winogradApplies(geometry({ dilationW: 2 }))).toBe(false);
    expect(winogradApplies(geometry({ groups: 2 }))).toBe(false);
    expect(winogradApplies(geometry({ padTop: 3 }))).toBe(false);
    expect(winogradApplies(geometry({ channels: 1 }))).toBe(false);
    expect(winogradApplies(geometry({ outChannels: 4 }))).toBe(false);
  });

  it('transforms every kernel to G g Gᵀ, laid out [16][filters, channels], and flipped and transposed for the input gradient', () => {
    const filters = 3;
    const channels = 2;
    const g = Float32Array.from({ length: filters * channels * 9 }, (_, i) => Math.sin(i * 1.7) * 3);
    const kernel = (k: number, c: number, flip: boolean): number[][] =>
      [0, 1, 2].map((r) => [0, 1, 2].map((s) => g[(k * channels + c) * 9 + (flip ? (2 - r) * 3 + (2 - s) : r * 3 + s)]));
    for (const flip of [false, true]) {
      const u = new Float32Array(16 * filters * channels + 5).fill(Number.NaN);
      transformKernels(g, filters, channels, flip, u, 5);
      for (let k = 0; k < filters; k++) {
        for (let c = 0; c < channels; c++) {
          const expected = reference(kernel(k, c, flip));
          const cell = flip ? c * filters + k : k * channels + c;
          for (let e = 0; e < 16; e++) {
            expect(u[5 + e * filters * channels + cell]).toBeCloseTo(expected[e >> 2][e & 3], 5);
          }
        }
      }
      expect(u.slice(0, 5).every(Number.isNaN)).toBe(true);
    }
  });
});
