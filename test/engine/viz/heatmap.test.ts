// Heat maps, signed maps, histograms and 8-bit maps, checked pixel by pixel and value by value.
import { describe, expect, it } from 'vitest';
import { POSITIVE, NEGATIVE, ZERO } from '../../../engine/viz/colour';
import { heatOverlay, hot, signedMap } from '../../../engine/viz/heatmap';
import { histogram, histogramImage } from '../../../engine/viz/histogram';
import { pixelAt } from '../../../engine/viz/image';
import { dequantise, quantise } from '../../../engine/viz/quantise';

describe('heat maps', () => {
  it('shows the sample in grey where the heat is 0, and the hottest colour blended where it is largest', () => {
    const base = Float32Array.of(0, 1, 0, 1);
    const image = heatOverlay(base, Float32Array.of(0, 0, 0, 2), 2, 2, 2);
    expect([image.width, image.height]).toEqual([4, 4]);
    expect(pixelAt(image, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixelAt(image, 3, 1)).toEqual([255, 255, 255, 255]);
    const white: [number, number, number] = [0, 0, 0];
    hot(1, white);
    // heat 1 of 1: alpha 0.75 of white over white
    expect(pixelAt(image, 3, 3)).toEqual([...white, 255]);
    expect(pixelAt(image, 2, 3)).toEqual([...white, 255]);
    // the bottom-left pixel: black sample, no heat
    expect(pixelAt(image, 0, 3)).toEqual([0, 0, 0, 255]);
  });

  it('draws a signed map blue below zero, white at zero and red above, scaled by its largest magnitude', () => {
    const image = signedMap(Float32Array.of(-2, 0, 1, 2), 4, 1);
    expect(pixelAt(image, 0, 0).slice(0, 3)).toEqual([...NEGATIVE]);
    expect(pixelAt(image, 1, 0).slice(0, 3)).toEqual([...ZERO]);
    expect(pixelAt(image, 3, 0).slice(0, 3)).toEqual([...POSITIVE]);
  });
});

describe('histograms', () => {
  it('counts values into equal bins, the largest value in the last', () => {
    const h = histogram(Float32Array.of(0, 0.1, 0.5, 0.99, 1), 4);
    expect([...h.counts]).toEqual([2, 0, 1, 2]);
    expect(h.binWidth).toBe(0.25);
    const image = histogramImage(h, 2, 10);
    expect(image.width).toBe(4 * 3 + 1);
    // the tallest bars reach the top row but one; the empty bin draws nothing
    expect(pixelAt(image, 1, 1).slice(0, 3)).toEqual([120, 170, 230]);
    expect(pixelAt(image, 4, 8).slice(0, 3)).toEqual([30, 30, 30]);
  });
});

describe('8-bit maps', () => {
  it('keep every value to within half a step of its range, and a constant map exactly', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3 - 1);
    const map = quantise('m', values, [10, 100]);
    expect(map.data).toHaveLength(1000);
    expect(map.scale).toBeCloseTo(6 / 255, 3);
    const back = dequantise(map);
    for (let i = 0; i < 1000; i++) expect(Math.abs(back[i] - values[i])).toBeLessThanOrEqual(map.scale / 2 + 1e-6);
    expect(dequantise(quantise('c', Float32Array.of(2, 2, 2), [3]))).toEqual(Float32Array.of(2, 2, 2));
  });
});
