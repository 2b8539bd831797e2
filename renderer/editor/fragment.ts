/**
 * A fragment: some layers and the connections among them, as copied, cut, duplicated and
 * pasted. On the clipboard it is versioned JSON whose `format` names it, so a paste recognises
 * layers copied in another window or project and refuses anything else with a clear reason.
 */
import type { GraphDocument, GraphEdge, GraphNode } from '../../engine/graph/document';
import { NODE_ID_PATTERN } from '../../engine/graph/document';
import { isLayerType } from '../../engine/graph/layer-types';
import { idPrefix, renumberPorts, type Position } from './graph-edits';

export const FRAGMENT_FORMAT = 'cnn-studio/layers';
export const FRAGMENT_VERSION = 1;

export interface Fragment {
  readonly format: typeof FRAGMENT_FORMAT;
  readonly version: typeof FRAGMENT_VERSION;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export type FragmentResult = { ok: true; fragment: Fragment } | { ok: false; reason: string };

/** How far a paste or duplicate sits from the layers it copies. */
export const PASTE_OFFSET: Position = { x: 40, y: 40 };

/** The chosen layers and the connections whose both ends are chosen, in the graph's order. */
export const cutOut = (graph: GraphDocument, nodeIds: readonly string[]): Fragment => {
  const chosen = new Set(nodeIds);
  return {
    format: FRAGMENT_FORMAT,
    version: FRAGMENT_VERSION,
    nodes: graph.nodes.filter((node) => chosen.has(node.id)),
    edges: graph.edges.filter((edge) => chosen.has(edge.source) && chosen.has(edge.target)),
  };
};

export const fragmentText = (fragment: Fragment): string => JSON.stringify(fragment, null, 1);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether text looks like ours at all (a paste of other text is not an error, just not layers). */
export const looksLikeFragment = (text: string): boolean => text.trimStart().startsWith('{') && text.includes(`"${FRAGMENT_FORMAT}"`);

/** Reads clipboard text back into a fragment, checking every node and edge. */
export const parseFragment = (text: string): FragmentResult => {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the clipboard does not hold CNN Studio layers (it is not JSON)' };
  }
  if (!isObject(data) || data.format !== FRAGMENT_FORMAT)
    return { ok: false, reason: `the clipboard does not hold CNN Studio layers (no "format": "${FRAGMENT_FORMAT}")` };
  if (data.version !== FRAGMENT_VERSION)
    return {
      ok: false,
      reason:
        typeof data.version === 'number' && data.version > FRAGMENT_VERSION
          ? `the layers on the clipboard were copied by a newer CNN Studio (version ${data.version}; this one reads ${FRAGMENT_VERSION})`
          : `the layers on the clipboard have an unknown version ${JSON.stringify(data.version)}`,
    };
  if (!Array.isArray(data.nodes) || !Array.isArray(data.edges))
    return { ok: false, reason: 'the clipboard layers lack "nodes" or "edges"' };
  const nodes: GraphNode[] = [];
  const ids = new Set<string>();
  for (const [index, node] of data.nodes.entries()) {
    const where = `clipboard node ${index + 1}`;
    if (!isObject(node) || typeof node.id !== 'string' || !NODE_ID_PATTERN.test(node.id))
      return { ok: false, reason: `${where}: missing or invalid "id"` };
    if (ids.has(node.id)) return { ok: false, reason: `${where}: the id '${node.id}' appears twice` };
    if (typeof node.type !== 'string' || !isLayerType(node.type))
      return { ok: false, reason: `${where} (${node.id}): unknown layer type ${JSON.stringify(node.type)}` };
    if (node.params !== undefined && !isObject(node.params))
      return { ok: false, reason: `${where} (${node.id}): "params" must be an object` };
    const position =
      isObject(node.position) && Number.isFinite(node.position.x) && Number.isFinite(node.position.y) ? node.position : undefined;
    ids.add(node.id);
    nodes.push({
      id: node.id,
      type: node.type,
      ...(node.params ? { params: node.params } : {}),
      ...(typeof node.label === 'string' ? { label: node.label } : {}),
      ...(position ? { position: { x: Number(position.x), y: Number(position.y) } } : {}),
    });
  }
  const edges: GraphEdge[] = [];
  for (const [index, edge] of data.edges.entries()) {
    const where = `clipboard edge ${index + 1}`;
    if (!isObject(edge) || typeof edge.source !== 'string' || typeof edge.target !== 'string')
      return { ok: false, reason: `${where}: needs "source" and "target"` };
    if (!ids.has(edge.source) || !ids.has(edge.target))
      return { ok: false, reason: `${where}: ${edge.source} → ${edge.target} names a layer that is not on the clipboard` };
    const port = edge.targetPort;
    if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 0))
      return { ok: false, reason: `${where}: "targetPort" must be a whole number ≥ 0` };
    edges.push({ source: edge.source, target: edge.target, ...(port !== undefined ? { targetPort: port as number } : {}) });
  }
  return { ok: true, fragment: { format: FRAGMENT_FORMAT, version: FRAGMENT_VERSION, nodes, edges } };
};

/**
 * Adds a fragment to a graph: every layer gets a fresh id (its type's prefix and the first free
 * number), its place moved by `offset`, and the connections among the layers follow them. The
 * inputs of an Add or Concat that came without some of its sources close up.
 */
export const pasteFragment = (graph: GraphDocument, fragment: Fragment, offset: Position): { graph: GraphDocument; ids: string[] } => {
  const taken = new Set(graph.nodes.map((node) => node.id));
  const renamed = new Map<string, string>();
  const nodes = fragment.nodes.map((node, index): GraphNode => {
    const prefix = idPrefix(node.type);
    let n = 1;
    while (taken.has(`${prefix}${n}`)) n++;
    const id = `${prefix}${n}`;
    taken.add(id);
    renamed.set(node.id, id);
    const at = node.position ?? { x: 0, y: index * 110 };
    return { ...node, id, position: { x: Math.round(at.x + offset.x), y: Math.round(at.y + offset.y) } };
  });
  const edges = fragment.edges.map((edge) => ({ ...edge, source: renamed.get(edge.source)!, target: renamed.get(edge.target)! }));
  const multiInput = new Set(edges.filter((edge) => edge.targetPort !== undefined).map((edge) => edge.target));
  return {
    graph: { ...graph, nodes: [...graph.nodes, ...nodes], edges: [...graph.edges, ...renumberPorts(edges, multiInput)] },
    ids: nodes.map((node) => node.id),
  };
};
