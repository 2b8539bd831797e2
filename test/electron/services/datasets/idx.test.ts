// IDX image and label files from paths, with clear errors for missing, truncated and mismatched files.
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetOpenError } from '../../../../engine/data/problems';
import { loadIdxDataset } from '../../../../electron/services/datasets/idx';
import { read } from '../../../engine/data/helpers';
import { idxBytes, temporaryFolder, writeFile } from './helpers';

let folder: string;
let remove: () => void;
const pixels = Array.from({ length: 5 * 3 * 4 }, (_, i) => (i * 7) % 256);

beforeAll(() => {
  ({ folder, remove } = temporaryFolder('idx'));
  writeFile(join(folder, 'images.idx'), idxBytes([5, 3, 4], pixels));
  writeFile(join(folder, 'labels.idx'), idxBytes([5], [0, 3, 1, 3, 2]));
  writeFile(join(folder, 'images.idx.gz'), gzipSync(idxBytes([5, 3, 4], pixels)));
  writeFile(join(folder, 'labels-4.idx'), idxBytes([4], [0, 1, 2, 3]));
  writeFile(join(folder, 'truncated.idx'), idxBytes([5, 3, 4], pixels).subarray(0, 40));
  writeFile(join(folder, 'floats.idx'), Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 0]));
  writeFile(join(folder, 'text.idx'), 'hello, world');
  writeFile(join(folder, 'broken.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
});

afterAll(() => remove());

describe('IDX files', () => {
  it('load images and labels: [1, H, W] samples scaled to [0, 1], classes 0 … max', () => {
    const dataset = loadIdxDataset(join(folder, 'images.idx'), join(folder, 'labels.idx'), 'digits');
    expect(dataset.name).toBe('digits');
    expect(dataset.size).toBe(5);
    expect(dataset.sampleShape).toEqual([1, 3, 4]);
    expect(dataset.target).toEqual({ kind: 'class', classes: 4 });
    const { x, y } = read(dataset, [1, 4]);
    expect([...y]).toEqual([3, 2]);
    expect(x[0]).toBeCloseTo(pixels[12] / 255, 6);
    expect(x[12 + 11]).toBeCloseTo(pixels[4 * 12 + 11] / 255, 6);
  });

  it('unpack gzip-compressed files', () => {
    const dataset = loadIdxDataset(join(folder, 'images.idx.gz'), join(folder, 'labels.idx'));
    expect(read(dataset, [2]).x).toEqual(read(loadIdxDataset(join(folder, 'images.idx'), join(folder, 'labels.idx')), [2]).x);
  });

  it('name the file and the fix when something is wrong', () => {
    const images = join(folder, 'images.idx');
    const labels = join(folder, 'labels.idx');
    const fails = (a: string, b: string) => {
      try {
        loadIdxDataset(a, b);
      } catch (error) {
        expect(error).toBeInstanceOf(DatasetOpenError);
        return error as DatasetOpenError;
      }
      throw new Error('expected an error');
    };
    const missing = fails(join(folder, 'nope.idx'), labels);
    expect(missing.message).toBe(
      `the IDX images file ${join(folder, 'nope.idx')} does not exist or cannot be read; check its path in the dataset settings`,
    );
    expect(missing.path).toBe(join(folder, 'nope.idx'));
    expect(fails(images, join(folder, 'nolabels.idx')).message).toMatch(/IDX labels file .*nolabels\.idx does not exist/);
    expect(fails(join(folder, 'truncated.idx'), labels).message).toMatch(
      /truncated.idx is truncated: its header promises 5×3×4 = 60 values but 24 bytes follow/,
    );
    expect(fails(images, join(folder, 'labels-4.idx')).message).toMatch(/holds 5 images but .*labels-4\.idx holds 4 labels/);
    expect(fails(labels, images).message).toMatch(/holds an array of 5; images need three dimensions/);
    expect(fails(images, images).message).toMatch(/labels need one dimension/);
    expect(fails(join(folder, 'floats.idx'), labels).message).toMatch(/element type 0xd; only unsigned bytes/);
    expect(fails(join(folder, 'text.idx'), labels).message).toMatch(/not an IDX file/);
    expect(fails(join(folder, 'broken.gz'), labels).message).toMatch(/gzip-compressed but cannot be unpacked/);
    expect(fails(folder, labels).message).toMatch(/does not exist or cannot be read/);
  });
});
