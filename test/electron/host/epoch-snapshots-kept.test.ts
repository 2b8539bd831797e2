// The host keeps the snapshots of a job's last MAX_KEPT_SNAPSHOTS epochs for late watchers, and
// only the statistics of older ones: a real worker trains LeNet-5 for that many epochs and two more
// (one step each).
import { describe, expect, it } from 'vitest';
import type { StudioJobEvent } from '../../../electron/api';
import { MAX_KEPT_SNAPSHOTS, TrainingJobs } from '../../../electron/host/server/training-jobs';
import { JobManager } from '../../../electron/services/jobs/job-manager';
import { ForkWorkerHost } from '../../../electron/services/jobs/worker-host';
import { findTemplate } from '../../../engine/graph/templates';

describe('snapshots kept for late watchers', () => {
  it('drops the oldest epochs’ snapshots beyond MAX_KEPT_SNAPSHOTS, keeping their statistics', async () => {
    const epochs = MAX_KEPT_SNAPSHOTS + 2;
    const jobs = new TrainingJobs(new JobManager(new ForkWorkerHost(), { maxConcurrent: 1 }));
    const job = jobs.start(
      {
        graph: findTemplate('lenet5')!.build(),
        dataset: { kind: 'mnist' },
        baseFolder: process.cwd(),
        limit: 8,
        split: { validation: 0, test: 0, seed: 1 },
        training: { epochs, batchSize: 8, learningRate: 0.001, optimizer: { kind: 'sgd' }, seed: 2 },
        backend: 'cpu',
        progressIntervalMs: 1000,
      },
      () => ({ run: null, weightsKept: false }),
    );
    await job.whenEnded();
    expect(job.state).toBe('completed');
    const events: StudioJobEvent[] = [];
    jobs.watch(job.id, (event) => events.push(event));
    const stats = events.filter((event) => event.type === 'epoch-stats');
    expect(stats.map((event) => event.stats.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
    expect(stats.map((event) => event.snapshot !== undefined)).toEqual([false, false, ...new Array(MAX_KEPT_SNAPSHOTS).fill(true)]);
    expect(stats[0].stats.layers).toHaveLength(5);
  }, 240_000);
});
