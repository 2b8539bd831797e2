// The windowed tile grid's arithmetic (which tiles of a scrolled grid go in the page, and where)
// and the feature-map tiles it draws, without a browser.
import { describe, expect, it } from 'vitest';
import { encodeFloat32 } from '../../engine/viz/encoding';
import { pixelAt } from '../../engine/viz/image';
import { columnsFor, gridWindow, tileOffset, tileSideFor } from '../../renderer/viz/grid-window';
import { filterTileImage, filterTiles, filterTileScale, mapTileImage, mapTiles, mapTileSide } from '../../renderer/viz/pictures';

/** 512 tiles of 40×40 with 2 px between them, in a box 300 wide and 200 high: 7 columns, 74 rows. */
const geometry = {
  count: 512,
  tileWidth: 40,
  tileHeight: 40,
  gap: 2,
  viewportWidth: 300,
  viewportHeight: 200,
  scrollTop: 0,
  overscanRows: 1,
};

describe('the window of a tile grid', () => {
  it('fits as many columns as the width allows, and at least one', () => {
    expect(columnsFor(300, 40, 2)).toBe(7); // 7 × 42 - 2 = 292 ≤ 300 < 334
    expect(columnsFor(292, 40, 2)).toBe(7);
    expect(columnsFor(291, 40, 2)).toBe(6);
    expect(columnsFor(0, 40, 2)).toBe(1);
  });

  it('puts in the page only the rows in view and the overscan below them, at the top', () => {
    const shown = gridWindow(geometry);
    expect(shown).toEqual({ columns: 7, rows: 74, totalHeight: 74 * 42 - 2, first: 0, end: 6 * 7 });
    // rows 0 to 4 are in view (200 / 42 = 4.8), row 5 is the overscan
    expect(shown.end - shown.first).toBeLessThan(512 / 10);
  });

  it('follows the scroll, with overscan on both sides', () => {
    // scrolled to 420: rows 10 to 14 in view, 9 and 15 the overscan
    expect(gridWindow({ ...geometry, scrollTop: 420 })).toMatchObject({ first: 9 * 7, end: 16 * 7 });
    // a row partly in view counts: at 431 the view ends 1 px into row 15
    expect(gridWindow({ ...geometry, scrollTop: 430 })).toMatchObject({ first: 9 * 7, end: 16 * 7 });
    expect(gridWindow({ ...geometry, scrollTop: 431 })).toMatchObject({ first: 9 * 7, end: 17 * 7 });
  });

  it('ends at the last tile when scrolled to the bottom, even past it', () => {
    const bottom = gridWindow({ ...geometry, scrollTop: 74 * 42 - 2 - 200 });
    expect(bottom.end).toBe(512);
    expect(bottom.first).toBeGreaterThan(400);
    // rows 69 to 73 are in view at the bottom (3106 - 200 = 2906 = 69.2 rows); 68 is the overscan
    expect(gridWindow({ ...geometry, scrollTop: 1e6 })).toMatchObject({ first: 68 * 7, end: 512 });
    // 512 = 73 × 7 + 1: the last tile is alone on its row, at the left
    expect(tileOffset(511, 7, 40, 40, 2)).toEqual({ left: 0, top: 73 * 42 });
    expect(tileOffset(9, 7, 40, 40, 2)).toEqual({ left: 2 * 42, top: 42 });
  });

  it('has nothing to show for no tiles, and shows everything when all fit', () => {
    expect(gridWindow({ ...geometry, count: 0 })).toEqual({ columns: 7, rows: 0, totalHeight: 0, first: 0, end: 0 });
    expect(gridWindow({ ...geometry, count: 6 })).toEqual({ columns: 7, rows: 1, totalHeight: 40, first: 0, end: 6 });
    // before the container is measured (0 × 0): one column, the overscan only
    expect(gridWindow({ ...geometry, viewportWidth: 0, viewportHeight: 0 })).toMatchObject({ columns: 1, first: 0, end: 2 });
  });
});

