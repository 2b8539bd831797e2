/**
 * Weight initialisation, the first two of the lecture's three ways: at random (He/Kaiming,
 * Glorot/Xavier, uniform or normal at a given scale, or PyTorch's default), and by hand (per
 * filter: Sobel, Prewitt, Laplacian, Gaussian blur, identity, or a person's own matrix). The
 * third, unsupervised k-means on image patches, is in init-kmeans.ts.
 */
import type { WeightSpec } from '../backends/cpu/types';
import type { Random } from './random';

export type RandomInit =
  /** PyTorch's default for Conv2d and Linear: U(−1/√fanIn, 1/√fanIn) for weights and biases. */
  | { readonly kind: 'pytorch-default' }
  | { readonly kind: 'he-normal' | 'he-uniform' | 'glorot-normal' | 'glorot-uniform' }
  | { readonly kind: 'normal'; readonly std: number }
  | { readonly kind: 'uniform'; readonly limit: number };

/** Fills one weight tensor. Biases: PyTorch's default range, or zero for the other schemes; BN γ = 1, β = 0; running var 1, mean 0. */
export const initialiseWeight = (spec: WeightSpec, values: Float32Array, scheme: RandomInit, random: Random): void => {
  switch (spec.role) {
    case 'gamma':
    case 'running_var':
      values.fill(1);
      return;
    case 'beta':
    case 'running_mean':
      values.fill(0);
      return;
    case 'bias':
      if (scheme.kind === 'pytorch-default') fillUniform(values, 1 / Math.sqrt(Math.max(1, spec.fanIn)), random);
      else values.fill(0);
      return;
    case 'weight':
      break;
  }
  const { fanIn, fanOut } = spec;
  switch (scheme.kind) {
    case 'pytorch-default':
      return fillUniform(values, 1 / Math.sqrt(Math.max(1, fanIn)), random);
    case 'he-normal':
      return fillNormal(values, Math.sqrt(2 / fanIn), random);
    case 'he-uniform':
      return fillUniform(values, Math.sqrt(6 / fanIn), random);
    case 'glorot-normal':
      return fillNormal(values, Math.sqrt(2 / (fanIn + fanOut)), random);
    case 'glorot-uniform':
      return fillUniform(values, Math.sqrt(6 / (fanIn + fanOut)), random);
    case 'normal':
      return fillNormal(values, scheme.std, random);
    case 'uniform':
      return fillUniform(values, scheme.limit, random);
  }
};

const fillUniform = (values: Float32Array, limit: number, random: Random): void => {
  for (let i = 0; i < values.length; i++) values[i] = (random.uniform() * 2 - 1) * limit;
};

const fillNormal = (values: Float32Array, std: number, random: Random): void => {
  for (let i = 0; i < values.length; i++) values[i] = random.normal() * std;
};

export type HandFilter = 'sobel-x' | 'sobel-y' | 'prewitt-x' | 'prewitt-y' | 'laplacian' | 'gaussian' | 'identity' | 'custom';

export const HAND_FILTERS: readonly HandFilter[] = [
  'sobel-x',
  'sobel-y',
  'prewitt-x',
  'prewitt-y',
  'laplacian',
  'gaussian',
  'identity',
  'custom',
];

const FIXED_3X3: Partial<Record<HandFilter, number[][]>> = {
  'sobel-x': [
    [-1, 0, 1],
    [-2, 0, 2],
    [-1, 0, 1],
  ],
  'sobel-y': [
    [-1, -2, -1],
    [0, 0, 0],
    [1, 2, 1],
  ],
  'prewitt-x': [
    [-1, 0, 1],
    [-1, 0, 1],
    [-1, 0, 1],
  ],
  'prewitt-y': [
    [-1, -1, -1],
    [0, 0, 0],
    [1, 1, 1],
  ],
  laplacian: [
    [0, 1, 0],
    [1, -4, 1],
    [0, 1, 0],
  ],
};

/** A normalised Gaussian of the given size; sigma defaults to OpenCV's rule 0.3·((k − 1)/2 − 1) + 0.8. */
const gaussian = (height: number, width: number, sigma?: number): number[][] => {
  const axis = (size: number) => {
    const s = sigma ?? 0.3 * ((size - 1) / 2 - 1) + 0.8;
    const centre = (size - 1) / 2;
    return Array.from({ length: size }, (_, i) => Math.exp(-((i - centre) ** 2) / (2 * s * s)));
  };
  const rows = axis(height);
  const columns = axis(width);
  const total = rows.reduce((a, b) => a + b, 0) * columns.reduce((a, b) => a + b, 0);
  return rows.map((r) => columns.map((c) => (r * c) / total));
};

/** The kernel of a hand filter at the layer's kernel size, or an error message. */
export const handFilterKernel = (
  filter: HandFilter,
  height: number,
  width: number,
  options: { matrix?: number[][]; sigma?: number } = {},
): { ok: true; kernel: number[][] } | { ok: false; problem: string } => {
  if (filter === 'gaussian') return { ok: true, kernel: gaussian(height, width, options.sigma) };
  if (filter === 'identity') {
    if (height % 2 === 0 || width % 2 === 0)
      return { ok: false, problem: `identity needs an odd kernel to have a centre, not ${height}×${width}` };
    return {
      ok: true,
      kernel: Array.from({ length: height }, (_, r) =>
        Array.from({ length: width }, (_, c) => (r === (height - 1) / 2 && c === (width - 1) / 2 ? 1 : 0)),
      ),
    };
  }
  const kernel = filter === 'custom' ? options.matrix : FIXED_3X3[filter];
  if (!kernel) return { ok: false, problem: 'a custom filter needs its matrix' };
  const fits = kernel.length === height && kernel.every((row) => row.length === width && row.every(Number.isFinite));
  if (!fits)
    return { ok: false, problem: `${filter} is ${kernel.length}×${kernel[0]?.length ?? 0} but the layer's kernel is ${height}×${width}` };
  return { ok: true, kernel };
};

/**
 * Writes a kernel into filter `filter` of a Conv2D weight [out, in/groups, kh, kw], into every
 * input channel or one. Returns the element indices written, for freezing.
 */
export const setFilter = (
  weight: Float32Array,
  shape: readonly number[],
  filter: number,
  kernel: number[][],
  channel?: number,
): number[] => {
  const [, channels, height, width] = shape;
  const written: number[] = [];
  for (let c = 0; c < channels; c++) {
    if (channel !== undefined && c !== channel) continue;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const index = ((filter * channels + c) * height + y) * width + x;
        weight[index] = kernel[y][x];
        written.push(index);
      }
    }
  }
  return written;
};
