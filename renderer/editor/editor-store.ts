/**
 * The editor's state: the graph being edited, its analysis (shapes, costs, issues: one
 * `analyzeGraph` pass after every edit), the selection, and the undo history. Framework-free
 * (React subscribes through `useStore`); every edit goes through here, so every edit can be
 * undone.
 *
 * History: each edit pushes the document before it. Consecutive edits of one parameter (typing
 * "128" is three edits) are merged into one step, and a drag is one step however far it goes.
 */
import type { GraphReport } from '../../engine/graph/analyze';
import { analyzeTimed } from './timed-analysis';
import type { GraphDocument } from '../../engine/graph/document';
import type { ConvFilterInits } from '../../engine/train/filter-init';
import { DEFAULT_RUN_SETTINGS, type RunSettings } from '../training/run-settings';
import { collapseNode, collapsiblePair } from '../../engine/graph/collapse';
import { expandNode } from '../../engine/graph/expand';
import type { LayerType } from '../../engine/graph/layer-types';
import { Store } from './store-core';
import { cutOut, fragmentText, PASTE_OFFSET, pasteFragment, type Fragment } from './fragment';
import { addNode, connect, edgeKey, moveNodes, removeElements, setParam, type Position } from './graph-edits';
import { layoutPositions, makeRoomBelow } from './layout';
import { placeNewNodes } from './place-new-nodes';

/** The graph with every layer placed by the auto-layout. */
export const layoutGraph = (graph: GraphDocument): GraphDocument => moveNodes(graph, layoutPositions(graph));

/** How far expand.ts puts the second stage below the first, and so how far the layers below move down. */
const STAGE_GAP = 90;

/** How many steps undo remembers. */
export const HISTORY_LIMIT = 200;

export interface EditorState {
  readonly graph: GraphDocument;
  /** How each convolution's filters start and which are frozen (the training settings' `filters`), undone with the graph. */
  readonly filters: ConvFilterInits;
  /** The training panel's advanced hyper-parameters (schedule, seed, initialisation, augmentation), undone with the graph. */
  readonly run: RunSettings;
  readonly report: GraphReport;
  readonly selectedNodes: readonly string[];
  readonly selectedEdges: readonly string[];
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** Counts every change of the graph (undo and redo too). */
  readonly revision: number;
  /**
   * Names the document's place in the history: each edit gives a new one, and undo and redo go back
   * to the one of that step. The project is saved when it equals the saved version, so undoing back
   * to the save is clean again, and an edit made after undoing past it never is (VS Code's rule).
   */
  readonly version: number;
  /** Counts requests to fit the whole graph in view (a new document, an auto-layout). */
  readonly fitRequests: number;
  /** Counts documents loaded: another project, not an edit of this one. */
  readonly loads: number;
}

const EMPTY: GraphDocument = { format: 'cnn-studio/graph', version: 1, nodes: [], edges: [] };

/** One step of the history: the graph, the filter settings and the run settings together, and its version. */
interface Snapshot {
  readonly graph: GraphDocument;
  readonly filters: ConvFilterInits;
  readonly run: RunSettings;
  readonly version: number;
}

export class EditorStore extends Store<EditorState> {
  private past: Snapshot[] = [];
  private future: Snapshot[] = [];
  /** The parameter the last edit changed, to merge typing into one step. */
  private mergeKey: string | null = null;
  /** The document when the current drag began. */
  private dragOrigin: GraphDocument | null = null;
  /** The fragment pasted last and how many times in a row, so repeated pastes fan out instead of stacking. */
  private lastPaste = { text: '', count: 0 };
  /** The version the next edit or load gets. */
  private nextVersion = 1;

  constructor(graph: GraphDocument = EMPTY) {
    super({
      graph,
      filters: {},
      run: DEFAULT_RUN_SETTINGS,
      report: analyzeTimed(graph),
      selectedNodes: [],
      selectedEdges: [],
      canUndo: false,
      canRedo: false,
      revision: 0,
      version: 0,
      fitRequests: 0,
      loads: 0,
    });
  }

  get graph(): GraphDocument {
    return this.state.graph;
  }

  get filters(): ConvFilterInits {
    return this.state.filters;
  }

  get run(): RunSettings {
    return this.state.run;
  }

  /** Starts over with a document: the history is cleared. */
  load(graph: GraphDocument, filters: ConvFilterInits = {}, run: RunSettings = DEFAULT_RUN_SETTINGS): void {
    this.past = [];
    this.future = [];
    this.mergeKey = null;
    this.dragOrigin = null;
    this.lastPaste = { text: '', count: 0 };
    this.set({
      graph,
      filters,
      run,
      report: analyzeTimed(graph),
      selectedNodes: [],
      selectedEdges: [],
      canUndo: false,
      canRedo: false,
      revision: this.state.revision + 1,
      version: this.nextVersion++,
      fitRequests: this.state.fitRequests + 1,
      loads: this.state.loads + 1,
    });
  }

