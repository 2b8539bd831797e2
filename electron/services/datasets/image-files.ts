/**
 * Datasets of image files that stream from disk: only the list of paths and targets stays in
 * memory, plus a bounded LRU cache of decoded, resized samples (a byte budget). fill() reads the
 * files it lacks synchronously, decodes (PNG or JPEG), resizes to size×size and keeps the bytes.
 *
 * Opening checks every file first ('decode': read and decode each once, the default; 'header':
 * only its first bytes, for very large sets), so unreadable, corrupt and non-image files are left
 * out and listed as problems. A file that fails later (changed on disk, or corrupt past its header
 * under 'header') reads as zeros and is added to `problems`; nothing throws mid-epoch.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { Dataset, TargetKind } from '../../../engine/data/dataset';
import type { DatasetProblem } from '../../../engine/data/problems';
import { ImageResizer } from '../../../engine/data/resize';
import { SampleCache } from '../../../engine/data/sample-cache';
import type { ImageResize } from '../../../engine/data/spec';
import type { Shape } from '../../../engine/graph/shape';
import { decodeImage, ImageDecodeError, sniffImage } from './images';

export interface ImageFilesOptions {
  /** Output side in pixels. */
  readonly size: number;
  /** 1: grey (luma), 3: RGB. */
  readonly channels: 1 | 3;
  /** Default 'area'. */
  readonly resize?: ImageResize;
  /** Byte budget of the cache of decoded samples; default 64 MiB. */
  readonly cacheBytes?: number;
  /** How opening checks the files; see the file's comment. Default 'decode'. */
  readonly verify?: 'decode' | 'header';
  /** Told how many files were checked, now and then while opening. */
  readonly onProgress?: (checked: number, total: number) => void;
}

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/** Why a file could not be read, in words. */
export const describeFileError = (error: unknown): string => {
  if (error instanceof ImageDecodeError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'the file is missing';
  if (code === 'EACCES' || code === 'EPERM') return 'the file cannot be read: permission denied';
  if (code === 'EISDIR') return 'a folder, not a file';
  return `the file cannot be read (${error instanceof Error ? error.message : String(error)})`;
};

/** Reads one file into a byte sample. */
export class ImageLoader {
  readonly sampleBytes: number;
  private readonly resizer = new ImageResizer();

  constructor(
    readonly size: number,
    readonly channels: 1 | 3,
    readonly method: ImageResize = 'area',
  ) {
    if (!Number.isInteger(size) || size < 1 || size > 4096)
      throw new RangeError(`the image size must be a whole number from 1 to 4096, not ${size}`);
    if (channels !== 1 && channels !== 3) throw new RangeError(`images are read with 1 or 3 channels, not ${String(channels)}`);
    this.sampleBytes = channels * size * size;
  }

  /** Reads, decodes and resizes `path` into out[offset ..]; throws (see describeFileError) when it cannot. */
  load(path: string, out: Uint8Array, offset: number): void {
    const image = decodeImage(readFileSync(path));
    this.resizer.resize(image.data, image.width, image.height, this.size, this.channels, this.method, out, offset);
  }
}

export interface ImageFileEntry {
  /** Absolute path. */
  readonly path: string;
  /** For problems found in a list file (CSV), its line. */
  readonly line?: number;
}

export interface CheckedFiles {
  /** The positions (in the entries) of the usable files, in order. */
  readonly kept: Int32Array;
  /** A cache holding what checking decoded, keyed by position in `kept`. */
  readonly cache: SampleCache;
}

const header = new Uint8Array(8);

/** Checks that a file exists, is not empty and starts like a PNG or JPEG. */
const checkHeader = (path: string): void => {
  if (statSync(path).size === 0) throw new ImageDecodeError('the file is empty');
  const fd = openSync(path, 'r');
  try {
    const read = readSync(fd, header, 0, header.length, 0);
    if (!sniffImage(header.subarray(0, read))) throw new ImageDecodeError('not a PNG or JPEG file, though its name says so');
  } finally {
    closeSync(fd);
  }
};

/** Checks each entry's file (see ImageFilesOptions.verify), listing those left out in `problems`. */
export const checkImageFiles = (
  entries: readonly ImageFileEntry[],
  loader: ImageLoader,
  options: ImageFilesOptions,
  problems: DatasetProblem[],
): CheckedFiles => {
  const cache = new SampleCache(entries.length, loader.sampleBytes, options.cacheBytes ?? DEFAULT_CACHE_BYTES);
  const scratch = new Uint8Array(loader.sampleBytes);
  const kept = new Int32Array(entries.length);
  let count = 0;
  const decode = (options.verify ?? 'decode') === 'decode';
  for (let i = 0; i < entries.length; i++) {
    const { path, line } = entries[i];
    try {
      if (decode) {
        loader.load(path, scratch, 0);
        const offset = cache.store(count);
        if (offset >= 0) cache.data.set(scratch, offset);
      } else checkHeader(path);
      kept[count++] = i;
    } catch (error) {
      problems.push({ path, reason: describeFileError(error), ...(line !== undefined ? { line } : {}) });
    }
    if (options.onProgress && ((i + 1) % 1000 === 0 || i + 1 === entries.length)) options.onProgress(i + 1, entries.length);
  }
  return { kept: kept.slice(0, count), cache };
};

export class ImageFilesDataset implements Dataset {
  readonly sampleShape: Shape;
  private readonly sampleBytes: number;
  private readonly scratch: Uint8Array;
  private readonly valuesPerSample: number;
  private readonly failed = new Set<number>();

  /**
   * `targets`: one class per file (Int32Array) or target.shape values per file (Float32Array);
   * `cache`: keyed by sample index (as checkImageFiles returns it, or a fresh one).
   */
  constructor(
    readonly name: string,
    readonly paths: readonly string[],
    readonly targets: Int32Array | Float32Array,
    readonly target: TargetKind,
    private readonly loader: ImageLoader,
    readonly cache: SampleCache,
    readonly problems: DatasetProblem[],
  ) {
    this.sampleShape = [loader.channels, loader.size, loader.size];
    this.sampleBytes = loader.sampleBytes;
    this.scratch = new Uint8Array(cache.slots ? 0 : this.sampleBytes);
    this.valuesPerSample = target.kind === 'class' ? 1 : target.shape.reduce((a, b) => a * b, 1);
    if (targets.length !== paths.length * this.valuesPerSample) {
      throw new RangeError(`${name}: ${paths.length} files need ${paths.length * this.valuesPerSample} targets, not ${targets.length}`);
    }
  }

  get size(): number {
    return this.paths.length;
  }

  get classOf(): ((index: number) => number) | undefined {
    return this.target.kind === 'class' ? (index) => this.targets[index] : undefined;
  }

  fill(indices: Int32Array, start: number, count: number, x: Float32Array, y: Int32Array | Float32Array): void {
    const n = this.sampleBytes;
    const perSample = this.valuesPerSample;
    for (let i = 0; i < count; i++) {
      const index = indices[start + i];
      if (!(index >= 0 && index < this.paths.length)) throw new RangeError(`${this.name} has no sample ${index}`);
      let bytes = this.cache.data;
      let offset = this.cache.lookup(index);
      if (offset < 0) {
        offset = this.cache.store(index);
        if (offset < 0) {
          bytes = this.scratch;
          offset = 0;
        }
        this.load(index, bytes, offset);
      }
      const to = i * n;
      for (let j = 0; j < n; j++) x[to + j] = bytes[offset + j] / 255;
      for (let k = 0; k < perSample; k++) y[i * perSample + k] = this.targets[index * perSample + k];
    }
  }

  private load(index: number, out: Uint8Array, offset: number): void {
    try {
      this.loader.load(this.paths[index], out, offset);
    } catch (error) {
      out.fill(0, offset, offset + this.sampleBytes);
      if (!this.failed.has(index)) {
        this.failed.add(index);
        this.problems.push({ path: this.paths[index], reason: `${describeFileError(error)}; it reads as a black image` });
      }
    }
  }
}
