// Filter settings reach a real training worker: a hand-set, frozen Sobel filter of conv1 comes back
// from a run exactly as it went in while every other filter changed, and settings the graph
// cannot take fail the run as an invalid graph, naming the layer.
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { findTemplate } from '../../../engine/graph/templates';
import type { ConvFilterInits } from '../../../engine/train/filter-init';
import { initialiseModelWeights } from '../../../engine/train/loop';
import { compileModel } from '../../../engine/train/plan';
import type { TrainingConfig } from '../../../engine/train/trainer';
import { JobManager } from '../../../electron/services/jobs/job-manager';
import { ForkWorkerHost } from '../../../electron/services/jobs/worker-host';

const manager = new JobManager(new ForkWorkerHost(), { maxConcurrent: 1 });

const SOBEL_X = [-1, 0, 1, -2, 0, 2, -1, 0, 1];

const run = async (filters: ConvFilterInits, seed = 5) => {
  const training: TrainingConfig = {
    epochs: 1,
    batchSize: 16,
    learningRate: 0.05,
    optimizer: { kind: 'sgd', momentum: 0.9 },
    seed,
    filters,
  };
  const job = manager.submit({
    graph: findTemplate('convnet')!.build(),
    dataset: { kind: 'mnist' },
    baseFolder: process.cwd(),
    limit: 64,
    training,
    backend: 'cpu',
  });
  await job.whenEnded();
  return job;
};

const weightsOf = (job: Awaited<ReturnType<typeof run>>, name: string): Float32Array => {
  const found = job.finalWeights?.find(([tensor]) => tensor === name);
  if (!found) throw new Error(`the run returned no ${name}; it ended ${job.state}: ${job.failure?.reason}`);
  return found[1];
};

const filter3 = (weight: Float32Array, index: number): number[] => [...weight.subarray(index * 9, index * 9 + 9)];

describe('filter settings in a training worker', () => {
  it('keep a frozen hand-set Sobel filter exactly while the others learn', async () => {
    const frozen = await run({ conv1: { filters: [{ filter: 0, preset: { kind: 'sobel-x' }, frozen: true }] } });
    expect(frozen.failure).toBeNull();
    const weight = weightsOf(frozen, 'conv1.weight');
    expect(filter3(weight, 0)).toEqual(SOBEL_X);
    expect(weightsOf(frozen, 'conv1.bias')[0]).toBe(0);

    // Filters 1–31 started as the run's seed draws them (the settings touch only filter 0), so the
    // same draw here is their start: most of them moved.
    const model = compileModel(findTemplate('convnet')!.build(), CPU_LAYERS);
    initialiseModelWeights(model, { epochs: 1, batchSize: 16, learningRate: 0.05, optimizer: { kind: 'sgd' }, seed: 5 });
    const start = model.weights.get('conv1.weight')!;
    const changed = Array.from({ length: 31 }, (_, i) => i + 1).filter((f) => filter3(weight, f).join() !== filter3(start, f).join());
    expect(changed.length).toBeGreaterThan(20);

    // Unfrozen, the same Sobel start is changed by training.
    const free = await run({ conv1: { filters: [{ filter: 0, preset: { kind: 'sobel-x' } }] } });
    expect(filter3(weightsOf(free, 'conv1.weight'), 0)).not.toEqual(SOBEL_X);
  }, 120_000);

  it('fail the run as an invalid graph when the graph cannot take them, naming the layer', async () => {
    const job = await run({ conv1: { filters: [{ filter: 40, frozen: true }] } });
    expect(job.state).toBe('failed');
    expect(job.failure).toEqual({ kind: 'invalid-graph', reason: "'conv1' has filters 0 to 31, so it has no filter 40" });
  }, 60_000);
});
