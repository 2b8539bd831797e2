// The inspector's k-means preview state without a browser: what makes an answer stale (not the
// layout, but the layers, the training settings and the dataset), and that a cancelled or
// superseded question's answer is dropped. The host's side runs for real in
// test/electron/host/start-filters-api.test.ts; here a hand-driven api decides when answers come.
import { describe, expect, it } from 'vitest';
import type { StartFiltersPreview, StudioApi } from '../../electron/api';
import { convnet } from '../../engine/graph/templates/classic';
import { newProject } from '../../engine/project/schema';
import { encodeFloat32 } from '../../engine/viz/encoding';
import { StartFiltersStore, startFiltersKey } from '../../renderer/inspector/start-filters-store';

const document = newProject(convnet(), { dataset: { kind: 'mnist' } });

const answer = (value: number): StartFiltersPreview => ({
  tensor: { nodeId: 'conv1', name: 'conv1.weight', shape: [1, 1, 1, 2], data: encodeFloat32(Float32Array.of(value, -value)) },
  images: 100,
});

/** An api whose `previewStartFilters` answers when the test says. */
const handApi = () => {
  const waiting: { resolve: (value: StartFiltersPreview) => void; reject: (error: unknown) => void }[] = [];
  const overrides: unknown[] = [];
  const api = {
    previewStartFilters: (_document: unknown, _nodeId: string, asked: unknown) => {
      overrides.push(asked);
      return new Promise<StartFiltersPreview>((resolve, reject) => waiting.push({ resolve, reject }));
    },
  } as unknown as StudioApi;
  return { api, waiting, overrides };
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
    const { api, waiting, overrides } = handApi();

    const first = store.compute(api, document, 'conv1', null);
    expect(store.answerFor(key)).toMatchObject({ computing: true, weight: null });
    const second = store.compute(api, document, 'conv1', null);
    waiting[0].resolve(answer(1));
    await first;
    expect(store.getState().computing).toBe(true);
    waiting[1].resolve(answer(2));
    await second;
    expect(store.answerFor(key)).toMatchObject({ computing: false, images: 100, shape: [1, 1, 1, 2] });
    expect([...store.getState().weight!]).toEqual([2, -2]);
    expect(store.answerFor(startFiltersKey(document, 'conv2', null))).toBeNull();

    const cancelled = store.compute(api, document, 'conv1', null);
    store.cancel();
    waiting[2].resolve(answer(3));
    await cancelled;
    expect(store.getState()).toMatchObject({ key: null, computing: false, weight: null });

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
  });
});
