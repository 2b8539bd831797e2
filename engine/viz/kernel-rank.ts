/**
 * Whether a 2-D kernel is separable: its numerical rank by Gaussian elimination with full
 * pivoting, and for rank 1 its factors, a column times a row (Sobel x = [1 2 1]ᵀ · [−1 0 1]).
 * A K×K kernel of rank 1 can run as a K×1 convolution then a 1×K one.
 */

export interface KernelRank {
  readonly rank: number;
  readonly height: number;
  readonly width: number;
  /** For rank 1: kernel[i][j] = column[i] · row[j]. */
  readonly factors?: { readonly column: number[]; readonly row: number[] };
}

/** Relative tolerance: pivots below this times the largest |entry| count as zero (weights are float32). */
export const RANK_TOLERANCE = 1e-5;

const checkKernel = (kernel: readonly (readonly number[])[]): void => {
  if (kernel.length === 0 || kernel[0].length === 0) throw new Error('the kernel is empty; give at least one row and one column');
  kernel.forEach((row, i) => {
    if (row.length !== kernel[0].length) throw new Error(`kernel row ${i} has ${row.length} values; row 0 has ${kernel[0].length}`);
    row.forEach((value, j) => {
      if (!Number.isFinite(value)) throw new Error(`kernel row ${i} column ${j} is ${value}, not a finite number`);
    });
  });
};

/** Rank-1 factors: the column through the largest entry, the row through it divided by that entry, scaled readably. */
const rankOneFactors = (kernel: readonly (readonly number[])[], tolerance: number) => {
  let [pr, pc] = [0, 0];
  kernel.forEach((row, i) => row.forEach((value, j) => Math.abs(value) > Math.abs(kernel[pr][pc]) && ([pr, pc] = [i, j])));
  const pivot = kernel[pr][pc];
  let column = kernel.map((row) => row[pc]);
  let row = kernel[pr].map((value) => value / pivot);
  // Scale so the column's smallest non-zero magnitude is 1 and its largest entry is positive:
  // Sobel comes out as [1 2 1]ᵀ · [−1 0 1], a Gaussian as [1 2 1]ᵀ · [1 2 1]/16.
  const nonZero = column.filter((value) => Math.abs(value) > tolerance).map(Math.abs);
  const largest = column.reduce((best, value) => (Math.abs(value) > Math.abs(best) ? value : best), 0);
  const scale = Math.sign(largest) * Math.min(...nonZero);
  column = column.map((value) => value / scale);
  row = row.map((value) => value * scale);
  return { column, row };
};

/** The numerical rank of `kernel` (rows of equal length), with factors when it is 1. Throws on ragged or non-finite input. */
export const kernelRank = (kernel: readonly (readonly number[])[], relativeTolerance = RANK_TOLERANCE): KernelRank => {
  checkKernel(kernel);
  const height = kernel.length;
  const width = kernel[0].length;
  const a = kernel.map((row) => row.slice());
  const largest = Math.max(...a.flat().map(Math.abs));
  const tolerance = largest * relativeTolerance;
  let rank = 0;
  if (largest > 0) {
    for (let step = 0; step < Math.min(height, width); step++) {
      let [pr, pc] = [step, step];
      for (let i = step; i < height; i++) for (let j = step; j < width; j++) if (Math.abs(a[i][j]) > Math.abs(a[pr][pc])) [pr, pc] = [i, j];
      if (Math.abs(a[pr][pc]) <= tolerance) break;
      [a[step], a[pr]] = [a[pr], a[step]];
      for (const row of a) [row[step], row[pc]] = [row[pc], row[step]];
      for (let i = step + 1; i < height; i++) {
        const factor = a[i][step] / a[step][step];
        for (let j = step; j < width; j++) a[i][j] -= factor * a[step][j];
      }
      rank++;
    }
  }
  return rank === 1 ? { rank, height, width, factors: rankOneFactors(kernel, tolerance) } : { rank, height, width };
};

const number = (value: number): string => String(Number(value.toPrecision(3)));

/** "rank 1: separable into 3×1 · 1×3, [1 2 1]ᵀ · [-1 0 1]" or "rank 2: not separable". */
export const describeRank = ({ rank, height, width, factors }: KernelRank): string => {
  if (rank === 0) return 'rank 0: all zeros';
  if (!factors) return `rank ${rank}: not separable (a ${height}×1 · 1×${width} pair makes rank 1 only)`;
  return `rank 1: separable into ${height}×1 · 1×${width}, [${factors.column.map(number).join(' ')}]ᵀ · [${factors.row.map(number).join(' ')}]`;
};
