/**
 * Preprocessing as Dataset wrappers, applied in fill() to the caller's buffers (no allocation per
 * batch):
 *  - normalisation: (x − mean) / std per channel, with statistics measured on the training split
 *    by streaming over it in batches (Chan et al.'s pairwise update, so large sets stay exact);
 *  - augmentation, for the training split only: random horizontal/vertical flips, integer shifts,
 *    small rotations (bilinear sampling, edges replicated) and Gaussian noise, drawn from a seeded
 *    Random, so the same seed and the same sequence of batches give the same pictures. Image
 *    targets of the sample's own shape (denoising, segmentation) are moved with their input;
 *    class labels and other targets are kept.
 * Augmentation works on the raw [0, 1] pixels; normalisation wraps it (train = normalise(augment(split))).
 */
import type { Dataset, TargetKind } from './dataset';
import { elementCount, sameShape, type Shape } from '../graph/shape';
import { Random } from '../train/random';
import type { PreprocessSpec } from './spec';
import type { Splits } from './split';

export interface ChannelStats {
  readonly mean: readonly number[];
  /** Population standard deviation. */
  readonly std: readonly number[];
  /** Samples measured. */
  readonly samples: number;
}

/** A target buffer for `count` samples of a dataset. */
export const targetBuffer = (target: TargetKind, count: number): Int32Array | Float32Array =>
  target.kind === 'class' ? new Int32Array(count) : new Float32Array(count * elementCount(target.shape));

/** Per-channel mean and standard deviation over every sample of `dataset`, read `batchSize` at a time. */
export const measureChannelStats = (dataset: Dataset, batchSize = 256): ChannelStats => {
  const [channels] = dataset.sampleShape;
  const sampleSize = elementCount(dataset.sampleShape);
  const plane = sampleSize / channels;
  const batch = Math.max(1, Math.min(batchSize, dataset.size));
  const indices = new Int32Array(batch);
  const x = new Float32Array(batch * sampleSize);
  const y = targetBuffer(dataset.target, batch);
  const count = new Float64Array(channels);
  const mean = new Float64Array(channels);
  const m2 = new Float64Array(channels);
  for (let start = 0; start < dataset.size; start += batch) {
    const n = Math.min(batch, dataset.size - start);
    for (let i = 0; i < n; i++) indices[i] = start + i;
    dataset.fill(indices, 0, n, x, y);
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const from = i * sampleSize + c * plane;
        for (let j = 0; j < plane; j++) sum += x[from + j];
      }
      const batchCount = n * plane;
      const batchMean = sum / batchCount;
      let squares = 0;
      for (let i = 0; i < n; i++) {
        const from = i * sampleSize + c * plane;
        for (let j = 0; j < plane; j++) {
          const d = x[from + j] - batchMean;
          squares += d * d;
        }
      }
      const total = count[c] + batchCount;
      const delta = batchMean - mean[c];
      mean[c] += (delta * batchCount) / total;
      m2[c] += squares + (delta * delta * count[c] * batchCount) / total;
      count[c] = total;
    }
  }
  return {
    mean: Array.from(mean),
    std: Array.from(m2, (value, c) => (count[c] ? Math.sqrt(value / count[c]) : 0)),
    samples: dataset.size,
  };
};

/** (x − mean) / std per channel of the inputs (targets are left as they are); a channel with (almost) no spread is only centred. */
export class NormalisedDataset implements Dataset {
  /** Preprocessing keeps each sample's class. */
  get classOf(): ((index: number) => number) | undefined {
    return this.base.classOf?.bind(this.base);
  }

  readonly name: string;
  readonly sampleShape: Shape;
  readonly target: TargetKind;
  private readonly mean: Float64Array;
  private readonly scale: Float64Array;

  constructor(
    readonly base: Dataset,
    readonly stats: ChannelStats,
  ) {
    const channels = base.sampleShape[0];
    if (stats.mean.length !== channels || stats.std.length !== channels) {
      throw new RangeError(`${base.name} has ${channels} channels but the statistics have ${stats.mean.length}`);
    }
    this.name = base.name;
    this.sampleShape = base.sampleShape;
    this.target = base.target;
    this.mean = Float64Array.from(stats.mean);
    this.scale = Float64Array.from(stats.std, (std) => (std > 1e-6 ? 1 / std : 1));
  }

