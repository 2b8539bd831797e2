/**
 * The canvas: React Flow drawing the editor store's graph. It holds no graph state of its own:
 * every change (drag, connect, delete, drop from the palette) goes to the store, and the store's
 * state comes back as nodes and edges.
 */
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
  type NodeTypes,
  type OnDelete,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type MouseEvent } from 'react';
import { isLayerType } from '../../engine/graph/layer-types';
import { useStore } from '../app/hooks';
import { overlays } from '../app/overlays';
import { canvasKeys } from '../app/shortcut-table';
import { editor } from '../app/state';
import { useResolvedTheme } from '../app/theme';
import { FlowNodeCache, flowEdges, type LayerFlowNode } from './flow-model';
import { connectionProblem, type Position } from './graph-edits';
import { LayerNode } from './LayerNode';
import { LAYER_MIME } from './placement';

/** At module scope, so React Flow never sees a new object (it warns and re-mounts nodes otherwise). */
const nodeTypes: NodeTypes = { layer: LayerNode };

interface Size {
  readonly width: number;
  readonly height: number;
}

/** From the shortcut table, so that the help lists the keys that really work. */
const DELETE_KEYS = canvasKeys('delete');
const BOX_SELECT_KEYS = canvasKeys('boxSelect');
const ADD_TO_SELECTION_KEYS = canvasKeys('addToSelection');
const MINIMAP_SIZE = { width: 160, height: 110 };
const FIT_VIEW = { maxZoom: 1, padding: 0.08 };

const onNodesChange = (changes: NodeChange<LayerFlowNode>[]) => {
  const positions = new Map<string, Position>();
  let dragEnded = false;
  const state = editor.getState();
  const selected = new Set(state.selectedNodes);
  let selectionChanged = false;
  for (const change of changes) {
    if (change.type === 'position') {
      if (change.position) positions.set(change.id, change.position);
      if (change.dragging === false) dragEnded = true;
    } else if (change.type === 'select') {
      selectionChanged = true;
      if (change.selected) selected.add(change.id);
      else selected.delete(change.id);
    }
  }
  if (positions.size || dragEnded) editor.dragNodes(positions, dragEnded);
  if (selectionChanged) editor.select([...selected], editor.getState().selectedEdges);
};

const onEdgesChange = (changes: EdgeChange[]) => {
  const selected = new Set(editor.getState().selectedEdges);
  let changed = false;
  for (const change of changes) {
    if (change.type !== 'select') continue;
    changed = true;
    if (change.selected) selected.add(change.id);
    else selected.delete(change.id);
  }
  if (changed) editor.select(editor.getState().selectedNodes, [...selected]);
};

const onConnect = (connection: Connection) => void editor.connect(connection.source, connection.target);

const isValidConnection: IsValidConnection = (connection) => connectionProblem(editor.graph, connection.source, connection.target) === null;

const onDelete: OnDelete<LayerFlowNode, Edge> = ({ nodes, edges }) =>
  editor.remove(
    nodes.map((node) => node.id),
    edges.map((edge) => edge.id),
  );

const onDragOver = (event: DragEvent) => {
  if (!event.dataTransfer.types.includes(LAYER_MIME)) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'move';
};

export const Canvas = () => {
  const graph = useStore(editor, (state) => state.graph);
  const report = useStore(editor, (state) => state.report);
  const selectedNodes = useStore(editor, (state) => state.selectedNodes);
  const selectedEdges = useStore(editor, (state) => state.selectedEdges);
  const cache = useRef(new FlowNodeCache()).current;
  const [sizes, setSizes] = useState<ReadonlyMap<string, Size>>(new Map());
  const nodes = useMemo(() => cache.nodes(graph, report, selectedNodes, sizes), [cache, graph, report, selectedNodes, sizes]);
  const handleNodesChange = useCallback((changes: NodeChange<LayerFlowNode>[]) => {
    const measured = changes.flatMap((change) => (change.type === 'dimensions' && change.dimensions ? [change] : []));
    if (measured.length)
      setSizes((previous) => {
        const next = new Map(previous);
        for (const change of measured) next.set(change.id, change.dimensions!);
        return next;
      });
    onNodesChange(changes);
  }, []);
  const edges = useMemo(() => flowEdges(graph, report, selectedEdges), [graph, report, selectedEdges]);
  const fitRequests = useStore(editor, (state) => state.fitRequests);
  const { screenToFlowPosition, fitView } = useReactFlow();
  const theme = useResolvedTheme();
  useEffect(() => {
    if (fitRequests) void fitView(FIT_VIEW);
  }, [fitRequests, fitView]);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(LAYER_MIME);
      if (!isLayerType(type)) return;
      event.preventDefault();
      const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      editor.addNode(type, { x: point.x - 90, y: point.y - 30 });
    },
    [screenToFlowPosition],
  );

  const onNodeContextMenu = useCallback((event: MouseEvent, node: LayerFlowNode) => {
    event.preventDefault();
    // A layer outside the selection becomes the selection; one inside keeps it, so the commands act on all.
    if (!editor.getState().selectedNodes.includes(node.id)) editor.select([node.id], []);
    overlays.update({ helpOpen: false, contextMenu: { x: event.clientX, y: event.clientY, nodeId: node.id, flowPoint: null } });
  }, []);
  const onPaneContextMenu = useCallback(
    (event: MouseEvent | globalThis.MouseEvent) => {
      event.preventDefault();
      const flowPoint = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      overlays.update({ helpOpen: false, contextMenu: { x: event.clientX, y: event.clientY, nodeId: null, flowPoint } });
    },
    [screenToFlowPosition],
  );

  return (
    <div className="canvas" onDrop={onDrop} onDragOver={onDragOver} data-testid="canvas">
      <ReactFlow<LayerFlowNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={handleNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onDelete={onDelete}
        isValidConnection={isValidConnection}
        deleteKeyCode={DELETE_KEYS}
        selectionKeyCode={BOX_SELECT_KEYS}
        multiSelectionKeyCode={ADD_TO_SELECTION_KEYS}
        onNodeContextMenu={onNodeContextMenu}
        onSelectionContextMenu={(event, nodes) => nodes[0] && onNodeContextMenu(event, nodes[0])}
        onPaneContextMenu={onPaneContextMenu}
        colorMode={theme}
        fitView
        fitViewOptions={FIT_VIEW}
        minZoom={0.1}
      >
        <Background gap={20} />
        <Controls showInteractive={false} />
        <MiniMap
          pannable
          zoomable
          ariaLabel="Overview of the graph"
          nodeColor="var(--minimap-node)"
          maskColor="var(--minimap-mask)"
          style={MINIMAP_SIZE}
        />
      </ReactFlow>
    </div>
  );
};
