// The renderer's logic without a browser: graph edits, the editor store and its undo history,
// parameter text, auto-layout and the training panel's state. (These are the renderer's unit
// tests; they sit here beside the browser tests because the renderer has no test folder yet.)
import { describe, expect, it } from 'vitest';
import type { StudioApi } from '../../electron/api';
import type { ProjectDocument } from '../../engine/project/schema';
import type { GraphDocument } from '../../engine/graph/document';
import { CATALOGUE } from '../../engine/graph/catalogue';
import type { ParamSpec } from '../../engine/graph/params';
import { lenet5 } from '../../engine/graph/templates/classic';
import { EditorStore, HISTORY_LIMIT } from '../../renderer/editor/editor-store';
import { addNode, connect, connectionProblem, edgeKey, newNodeId, removeElements, setParam } from '../../renderer/editor/graph-edits';
import { layoutPositions } from '../../renderer/editor/layout';
import { paramText, parseParamText } from '../../renderer/inspector/param-text';
import { fractionDone, TrainingStore } from '../../renderer/training/training-store';

const spec = (type: keyof typeof CATALOGUE, name: string): ParamSpec => (CATALOGUE[type].params as Record<string, ParamSpec>)[name];
const errorsOf = (store: EditorStore, id: string) =>
  store
    .getState()
    .report.nodes.find((node) => node.id === id)!
    .issues.filter((issue) => issue.severity === 'error');

/** input → a → b, and an Add fed by a and b. */
const smallGraph = (): GraphDocument => ({
  format: 'cnn-studio/graph',
  version: 1,
  nodes: [
    { id: 'input', type: 'Input', params: { channels: 1, height: 8, width: 8 } },
    { id: 'a', type: 'ReLU' },
    { id: 'b', type: 'ReLU' },
    { id: 'sum', type: 'Add' },
    { id: 'out', type: 'ImageHead' },
  ],
  edges: [
    { source: 'input', target: 'a' },
    { source: 'a', target: 'b' },
    { source: 'a', target: 'sum', targetPort: 0 },
    { source: 'b', target: 'sum', targetPort: 1 },
    { source: 'sum', target: 'out' },
  ],
});

describe('graph edits', () => {
  it('names new layers after their type, with the first free number', () => {
    const graph = lenet5();
    expect(newNodeId(graph, 'Conv2D')).toBe('conv3');
    expect(newNodeId(graph, 'MaxPool2D')).toBe('maxpool1');
    expect(newNodeId(graph, 'ReLU')).toBe('relu5');
    const added = addNode(graph, 'Dropout', { x: 10.4, y: 20.6 });
    expect(added.id).toBe('dropout1');
    expect(added.graph.nodes.at(-1)).toEqual({ id: 'dropout1', type: 'Dropout', position: { x: 10, y: 21 } });
    expect(graph.nodes).toHaveLength(14);
  });

  it('refuses self-loops, inputs into Input, outputs from heads, duplicates and cycles', () => {
    const graph = smallGraph();
    expect(connectionProblem(graph, 'a', 'a')).toMatch(/itself/);
    expect(connectionProblem(graph, 'a', 'input')).toMatch(/Input/);
    expect(connectionProblem(graph, 'out', 'a')).toMatch(/head/);
    expect(connectionProblem(graph, 'a', 'b')).toMatch(/already/);
    expect(connectionProblem(graph, 'b', 'a')).toMatch(/cycle/);
    expect(connectionProblem(graph, 'sum', 'a')).toMatch(/cycle/);
    expect(connectionProblem(graph, 'input', 'b')).toBeNull();
    expect(connect(graph, 'b', 'a')).toBeNull();
  });

  it('replaces the input of a single-input layer, and gives a multi-input layer its next port', () => {
    const graph = smallGraph();
    const rewired = connect(graph, 'input', 'b')!;
    expect(rewired.edges.filter((edge) => edge.target === 'b')).toEqual([{ source: 'input', target: 'b' }]);
    const third = connect(graph, 'input', 'sum')!;
    expect(third.edges.filter((edge) => edge.target === 'sum').map((edge) => edge.targetPort)).toEqual([0, 1, 2]);
  });

  it('removes layers with their edges and closes up the ports of Add', () => {
    const graph = smallGraph();
    const removed = removeElements(graph, ['b'], []);
    expect(removed.nodes.map((node) => node.id)).toEqual(['input', 'a', 'sum', 'out']);
    expect(removed.edges).toEqual([
      { source: 'input', target: 'a' },
      { source: 'a', target: 'sum', targetPort: 0 },
      { source: 'sum', target: 'out' },
    ]);
    const first = removeElements(graph, [], [edgeKey({ source: 'a', target: 'sum', targetPort: 0 })]);
    expect(first.edges.filter((edge) => edge.target === 'sum')).toEqual([{ source: 'b', target: 'sum', targetPort: 0 }]);
  });

  it('sets and clears parameters without touching the old document', () => {
    const graph = lenet5();
    const changed = setParam(graph, 'conv1', 'kernel', 3);
    expect(changed.nodes[1].params).toEqual({ filters: 6, kernel: 3, padding: 2 });
    expect(graph.nodes[1].params).toEqual({ filters: 6, kernel: 5, padding: 2 });
    expect(setParam(graph, 'relu1', 'x', undefined).nodes[2]).toEqual(graph.nodes[2]);
    expect(setParam(changed, 'conv1', 'kernel', undefined).nodes[1].params).toEqual({ filters: 6, padding: 2 });
  });
});