  get size(): number {
    return this.base.size;
  }

  fill(indices: Int32Array, start: number, count: number, x: Float32Array, y: Int32Array | Float32Array): void {
    this.base.fill(indices, start, count, x, y);
    const channels = this.mean.length;
    const sampleSize = elementCount(this.sampleShape);
    const plane = sampleSize / channels;
    for (let i = 0; i < count; i++) {
      for (let c = 0; c < channels; c++) {
        const mean = this.mean[c];
        const scale = this.scale[c];
        const from = i * sampleSize + c * plane;
        for (let j = from; j < from + plane; j++) x[j] = (x[j] - mean) * scale;
      }
    }
  }
}

export interface AugmentOptions {
  readonly flipHorizontal?: boolean;
  readonly flipVertical?: boolean;
  /** Largest shift in whole pixels, each way. */
  readonly shift?: number;
  /** Largest rotation in degrees, each way. */
  readonly rotate?: number;
  /** Standard deviation of added Gaussian noise. */
  readonly noise?: number;
}

/** True when the options change samples: each read of a sample then gives a different picture. */
export const augments = (options: AugmentOptions | undefined): boolean =>
  !!options &&
  (!!options.flipHorizontal ||
    !!options.flipVertical ||
    Math.floor(options.shift ?? 0) > 0 ||
    (options.rotate ?? 0) > 0 ||
    (options.noise ?? 0) > 0);

/** Random flips, shifts, rotations and noise on each sample as it is read; see the file's comment. */
export class AugmentedDataset implements Dataset {
  /** Preprocessing keeps each sample's class. */
  get classOf(): ((index: number) => number) | undefined {
    return this.base.classOf?.bind(this.base);
  }

  readonly name: string;
  readonly sampleShape: Shape;
  readonly target: TargetKind;
  /** True when some option is on; otherwise fill() passes samples through untouched. */
  readonly active: boolean;
  private random: Random;
  private readonly geometric: boolean;
  private readonly maxShift: number;
  private readonly maxAngle: number;
  private readonly noise: number;
  private readonly imageTargets: boolean;
  private readonly scratch: Float32Array;
  // The transform drawn for the current sample.
  private flipX = false;
  private flipY = false;
  private shiftX = 0;
  private shiftY = 0;
  private cos = 1;
  private sin = 0;

  constructor(
    readonly base: Dataset,
    readonly options: AugmentOptions,
    seed: number,
  ) {
    this.name = `${base.name} (augmented)`;
    this.sampleShape = base.sampleShape;
    this.target = base.target;
    this.random = new Random(seed);
    this.maxShift = Math.max(0, Math.floor(options.shift ?? 0));
    this.maxAngle = (Math.max(0, options.rotate ?? 0) * Math.PI) / 180;
    this.noise = Math.max(0, options.noise ?? 0);
    this.geometric = !!options.flipHorizontal || !!options.flipVertical || this.maxShift > 0 || this.maxAngle > 0;
    this.active = augments(options);
    if (this.geometric && base.sampleShape.length !== 3) {
      throw new RangeError(`${base.name} has samples of shape ${base.sampleShape.join('×')}; flips, shifts and rotations need images`);
    }
    this.imageTargets = base.target.kind === 'values' && sameShape(base.target.shape, base.sampleShape);
    this.scratch = new Float32Array(this.geometric ? elementCount(base.sampleShape) : 0);
  }

  get size(): number {
    return this.base.size;
  }

  /** Starts the random draws again from `seed`. */
  reseed(seed: number): void {
    this.random = new Random(seed);
  }

