/** How parameter values and text are written in model code. */

const ESCAPED: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\t': '\\t', '\r': '\\n' };

/** Text in single quotes, as the lexer reads it back. */
export const quote = (text: string): string => `'${text.replace(/[\\'\n\t\r]/g, (char) => ESCAPED[char])}'`;

/**
 * A value as code: numbers, text, true/false and lists. Anything else (an object from a
 * hand-edited file) is written as JSON, which the parser then reports, so it is seen, not lost.
 */
export const formatValue = (value: unknown): string => {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : String(value).toLowerCase();
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};
