/**
 * Element-wise kernels and the layers that only move data: activations, softmax over channels,
 * Add, Concat, Upsample and Flatten. Buffers are NCHW, batch first; vectors are [N, F].
 *
 * Backward kernels ADD into the input gradient (see types.ts), never overwrite it.
 */
import type { Floats } from '../types';

// ---------------------------------------------------------------- the error function

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const INV_SQRT_PI = 0.5641895835477563; // 1/√π
const INV_SQRT_2 = 0.7071067811865476; // 1/√2
const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)

/** Where the power series hands over to the continued fraction. */
const SERIES_LIMIT = 2;
const FRACTION_TERMS = 50;

/**
 * erf(x) for 0 ≤ x < 2 from the series 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)), whose terms are
 * all positive (no cancellation); at most about 40 terms for full double precision.
 */
const erfSeries = (x: number): number => {
  const twoX2 = 2 * x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= twoX2 / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
};

/** erfc(x) for x ≥ 2 from Laplace's continued fraction e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …)))). */
const erfcFraction = (x: number): number => {
  let f = x;
  for (let n = FRACTION_TERMS; n >= 1; n--) f = x + n / 2 / f;
  return (INV_SQRT_PI * Math.exp(-x * x)) / f;
};

/** The error function, to within about 1e-15 absolute everywhere. */
export const erf = (x: number): number => {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  const value = a < SERIES_LIMIT ? erfSeries(a) : a >= 6 ? 1 : 1 - erfcFraction(a);
  return x < 0 ? -value : value;
};

/** The complementary error function 1 − erf(x), accurate in relative terms for large positive x. */
export const erfc = (x: number): number => {
  if (Number.isNaN(x)) return x;
  if (x >= SERIES_LIMIT) return erfcFraction(x);
  if (x <= -SERIES_LIMIT) return 2 - erfcFraction(-x);
  return 1 - erf(x);
};

/** The standard normal distribution function Φ(x) = ½·erfc(−x/√2). */
export const normalCdf = (x: number): number => 0.5 * erfc(-x * INV_SQRT_2);

// ---------------------------------------------------------------- activations

export const reluForward = (input: Floats, output: Floats, count: number): void => {
  for (let i = 0; i < count; i++) {
    const x = input[i];
    output[i] = x > 0 ? x : 0;
  }
};

/** PyTorch's rule: the gradient passes where the output is positive (0 at x = 0). */
export const reluBackward = (input: Floats, gradOutput: Floats, gradInput: Floats, count: number): void => {
  for (let i = 0; i < count; i++) if (input[i] > 0) gradInput[i] += gradOutput[i];
};

export const leakyReluForward = (input: Floats, output: Floats, count: number, slope: number): void => {
  for (let i = 0; i < count; i++) {
    const x = input[i];
    output[i] = x > 0 ? x : x * slope;
  }
};

/** PyTorch's rule: slope 1 where x > 0, `slope` elsewhere (x = 0 included). */
export const leakyReluBackward = (input: Floats, gradOutput: Floats, gradInput: Floats, count: number, slope: number): void => {
  for (let i = 0; i < count; i++) gradInput[i] += input[i] > 0 ? gradOutput[i] : gradOutput[i] * slope;
};

/** 1/(1 + e^−x), without overflow for large |x|. */
export const sigmoid = (x: number): number => {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
};

export const sigmoidForward = (input: Floats, output: Floats, count: number): void => {
  for (let i = 0; i < count; i++) output[i] = sigmoid(input[i]);
};

/** From the forward output y: dy·y·(1 − y). */
export const sigmoidBackward = (output: Floats, gradOutput: Floats, gradInput: Floats, count: number): void => {
  for (let i = 0; i < count; i++) {
    const y = output[i];
    gradInput[i] += gradOutput[i] * y * (1 - y);
  }
};

export const tanhForward = (input: Floats, output: Floats, count: number): void => {
  for (let i = 0; i < count; i++) output[i] = Math.tanh(input[i]);
};

/** From the forward output y: dy·(1 − y²). */
export const tanhBackward = (output: Floats, gradOutput: Floats, gradInput: Floats, count: number): void => {
  for (let i = 0; i < count; i++) {
    const y = output[i];
    gradInput[i] += gradOutput[i] * (1 - y * y);
  }
};

/** The exact GELU, x·Φ(x), as PyTorch's default (approximate='none'). */
export const gelu = (x: number): number => x * normalCdf(x);

export const geluForward = (input: Floats, output: Floats, count: number): void => {
  for (let i = 0; i < count; i++) output[i] = gelu(input[i]);
};

