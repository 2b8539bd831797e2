// Draws the app icon, build/icon.png (512×512): a 3×3 filter sliding over a feature map, the
// picture of a convolution. electron-builder derives the macOS .icns, the Windows .ico and the
// Linux sizes from it. Run: node build/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PNG } from 'pngjs';

const SIZE = 512;
const png = new PNG({ width: SIZE, height: SIZE });

const BACKGROUND = [0x1e, 0x24, 0x33];
const GRID = [0x3b, 0x4a, 0x6b];
const FILTER = [0xf5, 0xa6, 0x23];

const inRoundedSquare = (x, y, margin, radius) => {
  const lo = margin;
  const hi = SIZE - margin;
  if (x < lo || x >= hi || y < lo || y >= hi) return false;
  const cx = Math.min(Math.max(x, lo + radius), hi - radius);
  const cy = Math.min(Math.max(y, lo + radius), hi - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
};

// A 6×6 feature map of cells, with the filter over the 3×3 block at column 1, row 1.
const CELLS = 6;
const CELL = 56;
const GAP = 8;
const ORIGIN = (SIZE - CELLS * CELL - (CELLS - 1) * GAP) / 2;

const cellColour = (x, y) => {
  const u = x - ORIGIN;
  const v = y - ORIGIN;
  if (u < 0 || v < 0) return null;
  const column = Math.floor(u / (CELL + GAP));
  const row = Math.floor(v / (CELL + GAP));
  if (column >= CELLS || row >= CELLS || u % (CELL + GAP) >= CELL || v % (CELL + GAP) >= CELL) return null;
  const underFilter = column >= 1 && column <= 3 && row >= 1 && row <= 3;
  return underFilter ? FILTER : GRID;
};

for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const offset = (y * SIZE + x) * 4;
    const inside = inRoundedSquare(x, y, 16, 96);
    const colour = inside ? (cellColour(x, y) ?? BACKGROUND) : [0, 0, 0];
    png.data[offset] = colour[0];
    png.data[offset + 1] = colour[1];
    png.data[offset + 2] = colour[2];
    png.data[offset + 3] = inside ? 255 : 0;
  }
}

const target = resolve(import.meta.dirname, 'icon.png');
writeFileSync(target, PNG.sync.write(png, { colorType: 6 }));
console.log(`wrote ${target}`);
