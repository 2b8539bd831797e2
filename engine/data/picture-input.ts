/**
 * A picture (a drawing or a decoded image file, RGBA bytes row by row) as one input sample of a
 * network: [channels, height, width] float32, as the training data gave them (values 0–1, then
 * normalised with the training split's statistics when the project normalises).
 *
 * Shrinking averages the source area each input pixel covers (fractional weights at its edges),
 * so thin strokes survive as grey instead of vanishing. `centre` lays out a drawing as MNIST's
 * digits are: the ink's bounding box scaled to fit 20/28 of the frame (keeping its proportions),
 * its centre of mass at the frame's centre.
 */
import type { Shape } from '../graph/shape';

export interface Picture {
  /** RGBA bytes, row by row (ImageData's layout). */
  readonly rgba: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
}

export interface Normalisation {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface PictureInputOptions {
  /** The Input's [channels, height, width]. */
  readonly shape: Shape;
  /** Per-channel statistics of the training split, when the project normalises. */
  readonly normalisation?: Normalisation | null;
  /** Fit the ink's bounding box and centre its mass, as MNIST (see the file's comment). */
  readonly centre?: boolean;
}

/** The share of the frame MNIST's digits are scaled to fill (20 of 28 pixels). */
export const DIGIT_BOX = 20 / 28;
/** Values above this count as ink when finding the bounding box. */
const INK = 0.1;

/**
 * For each output index: the source pixels the interval [start + i·step, start + (i+1)·step)
 * overlaps, each with the share of the interval it covers. Source pixels outside 0 … length−1
 * are left out (they count as black).
 */
const areaTaps = (start: number, step: number, outputs: number, length: number): { index: number; weight: number }[][] =>
  Array.from({ length: outputs }, (_, i) => {
    const from = start + i * step;
    const to = from + step;
    const taps: { index: number; weight: number }[] = [];
    for (let pixel = Math.max(0, Math.floor(from)); pixel < Math.min(length, Math.ceil(to)); pixel++) {
      const covered = Math.min(to, pixel + 1) - Math.max(from, pixel);
      if (covered > 0) taps.push({ index: pixel, weight: covered / step });
    }
    return taps;
  });

/** The picture as planes of 0–1 values: grey (ITU-R 601 luma) or R, G, B; transparency is composed over black. */
const toPlanes = (picture: Picture, channels: number): Float32Array[] => {
  const { rgba, width, height } = picture;
  if (rgba.length < width * height * 4)
    throw new RangeError(`a ${width}×${height} picture needs ${width * height * 4} RGBA bytes, not ${rgba.length}`);
  const size = width * height;
  const planes = Array.from({ length: channels }, () => new Float32Array(size));
  for (let p = 0; p < size; p++) {
    const alpha = rgba[p * 4 + 3] / 255;
    const [r, g, b] = [rgba[p * 4] / 255, rgba[p * 4 + 1] / 255, rgba[p * 4 + 2] / 255];
    if (channels === 1) planes[0][p] = alpha * (0.299 * r + 0.587 * g + 0.114 * b);
    else [r, g, b].forEach((value, c) => (planes[c][p] = alpha * value));
  }
  return planes;
};

/** Whether a grey picture is dark ink on a light ground (its border is mostly light): MNIST's are light on dark. */
const lightBackground = (plane: Float32Array, width: number, height: number): boolean => {
  let sum = 0;
  let count = 0;
  for (let x = 0; x < width; x++) {
    sum += plane[x] + plane[(height - 1) * width + x];
    count += 2;
  }
  for (let y = 0; y < height; y++) {
    sum += plane[y * width] + plane[y * width + width - 1];
    count += 2;
  }
  return sum / count > 0.5;
};

/** Where the source window starts and how many source pixels one input pixel covers, along x and y. */
interface Window {
  readonly x: number;
  readonly y: number;
  readonly stepX: number;
  readonly stepY: number;
}

/** The window that fits the ink's box into DIGIT_BOX of the frame with its centre of mass in the middle; null when there is no ink. */
const digitWindow = (ink: Float32Array, width: number, height: number, outWidth: number, outHeight: number): Window | null => {
  let [left, top, right, bottom] = [width, height, -1, -1];
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = ink[y * width + x];
      if (value <= INK) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
      mass += value;
      sumX += value * (x + 0.5);
      sumY += value * (y + 0.5);
    }
  }
  if (right < 0) return null;
  const side = Math.max(right - left + 1, bottom - top + 1);
  const step = side / (DIGIT_BOX * Math.min(outWidth, outHeight));
  return { x: sumX / mass - (outWidth / 2) * step, y: sumY / mass - (outHeight / 2) * step, stepX: step, stepY: step };
};

/** One input sample (a new Float32Array of channels × height × width) from a picture; see the file's comment. */
export const pictureInput = (picture: Picture, options: PictureInputOptions): Float32Array => {
  const { shape } = options;
  if (shape.length !== 3) throw new RangeError(`pictures are inputs of [channels, height, width], not of ${shape.join('×')}`);
  const [channels, outHeight, outWidth] = shape;
  if (channels !== 1 && channels !== 3) throw new RangeError(`pictures give 1 or 3 channels, not ${channels}`);
  const { width, height } = picture;
  if (width < 1 || height < 1) throw new RangeError(`the picture is empty (${width}×${height})`);
  const planes = toPlanes(picture, channels);
  if (channels === 1 && lightBackground(planes[0], width, height)) planes[0] = planes[0].map((value) => 1 - value);

  let window: Window | null = { x: 0, y: 0, stepX: width / outWidth, stepY: height / outHeight };
  if (options.centre) {
    const ink = channels === 1 ? planes[0] : planes[0].map((value, p) => (value + planes[1][p] + planes[2][p]) / 3);
    window = digitWindow(ink, width, height, outWidth, outHeight);
  }
  const out = new Float32Array(channels * outHeight * outWidth);
  if (window) {
    const columns = areaTaps(window.x, window.stepX, outWidth, width);
    const rows = areaTaps(window.y, window.stepY, outHeight, height);
    for (let c = 0; c < channels; c++) {
      const plane = planes[c];
      for (let oy = 0; oy < outHeight; oy++) {
        for (let ox = 0; ox < outWidth; ox++) {
          let sum = 0;
          for (const row of rows[oy])
            for (const column of columns[ox]) sum += row.weight * column.weight * plane[row.index * width + column.index];
          out[(c * outHeight + oy) * outWidth + ox] = sum;
        }
      }
    }
  }
  const normalisation = options.normalisation;
  if (normalisation) {
    if (normalisation.mean.length !== channels || normalisation.std.length !== channels)
      throw new RangeError(`the input has ${channels} channels but the normalisation has ${normalisation.mean.length}`);
    const plane = outHeight * outWidth;
    for (let c = 0; c < channels; c++) {
      // as NormalisedDataset: a channel with (almost) no spread is only centred
      const scale = normalisation.std[c] > 1e-6 ? 1 / normalisation.std[c] : 1;
      for (let j = c * plane; j < (c + 1) * plane; j++) out[j] = (out[j] - normalisation.mean[c]) * scale;
    }
  }
  return out;
};
