/**
 * Heat maps drawn over a sample: the sample in grey, a map in the "hot" colours (black, red,
 * yellow, white) blended over it in proportion to the map's value; and signed maps (occlusion,
 * deconvnet projections) in the diverging colours, blue below zero and red above.
 */
import { diverging, largestMagnitude, rangeOf, unitByte } from './colour';
import { blankImage, gridLayout, paintTile, tilePlace, type RgbaImage } from './image';

/** t in 0..1 → black, red, yellow, white. */
export const hot = (t: number, out: [number, number, number]): void => {
  const s = Number.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
  out[0] = Math.round(255 * Math.min(1, s * 3));
  out[1] = Math.round(255 * Math.min(1, Math.max(0, s * 3 - 1)));
  out[2] = Math.round(255 * Math.min(1, Math.max(0, s * 3 - 2)));
};

const single = (width: number, height: number, scale: number) => {
  const layout = gridLayout(1, 1, width, height, scale, 0);
  return { layout, image: blankImage(layout), place: tilePlace(layout, 0, 0) };
};

/**
 * `heat` (H × W, values from 0 up) over `base` (the sample's first channel, H × W), at `scale`
 * pixels a value. The map is scaled by its largest value; where it is 0 the sample shows alone.
 */
export const heatOverlay = (base: ArrayLike<number>, heat: ArrayLike<number>, width: number, height: number, scale = 1): RgbaImage => {
  const { min, max } = rangeOf(base, 0, width * height);
  const top = largestMagnitude(heat, 0, width * height);
  const { layout, image, place } = single(width, height, scale);
  const colour: [number, number, number] = [0, 0, 0];
  paintTile(image, layout, place, width, height, (x, y, out) => {
    const at = y * width + x;
    const grey = unitByte(base[at], min, max);
    const t = top > 0 ? Math.max(0, heat[at]) / top : 0;
    hot(t, colour);
    const alpha = 0.75 * Math.sqrt(t);
    for (let c = 0; c < 3; c++) out[c] = Math.round((1 - alpha) * grey + alpha * colour[c]);
  });
  return image;
};

/** A signed map (H × W) in the diverging colours, zero white, scaled by its largest |value|. */
export const signedMap = (values: ArrayLike<number>, width: number, height: number, scale = 1): RgbaImage => {
  const top = largestMagnitude(values, 0, width * height);
  const { layout, image, place } = single(width, height, scale);
  paintTile(image, layout, place, width, height, (x, y, out) => diverging(top > 0 ? values[y * width + x] / top : 0, out));
  return image;
};

/** A [C, H, W] image (a crop or a projection): 3 channels as colour, else the first in grey, stretched to its own range. */
export const stretchedImage = (values: ArrayLike<number>, shape: readonly number[], scale = 1): RgbaImage => {
  const [channels, height, width] = shape;
  const plane = height * width;
  const colour = channels === 3;
  const { min, max } = rangeOf(values, 0, colour ? 3 * plane : plane);
  const { layout, image, place } = single(width, height, scale);
  paintTile(image, layout, place, width, height, (x, y, out) => {
    for (let c = 0; c < 3; c++) out[c] = unitByte(values[(colour ? c * plane : 0) + y * width + x], min, max);
  });
  return image;
};
