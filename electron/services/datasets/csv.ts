/**
 * CSV datasets, in one of two forms, told apart by the first data row:
 *  - pixel rows: `label,p0,p1,…` with pixel values 0–255 (Kaggle's MNIST CSVs): one grey image of
 *    size×size per row, or with 3 channels each pixel's red, green and blue in turn; the size is
 *    inferred from the column count unless given;
 *  - image rows: `path,label` (a class) or `path,t1,t2,…` (target values), the path relative to
 *    the CSV's folder (or absolute), PNG or JPEG, resized and streamed as an image folder is.
 * An optional header row is recognised (every column after the first is not a number). Labels
 * are class numbers (0 … max) or names (classes in name order). Malformed rows (a wrong column
 * count, a value that is no number or out of range, a missing or corrupt image) are skipped and
 * listed in `problems` with their line numbers.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { ByteImageDataset, type Dataset } from '../../../engine/data/dataset';
import { DatasetOpenError, type DatasetProblem } from '../../../engine/data/problems';
import type { ImageResize } from '../../../engine/data/spec';
import { checkImageFiles, ImageFilesDataset, ImageLoader, type ImageFilesOptions } from './image-files';
import { IMAGE_EXTENSIONS } from './images';

export interface CsvOptions {
  /** Image side; for pixel rows, inferred from the column count when absent; for image rows, default 28. */
  readonly size?: number;
  /** Default 1. */
  readonly channels?: 1 | 3;
  /** For image rows: a class or target values; inferred when absent (one whole-number or named column is a class). */
  readonly target?: 'class' | 'values';
  readonly resize?: ImageResize;
  readonly cacheBytes?: number;
  readonly verify?: ImageFilesOptions['verify'];
  readonly onProgress?: ImageFilesOptions['onProgress'];
}

export interface CsvDataset {
  readonly dataset: Dataset;
  readonly form: 'pixels' | 'images';
  /** Class names, by class number (for class targets). */
  readonly classes?: readonly string[];
  /** Target column names from the header (for value targets). */
  readonly targetNames?: readonly string[];
  readonly problems: DatasetProblem[];
}

/** One line's fields; double-quoted fields may hold commas ("" is a quote). Null for an unclosed quote. */
export const splitCsvLine = (line: string): string[] | null => {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  if (quoted) return null;
  fields.push(field);
  return fields.map((value) => value.trim());
};

const toNumber = (text: string): number => (text === '' ? NaN : Number(text));
const isNumber = (text: string): boolean => Number.isFinite(toNumber(text));
const isImagePath = (text: string): boolean => IMAGE_EXTENSIONS.includes(extname(text).toLowerCase());
const isClassNumber = (text: string): boolean => /^\d+$/.test(text);

interface Row {
  readonly line: number;
  readonly fields: string[];
}

/** Class numbers for labels: whole numbers as they are (classes 0 … max), otherwise names in name order. */
const classesFor = (labels: readonly string[]): { numbers: Int32Array; names: string[] } => {
  if (labels.every(isClassNumber)) {
    const numbers = Int32Array.from(labels, Number);
    const count = numbers.reduce((max, value) => Math.max(max, value + 1), 0);
    return { numbers, names: Array.from({ length: count }, (_, i) => String(i)) };
  }
  const names = [...new Set(labels)].sort();
  const numberOf = new Map(names.map((name, index) => [name, index]));
  return { numbers: Int32Array.from(labels, (label) => numberOf.get(label)!), names };
};

const noRows = (path: string, problems: DatasetProblem[]): DatasetOpenError =>
  new DatasetOpenError(
    path,
    `${path} has no usable rows: write one sample per line, \`label,p0,p1,…\` or \`image path,label\`${
      problems.length ? ` (line ${problems[0].line}: ${problems[0].reason})` : ''
    }`,
  );

/** Opens a CSV dataset; throws DatasetOpenError when the file is missing or has no usable row. */
export const openCsv = (file: string, options: CsvOptions = {}): CsvDataset => {
  const path = resolve(file);
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    text = readFileSync(path, 'utf8');
  } catch {
    throw new DatasetOpenError(path, `the CSV file ${path} does not exist or cannot be read; check its path in the dataset settings`);
  }
  const problems: DatasetProblem[] = [];
  const rows: Row[] = [];
  let header: string[] | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i === 0 ? lines[i].replace(/^\uFEFF/, '') : lines[i];
    if (!line.trim()) continue;
    const fields = splitCsvLine(line);
    if (!fields) {
      problems.push({ path, line: i + 1, reason: 'a quoted field is not closed; row skipped' });
      continue;
    }
    if (!rows.length && !header && !isImagePath(fields[0]) && fields.length > 1 && fields.slice(1).every((field) => !isNumber(field))) {
      header = fields;
      continue;
    }
    rows.push({ line: i + 1, fields });
  }
  if (!rows.length) throw noRows(path, problems);
  return isImagePath(rows[0].fields[0])
    ? openImageRows(path, rows, header, options, problems)
    : openPixelRows(path, rows, header, options, problems);
};

