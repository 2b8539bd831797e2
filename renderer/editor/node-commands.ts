/** Commands on one layer that both the inspector and the context menu offer. */
import { collapsiblePair } from '../../engine/graph/collapse';
import type { GraphDocument } from '../../engine/graph/document';
import { showError } from '../app/actions';
import { editor } from '../app/state';

/** Factorised convolutions, shown as one node that can be expanded into its stages. */
const EXPANDABLE = new Set(['SeparableConv2D', 'SpatiallySeparableConv2D']);

export const canExpand = (graph: GraphDocument, nodeId: string): boolean =>
  EXPANDABLE.has(graph.nodes.find((node) => node.id === nodeId)?.type ?? '');

export const canCollapse = (graph: GraphDocument, nodeId: string): boolean => collapsiblePair(graph, nodeId) !== null;

export const expandLayer = (nodeId: string): void => {
  const problem = editor.expand(nodeId);
  if (problem) showError(`Cannot expand: ${problem}`);
};

export const collapseLayer = (nodeId: string): void => {
  const problem = editor.collapse(nodeId);
  if (problem) showError(`Cannot collapse: ${problem}`);
};
