/**
 * What training reads: samples of one shape with a class or a target tensor, fetched by index
 * into caller-owned buffers (so a training step allocates nothing).
 */
import { elementCount, type Shape } from '../graph/shape';

export type TargetKind = { readonly kind: 'class'; readonly classes: number } | { readonly kind: 'values'; readonly shape: Shape };

export interface Dataset {
  readonly name: string;
  readonly size: number;
  /** One sample's shape, [C, H, W]. */
  readonly sampleShape: Shape;
  readonly target: TargetKind;
  /**
   * Copies samples `indices[start .. start + count)` into `x` (count × elements(sampleShape)) and
   * their targets into `y`: class numbers into an Int32Array, values into a Float32Array.
   */
  fill(indices: Int32Array, start: number, count: number, x: Float32Array, y: Int32Array | Float32Array): void;
  /** The class of one sample without reading its pixels, where the dataset can tell it cheaply. */
  classOf?(index: number): number;
  /**
   * Fetches samples `indices[start .. start + count)` before `fill` may read them, for a dataset
   * whose samples live elsewhere (the GPU window reads files through main). Absent: `fill` reads
   * any sample at any time.
   */
  fetchSamples?(indices: Int32Array, start: number, count: number): Promise<void>;
}

/** Fetches every sample of `dataset` that `fetchSamples` must fetch (none for most datasets). */
export const loadAll = async (dataset: Dataset | undefined): Promise<void> => {
  if (dataset?.fetchSamples)
    await dataset.fetchSamples(
      Int32Array.from({ length: dataset.size }, (_, i) => i),
      0,
      dataset.size,
    );
};

/**
 * How many samples of each class `dataset` holds: from `classOf` when it has one, else by reading
 * the samples in chunks. Null for datasets whose targets are values.
 */
export const countClasses = (dataset: Dataset): number[] | null => {
  if (dataset.target.kind !== 'class') return null;
  const counts = new Array<number>(dataset.target.classes).fill(0);
  const add = (label: number) => {
    if (label >= 0 && label < counts.length) counts[label]++;
  };
  if (dataset.classOf) {
    for (let i = 0; i < dataset.size; i++) add(dataset.classOf(i));
    return counts;
  }
  const chunk = 256;
  const x = new Float32Array(chunk * elementCount(dataset.sampleShape));
  const y = new Int32Array(chunk);
  const indices = new Int32Array(chunk);
  for (let start = 0; start < dataset.size; start += chunk) {
    const count = Math.min(chunk, dataset.size - start);
    for (let i = 0; i < count; i++) indices[i] = start + i;
    dataset.fill(indices, 0, count, x, y);
    for (let i = 0; i < count; i++) add(y[i]);
  }
  return counts;
};

/** A dataset held in memory as bytes (0–255), scaled to [0, 1] as it is read. */
export class ByteImageDataset implements Dataset {
  readonly target: TargetKind;
  private readonly sampleSize: number;

  constructor(
    readonly name: string,
    readonly sampleShape: Shape,
    private readonly pixels: Uint8Array,
    private readonly labels: Uint8Array,
    classes: number,
  ) {
    this.sampleSize = elementCount(sampleShape);
    if (pixels.length !== labels.length * this.sampleSize) {
      throw new Error(`${name}: ${labels.length} labels need ${labels.length * this.sampleSize} pixels, not ${pixels.length}`);
    }
    this.target = { kind: 'class', classes };
  }

  get size(): number {
    return this.labels.length;
  }

  fill(indices: Int32Array, start: number, count: number, x: Float32Array, y: Int32Array | Float32Array): void {
    const size = this.sampleSize;
    for (let i = 0; i < count; i++) {
      const sample = indices[start + i];
      const from = sample * size;
      const to = i * size;
      for (let j = 0; j < size; j++) x[to + j] = this.pixels[from + j] / 255;
      y[i] = this.labels[sample];
    }
  }

  classOf(index: number): number {
    return this.labels[index];
  }

  /** The first `count` samples (or all), as a dataset of its own. */
  take(count: number): ByteImageDataset {
    const n = Math.min(count, this.size);
    return new ByteImageDataset(
      `${this.name}[:${n}]`,
      this.sampleShape,
      this.pixels.subarray(0, n * this.sampleSize),
      this.labels.subarray(0, n),
      this.classCount,
    );
  }

  private get classCount(): number {
    return (this.target as { classes: number }).classes;
  }
}
