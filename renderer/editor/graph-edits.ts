/**
 * Edits of a graph document as pure functions: each takes a document and returns a new one (the
 * old one is never changed, so the undo history can keep it). No React, no DOM: the editor's
 * store calls these, and the tests call them directly.
 */
import { CATALOGUE } from '../../engine/graph/catalogue';
import type { GraphDocument, GraphEdge, GraphNode } from '../../engine/graph/document';
import { isLayerType, type LayerType } from '../../engine/graph/layer-types';

export interface Position {
  readonly x: number;
  readonly y: number;
}

/** A stable key for an edge: source, target and port. */
export const edgeKey = (edge: GraphEdge): string => `${edge.source}->${edge.target}:${edge.targetPort ?? 0}`;

/** The id prefix of a layer type: `Conv2D` → `conv`, `MaxPool2D` → `maxpool`, `ReLU` → `relu`. */
export const idPrefix = (type: string): string => {
  const stem = type.replace(/[123]D$/, '').toLowerCase();
  return /^[a-z_]/.test(stem) ? stem : `layer${stem}`;
};

/** The first free id of the form prefix + number, counting from 1. */
export const newNodeId = (graph: GraphDocument, type: string): string => {
  const taken = new Set(graph.nodes.map((node) => node.id));
  const prefix = idPrefix(type);
  let n = 1;
  while (taken.has(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
};

const maxInputs = (type: string): number => (isLayerType(type) ? CATALOGUE[type].inputs.max : 1);

const isHead = (type: string): boolean => isLayerType(type) && CATALOGUE[type].category === 'head';

/** Adds a layer with its default parameters; returns the document and the new node's id. */
export const addNode = (graph: GraphDocument, type: LayerType, position: Position): { graph: GraphDocument; id: string } => {
  const id = newNodeId(graph, type);
  const node: GraphNode = { id, type, position: { x: Math.round(position.x), y: Math.round(position.y) } };
  return { graph: { ...graph, nodes: [...graph.nodes, node] }, id };
};

/** Whether `to` can be reached from `from` by following edges. */
const reaches = (graph: GraphDocument, from: string, to: string): boolean => {
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) next.set(edge.source, [...(next.get(edge.source) ?? []), edge.target]);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return false;
};

/** Why `source → target` cannot be connected, or null when it can. */
export const connectionProblem = (graph: GraphDocument, source: string, target: string): string | null => {
  const from = graph.nodes.find((node) => node.id === source);
  const to = graph.nodes.find((node) => node.id === target);
  if (!from || !to) return 'both ends must be layers of the graph';
  if (source === target) return 'a layer cannot feed itself';
  if (to.type === 'Input') return 'nothing can feed the Input layer';
  if (isHead(from.type)) return 'an output head ends the network; nothing can follow it';
  if (graph.edges.some((edge) => edge.source === source && edge.target === target)) return 'these layers are already connected';
  if (reaches(graph, target, source)) return 'that would make a cycle';
  return null;
};

/** The input ports of `targets` renumbered 0, 1, … in their order (Add and Concat need no gaps). */
export const renumberPorts = (edges: readonly GraphEdge[], targets: ReadonlySet<string>): GraphEdge[] => {
  const ports = new Map<GraphEdge, number>();
  const counts = new Map<string, number>();
  const sorted = edges.filter((edge) => targets.has(edge.target)).sort((a, b) => (a.targetPort ?? 0) - (b.targetPort ?? 0));
  for (const edge of sorted) {
    const port = counts.get(edge.target) ?? 0;
    counts.set(edge.target, port + 1);
    ports.set(edge, port);
  }
  return edges.map((edge) => (ports.has(edge) ? { ...edge, targetPort: ports.get(edge) } : edge));
};

/**
 * Connects `source → target`, or returns null when connectionProblem says no. A single-input
 * layer's old input is replaced; a layer with several inputs (Add, Concat) gets the next port.
 */
export const connect = (graph: GraphDocument, source: string, target: string): GraphDocument | null => {
  if (connectionProblem(graph, source, target)) return null;
  const type = graph.nodes.find((node) => node.id === target)!.type;
  const incoming = graph.edges.filter((edge) => edge.target === target);
  if (maxInputs(type) <= 1) {
    const edges = graph.edges.filter((edge) => edge.target !== target);
    return { ...graph, edges: [...edges, { source, target }] };
  }
  if (incoming.length >= maxInputs(type)) return null;
  return { ...graph, edges: [...graph.edges, { source, target, targetPort: incoming.length }] };
};

/** Removes layers (with their edges) and edges by key; the remaining inputs of Add and Concat close up. */
export const removeElements = (graph: GraphDocument, nodeIds: readonly string[], edgeKeys: readonly string[]): GraphDocument => {
  const nodes = new Set(nodeIds);
  const keys = new Set(edgeKeys);
  const removed = (edge: GraphEdge) => nodes.has(edge.source) || nodes.has(edge.target) || keys.has(edgeKey(edge));
  const kept = graph.edges.filter((edge) => !removed(edge));
  const targets = new Set(
    graph.edges
      .filter((edge) => removed(edge) && !nodes.has(edge.target))
      .map((edge) => edge.target)
      .filter((target) => maxInputs(graph.nodes.find((node) => node.id === target)?.type ?? '') > 1),
  );
  return { ...graph, nodes: graph.nodes.filter((node) => !nodes.has(node.id)), edges: renumberPorts(kept, targets) };
};

/** Sets one parameter; `undefined` removes it (the layer then takes the default). */
export const setParam = (graph: GraphDocument, nodeId: string, name: string, value: unknown): GraphDocument => ({
  ...graph,
  nodes: graph.nodes.map((node) => {
    if (node.id !== nodeId) return node;
    const { [name]: _, ...others } = node.params ?? {};
    const params = value === undefined ? others : { ...others, [name]: value };
    const { params: __, ...rest } = node;
    return Object.keys(params).length ? { ...rest, params } : rest;
  }),
});

/** Moves layers to new positions (rounded to whole pixels). */
export const moveNodes = (graph: GraphDocument, positions: ReadonlyMap<string, Position>): GraphDocument => ({
  ...graph,
  nodes: graph.nodes.map((node) => {
    const position = positions.get(node.id);
    return position ? { ...node, position: { x: Math.round(position.x), y: Math.round(position.y) } } : node;
  }),
});