describe('the editor store', () => {
  it('analyses every edit, and undo and redo restore the graph and its issues', () => {
    const store = new EditorStore(lenet5());
    expect(store.getState().report.valid).toBe(true);
    store.setParam('conv2', 'kernel', 20);
    expect(errorsOf(store, 'conv2')[0].message).toMatch(/^conv2: .*kernel/);
    expect(store.getState().canUndo).toBe(true);
    store.undo();
    expect(errorsOf(store, 'conv2')).toEqual([]);
    expect(store.graph).toEqual(lenet5());
    expect(store.getState().canRedo).toBe(true);
    store.redo();
    expect(errorsOf(store, 'conv2')).toHaveLength(1);
    store.undo();
    store.addNode('Dropout', { x: 0, y: 0 });
    expect(store.getState().canRedo).toBe(false);
    expect(store.getState().selectedNodes).toEqual(['dropout1']);
  });

  it('makes typing into one field one step, and a drag one step', () => {
    const store = new EditorStore(lenet5());
    store.setParam('fc1', 'units', 1);
    store.setParam('fc1', 'units', 12);
    store.setParam('fc1', 'units', 128);
    store.endMerge();
    store.setParam('fc1', 'units', 64);
    store.undo();
    expect(store.graph.nodes.find((node) => node.id === 'fc1')?.params?.units).toBe(128);
    store.undo();
    expect(store.graph.nodes.find((node) => node.id === 'fc1')?.params?.units).toBe(120);
    expect(store.getState().canUndo).toBe(false);

    const report = store.getState().report;
    for (const x of [10, 20, 30]) store.dragNodes(new Map([['conv1', { x, y: 5 }]]), false);
    store.dragNodes(new Map(), true);
    expect(store.graph.nodes[1].position).toEqual({ x: 30, y: 5 });
    expect(store.getState().report).toBe(report); // moves need no new analysis
    store.undo();
    expect(store.graph.nodes[1].position).toEqual(lenet5().nodes[1].position);
    // A click that moves nothing leaves no step.
    store.dragNodes(new Map(), true);
    expect(store.getState().canUndo).toBe(false);
  });

  it('deletes the selection in one step, forgets history on load, and keeps at most HISTORY_LIMIT steps', () => {
    const store = new EditorStore(lenet5());
    store.select(['relu1', 'pool1'], []);
    store.removeSelection();
    expect(store.graph.nodes).toHaveLength(12);
    expect(store.getState().selectedNodes).toEqual([]);
    store.undo();
    expect(store.graph.nodes).toHaveLength(14);
    store.load(lenet5());
    expect(store.getState()).toMatchObject({ canUndo: false, canRedo: false });
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) {
      store.setParam('fc1', 'units', i + 1);
      store.endMerge();
    }
    let undone = 0;
    while (store.getState().canUndo) {
      store.undo();
      undone++;
    }
    expect(undone).toBe(HISTORY_LIMIT);
  });

  it('tells subscribers, and counts revisions for the saved state', () => {
    const store = new EditorStore(lenet5());
    let calls = 0;
    const stop = store.subscribe(() => calls++);
    const before = store.getState().revision;
    store.connect('relu1', 'conv2');
    stop();
    store.undo();
    expect(calls).toBe(1);
    expect(store.getState().revision).toBe(before + 2);
  });

  it('lays a long network out in columns, as one undoable step', () => {
    const store = new EditorStore(lenet5());
    store.autoLayout();
    const positions = store.graph.nodes.map((node) => node.position!);
    expect(new Set(positions.map((p) => `${p.x},${p.y}`)).size).toBe(14);
    expect(Math.max(...positions.map((p) => p.y))).toBeLessThan(7 * 100);
    expect(new Set(positions.map((p) => p.x)).size).toBe(2);
    store.undo();
    expect(store.graph).toEqual(lenet5());
    // Branches sit side by side in one row.
    const rows = layoutPositions(smallGraph());
    expect(rows.get('b')!.y).toBe(rows.get('a')!.y + 100);
    expect(rows.get('sum')!.y).toBe(rows.get('b')!.y + 100);
  });
});

