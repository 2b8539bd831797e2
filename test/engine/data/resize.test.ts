// Resizing RGBA pictures to samples, and the LRU cache of samples.
import { describe, expect, it } from 'vitest';
import { ImageResizer } from '../../../engine/data/resize';
import { SampleCache } from '../../../engine/data/sample-cache';

/** An RGBA picture from grey levels (or [r, g, b, a] per pixel). */
const picture = (width: number, height: number, pixel: (row: number, column: number) => number | number[]) => {
  const data = new Uint8Array(width * height * 4);
  for (let row = 0; row < height; row++)
    for (let column = 0; column < width; column++) {
      const value = pixel(row, column);
      const rgba = typeof value === 'number' ? [value, value, value, 255] : value;
      data.set(rgba, (row * width + column) * 4);
    }
  return data;
};

const resize = (data: Uint8Array, width: number, height: number, size: number, channels: 1 | 3, method: 'area' | 'bilinear') => {
  const out = new Uint8Array(channels * size * size);
  new ImageResizer().resize(data, width, height, size, channels, method, out, 0);
  return out;
};

describe('resizing', () => {
  it('area: each output pixel averages the block it covers', () => {
    const data = picture(4, 4, (row, column) => [0, 40, 100, 20][column] + [0, 100, 0, 100][row]);
    expect([...resize(data, 4, 4, 2, 1, 'area')]).toEqual([70, 110, 70, 110]);
    // 3 → 2: the middle source pixel is split between both outputs.
    const three = picture(3, 1, (row, column) => [0, 90, 180][column]);
    expect([...resize(three, 3, 1, 2, 1, 'area')].slice(0, 2)).toEqual([30, 150]);
  });

  it('bilinear: half-pixel centres and clamped edges, as PyTorch without antialiasing', () => {
    const two = picture(2, 2, (row, column) => [0, 255][column]);
    expect([...resize(two, 2, 2, 4, 1, 'bilinear')].slice(0, 4)).toEqual([0, 64, 191, 255]);
    const solid = picture(7, 5, () => 77);
    expect(new Set(resize(solid, 7, 5, 3, 1, 'bilinear'))).toEqual(new Set([77]));
  });

  it('converts colour: planar RGB, ITU-R 601 grey, transparency over black', () => {
    const orange = picture(5, 3, () => [200, 100, 50, 255]);
    const rgb = resize(orange, 5, 3, 2, 3, 'area');
    expect([...rgb]).toEqual([200, 200, 200, 200, 100, 100, 100, 100, 50, 50, 50, 50]);
    expect([...resize(orange, 5, 3, 2, 1, 'area')]).toEqual([124, 124, 124, 124]);
    const halfClear = picture(2, 1, (row, column) => (column ? [255, 255, 255, 0] : [255, 255, 255, 255]));
    expect([...resize(halfClear, 2, 1, 1, 1, 'area')]).toEqual([128]);
  });
});

describe('the sample cache', () => {
  it('keeps the most recently used samples within its budget', () => {
    const cache = new SampleCache(10, 4, 12);
    expect(cache.slots).toBe(3);
    for (const key of [0, 1, 2]) cache.data.fill(key + 1, cache.store(key), cache.store(key) + 4);
    expect(cache.lookup(0)).toBeGreaterThanOrEqual(0); // 0 is now the most recent; 1 the least
    const at = cache.store(3);
    cache.data.fill(9, at, at + 4);
    expect(cache.lookup(1)).toBe(-1);
    expect(cache.data[cache.lookup(0)]).toBe(1);
    expect(cache.data[cache.lookup(2)]).toBe(3);
    expect(cache.data[cache.lookup(3)]).toBe(9);
    expect(cache.size).toBe(3);
    expect(cache.hits).toBe(4);
    expect(cache.misses).toBe(1);
    // A long sequence keeps exactly the last three keys.
    for (let key = 0; key < 10; key++) cache.store(key);
    expect([7, 8, 9].every((key) => cache.lookup(key) >= 0)).toBe(true);
    expect(range10().filter((key) => cache.lookup(key) >= 0)).toEqual([7, 8, 9]);
  });

  it('caches nothing when one sample exceeds the budget', () => {
    const cache = new SampleCache(10, 100, 50);
    expect(cache.slots).toBe(0);
    expect(cache.store(1)).toBe(-1);
    expect(cache.lookup(1)).toBe(-1);
  });
});

const range10 = () => Array.from({ length: 10 }, (_, i) => i);
