/**
 * The graph as it is stored and exchanged: a versioned JSON document of nodes and edges.
 * Documented in docs/FILE_FORMAT.md. Parameters are kept as written; analysis normalises them.
 */
export const GRAPH_FORMAT = 'cnn-studio/graph';
export const GRAPH_VERSION = 1;

export interface GraphNode {
  /** Unique within the graph: letters, digits, '_' and '-', starting with a letter or '_'. */
  id: string;
  type: string;
  /** Parameters as written; missing ones take the catalogue's defaults. */
  params?: Record<string, unknown>;
  /** A display name; the id is used when absent. */
  label?: string;
  /** Where the node sits on the canvas. */
  position?: { x: number; y: number };
}

export interface GraphEdge {
  source: string;
  target: string;
  /** Which input of the target: 0 for single-input layers; 0, 1, … for Add and Concat. */
  targetPort?: number;
}

export interface GraphDocument {
  format: typeof GRAPH_FORMAT;
  version: typeof GRAPH_VERSION;
  name?: string;
  description?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const NODE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
