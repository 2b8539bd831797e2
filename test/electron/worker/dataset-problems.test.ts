// Dataset problems reach the host: a real worker process trains on an image folder holding a
// corrupt PNG, a text file and a class folder with no images, and the job's events carry each
// problem with its path before training starts. The message is checked on arrival like every other.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTemplate } from '../../../engine/graph/templates';
import { JobManager, type JobEvent } from '../../../electron/services/jobs/job-manager';
import { ForkWorkerHost } from '../../../electron/services/jobs/worker-host';
import { toStudioEvent } from '../../../electron/host/server/training-jobs';
import { MAX_FORWARDED_PROBLEMS, ProtocolError, validateWorkerMessage } from '../../../electron/worker/protocol';
import { pngBytes, temporaryFolder, writeFile } from '../services/datasets/helpers';

const { folder, remove } = temporaryFolder('problems');
afterAll(remove);

/** cats and dogs with a few 28×28 grey images each, plus three things the dataset must skip. */
const makeImageFolder = (): { root: string; corrupt: string; text: string; empty: string } => {
  const root = join(folder, 'pets');
  for (let i = 0; i < 6; i++) {
    writeFile(
      join(root, 'cats', `cat-${i}.png`),
      pngBytes(28, 28, (r, c) => [(r * 9 + i) % 256, c * 9, 0], { grey: true }),
    );
    writeFile(
      join(root, 'dogs', `dog-${i}.png`),
      pngBytes(28, 28, (r, c) => [255 - ((c * 9 + i) % 256), r, 0], { grey: true }),
    );
  }
  const good = pngBytes(28, 28, () => [128, 128, 128], { grey: true });
  const corrupt = writeFile(join(root, 'cats', 'broken.png'), good.subarray(0, 40));
  const text = writeFile(join(root, 'dogs', 'notes.txt'), 'dogs are good\n');
  const empty = join(root, 'birds');
  mkdirSync(empty);
  return { root, corrupt, text, empty };
};

describe('dataset problems from a training worker', () => {
  it('arrive with their paths before training starts, and the run goes on without them', async () => {
    const { corrupt, text, empty } = makeImageFolder();
    const manager = new JobManager(new ForkWorkerHost(), { maxConcurrent: 1 });
    const job = manager.submit({
      graph: findTemplate('lenet5')!.build(),
      dataset: { kind: 'folder', path: 'pets', size: 28, channels: 1 },
      baseFolder: folder,
      split: { validation: 0.25, test: 0, seed: 1 },
      training: { epochs: 1, batchSize: 4, learningRate: 0.001, optimizer: { kind: 'adam' }, seed: 1 },
      backend: 'cpu',
    });
    const events: JobEvent[] = [];
    job.subscribe((event) => events.push(event));
    await job.whenEnded();
    expect(job.failure).toBeNull();
    expect(job.state).toBe('completed');

    const reports = events.filter((event) => event.type === 'dataset-problems');
    expect(reports).toHaveLength(1);
    const report = reports[0] as Extract<JobEvent, { type: 'dataset-problems' }>;
    expect(report.total).toBe(3);
    const byPath = new Map(report.problems.map((problem) => [problem.path, problem.reason]));
    expect([...byPath.keys()].sort()).toEqual([empty, corrupt, text].sort());
    expect(byPath.get(text)).toMatch(/not a PNG or JPEG file \(\.txt\)/);
    expect(byPath.get(empty)).toMatch(/class folder has no usable PNG or JPEG images/);
    expect(byPath.get(corrupt)).toBeTruthy();
    // Before 'started': the person hears about the data before the first step.
    expect(events.findIndex((event) => event.type === 'dataset-problems')).toBeLessThan(
      events.findIndex((event) => event.type === 'started'),
    );
    const started = events.find((event) => event.type === 'started') as Extract<JobEvent, { type: 'started' }>;
    expect(started.trainSamples + started.validationSamples).toBe(12);

    // The renderer's event carries them as they are.
    expect(toStudioEvent(report)).toEqual({ type: 'dataset-problems', problems: report.problems, total: 3 });
  }, 120_000);

  it('checks the message on arrival: paths and reasons, a capped list and a total that counts it', () => {
    const problems = [{ path: '/data/cats/x.png', reason: 'corrupt', line: 3 }];
    expect(validateWorkerMessage({ type: 'dataset-problems', problems, total: 40 })).toBeTruthy();
    const bad = (message: Record<string, unknown>) => () => validateWorkerMessage({ type: 'dataset-problems', ...message });
    expect(bad({ problems: [{ path: 3, reason: 'x' }], total: 1 })).toThrow(ProtocolError);
    expect(bad({ problems: [{ path: '/a', reason: 'x', line: 0 }], total: 1 })).toThrow(/line from 1/);
    expect(bad({ problems, total: 0 })).toThrow(/total must count/);
    const many = Array.from({ length: MAX_FORWARDED_PROBLEMS + 1 }, (_, i) => ({ path: `/f${i}`, reason: 'x' }));
    expect(bad({ problems: many, total: many.length })).toThrow(/at most 200/);
  });
});
