/** Histograms of a tensor's values (a layer's weights), and a bar chart of one as a picture. */
import { blankImage, type RgbaImage } from './image';

export interface Histogram {
  readonly min: number;
  readonly max: number;
  /** Values per bin; bin i holds [min + i·width, min + (i + 1)·width), the last one includes max. */
  readonly counts: Int32Array;
  readonly binWidth: number;
}

export const histogram = (values: ArrayLike<number>, bins = 30): Histogram => {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  if (!(min <= max)) min = max = 0;
  const counts = new Int32Array(bins);
  const binWidth = max > min ? (max - min) / bins : 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    counts[Math.min(bins - 1, Math.floor((v - min) / binWidth))]++;
  }
  return { min, max, counts, binWidth };
};

/** Bars `height` pixels high at most, `barWidth` wide with a 1-pixel gap, light on the panel's grey. */
export const histogramImage = (h: Histogram, barWidth = 6, height = 60): RgbaImage => {
  const bins = h.counts.length;
  const width = bins * (barWidth + 1) + 1;
  const image = blankImage({ width, height });
  const largest = Math.max(1, ...h.counts);
  for (let b = 0; b < bins; b++) {
    const bar = Math.round((h.counts[b] / largest) * (height - 2));
    for (let y = height - 1 - bar; y < height - 1; y++)
      for (let x = 1 + b * (barWidth + 1); x < (b + 1) * (barWidth + 1); x++) {
        const at = (y * width + x) * 4;
        image.data[at] = 120;
        image.data[at + 1] = 170;
        image.data[at + 2] = 230;
      }
  }
  return image;
};
