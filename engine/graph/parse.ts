/**
 * First pass over a graph document of unknown content: checks the JSON structure, ids, types,
 * parameters and edges, and builds a clean structure for the later passes. Never throws.
 */
import { CATALOGUE, closestLayerType } from './catalogue';
import { GRAPH_FORMAT, GRAPH_VERSION, NODE_ID_PATTERN } from './document';
import { makeIssue, type Issue, type IssueCode, type IssuePlace } from './issues';
import type { AnyLayerDefinition } from './layer';
import { isLayerType, type LayerType } from './layer-types';
import { normaliseParam } from './params';

export interface ParsedNode {
  readonly id: string;
  /** The type as written; `definition` is null when it is not a known layer type. */
  readonly type: string;
  readonly definition: AnyLayerDefinition | null;
  readonly label: string;
  /** Canonical parameters, or null when some parameter is invalid. */
  readonly params: Record<string, unknown> | null;
  readonly index: number;
}

export interface ParsedEdge {
  readonly source: string;
  readonly target: string;
  readonly port: number;
  readonly index: number;
}

export interface ParsedGraph {
  readonly nodes: Map<string, ParsedNode>;
  readonly edges: ParsedEdge[];
  /** Incoming edges of each node, by port. */
  readonly incoming: Map<string, Map<number, ParsedEdge[]>>;
  readonly outgoing: Map<string, ParsedEdge[]>;
}

