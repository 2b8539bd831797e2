// An image folder of real PNG and JPEG files, with broken files, stray files and an empty class.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetOpenError } from '../../../../engine/data/problems';
import { openImageFolder } from '../../../../electron/services/datasets/folder';
import { read } from '../../../engine/data/helpers';
import { jpegBytes, pngBytes, temporaryFolder, writeFile } from './helpers';

let root: string;
let remove: () => void;

beforeAll(() => {
  ({ folder: root, remove } = temporaryFolder('folder'));
  // circle/: an orange 40×30 PNG, a 56×56 half-white PNG, a grey-format PNG, a half-transparent PNG.
  writeFile(
    join(root, 'circle', 'a-orange.png'),
    pngBytes(40, 30, () => [200, 100, 50]),
  );
  writeFile(
    join(root, 'circle', 'b-halves.png'),
    pngBytes(56, 56, (row, column) => (column < 28 ? [255, 255, 255] : [0, 0, 0])),
  );
  writeFile(
    join(root, 'circle', 'c-grey.png'),
    pngBytes(10, 20, () => [90, 90, 90], { grey: true }),
  );
  writeFile(
    join(root, 'circle', 'd-clear.png'),
    pngBytes(8, 8, (row) => [255, 255, 255, row < 4 ? 0 : 255]),
  );
  // square/: a blue 64×48 JPEG, one in a subfolder, a corrupt PNG, a truncated JPEG, a text file.
  writeFile(
    join(root, 'square', 'blue.jpg'),
    jpegBytes(64, 48, () => [20, 60, 220]),
  );
  writeFile(
    join(root, 'square', 'more', 'green.JPEG'),
    jpegBytes(17, 33, () => [30, 200, 40]),
  );
  const corrupt = pngBytes(20, 20, (row, column) => [row * 10, column * 10, 0]);
  for (let i = 40; i < corrupt.length - 12; i++) corrupt[i] ^= 0x55;
  writeFile(join(root, 'square', 'corrupt.png'), corrupt);
  const whole = jpegBytes(64, 64, (row, column) => [row * 4, column * 4, 100]);
  writeFile(join(root, 'square', 'truncated.jpg'), whole.subarray(0, Math.floor(whole.length / 2)));
  writeFile(join(root, 'square', 'notes.txt'), 'not an image');
  writeFile(join(root, 'square', 'fake.png'), 'plain text in a png');
  writeFile(join(root, 'square', '.DS_Store'), 'hidden');
  // triangle/: no images at all; a file outside any class folder.
  writeFile(join(root, 'triangle', 'readme.md'), '# nothing here');
  writeFile(join(root, 'labels.csv'), 'stray');
});

afterAll(() => remove());

/** A byte as a Float32 sample value. */
const level = (byte: number) => Math.fround(byte / 255);

const reasonFor = (problems: { path: string; reason: string }[], name: string) =>
  problems.find((problem) => problem.path.endsWith(name))?.reason;

