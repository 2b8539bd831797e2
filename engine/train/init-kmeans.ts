/**
 * The lecture's third way to start a CNN: learn the first layer's filters without labels, by
 * spherical k-means on image patches (Coates, Lee & Ng 2011, "An analysis of single-layer
 * networks in unsupervised feature learning"; Coates & Ng 2011/2012). The pipeline:
 *
 * 1. Cut P random kh×kw×C patches from the training images (a seeded Random picks image and
 *    position; windows lie inside the image and follow the layer's dilation).
 * 2. Normalise each patch: subtract its mean, divide by √(variance + K). Coates uses K = 10 for
 *    pixels in 0–255; our datasets give 0–1, where variances are 255² times smaller, so the same
 *    regulariser is K = 10/255² ≈ 1.5e-4. Patches with variance below K are flat (background:
 *    most of an MNIST image) and carry no shape, so they are redrawn (up to 10·P draws).
 * 3. ZCA-whiten: W = U·diag(1/√(λ + ε))·Uᵀ from the patches' covariance (ε = 0.1, Coates's value
 *    for normalised patches), x ↦ W(x − μ).
 * 4. Spherical k-means on the whitened patches, scaled to unit length: k unit centroids (seeded:
 *    k distinct random patches), each patch assigned to the centroid of largest |c·x| (or c·x),
 *    centroid ← normalise(Σ ± x), a cluster left empty re-seeded from a random patch. With unit
 *    patches the objective (mean best cosine) never decreases.
 * 5. Map centroids to input space: c·W(x − μ) = (Wc)·x − c·Wμ with W symmetric, so the filter is
 *    W·c. Its mean is then removed (that is step 2's mean subtraction, which a convolution cannot
 *    do itself), and it is scaled to norm √2: He-normal draws fanIn elements of variance 2/fanIn,
 *    whose expected squared norm is 2, so a zero-mean filter of norm √2 has exactly He's element
 *    variance and the layer starts at He's scale whatever its kernel. Biases are 0 (the −c·Wμ term
 *    is dropped, as the patch normalisation makes it patch-dependent anyway).
 */
import type { Dataset } from '../data/dataset';
import type { Conv2DParams } from '../graph/layers/convolution';
import { elementCount } from '../graph/shape';
import { covariance, multiplyVector, symmetricEigen, zcaMatrix } from './linalg';
import type { Model } from './plan';
import { Random } from './random';

/** Coates's contrast-normalisation constant, 10 for 0–255 pixels, rescaled for 0–1 data. */
export const CONTRAST_CONSTANT = 10 / (255 * 255);
/** Coates's ZCA regulariser for contrast-normalised patches. */
export const WHITENING_EPSILON = 0.1;

export interface PatchOptions {
  /** Input channels C of the layer (the dataset's samples must have as many). */
  readonly channels: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly dilationH?: number;
  readonly dilationW?: number;
  /** Patches to sample; default 10,000. */
  readonly patches?: number;
  /** Patches with variance below this are flat and redrawn; default CONTRAST_CONSTANT. */
  readonly minVariance?: number;
}

export interface KmeansOptions extends PatchOptions {
  /** k: the layer's filters. */
  readonly filters: number;
  /** k-means iterations; default 10. */
  readonly iterations?: number;
  readonly seed: number;
  /** K in x ↦ (x − mean)/√(var + K); default CONTRAST_CONSTANT. */
  readonly contrastConstant?: number;
  /** ε of the ZCA matrix; default WHITENING_EPSILON. */
  readonly whiteningEpsilon?: number;
  /** 'absolute' (largest |c·x|, Coates & Ng 2012; a filter and its negative are one cluster) or 'signed' (largest c·x). */
  readonly assignment?: 'absolute' | 'signed';
  /** Called with the fraction done, 0–1, for a progress bar. */
  readonly onProgress?: (fraction: number) => void;
}

export interface KmeansResult {
  /** filters × C × kh × kw in input space: zero mean, norm √2 (He's scale; see the file's notes). */
  readonly filters: Float32Array;
  /** filters × C·kh·kw unit centroids in whitened space (what Coates's figures show). */
  readonly centroids: Float32Array;
  /** Mean best cosine of patches and centroids: [0] for the initial centroids, [i] after i updates. Non-decreasing. */
  readonly meanSimilarity: number[];
  /** Patches of each final cluster. */
  readonly clusterSizes: Int32Array;
  /** Empty clusters re-seeded from a random patch, over all iterations. */
  readonly reseeded: number;
  readonly patches: number;
  /** Flat patches drawn and redrawn. */
  readonly flatRejected: number;
  /** Of the normalised patches' covariance, largest first. */
  readonly eigenvalues: Float64Array;
}

