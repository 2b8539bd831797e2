/**
 * What went wrong while opening a dataset without stopping it: a file skipped, a row left out,
 * an empty class folder. The IDE lists them beside the dataset; nothing here throws.
 */
export interface DatasetProblem {
  /** The file or folder concerned (as the dataset names it: absolute, or relative to its root). */
  readonly path: string;
  /** Why it was left out, in words for the user. */
  readonly reason: string;
  /** The 1-based line, for problems inside a text file (CSV). */
  readonly line?: number;
}

/** A dataset that cannot be opened at all (a missing folder, no usable samples): names the path and what to do. */
export class DatasetOpenError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'DatasetOpenError';
  }
}
