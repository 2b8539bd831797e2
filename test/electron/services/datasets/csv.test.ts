// CSV datasets: pixel rows and image-path rows, with malformed lines skipped and listed.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCsv, splitCsvLine } from '../../../../electron/services/datasets/csv';
import { read } from '../../../engine/data/helpers';
import { pngBytes, temporaryFolder, writeFile } from './helpers';

let folder: string;
let remove: () => void;
const level = (byte: number) => Math.fround(byte / 255);

beforeAll(() => {
  ({ folder, remove } = temporaryFolder('csv'));
  const row = (label: string | number, start: number) => [label, ...Array.from({ length: 16 }, (_, i) => start + i)].join(',');
  writeFile(
    join(folder, 'pixels.csv'),
    [
      'label,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9,p10,p11,p12,p13,p14,p15',
      row(2, 0),
      row(0, 100),
      '1,2,3',
      '',
      row(1, 240).replace(/,255$/, ',300'),
      row(1, 10).replace(',12,', ',twelve,'),
      row(1, 50),
      ',' + row(0, 0).slice(2),
    ].join('\r\n'),
  );
  writeFile(join(folder, 'no-header.csv'), [row('cat', 0), row('dog', 1), row('cat', 2)].join('\n') + '\n');
  // 2×2 RGB: each pixel's r, g, b in turn.
  writeFile(join(folder, 'rgb.csv'), '7,1,2,3,4,5,6,7,8,9,10,11,12\n');
  writeFile(join(folder, 'header-only.csv'), 'label,p0,p1,p2,p3\n');
  writeFile(join(folder, 'empty.csv'), '');

  writeFile(
    join(folder, 'images', 'white.png'),
    pngBytes(6, 6, () => [255, 255, 255]),
  );
  writeFile(
    join(folder, 'images', 'grey.png'),
    pngBytes(9, 3, () => [100, 100, 100]),
  );
  writeFile(
    join(folder, 'images', 'sub dir', 'black.png'),
    pngBytes(5, 5, () => [0, 0, 0]),
  );
  writeFile(join(folder, 'images', 'broken.png'), 'not really');
  writeFile(
    join(folder, 'classes.csv'),
    [
      'path,label',
      'images/white.png,bright',
      'images/grey.png,dull',
      '"images/sub dir/black.png",dull',
      'images/missing.png,dull',
      'images/broken.png,bright',
      'images/notes.txt,dull',
      'images/white.png',
      'images/white.png,bright,extra',
    ].join('\n'),
  );
  writeFile(
    join(folder, 'targets.csv'),
    [
      'file,x,y',
      'images/white.png,0.5,0.25',
      'images/grey.png,1,2',
      'images/white.png,0.5,high',
      `${join(folder, 'images', 'grey.png')},3,4`,
    ].join('\n'),
  );
  writeFile(join(folder, 'numbered.csv'), ['images/white.png,1', 'images/grey.png,0'].join('\n'));
});

afterAll(() => remove());

const lines = (problems: { line?: number }[]) => problems.map((problem) => problem.line);

describe('CSV pixel rows', () => {
  it('read label and pixel columns after a header, inferring the size, and list malformed rows by line', () => {
    const { dataset, form, classes, problems } = openCsv(join(folder, 'pixels.csv'));
    expect(form).toBe('pixels');
    expect(dataset.size).toBe(3);
    expect(dataset.sampleShape).toEqual([1, 4, 4]);
    expect(classes).toEqual(['0', '1', '2']);
    const { x, y } = read(dataset, [0, 1, 2]);
    expect([...y]).toEqual([2, 0, 1]);
    expect(x[16 + 5]).toBe(level(105));
    expect(x[32 + 15]).toBe(level(65));
    expect(lines(problems)).toEqual([4, 6, 7, 9]);
    expect(problems[0].reason).toMatch(/has 3 values; expected 17/);
    expect(problems[1].reason).toMatch(/pixel 15 is '300', not a number from 0 to 255/);
    expect(problems[2].reason).toMatch(/pixel 2 is 'twelve'/);
    expect(problems[3].reason).toMatch(/no label/);
    expect(problems.every((problem) => problem.reason.endsWith('row skipped'))).toBe(true);
  });

  it('read rows without a header, with named classes in name order', () => {
    const { dataset, classes, problems } = openCsv(join(folder, 'no-header.csv'));
    expect(problems).toEqual([]);
    expect(classes).toEqual(['cat', 'dog']);
    expect([...read(dataset, [0, 1, 2]).y]).toEqual([0, 1, 0]);
  });

  it('read three channels as interleaved pixels into planes, and check a given size', () => {
    const { dataset } = openCsv(join(folder, 'rgb.csv'), { channels: 3 });
    expect(dataset.sampleShape).toEqual([3, 2, 2]);
    expect([...read(dataset, [0]).x]).toEqual([1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12].map(level));
    expect(() => openCsv(join(folder, 'rgb.csv'))).toThrow(/12 pixel columns, which is not size × size/);
    expect(() => openCsv(join(folder, 'pixels.csv'), { size: 3 })).toThrow(/no usable rows: .*line 2: has 17 values; expected 10/);
  });

  it('refuse a missing file, an empty one, or one with only a header', () => {
    expect(() => openCsv(join(folder, 'nope.csv'))).toThrow(`the CSV file ${join(folder, 'nope.csv')} does not exist or cannot be read`);
    expect(() => openCsv(join(folder, 'empty.csv'))).toThrow(/empty\.csv has no usable rows/);
    expect(() => openCsv(join(folder, 'header-only.csv'))).toThrow(/header-only\.csv has no usable rows/);
  });
});

