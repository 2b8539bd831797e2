/**
 * The arithmetic of a windowed grid: tiles of one fixed size in rows that fill a scroll
 * container's width; only the rows in view (and a few either side) are put in the page.
 */

/** The space between a tile grid's tiles, in CSS pixels. */
export const TILE_GAP = 2;

export interface GridGeometry {
  /** How many tiles the grid has. */
  readonly count: number;
  /** A tile's size in CSS pixels, and the space between tiles. */
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly gap: number;
  /** The scroll container's inner size and how far it is scrolled. */
  readonly viewportWidth: number;
  readonly viewportHeight: number;
  readonly scrollTop: number;
  /** Rows put in the page above and below those in view. */
  readonly overscanRows: number;
}

export interface GridWindow {
  readonly columns: number;
  readonly rows: number;
  /** The height of the whole grid, in CSS pixels. */
  readonly totalHeight: number;
  /** The tiles to put in the page: `first` up to (not including) `end`. */
  readonly first: number;
  readonly end: number;
}

/** How many tiles fit side by side in `width` (at least one). */
export const columnsFor = (width: number, tileWidth: number, gap: number): number =>
  Math.max(1, Math.floor((width + gap) / (tileWidth + gap)));

export const gridWindow = (g: GridGeometry): GridWindow => {
  const columns = columnsFor(g.viewportWidth, g.tileWidth, g.gap);
  const rows = Math.ceil(g.count / columns);
  const pitch = g.tileHeight + g.gap;
  const totalHeight = rows > 0 ? rows * pitch - g.gap : 0;
  if (rows === 0) return { columns, rows, totalHeight, first: 0, end: 0 };
  // a container cannot scroll past its end; a stale scrollTop (the grid just shrank) still shows its last rows
  const top = Math.max(0, Math.min(g.scrollTop, totalHeight - g.viewportHeight));
  const firstRow = Math.max(0, Math.floor(top / pitch) - g.overscanRows);
  const lastRow = Math.min(rows - 1, Math.max(0, Math.ceil((top + Math.max(0, g.viewportHeight)) / pitch) - 1) + g.overscanRows);
  const first = Math.min(g.count, firstRow * columns);
  return { columns, rows, totalHeight, first, end: Math.min(g.count, (lastRow + 1) * columns) };
};

/** Where tile `index` sits in the grid, in CSS pixels from its top left. */
export const tileOffset = (index: number, columns: number, tileWidth: number, tileHeight: number, gap: number) => ({
  left: (index % columns) * (tileWidth + gap),
  top: Math.floor(index / columns) * (tileHeight + gap),
});

/**
 * The side of square tiles for `count` of them in `width` × `height`: the largest from `smallest`
 * to `largest` at which they all fit without scrolling, else `smallest` (and the grid scrolls).
 */
export const tileSideFor = (count: number, width: number, height: number, gap: number, smallest: number, largest: number): number => {
  for (let side = largest; side > smallest; side--) {
    const columns = columnsFor(width, side, gap);
    if (Math.ceil(count / columns) * (side + gap) - gap <= height) return side;
  }
  return smallest;
};
