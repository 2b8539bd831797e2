/**
 * From `requestVisual` answers to pictures: tensors decoded from base64 and drawn by engine/viz,
 * each at the largest whole-pixel scale that fits the room given.
 */
import type { VisualReply, VisualSample, WireTensor } from '../../electron/api';
import { decodeBase64, decodeFloat32 } from '../../engine/viz/encoding';
import { dequantiseFilterGradient, filterGradientMagnitudes } from '../../engine/viz/filter-gradients';
import { rangeOf } from '../../engine/viz/colour';
import { featureMapGrid, mapShape, sampleImage, type FeatureMapGrid } from '../../engine/viz/feature-maps';
import { filterGrid, type FilterGrid, type FilterMode } from '../../engine/viz/filters';
import type { RgbaImage } from '../../engine/viz/image';
import { topClasses } from '../../engine/viz/predictions';
import { columnsFor, tileSideFor } from './grid-window';

/** The largest scale (1 to `most`) at which a grid drawn at scale 1 fits `width` × `height`. */
export const fitScale = (
  grid: { layout: { rows: number; columns: number; gap: number } },
  unit: RgbaImage,
  width: number,
  height: number,
  most: number,
): number => {
  const { rows, columns, gap } = grid.layout;
  const cellsWide = (unit.width - gap * (columns + 1)) / columns;
  const cellsHigh = (unit.height - gap * (rows + 1)) / rows;
  const byWidth = Math.floor((width - gap * (columns + 1)) / (columns * cellsWide));
  const byHeight = Math.floor((height - gap * (rows + 1)) / (rows * cellsHigh));
  return Math.max(1, Math.min(most, byWidth, byHeight));
};

export interface FilterPicture {
  readonly name: string;
  readonly shape: readonly number[];
  readonly grid: FilterGrid;
}

/** Filters worth drawing: 4-D tensors with a kernel larger than 1×1 (pointwise stages are left out). */
export const filterPictures = (tensors: readonly WireTensor[], width = 220, height = 200): FilterPicture[] =>
  tensors
    .filter((tensor) => tensor.shape.length === 4 && tensor.shape[2] * tensor.shape[3] > 1)
    .map((tensor) => {
      const values = decodeFloat32(tensor.data);
      const unit = filterGrid(values, tensor.shape);
      const grid = filterGrid(values, tensor.shape, { scale: fitScale(unit, unit, width, height, 12) });
      return { name: tensor.name, shape: tensor.shape, grid };
    });

/** A layer's filter tensor decoded once, for a grid of one tile per filter (TileGrid). */
export interface FilterTiles {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
  readonly mode: FilterMode;
  /** Input channels drawn per filter (at most 16; 1 in `rgb` mode), of `totalChannels`. */
  readonly channels: number;
  readonly totalChannels: number;
  /** A tile's picture at one pixel per weight (a row of channels with 1-pixel lines around each). */
  readonly unitWidth: number;
  readonly unitHeight: number;
}

/** The most input channels drawn per filter. */
const TILE_CHANNELS = 16;

/** Filter `filter` alone: one tile, or a framed row of tiles one per input channel. */
export const filterTileImage = (tiles: Pick<FilterTiles, 'values' | 'shape' | 'mode'>, filter: number): FilterGrid => {
  const [, channels, kh, kw] = tiles.shape;
  const per = channels * kh * kw;
  // a row of input channels needs lines between them; a lone tile does not (the grid has gaps)
  const row = tiles.mode === 'channels' && channels > 1;
  return filterGrid(tiles.values.subarray(filter * per, (filter + 1) * per), [1, channels, kh, kw], {
    mode: tiles.mode,
    maxChannels: TILE_CHANNELS,
    gap: row ? 1 : 0,
  });
};

/** Filters worth drawing as tiles: 4-D tensors with a kernel larger than 1×1 (pointwise stages are left out). */
export const filterTiles = (tensors: readonly WireTensor[]): FilterTiles[] =>
  tensors
    .filter((tensor) => tensor.shape.length === 4 && tensor.shape[2] * tensor.shape[3] > 1)
    .map((tensor) => {
      const values = decodeFloat32(tensor.data);
      const mode: FilterMode = tensor.shape[1] === 3 ? 'rgb' : 'channels';
      const unit = filterTileImage({ values, shape: tensor.shape, mode }, 0);
      return {
        name: tensor.name,
        shape: tensor.shape,
        values,
        mode,
        channels: unit.channels,
        totalChannels: tensor.shape[1],
        unitWidth: unit.width,
        unitHeight: unit.height,
      };
    });

/** A filter tensor's gradients decoded once, drawn like its filters (FilterTiles' mode and layout). */
export interface GradientTiles {
  readonly values: Float32Array;
  readonly shape: readonly number[];
  readonly mode: FilterMode;
  /** Each filter's largest |∂L/∂w|: what full colour stands for in its tile. */
  readonly magnitudes: readonly number[];
}

