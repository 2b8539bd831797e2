/**
 * One sample's feature maps as a grid of grey images, one per channel, each stretched on its own
 * from its smallest value (black) to its largest (white). A channel that is the same everywhere
 * (a ReLU that never fires, for one) is drawn black and listed in `constant`.
 *
 * Shapes are per sample, as the engine's: [C, H, W] for images; a vector [F] is drawn as one
 * strip, 1 high and F wide.
 */
import { rangeOf, unitByte } from './colour';
import { blankImage, gridLayout, paintTile, squareColumns, tilePlace, type GridLayout, type RgbaImage, type TilePlace } from './image';

export interface FeatureMapOptions {
  /** Pixels per value (default 1). */
  readonly scale?: number;
  /** Pixels between maps (default 1). */
  readonly gap?: number;
  /** Maps per row (default: near square). */
  readonly columns?: number;
  /** Show at most this many channels, the first ones (default 256). */
  readonly maxChannels?: number;
}

export interface FeatureMapGrid extends RgbaImage {
  readonly layout: GridLayout;
  readonly channels: number;
  readonly totalChannels: number;
  /** Each shown channel's smallest and largest value. */
  readonly ranges: readonly { readonly min: number; readonly max: number }[];
  /** Shown channels whose values are all equal. */
  readonly constant: readonly number[];
}

/** [C, H, W] of a per-sample shape (a vector is one channel, one row). */
export const mapShape = (shape: readonly number[]): [channels: number, height: number, width: number] => {
  if (shape.length === 3) return [shape[0], shape[1], shape[2]];
  if (shape.length === 1) return [1, 1, shape[0]];
  throw new Error(`feature maps have the shape [C, H, W] or [F], not [${shape.join(', ')}]`);
};

/** Where channel `channel`'s map is in a grid. */
export const mapTile = (layout: GridLayout, channel: number): TilePlace =>
  tilePlace(layout, Math.floor(channel / layout.columns), channel % layout.columns);

export const featureMapGrid = (values: ArrayLike<number>, shape: readonly number[], options: FeatureMapOptions = {}): FeatureMapGrid => {
  const [totalChannels, height, width] = mapShape(shape);
  const plane = height * width;
  if (values.length !== totalChannels * plane)
    throw new Error(`feature maps of shape [${shape.join(', ')}] need ${totalChannels * plane} values, not ${values.length}`);
  const channels = Math.min(totalChannels, options.maxChannels ?? 256);
  const columns = Math.min(channels, options.columns ?? squareColumns(channels));
  const layout = gridLayout(Math.ceil(channels / columns), columns, width, height, options.scale ?? 1, options.gap ?? 1);
  const image = blankImage(layout);
  const ranges: { min: number; max: number }[] = [];
  const constant: number[] = [];
  for (let c = 0; c < channels; c++) {
    const start = c * plane;
    const range = rangeOf(values, start, plane);
    ranges.push(range);
    if (!(range.max > range.min)) constant.push(c);
    paintTile(image, layout, mapTile(layout, c), width, height, (x, y, out) => {
      const level = unitByte(values[start + y * width + x], range.min, range.max);
      out[0] = out[1] = out[2] = level;
    });
  }
  return { ...image, layout, channels, totalChannels, ranges, constant };
};

/**
 * A network's input sample as a picture: 3 channels as colour, else the first channel in grey,
 * stretched from the sample's smallest value to its largest (normalised inputs can be negative).
 */
export const sampleImage = (values: ArrayLike<number>, shape: readonly number[], scale = 1): RgbaImage => {
  const [channels, height, width] = mapShape(shape);
  const plane = height * width;
  if (values.length !== channels * plane)
    throw new Error(`a sample of shape [${shape.join(', ')}] needs ${channels * plane} values, not ${values.length}`);
  const colour = channels === 3;
  const { min, max } = rangeOf(values, 0, colour ? 3 * plane : plane);
  const layout = gridLayout(1, 1, width, height, scale, 0);
  const image = blankImage(layout);
  paintTile(image, layout, tilePlace(layout, 0, 0), width, height, (x, y, out) => {
    const at = y * width + x;
    for (let c = 0; c < 3; c++) out[c] = unitByte(values[(colour ? c * plane : 0) + at], min, max);
  });
  return image;
};
