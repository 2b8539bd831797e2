/**
 * Factorised convolutions as one node or as their stages. The editor shows a SeparableConv2D
 * or SpatiallySeparableConv2D as one node that expands into the two convolutions it stands for
 * and collapses back; the two forms have the same shapes, weights and cost.
 */
import { CATALOGUE } from './catalogue';
import type { GraphDocument, GraphNode } from './document';
import type { Pair, Padding } from './params';
import { compactParam, normaliseParam, type ParamSpec } from './params';

export type ExpandResult = { ok: true; document: GraphDocument } | { ok: false; reason: string };

/** The node's parameters in canonical form, or what is wrong with the first one that is not valid. */
const canonicalParams = (node: GraphNode): Record<string, unknown> | string => {
  const definition = CATALOGUE[node.type as keyof typeof CATALOGUE];
  if (!definition) return `'${String(node.type)}' is not a layer type`;
  const params: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(definition.params as Record<string, ParamSpec>)) {
    const result = normaliseParam(spec, node.params?.[name]);
    if (!result.ok) return `${name} ${result.problem}`;
    params[name] = result.value;
  }
  return params;
};

const compact = (type: 'Conv2D' | 'DepthwiseConv2D', params: Record<string, unknown>): Record<string, unknown> => {
  const specs = CATALOGUE[type].params as Record<string, ParamSpec>;
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, compactParam(specs[name], value)]));
};

/** Padding of one stage that pads only one axis: 'same' stays 'same' (it resolves to 0 on a 1-wide axis). */
const axisPadding = (padding: Padding, axis: 'height' | 'width'): Padding => {
  if (padding.mode !== 'explicit') return padding;
  return axis === 'height'
    ? { mode: 'explicit', top: padding.top, bottom: padding.bottom, left: 0, right: 0 }
    : { mode: 'explicit', top: 0, bottom: 0, left: padding.left, right: padding.right };
};

const stagesOf = (node: GraphNode, params: Record<string, unknown>): [GraphNode, GraphNode] | null => {
  const kernel = params.kernel as Pair & number;
  const stride = params.stride as Pair;
  const dilation = params.dilation as Pair;
  const padding = params.padding as Padding;
  const at = (dy: number) => (node.position ? { position: { x: node.position.x, y: node.position.y + dy } } : {});
  if (node.type === 'SeparableConv2D') {
    const depthwise = { depthMultiplier: params.depthMultiplier, kernel, stride, padding, dilation, bias: false };
    const pointwise = {
      filters: params.filters,
      kernel: [1, 1],
      stride: [1, 1],
      padding: { mode: 'valid' },
      dilation: [1, 1],
      groups: 1,
      bias: params.bias,
    };
    return [
      { id: `${node.id}_depthwise`, type: 'DepthwiseConv2D', params: compact('DepthwiseConv2D', depthwise), ...at(0) },
      { id: `${node.id}_pointwise`, type: 'Conv2D', params: compact('Conv2D', pointwise), ...at(90) },
    ];
  }
  if (node.type === 'SpatiallySeparableConv2D') {
    const size = params.kernel as number;
    const common = { filters: params.filters, groups: 1 };
    const column = {
      ...common,
      kernel: [size, 1],
      stride: [stride[0], 1],
      dilation: [dilation[0], 1],
      padding: axisPadding(padding, 'height'),
      bias: false,
    };
    const row = {
      ...common,
      kernel: [1, size],
      stride: [1, stride[1]],
      dilation: [1, dilation[1]],
      padding: axisPadding(padding, 'width'),
      bias: params.bias,
    };
    return [
      { id: `${node.id}_column`, type: 'Conv2D', params: compact('Conv2D', column), ...at(0) },
      { id: `${node.id}_row`, type: 'Conv2D', params: compact('Conv2D', row), ...at(90) },
    ];
  }
  return null;
};

/** Replaces a factorised convolution node by its two stages, rewiring its edges. */
export const expandNode = (document: GraphDocument, nodeId: string): ExpandResult => {
  const node = document.nodes.find((candidate) => candidate.id === nodeId);
  if (!node) return { ok: false, reason: `there is no node '${nodeId}'` };
  const params = canonicalParams(node);
  if (typeof params === 'string') return { ok: false, reason: `${nodeId}: fix its parameters before expanding it (${params})` };
  const stages = stagesOf(node, params);
  if (!stages) return { ok: false, reason: `${nodeId}: only separable convolutions expand into stages` };
  const [first, second] = stages;
  const taken = new Set(document.nodes.map((candidate) => candidate.id));
  if (taken.has(first.id) || taken.has(second.id))
    return { ok: false, reason: `${nodeId}: the ids ${first.id} and ${second.id} are already in use` };
  const nodes = document.nodes.flatMap((candidate) => (candidate.id === nodeId ? [first, second] : [candidate]));
  const edges = [
    ...document.edges.map((edge) =>
      edge.target === nodeId ? { ...edge, target: first.id } : edge.source === nodeId ? { ...edge, source: second.id } : edge,
    ),
    { source: first.id, target: second.id },
  ];
  return { ok: true, document: { ...document, nodes, edges } };
};
