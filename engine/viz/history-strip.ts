/**
 * Histograms over time as one picture: a row per epoch, a column per bin over the range of all
 * the epochs together, brighter where more values lie (log scale, per row). Each epoch's
 * histogram has its own range, so its counts are moved to the common bins their centres fall in.
 */
import type { BinnedValues } from './training-stats';
import type { RgbaImage } from './image';

/** Counts of every histogram on the common range [min, max] in `bins` bins. */
export const commonBins = (histograms: readonly BinnedValues[], bins: number): { min: number; max: number; rows: number[][] } => {
  let min = Infinity;
  let max = -Infinity;
  for (const h of histograms) {
    if (h.counts.every((count) => count === 0)) continue;
    min = Math.min(min, h.min);
    max = Math.max(max, h.max);
  }
  if (!(min <= max)) min = max = 0;
  const width = max > min ? (max - min) / bins : 1;
  const rows = histograms.map((h) => {
    const row = new Array<number>(bins).fill(0);
    const own = h.counts.length > 0 ? (h.max - h.min) / h.counts.length : 0;
    h.counts.forEach((count, i) => {
      const centre = h.min + (i + 0.5) * own;
      row[Math.max(0, Math.min(bins - 1, Math.floor((centre - min) / width)))] += count;
    });
    return row;
  });
  return { min, max, rows };
};

/** The strip: `cell` pixels a bin and an epoch; the row of `highlight` (an index) is marked in orange. */
export const histogramStrip = (histograms: readonly BinnedValues[], bins: number, cell = 4, highlight = -1): RgbaImage => {
  const { rows } = commonBins(histograms, bins);
  const width = bins * cell;
  const height = Math.max(1, rows.length) * cell;
  const data = new Uint8ClampedArray(width * height * 4);
  rows.forEach((row, r) => {
    const most = Math.log1p(Math.max(...row));
    row.forEach((count, b) => {
      const t = most > 0 ? Math.log1p(count) / most : 0;
      const colour = r === highlight ? [40 + 215 * t, 40 + 120 * t, 30] : [30 + 200 * t, 30 + 210 * t, 40 + 215 * t];
      for (let y = r * cell; y < (r + 1) * cell; y++)
        for (let x = b * cell; x < (b + 1) * cell; x++) {
          const at = (y * width + x) * 4;
          data[at] = colour[0];
          data[at + 1] = colour[1];
          data[at + 2] = colour[2];
          data[at + 3] = 255;
        }
    });
  });
  return { width, height, data };
};
