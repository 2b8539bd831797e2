/**
 * Train / validation / test splits as views: a SubsetDataset holds the indices it shows and maps
 * fill() onto its base dataset, so splitting copies no samples. The split is a seeded shuffle of
 * all indices, cut by the SplitSpec's fractions; each part keeps its indices in ascending order
 * (files are then read in folder order, and the trainer shuffles anyway).
 */
import type { Dataset, TargetKind } from './dataset';
import type { Shape } from '../graph/shape';
import { Random } from '../train/random';
import type { SplitSpec } from './spec';

/** The samples of `base` at `indices`, as a dataset of its own. */
export class SubsetDataset implements Dataset {
  readonly sampleShape: Shape;
  readonly target: TargetKind;
  /** Base indices of one batch, grown when a larger batch comes (so steady batches allocate nothing). */
  private mapped = new Int32Array(0);

  constructor(
    readonly base: Dataset,
    readonly indices: Int32Array,
    readonly name: string,
  ) {
    for (const index of indices) {
      if (!(index >= 0 && index < base.size)) throw new RangeError(`${name}: ${base.name} has no sample ${index}`);
    }
    this.sampleShape = base.sampleShape;
    this.target = base.target;
  }

  get size(): number {
    return this.indices.length;
  }

  fill(indices: Int32Array, start: number, count: number, x: Float32Array, y: Int32Array | Float32Array): void {
    if (this.mapped.length < count) this.mapped = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const index = indices[start + i];
      if (!(index >= 0 && index < this.indices.length)) throw new RangeError(`${this.name} has no sample ${index}`);
      this.mapped[i] = this.indices[index];
    }
    this.base.fill(this.mapped, 0, count, x, y);
  }

  get classOf(): ((index: number) => number) | undefined {
    const base = this.base;
    return base.classOf ? (index) => base.classOf!(this.indices[index]) : undefined;
  }
}

export interface SplitIndices {
  readonly train: Int32Array;
  readonly validation: Int32Array;
  readonly test: Int32Array;
}

const checkFraction = (value: number, what: string): void => {
  if (!(value >= 0 && value < 1)) throw new RangeError(`the ${what} fraction must be at least 0 and below 1, not ${value}`);
};

/**
 * Cuts 0..size−1, shuffled by `spec.seed`, into validation (the first round(size × validation)),
 * test (the next round(size × test)) and train (the rest). `ownTest`: the data has a test split
 * of its own, so the test fraction is ignored.
 */
export const splitIndices = (size: number, spec: SplitSpec, ownTest = false): SplitIndices => {
  checkFraction(spec.validation, 'validation');
  checkFraction(spec.test, 'test');
  const testFraction = ownTest ? 0 : spec.test;
  if (spec.validation + testFraction >= 1) {
    throw new RangeError(
      `validation (${spec.validation}) and test (${testFraction}) together leave nothing to train on; make them smaller`,
    );
  }
  const order = new Random(spec.seed).permutation(size);
  const validationCount = Math.round(size * spec.validation);
  const testCount = Math.round(size * testFraction);
  if (validationCount + testCount >= size) {
    throw new RangeError(`${size} samples are too few to hold out ${validationCount} for validation and ${testCount} for testing`);
  }
  const part = (from: number, to: number): Int32Array => order.slice(from, to).sort();
  return {
    validation: part(0, validationCount),
    test: part(validationCount, validationCount + testCount),
    train: part(validationCount + testCount, size),
  };
};

export interface Splits {
  readonly train: Dataset;
  readonly validation?: Dataset;
  readonly test?: Dataset;
}

/** Splits a dataset into views; a part with no samples is left out. See splitIndices. */
export const splitDataset = (dataset: Dataset, spec: SplitSpec, ownTest = false): Splits => {
  const parts = splitIndices(dataset.size, spec, ownTest);
  const view = (indices: Int32Array, part: string) => new SubsetDataset(dataset, indices, `${dataset.name} (${part})`);
  return {
    train: view(parts.train, 'train'),
    ...(parts.validation.length ? { validation: view(parts.validation, 'validation') } : {}),
    ...(parts.test.length ? { test: view(parts.test, 'test') } : {}),
  };
};