  /** Replaces the graph, remembering the old one for undo; `analyze` is false for moves only. */
  private commit(
    graph: GraphDocument,
    options: { merge?: string; analyze?: boolean; before?: GraphDocument; filters?: ConvFilterInits; run?: RunSettings } = {},
  ): void {
    const merging = options.merge !== undefined && options.merge === this.mergeKey;
    if (!merging) {
      this.past.push({ ...this.snapshot(), graph: options.before ?? this.state.graph });
      if (this.past.length > HISTORY_LIMIT) this.past.shift();
    }
    this.future = [];
    this.mergeKey = options.merge ?? null;
    this.show(
      { graph, filters: options.filters ?? this.state.filters, run: options.run ?? this.state.run, version: this.nextVersion++ },
      options.analyze ?? true,
    );
  }

  private snapshot(): Snapshot {
    const { graph, filters, run, version } = this.state;
    return { graph, filters, run, version };
  }

  /** Replaces the filter settings; edits with the same `merge` key in a row (typing into one value) are one undo step. */
  setFilters(filters: ConvFilterInits, merge?: string): void {
    this.commit(this.state.graph, { filters, analyze: false, ...(merge !== undefined ? { merge } : {}) });
  }

  /** Replaces the run settings; edits with the same `merge` key in a row (typing into one value) are one undo step. */
  setRunSettings(run: RunSettings, merge?: string): void {
    if (JSON.stringify(run) === JSON.stringify(this.state.run)) return;
    this.commit(this.state.graph, { run, analyze: false, ...(merge !== undefined ? { merge } : {}) });
  }

  private show({ graph, filters, run, version }: Snapshot, analyze: boolean): void {
    const ids = new Set(graph.nodes.map((node) => node.id));
    const keys = new Set(graph.edges.map(edgeKey));
    this.set({
      graph,
      filters,
      run,
      report: analyze ? analyzeTimed(graph) : this.state.report,
      selectedNodes: this.state.selectedNodes.filter((id) => ids.has(id)),
      selectedEdges: this.state.selectedEdges.filter((key) => keys.has(key)),
      canUndo: this.past.length > 0,
      canRedo: this.future.length > 0,
      revision: this.state.revision + 1,
      version,
      fitRequests: this.state.fitRequests,
      loads: this.state.loads,
    });
  }

  /** Adds a layer with default parameters and selects it; returns its id. */
  addNode(type: LayerType, position: Position): string {
    const added = addNode(this.state.graph, type, position);
    this.commit(added.graph);
    this.select([added.id], []);
    return added.id;
  }

  /** Connects two layers; false when the connection is not allowed (see connectionProblem). */
  connect(source: string, target: string): boolean {
    const graph = connect(this.state.graph, source, target);
    if (!graph) return false;
    this.commit(graph);
    return true;
  }

  /** Deletes layers and edges in one step. */
  remove(nodeIds: readonly string[], edgeKeys: readonly string[]): void {
    if (!nodeIds.length && !edgeKeys.length) return;
    this.commit(removeElements(this.state.graph, nodeIds, edgeKeys));
  }

  /** Deletes what is selected. */
  removeSelection(): void {
    this.remove(this.state.selectedNodes, this.state.selectedEdges);
  }

  /** Sets a parameter (undefined: back to the default); typing into one field is one undo step. */
  setParam(nodeId: string, name: string, value: unknown): void {
    this.commit(setParam(this.state.graph, nodeId, name, value), { merge: `${nodeId}.${name}` });
  }

  /** Moves layers while dragging; `done` ends the drag, making the whole move one undo step. */
  dragNodes(positions: ReadonlyMap<string, Position>, done: boolean): void {
    const origin = this.dragOrigin ?? this.state.graph;
    const graph = positions.size ? moveNodes(this.state.graph, positions) : this.state.graph;
    if (!done) {
      this.dragOrigin = origin;
      this.set({ ...this.state, graph });
      return;
    }
    this.dragOrigin = null;
    if (graph !== origin) this.commit(graph, { analyze: false, before: origin });
  }

  /** Replaces a separable convolution by its two stages (engine/graph/expand.ts); the reason when it cannot. */
  expand(nodeId: string): string | null {
    const expanded = expandNode(this.state.graph, nodeId);
    if (!expanded.ok) return expanded.reason;
    const before = new Set(this.state.graph.nodes.map((node) => node.id));
    const stages = new Set(expanded.document.nodes.filter((node) => !before.has(node.id)).map((node) => node.id));
    const at = this.state.graph.nodes.find((node) => node.id === nodeId)?.position;
    const room = at ? makeRoomBelow(expanded.document, at, STAGE_GAP, stages) : new Map<string, Position>();
    this.commit(moveNodes(expanded.document, room));
    // Select the first stage, so that the inspector offers to collapse the pair again.
    const first = expanded.document.nodes.find((node) => !before.has(node.id));
    if (first) this.select([first.id], []);
    return null;
  }

