// `trainedNetwork` over the Node host's socket: null before training and for a graph the
// weights no longer fit; after a run, the weights it kept (the same values `requestVisual`
// answers with), MNIST's class names, and the normalisation measured on its training split when
// the project normalises.
import { describe, expect, it } from 'vitest';
import type { JobInfo, OpenedProject, StudioJobEvent, TrainedNetwork, VisualReply } from '../../../electron/api';
import type { ProjectDocument } from '../../../engine/project/schema';
import { decodeFloat32 } from '../../../engine/viz/encoding';
import { useHostClient } from './server-harness';

const host = useHostClient();

const finished = async (jobId: string, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(host.client.events.get(jobId) ?? []).some((event: StudioJobEvent) => event.type === 'finished')) {
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not finish in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('trainedNetwork', () => {
  it('answers null, then the weights a run kept with the class names and normalisation', async () => {
    const opened = await host.client.call<OpenedProject>('newProject', 'lenet5');
    expect(await host.client.call('trainedNetwork', opened.document)).toBeNull();

    const job = await host.client.call<JobInfo>('startTraining', opened.document, { epochs: 1, batchSize: 16, limit: 64 });
    await host.client.call('watchJob', job.jobId);
    await finished(job.jobId);

    const network = await host.client.call<TrainedNetwork>('trainedNetwork', opened.document);
    expect(network.tensors.map(({ nodeId, name, shape }) => ({ nodeId, name, shape })).slice(0, 2)).toEqual([
      { nodeId: 'conv1', name: 'conv1.weight', shape: [6, 1, 5, 5] },
      { nodeId: 'conv1', name: 'conv1.bias', shape: [6] },
    ]);
    const filters = await host.client.call<VisualReply>('requestVisual', job.jobId, { kind: 'filters', nodeId: 'conv1' });
    expect(decodeFloat32(network.tensors[0].data)).toEqual(decodeFloat32(filters.tensors[0].data));
    expect(network.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(network.normalisation).toBeNull();

    // the project normalises: MNIST's training split's mean and standard deviation
    const normalising: ProjectDocument = { ...opened.document, preprocess: { normalise: true } };
    const measured = await host.client.call<TrainedNetwork>('trainedNetwork', normalising);
    expect(measured.normalisation!.mean[0]).toBeCloseTo(0.1307, 3);
    expect(measured.normalisation!.std[0]).toBeCloseTo(0.3081, 3);

    // a dataset that cannot be opened: no class names, and an error only when it must be measured
    const gone = { ...opened.document, dataset: { kind: 'folder', path: 'no-such-folder', size: 28, channels: 1 } };
    const unmeasured = await host.client.call<TrainedNetwork>('trainedNetwork', gone);
    expect(unmeasured.tensors).toHaveLength(10);
    expect(unmeasured.classes).toBeUndefined();
    await expect(host.client.call('trainedNetwork', { ...gone, preprocess: { normalise: true } })).rejects.toMatchObject({
      name: 'DatasetError',
      message: expect.stringContaining('no-such-folder'),
    });

    // a graph the weights no longer fit
    const graph = opened.document.graph;
    const wider = {
      ...opened.document,
      graph: {
        ...graph,
        nodes: graph.nodes.map((node) => (node.id === 'conv1' ? { ...node, params: { ...node.params, filters: 8 } } : node)),
      },
    };
    expect(await host.client.call('trainedNetwork', wider)).toBeNull();
  }, 90_000);

  it('refuses what is not a document, saying so', async () => {
    await expect(host.client.call('trainedNetwork', 'lenet5')).rejects.toMatchObject({
      message: expect.stringContaining('project document'),
    });
    await expect(host.client.call('trainedNetwork', { name: 'x' })).rejects.toMatchObject({ name: 'ProjectError' });
  });
});
