/**
 * Splits model code (docs/MODEL_CODE.md) into tokens, each with its line and columns (1-based,
 * as editors count); line breaks are tokens too (the parser skips them inside brackets).
 * Never throws: a character that starts no token becomes an `error` token the parser reports.
 */

export type TokenKind = 'name' | 'number' | 'string' | 'punct' | 'newline' | 'error' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The text as written (for strings: without quotes, escapes resolved; for errors: the message). */
  readonly text: string;
  readonly line: number;
  readonly column: number;
  /** The column just after the token, on its own line. */
  readonly endColumn: number;
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_-]/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;
const PUNCT = new Set(['=', '(', ')', '[', ']', ',']);
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', "'": "'", '"': '"' };

export const tokenize = (source: string): Token[] => {
  const tokens: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const push = (kind: TokenKind, text: string, start: number, end: number) =>
    tokens.push({ kind, text, line, column: start - lineStart + 1, endColumn: end - lineStart + 1 });

  while (i < source.length) {
    const char = source[i];
    if (char === '\n' || char === '\r') {
      push('newline', '\n', i, i + 1);
      i += char === '\r' && source[i + 1] === '\n' ? 2 : 1;
      line++;
      lineStart = i;
      continue;
    }
    if (char === ' ' || char === '\t') {
      i++;
      continue;
    }
    if (char === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
      continue;
    }
    if (NAME_START.test(char)) {
      const start = i;
      while (i < source.length && NAME_PART.test(source[i])) i++;
      push('name', source.slice(start, i), start, i);
      continue;
    }
    const number = /[0-9.+-]/.test(char) ? NUMBER.exec(source.slice(i, i + 400)) : null;
    if (number) {
      push('number', number[0], i, i + number[0].length);
      i += number[0].length;
      continue;
    }
    if (char === "'" || char === '"') {
      const start = i;
      let text = '';
      i++;
      while (i < source.length && source[i] !== char && source[i] !== '\n' && source[i] !== '\r') {
        if (source[i] === '\\' && i + 1 < source.length && ESCAPES[source[i + 1]] !== undefined) {
          text += ESCAPES[source[i + 1]];
          i += 2;
        } else text += source[i++];
      }
      if (source[i] === char) {
        i++;
        push('string', text, start, i);
      } else push('error', `this text has no closing ${char}; end it with ${char} on the same line`, start, i);
      continue;
    }
    if (PUNCT.has(char)) {
      push('punct', char, i, i + 1);
      i++;
      continue;
    }
    push('error', `unexpected character '${char}'`, i, i + 1);
    i++;
  }
  push('newline', '\n', i, i);
  tokens.push({ kind: 'end', text: '', line, column: i - lineStart + 1, endColumn: i - lineStart + 1 });
  return tokens;
};
