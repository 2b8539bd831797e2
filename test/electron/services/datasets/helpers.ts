// Real image, IDX and CSV files written into a temporary folder for the dataset tests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export type Pixel = (row: number, column: number) => [number, number, number, number?];

/** A fresh temporary folder and a function that removes it. */
export const temporaryFolder = (prefix: string): { folder: string; remove: () => void } => {
  const folder = mkdtempSync(join(tmpdir(), `cnn-studio-${prefix}-`));
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
};

const rgba = (width: number, height: number, pixel: Pixel): Buffer => {
  const data = Buffer.alloc(width * height * 4);
  for (let row = 0; row < height; row++)
    for (let column = 0; column < width; column++) {
      const [r, g, b, a = 255] = pixel(row, column);
      data.set([r, g, b, a], (row * width + column) * 4);
    }
  return data;
};

export const pngBytes = (width: number, height: number, pixel: Pixel, options: { grey?: boolean } = {}): Buffer => {
  const png = new PNG({ width, height });
  png.data = rgba(width, height, pixel);
  return options.grey ? PNG.sync.write(png, { colorType: 0 }) : PNG.sync.write(png);
};

export const jpegBytes = (width: number, height: number, pixel: Pixel, quality = 95): Buffer =>
  jpeg.encode({ width, height, data: rgba(width, height, pixel) }, quality).data;

export const writeFile = (path: string, bytes: Uint8Array | string): string => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
};

/** An IDX file of unsigned bytes. */
export const idxBytes = (dims: number[], data: ArrayLike<number>): Buffer => {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((dim, axis) => header.writeUInt32BE(dim, 4 + 4 * axis));
  return Buffer.concat([header, Buffer.from(Array.from(data))]);
};