describe('CSV image rows', () => {
  it('read `path,label` rows relative to the CSV, skipping bad rows and files by line', () => {
    const { dataset, form, classes, problems } = openCsv(join(folder, 'classes.csv'), { size: 3 });
    expect(form).toBe('images');
    expect(classes).toEqual(['bright', 'dull']);
    expect(dataset.size).toBe(3);
    expect(dataset.sampleShape).toEqual([1, 3, 3]);
    const { x, y } = read(dataset, [0, 1, 2]);
    expect([...y]).toEqual([0, 1, 1]);
    expect([...x.subarray(0, 9)].every((v) => v === 1)).toBe(true);
    expect([...x.subarray(9, 18)].every((v) => v === level(100))).toBe(true);
    expect([...x.subarray(18)].every((v) => v === 0)).toBe(true);
    expect(lines(problems).sort()).toEqual([5, 6, 7, 8, 9]);
    const reason = (line: number) => problems.find((problem) => problem.line === line)!.reason;
    expect(reason(5)).toBe('the file is missing');
    expect(problems.find((problem) => problem.line === 5)!.path).toBe(join(folder, 'images', 'missing.png'));
    expect(reason(6)).toMatch(/not a PNG or JPEG/);
    expect(reason(7)).toMatch(/'images\/notes.txt' is not a PNG or JPEG file name/);
    expect(reason(8)).toMatch(/has 1 values; expected 2/);
    expect(reason(9)).toMatch(/has 3 values; expected 2/);
  });

  it('read `path,t1,t2` rows as target values, and absolute paths', () => {
    const { dataset, targetNames, problems } = openCsv(join(folder, 'targets.csv'), { channels: 3, size: 2 });
    expect(dataset.target).toEqual({ kind: 'values', shape: [2] });
    expect(targetNames).toEqual(['x', 'y']);
    expect(dataset.size).toBe(3);
    expect([...read(dataset, [0, 1, 2]).y]).toEqual([0.5, 0.25, 1, 2, 3, 4]);
    expect(lines(problems)).toEqual([4]);
    expect(problems[0].reason).toMatch(/target 'high' is not a number/);
  });

  it('take one whole-number column as classes, unless told it is a value', () => {
    const numbered = openCsv(join(folder, 'numbered.csv'));
    expect(numbered.dataset.target).toEqual({ kind: 'class', classes: 2 });
    expect(numbered.classes).toEqual(['0', '1']);
    expect(numbered.dataset.sampleShape).toEqual([1, 28, 28]);
    const values = openCsv(join(folder, 'numbered.csv'), { target: 'values' });
    expect(values.dataset.target).toEqual({ kind: 'values', shape: [1] });
    expect([...read(values.dataset, [0, 1]).y]).toEqual([1, 0]);
    expect(() => openCsv(join(folder, 'targets.csv'), { target: 'class' })).toThrow(/a class target needs exactly one/);
  });

  it('split quoted fields', () => {
    expect(splitCsvLine('"a, b",c,"say ""hi"""')).toEqual(['a, b', 'c', 'say "hi"']);
    expect(splitCsvLine('"open,1')).toBeNull();
  });
});