describe('parameter text', () => {
  it('shows values in their short form, and the default when absent', () => {
    expect(paramText(spec('Conv2D', 'kernel'), 5)).toBe('5');
    expect(paramText(spec('Conv2D', 'kernel'), [3, 5])).toBe('3, 5');
    expect(paramText(spec('Conv2D', 'kernel'), [3, 3])).toBe('3');
    expect(paramText(spec('Conv2D', 'padding'), undefined)).toBe('valid');
    expect(paramText(spec('Conv2D', 'padding'), [1, 1, 2, 2])).toBe('1, 2');
    expect(paramText(spec('Conv2D', 'filters'), 'junk')).toBe('junk');
  });

  it('reads numbers, pairs and padding, blank as the default, and names what it expects', () => {
    expect(parseParamText(spec('Conv2D', 'kernel'), ' 7 ')).toEqual({ ok: true, value: 7 });
    expect(parseParamText(spec('Conv2D', 'kernel'), '3x5')).toEqual({ ok: true, value: [3, 5] });
    expect(parseParamText(spec('Conv2D', 'kernel'), '3, 5')).toEqual({ ok: true, value: [3, 5] });
    expect(parseParamText(spec('Conv2D', 'kernel'), '')).toEqual({ ok: true, value: undefined });
    expect(parseParamText(spec('Conv2D', 'kernel'), 'big')).toEqual({ ok: false, problem: 'enter a number, or height, width' });
    expect(parseParamText(spec('Conv2D', 'padding'), 'same')).toEqual({ ok: true, value: 'same' });
    expect(parseParamText(spec('Conv2D', 'padding'), '1 2 3 4')).toEqual({ ok: true, value: [1, 2, 3, 4] });
    expect(parseParamText(spec('Conv2D', 'padding'), '1 2 3').ok).toBe(false);
    expect(parseParamText(spec('Dropout', 'rate'), '0.25')).toEqual({ ok: true, value: 0.25 });
    expect(parseParamText(spec('Conv2D', 'filters'), 'many')).toEqual({ ok: false, problem: 'enter a number' });
  });
});

describe('the training panel state', () => {
  it('follows a job: progress, the loss curve, epochs and the end', async () => {
    const store = new TrainingStore();
    let finished = 0;
    store.onFinished = () => finished++;
    const api = {
      startTraining: async () => ({ jobId: 'job-1', state: 'queued', runId: 'run-1', memoryBytes: 1 }),
      watchJob: async () => () => undefined,
    } as unknown as StudioApi;
    await store.start(api, {} as ProjectDocument, { epochs: 2 });
    expect(store.getState()).toMatchObject({ jobId: 'job-1', state: 'queued', starting: false });
    store.receive('job-1', { type: 'state', state: 'running' });
    store.receive('job-1', {
      type: 'started',
      backend: 'cpu',
      backendReason: '',
      trainSamples: 64,
      validationSamples: 0,
      stepsPerEpoch: 4,
      epochs: 2,
    });
    const progress = {
      type: 'progress',
      epoch: 2,
      stepInEpoch: 2,
      stepsPerEpoch: 4,
      learningRate: 0.1,
      imagesPerSecond: 1,
      etaSeconds: 1,
    } as const;
    store.receive('job-1', { ...progress, globalStep: 5, loss: 2 });
    store.receive('job-1', { ...progress, globalStep: 6, loss: 1.5 });
    store.receive('job-2', { ...progress, globalStep: 7, loss: 9 });
    expect(store.getState()).toMatchObject({ steps: [5, 6], losses: [2, 1.5], points: 2, state: 'running' });
    expect(fractionDone(store.getState())).toBe(0.75);
    store.receive('job-1', { type: 'epoch', summary: { epoch: 1, trainLoss: 1, learningRate: 0.1, seconds: 1 } });
    store.receive('job-1', { type: 'finished', state: 'completed', run: null, weightsKept: true });
    expect(store.getState()).toMatchObject({ state: 'completed', epochs: [{ epoch: 1 }] });
    expect(fractionDone(store.getState())).toBe(1);
    expect(finished).toBe(1);
    store.reset();
    expect(store.getState()).toMatchObject({ jobId: null, state: 'idle', points: 0 });
  });

  it('shows why a run could not start', async () => {
    const store = new TrainingStore();
    const api = {
      startTraining: async () => {
        throw new Error('fix the graph first');
      },
    } as unknown as StudioApi;
    await store.start(api, {} as ProjectDocument, {});
    expect(store.getState()).toMatchObject({ failure: 'fix the graph first', starting: false, state: 'idle' });
  });
});
