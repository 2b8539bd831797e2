/**
 * The inverse of expand.ts: two convolutions that together are a factorised convolution become
 * the one node again. A depthwise convolution without bias feeding a 1×1 convolution (and
 * nothing else) is a SeparableConv2D; a K×1 convolution without bias feeding a 1×K one with as
 * many filters is a SpatiallySeparableConv2D. The collapsed node has the same shapes, weights and
 * cost as the pair, and the parameters the node had before it was expanded.
 */
import { CATALOGUE } from './catalogue';
import type { GraphDocument, GraphNode } from './document';
import { compactParam, normaliseParam, type Pair, type Padding, type ParamSpec } from './params';

export type CollapseResult = { ok: true; document: GraphDocument; id: string } | { ok: false; reason: string };

/** The two stages of a collapsible pair and the node they make. */
export interface CollapsiblePair {
  readonly first: string;
  readonly second: string;
  readonly node: GraphNode;
}

type Params = Record<string, unknown>;

const canonical = (node: GraphNode): Params | null => {
  const definition = CATALOGUE[node.type as keyof typeof CATALOGUE];
  if (!definition) return null;
  const params: Params = {};
  for (const [name, spec] of Object.entries(definition.params as Record<string, ParamSpec>)) {
    const result = normaliseParam(spec, node.params?.[name]);
    if (!result.ok) return null;
    params[name] = result.value;
  }
  return params;
};

/** The shortest form: defaults left out, pairs and padding compacted. */
const compact = (type: 'SeparableConv2D' | 'SpatiallySeparableConv2D', params: Params): Params => {
  const specs = CATALOGUE[type].params as Record<string, ParamSpec>;
  const written = Object.keys(specs)
    .map((name) => [name, compactParam(specs[name], params[name])] as const)
    .filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(compactParam(specs[name], specs[name].default)));
  return Object.fromEntries(written);
};

const same = (a: Pair, h: number, w: number): boolean => a[0] === h && a[1] === w;

/** Padding as explicit sides; 'same' cannot be split into sides without the input size. */
const sides = (padding: Padding): { top: number; bottom: number; left: number; right: number } | null =>
  padding.mode === 'valid' ? { top: 0, bottom: 0, left: 0, right: 0 } : padding.mode === 'explicit' ? padding : null;

const noPadding = (padding: Padding): boolean => {
  const s = sides(padding);
  return s !== null && s.top === 0 && s.bottom === 0 && s.left === 0 && s.right === 0;
};

/** The padding of one K×K convolution that the column (height only) and row (width only) stages add up to. */
const joinedPadding = (column: Padding, row: Padding): Padding | null => {
  if (column.mode === 'same' || row.mode === 'same') return column.mode === row.mode ? column : null;
  if (column.mode === 'valid' && row.mode === 'valid') return column;
  const c = sides(column)!;
  const r = sides(row)!;
  if (c.left || c.right || r.top || r.bottom) return null;
  return { mode: 'explicit', top: c.top, bottom: c.bottom, left: r.left, right: r.right };
};

/** The id the node had before it was expanded (`sep1` for `sep1_depthwise`), when the stages carry expand's names. */
const stem = (first: string, second: string, suffixes: [string, string]): string | null => {
  const [a, b] = suffixes;
  if (!first.endsWith(a) || !second.endsWith(b)) return null;
  const base = first.slice(0, -a.length);
  return base && base === second.slice(0, -b.length) ? base : null;
};