/** The gradients of `tiles`' tensor in a filters reply, or null when the reply has none for it. */
export const gradientTiles = (reply: Pick<VisualReply, 'gradients'>, tiles: Pick<FilterTiles, 'name' | 'mode'>): GradientTiles | null => {
  const gradient = reply.gradients?.tensors.find((tensor) => tensor.name === tiles.name);
  if (!gradient) return null;
  const decoded = { ...gradient, data: decodeBase64(gradient.data) };
  return {
    values: dequantiseFilterGradient(decoded),
    shape: gradient.shape,
    mode: tiles.mode,
    magnitudes: filterGradientMagnitudes(gradient),
  };
};

/**
 * The whole-pixel scale of filter tiles in `width` × `height`: the largest (up to 12) at which
 * all `count` fit without scrolling; else tiles about 48 pixels high (no wider than `width`),
 * and the grid scrolls.
 */
export const filterTileScale = (
  count: number,
  unitWidth: number,
  unitHeight: number,
  width: number,
  height: number,
  gap: number,
): number => {
  for (let scale = 12; scale > 1; scale--) {
    if (unitWidth * scale > width) continue;
    const columns = columnsFor(width, unitWidth * scale, gap);
    if (Math.ceil(count / columns) * (unitHeight * scale + gap) - gap <= height) return scale;
  }
  return Math.max(1, Math.min(Math.floor(width / unitWidth), Math.floor(48 / unitHeight)));
};

/** The columns that let `count` maps of `cellsWide` × `cellsHigh` be drawn largest in `width` × `height` (ties: the wider layout). */
export const bestColumns = (count: number, cellsWide: number, cellsHigh: number, width: number, height: number): number => {
  let best = { columns: 1, scale: -Infinity };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const scale = Math.min(Math.floor((width - columns - 1) / (columns * cellsWide)), Math.floor((height - rows - 1) / (rows * cellsHigh)));
    if (scale >= best.scale) best = { columns, scale };
  }
  return best.columns;
};

export const mapPicture = (tensor: WireTensor, width = 390, height = 200): FeatureMapGrid => {
  const values = decodeFloat32(tensor.data);
  const [channels, cellsHigh, cellsWide] = tensor.shape.length === 3 ? tensor.shape : [1, 1, tensor.shape[0]];
  const columns = bestColumns(Math.min(channels, 256), cellsWide, cellsHigh, width, height);
  const unit = featureMapGrid(values, tensor.shape, { columns });
  return featureMapGrid(values, tensor.shape, { columns, scale: fitScale(unit, unit, width, height, 8) });
};

/** A layer's feature maps decoded once, for a grid of one tile per channel (TileGrid). */
export interface MapTiles {
  readonly values: Float32Array;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** How many channels are the same everywhere (dead?). */
  readonly constant: number;
}

export const mapTiles = (tensor: WireTensor): MapTiles => {
  const values = decodeFloat32(tensor.data);
  const [channels, height, width] = mapShape(tensor.shape);
  const plane = height * width;
  let constant = 0;
  for (let c = 0; c < channels; c++) {
    const { min, max } = rangeOf(values, c * plane, plane);
    if (!(max > min)) constant++;
  }
  return { values, channels, height, width, constant };
};

/** Channel `channel`'s map alone, one pixel per value, stretched from its own minimum to its maximum. */
export const mapTileImage = (maps: MapTiles, channel: number): RgbaImage => {
  const plane = maps.height * maps.width;
  return featureMapGrid(maps.values.subarray(channel * plane, (channel + 1) * plane), [1, maps.height, maps.width], { gap: 0 });
};

/**
 * The side of the square tiles for a layer's maps in `width` × `height`: as large as lets them
 * all fit (40 to 128 pixels; smaller ones scroll), a whole multiple of the map's larger side
 * where it can be, so each value is a block of equal pixels.
 */
export const mapTileSide = (maps: Pick<MapTiles, 'channels' | 'height' | 'width'>, width: number, height: number, gap: number): number => {
  const side = tileSideFor(maps.channels, width, height, gap, 40, 128);
  const cells = Math.max(maps.height, maps.width);
  return side >= cells ? Math.floor(side / cells) * cells : side;
};

/** The sample at about `size` pixels across. */
export const samplePicture = (sample: VisualSample, size = 84): RgbaImage => {
  const width = sample.input.shape[sample.input.shape.length - 1] ?? 1;
  return sampleImage(decodeFloat32(sample.input.data), sample.input.shape, Math.max(1, Math.floor(size / width)));
};

/** What a classifier made of the sample: its best class and that class's probability. */
export const predictionOf = (sample: VisualSample): { readonly index: number; readonly probability: number } | null => {
  if (sample.output.shape.length !== 1 || sample.output.shape[0] < 2) return null;
  return topClasses(decodeFloat32(sample.output.data), 1)[0];
};
