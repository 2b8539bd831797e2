/**
 * Printing the code of a changed graph again without losing what a person wrote around it
 * (docs/MODEL_CODE.md, "Comments"). The old text is cut into statements, each with the comment
 * lines above it (its leading block) and the comments on its own lines (trailing comments); the
 * new graph's code is printed, and each of its statements gets back its old comments:
 *
 * - a statement the change left alone (it prints the same in the old and the new graph) keeps its
 *   old lines exactly as written, with their spacing, comments and line breaks;
 * - a re-printed statement gets its leading block above it and its trailing comments at the end
 *   of its line;
 * - the leading block of a statement that is gone moves to the next statement that remains (a
 *   heading above a deleted layer stays where it was); trailing comments go with their statement;
 * - comments after the last statement stay at the end.
 *
 * Pure; never throws.
 */
import type { GraphDocument } from '../document';
import { CODE_HEADER, printModelCode } from './print';

/** One line cut into its code and its comment (from `#` outside quotes), with the bracket depth it leaves. */
interface LineParts {
  readonly code: string;
  readonly comment: string | null;
  readonly depthChange: number;
}

const splitLine = (line: string): LineParts => {
  let quote: string | null = null;
  let depthChange = 0;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = null;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === '#') return { code: line.slice(0, i).trimEnd(), comment: line.slice(i), depthChange };
    else if (char === '(' || char === '[') depthChange++;
    else if (char === ')' || char === ']') depthChange--;
  }
  return { code: line.trimEnd(), comment: null, depthChange };
};

const LAYER = /^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=/;
const HEADER = /^\s*(network|description)\b/;
/** A line that starts a statement even inside an unclosed call (the parser reads it so too: syntax.ts). */
const STARTS_STATEMENT = /^\s*([A-Za-z_][A-Za-z0-9_-]*\s*=\s*[A-Za-z_][A-Za-z0-9_-]*\s*\(|(network|description)\s*['"])/;

/** What a statement is: `layer:conv1`, `network` or `description`; null for a line that is neither. */
const keyOf = (code: string): string | null => {
  const layer = LAYER.exec(code);
  if (layer) return `layer:${layer[1]}`;
  const header = HEADER.exec(code);
  return header ? header[1] : null;
};

interface Statement {
  readonly key: string | null;
  /** The comment and blank lines above it, since the statement before. */
  readonly leading: readonly string[];
  /** Its lines as written (several when a call spans lines). */
  readonly lines: readonly string[];
  /** The comments on its lines. */
  readonly trailing: readonly string[];
}

interface CutText {
  readonly statements: readonly Statement[];
  /** The comment and blank lines after the last statement. */
  readonly tail: readonly string[];
}

/** Cuts code into statements; the printer's own header comment is left out (it prints it again). */
const cut = (text: string): CutText => {
  const statements: { key: string | null; leading: string[]; lines: string[]; trailing: string[] }[] = [];
  let leading: string[] = [];
  let depth = 0;
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    const parts = splitLine(line);
    const open = statements.at(-1);
    if (depth > 0 && STARTS_STATEMENT.test(parts.code)) depth = 0;
    if (depth > 0 && open) {
      // Inside the brackets of a call that spans lines.
      open.lines.push(line);
      if (parts.comment) open.trailing.push(parts.comment);
    } else if (parts.code.trim() === '') {
      if (line.trim() !== CODE_HEADER) leading.push(line);
    } else {
      statements.push({ key: keyOf(parts.code), leading, lines: [line], trailing: parts.comment ? [parts.comment] : [] });
      leading = [];
    }
    depth = Math.max(0, depth + parts.depthChange);
  }
  return { statements, tail: leading };
};

const trimBlank = (lines: readonly string[], atStart: boolean, atEnd: boolean): string[] => {
  let start = 0;
  let end = lines.length;
  while (atStart && start < end && lines[start].trim() === '') start++;
  while (atEnd && end > start && lines[end - 1].trim() === '') end--;
  return lines.slice(start, end);
};

/**
 * The code of `next`, with the comments of `text` kept. `previous` is the graph `text` shows
 * (it parsed to it); null when it did not parse, and then every statement is printed afresh.
 */
export const reprintWithComments = (text: string, next: GraphDocument, previous: GraphDocument | null): string => {
  const printed = cut(printModelCode(next)).statements;
  const before = new Map(previous ? cut(printModelCode(previous)).statements.map((s) => [s.key, s.lines.join('\n')] as const) : []);
  const old = cut(text);
  const byKey = new Map<string, Statement>();
  for (const statement of old.statements) if (statement.key !== null && !byKey.has(statement.key)) byKey.set(statement.key, statement);
  const kept = new Set(printed.map((statement) => statement.key));

  // Leading blocks of statements that are gone move on to the next statement that remains.
  const carried = new Map<string, string[]>();
  let pending: string[] = [];
  for (const statement of old.statements) {
    pending.push(...statement.leading);
    if (statement.key !== null && kept.has(statement.key) && byKey.get(statement.key) === statement) {
      carried.set(statement.key, pending);
      pending = [];
    }
  }

  const out = [CODE_HEADER];
  let layersStarted = false;
  for (const statement of printed) {
    const line = statement.lines[0];
    const isLayer = statement.key?.startsWith('layer:') ?? false;
    if (isLayer && !layersStarted) {
      out.push('');
      layersStarted = true;
    }
    const mine = statement.key !== null ? byKey.get(statement.key) : undefined;
    // Blank lines at the start of the first block of a section are the printer's own.
    const first = !isLayer || out.at(-1) === '';
    out.push(...trimBlank(carried.get(statement.key ?? '') ?? [], first, false));
    if (mine && before.get(statement.key) === line) out.push(...mine.lines);
    else out.push(mine?.trailing.length ? `${line}  ${mine.trailing.join(' ')}` : line);
  }
  if (!layersStarted) out.push('');
  const tail = trimBlank([...pending, ...old.tail], !layersStarted, true);
  out.push(...tail);
  return `${out.join('\n')}\n`;
};