const freeId = (document: GraphDocument, wanted: string | null, prefix: string, stages: readonly string[]): string => {
  const taken = new Set(document.nodes.map((node) => node.id).filter((id) => !stages.includes(id)));
  if (wanted && !taken.has(wanted)) return wanted;
  let n = 1;
  while (taken.has(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
};

/** The factorised convolution two directly connected stages make, or null when they make none. */
const merged = (
  first: GraphNode,
  second: GraphNode,
): { type: 'SeparableConv2D' | 'SpatiallySeparableConv2D'; params: Params; stem: string | null } | null => {
  const a = canonical(first);
  const b = canonical(second);
  if (!a || !b || second.type !== 'Conv2D') return null;
  const secondIsPointwise =
    same(b.kernel as Pair, 1, 1) && same(b.stride as Pair, 1, 1) && same(b.dilation as Pair, 1, 1) && b.groups === 1;
  if (first.type === 'DepthwiseConv2D') {
    if (a.bias !== false || !secondIsPointwise || !noPadding(b.padding as Padding)) return null;
    const { depthMultiplier, kernel, stride, padding, dilation } = a;
    return {
      type: 'SeparableConv2D',
      params: { filters: b.filters, kernel, stride, padding, dilation, depthMultiplier, bias: b.bias },
      stem: stem(first.id, second.id, ['_depthwise', '_pointwise']),
    };
  }
  if (first.type !== 'Conv2D') return null;
  const [kh, kw] = a.kernel as Pair;
  const [stride, dilation] = [a.stride as Pair, a.dilation as Pair];
  const [rowStride, rowDilation] = [b.stride as Pair, b.dilation as Pair];
  const names = stem(first.id, second.id, ['_column', '_row']);
  // Two 1×1 convolutions are a 1×1 spatially separable one only when expand made them so.
  if (kw !== 1 || (kh === 1 && names === null)) return null;
  if (a.bias !== false || a.groups !== 1 || b.groups !== 1 || a.filters !== b.filters) return null;
  if (!same(b.kernel as Pair, 1, kh) || stride[1] !== 1 || dilation[1] !== 1 || rowStride[0] !== 1 || rowDilation[0] !== 1) return null;
  const padding = joinedPadding(a.padding as Padding, b.padding as Padding);
  if (!padding) return null;
  return {
    type: 'SpatiallySeparableConv2D',
    params: {
      filters: a.filters,
      kernel: kh,
      stride: [stride[0], rowStride[1]],
      padding,
      dilation: [dilation[0], rowDilation[1]],
      bias: b.bias,
    },
    stem: names,
  };
};

/**
 * The collapsible pair that `nodeId` is a stage of, or null. The first stage must feed the
 * second and nothing else, and the second be fed by the first alone: otherwise the tensor
 * between them is used elsewhere and the pair is not one layer.
 */
export const collapsiblePair = (document: GraphDocument, nodeId: string): CollapsiblePair | null => {
  const byId = new Map(document.nodes.map((node) => [node.id, node]));
  const pairWith = (firstId: string, secondId: string): CollapsiblePair | null => {
    const first = byId.get(firstId);
    const second = byId.get(secondId);
    if (!first || !second) return null;
    const out = document.edges.filter((edge) => edge.source === firstId);
    const into = document.edges.filter((edge) => edge.target === secondId);
    if (out.length !== 1 || into.length !== 1 || out[0] !== into[0]) return null;
    const made = merged(first, second);
    if (!made) return null;
    const id = freeId(document, made.stem, made.type === 'SeparableConv2D' ? 'sepconv' : 'spatialsep', [firstId, secondId]);
    const params = compact(made.type, made.params);
    const node: GraphNode = {
      id,
      type: made.type,
      ...(Object.keys(params).length ? { params } : {}),
      ...(first.position ? { position: first.position } : {}),
    };
    return { first: firstId, second: secondId, node };
  };
  const after = document.edges.filter((edge) => edge.source === nodeId).map((edge) => edge.target);
  const before = document.edges.filter((edge) => edge.target === nodeId).map((edge) => edge.source);
  for (const next of after) {
    const pair = pairWith(nodeId, next);
    if (pair) return pair;
  }
  for (const previous of before) {
    const pair = pairWith(previous, nodeId);
    if (pair) return pair;
  }
  return null;
};

/** Replaces the pair that `nodeId` is a stage of by the one factorised convolution it makes, rewiring its edges. */
export const collapseNode = (document: GraphDocument, nodeId: string): CollapseResult => {
  if (!document.nodes.some((node) => node.id === nodeId)) return { ok: false, reason: `there is no node '${nodeId}'` };
  const pair = collapsiblePair(document, nodeId);
  if (!pair)
    return {
      ok: false,
      reason:
        `${nodeId}: not one stage of a factorised convolution (a depthwise convolution without bias feeding only ` +
        'a 1×1 convolution, or a K×1 convolution without bias feeding only a 1×K one)',
    };
  const { first, second, node } = pair;
  const nodes = document.nodes.flatMap((candidate) => (candidate.id === first ? [node] : candidate.id === second ? [] : [candidate]));
  const edges = document.edges
    .filter((edge) => !(edge.source === first && edge.target === second))
    .map((edge) => (edge.target === first ? { ...edge, target: node.id } : edge.source === second ? { ...edge, source: node.id } : edge));
  return { ok: true, document: { ...document, nodes, edges }, id: node.id };
};