export class IssueList {
  readonly all: Issue[] = [];
  add(code: IssueCode, message: string, place: IssuePlace = {}): void {
    this.all.push(makeIssue(code, message, place));
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A written value for a message, shortened; never throws, whatever the value (circular, BigInt, no prototype). */
const show = (value: unknown): string => {
  let text: string;
  try {
    text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  } catch {
    text =
      typeof value === 'bigint' ? `${value}n` : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : typeof value;
  }
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

/** Checks the document's format and version, when it states them. */
const checkHeader = (raw: Record<string, unknown>, issues: IssueList): boolean => {
  if (raw.format !== undefined && raw.format !== GRAPH_FORMAT) {
    issues.add(
      'graph-malformed',
      `the file's format is ${show(raw.format)}, not '${GRAPH_FORMAT}'; open a CNN Studio graph, or set format to '${GRAPH_FORMAT}' if this is one`,
    );
    return false;
  }
  if (raw.version === undefined) return true;
  if (typeof raw.version !== 'number' || !Number.isInteger(raw.version) || raw.version < 1) {
    issues.add('graph-malformed', `the graph's version must be a whole number from 1, not ${show(raw.version)}`);
    return false;
  }
  if (raw.version > GRAPH_VERSION) {
    issues.add(
      'graph-version',
      `the graph has format version ${raw.version}, but this CNN Studio reads up to version ${GRAPH_VERSION}; update CNN Studio to open it`,
    );
    return false;
  }
  return true;
};

const parseParams = (id: string, definition: AnyLayerDefinition, raw: unknown, issues: IssueList): Record<string, unknown> | null => {
  if (raw !== undefined && !isRecord(raw)) {
    issues.add('node-malformed', `${id}: params must be an object of name → value, not ${show(raw)}`, { nodeId: id });
    return null;
  }
  const written = raw ?? {};
  const schema = definition.params as Record<string, Parameters<typeof normaliseParam>[0]>;
  const names = Object.keys(schema);
  for (const name of Object.keys(written)) {
    if (Object.hasOwn(schema, name)) continue;
    const close = names.find((known) => known.toLowerCase() === name.toLowerCase() || known.startsWith(name.slice(0, 4)));
    const options = names.length
      ? close
        ? `did you mean '${close}'?`
        : `remove it, or use one of ${names.join(', ')}`
      : 'remove it: the layer takes no parameters';
    issues.add('param-unknown', `${id}: unknown parameter ${show(name)} is ignored; ${options}`, { nodeId: id, param: name });
  }
  const params: Record<string, unknown> = {};
  let valid = true;
  for (const name of names) {
    const result = normaliseParam(schema[name], Object.hasOwn(written, name) ? written[name] : undefined);
    if (result.ok) params[name] = result.value;
    else {
      valid = false;
      issues.add('param-invalid', `${id}: ${name} ${result.problem}`, { nodeId: id, param: name });
    }
  }
  return valid ? params : null;
};

const parseNodes = (rawNodes: unknown[], issues: IssueList): Map<string, ParsedNode> => {
  const nodes = new Map<string, ParsedNode>();
  rawNodes.forEach((raw, index) => {
    if (!isRecord(raw)) {
      issues.add('node-malformed', `nodes[${index}] must be an object with an id and a type, not ${show(raw)}`);
      return;
    }
    const id = raw.id;
    if (typeof id !== 'string' || !NODE_ID_PATTERN.test(id)) {
      issues.add(
        'node-id-invalid',
        `nodes[${index}]: id ${show(id)} is not valid; use up to 64 letters, digits, '_' or '-', starting with a letter or '_'`,
      );
      return;
    }
    const earlier = nodes.get(id);
    if (earlier) {
      issues.add('node-id-duplicate', `${id}: the id is used by nodes[${earlier.index}] and nodes[${index}]; give each node its own id`, {
        nodeId: id,
      });
      return;
    }
    let definition: AnyLayerDefinition | null = null;
    if (isLayerType(raw.type)) definition = CATALOGUE[raw.type];
    else {
      const guess = typeof raw.type === 'string' ? closestLayerType(raw.type) : null;
      const hint = guess ? `did you mean '${guess}'?` : 'use one of the layer types in the palette';
      issues.add('node-type-unknown', `${id}: unknown layer type ${show(raw.type)}; ${hint}`, { nodeId: id });
    }
    const params = definition ? parseParams(id, definition, raw.params, issues) : null;
    const label = typeof raw.label === 'string' && raw.label.trim() ? raw.label : id;
    nodes.set(id, { id, type: typeof raw.type === 'string' ? raw.type : show(raw.type), definition, label, params, index });
  });
  return nodes;
};

const typeOf = (node: ParsedNode): LayerType | null => node.definition?.type ?? null;

const parseEdges = (rawEdges: unknown[], nodes: Map<string, ParsedNode>, issues: IssueList): ParsedEdge[] => {
  const edges: ParsedEdge[] = [];
  const seen = new Set<string>();
  const nextFreePort = new Map<string, number>();
  rawEdges.forEach((raw, index) => {
    const place = { edgeIndex: index };
    if (!isRecord(raw) || typeof raw.source !== 'string' || typeof raw.target !== 'string') {
      issues.add('edge-malformed', `edges[${index}] must be an object with 'source' and 'target' node ids, not ${show(raw)}`, place);
      return;
    }
    const { source, target } = raw;
    const from = nodes.get(source);
    const to = nodes.get(target);
    if (!from || !to) {
      const missing = from ? target : source;
      const known = from ? source : to ? target : undefined;
      const prefix = known === undefined ? '' : `${known}: `;
      issues.add(
        'edge-unknown-node',
        `${prefix}edges[${index}] (${source} → ${target}) refers to ${show(missing)}, which is not a node of this graph; delete the edge or add the node`,
        known === undefined ? place : { ...place, nodeId: known },
      );
      return;
    }
    if (source === target) {
      issues.add('cycle', `${source}: is connected to itself; data must flow forward, so delete that edge`, { ...place, nodeId: source });
      return;
    }
    if (typeOf(to) === 'Input') {
      issues.add(
        'edge-into-input',
        `${target}: an Input layer has no inputs, but edges[${index}] connects ${source} to it; delete that edge`,
        { ...place, nodeId: target },
      );
      return;
    }
    if (from.definition?.category === 'head') {
      issues.add(
        'edge-from-head',
        `${source}: an output head ends the network and cannot feed ${target}; connect ${target} to the layer before the head`,
        { ...place, nodeId: source },
      );
      return;
    }
    const maxPorts = to.definition?.inputs.max ?? 1;
    let port: number;
    if (raw.targetPort === undefined) {
      // For Add and Concat an edge without a port takes the next free one, in the order listed.
      port = maxPorts > 1 ? (nextFreePort.get(target) ?? 0) : 0;
      if (port >= maxPorts) {
        issues.add(
          'edge-port-invalid',
          `${target}: edges[${index}] from ${source} finds no free input port: it takes at most ${maxPorts} inputs; merge some branches in an earlier ${to.type} first`,
          { ...place, nodeId: target },
        );
        return;
      }
    } else if (typeof raw.targetPort === 'number' && Number.isInteger(raw.targetPort) && raw.targetPort >= 0 && raw.targetPort < maxPorts) {
      port = raw.targetPort;
    } else {
      const range =
        maxPorts === 1
          ? 'it has one input, port 0; set targetPort to 0 or leave it out'
          : `its ports are 0 to ${maxPorts - 1}; set targetPort to one of them`;
      issues.add(
        'edge-port-invalid',
        `${target}: edges[${index}] from ${source} goes to input port ${show(raw.targetPort)}, but ${range}`,
        { ...place, nodeId: target },
      );
      return;
    }
    const key = JSON.stringify([source, target, port]);
    if (seen.has(key)) {
      issues.add('edge-duplicate', `${target}: ${source} is connected to input port ${port} twice; delete one of the edges`, {
        ...place,
        nodeId: target,
      });
      return;
    }
    seen.add(key);
    nextFreePort.set(target, Math.max(nextFreePort.get(target) ?? 0, port + 1));
    edges.push({ source, target, port, index });
  });
  return edges;
};

/** Parses a graph document, or returns null when it is not one at all. */
export const parseGraph = (raw: unknown, issues: IssueList): ParsedGraph | null => {
  if (!isRecord(raw)) {
    issues.add(
      'graph-malformed',
      `a graph must be a JSON object with 'nodes' and 'edges' lists, not ${Array.isArray(raw) ? 'a list' : show(raw)}`,
    );
    return null;
  }
  if (!checkHeader(raw, issues)) return null;
  if (!Array.isArray(raw.nodes)) {
    issues.add('graph-malformed', `the graph's 'nodes' must be a list of nodes, not ${show(raw.nodes)}`);
    return null;
  }
  if (raw.edges !== undefined && !Array.isArray(raw.edges)) {
    issues.add('graph-malformed', `the graph's 'edges' must be a list of edges, not ${show(raw.edges)}`);
    return null;
  }
  const nodes = parseNodes(raw.nodes, issues);
  const edges = parseEdges(raw.edges ?? [], nodes, issues);
  const incoming = new Map<string, Map<number, ParsedEdge[]>>();
  const outgoing = new Map<string, ParsedEdge[]>();
  for (const id of nodes.keys()) {
    incoming.set(id, new Map());
    outgoing.set(id, []);
  }
  for (const edge of edges) {
    const ports = incoming.get(edge.target)!;
    ports.set(edge.port, [...(ports.get(edge.port) ?? []), edge]);
    outgoing.get(edge.source)!.push(edge);
  }
  return { nodes, edges, incoming, outgoing };
};
