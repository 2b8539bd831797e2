// Draws the app icon, build/icon.png (512×512): a 3×3 filter sliding over a feature map, the
// picture of a convolution. electron-builder derives the macOS .icns, the Windows .ico and the
// Linux sizes from it. Also the icon of .cnnproj files (the same picture on a page):
// build/cnnproj.icns and build/cnnproj.ico, which electron-builder's fileAssociations take as
// they are (both formats hold PNG images: ICNS types ic08/ic09, ICO entries since Windows Vista).
// Run: node build/make-icon.mjs
import { Buffer } from 'node:buffer';
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

// The document icon: a light page with a folded corner, the app's picture on it, drawn at 512
// and shrunk by averaging to 256.
const PAGE = [0xf4, 0xf6, 0xfa];
const FOLD = [0xc9, 0xd1, 0xe0];
const documentIcon = () => {
  const page = new PNG({ width: SIZE, height: SIZE });
  const left = 72;
  const right = SIZE - 72;
  const fold = 110;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const offset = (y * SIZE + x) * 4;
      const onPage =
        x >= left && x < right && y >= 16 && y < SIZE - 16 && !(x >= right - fold && y < 16 + fold && x - (right - fold) > y - 16);
      const inFold = x >= right - fold && x < right && y >= 16 && y < 16 + fold && x - (right - fold) <= y - 16;
      let colour = onPage ? (inFold ? FOLD : PAGE) : null;
      // The app's picture, at 60 %, in the middle of the page.
      const u = (x - SIZE / 2) / 0.6 + SIZE / 2;
      const v = (y - SIZE / 2 - 24) / 0.6 + SIZE / 2;
      if (onPage && !inFold && u >= 0 && v >= 0 && u < SIZE && v < SIZE && inRoundedSquare(u, v, 16, 96))
        colour = cellColour(u, v) ?? BACKGROUND;
      page.data[offset] = colour?.[0] ?? 0;
      page.data[offset + 1] = colour?.[1] ?? 0;
      page.data[offset + 2] = colour?.[2] ?? 0;
      page.data[offset + 3] = colour ? 255 : 0;
    }
  }
  return page;
};

const halve = (image) => {
  const half = new PNG({ width: image.width / 2, height: image.height / 2 });
  for (let y = 0; y < half.height; y++)
    for (let x = 0; x < half.width; x++)
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (const [dx, dy] of [
          [0, 0],
          [1, 0],
          [0, 1],
          [1, 1],
        ])
          sum += image.data[((2 * y + dy) * image.width + 2 * x + dx) * 4 + c];
        half.data[(y * half.width + x) * 4 + c] = Math.round(sum / 4);
      }
  return half;
};

const big = PNG.sync.write(documentIcon(), { colorType: 6 });
const small = PNG.sync.write(halve(documentIcon()), { colorType: 6 });

/** ICNS: 'icns', the file's length, then (type, length, PNG) entries; lengths big-endian, headers included. */
const icns = (entries) => {
  const parts = entries.map(([type, data]) => {
    const header = Buffer.alloc(8);
    header.write(type, 0, 'ascii');
    header.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([header, data]);
  });
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'ascii');
  header.writeUInt32BE(8 + parts.reduce((sum, part) => sum + part.length, 0), 4);
  return Buffer.concat([header, ...parts]);
};

/** ICO with one 256×256 PNG entry (width and height 0 mean 256). */
const ico = (data) => {
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(1, 4);
  header.writeUInt8(0, 6);
  header.writeUInt8(0, 7);
  header.writeUInt16LE(1, 10);
  header.writeUInt16LE(32, 12);
  header.writeUInt32LE(data.length, 14);
  header.writeUInt32LE(22, 18);
  return Buffer.concat([header, data]);
};

for (const [name, data] of [
  [
    'cnnproj.icns',
    icns([
      ['ic08', small],
      ['ic09', big],
    ]),
  ],
  ['cnnproj.ico', ico(small)],
]) {
  const path = resolve(import.meta.dirname, name);
  writeFileSync(path, data);
  console.log(`wrote ${path}`);
}
