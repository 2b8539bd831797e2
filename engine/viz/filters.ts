/**
 * A convolution's filters as a grid of small tiles. Weights come in PyTorch's layout
 * [filters, input channels, kernel height, kernel width].
 *
 * - `rgb` (the default when the filters see 3 channels, e.g. a colour image): one tile per
 *   filter, its 3 input channels as red, green and blue, grey where the weight is zero.
 * - `channels` (otherwise): one tile per filter and input channel, in the diverging colour map
 *   (blue negative, white zero, red positive). With one input channel the filters are laid out
 *   near square; with several, one row per filter and one column per input channel.
 *
 * Each filter is normalised on its own: its largest |weight| (over all its input channels) is
 * full colour, so a row's tiles compare with each other, and weak filters still show their shape.
 */
import { diverging, largestMagnitude, signedByte } from './colour';
import { blankImage, gridLayout, paintTile, squareColumns, tilePlace, type GridLayout, type RgbaImage, type TilePlace } from './image';

export type FilterMode = 'rgb' | 'channels';

export interface FilterGridOptions {
  /** Default: `rgb` for 3 input channels, else `channels`. */
  readonly mode?: FilterMode;
  /** Pixels per weight (default 1). */
  readonly scale?: number;
  /** Pixels between tiles (default 1). */
  readonly gap?: number;
  /** Show at most this many filters, the first ones (default 64). */
  readonly maxFilters?: number;
  /** Show at most this many input channels per filter in `channels` mode (default 16). */
  readonly maxChannels?: number;
}

export interface FilterGrid extends RgbaImage {
  readonly mode: FilterMode;
  readonly layout: GridLayout;
  /** Filters and input channels shown, and how many there are. */
  readonly filters: number;
  readonly channels: number;
  readonly totalFilters: number;
  readonly totalChannels: number;
  /** The largest |weight| of each shown filter: what full colour stands for. */
  readonly scales: readonly number[];
}

export const checkFilterShape = (values: ArrayLike<number>, shape: readonly number[]): void => {
  if (shape.length !== 4 || shape.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`filters must have the shape [filters, channels, height, width], not [${shape.join(', ')}]`);
  const expected = shape[0] * shape[1] * shape[2] * shape[3];
  if (values.length !== expected) throw new Error(`filters of shape [${shape.join(', ')}] need ${expected} values, not ${values.length}`);
};

/** Where the tile of `filter` (and `channel`, in `channels` mode) is in a grid. */
export const filterTile = (grid: Pick<FilterGrid, 'layout' | 'channels'>, filter: number, channel = 0): TilePlace => {
  const { layout } = grid;
  if (grid.channels > 1) return tilePlace(layout, filter, channel);
  return tilePlace(layout, Math.floor(filter / layout.columns), filter % layout.columns);
};

export const filterGrid = (values: ArrayLike<number>, shape: readonly number[], options: FilterGridOptions = {}): FilterGrid => {
  checkFilterShape(values, shape);
  const [totalFilters, totalChannels, kh, kw] = shape;
  const mode = options.mode ?? (totalChannels === 3 ? 'rgb' : 'channels');
  if (mode === 'rgb' && totalChannels !== 3) throw new Error(`rgb needs filters with 3 input channels, not ${totalChannels}`);
  const filters = Math.min(totalFilters, options.maxFilters ?? 64);
  const channels = mode === 'rgb' ? 1 : Math.min(totalChannels, options.maxChannels ?? 16);
  const area = kh * kw;
  const perFilter = totalChannels * area;
  const scale = options.scale ?? 1;
  const gap = options.gap ?? 1;
  const layout =
    channels > 1
      ? gridLayout(filters, channels, kw, kh, scale, gap)
      : gridLayout(Math.ceil(filters / squareColumns(filters)), squareColumns(filters), kw, kh, scale, gap);
  const image = blankImage(layout);
  const scales: number[] = [];
  const grid = { layout, channels };
  for (let f = 0; f < filters; f++) {
    const base = f * perFilter;
    const largest = largestMagnitude(values, base, perFilter);
    scales.push(largest);
    if (mode === 'rgb') {
      paintTile(image, layout, filterTile(grid, f), kw, kh, (x, y, out) => {
        for (let c = 0; c < 3; c++) out[c] = signedByte(values[base + c * area + y * kw + x], largest);
      });
      continue;
    }
    for (let c = 0; c < channels; c++) {
      const start = base + c * area;
      paintTile(image, layout, filterTile(grid, f, c), kw, kh, (x, y, out) =>
        diverging(largest > 0 ? values[start + y * kw + x] / largest : 0, out),
      );
    }
  }
  return { ...image, mode, layout, filters, channels, totalFilters, totalChannels, scales };
};