describe('tile sizes', () => {
  it('draws few tiles as large as they all fit, and many at the smallest size', () => {
    // 6 tiles in 390 × 300: 3 columns of 128 fit in 2 rows
    expect(tileSideFor(6, 390, 300, 2, 40, 128)).toBe(128);
    // 16 tiles in 390 × 300: 5 columns of 76 take 4 rows (310 high), 77 does not fit; 4 columns of 73 → 298
    const side = tileSideFor(16, 390, 300, 2, 40, 128);
    const columns = columnsFor(390, side, 2);
    expect(Math.ceil(16 / columns) * (side + 2) - 2).toBeLessThanOrEqual(300);
    const larger = columnsFor(390, side + 1, 2);
    expect(Math.ceil(16 / larger) * (side + 3) - 2).toBeGreaterThan(300);
    expect(tileSideFor(512, 390, 300, 2, 40, 128)).toBe(40);
  });

  it('makes a map tile a whole multiple of the map where it can', () => {
    expect(mapTileSide({ channels: 6, height: 28, width: 28 }, 390, 300, 2)).toBe(112);
    expect(mapTileSide({ channels: 512, height: 28, width: 28 }, 390, 300, 2)).toBe(28);
    expect(mapTileSide({ channels: 512, height: 5, width: 5 }, 390, 300, 2)).toBe(40);
    expect(mapTileSide({ channels: 512, height: 64, width: 64 }, 390, 300, 2)).toBe(40);
  });
});

describe('feature-map tiles', () => {
  it('draws one channel on its own range and counts the constant channels', () => {
    // 3 channels of 2×2: a ramp, a constant, a ramp ten times larger
    const values = [0, 1, 2, 3, 5, 5, 5, 5, 0, 10, 20, 30];
    const maps = mapTiles({ nodeId: 'conv1', name: 'conv1', shape: [3, 2, 2], data: encodeFloat32(Float32Array.from(values)) });
    expect([maps.channels, maps.height, maps.width, maps.constant]).toEqual([3, 2, 2, 1]);
    for (const channel of [0, 2]) {
      const image = mapTileImage(maps, channel);
      expect([image.width, image.height]).toEqual([2, 2]);
      expect([pixelAt(image, 0, 0)[0], pixelAt(image, 1, 0)[0], pixelAt(image, 1, 1)[0]]).toEqual([0, 85, 255]);
    }
    expect(pixelAt(mapTileImage(maps, 1), 1, 1)[0]).toBe(0);
  });
});

describe('filter tiles', () => {
  const tensor = (name: string, shape: number[]) => ({
    nodeId: 'conv',
    name,
    shape,
    data: encodeFloat32(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i))),
  });

  it('draws one tile per filter, a framed row of at most 16 input channels, colour for 3', () => {
    const [grey, wide, colour, pointwise] = [
      tensor('a', [512, 1, 3, 3]),
      tensor('b', [8, 32, 3, 3]),
      tensor('c', [4, 3, 5, 5]),
      tensor('d', [4, 2, 1, 1]),
    ];
    const tiles = filterTiles([grey, wide, colour, pointwise]);
    expect(tiles.map((t) => [t.name, t.mode, t.channels, t.unitWidth, t.unitHeight])).toEqual([
      ['a', 'channels', 1, 3, 3],
      ['b', 'channels', 16, 16 * 4 + 1, 5],
      ['c', 'rgb', 1, 5, 5],
    ]);
    // filter 511 is the tensor's last 9 values, drawn on their own scale
    const last = filterTileImage(tiles[0], 511);
    expect([last.width, last.height, last.totalFilters]).toEqual([3, 3, 1]);
    expect(last.scales[0]).toBeCloseTo(Math.max(...Array.from({ length: 9 }, (_, i) => Math.abs(Math.sin(511 * 9 + i)))), 6);
  });

  it('scales tiles up until they would not all fit, and scrolls many at about 48 pixels', () => {
    // 6 tiles of 7×7 in 200 × 200: at 9 (63 px) three fit across, two rows, 128 high; at 10 (70 px) only two, three rows, 214 > 200
    expect(filterTileScale(6, 7, 7, 200, 200, 2)).toBe(9);
    expect(filterTileScale(512, 5, 5, 200, 200, 2)).toBe(9);
    // a strip wider than the room at 2: scale 1 whatever
    expect(filterTileScale(64, 160, 5, 200, 200, 2)).toBe(1);
  });
});
