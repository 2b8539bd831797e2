/**
 * A small builder for readable templates: layers are added in order and, unless told otherwise,
 * each one is fed by the layer added before it. Positions are laid out top to bottom by depth.
 */
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDocument, type GraphEdge, type GraphNode } from '../document';
import type { LayerType } from '../layer-types';

const ROW_HEIGHT = 110;
const COLUMN_WIDTH = 240;

export class GraphBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly edges: GraphEdge[] = [];
  private last: string | null = null;

  constructor(
    private readonly name: string,
    private readonly description: string,
  ) {}

  /** Adds a layer fed by `from` (default: the previous layer; [] for none). Returns its id. */
  add(id: string, type: LayerType, params: Record<string, unknown> = {}, from?: string | string[]): string {
    const sources = from === undefined ? (this.last ? [this.last] : []) : Array.isArray(from) ? from : [from];
    this.nodes.push(Object.keys(params).length ? { id, type, params } : { id, type });
    sources.forEach((source, port) =>
      this.edges.push(sources.length > 1 ? { source, target: id, targetPort: port } : { source, target: id }),
    );
    this.last = id;
    return id;
  }

  build(): GraphDocument {
    return {
      format: GRAPH_FORMAT,
      version: GRAPH_VERSION,
      name: this.name,
      description: this.description,
      nodes: this.layout(),
      edges: this.edges,
    };
  }

  /** Row = longest path from the input; column = order within the row. */
  private layout(): GraphNode[] {
    const depth = new Map<string, number>();
    for (const node of this.nodes) {
      const parents = this.edges.filter((edge) => edge.target === node.id).map((edge) => depth.get(edge.source) ?? 0);
      depth.set(node.id, parents.length ? Math.max(...parents) + 1 : 0);
    }
    const columns = new Map<number, number>();
    return this.nodes.map((node) => {
      const row = depth.get(node.id)!;
      const column = columns.get(row) ?? 0;
      columns.set(row, column + 1);
      return { ...node, position: { x: column * COLUMN_WIDTH, y: row * ROW_HEIGHT } };
    });
  }
}
