// The filter grid, checked pixel by pixel on small tensors made by hand.
import { describe, expect, it } from 'vitest';
import { NEGATIVE, POSITIVE, ZERO } from '../../../engine/viz/colour';
import { filterGrid, filterTile } from '../../../engine/viz/filters';
import { GAP_COLOUR, pixelAt } from '../../../engine/viz/image';

const rgba = (rgb: readonly number[]) => [...rgb, 255];
const GAP = rgba(GAP_COLOUR);

describe('filterGrid', () => {
  it('lays out single-channel filters near square, in the diverging map, gaps between', () => {
    // Two 2×2 filters: [[1, -1], [0.5, 0]] and all zeros.
    const grid = filterGrid(Float32Array.of(1, -1, 0.5, 0, 0, 0, 0, 0), [2, 1, 2, 2]);
    expect([grid.width, grid.height, grid.mode, grid.filters, grid.channels]).toEqual([7, 4, 'channels', 2, 1]);
    expect(grid.data.length).toBe(7 * 4 * 4);
    expect(grid.scales).toEqual([1, 0]);
    expect(filterTile(grid, 0)).toMatchObject({ x: 1, y: 1 });
    expect(filterTile(grid, 1)).toMatchObject({ x: 4, y: 1 });
    expect(pixelAt(grid, 1, 1)).toEqual(rgba(POSITIVE));
    expect(pixelAt(grid, 2, 1)).toEqual(rgba(NEGATIVE));
    // 0.5 is half way from white to red: 247 + (178 - 247) / 2 = 212.5 → 213, and so on.
    expect(pixelAt(grid, 1, 2)).toEqual([213, 136, 145, 255]);
    expect(pixelAt(grid, 2, 2)).toEqual(rgba(ZERO));
    // A filter of zeros is white, not NaN.
    for (const [x, y] of [
      [4, 1],
      [5, 2],
    ])
      expect(pixelAt(grid, x, y)).toEqual(rgba(ZERO));
    for (const [x, y] of [
      [0, 0],
      [3, 1],
      [6, 3],
      [1, 3],
    ])
      expect(pixelAt(grid, x, y)).toEqual(GAP);
  });

  it('normalises each filter on its own', () => {
    const grid = filterGrid(Float32Array.of(2, 4, 0.1, 0.2), [2, 1, 1, 2]);
    expect(grid.scales.map((s) => Math.fround(s))).toEqual([4, Math.fround(0.2)]);
    const tile = (filter: number) => {
      const { x, y } = filterTile(grid, filter);
      return [pixelAt(grid, x, y), pixelAt(grid, x + 1, y)];
    };
    expect(tile(0)).toEqual(tile(1));
    expect(tile(0)[1]).toEqual(rgba(POSITIVE));
  });

  it('gives each input channel its own column, one row per filter, scaled by the whole filter', () => {
    // Filter 0 sees [1, -2] (scale 2), filter 1 sees [0, 3] (scale 3); 1×1 kernels.
    const grid = filterGrid(Float32Array.of(1, -2, 0, 3), [2, 2, 1, 1]);
    expect([grid.width, grid.height, grid.layout.rows, grid.layout.columns]).toEqual([5, 5, 2, 2]);
    expect(pixelAt(grid, 1, 1)).toEqual([213, 136, 145, 255]);
    expect(pixelAt(grid, 3, 1)).toEqual(rgba(NEGATIVE));
    expect(filterTile(grid, 1, 0)).toMatchObject({ x: 1, y: 3 });
    expect(pixelAt(grid, 1, 3)).toEqual(rgba(ZERO));
    expect(pixelAt(grid, 3, 3)).toEqual(rgba(POSITIVE));
  });

  it('draws 3-channel filters as colour, grey at zero, scaled by the largest weight', () => {
    // One 1×2 filter: red [1, -1], green [0, 0.5], blue [-0.5, 0].
    const grid = filterGrid(Float32Array.of(1, -1, 0, 0.5, -0.5, 0), [1, 3, 1, 2]);
    expect([grid.mode, grid.width, grid.height, grid.channels]).toEqual(['rgb', 4, 3, 1]);
    // 127.5 + 127.5 × v: 1 → 255, 0 → 128, -0.5 → 63.75 → 64, 0.5 → 191.25 → 191, -1 → 0.
    expect(pixelAt(grid, 1, 1)).toEqual([255, 128, 64, 255]);
    expect(pixelAt(grid, 2, 1)).toEqual([0, 191, 128, 255]);
    // The same filters drawn per channel instead.
    const split = filterGrid(Float32Array.of(1, -1, 0, 0.5, -0.5, 0), [1, 3, 1, 2], { mode: 'channels' });
    expect([split.mode, split.layout.rows, split.layout.columns]).toEqual(['channels', 1, 3]);
  });

  it('scales each weight to a block of pixels, and shows only the first filters and channels', () => {
    const big = filterGrid(Float32Array.of(5), [1, 1, 1, 1], { scale: 3 });
    expect([big.width, big.height]).toEqual([5, 5]);
    for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) expect(pixelAt(big, x, y)).toEqual(rgba(POSITIVE));
    expect(pixelAt(big, 4, 4)).toEqual(GAP);
    const many = filterGrid(new Float32Array(100 * 20), [100, 20, 1, 1], { maxFilters: 10, maxChannels: 4 });
    expect([many.filters, many.channels, many.totalFilters, many.totalChannels]).toEqual([10, 4, 100, 20]);
    expect([many.width, many.height]).toEqual([4 * 2 + 1, 10 * 2 + 1]);
  });

  it('says what is wrong with a tensor that is not a set of filters', () => {
    expect(() => filterGrid(new Float32Array(4), [4])).toThrow(/shape \[filters, channels, height, width\]/);
    expect(() => filterGrid(new Float32Array(3), [1, 1, 2, 2])).toThrow(/need 4 values, not 3/);
    expect(() => filterGrid(new Float32Array(4), [1, 1, 2, 2], { mode: 'rgb' })).toThrow(/3 input channels/);
  });
});
