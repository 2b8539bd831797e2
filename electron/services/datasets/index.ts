/**
 * Opening a project's dataset: from its DatasetSpec to train / validation / test datasets, with
 * class names, the problems met (skipped files and rows) and the preprocessing applied.
 * MNIST keeps its own test split (the SplitSpec's test fraction is ignored); the others are
 * split by the SplitSpec. Paths in the spec are relative to `baseFolder` (the project's folder).
 */
import { resolve } from 'node:path';
import type { Dataset } from '../../../engine/data/dataset';
import { applyPreprocess, targetBuffer, type ChannelStats } from '../../../engine/data/preprocess';
import { DatasetOpenError, type DatasetProblem } from '../../../engine/data/problems';
import type { DatasetSpec, PreprocessSpec, SplitSpec } from '../../../engine/data/spec';
import { splitDataset, type Splits } from '../../../engine/data/split';
import { SyntheticDenoiseDataset } from '../../../engine/data/synthetic-denoise';
import { SHAPE_CLASSES, SyntheticShapesDataset } from '../../../engine/data/synthetic-shapes';
import { elementCount } from '../../../engine/graph/shape';
import { Random } from '../../../engine/train/random';
import { openCsv } from './csv';
import { openImageFolder } from './folder';
import type { ImageFilesOptions } from './image-files';
import { loadIdxDataset } from './idx';
import { loadMnist } from './mnist';

export interface OpenedDataset {
  readonly train: Dataset;
  readonly validation?: Dataset;
  readonly test?: Dataset;
  /** Class names by class number, for class targets. */
  readonly classes?: string[];
  /** Files and rows left out, and other things the user should know. */
  readonly problems: DatasetProblem[];
  /** The normalisation statistics, when the preprocessing normalises. */
  readonly stats?: ChannelStats;
}

/** How image files are read (folder and CSV datasets). */
export type OpenOptions = Pick<ImageFilesOptions, 'cacheBytes' | 'verify' | 'onProgress'>;

interface Source {
  readonly data: Dataset;
  /** A test split of the data's own. */
  readonly test?: Dataset;
  readonly classes?: string[];
  readonly problems: DatasetProblem[];
}

const openSource = (spec: DatasetSpec, baseFolder: string, options: OpenOptions): Source => {
  switch (spec.kind) {
    case 'mnist':
      return { data: loadMnist('train'), test: loadMnist('test'), classes: Array.from({ length: 10 }, (_, i) => String(i)), problems: [] };
    case 'shapes': {
      const task = spec.task ?? 'classify';
      const data = new SyntheticShapesDataset({ ...spec, task });
      return { data, ...(task === 'classify' ? { classes: [...SHAPE_CLASSES] } : {}), problems: [] };
    }
    case 'denoise':
      return { data: new SyntheticDenoiseDataset(spec), problems: [] };
    case 'folder': {
      const dataset = openImageFolder(resolve(baseFolder, spec.path), {
        size: spec.size,
        channels: spec.channels,
        ...(spec.resize ? { resize: spec.resize } : {}),
        ...options,
      });
      return { data: dataset, classes: [...dataset.classes], problems: dataset.problems };
    }
    case 'idx': {
      const data = loadIdxDataset(resolve(baseFolder, spec.images), resolve(baseFolder, spec.labels), `IDX ${spec.images}`);
      const classes = data.target.kind === 'class' ? data.target.classes : 0;
      return { data, classes: Array.from({ length: classes }, (_, i) => String(i)), problems: [] };
    }
    case 'csv': {
      const csv = openCsv(resolve(baseFolder, spec.path), { ...spec, ...options });
      return { data: csv.dataset, ...(csv.classes ? { classes: [...csv.classes] } : {}), problems: csv.problems };
    }
    default:
      throw new Error(`unknown dataset kind '${(spec as { kind: string }).kind}'; choose mnist, shapes, denoise, folder, idx or csv`);
  }
};

/**
 * Opens a dataset: the data, split by `split` (all of it trains when absent), then preprocessed
 * (statistics from the training split; augmentation of the training split only). Throws one
 * Error naming the path and the fix when the data cannot be opened or holds no samples.
 */
export const openDataset = (
  spec: DatasetSpec,
  baseFolder: string,
  split?: SplitSpec,
  preprocess?: PreprocessSpec,
  options: OpenOptions = {},
): OpenedDataset => {
  const source = openSource(spec, baseFolder, options);
  if (source.data.size === 0) {
    throw new DatasetOpenError(baseFolder, `${source.data.name} holds no samples; add data to it or choose another dataset`);
  }
  let splits: Splits;
  try {
    splits = split ? splitDataset(source.data, split, !!source.test) : { train: source.data };
  } catch (error) {
    throw new Error(`${source.data.name} (${source.data.size} samples) cannot be split: ${(error as Error).message}`);
  }
  if (source.test) splits = { ...splits, test: source.test };
  const prepared = applyPreprocess(splits, preprocess, split?.seed ?? 0);
  return {
    ...prepared,
    ...(source.classes ? { classes: source.classes } : {}),
    problems: source.problems,
  };
};

export interface PreviewSample {
  /** The sample's index in the dataset. */
  readonly index: number;
  /** [C, H, W]. */
  readonly shape: number[];
  /** Planar values, as the dataset gives them (0–1 unless normalised). */
  readonly pixels: number[];
  /** For class targets. */
  readonly label?: number;
  readonly className?: string;
  /** For value targets. */
  readonly target?: number[];
}

/**
 * `count` samples spread over the dataset (distinct, chosen by `seed`, in index order), as plain
 * arrays the IDE can send and draw.
 */
export const previewSamples = (dataset: Dataset, count: number, classes?: readonly string[], seed = 0): PreviewSample[] => {
  const n = Math.max(0, Math.min(Math.floor(count), dataset.size));
  if (!n) return [];
  // Floyd's algorithm: n distinct indices without shuffling them all.
  const random = new Random(seed);
  const chosen = new Set<number>();
  for (let j = dataset.size - n; j < dataset.size; j++) {
    const pick = random.below(j + 1);
    chosen.add(chosen.has(pick) ? j : pick);
  }
  const indices = Int32Array.from([...chosen].sort((a, b) => a - b));
  const sampleSize = elementCount(dataset.sampleShape);
  const x = new Float32Array(n * sampleSize);
  const y = targetBuffer(dataset.target, n);
  dataset.fill(indices, 0, n, x, y);
  const perTarget = dataset.target.kind === 'class' ? 1 : elementCount(dataset.target.shape);
  return Array.from(indices, (index, i) => {
    const pixels = Array.from(x.subarray(i * sampleSize, (i + 1) * sampleSize));
    if (dataset.target.kind === 'class') {
      const label = y[i];
      return {
        index,
        shape: [...dataset.sampleShape],
        pixels,
        label,
        ...(classes?.[label] !== undefined ? { className: classes[label] } : {}),
      };
    }
    return { index, shape: [...dataset.sampleShape], pixels, target: Array.from(y.subarray(i * perTarget, (i + 1) * perTarget)) };
  });
};
