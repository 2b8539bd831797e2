// A worker that really runs out of memory: real worker processes with a 48 MiB heap (the job
// manager's workerMemoryMb), one job on an 11 MB CSV file, whose parsed rows need several times
// that. The memory estimate counts the model, not the data, so it lets the job through (checked
// below with the limit the hosts use); the worker dies of V8's heap limit, and the job fails as
// out of memory with the advice for data, while another job in its own worker, and one started
// afterwards, complete.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../../../engine/graph/analyze';
import { findTemplate } from '../../../../engine/graph/templates';
import { estimateTrainingMemory } from '../../../../engine/train/memory';
import { memoryLimitBytes } from '../../../../electron/host/server/start-run';
import { JobManager, MemoryRefusedError, type JobRequest } from '../../../../electron/services/jobs/job-manager';
import { ForkWorkerHost } from '../../../../electron/services/jobs/worker-host';
import { temporaryFolder } from '../datasets/helpers';

const WORKER_HEAP_MB = 48;
const { folder, remove } = temporaryFolder('oom');
afterAll(remove);

const training = { epochs: 1, batchSize: 8, learningRate: 0.01, optimizer: { kind: 'sgd' as const }, seed: 1 };

/** 7,000 rows of a label and 784 pixels: 11 MB of text, far more once split into fields. */
const bigCsv = (): string => {
  const path = join(folder, 'big.csv');
  const row = ['3', ...Array.from({ length: 784 }, (_, i) => String(i % 256))].join(',') + '\n';
  writeFileSync(path, row.repeat(7000));
  return path;
};

const small = (): JobRequest => ({
  graph: findTemplate('lenet5')!.build(),
  dataset: { kind: 'shapes', task: 'classify', size: 28, channels: 1, samples: 64 },
  baseFolder: folder,
  limit: 32,
  training,
  backend: 'cpu',
});

describe('a worker that runs out of memory', () => {
  it('fails its job as out of memory with what to do, and the other jobs and the manager go on', async () => {
    const graph = findTemplate('lenet5')!.build();
    const estimate = estimateTrainingMemory(analyzeGraph(graph), training.batchSize, training.optimizer);
    expect(estimate.totalBytes).toBeLessThan(WORKER_HEAP_MB * 2 ** 20);
    const manager = new JobManager(new ForkWorkerHost(), {
      maxConcurrent: 2,
      memoryLimitBytes: memoryLimitBytes(),
      workerMemoryMb: WORKER_HEAP_MB,
    });
    const hungry = manager.submit({
      graph,
      dataset: { kind: 'csv', path: bigCsv() },
      baseFolder: folder,
      limit: 16,
      training,
      backend: 'cpu',
    });
    const neighbour = manager.submit(small());
    await hungry.whenEnded();
    expect(hungry.state).toBe('failed');
    expect(hungry.trainingStarted).toBe(false);
    expect(hungry.failure).toEqual({
      kind: 'oom',
      reason: expect.stringMatching(
        /^the worker ran out of memory before training started, opening the dataset or building the model; train on fewer samples \(limit\), a smaller dataset or a smaller model: .*heap (limit|out of memory)/,
      ),
    });
    await neighbour.whenEnded();
    expect(neighbour.state).toBe('completed');
    expect(neighbour.finalWeights!.length).toBeGreaterThan(0);
    const after = manager.submit(small());
    await after.whenEnded();
    expect(after.state).toBe('completed');
  }, 120_000);

  it('refuses before any worker starts a run whose model the estimate says would not fit', () => {
    const manager = new JobManager(new ForkWorkerHost(), { maxConcurrent: 1, memoryLimitBytes: WORKER_HEAP_MB * 2 ** 20 });
    const huge = { ...small(), graph: findTemplate('convnet')!.build(), training: { ...training, batchSize: 4096 } };
    expect(() => manager.submit(huge)).toThrow(MemoryRefusedError);
    expect(manager.jobs).toEqual([]);
  });
});