  /** Joins the two stages that `nodeId` belongs to back into one factorised convolution (collapse.ts) and selects it; the reason when it cannot. */
  collapse(nodeId: string): string | null {
    const pair = collapsiblePair(this.state.graph, nodeId);
    const collapsed = collapseNode(this.state.graph, nodeId);
    if (!collapsed.ok || !pair) return collapsed.ok ? `${nodeId}: cannot be collapsed` : collapsed.reason;
    // Close the room the second stage took, as expand made it.
    const position = (id: string) => this.state.graph.nodes.find((node) => node.id === id)?.position;
    const [first, second] = [position(pair.first), position(pair.second)];
    const gap = first && second ? second.y - first.y : 0;
    const room = second && gap > 0 ? makeRoomBelow(collapsed.document, second, -gap, new Set([collapsed.id])) : new Map<string, Position>();
    this.commit(moveNodes(collapsed.document, room));
    this.select([collapsed.id], []);
    return null;
  }

  /** The selected layers and the connections among them, or null when no layer is selected. */
  copySelection(): Fragment | null {
    const ids = this.state.selectedNodes;
    return ids.length ? cutOut(this.state.graph, ids) : null;
  }

  /** Copies the selected layers and deletes them, in one undo step. */
  cutSelection(): Fragment | null {
    const fragment = this.copySelection();
    if (fragment) this.remove(this.state.selectedNodes, []);
    return fragment;
  }

  /**
   * Adds copies of a fragment's layers with fresh ids, selected, as one undo step: with `at`, its
   * top-left layer there; else beside the originals, each paste of the same fragment in a row one
   * offset further, so they do not hide each other.
   */
  paste(fragment: Fragment, at?: Position): string[] {
    if (!fragment.nodes.length) return [];
    if (at) {
      const xs = fragment.nodes.map((node) => node.position?.x ?? 0);
      const ys = fragment.nodes.map((node) => node.position?.y ?? 0);
      return this.insert(fragment, { x: at.x - Math.min(...xs), y: at.y - Math.min(...ys) });
    }
    const text = fragmentText(fragment);
    this.lastPaste = { text, count: this.lastPaste.text === text ? this.lastPaste.count + 1 : 1 };
    const n = this.lastPaste.count;
    return this.insert(fragment, { x: PASTE_OFFSET.x * n, y: PASTE_OFFSET.y * n });
  }

  /** Copies the selected layers (with the connections among them) beside them, selected, as one step. */
  duplicateSelection(): string[] {
    const fragment = this.copySelection();
    return fragment ? this.insert(fragment, PASTE_OFFSET) : [];
  }

  private insert(fragment: Fragment, offset: Position): string[] {
    const pasted = pasteFragment(this.state.graph, fragment, offset);
    this.commit(pasted.graph);
    const ids = new Set(pasted.ids);
    const edges = pasted.graph.edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target)).map(edgeKey);
    this.select(pasted.ids, edges);
    return pasted.ids;
  }

  /** Selects every layer and connection. */
  selectAll(): void {
    this.select(
      this.state.graph.nodes.map((node) => node.id),
      this.state.graph.edges.map(edgeKey),
    );
  }

  /**
   * Replaces the whole graph with one written in the code view. Consecutive replacements are one
   * undo step until `endMerge` (the code view lost focus) or another edit. Layers without a
   * position are placed beside their inputs (place-new-nodes.ts).
   */
  replaceGraph(graph: GraphDocument): void {
    this.commit(placeNewNodes(graph), { merge: 'code' });
  }

  /** Lays the graph out afresh (layout.ts), as one undo step. */
  autoLayout(): void {
    this.commit(layoutGraph(this.state.graph), { analyze: false });
    this.set({ ...this.state, fitRequests: this.state.fitRequests + 1 });
  }

  /** Asks the canvas to fit the whole graph in view (its size changed). */
  requestFit(): void {
    this.set({ ...this.state, fitRequests: this.state.fitRequests + 1 });
  }

  select(nodes: readonly string[], edges: readonly string[]): void {
    this.set({ ...this.state, selectedNodes: nodes, selectedEdges: edges });
  }

  /** Breaks the merging of parameter edits (a field lost focus). */
  endMerge(): void {
    this.mergeKey = null;
  }

  undo(): void {
    const previous = this.past.pop();
    if (!previous) return;
    this.future.push(this.snapshot());
    this.mergeKey = null;
    this.show(previous, true);
  }

  redo(): void {
    const next = this.future.pop();
    if (!next) return;
    this.past.push(this.snapshot());
    this.mergeKey = null;
    this.show(next, true);
  }
}