/** d/dx x·Φ(x) = Φ(x) + x·φ(x). */
export const geluBackward = (input: Floats, gradOutput: Floats, gradInput: Floats, count: number): void => {
  for (let i = 0; i < count; i++) {
    const x = input[i];
    gradInput[i] += gradOutput[i] * (normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x));
  }
};

// ---------------------------------------------------------------- softmax over channels

/**
 * Softmax over the channel axis: `outer` blocks (the batch) of `channels × inner` values, where
 * `inner` is H·W for images (one softmax per pixel) and 1 for vectors. Subtracts the maximum first.
 */
export const softmaxForward = (input: Floats, output: Floats, outer: number, channels: number, inner: number): void => {
  const block = channels * inner;
  for (let n = 0; n < outer; n++) {
    const base = n * block;
    for (let p = 0; p < inner; p++) {
      const start = base + p;
      const end = start + block;
      let max = -Infinity;
      for (let i = start; i < end; i += inner) if (input[i] > max) max = input[i];
      let sum = 0;
      for (let i = start; i < end; i += inner) {
        const e = Math.exp(input[i] - max);
        output[i] = e;
        sum += e;
      }
      const scale = 1 / sum;
      for (let i = start; i < end; i += inner) output[i] *= scale;
    }
  }
};

/** dx_c = y_c·(dy_c − Σ_k dy_k·y_k), from the forward output y. */
export const softmaxBackward = (
  output: Floats,
  gradOutput: Floats,
  gradInput: Floats,
  outer: number,
  channels: number,
  inner: number,
): void => {
  const block = channels * inner;
  for (let n = 0; n < outer; n++) {
    const base = n * block;
    for (let p = 0; p < inner; p++) {
      const start = base + p;
      const end = start + block;
      let dot = 0;
      for (let i = start; i < end; i += inner) dot += gradOutput[i] * output[i];
      for (let i = start; i < end; i += inner) gradInput[i] += output[i] * (gradOutput[i] - dot);
    }
  }
};

// ---------------------------------------------------------------- copying, adding, concatenating

export const copyForward = (input: Floats, output: Floats, count: number): void => {
  for (let i = 0; i < count; i++) output[i] = input[i];
};

/** gradInput += gradOutput: the backward pass of every identity (Flatten, the heads, Add's ports). */
export const accumulate = (gradOutput: Floats, gradInput: Floats, count: number): void => {
  for (let i = 0; i < count; i++) gradInput[i] += gradOutput[i];
};

export const addForward = (inputs: readonly Floats[], output: Floats, count: number): void => {
  const first = inputs[0];
  for (let i = 0; i < count; i++) output[i] = first[i];
  for (let port = 1; port < inputs.length; port++) {
    const input = inputs[port];
    for (let i = 0; i < count; i++) output[i] += input[i];
  }
};

/**
 * Concatenation along the first per-sample axis (channels of an image, features of a vector):
 * each sample's output is its blocks of each port in order. `sizes[port]` is one sample's
 * element count for that port.
 */
export const concatForward = (inputs: readonly Floats[], output: Floats, batch: number, sizes: readonly number[]): void => {
  let total = 0;
  for (const size of sizes) total += size;
  for (let n = 0; n < batch; n++) {
    let offset = n * total;
    for (let port = 0; port < inputs.length; port++) {
      const size = sizes[port];
      const input = inputs[port];
      const from = n * size;
      for (let i = 0; i < size; i++) output[offset + i] = input[from + i];
      offset += size;
    }
  }
};

export const concatBackward = (
  gradOutput: Floats,
  gradInputs: readonly (Floats | null)[],
  batch: number,
  sizes: readonly number[],
): void => {
  let total = 0;
  for (const size of sizes) total += size;
  for (let n = 0; n < batch; n++) {
    let offset = n * total;
    for (let port = 0; port < gradInputs.length; port++) {
      const size = sizes[port];
      const gradInput = gradInputs[port];
      if (gradInput) {
        const to = n * size;
        for (let i = 0; i < size; i++) gradInput[to + i] += gradOutput[offset + i];
      }
      offset += size;
    }
  }
};

// ---------------------------------------------------------------- upsampling

export interface UpsampleGeometry {
  /** batch × channels: the number of planes. */
  readonly planes: number;
  readonly inH: number;
  readonly inW: number;
  readonly scaleH: number;
  readonly scaleW: number;
}

/**
 * Source indices along one axis for nearest upsampling, PyTorch's rule: ⌊dst·(1/scale)⌋ computed
 * in float32 (as PyTorch does for every dtype), clamped to the input. This is ⌊dst/scale⌋ except
 * where float32 rounds 1/scale down: for a scale of 41, for instance, output 41 reads input 0,
 * not 1. Kept for parity with PyTorch, so exported models compute the same thing.
 */