describe('an image folder', () => {
  it('loads the readable images, one class per non-empty folder, and lists every problem', () => {
    const dataset = openImageFolder(root, { size: 28, channels: 3 });
    expect(dataset.classes).toEqual(['circle', 'square']);
    expect(dataset.size).toBe(6);
    expect(dataset.target).toEqual({ kind: 'class', classes: 2 });
    expect(dataset.sampleShape).toEqual([3, 28, 28]);
    const { problems } = dataset;
    expect(reasonFor(problems, 'corrupt.png')).toMatch(/corrupt or truncated PNG/);
    expect(reasonFor(problems, 'truncated.jpg')).toMatch(/corrupt or truncated JPEG/);
    expect(reasonFor(problems, 'notes.txt')).toMatch(/not a PNG or JPEG file \(\.txt\)/);
    expect(reasonFor(problems, 'fake.png')).toMatch(/not a PNG or JPEG file/);
    expect(reasonFor(problems, 'readme.md')).toMatch(/not a PNG or JPEG/);
    expect(reasonFor(problems, 'triangle')).toMatch(/no usable PNG or JPEG images; it is left out/);
    expect(reasonFor(problems, 'labels.csv')).toMatch(/not inside a class folder/);
    expect(problems.some((problem) => problem.path.includes('.DS_Store'))).toBe(false);
    expect(problems).toHaveLength(7);
    expect(problems.every((problem) => problem.path.startsWith(root))).toBe(true);
    const { y } = read(dataset, [0, 1, 2, 3, 4, 5]);
    expect([...y]).toEqual([0, 0, 0, 0, 1, 1]);
    expect(dataset.paths.map((path) => path.slice(root.length + 1))).toEqual([
      join('circle', 'a-orange.png'),
      join('circle', 'b-halves.png'),
      join('circle', 'c-grey.png'),
      join('circle', 'd-clear.png'),
      join('square', 'blue.jpg'),
      join('square', 'more', 'green.JPEG'),
    ]);
  });

  it('resizes to size × size and converts colour: RGB planes, or grey by ITU-R 601 luma', () => {
    const rgb = openImageFolder(root, { size: 28, channels: 3 });
    const grey = openImageFolder(root, { size: 28, channels: 1 });
    const plane = 28 * 28;
    const colour = read(rgb, [0]).x;
    expect(new Set(colour.subarray(0, plane))).toEqual(new Set([level(200)]));
    expect(new Set(colour.subarray(plane, 2 * plane))).toEqual(new Set([level(100)]));
    expect(new Set(colour.subarray(2 * plane))).toEqual(new Set([level(50)]));
    expect(new Set(read(grey, [0]).x)).toEqual(new Set([level(124)])); // 0.299·200 + 0.587·100 + 0.114·50
    // 56 → 28 by area: the white half stays exactly white, the black half black.
    const halves = read(grey, [1]).x;
    for (let row = 0; row < 28; row++) {
      expect(halves[row * 28 + 13]).toBe(1);
      expect(halves[row * 28 + 14]).toBe(0);
    }
    // A grey-format PNG reads the same in every channel; transparency composes over black.
    expect(new Set(read(rgb, [2]).x)).toEqual(new Set([level(90)]));
    const clear = read(grey, [3]).x;
    expect(clear[0]).toBe(0);
    expect(clear[27 * 28]).toBe(1);
    // JPEG is lossy: the blue stays within a few levels.
    const blue = read(rgb, [4]).x;
    const near = (value: number, expected: number) => Math.abs(value * 255 - expected) <= 4;
    expect(near(blue[400], 20) && near(blue[plane + 400], 60) && near(blue[2 * plane + 400], 220)).toBe(true);
    const green = read(grey, [5]).x;
    expect(Math.abs(green[300] * 255 - (0.299 * 30 + 0.587 * 200 + 0.114 * 40))).toBeLessThan(4);
  });

  it('resizes bilinearly when asked, to other sizes', () => {
    const dataset = openImageFolder(root, { size: 7, channels: 1, resize: 'bilinear' });
    expect(dataset.sampleShape).toEqual([1, 7, 7]);
    const { x } = read(dataset, [1]);
    expect([...x.subarray(0, 7)].map((v) => Math.round(v * 255))).toEqual([255, 255, 255, 128, 0, 0, 0]);
  });

  it('streams with a small cache: samples read the same, and the cache stays within its budget', () => {
    const cached = openImageFolder(root, { size: 28, channels: 3 });
    const streaming = openImageFolder(root, { size: 28, channels: 3, cacheBytes: 2 * 3 * 28 * 28 });
    expect(streaming.cache.slots).toBe(2);
    const order = [5, 0, 3, 1, 4, 2, 0, 5];
    expect(read(streaming, order)).toEqual(read(cached, order));
    expect(streaming.cache.size).toBe(2);
    const none = openImageFolder(root, { size: 28, channels: 3, cacheBytes: 0 });
    expect(none.cache.slots).toBe(0);
    expect(read(none, order)).toEqual(read(cached, order));
  });

  it('checks only headers when asked; a file that fails later reads as black and is reported, without throwing', () => {
    const dataset = openImageFolder(root, { size: 28, channels: 1, verify: 'header', cacheBytes: 0 });
    // The corrupt PNG and truncated JPEG start like images, so they pass; the text files do not.
    expect(dataset.size).toBe(8);
    expect(reasonFor(dataset.problems, 'fake.png')).toMatch(/not a PNG or JPEG/);
    const index = dataset.paths.findIndex((path) => path.endsWith('corrupt.png'));
    const { x } = read(dataset, [index, index]);
    expect(x.every((value) => value === 0)).toBe(true);
    expect(dataset.problems.filter((problem) => problem.path.endsWith('corrupt.png'))).toHaveLength(1);
    expect(reasonFor(dataset.problems, 'corrupt.png')).toMatch(/reads as a black image/);
  });

  it('reports a file deleted after opening when it is read', () => {
    const { folder, remove: removeCopy } = temporaryFolder('deleted');
    try {
      writeFile(
        join(folder, 'a', '1.png'),
        pngBytes(4, 4, () => [255, 255, 255]),
      );
      writeFile(
        join(folder, 'a', '2.png'),
        pngBytes(4, 4, () => [255, 255, 255]),
      );
      const dataset = openImageFolder(folder, { size: 4, channels: 1, cacheBytes: 0 });
      rmSync(join(folder, 'a', '2.png'));
      const { x } = read(dataset, [0, 1]);
      expect([...x.subarray(0, 16)].every((v) => v === 1)).toBe(true);
      expect([...x.subarray(16)].every((v) => v === 0)).toBe(true);
      expect(reasonFor(dataset.problems, '2.png')).toMatch(/the file is missing/);
    } finally {
      removeCopy();
    }
  });

  it('throws a clear error for a missing folder, a folder without class folders, and one without usable images', () => {
    const missing = join(root, 'nowhere');
    expect(existsSync(missing)).toBe(false);
    expect(() => openImageFolder(missing, { size: 28, channels: 1 })).toThrow(DatasetOpenError);
    expect(() => openImageFolder(missing, { size: 28, channels: 1 })).toThrow(`the image folder ${missing} does not exist`);
    expect(() => openImageFolder(join(root, 'labels.csv'), { size: 28, channels: 1 })).toThrow(/is a file, not a folder/);
    expect(() => openImageFolder(join(root, 'circle'), { size: 28, channels: 1 })).toThrow(/has no class folders/);
    expect(() => openImageFolder(root, { size: 0, channels: 1 })).toThrow(/image size/);
    const { folder, remove: removeEmpty } = temporaryFolder('empty');
    try {
      writeFile(join(folder, 'cats', 'a.txt'), 'no');
      writeFile(join(folder, 'dogs', 'b.png'), 'not a png');
      expect(() => openImageFolder(folder, { size: 28, channels: 1 })).toThrow(/holds no usable images/);
    } finally {
      removeEmpty();
    }
  });
});
