// Copy, cut, paste and duplicate, select all, and expand/collapse in the editor store, and the
// clipboard's text format: without a browser (the browser tests drive the same through keys).
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../engine/graph/analyze';
import type { GraphDocument } from '../../engine/graph/document';
import { lenet5 } from '../../engine/graph/templates/classic';
import { EditorStore } from '../../renderer/editor/editor-store';
import { cutOut, FRAGMENT_FORMAT, fragmentText, looksLikeFragment, parseFragment, pasteFragment } from '../../renderer/editor/fragment';

/** input → a → b, and an Add fed by a and b. */
const smallGraph = (): GraphDocument => ({
  format: 'cnn-studio/graph',
  version: 1,
  nodes: [
    { id: 'input', type: 'Input', params: { channels: 1, height: 8, width: 8 }, position: { x: 0, y: 0 } },
    { id: 'a', type: 'ReLU', position: { x: 0, y: 100 } },
    { id: 'b', type: 'ReLU', position: { x: 100, y: 200 } },
    { id: 'sum', type: 'Add', position: { x: 0, y: 300 } },
    { id: 'out', type: 'ImageHead', position: { x: 0, y: 400 } },
  ],
  edges: [
    { source: 'input', target: 'a' },
    { source: 'a', target: 'b' },
    { source: 'a', target: 'sum', targetPort: 0 },
    { source: 'b', target: 'sum', targetPort: 1 },
    { source: 'sum', target: 'out' },
  ],
});

const separable = (): GraphDocument => ({
  format: 'cnn-studio/graph',
  version: 1,
  nodes: [
    { id: 'input', type: 'Input', params: { channels: 3, height: 16, width: 16 } },
    { id: 'sep', type: 'SeparableConv2D', params: { filters: 24, kernel: 5, stride: 2 } },
    { id: 'out', type: 'ImageHead' },
  ],
  edges: [
    { source: 'input', target: 'sep' },
    { source: 'sep', target: 'out' },
  ],
});

describe('fragments of a graph', () => {
  it('take the chosen layers and only the connections among them', () => {
    const fragment = cutOut(smallGraph(), ['b', 'sum']);
    expect(fragment.nodes.map((node) => node.id)).toEqual(['b', 'sum']);
    expect(fragment.edges).toEqual([{ source: 'b', target: 'sum', targetPort: 1 }]);
  });

  it('paste with fresh ids, moved by the offset, with closed-up ports, leaving the graph intact', () => {
    const graph = smallGraph();
    const pasted = pasteFragment(graph, cutOut(graph, ['b', 'sum']), { x: 40, y: 40 });
    expect(pasted.ids).toEqual(['relu1', 'add1']);
    expect(pasted.graph.nodes.slice(5)).toEqual([
      { id: 'relu1', type: 'ReLU', position: { x: 140, y: 240 } },
      { id: 'add1', type: 'Add', position: { x: 40, y: 340 } },
    ]);
    expect(pasted.graph.edges.slice(5)).toEqual([{ source: 'relu1', target: 'add1', targetPort: 0 }]);
    expect(pasted.graph.edges.slice(0, 5)).toEqual(graph.edges);
    expect(graph.nodes).toHaveLength(5);
  });

  it('round-trip through clipboard text, and refuse other text with the reason', () => {
    const fragment = cutOut(lenet5(), ['conv1', 'relu1', 'pool1']);
    const text = fragmentText(fragment);
    expect(looksLikeFragment(text)).toBe(true);
    expect(JSON.parse(text)).toMatchObject({ format: FRAGMENT_FORMAT, version: 1 });
    expect(parseFragment(text)).toEqual({ ok: true, fragment });
    expect(looksLikeFragment('hello')).toBe(false);
    expect(parseFragment('hello')).toEqual({ ok: false, reason: 'the clipboard does not hold CNN Studio layers (it is not JSON)' });
    expect(parseFragment('{"nodes": []}')).toMatchObject({ ok: false, reason: expect.stringContaining('"format"') });
    const newer = { ...JSON.parse(text), version: 7 };
    expect(parseFragment(JSON.stringify(newer))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/newer CNN Studio \(version 7/),
    });
    const unknownType = { ...JSON.parse(text), nodes: [{ id: 'x', type: 'Conv9D' }], edges: [] };
    expect(parseFragment(JSON.stringify(unknownType))).toEqual({
      ok: false,
      reason: 'clipboard node 1 (x): unknown layer type "Conv9D"',
    });
    const danglingEdge = { ...JSON.parse(text), edges: [{ source: 'conv1', target: 'fc9' }] };
    expect(parseFragment(JSON.stringify(danglingEdge))).toMatchObject({ ok: false, reason: expect.stringContaining('fc9') });
    const badId = { ...JSON.parse(text), nodes: [{ id: '9 lives', type: 'ReLU' }] };
    expect(parseFragment(JSON.stringify(badId))).toMatchObject({ ok: false, reason: 'clipboard node 1: missing or invalid "id"' });
  });
});

