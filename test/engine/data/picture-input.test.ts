// A picture (drawing or image file) as a network's input sample: area shrinking, MNIST-style
// centring, light backgrounds inverted, normalisation, on patterns whose answers are known.
import { describe, expect, it } from 'vitest';
import { DIGIT_BOX, pictureInput, type Picture } from '../../../engine/data/picture-input';

/** A grey (or [r, g, b, a]) picture from a function of row and column. */
const picture = (width: number, height: number, pixel: (row: number, column: number) => number | number[]): Picture => {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let row = 0; row < height; row++)
    for (let column = 0; column < width; column++) {
      const value = pixel(row, column);
      rgba.set(typeof value === 'number' ? [value, value, value, 255] : value, (row * width + column) * 4);
    }
  return { rgba, width, height };
};

const at = (values: Float32Array, width: number, row: number, column: number) => values[row * width + column];

/** Centre of mass (pixel centres) and bounding box of the values above `floor`. */
const massFacts = (values: Float32Array, width: number, height: number, floor = 0.01) => {
  let [mass, sx, sy] = [0, 0, 0];
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x];
      mass += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
      if (v > floor) [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x), Math.max(bottom, y)];
    }
  return { x: sx / mass, y: sy / mass, mass, left, top, right, bottom };
};

describe('pictureInput', () => {
  it('shrinks by averaging the area each input pixel covers', () => {
    // 4×4 blocks of 0, 255, 51 and 0 in a 8×8 picture → 2×2 input
    const input = pictureInput(
      picture(8, 8, (r, c) => [0, 255, 51, 0][(r < 4 ? 0 : 2) + (c < 4 ? 0 : 1)]),
      { shape: [1, 2, 2] },
    );
    expect(Array.from(input)).toEqual([0, 1, expect.closeTo(0.2, 6), 0]);
    // a one-pixel line of a 10-pixel-wide picture shrunk to 5 becomes half grey, not lost
    const line = pictureInput(
      picture(10, 10, (_, c) => (c === 4 ? 255 : 0)),
      { shape: [1, 5, 5] },
    );
    for (let row = 0; row < 5; row++) expect(at(line, 5, row, 2)).toBeCloseTo(0.5, 6);
    expect(at(line, 5, 0, 1)).toBe(0);
  });

  it('stretches a non-square picture to the input, as the dataset readers do', () => {
    const input = pictureInput(
      picture(6, 2, (r) => (r === 0 ? 255 : 0)),
      { shape: [1, 2, 3] },
    );
    expect(Array.from(input)).toEqual([1, 1, 1, 0, 0, 0]);
  });

  it('centres a drawing as MNIST: ink box fitted to 20 of 28 pixels, centre of mass in the middle', () => {
    // a 40×40 square of ink in the top-left corner of a 280×280 drawing
    const drawing = picture(280, 280, (r, c) => (r >= 10 && r < 50 && c >= 20 && c < 60 ? 255 : 0));
    const input = pictureInput(drawing, { shape: [1, 28, 28], centre: true });
    const facts = massFacts(input, 28, 28);
    expect(facts.x).toBeCloseTo(14, 5);
    expect(facts.y).toBeCloseTo(14, 5);
    expect([facts.left, facts.top, facts.right, facts.bottom]).toEqual([4, 4, 23, 23]);
    expect(facts.mass).toBeCloseTo((DIGIT_BOX * 28) ** 2, 3);
    expect(at(input, 28, 14, 14)).toBeCloseTo(1, 6);
  });

  it('keeps a thin vertical stroke thin and tall (a "1"), with its proportions', () => {
    const drawing = picture(280, 280, (r, c) => (r >= 40 && r < 240 && c >= 180 && c < 200 ? 255 : 0));
    const input = pictureInput(drawing, { shape: [1, 28, 28], centre: true });
    const facts = massFacts(input, 28, 28);
    expect(facts.bottom - facts.top + 1).toBe(20);
    expect(facts.right - facts.left + 1).toBeLessThanOrEqual(3);
    expect(facts.x).toBeCloseTo(14, 5);
    expect(facts.mass).toBeCloseTo(20 * 2, 3);
  });

  it('moves a lopsided shape by its centre of mass, not its box', () => {
    // a 100-pixel square outline, its left side 15 pixels thick and the others 4
    const drawing = picture(200, 200, (r, c) => (r < 100 && c < 100 && (c < 15 || c >= 96 || r < 4 || r >= 96) ? 255 : 0));
    const input = pictureInput(drawing, { shape: [1, 28, 28], centre: true });
    const facts = massFacts(input, 28, 28);
    // (a sliver of the thin right side falls off the frame)
    expect(facts.x).toBeCloseTo(14, 1);
    expect(facts.y).toBeCloseTo(14, 5);
    // the box is off centre: its corner with the most ink is nearer the middle
    expect(facts.left + facts.right).toBeGreaterThan(28);
  });

  it('gives a blank drawing as zeros (normalised as the data would be)', () => {
    const blank = picture(50, 50, () => 0);
    expect(pictureInput(blank, { shape: [1, 28, 28], centre: true }).every((v) => v === 0)).toBe(true);
    const normalised = pictureInput(blank, { shape: [1, 4, 4], centre: true, normalisation: { mean: [0.1307], std: [0.3081] } });
    for (const value of normalised) expect(value).toBeCloseTo(-0.1307 / 0.3081, 6);
  });

  it('inverts dark ink on a light background, as MNIST is light on dark', () => {
    const paper = picture(4, 4, (r, c) => (r === 1 && c === 1 ? 0 : 255));
    const input = pictureInput(paper, { shape: [1, 4, 4] });
    expect(at(input, 4, 1, 1)).toBe(1);
    expect(at(input, 4, 0, 0)).toBe(0);
  });

  it('normalises each channel with the training statistics; grey is 601 luma; alpha composes over black', () => {
    const pixels = picture(1, 1, () => [255, 0, 0, 255]);
    expect(pictureInput(pixels, { shape: [1, 1, 1] })[0]).toBeCloseTo(0.299, 6);
    const rgb = pictureInput(pixels, { shape: [3, 1, 1], normalisation: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.25, 0] } });
    expect(Array.from(rgb)).toEqual([1, -2, -0.5]);
    const halfClear = pictureInput(
      picture(1, 1, () => [255, 255, 255, 51]),
      { shape: [1, 1, 1] },
    );
    expect(halfClear[0]).toBeCloseTo(0.2, 6);
  });

  it('says what is wrong with a shape or statistics it cannot use', () => {
    const pixels = picture(2, 2, () => 0);
    expect(() => pictureInput(pixels, { shape: [10] })).toThrow(/\[channels, height, width\], not of 10/);
    expect(() => pictureInput(pixels, { shape: [2, 2, 2] })).toThrow(/1 or 3 channels, not 2/);
    expect(() => pictureInput(pixels, { shape: [1, 2, 2], normalisation: { mean: [0, 0, 0], std: [1, 1, 1] } })).toThrow(
      /1 channels but the normalisation has 3/,
    );
    expect(() => pictureInput({ rgba: new Uint8Array(3), width: 2, height: 2 }, { shape: [1, 2, 2] })).toThrow(/needs 16 RGBA bytes/);
  });
});
