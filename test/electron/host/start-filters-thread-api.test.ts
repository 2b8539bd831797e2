// `previewStartFilters` off the host's thread, over the real `serve` socket with the real
// services and the real thread program: while a large layer's k-means runs, the host answers
// other calls; its progress arrives in order and ends at 1 before the answer; `cancelStartFilters`
// and a newer preview of the same layer stop it (a CancelledError, and no progress nor answer
// after). That the filters are those a run starts from is start-filters-api.test.ts's frozen run.
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetPreview, OpenedProject, RecentProject, StartFiltersPreview, StartFiltersProgress } from '../../../electron/api';
import type { ProjectDocument } from '../../../engine/project/schema';
import { useHostClient } from './server-harness';

const host = useHostClient();
let convnet: ProjectDocument;

beforeAll(async () => {
  convnet = (await host.client.call<OpenedProject>('newProject', 'convnet')).document;
});

/** conv1 with `filters` 5×5 filters, starting from k-means on MNIST's training images. */
const largeLayer = (filters: number): ProjectDocument => ({
  ...convnet,
  graph: {
    ...convnet.graph,
    nodes: convnet.graph.nodes.map((node) => (node.id === 'conv1' ? { ...node, params: { ...node.params, filters, kernel: 5 } } : node)),
  },
  training: { ...convnet.training, filters: { conv1: { start: { kind: 'kmeans' } } } },
});

/** Settles to the order in which the promises settled. */
const settleOrder = async (promises: Record<string, Promise<unknown>>): Promise<string[]> => {
  const order: string[] = [];
  await Promise.allSettled(Object.entries(promises).map(([name, promise]) => promise.finally(() => order.push(name))));
  return order;
};

const progressOf = (id: number): StartFiltersProgress[] => host.client.progress.get(id) ?? [];

const waitFor = async (condition: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('previewing start filters in a thread of the host', () => {
  it('answers other calls while k-means runs, and reports progress in order up to 1 before the answer', async () => {
    // the slow case: 512 filters of 5×5 on all 60,000 training images
    const preview = host.client.request<StartFiltersPreview>('previewStartFilters', largeLayer(512), 'conv1', {});
    let progressAtAnswer = -1;
    const answered = preview.answer.then((answer) => {
      progressAtAnswer = progressOf(preview.id).length;
      return answer;
    });
    // k-means has begun: the host is busy with the layer now
    await waitFor(() => progressOf(preview.id).some((step) => step.stage === 'kmeans'), 'k-means to begin');
    const order = await settleOrder({
      preview: answered,
      recent: host.client.call<RecentProject[]>('recentProjects'),
      dataset: host.client.call<DatasetPreview>('previewDataset', { dataset: { kind: 'mnist' }, count: 4 }),
    });
    expect(order.at(-1)).toBe('preview');

    const answer = await answered;
    expect(answer.tensor.shape).toEqual([512, 1, 5, 5]);
    expect(answer.images).toBe(60_000);
    const steps = progressOf(preview.id);
    expect(progressAtAnswer).toBe(steps.length);
    expect(steps[0]).toEqual({ stage: 'dataset', fraction: 0 });
    expect(steps.at(-1)).toEqual({ stage: 'kmeans', fraction: 1 });
    // k-means's iterations each report: many steps, never backwards, the dataset stage first
    expect(steps.length).toBeGreaterThan(10);
    for (let i = 1; i < steps.length; i++) {
      expect(steps[i].fraction).toBeGreaterThan(steps[i - 1].fraction);
      if (steps[i - 1].stage === 'kmeans') expect(steps[i].stage).toBe('kmeans');
    }
  }, 120_000);

  it('stops when cancelled: the call rejects, and neither progress nor an answer comes after', async () => {
    const preview = host.client.request<StartFiltersPreview>('previewStartFilters', largeLayer(256), 'conv1', {});
    const outcome = preview.answer.then(
      () => 'answered',
      (error: { name: string; message: string }) => error,
    );
    await waitFor(() => progressOf(preview.id).some((step) => step.stage === 'kmeans'), 'k-means to begin');
    // resolves once the thread is gone
    await host.client.call('cancelStartFilters', 'conv1');
    expect(await outcome).toMatchObject({ name: 'CancelledError', message: "the preview of 'conv1' was cancelled" });
    const stepsAtCancel = progressOf(preview.id).length;
    expect(progressOf(preview.id).at(-1)!.fraction).toBeLessThan(1);

    // a whole preview later, the cancelled one has sent nothing more
    await host.client.call('previewStartFilters', largeLayer(16), 'conv1', { limit: 100 });
    expect(progressOf(preview.id)).toHaveLength(stepsAtCancel);
    // nothing to cancel is not an error
    await expect(host.client.call('cancelStartFilters', 'conv1')).resolves.toBeNull();
  }, 120_000);

  it('stops a preview when a newer one of the same layer comes, and answers the newer one', async () => {
    const document = largeLayer(128);
    const first = host.client.request<StartFiltersPreview>('previewStartFilters', document, 'conv1', {});
    const firstOutcome = first.answer.catch((error: { name: string; message: string }) => error);
    await waitFor(() => progressOf(first.id).length > 0, 'the first preview to begin');
    const second = host.client.request<StartFiltersPreview>('previewStartFilters', document, 'conv1', { limit: 600 });
    expect(await firstOutcome).toMatchObject({ name: 'CancelledError', message: "a newer preview of 'conv1' replaced this one" });
    expect((await second.answer).images).toBe(600);
    expect(progressOf(second.id).at(-1)).toEqual({ stage: 'kmeans', fraction: 1 });
  }, 120_000);

  it('still says why a preview fails, from its thread', async () => {
    await expect(host.client.call('previewStartFilters', largeLayer(16), 'relu1', {})).rejects.toMatchObject({
      name: 'TrainingError',
      message: expect.stringContaining("'relu1' is not a Conv2D layer"),
    });
    await expect(host.client.call('cancelStartFilters')).rejects.toMatchObject({ name: 'RequestError' });
  });
});
