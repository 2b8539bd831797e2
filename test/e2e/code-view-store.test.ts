// The code view's side of the editor store, without a browser: a graph parsed from model code
// replaces the editor's graph as one undo step, new layers are placed beside their inputs, and
// the surviving layers keep their places.
import { describe, expect, it } from 'vitest';
import { parseModelCode } from '../../engine/graph/model-code/parse';
import { printModelCode } from '../../engine/graph/model-code/print';
import type { GraphDocument } from '../../engine/graph/document';
import { lenet5 } from '../../engine/graph/templates/classic';
import { EditorStore } from '../../renderer/editor/editor-store';
import { placeNewNodes } from '../../renderer/editor/place-new-nodes';

const edited = (graph: GraphDocument, change: (code: string) => string): GraphDocument => {
  const parsed = parseModelCode(change(printModelCode(graph)), graph);
  if (!parsed.document) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
  return parsed.document;
};

describe('the code view and the editor store', () => {
  it('replaces the graph as one undo step, and undo brings the old one back', () => {
    const store = new EditorStore(lenet5());
    const before = store.graph;
    const next = edited(before, (code) => code.replace('conv1 = Conv2D(input, filters=6,', 'conv1 = Conv2D(input, filters=8,'));
    store.replaceGraph(next);
    expect(store.graph.nodes.find((n) => n.id === 'conv1')!.params).toMatchObject({ filters: 8 });
    expect(store.getState().report.nodes.find((n) => n.id === 'conv1')!.outputShape).toEqual([8, 28, 28]);
    expect(store.getState().canUndo).toBe(true);
    store.undo();
    expect(store.graph).toBe(before);
    expect(store.getState().canUndo).toBe(false);
    store.redo();
    expect(store.graph.nodes.find((n) => n.id === 'conv1')!.params).toMatchObject({ filters: 8 });
  });

  it('keeps the places of surviving layers and puts new ones beside their inputs, a new chain straight down', () => {
    const graph = lenet5();
    const next = edited(graph, (code) => code.replace('relu3 = ReLU(fc1)', 'drop = Dropout(fc1)\nnoise = ReLU(drop)\nrelu3 = ReLU(noise)'));
    const placed = placeNewNodes(next);
    const at = (g: GraphDocument, id: string) => g.nodes.find((n) => n.id === id)!.position!;
    expect(at(placed, 'fc1')).toEqual(at(graph, 'fc1'));
    expect(at(placed, 'relu3')).toEqual(at(graph, 'relu3'));
    expect(at(placed, 'drop').x).toBeGreaterThan(at(graph, 'fc1').x);
    expect(at(placed, 'drop').y).toBeGreaterThan(at(graph, 'fc1').y);
    expect(at(placed, 'noise')).toEqual({ x: at(placed, 'drop').x, y: at(placed, 'drop').y + 100 });
    for (const a of placed.nodes)
      for (const b of placed.nodes)
        if (a !== b) expect(Math.abs(a.position!.x - b.position!.x) >= 40 || Math.abs(a.position!.y - b.position!.y) >= 40).toBe(true);
  });

  it('lays out a graph written from scratch', () => {
    const parsed = parseModelCode('i = Input()\nr = ReLU(i)\nout = ImageHead(r)');
    const placed = placeNewNodes(parsed.document!);
    expect(placed.nodes.map((n) => n.position)).toEqual([
      { x: 0, y: 0 },
      { x: 0, y: 100 },
      { x: 0, y: 200 },
    ]);
  });
});
