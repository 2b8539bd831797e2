// The Visualise panel's state and picture helpers, without a browser: which layers it offers,
// how it asks the host and drops stale answers, and how pictures are fitted to the room.
import { describe, expect, it } from 'vitest';
import type { StudioApi, VisualReply, VisualRequest } from '../../electron/api';
import { analyzeGraph } from '../../engine/graph/analyze';
import { findTemplate } from '../../engine/graph/templates';
import { encodeFloat32 } from '../../engine/viz/encoding';
import { encodeBase64 } from '../../engine/viz/encoding';
import { quantiseFilterGradient } from '../../engine/viz/filter-gradients';
import { bestColumns, filterPictures, filterTiles, gradientTiles, mapPicture, predictionOf } from '../../renderer/viz/pictures';
import { VizStore, visualisableNodes } from '../../renderer/viz/viz-store';

const tensor = (nodeId: string, shape: number[], values?: number[]) => ({
  nodeId,
  name: nodeId,
  shape,
  data: encodeFloat32(Float32Array.from(values ?? Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i))),
});

const reply = (kind: VisualReply['kind'], nodeId: string, step: number, sample = 0): VisualReply => ({
  kind,
  source: 'live',
  epoch: 1,
  globalStep: step,
  tensors: [kind === 'filters' ? tensor(nodeId, [2, 1, 3, 3]) : tensor(nodeId, [2, 4, 4])],
  ...(kind === 'activations'
    ? {
        sample: {
          index: sample,
          subset: 'validation',
          count: 10,
          label: 1,
          input: tensor('input', [1, 4, 4]),
          output: tensor('output', [3], [0, 2, 1]),
        },
      }
    : {}),
});

/** A host that answers each request when told to, and records what it was asked. */
const fakeApi = () => {
  const asked: VisualRequest[] = [];
  const waiting: { request: VisualRequest; answer: (value: VisualReply) => void; fail: (error: Error) => void }[] = [];
  const api = {
    requestVisual: (_jobId: string, request: VisualRequest) =>
      new Promise<VisualReply>((answer, fail) => {
        asked.push(request);
        waiting.push({ request, answer, fail });
      }),
  } as unknown as StudioApi;
  return { api, asked, waiting };
};

describe('the Visualise panel state', () => {
  it('offers the convolutions, pooling and activations of image shape, and knows which have filters', () => {
    const nodes = visualisableNodes(analyzeGraph(findTemplate('lenet5')!.build()));
    expect(nodes.map((node) => `${node.id}${node.filters ? '*' : ''}`)).toEqual(['conv1*', 'relu1', 'pool1', 'conv2*', 'relu2', 'pool2']);
  });

  it('asks for the filters and the maps of the sample, and drops answers to an older question', async () => {
    const store = new VizStore();
    const { api, asked, waiting } = fakeApi();
    store.setNode('conv1');
    const first = store.refresh(api, 'job-1', true);
    expect(asked).toEqual([
      { kind: 'filters', nodeId: 'conv1' },
      { kind: 'activations', nodeId: 'conv1', sample: 0, subset: 'validation' },
    ]);
    expect(store.getState().loading).toBe(true);
    // A refresh while one is under way is skipped, unless the question changed.
    void store.refresh(api, 'job-1', true);
    expect(asked).toHaveLength(2);
    store.setSample(3);
    const second = store.refresh(api, 'job-1', true, true);
    expect(asked[3]).toMatchObject({ kind: 'activations', sample: 3 });
    waiting[0].answer(reply('filters', 'conv1', 5));
    waiting[1].answer(reply('activations', 'conv1', 5, 0));
    await first;
    expect(store.getState().activations).toBeNull();
    waiting[2].answer(reply('filters', 'conv1', 6));
    waiting[3].answer(reply('activations', 'conv1', 6, 3));
    await second;
    expect(store.getState()).toMatchObject({
      loading: false,
      problem: null,
      filters: { globalStep: 6 },
      activations: { sample: { index: 3 } },
    });
    // The sample stays within the subset; a new run forgets the old answers.
    store.setSample(99);
    expect(store.getState().sample).toBe(9);
    const third = store.refresh(api, 'job-2', false);
    expect(store.getState()).toMatchObject({ jobId: 'job-2', filters: null, activations: null });
    waiting[4].fail(new Error('the run has not started yet'));
    await third;
    expect(store.getState()).toMatchObject({ problem: 'the run has not started yet', loading: false });
  });
});

describe('the filters’ gradients', () => {
  it('are asked for while shown, and decode to tiles drawn like their filters', async () => {
    const store = new VizStore();
    const { api, asked, waiting } = fakeApi();
    store.setNode('conv1');
    store.setShowGradients(true);
    const done = store.refresh(api, 'job-1', true);
    expect(asked[0]).toEqual({ kind: 'filters', nodeId: 'conv1', withGradients: true });
    const values = Float32Array.from({ length: 18 }, (_, i) => (i < 9 ? -0.5 + i / 8 : 0.001 * (i - 9)));
    const gradients = { ...quantiseFilterGradient('conv1', values, [2, 1, 3, 3]) };
    const answer = {
      ...reply('filters', 'conv1', 7),
      gradients: { step: 7, tensors: [{ ...gradients, data: encodeBase64(gradients.data) }] },
    };
    waiting[0].answer(answer);
    waiting[1].answer(reply('activations', 'conv1', 7));
    await done;
    const [tiles] = filterTiles(store.getState().filters!.tensors);
    const decoded = gradientTiles(store.getState().filters!, tiles)!;
    expect(decoded.mode).toBe('channels');
    expect(decoded.magnitudes[0]).toBeCloseTo(0.5, 6);
    expect(decoded.magnitudes[1]).toBeCloseTo(0.008, 6);
    for (let i = 0; i < 18; i++)
      expect(Math.abs(decoded.values[i] - values[i])).toBeLessThanOrEqual(gradients.scales[i < 9 ? 0 : 1] / 2 + 1e-9);
    expect(gradientTiles({}, tiles)).toBeNull();
    store.setShowGradients(false);
    void store.refresh(api, 'job-1', true, true);
    expect(asked[2]).toEqual({ kind: 'filters', nodeId: 'conv1' });
  });
});

describe('pictures for the panel', () => {
  it('fits feature maps to the room, choosing the columns that draw them largest', () => {
    expect(bestColumns(6, 28, 28, 260, 330)).toBe(3);
    expect(bestColumns(6, 28, 28, 400, 60)).toBe(6);
    const grid = mapPicture(tensor('conv1', [6, 28, 28]), 260, 330);
    expect([grid.layout.columns, grid.layout.rows, grid.layout.tileWidth]).toEqual([3, 2, 84]);
    expect(grid.width).toBeLessThanOrEqual(260);
  });

  it('draws spatial filters only, and reads a classifier’s best guess', () => {
    const pictures = filterPictures([tensor('a', [4, 2, 3, 3]), tensor('b', [4, 2, 1, 1])], 100, 100);
    expect(pictures.map((picture) => picture.name)).toEqual(['a']);
    expect(pictures[0].grid.width).toBeLessThanOrEqual(100);
    expect(pictures[0].grid.height).toBeLessThanOrEqual(100);
    expect(predictionOf(reply('activations', 'conv1', 1).sample!)).toMatchObject({ index: 1 });
  });
});
