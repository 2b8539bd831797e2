// Whether a hand-made kernel is separable: its rank, and for rank 1 the column and row factors
// whose product gives the kernel back. Kernels come from the filter editor's own presets.
import { describe, expect, it } from 'vitest';
import { presetKernel, type FilterPreset } from '../../../engine/train/filter-init';
import { describeRank, kernelRank } from '../../../engine/viz/kernel-rank';
import { randomSample } from './helpers';

const preset = (kind: FilterPreset, size = 3): number[][] => {
  const made = presetKernel(kind, size, size);
  if (!made.ok) throw new Error(made.problem);
  return made.kernel;
};

const expectFactorsRebuild = (kernel: number[][]) => {
  const { factors } = kernelRank(kernel);
  expect(factors).toBeDefined();
  kernel.forEach((row, i) => row.forEach((value, j) => expect(factors!.column[i] * factors!.row[j]).toBeCloseTo(value, 6)));
};

describe('the rank of a kernel', () => {
  it('Sobel x is rank 1: [1 2 1]ᵀ · [-1 0 1]', () => {
    const result = kernelRank(preset({ kind: 'sobel-x' }));
    expect(result.rank).toBe(1);
    expect(result.factors!.column).toEqual([1, 2, 1]);
    expect(result.factors!.row).toEqual([-1, 0, 1]);
    expect(describeRank(result)).toBe('rank 1: separable into 3×1 · 1×3, [1 2 1]ᵀ · [-1 0 1]');
    expectFactorsRebuild(preset({ kind: 'sobel-y' }));
    expectFactorsRebuild(preset({ kind: 'prewitt-x' }));
  });

  it('a Gaussian is rank 1 at 3×3 and 5×5, its factors rebuild it', () => {
    for (const size of [3, 5]) {
      const kernel = preset({ kind: 'gaussian' }, size);
      expect(kernelRank(kernel).rank).toBe(1);
      expectFactorsRebuild(kernel);
    }
  });

  it('the Laplacian is rank 2, not separable', () => {
    const result = kernelRank(preset({ kind: 'laplacian' }));
    expect(result.rank).toBe(2);
    expect(result.factors).toBeUndefined();
    expect(describeRank(result)).toMatch(/^rank 2: not separable/);
  });

  it('identity kernels: the 3×3 centre tap is rank 1, the identity matrix full rank, zeros rank 0', () => {
    expect(kernelRank(preset({ kind: 'identity' })).rank).toBe(1);
    expect(
      kernelRank([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]).rank,
    ).toBe(3);
    expect(
      describeRank(
        kernelRank([
          [0, 0],
          [0, 0],
        ]),
      ),
    ).toBe('rank 0: all zeros');
  });

  it('a random 5×5 kernel is full rank; a float32-rounded outer product is still rank 1', () => {
    const values = randomSample(25, 3);
    const random = Array.from({ length: 5 }, (_, i) => Array.from(values.subarray(i * 5, i * 5 + 5)));
    expect(kernelRank(random).rank).toBe(5);
    const column = [0.3, -1.7, 2.2];
    const row = [0.11, 0.5, -0.9, 1.3];
    const outer = column.map((a) => row.map((b) => Math.fround(a * b)));
    expect(kernelRank(outer).rank).toBe(1);
    expectFactorsRebuild(outer);
    // the same plus a small second component is rank 2
    outer[0][0] += 0.01;
    expect(kernelRank(outer).rank).toBe(2);
  });

  it('says what is wrong with a ragged or non-finite kernel', () => {
    expect(() => kernelRank([[1, 2], [3]])).toThrow('kernel row 1 has 1 values; row 0 has 2');
    expect(() => kernelRank([[1, Number.NaN]])).toThrow('kernel row 0 column 1 is NaN, not a finite number');
    expect(() => kernelRank([])).toThrow(/empty/);
  });
});
