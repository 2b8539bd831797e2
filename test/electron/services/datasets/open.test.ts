// openDataset for every kind of DatasetSpec, with splits and preprocessing, and previews for the IDE.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureChannelStats } from '../../../../engine/data/preprocess';
import { DatasetOpenError } from '../../../../engine/data/problems';
import { openDataset, previewSamples } from '../../../../electron/services/datasets';
import { read } from '../../../engine/data/helpers';
import { idxBytes, jpegBytes, pngBytes, temporaryFolder, writeFile } from './helpers';

let project: string;
let remove: () => void;

beforeAll(() => {
  ({ folder: project, remove } = temporaryFolder('open'));
  for (let i = 0; i < 10; i++) {
    writeFile(
      join(project, 'photos', 'dark', `${i}.png`),
      pngBytes(12, 12, () => [20 + i, 20, 20]),
    );
    writeFile(
      join(project, 'photos', 'light', `${i}.jpg`),
      jpegBytes(16, 10, () => [230, 230 - i, 230]),
    );
  }
  writeFile(join(project, 'photos', 'light', 'broken.jpg'), 'no');
  writeFile(
    join(project, 'data', 'img.idx'),
    idxBytes(
      [4, 2, 2],
      Array.from({ length: 16 }, (_, i) => i * 16),
    ),
  );
  writeFile(join(project, 'data', 'lab.idx'), idxBytes([4], [1, 0, 1, 0]));
  writeFile(join(project, 'data', 'rows.csv'), ['a,0,0,0,0', 'b,255,255,255,255', 'a,1,2,3', 'b,9,9,9,9'].join('\n'));
  writeFile(join(project, 'data', 'header.csv'), 'label,p0\n');
});

afterAll(() => remove());

describe('openDataset', () => {
  it('opens MNIST with its own test split; the validation fraction comes from the training set', () => {
    const opened = openDataset({ kind: 'mnist' }, project, { validation: 0.1, test: 0.2, seed: 1 });
    expect(opened.train.size).toBe(54_000);
    expect(opened.validation!.size).toBe(6_000);
    expect(opened.test!.size).toBe(10_000);
    expect(opened.classes).toHaveLength(10);
    expect(opened.problems).toEqual([]);
  });

  it('opens synthetic shapes, split and normalised, the training split augmented', () => {
    const opened = openDataset(
      { kind: 'shapes', task: 'classify', samples: 400, channels: 3, size: 16, seed: 4 },
      project,
      { validation: 0.25, test: 0.25, seed: 2 },
      { normalise: true, augment: { flipHorizontal: true, rotate: 10 } },
    );
    expect([opened.train.size, opened.validation!.size, opened.test!.size]).toEqual([200, 100, 100]);
    expect(opened.classes).toEqual(['circle', 'square', 'triangle', 'cross']);
    expect(opened.train.sampleShape).toEqual([3, 16, 16]);
    expect(opened.stats!.mean).toHaveLength(3);
    expect(opened.train.name).toContain('augmented');
    expect(opened.test!.name).not.toContain('augmented');
    const test = measureChannelStats(opened.test!);
    test.mean.forEach((mean) => expect(Math.abs(mean)).toBeLessThan(0.3));
  });

  it('opens shapes for size regression and denoising pairs, without a split', () => {
    const sizes = openDataset({ kind: 'shapes', task: 'size', samples: 20 }, project);
    expect(sizes.train.target).toEqual({ kind: 'values', shape: [1] });
    expect(sizes.classes).toBeUndefined();
    expect(sizes.validation).toBeUndefined();
    const denoise = openDataset({ kind: 'denoise', samples: 30, noise: 0.3 }, project, { validation: 0.1, test: 0, seed: 0 });
    expect(denoise.train.target).toEqual({ kind: 'values', shape: [1, 28, 28] });
    expect(denoise.train.size).toBe(27);
  });

  it('opens an image folder relative to the project, with its problems', () => {
    const opened = openDataset({ kind: 'folder', path: 'photos', size: 8, channels: 1 }, project, { validation: 0.2, test: 0, seed: 3 });
    expect(opened.classes).toEqual(['dark', 'light']);
    expect(opened.train.size + opened.validation!.size).toBe(20);
    expect(opened.problems).toHaveLength(1);
    expect(opened.problems[0].path).toBe(join(project, 'photos', 'light', 'broken.jpg'));
    const { y } = read(opened.train, [0, opened.train.size - 1]);
    expect([...y]).toEqual([0, 1]);
  });

  it('opens IDX and CSV files relative to the project', () => {
    const idx = openDataset({ kind: 'idx', images: 'data/img.idx', labels: 'data/lab.idx' }, project);
    expect(idx.train.size).toBe(4);
    expect(idx.classes).toEqual(['0', '1']);
    const csv = openDataset({ kind: 'csv', path: 'data/rows.csv' }, project);
    expect(csv.train.size).toBe(3);
    expect(csv.classes).toEqual(['a', 'b']);
    expect(csv.problems).toEqual([expect.objectContaining({ line: 3 })]);
  });

  it('throws one clear error naming the path for missing or empty data', () => {
    const missing = join(project, 'nowhere');
    expect(() => openDataset({ kind: 'folder', path: 'nowhere', size: 28, channels: 1 }, project)).toThrow(
      `the image folder ${missing} does not exist; choose a folder that holds one subfolder of images per class`,
    );
    expect(() => openDataset({ kind: 'csv', path: 'data/header.csv' }, project)).toThrow(DatasetOpenError);
    expect(() => openDataset({ kind: 'csv', path: 'data/header.csv' }, project)).toThrow(/header\.csv has no usable rows/);
    expect(() => openDataset({ kind: 'idx', images: 'data/none.idx', labels: 'data/lab.idx' }, project)).toThrow(
      /none\.idx does not exist/,
    );
    expect(() => openDataset({ kind: 'shapes', task: 'classify', samples: 2 }, project, { validation: 0.5, test: 0.5, seed: 0 })).toThrow(
      /cannot be split: .*nothing to train on/,
    );
    expect(() => openDataset({ kind: 'nonsense' } as never, project)).toThrow(/unknown dataset kind 'nonsense'/);
  });
});

describe('previewSamples', () => {
  it('returns distinct samples as plain arrays with labels and class names', () => {
    const { train, classes } = openDataset({ kind: 'shapes', task: 'classify', samples: 100 }, project);
    const preview = previewSamples(train, 6, classes);
    expect(preview).toHaveLength(6);
    expect(new Set(preview.map((sample) => sample.index)).size).toBe(6);
    expect(preview.map((sample) => sample.index)).toEqual([...preview.map((sample) => sample.index)].sort((a, b) => a - b));
    for (const sample of preview) {
      expect(Array.isArray(sample.pixels)).toBe(true);
      expect(sample.pixels).toHaveLength(28 * 28);
      expect(sample.shape).toEqual([1, 28, 28]);
      expect(sample.label).toBe(sample.index % 4);
      expect(sample.className).toBe(classes![sample.label!]);
    }
    expect(JSON.parse(JSON.stringify(preview))).toEqual(preview);
    expect(previewSamples(train, 6, classes)).toEqual(preview);
  });

  it('returns target values, and no more samples than there are', () => {
    const { train } = openDataset({ kind: 'shapes', task: 'size', samples: 3 }, project);
    const preview = previewSamples(train, 10);
    expect(preview.map((sample) => sample.index)).toEqual([0, 1, 2]);
    expect(preview[0].target).toHaveLength(1);
    expect(preview[0].label).toBeUndefined();
    expect(previewSamples(train, 0)).toEqual([]);
  });
});
