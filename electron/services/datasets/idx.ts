/**
 * IDX image and label files from paths (MNIST's format; gzip-compressed files, as MNIST is
 * downloaded, are unpacked on the fly). Images are [count, height, width] bytes; labels
 * [count] bytes, the classes 0 … max. Every failure is a DatasetOpenError naming the file and the fix.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ByteImageDataset } from '../../../engine/data/dataset';
import { parseIdx, type IdxArray } from '../../../engine/data/idx';
import { DatasetOpenError } from '../../../engine/data/problems';

const readIdxFile = (path: string, what: string): IdxArray => {
  let bytes: Uint8Array;
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    bytes = new Uint8Array(readFileSync(path));
  } catch {
    throw new DatasetOpenError(
      path,
      `the IDX ${what} file ${path} does not exist or cannot be read; check its path in the dataset settings`,
    );
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = new Uint8Array(gunzipSync(bytes));
    } catch (error) {
      throw new DatasetOpenError(
        path,
        `the IDX ${what} file ${path} is gzip-compressed but cannot be unpacked (${(error as Error).message}); download it again`,
      );
    }
  }
  try {
    return parseIdx(bytes, `the IDX ${what} file ${path}`);
  } catch (error) {
    throw new DatasetOpenError(path, `${(error as Error).message}; download it again, or choose the right file`);
  }
};

/** Opens an IDX pair; `name` names the dataset. */
export const loadIdxDataset = (imagesPath: string, labelsPath: string, name = 'IDX'): ByteImageDataset => {
  const imagesFile = resolve(imagesPath);
  const labelsFile = resolve(labelsPath);
  const images = readIdxFile(imagesFile, 'images');
  const labels = readIdxFile(labelsFile, 'labels');
  if (images.dims.length !== 3) {
    throw new DatasetOpenError(
      imagesFile,
      `the IDX images file ${imagesFile} holds an array of ${images.dims.join('×')}; images need three dimensions (count × height × width). Is it a labels file?`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new DatasetOpenError(
      labelsFile,
      `the IDX labels file ${labelsFile} holds an array of ${labels.dims.join('×')}; labels need one dimension (count). Are the images and labels swapped?`,
    );
  }
  const [count, height, width] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DatasetOpenError(
      labelsFile,
      `${imagesFile} holds ${count} images but ${labelsFile} holds ${labels.dims[0]} labels; choose the labels file that belongs to these images`,
    );
  }
  if (count === 0) throw new DatasetOpenError(imagesFile, `the IDX images file ${imagesFile} holds no images`);
  let classes = 0;
  for (const label of labels.data) classes = Math.max(classes, label + 1);
  return new ByteImageDataset(name, [1, height, width], images.data, labels.data, classes);
};