/** Raw patches as rows of C·kh·kw values in [c][y][x] order (a Conv2d filter's order), and how many flat ones were redrawn. */
export const samplePatches = (
  dataset: Dataset,
  options: PatchOptions,
  random: Random,
  onProgress?: (fraction: number) => void,
): { rows: Float64Array; count: number; flatRejected: number } => {
  const { channels, kernelH, kernelW, dilationH = 1, dilationW = 1 } = options;
  const want = options.patches ?? 10_000;
  const minVariance = options.minVariance ?? CONTRAST_CONSTANT;
  const [sampleChannels, height, width] = dataset.sampleShape;
  if (sampleChannels !== channels)
    throw new Error(`${dataset.name} has ${sampleChannels}-channel images, but the layer reads ${channels} channels`);
  const spanH = (kernelH - 1) * dilationH + 1;
  const spanW = (kernelW - 1) * dilationW + 1;
  if (spanH > height || spanW > width)
    throw new Error(`a ${spanH}×${spanW} window does not fit ${dataset.name}'s ${height}×${width} images`);
  if (dataset.size === 0) throw new Error(`${dataset.name} has no images to cut patches from`);
  const dim = channels * kernelH * kernelW;
  const rows = new Float64Array(want * dim);
  const image = new Float32Array(elementCount(dataset.sampleShape));
  const target = dataset.target.kind === 'class' ? new Int32Array(1) : new Float32Array(elementCount(dataset.target.shape));
  const index = new Int32Array(1);
  const patch = new Float64Array(dim);
  let count = 0;
  let draws = 0;
  while (count < want && draws < 10 * want) {
    // Draw a round, then read each image once however many patches it gives.
    const round = Math.min(want - count, 10 * want - draws);
    draws += round;
    const picks = Array.from({ length: round }, (_, order) => ({
      order,
      sample: random.below(dataset.size),
      y: random.below(height - spanH + 1),
      x: random.below(width - spanW + 1),
    }));
    const accepted: (Float64Array | null)[] = new Array(round).fill(null);
    const bySample = [...picks].sort((a, b) => a.sample - b.sample || a.order - b.order);
    let loaded = -1;
    for (const pick of bySample) {
      if (pick.sample !== loaded) {
        index[0] = pick.sample;
        dataset.fill(index, 0, 1, image, target);
        loaded = pick.sample;
      }
      let k = 0;
      for (let c = 0; c < channels; c++)
        for (let ky = 0; ky < kernelH; ky++)
          for (let kx = 0; kx < kernelW; kx++) patch[k++] = image[(c * height + pick.y + ky * dilationH) * width + pick.x + kx * dilationW];
      if (variance(patch) >= minVariance) accepted[pick.order] = patch.slice();
    }
    for (const row of accepted) if (row) rows.set(row, dim * count++);
    onProgress?.(count / want);
  }
  return { rows: rows.subarray(0, count * dim), count, flatRejected: draws - count };
};

/** Sample variance (n − 1), as Coates's `var`. */
const variance = (values: Float64Array): number => {
  let mean = 0;
  for (const value of values) mean += value;
  mean /= values.length;
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  return squares / Math.max(1, values.length - 1);
};

/** In place: each row minus its mean, divided by √(variance + constant). */
export const normalisePatches = (rows: Float64Array, count: number, dim: number, constant = CONTRAST_CONSTANT): void => {
  for (let i = 0; i < count; i++) {
    const row = rows.subarray(i * dim, (i + 1) * dim);
    let mean = 0;
    for (const value of row) mean += value;
    mean /= dim;
    const scale = 1 / Math.sqrt(variance(row) + constant);
    for (let j = 0; j < dim; j++) row[j] = (row[j] - mean) * scale;
  }
};

/** ZCA-whitens rows (a new array): x ↦ W(x − μ). Returns W and μ too, to map results back to input space. */
export const whiten = (rows: Float64Array, count: number, dim: number, epsilon = WHITENING_EPSILON) => {
  const stats = covariance(rows, count, dim);
  const eigen = symmetricEigen(stats.covariance, dim);
  const matrix = zcaMatrix(eigen, epsilon);
  const whitened = new Float64Array(count * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) centred[j] = rows[i * dim + j] - stats.mean[j];
    multiplyVector(matrix, centred, dim, whitened.subarray(i * dim, (i + 1) * dim));
  }
  return { whitened, matrix, mean: stats.mean, eigenvalues: eigen.values };
};

export interface SphericalKmeansResult {
  readonly centroids: Float64Array;
  readonly meanSimilarity: number[];
  readonly clusterSizes: Int32Array;
  readonly reseeded: number;
}

