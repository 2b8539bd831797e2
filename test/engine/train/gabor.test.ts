// Gabor kernels against the formula, point by point, and its symmetries.
import { describe, expect, it } from 'vitest';
import { gaborKernel, type GaborParams } from '../../../engine/train/gabor';
import { presetKernel } from '../../../engine/train/filter-init';

const kernel = (size: number, params: GaborParams): number[][] => {
  const result = gaborKernel(size, size, params);
  if (!result.ok) throw new Error(result.problem);
  return result.kernel;
};

/** The formula written out for one point, x and y from the centre (y down the rows). */
const formula = (x: number, y: number, { orientation: t, wavelength: l, sigma: s, phase: p }: GaborParams): number => {
  const xr = x * Math.cos(t) + y * Math.sin(t);
  const yr = -x * Math.sin(t) + y * Math.cos(t);
  return Math.exp(-(xr ** 2 + yr ** 2) / (2 * s ** 2)) * Math.cos((2 * Math.PI * xr) / l + p);
};

describe('Gabor filters', () => {
  it('follow the formula at every point', () => {
    const params = { orientation: 0.7, wavelength: 3.5, sigma: 1.8, phase: 0.4 };
    const k = kernel(7, params);
    for (let row = 0; row < 7; row++)
      for (let column = 0; column < 7; column++) expect(k[row][column]).toBeCloseTo(formula(column - 3, row - 3, params), 12);
  });

  it('is 1 at the centre for phase 0, and exp(−1/2σ²)·cos(2π/λ) one pixel along the wave', () => {
    const k = kernel(5, { orientation: 0, wavelength: 4, sigma: 2, phase: 0 });
    expect(k[2][2]).toBe(1);
    expect(k[2][3]).toBeCloseTo(Math.exp(-1 / 8) * Math.cos(Math.PI / 2), 12);
    expect(k[2][4]).toBeCloseTo(Math.exp(-4 / 8) * Math.cos(Math.PI), 12);
    // Across the wave only the envelope falls off.
    expect(k[3][2]).toBeCloseTo(Math.exp(-1 / 8), 12);
  });

  it('turns with its orientation: a quarter turn transposes the kernel', () => {
    const flat = kernel(5, { orientation: 0, wavelength: 3, sigma: 1.5, phase: 0.3 });
    const turned = kernel(5, { orientation: Math.PI / 2, wavelength: 3, sigma: 1.5, phase: 0.3 });
    for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) expect(turned[r][c]).toBeCloseTo(flat[c][r], 12);
  });

  it('is odd (an edge detector) at phase π/2 and even at phase 0', () => {
    const odd = kernel(5, { orientation: 0, wavelength: 4, sigma: 1.5, phase: Math.PI / 2 });
    const even = kernel(5, { orientation: 0, wavelength: 4, sigma: 1.5, phase: 0 });
    for (let r = 0; r < 5; r++)
      for (let c = 0; c < 5; c++) {
        expect(odd[r][c]).toBeCloseTo(-odd[r][4 - c], 12);
        expect(even[r][c]).toBeCloseTo(even[r][4 - c], 12);
      }
  });

  it('works on non-square kernels and refuses bad parameters, naming them', () => {
    const wide = gaborKernel(3, 5, { orientation: 0, wavelength: 2, sigma: 1, phase: 0 });
    expect(wide.ok && wide.kernel.map((row) => row.length)).toEqual([5, 5, 5]);
    expect(gaborKernel(3, 3, { orientation: 0, wavelength: 0, sigma: 1, phase: 0 })).toEqual({
      ok: false,
      problem: "a Gabor filter's wavelength must be above 0 pixels, not 0",
    });
    expect(gaborKernel(3, 3, { orientation: 0, wavelength: 2, sigma: -1, phase: 0 })).toEqual({
      ok: false,
      problem: "a Gabor filter's sigma must be above 0 pixels, not -1",
    });
    expect(presetKernel({ kind: 'gabor', orientation: 0, wavelength: 2, sigma: 1, phase: 0 }, 3, 3)).toEqual(
      gaborKernel(3, 3, { orientation: 0, wavelength: 2, sigma: 1, phase: 0 }),
    );
  });
});
