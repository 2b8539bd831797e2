// `previewStartFilters` over the Node host's socket with the real services: a convolution that
// starts from k-means gets its filters learnt from the project's training images before any run
// (seeded: the same seed, the same filters; another seed, others), and what cannot be previewed
// says why.
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, OpenedProject, StartFiltersPreview, StudioJobEvent, VisualReply } from '../../../electron/api';
import type { ProjectDocument } from '../../../engine/project/schema';
import { previewFilters } from '../../../engine/train/filter-preview';
import { decodeFloat32 } from '../../../engine/viz/encoding';
import { useHostClient } from './server-harness';

const host = useHostClient();
let convnet: ProjectDocument;

beforeAll(async () => {
  convnet = (await host.client.call<OpenedProject>('newProject', 'convnet')).document;
});

const withKmeans = (document: ProjectDocument, nodeId: string): ProjectDocument => ({
  ...document,
  training: { ...document.training, filters: { [nodeId]: { start: { kind: 'kmeans' } } } },
});

const preview = (document: ProjectDocument, nodeId: string, overrides: object) =>
  host.client.call<StartFiltersPreview>('previewStartFilters', document, nodeId, overrides);

describe('previewing the filters a run starts from', () => {
  it('learns a first layer’s filters by k-means on the training images, as the seed says', async () => {
    const document = withKmeans(convnet, 'conv1');
    const answer = await preview(document, 'conv1', { limit: 600 });
    expect(answer.images).toBe(600);
    expect(answer.tensor).toMatchObject({ nodeId: 'conv1', name: 'conv1.weight', shape: [32, 1, 3, 3] });
    const weights = decodeFloat32(answer.tensor.data);
    expect(weights).toHaveLength(32 * 9);
    // k-means filters have zero mean and norm √2 each (init-kmeans.ts), which random draws do not
    for (let f = 0; f < 32; f++) {
      const filter = weights.subarray(f * 9, (f + 1) * 9);
      expect(filter.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 4);
      expect(Math.hypot(...filter)).toBeCloseTo(Math.SQRT2, 4);
    }
    // not the random draw the page shows without the images
    const random = previewFilters(document.graph, document.training, 'conv1');
    if (!random.ok) throw new Error(random.problem);
    expect(random.preview.awaitsData).toBe(true);
    expect([...weights]).not.toEqual([...random.preview.weight]);

    // seeded: the same again, another seed another set
    expect((await preview(document, 'conv1', { limit: 600 })).tensor.data).toBe(answer.tensor.data);
    expect((await preview(document, 'conv1', { limit: 600, seed: 12345 })).tensor.data).not.toBe(answer.tensor.data);
  });

  it('shows exactly the filters a run starts from (a run whose filters are all frozen keeps them)', async () => {
    const frozen: ProjectDocument = {
      ...convnet,
      training: {
        ...convnet.training,
        filters: { conv1: { start: { kind: 'kmeans' }, filters: Array.from({ length: 32 }, (_, filter) => ({ filter, frozen: true })) } },
      },
    };
    const shown = await preview(frozen, 'conv1', { limit: 96 });
    const job = await host.client.call<JobInfo>('startTraining', frozen, { epochs: 1, batchSize: 16, limit: 96 });
    await host.client.call('watchJob', job.jobId);
    const deadline = Date.now() + 120_000;
    const ended = () => (host.client.events.get(job.jobId) ?? []).find((event: StudioJobEvent) => event.type === 'finished');
    while (!ended() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ended()).toMatchObject({ type: 'finished', state: 'completed' });
    const trained = await host.client.call<VisualReply>('requestVisual', job.jobId, { kind: 'filters', nodeId: 'conv1' });
    expect(trained.globalStep).toBeGreaterThan(0);
    expect(trained.tensors[0].data).toBe(shown.tensor.data);
  }, 180_000);

  it('keeps presets on top of the k-means filters', async () => {
    const document = withKmeans(convnet, 'conv1');
    const sobel = {
      ...document,
      training: {
        ...document.training,
        filters: { conv1: { start: { kind: 'kmeans' as const }, filters: [{ filter: 0, preset: { kind: 'sobel-x' as const } }] } },
      },
    };
    const weights = decodeFloat32((await preview(sobel, 'conv1', { limit: 600 })).tensor.data);
    expect([...weights.subarray(0, 9)]).toEqual([-1, 0, 1, -2, 0, 2, -1, 0, 1]);
    const plain = decodeFloat32((await preview(document, 'conv1', { limit: 600 })).tensor.data);
    expect([...weights.subarray(9)]).toEqual([...plain.subarray(9)]);
  });

  it('says why a layer cannot take k-means filters, and when the dataset cannot be opened', async () => {
    await expect(preview(withKmeans(convnet, 'conv2'), 'conv2', {})).rejects.toMatchObject({
      name: 'TrainingError',
      message: expect.stringContaining("'conv2' reads"),
    });
    await expect(preview(convnet, 'relu1', {})).rejects.toMatchObject({
      name: 'TrainingError',
      message: expect.stringContaining("'relu1' is not a Conv2D layer"),
    });
    const missing = { ...convnet, dataset: { kind: 'folder' as const, path: 'no-such-folder', size: 28, channels: 1 as const } };
    await expect(preview(missing, 'conv1', {})).rejects.toMatchObject({
      name: 'DatasetError',
      message: expect.stringContaining('no-such-folder'),
    });
    await expect(host.client.call('previewStartFilters', convnet, '', {})).rejects.toMatchObject({ name: 'RequestError' });
  });
});