export const nearestTable = (input: number, scale: number, table: Int32Array): void => {
  const inverse = Math.fround(1 / scale);
  const output = input * scale;
  // A product of two float32 values is exact in float64, so fround gives float32 multiplication.
  for (let dst = 0; dst < output; dst++) table[dst] = Math.min(Math.floor(Math.fround(Math.fround(dst) * inverse)), input - 1);
};

export interface NearestTables {
  readonly rows: Int32Array;
  readonly cols: Int32Array;
}

export const upsampleNearestForward = (input: Floats, output: Floats, g: UpsampleGeometry, t: NearestTables): void => {
  const { planes, inH, inW, scaleH, scaleW } = g;
  const outH = inH * scaleH;
  const outW = inW * scaleW;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * inH * inW;
    for (let y = 0; y < outH; y++) {
      const row = base + t.rows[y] * inW;
      for (let x = 0; x < outW; x++) output[o++] = input[row + t.cols[x]];
    }
  }
};

export const upsampleNearestBackward = (gradOutput: Floats, gradInput: Floats, g: UpsampleGeometry, t: NearestTables): void => {
  const { planes, inH, inW, scaleH, scaleW } = g;
  const outH = inH * scaleH;
  const outW = inW * scaleW;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * inH * inW;
    for (let y = 0; y < outH; y++) {
      const row = base + t.rows[y] * inW;
      for (let x = 0; x < outW; x++) gradInput[row + t.cols[x]] += gradOutput[o++];
    }
  }
};

/**
 * Interpolation tables along one axis for bilinear upsampling with align_corners=False
 * (PyTorch's rule): source = (dst + 0.5)/scale − 0.5, clamped below at 0; the lower neighbour
 * is ⌊source⌋, the upper one the next pixel unless that is past the edge. Fills `lower`,
 * `upper` (indices) and `weight` (the upper neighbour's weight) for every output index.
 */
export const bilinearTable = (input: number, scale: number, lower: Int32Array, upper: Int32Array, weight: Floats): void => {
  const output = input * scale;
  const ratio = 1 / scale;
  for (let dst = 0; dst < output; dst++) {
    const source = Math.max(ratio * (dst + 0.5) - 0.5, 0);
    const low = Math.min(Math.floor(source), input - 1);
    lower[dst] = low;
    upper[dst] = low < input - 1 ? low + 1 : low;
    weight[dst] = source - low;
  }
};

export interface BilinearTables {
  readonly rowLower: Int32Array;
  readonly rowUpper: Int32Array;
  readonly rowWeight: Floats;
  readonly colLower: Int32Array;
  readonly colUpper: Int32Array;
  readonly colWeight: Floats;
}

export const upsampleBilinearForward = (input: Floats, output: Floats, g: UpsampleGeometry, t: BilinearTables): void => {
  const { planes, inH, inW, scaleH, scaleW } = g;
  const outH = inH * scaleH;
  const outW = inW * scaleW;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * inH * inW;
    for (let y = 0; y < outH; y++) {
      const top = base + t.rowLower[y] * inW;
      const bottom = base + t.rowUpper[y] * inW;
      const wy = t.rowWeight[y];
      for (let x = 0; x < outW; x++) {
        const left = t.colLower[x];
        const right = t.colUpper[x];
        const wx = t.colWeight[x];
        const upperRow = (1 - wx) * input[top + left] + wx * input[top + right];
        const lowerRow = (1 - wx) * input[bottom + left] + wx * input[bottom + right];
        output[o++] = (1 - wy) * upperRow + wy * lowerRow;
      }
    }
  }
};

export const upsampleBilinearBackward = (gradOutput: Floats, gradInput: Floats, g: UpsampleGeometry, t: BilinearTables): void => {
  const { planes, inH, inW, scaleH, scaleW } = g;
  const outH = inH * scaleH;
  const outW = inW * scaleW;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * inH * inW;
    for (let y = 0; y < outH; y++) {
      const top = base + t.rowLower[y] * inW;
      const bottom = base + t.rowUpper[y] * inW;
      const wy = t.rowWeight[y];
      for (let x = 0; x < outW; x++) {
        const left = t.colLower[x];
        const right = t.colUpper[x];
        const wx = t.colWeight[x];
        const dy = gradOutput[o++];
        const upperRow = (1 - wy) * dy;
        const lowerRow = wy * dy;
        gradInput[top + left] += (1 - wx) * upperRow;
        gradInput[top + right] += wx * upperRow;
        gradInput[bottom + left] += (1 - wx) * lowerRow;
        gradInput[bottom + right] += wx * lowerRow;
      }
    }
  }
};
