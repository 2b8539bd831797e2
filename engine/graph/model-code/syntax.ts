/**
 * The syntax pass of model code: tokens to statements, every mistake reported with its line and
 * columns. One statement per line: `network 'name'`, `description 'text'`, or a layer,
 * `name = Type(input, …, parameter=value, …)`. After a mistake the rest of its line is skipped,
 * so every line's problems are found in one pass.
 */
import { tokenize, type Token } from './lexer';

export interface CodeProblem {
  /** 1-based, as editors count. */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly message: string;
}

export interface ParamArgument {
  readonly name: Token;
  readonly value: unknown;
  /** The value's first and last tokens, for marking it. */
  readonly from: Token;
  readonly to: Token;
}

export interface LayerStatement {
  readonly kind: 'layer';
  readonly name: Token;
  readonly type: Token;
  readonly inputs: readonly Token[];
  readonly params: readonly ParamArgument[];
}

export interface HeaderStatement {
  readonly kind: 'network' | 'description';
  readonly keyword: Token;
  readonly text: string;
}

export type Statement = LayerStatement | HeaderStatement;

export const problemAt = (from: Token, message: string, to: Token = from): CodeProblem => ({
  line: from.line,
  column: from.column,
  endLine: to.line,
  endColumn: Math.max(to.endColumn, from.line === to.line ? from.column + 1 : to.endColumn),
  message,
});

/** Thrown to abandon a statement at a mistake (already reported). */
class Abandon {}

const HEADERS = new Set(['network', 'description']);
const BOOLEANS: Record<string, boolean> = { true: true, false: false, True: true, False: false };
const EXAMPLE = 'a layer such as conv1 = Conv2D(input, filters=16, kernel=3), or a # comment';

const describe = (token: Token): string =>
  token.kind === 'newline' ? 'the end of the line' : token.kind === 'end' ? 'the end of the code' : `'${token.text}'`;

export const parseStatements = (source: string): { statements: Statement[]; problems: CodeProblem[]; brokenNames: Token[] } => {
  const tokens = tokenize(source);
  const statements: Statement[] = [];
  const problems: CodeProblem[] = [];
  let at = 0;
  const peek = (ahead = 0): Token => tokens[Math.min(at + ahead, tokens.length - 1)];
  const next = (): Token => tokens[Math.min(at++, tokens.length - 1)];
  const fail = (token: Token, message: string, to?: Token): never => {
    problems.push(problemAt(token, token.kind === 'error' ? token.text : message, to));
    throw new Abandon();
  };
  const skipNewlines = () => {
    while (peek().kind === 'newline') at++;
  };
  /** A layer (`name = Type(`) or a header starts here. */
  const startsStatement = (): boolean =>
    peek().kind === 'name' &&
    ((peek(1).text === '=' && peek(2).kind === 'name' && peek(3).text === '(') || (HEADERS.has(peek().text) && peek(1).kind === 'string'));
  /** A statement starting a line inside an unclosed call: the user began the next one. */
  const startsLayer = (): boolean => tokens[at - 1]?.kind === 'newline' && startsStatement();

  const value = (): unknown => {
    const token = next();
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'string') return token.text;
    if (token.kind === 'name' && Object.hasOwn(BOOLEANS, token.text)) return BOOLEANS[token.text];
    if (token.kind === 'name') fail(token, `expected a value, not the name '${token.text}'; write text in quotes, as in '${token.text}'`);
    if (token.text === '[') {
      const items: unknown[] = [];
      skipNewlines();
      while (peek().text !== ']') {
        items.push(value());
        skipNewlines();
        if (peek().text === ',') next();
        else if (peek().text !== ']') fail(peek(), `expected ',' or ']' in the list, not ${describe(peek())}`);
        skipNewlines();
      }
      next();
      return items;
    }
    return fail(token, `expected a value (a number, 'text', true, false or a [list]), not ${describe(token)}`);
  };

  /** Names of layers whose lines have mistakes: still defined, so their users get no second message. */
  const brokenNames: Token[] = [];
  const layer = (name: Token): LayerStatement => {
    try {
      return layerAfterName(name);
    } catch (error) {
      brokenNames.push(name);
      throw error;
    }
  };

  /** True between a layer's '(' and its ')': a mistake there skips the rest of the call, over several lines if it spans them. */
  let insideCall = false;
  const skipRestOfCall = () => {
    let depth = 1;
    while (peek().kind !== 'end' && depth > 0) {
      const token = next();
      if (token.text === '(') depth++;
      else if (token.text === ')') depth--;
      else if (startsLayer()) return;
    }
    while (peek().kind !== 'newline' && peek().kind !== 'end') at++;
  };

  const layerAfterName = (name: Token): LayerStatement => {
    next(); // '='
    const type = next();
    if (type.kind !== 'name') fail(type, `expected a layer type after '=', such as Conv2D, not ${describe(type)}`);
    const open = next();
    if (open.text !== '(') fail(open, `expected '(' after ${type.text}, as in ${type.text}(…)`);
    insideCall = true;
    const inputs: Token[] = [];
    const params: ParamArgument[] = [];
    for (;;) {
      skipNewlines();
      if (startsLayer() || peek().kind === 'end') {
        // Kept, so that its name is defined for the layers below; the next line is read afresh.
        problems.push(problemAt(open, `this '(' is not closed; end the layer with ')'`));
        insideCall = false;
        return { kind: 'layer', name, type, inputs, params };
      }
      if (peek().text === ')') break;
      const argument = next();
      if (argument.kind !== 'name') fail(argument, `expected an input layer's name or parameter=value, not ${describe(argument)}`);
      if (peek().text === '=') {
        next();
        const from = peek();
        const parsed = value();
        params.push({ name: argument, value: parsed, from, to: tokens[at - 1] });
      } else if (params.length) {
        fail(argument, `the input '${argument.text}' comes after a parameter; list the inputs first, as in ${type.text}(a, b, size=2)`);
      } else inputs.push(argument);
      skipNewlines();
      if (peek().text === ',') next();
      else if (peek().text !== ')' && !startsLayer()) fail(peek(), `expected ',' or ')' after '${argument.text}', not ${describe(peek())}`);
    }
    next(); // ')'
    insideCall = false;
    return { kind: 'layer', name, type, inputs, params };
  };

  const statement = (): Statement => {
    const first = peek();
    if (first.kind === 'name' && peek(1).text === '=') return layer(next());
    if (first.kind === 'name' && HEADERS.has(first.text)) {
      next();
      const text = next();
      if (text.kind !== 'string')
        fail(text, `expected the ${first.text} in quotes after '${first.text}', as in ${first.text} 'My network'`);
      return { kind: first.text as 'network' | 'description', keyword: first, text: text.text };
    }
    return fail(first, `expected ${EXAMPLE}, not ${describe(first)}`);
  };

  for (;;) {
    skipNewlines();
    if (peek().kind === 'end') break;
    try {
      statements.push(statement());
      const after = peek();
      const resumed = tokens[at - 1]?.kind === 'newline'; // an unclosed call ended at the next line
      if (!resumed && after.kind !== 'newline' && after.kind !== 'end')
        fail(after, `expected the end of the line after the statement, not ${describe(after)}`);
    } catch (error) {
      if (!(error instanceof Abandon)) throw error;
      if (insideCall) skipRestOfCall();
      else while (peek().kind !== 'newline' && peek().kind !== 'end') at++;
      insideCall = false;
    }
  }
  return { statements, problems, brokenNames };
};
