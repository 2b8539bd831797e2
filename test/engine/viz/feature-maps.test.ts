// Feature maps and input samples as images, checked pixel by pixel.
import { describe, expect, it } from 'vitest';
import { featureMapGrid, mapTile, sampleImage } from '../../../engine/viz/feature-maps';
import { GAP_COLOUR, pixelAt } from '../../../engine/viz/image';

const grey = (level: number) => [level, level, level, 255];

describe('featureMapGrid', () => {
  it('stretches each channel from its own minimum to its maximum, and marks constant channels', () => {
    // Channel 0: 0 1 / 2 3 → 0, 85, 170, 255. Channel 1: all 5 → black, listed as constant.
    const grid = featureMapGrid(Float32Array.of(0, 1, 2, 3, 5, 5, 5, 5), [2, 2, 2]);
    expect([grid.width, grid.height, grid.channels, grid.layout.columns]).toEqual([7, 4, 2, 2]);
    expect(grid.ranges).toEqual([
      { min: 0, max: 3 },
      { min: 5, max: 5 },
    ]);
    expect(grid.constant).toEqual([1]);
    expect([pixelAt(grid, 1, 1), pixelAt(grid, 2, 1), pixelAt(grid, 1, 2), pixelAt(grid, 2, 2)]).toEqual([
      grey(0),
      grey(85),
      grey(170),
      grey(255),
    ]);
    expect(mapTile(grid.layout, 1)).toMatchObject({ x: 4, y: 1 });
    for (const [x, y] of [
      [4, 1],
      [5, 2],
    ])
      expect(pixelAt(grid, x, y)).toEqual(grey(0));
    expect(pixelAt(grid, 3, 2)).toEqual([...GAP_COLOUR, 255]);
  });

  it('normalises per channel, so a small channel is as bright as a large one', () => {
    const grid = featureMapGrid(Float32Array.of(0, 100, 0, 0.001), [2, 1, 2]);
    const tile = (c: number) => [0, 1].map((dx) => pixelAt(grid, mapTile(grid.layout, c).x + dx, 1));
    expect(tile(0)).toEqual(tile(1));
    expect(tile(1)).toEqual([grey(0), grey(255)]);
  });

  it('lays maps out in the columns asked for, scaled, and draws a vector as a strip', () => {
    const grid = featureMapGrid(new Float32Array(5 * 4), [5, 2, 2], { columns: 5, scale: 2 });
    expect([grid.layout.rows, grid.layout.columns, grid.width, grid.height]).toEqual([1, 5, 5 * 5 + 1, 6]);
    const strip = featureMapGrid(Float32Array.of(-1, 0, 1), [3]);
    expect([strip.width, strip.height]).toEqual([5, 3]);
    // 255 × 1/2 = 127.5 → 128.
    expect([pixelAt(strip, 1, 1), pixelAt(strip, 2, 1), pixelAt(strip, 3, 1)]).toEqual([grey(0), grey(128), grey(255)]);
    const few = featureMapGrid(new Float32Array(300), [300, 1, 1], { maxChannels: 16 });
    expect([few.channels, few.totalChannels, few.layout.columns]).toEqual([16, 300, 4]);
  });

  it('refuses shapes it cannot draw', () => {
    expect(() => featureMapGrid(new Float32Array(4), [2, 2])).toThrow(/\[C, H, W\] or \[F\]/);
    expect(() => featureMapGrid(new Float32Array(3), [1, 2, 2])).toThrow(/need 4 values, not 3/);
  });
});

describe('sampleImage', () => {
  it('draws one channel in grey, stretched over the sample, with no border', () => {
    const image = sampleImage(Float32Array.of(0, 0.5, 1, 0.25), [1, 2, 2]);
    expect([image.width, image.height]).toEqual([2, 2]);
    expect([0, 1, 2, 3].map((i) => pixelAt(image, i % 2, Math.floor(i / 2)))).toEqual([grey(0), grey(128), grey(255), grey(64)]);
  });

  it('draws three channels as colour, and scales up', () => {
    const image = sampleImage(Float32Array.of(-1, 1, 0), [3, 1, 1], 2);
    expect([image.width, image.height]).toEqual([2, 2]);
    expect(pixelAt(image, 1, 1)).toEqual([0, 255, 128, 255]);
  });
});
