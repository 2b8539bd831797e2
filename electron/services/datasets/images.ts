/**
 * Decoding PNG and JPEG files with pure-JS decoders (pngjs, jpeg-js) into RGBA bytes, with the
 * failures worded for the user. The format is read from the file's first bytes, not its name.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

/** Pictures larger than this are refused before they are decoded (a 12-megapixel photo is fine). */
export const MAX_IMAGE_PIXELS = 50_000_000;

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** RGBA, row by row. */
  readonly data: Uint8Array;
}

/** Why a file could not be used; the message is the reason a DatasetProblem shows. */
export class ImageDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export type ImageFormat = 'png' | 'jpeg';

/** The format announced by a file's first bytes, or null. */
export const sniffImage = (bytes: Uint8Array): ImageFormat | null => {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
};

const decoderMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const decodeImage = (bytes: Uint8Array): DecodedImage => {
  if (bytes.length === 0) throw new ImageDecodeError('the file is empty');
  const format = sniffImage(bytes);
  if (format === 'png') {
    if (bytes.length < 33) throw new ImageDecodeError('truncated PNG: the file ends inside its header');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const width = view.getUint32(16);
    const height = view.getUint32(20);
    if (width * height > MAX_IMAGE_PIXELS) throw new ImageDecodeError(`the PNG is ${width}×${height}, too large to decode`);
    try {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: png.data };
    } catch (error) {
      throw new ImageDecodeError(`corrupt or truncated PNG (${decoderMessage(error)})`);
    }
  }
  if (format === 'jpeg') {
    try {
      const image = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        tolerantDecoding: false,
        maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
        maxMemoryUsageInMB: 1024,
      });
      if (!image.width || !image.height) throw new Error('no picture in it');
      return image;
    } catch (error) {
      throw new ImageDecodeError(`corrupt or truncated JPEG (${decoderMessage(error)})`);
    }
  }
  throw new ImageDecodeError('not a PNG or JPEG file, though its name says so');
};
