// The epoch statistics from real worker processes (JobManager + ForkWorkerHost) training LeNet-5
// on an MNIST subset: one `epoch-stats` after every epoch, with histograms, gradient norms and a
// snapshot of conv1; and a bad initialisation (conv1's bias far below zero) reported as dead ReLUs.
import { describe, expect, it } from 'vitest';
import { JobManager, type JobEvent, type JobRequest } from '../../../electron/services/jobs/job-manager';
import { ForkWorkerHost } from '../../../electron/services/jobs/worker-host';
import { validateWorkerMessage, ProtocolError } from '../../../electron/worker/protocol';
import { findTemplate } from '../../../engine/graph/templates';
import { statsWarnings, STATS_BINS } from '../../../engine/viz/training-stats';

const request = (extra: Partial<JobRequest> = {}): JobRequest => ({
  graph: findTemplate('lenet5')!.build(),
  dataset: { kind: 'mnist' },
  baseFolder: process.cwd(),
  limit: 128,
  training: { epochs: 2, batchSize: 32, learningRate: 0.003, optimizer: { kind: 'adam' }, seed: 5 },
  backend: 'cpu',
  ...extra,
});

type StatsEvent = Extract<JobEvent, { type: 'epoch-stats' }>;

const run = async (job: ReturnType<JobManager['submit']>): Promise<JobEvent[]> => {
  const events: JobEvent[] = [];
  job.subscribe((event) => events.push(event));
  await job.whenEnded();
  expect(job.state).toBe('completed');
  return events;
};

describe('epoch statistics from a training worker', () => {
  it('arrive after every epoch, with every layer, every ReLU and conv1’s snapshot', async () => {
    const job = new JobManager(new ForkWorkerHost(), { maxConcurrent: 1 }).submit(request());
    const events = await run(job);
    const order = events.filter((event) => event.type === 'epoch' || event.type === 'epoch-stats').map((event) => event.type);
    expect(order).toEqual(['epoch', 'epoch-stats', 'epoch', 'epoch-stats']);
    const stats = events.filter((event): event is StatsEvent => event.type === 'epoch-stats');
    expect(stats.map((event) => event.stats.epoch)).toEqual([1, 2]);
    expect(job.epochStats.map((kept) => kept.epoch)).toEqual([1, 2]);
    expect(stats[1].stats.globalStep).toBe(8);
    for (const { stats: epoch } of stats) {
      expect(epoch.layers.map((layer) => layer.nodeId)).toEqual(['conv1', 'conv2', 'fc1', 'fc2', 'fc3']);
      expect(epoch.relus.map((relu) => relu.nodeId)).toEqual(['relu1', 'relu2', 'relu3', 'relu4']);
      for (const layer of epoch.layers) {
        expect(layer.weights.counts).toHaveLength(STATS_BINS);
        expect(layer.gradients!.counts.reduce((a, b) => a + b, 0)).toBe(layer.weights.counts.reduce((a, b) => a + b, 0));
        expect(layer.gradientNorm).toBeGreaterThan(0);
        expect(layer.weights.min).toBeLessThan(layer.weights.max);
      }
      expect(epoch.layers[0].weights.counts.reduce((a, b) => a + b, 0)).toBe(6 * 1 * 5 * 5);
      expect(epoch.relus[0]).toMatchObject({ units: 6 * 28 * 28, probeSamples: 32 });
      // a fresh network's convolutions fire (a dense ReLU may already be half silent on 32 samples)
      expect(statsWarnings(epoch).filter((warning) => warning.nodeId === 'relu1' || warning.nodeId === 'relu2')).toEqual([]);
      expect(epoch.relus[0].deadUnits).toBeLessThan(epoch.relus[0].units / 2);
    }
    const [first, second] = stats.map((event) => event.snapshot!);
    expect(first).toMatchObject({ nodeId: 'conv1', filterName: 'conv1.weight', sampleIndex: 0 });
    expect(first.filters.shape).toEqual([6, 1, 5, 5]);
    expect(first.activation.shape).toEqual([6, 28, 28]);
    expect(first.activation.values).toHaveLength(6 * 28 * 28);
    // the filters trained between the epochs, and the final weights are the second snapshot's
    expect(first.filters.values).not.toEqual(second.filters.values);
    expect(second.filters.values).toEqual(job.finalWeights!.find(([name]) => name === 'conv1.weight')![1]);
  }, 120_000);

  it('reports a ReLU behind a large negative bias as dead', async () => {
    // conv1's starting weights from a first run, with its bias set to -100: relu1 never fires
    const first = new JobManager(new ForkWorkerHost(), { maxConcurrent: 1 }).submit(
      request({ training: { ...request().training, epochs: 1 } }),
    );
    await first.whenEnded();
    const initialWeights = first.finalWeights!.map(([name, values]): [string, Float32Array] =>
      name === 'conv1.bias' ? [name, new Float32Array(values.length).fill(-100)] : [name, values],
    );
    const job = new JobManager(new ForkWorkerHost(), { maxConcurrent: 1 }).submit(
      request({ initialWeights, training: { ...request().training, epochs: 1, learningRate: 1e-5 } }),
    );
    const events = await run(job);
    const stats = events.find((event): event is StatsEvent => event.type === 'epoch-stats')!.stats;
    expect(stats.relus[0]).toMatchObject({ nodeId: 'relu1', deadUnits: 6 * 28 * 28 });
    const warnings = statsWarnings(stats);
    expect(warnings.find((warning) => warning.nodeId === 'relu1')?.message).toBe(
      'relu1: 100% of units never fire on the probe batch (32 samples, epoch 1)',
    );
    // nothing flows back into conv1 through a dead ReLU
    expect(stats.layers[0].gradientNorm).toBe(0);
    expect(warnings.find((warning) => warning.nodeId === 'conv1')?.kind).toBe('vanishing-gradient');
  }, 120_000);
});

describe('the epoch-stats message', () => {
  const good = {
    type: 'epoch-stats',
    stats: {
      epoch: 1,
      globalStep: 4,
      layers: [{ nodeId: 'fc', weights: { min: -1, max: 1, counts: [1, 2] }, weightNorm: 1 }],
      relus: [{ nodeId: 'r', deadUnits: 1, units: 4, probeSamples: 2 }],
    },
  };

  it('is accepted when well formed, and refused saying what is wrong', () => {
    expect(validateWorkerMessage(good)).toBe(good);
    const bad = (change: object) => () => validateWorkerMessage({ ...good, ...change });
    expect(bad({ stats: { ...good.stats, relus: [{ nodeId: 'r', deadUnits: 5, units: 4 }] } })).toThrow(
      /dead units counted out of its units/,
    );
    expect(bad({ stats: { ...good.stats, layers: [{ nodeId: 'fc', weights: {}, weightNorm: 1 }] } })).toThrow(ProtocolError);
    expect(bad({ snapshot: { nodeId: 'c', filterName: 'c.weight', sampleIndex: 0, filters: { shape: [1], values: [1] } } })).toThrow(
      /snapshot needs/,
    );
  });
});