describe('copy, cut, paste and duplicate in the editor store', () => {
  it('pastes the copied layers selected, as one undo step, fanning out on repeated pastes', () => {
    const store = new EditorStore(lenet5());
    store.select(['conv1', 'relu1'], []);
    const copied = store.copySelection()!;
    expect(copied.nodes.map((node) => node.id)).toEqual(['conv1', 'relu1']);
    expect(copied.edges).toEqual([{ source: 'conv1', target: 'relu1' }]);
    const first = store.paste(copied);
    expect(first).toEqual(['conv3', 'relu5']);
    expect(store.getState().selectedNodes).toEqual(['conv3', 'relu5']);
    expect(store.getState().selectedEdges).toEqual(['conv3->relu5:0']);
    const conv1 = lenet5().nodes.find((node) => node.id === 'conv1')!.position!;
    expect(store.graph.nodes.find((node) => node.id === 'conv3')!.position).toEqual({ x: conv1.x + 40, y: conv1.y + 40 });
    expect(store.graph.nodes.find((node) => node.id === 'conv3')!.params).toEqual({ filters: 6, kernel: 5, padding: 2 });
    store.paste(copied);
    expect(store.graph.nodes.find((node) => node.id === 'conv4')!.position).toEqual({ x: conv1.x + 80, y: conv1.y + 80 });
    expect(store.graph.nodes).toHaveLength(18);
    store.undo();
    store.undo();
    expect(store.graph).toEqual(lenet5());
  });

  it('pastes into another project, where the ids are free', () => {
    const source = new EditorStore(lenet5());
    source.select(['conv1', 'relu1', 'pool1'], []);
    const target = new EditorStore(separable());
    const read = parseFragment(fragmentText(source.copySelection()!));
    if (!read.ok) throw new Error(read.reason);
    const ids = target.paste(read.fragment);
    expect(ids).toEqual(['conv1', 'relu1', 'maxpool1']);
    expect(target.graph.edges).toContainEqual({ source: 'conv1', target: 'relu1' });
    expect(target.graph.edges).toContainEqual({ source: 'relu1', target: 'maxpool1' });
    expect(source.graph).toEqual(lenet5());
  });

  it('cuts in one step, and duplicates beside the selection', () => {
    const store = new EditorStore(smallGraph());
    store.select(['b'], []);
    const cut = store.cutSelection()!;
    expect(cut.nodes.map((node) => node.id)).toEqual(['b']);
    expect(store.graph.nodes.map((node) => node.id)).toEqual(['input', 'a', 'sum', 'out']);
    store.undo();
    expect(store.graph).toEqual(smallGraph());
    store.select(['a', 'b'], []);
    expect(store.duplicateSelection()).toEqual(['relu1', 'relu2']);
    expect(store.graph.edges.at(-1)).toEqual({ source: 'relu1', target: 'relu2' });
    expect(store.graph.nodes.find((node) => node.id === 'relu2')!.position).toEqual({ x: 140, y: 240 });
    store.undo();
    expect(store.graph).toEqual(smallGraph());
    store.select([], []);
    expect(store.copySelection()).toBeNull();
    expect(store.duplicateSelection()).toEqual([]);
    expect(store.getState().canRedo).toBe(true); // nothing selected: no step was made
  });

  it('selects every layer and connection', () => {
    const store = new EditorStore(smallGraph());
    store.selectAll();
    expect(store.getState().selectedNodes).toEqual(['input', 'a', 'b', 'sum', 'out']);
    expect(store.getState().selectedEdges).toHaveLength(5);
  });
});

describe('expand and collapse in the editor store', () => {
  it('expands into the stages, collapses back to the same layer, each one undo step', () => {
    const store = new EditorStore(separable());
    expect(store.expand('sep')).toBeNull();
    expect(store.graph.nodes.map((node) => node.id)).toEqual(['input', 'sep_depthwise', 'sep_pointwise', 'out']);
    expect(store.getState().selectedNodes).toEqual(['sep_depthwise']);
    const cost = ({ params, macs }: ReturnType<typeof analyzeGraph>['totals']) => ({ params, macs });
    expect(cost(store.getState().report.totals)).toEqual(cost(analyzeGraph(separable()).totals));
    expect(store.collapse('sep_pointwise')).toBeNull();
    expect(store.graph).toEqual(separable());
    expect(store.getState().selectedNodes).toEqual(['sep']);
    store.undo();
    expect(store.graph.nodes.map((node) => node.id)).toEqual(['input', 'sep_depthwise', 'sep_pointwise', 'out']);
    store.undo();
    expect(store.graph).toEqual(separable());
    expect(store.collapse('sep')).toMatch(/^sep: not one stage/);
    expect(store.getState().canRedo).toBe(true);
  });

  it('makes room below an expanded layer, in its column only, and closes it on collapse', () => {
    const graph: GraphDocument = {
      ...separable(),
      nodes: [
        { id: 'input', type: 'Input', params: { channels: 3, height: 16, width: 16 }, position: { x: 0, y: 0 } },
        { id: 'sep', type: 'SeparableConv2D', position: { x: 0, y: 100 } },
        { id: 'out', type: 'ImageHead', position: { x: 0, y: 200 } },
        { id: 'aside', type: 'ReLU', position: { x: 500, y: 300 } },
      ],
    };
    const store = new EditorStore(graph);
    store.expand('sep');
    const at = (id: string) => store.graph.nodes.find((node) => node.id === id)!.position;
    expect([at('input'), at('sep_depthwise'), at('sep_pointwise'), at('out'), at('aside')]).toEqual([
      { x: 0, y: 0 },
      { x: 0, y: 100 },
      { x: 0, y: 190 },
      { x: 0, y: 290 },
      { x: 500, y: 300 },
    ]);
    store.collapse('sep_depthwise');
    expect(store.graph).toEqual(graph);
  });
});

describe('pasting at a point', () => {
  it('puts the top-left layer of the fragment there', () => {
    const store = new EditorStore(smallGraph());
    store.select(['a', 'b'], []);
    const ids = store.paste(store.copySelection()!, { x: 500, y: 600 });
    const placed = store.graph.nodes.filter((node) => ids.includes(node.id)).map((node) => node.position);
    expect(placed).toEqual([
      { x: 500, y: 600 },
      { x: 600, y: 700 },
    ]);
  });
});
