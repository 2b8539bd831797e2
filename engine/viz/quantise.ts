/**
 * Maps sent as 8-bit images with their scale: value ≈ min + byte · scale, where the bytes span
 * the map's own range (scale = (max − min) / 255; 0 for a constant map). A quarter of float32's
 * size, and as exact as a screen shows.
 */

export interface QuantisedMap<Data = Uint8Array> {
  readonly name: string;
  /** [C, H, W] or [H, W]. */
  readonly shape: number[];
  readonly min: number;
  readonly scale: number;
  /** One byte per value, in the shape's row-major order (Uint8Array in the worker, base64 text on the wire). */
  readonly data: Data;
}

export const quantise = (name: string, values: ArrayLike<number>, shape: readonly number[]): QuantisedMap => {
  const count = shape.reduce((a, b) => a * b, 1);
  if (values.length < count) throw new Error(`${name}: a map of shape [${shape.join(', ')}] needs ${count} values, not ${values.length}`);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(min <= max)) min = max = 0;
  const scale = max > min ? (max - min) / 255 : 0;
  const data = new Uint8Array(count);
  if (scale > 0) for (let i = 0; i < count; i++) data[i] = Math.round((values[i] - min) / scale);
  return { name, shape: [...shape], min, scale, data };
};

export const dequantise = (map: QuantisedMap): Float32Array => Float32Array.from(map.data, (byte) => map.min + byte * map.scale);

/** The largest |value| a map holds: its range's end furthest from zero. */
export const mapMagnitude = (map: QuantisedMap<unknown>): number => Math.max(Math.abs(map.min), Math.abs(map.min + 255 * map.scale));
