/**
 * Auto-layout: layers in rows by depth (the longest path from the input), branches side by
 * side, and a long network wrapped into several columns so that it fits a screen, read top to
 * bottom and then left to right, like text.
 */
import type { GraphDocument } from '../../engine/graph/document';
import type { Position } from './graph-edits';

export const ROW_HEIGHT = 100;
export const COLUMN_WIDTH = 250;

/** Each node's depth: 0 for nodes fed by nothing, else one more than its deepest input (cycles are cut). */
const depths = (graph: GraphDocument): Map<string, number> => {
  const inputs = new Map<string, string[]>();
  for (const edge of graph.edges) inputs.set(edge.target, [...(inputs.get(edge.target) ?? []), edge.source]);
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const parents = (inputs.get(id) ?? []).filter((parent) => graph.nodes.some((node) => node.id === parent));
    const value = parents.length ? Math.max(...parents.map(visit)) + 1 : 0;
    visiting.delete(id);
    depth.set(id, value);
    return value;
  };
  for (const node of graph.nodes) visit(node.id);
  return depth;
};

/** New positions for every node; `rowsPerColumn` rows before the network wraps into the next column. */
export const layoutPositions = (graph: GraphDocument, rowsPerColumn = 7): Map<string, Position> => {
  const depth = depths(graph);
  const rows = new Map<number, string[]>();
  for (const node of graph.nodes) {
    const d = depth.get(node.id) ?? 0;
    rows.set(d, [...(rows.get(d) ?? []), node.id]);
  }
  const maxDepth = Math.max(0, ...rows.keys());
  // How wide each wrapped segment is: its widest row.
  const segmentWidth: number[] = [];
  for (let d = 0; d <= maxDepth; d++) {
    const segment = Math.floor(d / rowsPerColumn);
    segmentWidth[segment] = Math.max(segmentWidth[segment] ?? 1, rows.get(d)?.length ?? 0);
  }
  const segmentStart = segmentWidth.map((_, i) => segmentWidth.slice(0, i).reduce((sum, width) => sum + width + 0.3, 0));
  const positions = new Map<string, Position>();
  for (const [d, ids] of rows) {
    const segment = Math.floor(d / rowsPerColumn);
    const offset = (segmentWidth[segment] - ids.length) / 2;
    ids.forEach((id, column) =>
      positions.set(id, {
        x: Math.round((segmentStart[segment] + offset + column) * COLUMN_WIDTH),
        y: (d % rowsPerColumn) * ROW_HEIGHT,
      }),
    );
  }
  return positions;
};

/**
 * Moves the layers below `from` in its column down by `dy`, skipping `keep`: room for a layer
 * that became two (an expanded convolution), so the second stage does not cover the next layer.
 */
export const makeRoomBelow = (graph: GraphDocument, from: Position, dy: number, keep: ReadonlySet<string>): Map<string, Position> => {
  const moved = new Map<string, Position>();
  for (const node of graph.nodes) {
    const at = node.position;
    if (!at || keep.has(node.id) || at.y <= from.y || Math.abs(at.x - from.x) >= COLUMN_WIDTH * 0.8) continue;
    moved.set(node.id, { x: at.x, y: at.y + dy });
  }
  return moved;
};