  fill(indices: Int32Array, start: number, count: number, x: Float32Array, y: Int32Array | Float32Array): void {
    this.base.fill(indices, start, count, x, y);
    if (!this.active) return;
    const sampleSize = elementCount(this.sampleShape);
    for (let i = 0; i < count; i++) {
      if (this.geometric && this.draw()) {
        this.transform(x, i * sampleSize);
        if (this.imageTargets) this.transform(y as Float32Array, i * sampleSize);
      }
      if (this.noise > 0) {
        for (let j = i * sampleSize; j < (i + 1) * sampleSize; j++) x[j] += this.noise * this.random.normal();
      }
    }
  }

  /** Draws the next sample's transform; false when it is the identity. */
  private draw(): boolean {
    const random = this.random;
    const { flipHorizontal, flipVertical } = this.options;
    this.flipX = !!flipHorizontal && random.uniform() < 0.5;
    this.flipY = !!flipVertical && random.uniform() < 0.5;
    const span = 2 * this.maxShift + 1;
    this.shiftX = this.maxShift ? random.below(span) - this.maxShift : 0;
    this.shiftY = this.maxShift ? random.below(span) - this.maxShift : 0;
    const angle = this.maxAngle ? (2 * random.uniform() - 1) * this.maxAngle : 0;
    this.cos = Math.cos(angle);
    this.sin = Math.sin(angle);
    return this.flipX || this.flipY || this.shiftX !== 0 || this.shiftY !== 0 || angle !== 0;
  }

  /**
   * Resamples one [C, H, W] sample at data[offset ..] in place: each output pixel looks up its
   * source (undo the shift, then the rotation about the centre, then the flips) bilinearly.
   */
  private transform(data: Float32Array, offset: number): void {
    const [channels, height, width] = this.sampleShape;
    const plane = height * width;
    const scratch = this.scratch;
    for (let j = 0; j < channels * plane; j++) scratch[j] = data[offset + j];
    const cx = (width - 1) / 2;
    const cy = (height - 1) / 2;
    const { cos, sin } = this;
    for (let row = 0; row < height; row++) {
      const v = row - cy - this.shiftY;
      for (let column = 0; column < width; column++) {
        const u = column - cx - this.shiftX;
        let su = cos * u + sin * v;
        let sv = cos * v - sin * u;
        if (this.flipX) su = -su;
        if (this.flipY) sv = -sv;
        const sx = Math.min(width - 1, Math.max(0, su + cx));
        const sy = Math.min(height - 1, Math.max(0, sv + cy));
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const x1 = x0 + 1 < width ? x0 + 1 : x0;
        const y1 = y0 + 1 < height ? y0 + 1 : y0;
        const top = y0 * width;
        const bottom = y1 * width;
        for (let c = 0; c < channels; c++) {
          const base = c * plane;
          const upper = scratch[base + top + x0] + fx * (scratch[base + top + x1] - scratch[base + top + x0]);
          const lower = scratch[base + bottom + x0] + fx * (scratch[base + bottom + x1] - scratch[base + bottom + x0]);
          data[offset + base + row * width + column] = fx === 0 && fy === 0 ? scratch[base + top + x0] : upper + fy * (lower - upper);
        }
      }
    }
  }
}

export interface Preprocessed extends Splits {
  /** The statistics normalisation uses, measured on the (unaugmented) training split. */
  readonly stats?: ChannelStats;
}

/**
 * Applies a PreprocessSpec to splits: statistics from the training split, normalisation on every
 * split, augmentation (seeded by `seed` unless the spec gives one) on the training split only.
 */
export const applyPreprocess = (splits: Splits, spec: PreprocessSpec | undefined, seed = 0): Preprocessed => {
  if (!spec) return splits;
  const stats = spec.normalise ? measureChannelStats(splits.train) : undefined;
  const normalise = (dataset: Dataset | undefined) => (dataset && stats ? new NormalisedDataset(dataset, stats) : dataset);
  const augment = spec.augment ? new AugmentedDataset(splits.train, spec.augment, spec.augment.seed ?? seed) : null;
  const train = normalise(augment?.active ? augment : splits.train)!;
  const validation = normalise(splits.validation);
  const test = normalise(splits.test);
  return { train, ...(validation ? { validation } : {}), ...(test ? { test } : {}), ...(stats ? { stats } : {}) };
};
