/**
 * JSON text for files that people diff: two-space indentation, and any object or list that fits
 * on one line written on one line (and chosen ones always on one line). A graph then has one
 * line per node and per edge, and a run one line per epoch, so an edit shows as a one-line change.
 */

export type JsonPath = readonly (string | number)[];

export interface FormatOptions {
  /** Longest line, indentation included, for values that are not forced onto one line. */
  readonly width?: number;
  /** Values at these paths are written on one line whatever their length. */
  readonly oneLine?: (path: JsonPath) => boolean;
}

const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** The members JSON.stringify would write: undefined and functions are left out of objects. */
const members = (record: object): [string, unknown][] =>
  Object.entries(record).filter(([, value]) => value !== undefined && typeof value !== 'function' && typeof value !== 'symbol');

const scalar = (value: unknown): string => JSON.stringify(value) ?? 'null';

const inline = (value: unknown): string => {
  if (Array.isArray(value)) return value.length ? `[${value.map(inline).join(', ')}]` : '[]';
  if (isContainer(value)) {
    const entries = members(value);
    return entries.length ? `{ ${entries.map(([key, item]) => `${JSON.stringify(key)}: ${inline(item)}`).join(', ')} }` : '{}';
  }
  return scalar(value);
};

const block = (value: unknown, path: (string | number)[], indent: string, used: number, width: number, options: FormatOptions): string => {
  if (!isContainer(value)) return scalar(value);
  if (path.length > 0) {
    if (options.oneLine?.(path)) return inline(value);
    const flat = inline(value);
    if (used + flat.length <= width) return flat;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    const lines = value.map((item, index) => `${inner}${block(item, [...path, index], inner, inner.length + 1, width, options)}`);
    return `[\n${lines.join(',\n')}\n${indent}]`;
  }
  const entries = members(value);
  if (!entries.length) return '{}';
  const lines = entries.map(([key, item]) => {
    const prefix = `${inner}${JSON.stringify(key)}: `;
    return `${prefix}${block(item, [...path, key], inner, prefix.length + 1, width, options)}`;
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
};

/** Formats a JSON value (no cycles) as text ending in a newline. */
export const formatJson = (value: unknown, options: FormatOptions = {}): string =>
  `${block(value, [], '', 0, options.width ?? 140, options)}\n`;
