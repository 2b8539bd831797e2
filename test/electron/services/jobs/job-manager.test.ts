// Training jobs in real worker processes (child_process.fork), on real MNIST samples.
import { describe, expect, it } from 'vitest';
import { findTemplate } from '../../../../engine/graph/templates';
import type { Job } from '../../../../electron/services/jobs/job-manager';
import { JobManager, MemoryRefusedError, type JobEvent, type JobRequest } from '../../../../electron/services/jobs/job-manager';
import { ForkWorkerHost } from '../../../../electron/services/jobs/worker-host';

const request = (overrides: Partial<JobRequest['training']> = {}, limit = 1024): JobRequest => ({
  graph: findTemplate('lenet5')!.build(),
  dataset: { kind: 'mnist' },
  baseFolder: process.cwd(),
  limit,
  training: { epochs: 2, batchSize: 32, learningRate: 0.003, optimizer: { kind: 'adam' }, seed: 3, ...overrides },
  backend: 'cpu',
  progressIntervalMs: 20,
});

const host = new ForkWorkerHost();

const record = (job: Job): JobEvent[] => {
  const events: JobEvent[] = [];
  job.subscribe((event) => events.push(event));
  return events;
};

const nextEvent = (job: Job, type: JobEvent['type']): Promise<JobEvent> =>
  new Promise((resolve) => {
    const stop = job.subscribe((event) => {
      if (event.type === type) {
        stop();
        resolve(event);
      }
    });
  });

describe('training jobs in worker processes', () => {
  it('trains LeNet-5 on 1,024 MNIST digits to over 80% validation accuracy, reporting progress', async () => {
    const manager = new JobManager(host, { maxConcurrent: 1 });
    const job = manager.submit(request({ epochs: 3 }));
    const events = record(job);
    await job.whenEnded();
    expect(job.state).toBe('completed');
    const progress = events.filter((event) => event.type === 'progress');
    expect(progress.length).toBeGreaterThan(3);
    expect(events.some((event) => event.type === 'started')).toBe(true);
    expect(job.epochs.map((epoch) => epoch.epoch)).toEqual([1, 2, 3]);
    expect(job.epochs[2].validationAccuracy).toBeGreaterThan(0.8);
    expect(job.finalWeights!.map(([name]) => name)).toContain('conv1.weight');
  });

  it('reports a killed worker as failed, and resumes from its last checkpoint', async () => {
    const manager = new JobManager(host, { maxConcurrent: 1 });
    const job = manager.submit(request({ epochs: 3 }));
    await nextEvent(job, 'checkpoint');
    job.worker!.kill();
    await job.whenEnded();
    expect(job.state).toBe('failed');
    expect(job.failure).toEqual({ kind: 'killed', reason: 'the worker was killed' });
    expect(job.lastCheckpoint!.epoch).toBeGreaterThanOrEqual(1);

    const resumed = manager.submit(job.resumeRequest());
    await resumed.whenEnded();
    expect(resumed.state).toBe('completed');
    expect(resumed.epochs[0].epoch).toBe(job.lastCheckpoint!.epoch + 1);
    expect(resumed.epochs.at(-1)!.epoch).toBe(3);
  });

  it('pauses and resumes', async () => {
    const manager = new JobManager(host, { maxConcurrent: 1 });
    const job = manager.submit(request({ epochs: 1 }, 2048));
    await nextEvent(job, 'progress');
    job.pause();
    await new Promise<void>((resolve) => job.subscribe((event) => event.type === 'state' && event.state === 'paused' && resolve()));
    const events = record(job);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(events.filter((event) => event.type === 'progress')).toEqual([]);
    job.resume();
    await job.whenEnded();
    expect(job.state).toBe('completed');
    expect(events.some((event) => event.type === 'progress')).toBe(true);
  });

  it('queues jobs beyond the limit and runs them one after another', async () => {
    const manager = new JobManager(host, { maxConcurrent: 1 });
    const first = manager.submit(request({ epochs: 1 }, 256));
    const second = manager.submit(request({ epochs: 1 }, 256));
    expect([first.state, second.state]).toEqual(['running', 'queued']);
    const order: string[] = [];
    first.subscribe((event) => event.type === 'state' && order.push(`first ${event.state}`));
    second.subscribe((event) => event.type === 'state' && order.push(`second ${event.state}`));
    await Promise.all([first.whenEnded(), second.whenEnded()]);
    expect(order).toEqual(['first completed', 'second running', 'second completed']);
  });

  it('stops a diverging run with the step and advice', async () => {
    const manager = new JobManager(host, { maxConcurrent: 2 });
    const job = manager.submit(request({ learningRate: 1e7, optimizer: { kind: 'sgd', momentum: 0.9 } }));
    await job.whenEnded();
    expect(job.state).toBe('failed');
    expect(job.failure!.kind).toBe('diverged');
    expect(job.failure!.reason).toMatch(/^loss diverged at step \d+ .*lower the learning rate/);
  });

  it('refuses a run that would not fit in memory, with the figure', () => {
    const manager = new JobManager(host, { maxConcurrent: 1, memoryLimitBytes: 64 * 2 ** 20 });
    const big = { ...request({ batchSize: 4096 }), graph: findTemplate('convnet')!.build() };
    expect(() => manager.submit(big)).toThrow(MemoryRefusedError);
    expect(() => manager.submit(big)).toThrow(/needs about \d+ MiB of memory but at most 64 MiB/);
    expect(manager.jobs).toHaveLength(0);
  });

  it('fails a job whose data cannot be opened, saying why', async () => {
    const manager = new JobManager(host, { maxConcurrent: 1 });
    const job = manager.submit({ ...request(), dataset: { kind: 'folder', path: 'no/such/folder', size: 28, channels: 1 } });
    await job.whenEnded();
    expect(job.state).toBe('failed');
    expect(job.failure!.kind).toBe('data');
  });
});
