/**
 * Graph document → model code (docs/MODEL_CODE.md): one line per layer, in data-flow order (a
 * layer after its inputs, otherwise in document order), parameters in the catalogue's order and
 * in their shortest form, defaults left out. The same graph always prints the same text, and
 * parsing the text gives the graph back.
 */
import { CATALOGUE } from '../catalogue';
import type { GraphDocument, GraphEdge, GraphNode } from '../document';
import { isLayerType, type LayerType } from '../layer-types';
import { compactParam, normaliseParam, type ParamSpec } from '../params';
import { LABEL_ARGUMENT } from './parse';
import { formatValue, quote } from './values';

export const CODE_HEADER = '# name = Layer(inputs, parameter=value), one layer per line: docs/MODEL_CODE.md';

/** Parameters printed even at their defaults, because a reader needs them (the image size). */
const ALWAYS_SHOWN: Partial<Record<LayerType, readonly string[]>> = { Input: ['channels', 'height', 'width'] };

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const formatParams = (node: GraphNode): string[] => {
  const written = node.params && typeof node.params === 'object' ? node.params : {};
  if (!isLayerType(node.type)) return Object.entries(written).map(([name, value]) => `${name}=${formatValue(value)}`);
  const schema: Record<string, ParamSpec> = CATALOGUE[node.type].params;
  const always = ALWAYS_SHOWN[node.type] ?? [];
  const parts: string[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    const value = Object.hasOwn(written, name) ? written[name] : undefined;
    const result = normaliseParam(spec, value);
    if (!result.ok) {
      parts.push(`${name}=${formatValue(value)}`); // kept as written: the parser says what is wrong with it
      continue;
    }
    const compact = compactParam(spec, result.value);
    if (!always.includes(name) && same(compact, compactParam(spec, spec.default))) continue;
    parts.push(`${name}=${formatValue(compact)}`);
  }
  for (const [name, value] of Object.entries(written)) if (!Object.hasOwn(schema, name)) parts.push(`${name}=${formatValue(value)}`);
  return parts;
};

/** Node indices in data-flow order: Kahn's algorithm, always taking the earliest ready node; nodes on a cycle last. */
const flowOrder = (nodes: readonly GraphNode[], incoming: ReadonlyMap<string, GraphEdge[]>): number[] => {
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const waiting = nodes.map(
    (node) => new Set((incoming.get(node.id) ?? []).map((edge) => edge.source).filter((id) => index.has(id) && id !== node.id)).size,
  );
  const feeds = nodes.map(() => [] as number[]);
  nodes.forEach((node, i) => {
    const sources = new Set((incoming.get(node.id) ?? []).map((edge) => edge.source));
    for (const source of sources) if (index.has(source) && source !== node.id) feeds[index.get(source)!].push(i);
  });
  // A binary min-heap of ready indices.
  const heap: number[] = [];
  const push = (value: number) => {
    heap.push(value);
    for (let i = heap.length - 1; i > 0 && heap[(i - 1) >> 1] > heap[i]; i = (i - 1) >> 1)
      [heap[i], heap[(i - 1) >> 1]] = [heap[(i - 1) >> 1], heap[i]];
  };
  const pop = (): number => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ;) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let smallest = i;
        if (l < heap.length && heap[l] < heap[smallest]) smallest = l;
        if (r < heap.length && heap[r] < heap[smallest]) smallest = r;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
        i = smallest;
      }
    }
    return top;
  };
  waiting.forEach((count, i) => count === 0 && push(i));
  const order: number[] = [];
  const done = new Set<number>();
  while (heap.length) {
    const i = pop();
    order.push(i);
    done.add(i);
    for (const j of feeds[i]) if (--waiting[j] === 0) push(j);
  }
  nodes.forEach((_, i) => done.has(i) || order.push(i));
  return order;
};

export const printModelCode = (graph: GraphDocument): string => {
  const nodes = Array.isArray(graph.nodes) ? graph.nodes : [];
  const incoming = new Map<string, GraphEdge[]>();
  for (const edge of Array.isArray(graph.edges) ? graph.edges : []) incoming.set(edge.target, [...(incoming.get(edge.target) ?? []), edge]);
  const lines = [CODE_HEADER];
  if (typeof graph.name === 'string') lines.push(`network ${quote(graph.name)}`);
  if (typeof graph.description === 'string') lines.push(`description ${quote(graph.description)}`);
  lines.push('');
  for (const i of flowOrder(nodes, incoming)) {
    const node = nodes[i];
    const inputs = [...(incoming.get(node.id) ?? [])].sort((a, b) => (a.targetPort ?? 0) - (b.targetPort ?? 0)).map((edge) => edge.source);
    const label =
      typeof node.label === 'string' && node.label.trim() && node.label !== node.id ? [`${LABEL_ARGUMENT}=${quote(node.label)}`] : [];
    lines.push(`${node.id} = ${node.type}(${[...inputs, ...formatParams(node), ...label].join(', ')})`);
  }
  return `${lines.join('\n')}\n`;
};
