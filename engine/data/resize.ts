/**
 * Bringing a decoded picture (RGBA bytes, row by row, as the PNG and JPEG decoders give) to a
 * size×size sample. Both methods are separable (rows first, then columns) and work straight from
 * the RGBA bytes, so a large photo needs no full-size float copy:
 *  - 'area': each output pixel is the average of the source area it covers, with fractional
 *    weights at its edges (OpenCV's INTER_AREA); the right choice for shrinking;
 *  - 'bilinear': half-pixel centres, no antialiasing (PyTorch's interpolate with align_corners
 *    false), edges clamped.
 * Colour: transparent pixels are composed over black (premultiplied by alpha); grey is ITU-R 601
 * luma (0.299 R + 0.587 G + 0.114 B), as Pillow's convert('L'). Results are rounded to bytes.
 */
import type { ImageResize } from './spec';

/** Per output index: the first source index, the number of taps and where its weights start. */
interface Taps {
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly offset: Int32Array;
  readonly weights: Float64Array;
}

const areaTaps = (source: number, target: number): Taps => {
  const scale = source / target;
  const first = new Int32Array(target);
  const count = new Int32Array(target);
  const offset = new Int32Array(target);
  const weights: number[] = [];
  for (let o = 0; o < target; o++) {
    const from = o * scale;
    const to = Math.min(source, (o + 1) * scale);
    const lo = Math.floor(from);
    const hi = Math.min(source, Math.ceil(to));
    first[o] = lo;
    offset[o] = weights.length;
    for (let k = lo; k < hi; k++) weights.push((Math.min(to, k + 1) - Math.max(from, k)) / scale);
    count[o] = hi - lo;
  }
  return { first, count, offset, weights: Float64Array.from(weights) };
};

const bilinearTaps = (source: number, target: number): Taps => {
  const scale = source / target;
  const first = new Int32Array(target);
  const count = new Int32Array(target).fill(2);
  const offset = new Int32Array(target);
  const weights = new Float64Array(2 * target);
  for (let o = 0; o < target; o++) {
    const at = Math.min(source - 1, Math.max(0, (o + 0.5) * scale - 0.5));
    const lo = Math.min(Math.floor(at), Math.max(0, source - 2));
    const fraction = at - lo;
    first[o] = lo;
    offset[o] = 2 * o;
    if (source === 1) {
      count[o] = 1;
      weights[2 * o] = 1;
    } else {
      weights[2 * o] = 1 - fraction;
      weights[2 * o + 1] = fraction;
    }
  }
  return { first, count, offset, weights };
};

const taps = (method: ImageResize, source: number, target: number): Taps =>
  method === 'area' ? areaTaps(source, target) : bilinearTaps(source, target);

/** Resizes RGBA pictures into byte samples; keeps its scratch space between calls. */
export class ImageResizer {
  /** Rows resized horizontally: height × size × 3 premultiplied values. */
  private rows = new Float32Array(0);
  /** The resized picture: 3 planes of size × size, 0–255. */
  private planes = new Float32Array(0);

  /**
   * Writes the `channels` × size × size sample (planar, bytes) of an RGBA picture into
   * out[offset ..].
   */
  resize(
    rgba: Uint8Array,
    width: number,
    height: number,
    size: number,
    channels: 1 | 3,
    method: ImageResize,
    out: Uint8Array,
    offset: number,
  ): void {
    if (rgba.length < width * height * 4) throw new RangeError(`an RGBA picture of ${width}×${height} needs ${width * height * 4} bytes`);
    const horizontal = taps(method, width, size);
    const vertical = taps(method, height, size);
    if (this.rows.length < height * size * 3) this.rows = new Float32Array(height * size * 3);
    if (this.planes.length < 3 * size * size) this.planes = new Float32Array(3 * size * size);
    const rows = this.rows;
    for (let y = 0; y < height; y++) {
      const line = y * width * 4;
      for (let o = 0; o < size; o++) {
        let r = 0;
        let g = 0;
        let b = 0;
        const start = horizontal.first[o];
        const weightAt = horizontal.offset[o];
        for (let k = 0; k < horizontal.count[o]; k++) {
          const p = line + (start + k) * 4;
          const w = (horizontal.weights[weightAt + k] * rgba[p + 3]) / 255;
          r += w * rgba[p];
          g += w * rgba[p + 1];
          b += w * rgba[p + 2];
        }
        const at = (y * size + o) * 3;
        rows[at] = r;
        rows[at + 1] = g;
        rows[at + 2] = b;
      }
    }
    const plane = size * size;
    const planes = this.planes;
    for (let o = 0; o < size; o++) {
      const start = vertical.first[o];
      const weightAt = vertical.offset[o];
      for (let column = 0; column < size; column++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let k = 0; k < vertical.count[o]; k++) {
          const at = ((start + k) * size + column) * 3;
          const w = vertical.weights[weightAt + k];
          r += w * rows[at];
          g += w * rows[at + 1];
          b += w * rows[at + 2];
        }
        const pixel = o * size + column;
        planes[pixel] = r;
        planes[plane + pixel] = g;
        planes[2 * plane + pixel] = b;
      }
    }
    if (channels === 3) {
      for (let j = 0; j < 3 * plane; j++) out[offset + j] = toByte(planes[j]);
    } else {
      for (let j = 0; j < plane; j++)
        out[offset + j] = toByte(0.299 * planes[j] + 0.587 * planes[plane + j] + 0.114 * planes[2 * plane + j]);
    }
  }
}

const toByte = (value: number): number => (value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value));
