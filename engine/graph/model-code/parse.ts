/**
 * Model code → graph document. The syntax pass (syntax.ts) finds the statements; this pass checks
 * them against the layer catalogue: layer types, parameter names, values (with the catalogue's
 * own messages), input names, input counts and duplicate names. Any problem means no document:
 * the caller keeps the graph it had. Never throws, whatever the text.
 *
 * The document keeps the canvas positions of the layers whose names survive from `previous`;
 * new layers have no position, for the caller to place.
 */
import { CATALOGUE, closestLayerType } from '../catalogue';
import { GRAPH_FORMAT, GRAPH_VERSION, NODE_ID_PATTERN, type GraphDocument, type GraphEdge, type GraphNode } from '../document';
import { isLayerType } from '../layer-types';
import { normaliseParam, type ParamSpec } from '../params';
import type { Token } from './lexer';
import { parseStatements, problemAt, type CodeProblem, type LayerStatement } from './syntax';

export type { CodeProblem } from './syntax';

/** The keyword argument that sets a layer's display name rather than a parameter. */
export const LABEL_ARGUMENT = 'label';

export interface ParsedCode {
  /** The graph, or null when there is any problem. */
  readonly document: GraphDocument | null;
  /** In line order. */
  readonly problems: readonly CodeProblem[];
  /** The line each layer is defined on, by name (also when there are problems). */
  readonly lines: ReadonlyMap<string, number>;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** A known name that differs only in case or by a short prefix, for "did you mean" hints. */
const closeName = (name: string, known: readonly string[]): string | undefined =>
  known.find((candidate) => candidate.toLowerCase() === name.toLowerCase()) ??
  (name.length >= 3 ? known.find((candidate) => candidate.startsWith(name.slice(0, Math.max(3, name.length - 1)))) : undefined);

const checkParams = (statement: LayerStatement, problems: CodeProblem[]): { params: Record<string, unknown>; label?: string } => {
  const params: Record<string, unknown> = {};
  let label: string | undefined;
  const type = statement.type.text;
  const schema: Record<string, ParamSpec> | null = isLayerType(type) ? CATALOGUE[type].params : null;
  const seen = new Map<string, Token>();
  for (const { name, value, from, to } of statement.params) {
    const earlier = seen.get(name.text);
    if (earlier) {
      problems.push(problemAt(name, `${name.text} is set twice (also at column ${earlier.column}); keep one`));
      continue;
    }
    seen.set(name.text, name);
    if (name.text === LABEL_ARGUMENT) {
      if (typeof value === 'string' && value.trim()) label = value;
      else problems.push(problemAt(from, `${LABEL_ARGUMENT} must be a name in quotes, such as 'first convolution'`, to));
      continue;
    }
    if (!schema) continue; // the unknown type is reported once, on the type
    const spec = Object.hasOwn(schema, name.text) ? schema[name.text] : undefined;
    if (!spec) {
      const names = Object.keys(schema);
      const close = closeName(name.text, names);
      const hint = close ? `did you mean '${close}'?` : names.length ? `its parameters are ${names.join(', ')}` : 'it takes no parameters';
      problems.push(problemAt(name, `${type} has no parameter '${name.text}'; ${hint}`));
      continue;
    }
    const result = normaliseParam(spec, value);
    if (!result.ok) problems.push(problemAt(from, `${name.text} ${result.problem}`, to));
    else params[name.text] = value;
  }
  return { params, label };
};

const checkInputs = (
  statement: LayerStatement,
  defined: ReadonlyMap<string, LayerStatement>,
  broken: ReadonlySet<string>,
  problems: CodeProblem[],
): void => {
  const type = statement.type.text;
  if (isLayerType(type)) {
    const { max } = CATALOGUE[type].inputs;
    if (statement.inputs.length > max) {
      const extra = statement.inputs[max];
      const fix = max === 0 ? 'remove the inputs' : 'merge the branches with Add or Concat first';
      problems.push(
        problemAt(
          extra,
          `${type} takes ${max === 0 ? 'no inputs' : `at most ${plural(max, 'input')}`}, not ${statement.inputs.length}; ${fix}`,
          statement.inputs.at(-1),
        ),
      );
    }
  }
  for (const input of statement.inputs) {
    if (defined.has(input.text) || broken.has(input.text)) continue;
    const close = closeName(input.text, [...defined.keys()]);
    const hint = close ? `did you mean '${close}'?` : `define it with ${input.text} = …, or use one of the names defined here`;
    problems.push(problemAt(input, `no layer is named '${input.text}'; ${hint}`));
  }
};

/** Parses model code into a graph document, keeping the positions of `previous`'s surviving layers. */
export const parseModelCode = (source: string, previous?: GraphDocument): ParsedCode => {
  const { statements, problems, brokenNames } = parseStatements(source);
  const broken = new Set(brokenNames.map((token) => token.text));
  const layers = new Map<string, LayerStatement>();
  const lines = new Map<string, number>();
  let name: string | undefined;
  let description: string | undefined;
  for (const statement of statements) {
    if (statement.kind !== 'layer') {
      if ((statement.kind === 'network' ? name : description) !== undefined)
        problems.push(problemAt(statement.keyword, `the ${statement.kind} is given twice; keep one line`));
      else if (statement.kind === 'network') name = statement.text;
      else description = statement.text;
      continue;
    }
    const id = statement.name.text;
    const earlier = layers.get(id);
    if (earlier) {
      problems.push(problemAt(statement.name, `'${id}' is already defined on line ${earlier.name.line}; give each layer its own name`));
      continue;
    }
    if (!NODE_ID_PATTERN.test(id))
      problems.push(problemAt(statement.name, `the name '${id.slice(0, 20)}…' is too long; use at most 64 characters`));
    layers.set(id, statement);
    lines.set(id, statement.name.line);
  }
  for (const token of brokenNames) if (!lines.has(token.text)) lines.set(token.text, token.line);

  const positions = new Map((previous?.nodes ?? []).map((node) => [node.id, node.position]));
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const statement of layers.values()) {
    const type = statement.type.text;
    if (!isLayerType(type)) {
      const guess = closestLayerType(type);
      problems.push(
        problemAt(
          statement.type,
          `unknown layer type '${type}'; ${guess ? `did you mean ${guess}?` : 'see docs/MODEL_CODE.md for the layer types'}`,
        ),
      );
    }
    const { params, label } = checkParams(statement, problems);
    checkInputs(statement, layers, broken, problems);
    const id = statement.name.text;
    const position = positions.get(id);
    nodes.push({
      id,
      type,
      ...(Object.keys(params).length ? { params } : {}),
      ...(label !== undefined ? { label } : {}),
      ...(position ? { position } : {}),
    });
    const multiple = isLayerType(type) && CATALOGUE[type].inputs.max > 1;
    statement.inputs.forEach((input, port) =>
      edges.push(multiple ? { source: input.text, target: id, targetPort: port } : { source: input.text, target: id }),
    );
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  if (problems.length) return { document: null, problems, lines };
  const document: GraphDocument = {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    ...(name !== undefined ? { name } : {}),
    ...(description !== undefined ? { description } : {}),
    nodes,
    edges,
  };
  return { document, problems, lines };
};
