/**
 * Images made from tensors, with no DOM: RGBA bytes row by row (what `ImageData` takes), and a
 * grid that lays small tiles out with a gap between them. Every picture in engine/viz is one.
 */

/** RGBA, 4 bytes a pixel, rows top to bottom: `new ImageData(data, width, height)` draws it. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray<ArrayBuffer>;
}

export type Rgb = readonly [r: number, g: number, b: number];

/** Where one tile of a grid lies, in pixels of the grid image. */
export interface TilePlace {
  readonly row: number;
  readonly column: number;
  readonly x: number;
  readonly y: number;
}

export interface GridLayout {
  readonly rows: number;
  readonly columns: number;
  /** A tile's size in pixels (its cells × scale). */
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly gap: number;
  readonly width: number;
  readonly height: number;
}

/** The background between tiles: the panels' dark grey. */
export const GAP_COLOUR: Rgb = [30, 30, 30];

/** Columns for `count` tiles laid out near square (at least one). */
export const squareColumns = (count: number): number => Math.max(1, Math.ceil(Math.sqrt(count)));

/**
 * A grid of `rows` × `columns` tiles of `cellsWide` × `cellsHigh` cells, each cell `scale` pixels
 * square, with `gap` pixels between tiles and around the edge.
 */
export const gridLayout = (rows: number, columns: number, cellsWide: number, cellsHigh: number, scale = 1, gap = 1): GridLayout => {
  const tileWidth = cellsWide * scale;
  const tileHeight = cellsHigh * scale;
  return {
    rows,
    columns,
    tileWidth,
    tileHeight,
    gap,
    width: columns * (tileWidth + gap) + gap,
    height: rows * (tileHeight + gap) + gap,
  };
};

/** The top-left pixel of the tile at (row, column). */
export const tilePlace = (layout: GridLayout, row: number, column: number): TilePlace => ({
  row,
  column,
  x: layout.gap + column * (layout.tileWidth + layout.gap),
  y: layout.gap + row * (layout.tileHeight + layout.gap),
});

/** An image of the layout's size filled with the gap colour, opaque. */
export const blankImage = (layout: { width: number; height: number }, colour: Rgb = GAP_COLOUR): RgbaImage => {
  const data = new Uint8ClampedArray(layout.width * layout.height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = colour[0];
    data[i + 1] = colour[1];
    data[i + 2] = colour[2];
    data[i + 3] = 255;
  }
  return { width: layout.width, height: layout.height, data };
};

/**
 * Paints one tile: cell (cx, cy) of the tile gets `colourOf(cx, cy)`, as a `scale` × `scale`
 * block. `colourOf` writes into the triple it is given (so painting allocates nothing per cell).
 */
export const paintTile = (
  image: RgbaImage,
  layout: GridLayout,
  place: TilePlace,
  cellsWide: number,
  cellsHigh: number,
  colourOf: (cx: number, cy: number, out: [number, number, number]) => void,
): void => {
  const scale = layout.tileWidth / cellsWide;
  const colour: [number, number, number] = [0, 0, 0];
  for (let cy = 0; cy < cellsHigh; cy++) {
    for (let cx = 0; cx < cellsWide; cx++) {
      colourOf(cx, cy, colour);
      for (let dy = 0; dy < scale; dy++) {
        let offset = ((place.y + cy * scale + dy) * image.width + place.x + cx * scale) * 4;
        for (let dx = 0; dx < scale; dx++, offset += 4) {
          image.data[offset] = colour[0];
          image.data[offset + 1] = colour[1];
          image.data[offset + 2] = colour[2];
          image.data[offset + 3] = 255;
        }
      }
    }
  }
};

/** The RGBA of pixel (x, y), for tests and pickers. */
export const pixelAt = (image: RgbaImage, x: number, y: number): [number, number, number, number] => {
  const offset = (y * image.width + x) * 4;
  return [image.data[offset], image.data[offset + 1], image.data[offset + 2], image.data[offset + 3]];
};
