/**
 * The colour maps of the visualisations. Signed values (weights) use a diverging map, blue for
 * negative, near-white for zero, red for positive, as in ColorBrewer's RdBu; unsigned ones
 * (activations, images) are grey levels.
 */
import type { Rgb } from './image';

export const NEGATIVE: Rgb = [33, 102, 172];
export const ZERO: Rgb = [247, 247, 247];
export const POSITIVE: Rgb = [178, 24, 43];

/**
 * `t` from -1 to 1 (clamped) into `out`: straight lines from ZERO to NEGATIVE and from ZERO to
 * POSITIVE, each channel rounded to the nearest byte. NaN counts as zero.
 */
export const diverging = (t: number, out: [number, number, number]): void => {
  const s = Number.isNaN(t) ? 0 : Math.max(-1, Math.min(1, t));
  const end = s < 0 ? NEGATIVE : POSITIVE;
  const a = Math.abs(s);
  for (let i = 0; i < 3; i++) out[i] = Math.round(ZERO[i] + (end[i] - ZERO[i]) * a);
};

/** `value / scale` from -1..1 to a byte, 0 at -scale, 128 at zero, 255 at +scale (128 when scale is 0). */
export const signedByte = (value: number, scale: number): number => {
  if (!(scale > 0) || Number.isNaN(value)) return 128;
  return Math.max(0, Math.min(255, Math.round(127.5 + (127.5 * value) / scale)));
};

/** `value` from min..max to a byte, 0 to 255; 0 when the range is empty (a constant map). */
export const unitByte = (value: number, min: number, max: number): number => {
  if (!(max > min) || Number.isNaN(value)) return 0;
  return Math.max(0, Math.min(255, Math.round((255 * (value - min)) / (max - min))));
};

/** The smallest and largest of `values[from .. from + count)`, ignoring NaN ({0, 0} when none). */
export const rangeOf = (values: ArrayLike<number>, from: number, count: number): { min: number; max: number } => {
  let min = Infinity;
  let max = -Infinity;
  for (let i = from; i < from + count; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : { min: 0, max: 0 };
};

/** The largest |value| of `values[from .. from + count)`, ignoring NaN. */
export const largestMagnitude = (values: ArrayLike<number>, from: number, count: number): number => {
  let largest = 0;
  for (let i = from; i < from + count; i++) {
    const a = Math.abs(values[i]);
    if (a > largest) largest = a;
  }
  return largest;
};
