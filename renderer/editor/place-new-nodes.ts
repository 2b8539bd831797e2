/**
 * Places layers that have no position yet (written in the code view): a graph with no positions
 * at all gets the auto-layout; otherwise each new layer goes beside and below its first placed
 * input (straight below it when that input is new too, so a new chain reads down), or below the
 * lowest layer; moved down until it covers no other layer.
 */
import type { GraphDocument, GraphNode } from '../../engine/graph/document';
import type { Position } from './graph-edits';
import { COLUMN_WIDTH, layoutPositions, ROW_HEIGHT } from './layout';

const OFFSET_X = Math.round(COLUMN_WIDTH * 0.6);
const OFFSET_Y = Math.round(ROW_HEIGHT / 2);

export const placeNewNodes = (graph: GraphDocument): GraphDocument => {
  if (graph.nodes.every((node) => node.position)) return graph;
  if (!graph.nodes.some((node) => node.position)) {
    const positions = layoutPositions(graph);
    return { ...graph, nodes: graph.nodes.map((node) => ({ ...node, position: positions.get(node.id) })) };
  }
  const placed = new Map<string, Position>();
  for (const node of graph.nodes) if (node.position) placed.set(node.id, node.position);
  const taken = (at: Position) => [...placed.values()].some((other) => Math.abs(other.x - at.x) < 40 && Math.abs(other.y - at.y) < 40);
  const firstInput = new Map<string, string>();
  for (const edge of graph.edges)
    if (!firstInput.has(edge.target) || (edge.targetPort ?? 0) === 0) firstInput.set(edge.target, edge.source);
  const added = new Set<string>();
  // In code order, so a chain of new layers follows its first layer down.
  const nodes: GraphNode[] = graph.nodes.map((node) => {
    if (node.position) return node;
    const source = firstInput.get(node.id) ?? '';
    const anchor = placed.get(source);
    const lowest = Math.max(...[...placed.values()].map((at) => at.y));
    let at: Position = !anchor
      ? { x: 0, y: lowest + ROW_HEIGHT }
      : added.has(source)
        ? { x: anchor.x, y: anchor.y + ROW_HEIGHT }
        : { x: anchor.x + OFFSET_X, y: anchor.y + OFFSET_Y };
    while (taken(at)) at = { x: at.x, y: at.y + OFFSET_Y };
    placed.set(node.id, at);
    added.add(node.id);
    return { ...node, position: at };
  });
  return { ...graph, nodes };
};