/**
 * Spherical k-means on rows that are scaled to unit length first (a copy; zero rows stay zero and
 * count as similarity 0). Seeded: the initial centroids are k distinct random rows.
 */
export const sphericalKmeans = (
  rows: Float64Array,
  count: number,
  dim: number,
  k: number,
  options: { iterations: number; random: Random; assignment?: 'absolute' | 'signed'; onIteration?: (done: number) => void },
): SphericalKmeansResult => {
  if (count < k) throw new Error(`k-means needs at least ${k} patches for ${k} clusters, but only ${count} were found`);
  const { iterations, random } = options;
  const absolute = (options.assignment ?? 'absolute') === 'absolute';
  const unit = rows.slice(0, count * dim);
  for (let i = 0; i < count; i++) normalise(unit.subarray(i * dim, (i + 1) * dim));
  const centroids = new Float64Array(k * dim);
  const seeds = random.permutation(count);
  for (let j = 0; j < k; j++) centroids.set(unit.subarray(seeds[j] * dim, (seeds[j] + 1) * dim), j * dim);
  const best = new Int32Array(count);
  const signs = new Float64Array(count);
  const clusterSizes = new Int32Array(k);
  const meanSimilarity: number[] = [];
  let reseeded = 0;
  for (let iteration = 0; ; iteration++) {
    let total = 0;
    clusterSizes.fill(0);
    for (let i = 0; i < count; i++) {
      let bestScore = -Infinity;
      let bestDot = 0;
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += centroids[j * dim + d] * unit[i * dim + d];
        const score = absolute ? Math.abs(dot) : dot;
        if (score > bestScore) {
          bestScore = score;
          bestDot = dot;
          best[i] = j;
        }
      }
      signs[i] = absolute && bestDot < 0 ? -1 : 1;
      clusterSizes[best[i]]++;
      total += bestScore;
    }
    meanSimilarity.push(total / count);
    if (iteration === iterations) break;
    centroids.fill(0);
    for (let i = 0; i < count; i++) {
      const j = best[i];
      for (let d = 0; d < dim; d++) centroids[j * dim + d] += signs[i] * unit[i * dim + d];
    }
    for (let j = 0; j < k; j++) {
      const centroid = centroids.subarray(j * dim, (j + 1) * dim);
      if (clusterSizes[j] === 0 || !normalise(centroid)) {
        const row = random.below(count);
        centroid.set(unit.subarray(row * dim, (row + 1) * dim));
        reseeded++;
      }
    }
    options.onIteration?.(iteration + 1);
  }
  return { centroids, meanSimilarity, clusterSizes, reseeded };
};

/** Scales to unit length in place; false (and unchanged) for a zero vector. */
const normalise = (vector: Float64Array): boolean => {
  let squares = 0;
  for (const value of vector) squares += value * value;
  if (squares < 1e-24) return false;
  const scale = 1 / Math.sqrt(squares);
  for (let d = 0; d < vector.length; d++) vector[d] *= scale;
  return true;
};

/** Learns `filters` conv filters from a dataset's patches (see the file's notes for each step). */
export const kmeansFilters = (dataset: Dataset, options: KmeansOptions): KmeansResult => {
  const { channels, kernelH, kernelW, filters: k, onProgress } = options;
  const iterations = options.iterations ?? 10;
  const dim = channels * kernelH * kernelW;
  const root = new Random(options.seed);
  const patchRandom = root.fork();
  const kmeansRandom = root.fork();
  onProgress?.(0);
  const sampled = samplePatches(dataset, options, patchRandom, (fraction) => onProgress?.(0.3 * fraction));
  if (sampled.count < k) {
    throw new Error(
      `only ${sampled.count} of ${dataset.name}'s patches have any contrast (${sampled.flatRejected} were flat); k-means needs at least ${k}`,
    );
  }
  normalisePatches(sampled.rows, sampled.count, dim, options.contrastConstant ?? CONTRAST_CONSTANT);
  const white = whiten(sampled.rows, sampled.count, dim, options.whiteningEpsilon ?? WHITENING_EPSILON);
  onProgress?.(0.4);
  const clusters = sphericalKmeans(white.whitened, sampled.count, dim, k, {
    iterations,
    random: kmeansRandom,
    assignment: options.assignment,
    onIteration: (done) => onProgress?.(0.4 + (0.6 * done) / Math.max(1, iterations)),
  });
  const filters = new Float32Array(k * dim);
  const filter = new Float64Array(dim);
  for (let j = 0; j < k; j++) {
    multiplyVector(white.matrix, clusters.centroids.subarray(j * dim, (j + 1) * dim), dim, filter);
    const mean = filter.reduce((a, b) => a + b, 0) / dim;
    for (let d = 0; d < dim; d++) filter[d] -= mean;
    if (!normalise(filter)) filter.fill(0);
    for (let d = 0; d < dim; d++) filters[j * dim + d] = filter[d] * Math.SQRT2;
  }
  onProgress?.(1);
  return {
    filters,
    centroids: Float32Array.from(clusters.centroids),
    meanSimilarity: clusters.meanSimilarity,
    clusterSizes: clusters.clusterSizes,
    reseeded: clusters.reseeded,
    patches: sampled.count,
    flatRejected: sampled.flatRejected,
    eigenvalues: white.eigenvalues,
  };
};

