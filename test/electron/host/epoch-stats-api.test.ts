// `epoch-stats` events over the Node host's socket: one per epoch of a real LeNet-5 run, with the
// statistics as the worker sent them and conv1's snapshot as base64 float32, replayed to a late
// watcher.
import { describe, expect, it } from 'vitest';
import type { JobInfo, OpenedProject, StudioJobEvent } from '../../../electron/api';
import { compactEpochStats } from '../../../engine/project/run-stats';
import { decodeFloat32 } from '../../../engine/viz/encoding';
import { RpcClient, useHostClient } from './server-harness';

const host = useHostClient();

const waitFor = async (events: () => StudioJobEvent[], match: (event: StudioJobEvent) => boolean, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!events().some(match)) {
    if (Date.now() > deadline) throw new Error(`no such event in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

type StatsEvent = Extract<StudioJobEvent, { type: 'epoch-stats' }>;

describe('epoch-stats events', () => {
  it('come once per epoch with conv1’s filters and activation, and again to a late watcher', async () => {
    const opened = await host.client.call<OpenedProject>('newProject', 'lenet5');
    const job = await host.client.call<JobInfo>('startTraining', opened.document, { epochs: 2, batchSize: 16, limit: 96 });
    await host.client.call('watchJob', job.jobId);
    const events = () => host.client.events.get(job.jobId) ?? [];
    await waitFor(events, (event) => event.type === 'finished');
    const stats = events().filter((event): event is StatsEvent => event.type === 'epoch-stats');
    expect(stats.map((event) => event.stats.epoch)).toEqual([1, 2]);
    for (const event of stats) {
      expect(event.stats.layers.map((layer) => layer.nodeId)).toEqual(['conv1', 'conv2', 'fc1', 'fc2', 'fc3']);
      // the probe batch is no larger than a training batch
      expect(event.stats.relus[0].probeSamples).toBe(16);
      expect(event.snapshot!.filters).toMatchObject({ nodeId: 'conv1', name: 'conv1.weight', shape: [6, 1, 5, 5] });
      expect(event.snapshot!.activation).toMatchObject({ nodeId: 'conv1', name: 'conv1', shape: [6, 28, 28] });
      expect(decodeFloat32(event.snapshot!.activation.data)).toHaveLength(6 * 28 * 28);
    }
    // The run record the host adds to the project keeps them, compacted, without the snapshots.
    const finished = events().find((event) => event.type === 'finished') as Extract<StudioJobEvent, { type: 'finished' }>;
    expect(finished.run?.epochStats).toEqual(stats.map((event) => compactEpochStats(event.stats)));
    const [one, two] = stats.map((event) => decodeFloat32(event.snapshot!.filters.data));
    expect(one).toHaveLength(150);
    expect(one).not.toEqual(two);

    const late = await RpcClient.connect(host.harness.server.port);
    try {
      await late.call('watchJob', job.jobId);
      const replayed = () => late.events.get(job.jobId) ?? [];
      await waitFor(replayed, (event) => event.type === 'finished');
      expect(replayed().filter((event) => event.type === 'epoch-stats')).toEqual(stats);
    } finally {
      late.close();
    }
  }, 120_000);
});
