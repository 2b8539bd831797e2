// The inspector's k-means preview state without a browser: what makes an answer stale (not the
// layout, but the layers, the training settings and the dataset), that a cancelled or
// superseded question's answer is dropped and its work stopped on the host, and that progress is kept. The host's side runs for real in
// test/electron/host/start-filters-api.test.ts; here a hand-driven api decides when answers come.
import { describe, expect, it } from 'vitest';
import type { StartFiltersPreview, StartFiltersProgress, StudioApi } from '../../electron/api';
import { convnet } from '../../engine/graph/templates/classic';
import { newProject } from '../../engine/project/schema';
import { encodeFloat32 } from '../../engine/viz/encoding';
import { StartFiltersStore, startFiltersKey } from '../../renderer/inspector/start-filters-store';

const document = newProject(convnet(), { dataset: { kind: 'mnist' } });

const answer = (value: number): StartFiltersPreview => ({
  tensor: { nodeId: 'conv1', name: 'conv1.weight', shape: [1, 1, 1, 2], data: encodeFloat32(Float32Array.of(value, -value)) },
  images: 100,
});

interface Waiting {
  resolve: (value: StartFiltersPreview) => void;
  reject: (error: unknown) => void;
  progress: (progress: StartFiltersProgress) => void;
}

/** An api whose `previewStartFilters` answers (and reports progress) when the test says. */
const handApi = () => {
  const waiting: Waiting[] = [];
  const overrides: unknown[] = [];
  const cancelled: string[] = [];
  const api = {
    previewStartFilters: (_document: unknown, _nodeId: string, asked: unknown, progress: (progress: StartFiltersProgress) => void) => {
      overrides.push(asked);
      return new Promise<StartFiltersPreview>((resolve, reject) => waiting.push({ resolve, reject, progress }));
    },
    cancelStartFilters: async (nodeId: string) => {
      cancelled.push(nodeId);
    },
  } as unknown as StudioApi;
  return { api, waiting, overrides, cancelled };
};

describe('the k-means preview’s key', () => {
  it('ignores where layers sit, but not what they are, how training starts, the data or the sample limit', () => {
    const key = startFiltersKey(document, 'conv1', null);
    const moved = {
      ...document,
      graph: { ...document.graph, nodes: document.graph.nodes.map((node) => ({ ...node, position: { x: 1, y: 2 } })) },
    };
    expect(startFiltersKey(moved, 'conv1', null)).toBe(key);
    const wider = {
      ...document,
      graph: {
        ...document.graph,
        nodes: document.graph.nodes.map((node) => (node.id === 'conv1' ? { ...node, params: { ...node.params, filters: 8 } } : node)),
      },
    };
    expect(startFiltersKey(wider, 'conv1', null)).not.toBe(key);
    expect(startFiltersKey({ ...document, training: { ...document.training, seed: 77 } }, 'conv1', null)).not.toBe(key);
    expect(startFiltersKey({ ...document, training: { ...document.training, init: { kind: 'he-normal' } } }, 'conv1', null)).not.toBe(key);
    const kmeans = { conv1: { start: { kind: 'kmeans' as const, patches: 500 } } };
    expect(startFiltersKey({ ...document, training: { ...document.training, filters: kmeans } }, 'conv1', null)).not.toBe(key);
    // The epochs, the rate and the optimiser do not change how the weights start.
    const longer = { ...document.training, epochs: 40, learningRate: 0.1, optimizer: { kind: 'sgd' as const, momentum: 0.9 } };
    expect(startFiltersKey({ ...document, training: longer }, 'conv1', null)).toBe(key);
    expect(startFiltersKey({ ...document, dataset: { kind: 'shapes', task: 'classify', size: 28, samples: 50 } }, 'conv1', null)).not.toBe(
      key,
    );
    expect(startFiltersKey(document, 'conv2', null)).not.toBe(key);
    expect(startFiltersKey(document, 'conv1', 600)).not.toBe(key);
  });
});

describe('the k-means preview store', () => {
  it('keeps the latest answer, drops a superseded or cancelled one, and says why one failed', async () => {
    const store = new StartFiltersStore();
    const key = startFiltersKey(document, 'conv1', null);
    const { api, waiting, overrides, cancelled } = handApi();

    const first = store.compute(api, document, 'conv1', null);
    expect(store.answerFor(key)).toMatchObject({ computing: true, weight: null, progress: null });
    waiting[0].progress({ stage: 'kmeans', fraction: 0.4 });
    expect(store.answerFor(key)).toMatchObject({ computing: true, progress: { stage: 'kmeans', fraction: 0.4 } });
    // the host itself replaces a preview of the same layer
    const second = store.compute(api, document, 'conv1', null);
    expect(store.getState().progress).toBeNull();
    // the superseded question's progress is dropped
    waiting[0].progress({ stage: 'kmeans', fraction: 0.9 });
    expect(store.getState().progress).toBeNull();
    waiting[0].resolve(answer(1));
    await first;
    expect(store.getState().computing).toBe(true);
    waiting[1].resolve(answer(2));
    await second;
    expect(store.answerFor(key)).toMatchObject({ computing: false, progress: null, images: 100, shape: [1, 1, 1, 2] });
    expect(cancelled).toEqual([]);
    expect([...store.getState().weight!]).toEqual([2, -2]);
    expect(store.answerFor(startFiltersKey(document, 'conv2', null))).toBeNull();

    // Cancel stops the host's work, and what it still sends is dropped
    const cancelledQuestion = store.compute(api, document, 'conv1', null);
    store.cancel();
    expect(cancelled).toEqual(['conv1']);
    waiting[2].progress({ stage: 'kmeans', fraction: 0.5 });
    waiting[2].resolve(answer(3));
    await cancelledQuestion;
    expect(store.getState()).toMatchObject({ key: null, computing: false, progress: null, weight: null });
    // nothing to stop once answered
    store.cancel();
    expect(cancelled).toEqual(['conv1']);

    const failing = store.compute(api, document, 'conv1', null);
    waiting[3].reject({ name: 'TrainingError', message: "'conv1': only 3 of mnist's patches have any contrast" });
    await failing;
    expect(store.answerFor(key)).toMatchObject({
      computing: false,
      weight: null,
      problem: "'conv1': only 3 of mnist's patches have any contrast",
    });

    // the panel's sample limit goes to the host, and the answer is for that limit only
    const limited = store.compute(api, document, 'conv1', 600);
    waiting[4].resolve(answer(4));
    await limited;
    expect(overrides).toEqual([{}, {}, {}, {}, { limit: 600 }]);
    expect(store.answerFor(startFiltersKey(document, 'conv1', 600))?.weight).not.toBeNull();
    expect(store.answerFor(key)).toBeNull();

    // a question about another layer stops the host's work on the one before
    void store.compute(api, document, 'conv1', null);
    void store.compute(api, document, 'conv3', null);
    expect(cancelled).toEqual(['conv1', 'conv1']);
    expect(store.getState()).toMatchObject({ key: startFiltersKey(document, 'conv3', null), computing: true });
  });
});
