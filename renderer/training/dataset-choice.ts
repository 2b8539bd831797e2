/**
 * The dataset picker's form: which kind of dataset and its paths, as text the person types, turned
 * into a DatasetSpec or the first problem with it. Framework-free.
 */
import type { DatasetSpec } from '../../engine/data/spec';

export type DatasetChoiceKind = DatasetSpec['kind'];

export const DATASET_KINDS: readonly { readonly kind: DatasetChoiceKind; readonly label: string }[] = [
  { kind: 'mnist', label: 'MNIST (built in)' },
  { kind: 'shapes', label: 'Shapes (built in)' },
  { kind: 'denoise', label: 'Denoising pairs (built in)' },
  { kind: 'folder', label: 'Image folder' },
  { kind: 'idx', label: 'IDX files' },
  { kind: 'csv', label: 'CSV file' },
];

export interface DatasetChoice {
  readonly kind: DatasetChoiceKind;
  /** folder and csv: the path; idx: the images file. */
  readonly path: string;
  /** idx: the labels file. */
  readonly labels: string;
  /** folder (required) and csv (optional): the image side in pixels. */
  readonly size: string;
  readonly channels: '1' | '3';
}

/** The form filled in from a project's dataset (MNIST when it has none). */
export const choiceOf = (spec: DatasetSpec | undefined): DatasetChoice => {
  const blank: DatasetChoice = { kind: spec?.kind ?? 'mnist', path: '', labels: '', size: '28', channels: '1' };
  if (!spec) return blank;
  switch (spec.kind) {
    case 'folder':
      return { ...blank, path: spec.path, size: String(spec.size), channels: String(spec.channels) as '1' | '3' };
    case 'idx':
      return { ...blank, path: spec.images, labels: spec.labels };
    case 'csv':
      return { ...blank, path: spec.path, size: spec.size ? String(spec.size) : '', channels: String(spec.channels ?? 1) as '1' | '3' };
    default:
      return blank;
  }
};

/**
 * The DatasetSpec the form describes, or what is wrong with it. The built-in kinds keep the
 * options of `previous` when it is of the same kind (a project's shapes size, say).
 */
export const specOf = (choice: DatasetChoice, previous?: DatasetSpec): DatasetSpec | string => {
  const path = choice.path.trim();
  const channels = choice.channels === '3' ? 3 : 1;
  const size = (required: boolean): number | string | undefined => {
    const text = choice.size.trim();
    if (!text && !required) return undefined;
    const value = Number(text);
    return Number.isInteger(value) && value >= 1 ? value : `Image size must be a whole number of pixels from 1, not '${text}'`;
  };
  switch (choice.kind) {
    case 'mnist':
      return { kind: 'mnist' };
    case 'shapes':
      return previous?.kind === 'shapes' ? previous : { kind: 'shapes', task: 'classify' };
    case 'denoise':
      return previous?.kind === 'denoise' ? previous : { kind: 'denoise' };
    case 'folder': {
      if (!path) return 'Give the image folder’s path (one subfolder of images per class)';
      const side = size(true);
      if (typeof side === 'string') return side;
      return { kind: 'folder', path, size: side!, channels };
    }
    case 'idx':
      if (!path) return 'Give the path of the IDX images file';
      if (!choice.labels.trim()) return 'Give the path of the IDX labels file';
      return { kind: 'idx', images: path, labels: choice.labels.trim() };
    case 'csv': {
      if (!path) return 'Give the CSV file’s path';
      const side = size(false);
      if (typeof side === 'string') return side;
      return { kind: 'csv', path, channels, ...(side !== undefined ? { size: side } : {}) };
    }
  }
};