const openPixelRows = (path: string, rows: Row[], header: string[] | null, options: CsvOptions, problems: DatasetProblem[]): CsvDataset => {
  const channels = options.channels ?? 1;
  const columns = header?.length ?? rows[0].fields.length;
  let size = options.size;
  if (size === undefined) {
    const side = Math.round(Math.sqrt((columns - 1) / channels));
    if (side < 1 || side * side * channels !== columns - 1) {
      throw new DatasetOpenError(
        path,
        `${path} has ${columns - 1} pixel columns, which is not ${channels === 1 ? 'size × size' : '3 × size × size'}; set the image size and channels in the dataset settings`,
      );
    }
    size = side;
  }
  const plane = size * size;
  const pixelCount = channels * plane;
  let pixels = new Uint8Array(Math.min(rows.length, 1024) * pixelCount);
  const labels: string[] = [];
  rows: for (const { line, fields } of rows) {
    if (fields.length !== pixelCount + 1) {
      problems.push({
        path,
        line,
        reason: `has ${fields.length} values; expected ${pixelCount + 1} (a label and ${pixelCount} pixels); row skipped`,
      });
      continue;
    }
    if (!fields[0]) {
      problems.push({ path, line, reason: 'has no label; row skipped' });
      continue;
    }
    if (pixels.length < (labels.length + 1) * pixelCount) {
      const grown = new Uint8Array(Math.min(rows.length, labels.length * 2 + 1) * pixelCount);
      grown.set(pixels);
      pixels = grown;
    }
    const at = labels.length * pixelCount;
    for (let k = 0; k < pixelCount; k++) {
      const value = toNumber(fields[k + 1]);
      if (!(value >= 0 && value <= 255)) {
        problems.push({ path, line, reason: `pixel ${k} is '${fields[k + 1]}', not a number from 0 to 255; row skipped` });
        continue rows;
      }
      // Pixel k is pixel k / channels, channel k mod channels; samples are planar.
      const target = channels === 1 ? k : (k % channels) * plane + Math.floor(k / channels);
      pixels[at + target] = Math.round(value);
    }
    labels.push(fields[0]);
  }
  if (!labels.length) throw noRows(path, problems);
  const { numbers, names } = classesFor(labels);
  if (names.length > 256) {
    throw new DatasetOpenError(path, `${path} has ${names.length} classes; pixel-row CSVs may have at most 256`);
  }
  const dataset = new ByteImageDataset(
    `CSV ${path}`,
    [channels, size, size],
    pixels.subarray(0, labels.length * pixelCount),
    Uint8Array.from(numbers),
    names.length,
  );
  return { dataset, form: 'pixels', classes: names, problems };
};

const openImageRows = (path: string, rows: Row[], header: string[] | null, options: CsvOptions, problems: DatasetProblem[]): CsvDataset => {
  const columns = header?.length ?? rows[0].fields.length;
  if (columns < 2) {
    throw new DatasetOpenError(
      path,
      `${path} lists images without labels: write \`image path,label\` or \`image path,target1,target2,…\` on each line`,
    );
  }
  const folder = dirname(path);
  const valid: Row[] = [];
  for (const row of rows) {
    const { line, fields } = row;
    if (fields.length !== columns) problems.push({ path, line, reason: `has ${fields.length} values; expected ${columns}; row skipped` });
    else if (!isImagePath(fields[0])) problems.push({ path, line, reason: `'${fields[0]}' is not a PNG or JPEG file name; row skipped` });
    else if (fields.slice(1).some((field) => !field)) problems.push({ path, line, reason: 'has an empty value; row skipped' });
    else valid.push(row);
  }
  const targetCount = columns - 1;
  if (options.target === 'class' && targetCount > 1) {
    throw new DatasetOpenError(path, `${path} has ${targetCount} target columns; a class target needs exactly one (\`image path,label\`)`);
  }
  const kind =
    options.target ??
    (targetCount === 1 && valid.every(({ fields }) => isClassNumber(fields[1]) || !isNumber(fields[1])) ? 'class' : 'values');
  const usable =
    kind === 'class'
      ? valid
      : valid.filter(({ line, fields }) => {
          const bad = fields.slice(1).find((field) => !isNumber(field));
          if (bad !== undefined) problems.push({ path, line, reason: `target '${bad}' is not a number; row skipped` });
          return bad === undefined;
        });
  const loader = new ImageLoader(options.size ?? 28, options.channels ?? 1, options.resize ?? 'area');
  const { kept, cache } = checkImageFiles(
    usable.map(({ line, fields }) => ({ path: resolve(folder, fields[0]), line })),
    loader,
    { ...options, size: loader.size, channels: loader.channels },
    problems,
  );
  if (!kept.length) throw noRows(path, problems);
  const chosen = Array.from(kept, (position) => usable[position]);
  const paths = chosen.map(({ fields }) => resolve(folder, fields[0]));
  if (kind === 'class') {
    const { numbers, names } = classesFor(chosen.map(({ fields }) => fields[1]));
    const dataset = new ImageFilesDataset(`CSV ${path}`, paths, numbers, { kind: 'class', classes: names.length }, loader, cache, problems);
    return { dataset, form: 'images', classes: names, problems };
  }
  const targets = new Float32Array(chosen.length * targetCount);
  chosen.forEach(({ fields }, i) => {
    for (let k = 0; k < targetCount; k++) targets[i * targetCount + k] = toNumber(fields[k + 1]);
  });
  const dataset = new ImageFilesDataset(`CSV ${path}`, paths, targets, { kind: 'values', shape: [targetCount] }, loader, cache, problems);
  return {
    dataset,
    form: 'images',
    ...(header ? { targetNames: header.slice(1) } : {}),
    problems,
  };
};
