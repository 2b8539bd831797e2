/** Text formatting for the terminal: tables, counts and shapes. */

/** 61706 → "61,706". */
export const formatCount = (value: number): string => value.toLocaleString('en-US');

/** 22304512 → "22.3M". */
export const formatCompact = (value: number): string => {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, suffix] of units) {
    if (value >= size) return `${(value / size).toFixed(value >= size * 100 ? 0 : 1)}${suffix}`;
  }
  return String(value);
};

/** 1536 → "1.5 KiB". */
export const formatBytes = (bytes: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
};

/** Left-aligned text columns, right-aligned number columns. */
export const formatTable = (header: string[], rows: string[][], numeric: boolean[]): string => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (numeric[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '─'.repeat(width))), ...rows.map(line)].join('\n');
};
