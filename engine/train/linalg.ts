/**
 * Small dense linear algebra for k-means initialisation (init-kmeans.ts): the covariance of a set
 * of vectors, a Jacobi eigenvalue solver for the small symmetric matrices that gives (dimension
 * C·kh·kw, typically 9–150), and the ZCA whitening matrix built from it. Everything is float64,
 * row-major, and allocation-light; no dependencies, so it runs in Node, workers and browsers.
 */

export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  readonly values: Float64Array;
  /** n×n row-major; column k (`vectors[i * n + k]`) is the unit eigenvector of `values[k]`. */
  readonly vectors: Float64Array;
  /** Full sweeps over the off-diagonal elements that the solver needed. */
  readonly sweeps: number;
}

/**
 * Eigen-decomposition A = U·diag(λ)·Uᵀ of a symmetric n×n matrix (row-major; only its values are
 * read, it is not changed) by cyclic Jacobi rotations (Golub & Van Loan §8.5, with Rutishauser's
 * stable update). Each rotation zeroes one off-diagonal pair; sweeps repeat until the off-diagonal
 * Frobenius norm is below `tolerance` times the matrix's, which Jacobi reaches quadratically
 * (about 6–10 sweeps for n ≤ 150). U is orthonormal to rounding, even for repeated eigenvalues.
 */
export const symmetricEigen = (
  matrix: ArrayLike<number>,
  n: number,
  options: { tolerance?: number; maxSweeps?: number } = {},
): SymmetricEigen => {
  if (matrix.length !== n * n) throw new Error(`symmetricEigen: a ${n}×${n} matrix has ${n * n} elements, not ${matrix.length}`);
  const tolerance = options.tolerance ?? 1e-14;
  const maxSweeps = options.maxSweeps ?? 100;
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  const threshold = tolerance * tolerance * total;
  let sweeps = 0;
  while (sweeps < maxSweeps && offDiagonalSquares(a, n) > threshold) {
    sweeps++;
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) rotate(a, v, n, p, q);
  }
  return sortedByValue(a, v, n, sweeps);
};

const offDiagonalSquares = (a: Float64Array, n: number): number => {
  let sum = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) sum += a[i * n + j] * a[i * n + j];
  return sum;
};

/** One Jacobi rotation in the (p, q) plane that zeroes a[p][q]; accumulates it into v. */
const rotate = (a: Float64Array, v: Float64Array, n: number, p: number, q: number): void => {
  const apq = a[p * n + q];
  if (apq === 0) return;
  const app = a[p * n + p];
  const aqq = a[q * n + q];
  const theta = (aqq - app) / (2 * apq);
  // The smaller root of t² + 2θt − 1 = 0, so the rotation angle is at most π/4.
  const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  const tau = s / (1 + c);
  a[p * n + p] = app - t * apq;
  a[q * n + q] = aqq + t * apq;
  a[p * n + q] = 0;
  a[q * n + p] = 0;
  for (let r = 0; r < n; r++) {
    if (r !== p && r !== q) {
      const g = a[r * n + p];
      const h = a[r * n + q];
      const rp = g - s * (h + g * tau);
      const rq = h + s * (g - h * tau);
      a[r * n + p] = rp;
      a[p * n + r] = rp;
      a[r * n + q] = rq;
      a[q * n + r] = rq;
    }
    const g = v[r * n + p];
    const h = v[r * n + q];
    v[r * n + p] = g - s * (h + g * tau);
    v[r * n + q] = h + s * (g - h * tau);
  }
};

const sortedByValue = (a: Float64Array, v: Float64Array, n: number, sweeps: number): SymmetricEigen => {
  const order = Array.from({ length: n }, (_, k) => k).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    values[to] = a[from * n + from];
    for (let r = 0; r < n; r++) vectors[r * n + to] = v[r * n + from];
  });
  return { values, vectors, sweeps };
};

/** The mean (length dim) and covariance (dim×dim, divided by count) of `count` row vectors. */
export const covariance = (rows: Float64Array, count: number, dim: number): { mean: Float64Array; covariance: Float64Array } => {
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += rows[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= Math.max(1, count);
  const result = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) centred[j] = rows[i * dim + j] - mean[j];
    for (let j = 0; j < dim; j++) {
      const cj = centred[j];
      if (cj === 0) continue;
      for (let k = j; k < dim; k++) result[j * dim + k] += cj * centred[k];
    }
  }
  for (let j = 0; j < dim; j++) {
    for (let k = j; k < dim; k++) {
      const value = result[j * dim + k] / Math.max(1, count);
      result[j * dim + k] = value;
      result[k * dim + j] = value;
    }
  }
  return { mean, covariance: result };
};

/**
 * The ZCA whitening matrix W = U·diag(1/√(λ + ε))·Uᵀ of a covariance (Bell & Sejnowski 1997):
 * symmetric, and of all whitening matrices the one that changes the data least, so whitened
 * patches still look like patches. ε regularises the directions of (near-)zero variance, which
 * would otherwise be amplified without bound; negative λ from rounding count as 0.
 */
export const zcaMatrix = (eigen: SymmetricEigen, epsilon: number): Float64Array => {
  const n = eigen.values.length;
  const { vectors } = eigen;
  const gains = eigen.values.map((value) => 1 / Math.sqrt(Math.max(0, value) + epsilon));
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += vectors[i * n + k] * gains[k] * vectors[j * n + k];
      w[i * n + j] = sum;
      w[j * n + i] = sum;
    }
  }
  return w;
};

/** out = M·x for an n×n row-major M. */
export const multiplyVector = (m: Float64Array, x: ArrayLike<number>, n: number, out = new Float64Array(n)): Float64Array => {
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += m[i * n + j] * x[j];
    out[i] = sum;
  }
  return out;
};
