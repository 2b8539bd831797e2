// `requestVisual` over the Node host's socket: live answers from a paused run's worker, the same
// numbers from the host once the run has ended (its final weights, as saved), base64 tensors,
// and the refusals, each as {name, message}.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobInfo, OpenedProject, StudioJobEvent, VisualReply } from '../../../electron/api';
import { ProjectStore } from '../../../electron/services/project/store';
import { decodeBase64, decodeFloat32 } from '../../../engine/viz/encoding';
import { useHostClient } from './server-harness';

const host = useHostClient();

const waitFor = async (jobId: string, match: (event: StudioJobEvent) => boolean, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(host.client.events.get(jobId) ?? []).some(match)) {
    if (Date.now() > deadline) throw new Error(`job ${jobId}: no such event in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const values = (reply: VisualReply, index = 0) => decodeFloat32(reply.tensors[index].data);

describe('requestVisual', () => {
  it('answers live while a run is paused, and from its final weights once it has ended', async () => {
    const opened = await host.client.call<OpenedProject>('newProject', 'lenet5');
    const job = await host.client.call<JobInfo>('startTraining', opened.document, { epochs: 2, batchSize: 16, limit: 480 });
    await host.client.call('watchJob', job.jobId);
    await waitFor(job.jobId, (event) => event.type === 'progress');
    await host.client.call('pauseTraining', job.jobId);
    await waitFor(job.jobId, (event) => event.type === 'state' && event.state === 'paused');

    const live = await host.client.call<VisualReply>('requestVisual', job.jobId, { kind: 'filters', nodeId: 'conv1' });
    expect(live).toMatchObject({ kind: 'filters', source: 'live' });
    expect(live.globalStep).toBeGreaterThan(0);
    expect(live.globalStep).toBeLessThan(60);
    expect(live.tensors.map(({ nodeId, name, shape }) => ({ nodeId, name, shape }))).toEqual([
      { nodeId: 'conv1', name: 'conv1.weight', shape: [6, 1, 5, 5] },
    ]);
    expect(values(live)).toHaveLength(150);
    const maps = await host.client.call<VisualReply>('requestVisual', job.jobId, { kind: 'activations', sample: 4 });
    expect(maps.tensors.map((t) => t.nodeId)).toEqual(['conv1', 'relu1', 'pool1', 'conv2', 'relu2', 'pool2']);
    expect(maps.sample).toMatchObject({
      index: 4,
      subset: 'validation',
      count: 80,
      input: { shape: [1, 28, 28] },
      output: { shape: [10] },
    });
    expect(decodeFloat32(maps.sample!.input.data)).toHaveLength(784);
    expect(values(maps, 1)).toEqual(values(maps, 0).map((v) => Math.max(v, 0)));

    await host.client.call('resumeTraining', job.jobId);
    await host.client.finished(job.jobId);
    const final = await host.client.call<VisualReply>('requestVisual', job.jobId, { kind: 'filters', nodeId: 'conv1' });
    expect(final).toMatchObject({ source: 'final', epoch: 2, globalStep: 60 });
    expect(values(final)).not.toEqual(values(live));
    // The final filters are the weights the run left to the project.
    const path = join(host.harness.folder, 'visual.cnnproj');
    await host.client.call('saveProject', path, opened.document);
    const saved = await new ProjectStore().open(path);
    if (!saved.ok) throw new Error(saved.error.message);
    expect(values(final)).toEqual(Float32Array.from(saved.tensors.current!.find((t) => t.name === 'conv1.weight')!.data));

    const after = await host.client.call<VisualReply>('requestVisual', job.jobId, { kind: 'activations', nodeId: 'relu2', sample: 79 });
    expect(after).toMatchObject({ source: 'final', sample: { index: 79, count: 80 } });
    expect(after.tensors.map((t) => [t.nodeId, t.shape])).toEqual([['relu2', [16, 10, 10]]]);
    expect(Math.min(...values(after))).toBeGreaterThanOrEqual(0);
    const train = await host.client.call<VisualReply>('requestVisual', job.jobId, { kind: 'activations', subset: 'train', sample: 479 });
    expect(train.sample).toMatchObject({ subset: 'train', index: 479, count: 480 });

    // analyses: maps as base64 bytes with their scale, and the sample they are about
    const salient = await host.client.call<VisualReply>('requestVisual', job.jobId, { kind: 'saliency', sample: 5, classIndex: 3 });
    expect(salient).toMatchObject({
      kind: 'saliency',
      source: 'final',
      sample: { index: 5 },
      analysis: { kind: 'saliency', classIndex: 3 },
    });
    if (salient.analysis?.kind !== 'saliency') throw new Error('no saliency');
    expect(salient.analysis.map.shape).toEqual([28, 28]);
    expect(decodeBase64(salient.analysis.map.data)).toHaveLength(784);
    expect(salient.analysis.map.scale).toBeGreaterThan(0);
    const confusion = await host.client.call<VisualReply>('requestVisual', job.jobId, { kind: 'confusion' });
    if (confusion.analysis?.kind !== 'confusion') throw new Error('no confusion');
    expect(confusion.analysis.samples).toBe(80);
    expect(confusion.analysis.counts.reduce((a, b) => a + b, 0)).toBe(80);
    expect(confusion.analysis.misclassified.length).toBeLessThanOrEqual(confusion.analysis.wrong);
    expect(confusion.analysis.misclassified.length > 0).toBe(confusion.analysis.wrong > 0);
    for (const wrong of confusion.analysis.misclassified) expect(decodeBase64(wrong.image.data)).toHaveLength(784);
  });

  it('refuses what it cannot show, saying why', async () => {
    const opened = await host.client.call<OpenedProject>('newProject', 'lenet5');
    const job = await host.client.call<JobInfo>('startTraining', opened.document, { epochs: 1, batchSize: 16, limit: 64 });
    await host.client.call('watchJob', job.jobId);
    await host.client.finished(job.jobId);
    const visual = (request: unknown, jobId = job.jobId) => host.client.call('requestVisual', jobId, request);
    await expect(visual({ kind: 'filters', nodeId: 'pool1' })).rejects.toEqual({
      name: 'VisualError',
      message: 'pool1 is a MaxPool2D layer: it has no filters; choose a convolution',
    });
    await expect(visual({ kind: 'activations', sample: 11 })).rejects.toEqual({
      name: 'VisualError',
      message: 'there is no sample 11: the validation set has 11 (0 to 10)',
    });
    await expect(visual({ kind: 'filters' })).rejects.toMatchObject({ name: 'RequestError', message: expect.stringContaining('nodeId') });
    await expect(visual({ kind: 'weights', nodeId: 'conv1' })).rejects.toMatchObject({ name: 'RequestError' });
    await expect(visual({ kind: 'activations', sample: -1 })).rejects.toMatchObject({ name: 'RequestError' });
    await expect(visual('conv1')).rejects.toMatchObject({ name: 'RequestError' });
    await expect(visual({ kind: 'top-patches', channel: 2 })).rejects.toMatchObject({
      name: 'RequestError',
      message: expect.stringContaining('a top-patches request needs the nodeId'),
    });
    await expect(visual({ kind: 'deconvnet', nodeId: 'relu1', channel: 9 })).rejects.toEqual({
      name: 'VisualError',
      message: 'relu1 has channels 0 to 5, not 9',
    });
    await expect(visual({ kind: 'filters', nodeId: 'conv1' }, 'job-999')).rejects.toMatchObject({ name: 'RequestError' });
  });
});