/** Why a layer cannot take filters from patches; `nodeId` names it for the IDE. */
export class PatchInitError extends Error {
  constructor(
    readonly nodeId: string,
    message: string,
  ) {
    super(message);
    this.name = 'PatchInitError';
  }
}

export type PatchInitOptions = Omit<KmeansOptions, 'channels' | 'kernelH' | 'kernelW' | 'dilationH' | 'dilationW' | 'filters'>;

export interface PatchInitReport {
  readonly nodeId: string;
  readonly filters: number;
  readonly kernel: readonly [number, number];
  readonly channels: number;
  readonly patches: number;
  readonly flatRejected: number;
  readonly iterations: number;
  readonly meanSimilarity: readonly number[];
  readonly clusterSizes: readonly number[];
  readonly reseeded: number;
}

/**
 * Learns the filters of Conv2D `nodeId` from `dataset`'s patches and writes them into the model's
 * `${nodeId}.weight` (biases, if any, to 0). Only a Conv2D that reads the Input directly, with
 * groups = 1, qualifies: patches are cut from the images themselves. Throws PatchInitError
 * otherwise, naming the node and saying why.
 */
export const initialiseConvFromPatches = (model: Model, nodeId: string, dataset: Dataset, options: PatchInitOptions): PatchInitReport => {
  const node = model.nodes.find((candidate) => candidate.id === nodeId);
  if (!node) throw new PatchInitError(nodeId, `there is no layer '${nodeId}' in the model`);
  if (node.type !== 'Conv2D') {
    throw new PatchInitError(
      nodeId,
      `'${nodeId}' is a ${node.type} layer: k-means on image patches learns the filters of a Conv2D layer, so choose the first convolution`,
    );
  }
  const source = node.inputIds[0];
  if (source !== model.input.id) {
    const sourceType = model.nodes.find((candidate) => candidate.id === source)?.type ?? 'unknown';
    throw new PatchInitError(
      nodeId,
      `'${nodeId}' reads '${source}' (${sourceType}), not the Input: patches are cut from the training images, ` +
        'so only a convolution fed directly by the Input can learn its filters from them',
    );
  }
  const params = node.params as unknown as Conv2DParams;
  if (params.groups !== 1) {
    throw new PatchInitError(
      nodeId,
      `'${nodeId}' has groups = ${params.groups}: each of its filters sees only some input channels, ` +
        'but k-means learns filters over all of them; set groups to 1',
    );
  }
  const [channels, height, width] = node.inputShapes[0];
  const [dataChannels, dataHeight, dataWidth] = dataset.sampleShape;
  if (channels !== dataChannels || height !== dataHeight || width !== dataWidth) {
    throw new PatchInitError(
      nodeId,
      `'${nodeId}' reads ${channels}×${height}×${width} images, but ${dataset.name} has ${dataChannels}×${dataHeight}×${dataWidth}`,
    );
  }
  const weight = model.weights.get(`${nodeId}.weight`);
  const [kernelH, kernelW] = params.kernel;
  if (!weight || weight.length !== params.filters * channels * kernelH * kernelW) {
    throw new PatchInitError(nodeId, `'${nodeId}' has no weight of shape [${params.filters}, ${channels}, ${kernelH}, ${kernelW}]`);
  }
  const iterations = options.iterations ?? 10;
  let result: KmeansResult;
  try {
    result = kmeansFilters(dataset, {
      ...options,
      iterations,
      channels,
      kernelH,
      kernelW,
      dilationH: params.dilation[0],
      dilationW: params.dilation[1],
      filters: params.filters,
    });
  } catch (error) {
    throw new PatchInitError(nodeId, `'${nodeId}': ${(error as Error).message}`);
  }
  weight.set(result.filters);
  model.weights.get(`${nodeId}.bias`)?.fill(0);
  return {
    nodeId,
    filters: params.filters,
    kernel: [kernelH, kernelW],
    channels,
    patches: result.patches,
    flatRejected: result.flatRejected,
    iterations,
    meanSimilarity: result.meanSimilarity,
    clusterSizes: [...result.clusterSizes],
    reseeded: result.reseeded,
  };
};
