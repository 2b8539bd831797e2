/**
 * The graph as React Flow draws it: one node per layer (all of one node type, drawn from the
 * catalogue and the analysis), one edge per connection, labelled with the tensor shape it
 * carries. Node data objects are reused while a layer's report is unchanged, so memoized node
 * components skip re-rendering during drags.
 */
import type { Edge, Node } from '@xyflow/react';
import type { GraphReport, NodeReport } from '../../engine/graph/analyze';
import { CATALOGUE } from '../../engine/graph/catalogue';
import type { GraphDocument, GraphNode } from '../../engine/graph/document';
import { isLayerType } from '../../engine/graph/layer-types';
import { formatShape } from '../../engine/graph/shape';
import { edgeKey } from './graph-edits';

export interface LayerNodeData extends Record<string, unknown> {
  readonly id: string;
  readonly type: string;
  /** The catalogue's title, or the type when it is unknown. */
  readonly title: string;
  readonly label: string;
  readonly category: string;
  /** Whether it takes inputs (not Input) and gives an output (not a head). */
  readonly hasInput: boolean;
  readonly hasOutput: boolean;
  readonly report: NodeReport | undefined;
}

export type LayerFlowNode = Node<LayerNodeData, 'layer'>;

const dataFor = (node: GraphNode, report: NodeReport | undefined): LayerNodeData => {
  const definition = isLayerType(node.type) ? CATALOGUE[node.type] : undefined;
  return {
    id: node.id,
    type: node.type,
    title: definition?.title ?? node.type,
    label: node.label ?? node.id,
    category: definition?.category ?? 'unknown',
    hasInput: definition ? definition.inputs.max > 0 : true,
    hasOutput: definition ? definition.category !== 'head' : true,
    report,
  };
};

/** Makes flow nodes, reusing the data of layers whose report, type and label are unchanged. */
export class FlowNodeCache {
  private readonly cache = new Map<string, LayerNodeData>();

  /** `sizes`: each node's size as React Flow measured it (the minimap and fitView need it on the node). */
  nodes(
    graph: GraphDocument,
    report: GraphReport,
    selected: readonly string[],
    sizes: ReadonlyMap<string, { width: number; height: number }>,
  ): LayerFlowNode[] {
    const reports = new Map(report.nodes.map((node) => [node.id, node]));
    const chosen = new Set(selected);
    const seen = new Set<string>();
    const nodes = graph.nodes.map((node, index): LayerFlowNode => {
      seen.add(node.id);
      const nodeReport = reports.get(node.id);
      let data = this.cache.get(node.id);
      if (!data || data.report !== nodeReport || data.type !== node.type || data.label !== (node.label ?? node.id)) {
        data = dataFor(node, nodeReport);
        this.cache.set(node.id, data);
      }
      const measured = sizes.get(node.id);
      return {
        id: node.id,
        type: 'layer',
        position: node.position ?? { x: 0, y: index * 110 },
        data,
        selected: chosen.has(node.id),
        ...(measured ? { measured } : {}),
      };
    });
    for (const id of [...this.cache.keys()]) if (!seen.has(id)) this.cache.delete(id);
    return nodes;
  }
}

/** Edges labelled with the shape their source produces ('6×28×28'), or '?' when it is not known. */
export const flowEdges = (graph: GraphDocument, report: GraphReport, selected: readonly string[]): Edge[] => {
  const shapes = new Map(report.nodes.map((node) => [node.id, node.outputShape]));
  const chosen = new Set(selected);
  return graph.edges.map((edge) => {
    const shape = shapes.get(edge.source);
    const key = edgeKey(edge);
    return {
      id: key,
      source: edge.source,
      target: edge.target,
      label: shape ? formatShape(shape) : '?',
      selected: chosen.has(key),
      className: shape ? 'shape-edge' : 'shape-edge unknown',
      labelBgPadding: [4, 2] as [number, number],
      labelBgBorderRadius: 3,
    };
  });
};
