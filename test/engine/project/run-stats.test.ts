// Run records keep each epoch's layer statistics (RunRecord.epochStats): the worker's real
// statistics of a LeNet-5 after a few CPU steps, compacted, go through a .cnnproj and come back
// equal, one line per epoch in project.json; records without them (files written before) still
// open; malformed ones are refused with their path; numbers JSON cannot hold are kept sensibly.
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { ByteImageDataset } from '../../../engine/data/dataset';
import { lenet5 } from '../../../engine/graph/templates/classic';
import { packProject, readProjectFile, unpackProject } from '../../../engine/project/container';
import { compactEpochStats } from '../../../engine/project/run-stats';
import type { ProjectDocument, RunRecord } from '../../../engine/project/schema';
import { compileModel } from '../../../engine/train/plan';
import { Random } from '../../../engine/train/random';
import { Trainer } from '../../../engine/train/trainer';
import { writeZip } from '../../../engine/project/zip';
import type { EpochStats } from '../../../engine/viz/training-stats';
import { computeEpochStats } from '../../../electron/worker/epoch-stats';
import { options, sampleProject } from './helpers';

/** The statistics the worker sends after `epochs` epochs of LeNet-5 on 32 random 28×28 images. */
const realStats = (epochs: number): EpochStats[] => {
  const random = new Random(4);
  const pixels = Uint8Array.from({ length: 32 * 784 }, () => random.below(256));
  const labels = Uint8Array.from({ length: 32 }, (_, i) => i % 10);
  const data = new ByteImageDataset('noise', [1, 28, 28], pixels, labels, 10);
  const model = compileModel(lenet5(), CPU_LAYERS);
  const trainer = new Trainer(
    model,
    { epochs, batchSize: 16, learningRate: 0.05, optimizer: { kind: 'sgd', momentum: 0.9 }, seed: 3 },
    data,
  );
  trainer.initialiseWeights();
  const stats: EpochStats[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    trainer.beginEpoch();
    while (trainer.step());
    trainer.endEpoch();
    stats.push(computeEpochStats(model, data, epoch, trainer.globalStep, true, 16).stats);
  }
  return stats;
};

const withStats = (project: ProjectDocument, runId: string, epochStats: readonly EpochStats[]): ProjectDocument => ({
  ...project,
  runs: project.runs.map((run): RunRecord => (run.id === runId ? { ...run, epochStats } : run)),
});

const roundTrip = (project: ProjectDocument) => {
  const { tensors } = sampleProject();
  const packed = packProject(project, tensors, options);
  if (!packed.ok) throw new Error(packed.error.message);
  const opened = unpackProject(packed.bytes, options);
  if (!opened.ok) throw new Error(opened.error.message);
  return { opened: opened.project, json: strFromU8(unzipSync(packed.bytes)['project.json']) };
};

describe('epoch statistics in run records', () => {
  it('survive saving and opening, compact and one line per epoch, beside a run recorded without them', () => {
    const stats = realStats(3);
    const kept = stats.map(compactEpochStats);
    expect(kept[2].layers.map((layer) => layer.nodeId)).toEqual(stats[2].layers.map((layer) => layer.nodeId));
    expect(kept[2].layers[0].gradients!.counts).toEqual(stats[2].layers[0].gradients!.counts);
    expect(kept[2].layers[0].weightNorm).toBeCloseTo(stats[2].layers[0].weightNorm, 5);
    expect(kept[2].relus.length).toBeGreaterThan(0);
    const { project } = sampleProject();
    const { opened, json } = roundTrip(withStats(project, 'run-2', kept));
    expect(opened.runs.find((run) => run.id === 'run-2')!.epochStats).toEqual(kept);
    // run-1 was recorded before statistics were kept: it opens as it was.
    expect(opened.runs.find((run) => run.id === 'run-1')).toEqual({
      ...project.runs.find((run) => run.id === 'run-1'),
      weightsFile: 'weights/runs/run-1.safetensors',
    });
    expect(opened.runs.find((run) => run.id === 'run-1')!.epochStats).toBeUndefined();
    const lines = json.split('\n').filter((line) => line.includes('"globalStep"'));
    expect(lines).toHaveLength(3);
    for (const [index, line] of lines.entries()) expect(JSON.parse(line.trim().replace(/,$/, ''))).toEqual(kept[index]);
    // Compact: every fractional number of the statistics has at most 7 significant digits.
    const numbers = lines.join('\n').match(/-?\d+\.\d+(e-?\d+)?/g) ?? [];
    expect(numbers.length).toBeGreaterThan(10);
    for (const number of numbers) expect(number.replace(/^-?0\.0*|-|\.|e.*$/g, '').length, number).toBeLessThanOrEqual(7);
  });

  it('keeps an infinite norm as the largest number, leaves out a NaN gradient norm and a layer whose weights are NaN', () => {
    const [stats] = realStats(1);
    const [first, second, ...rest] = stats.layers;
    const odd: EpochStats = {
      ...stats,
      layers: [{ ...first, gradientNorm: Infinity }, { ...second, gradientNorm: NaN }, { ...rest[0], weightNorm: NaN }, ...rest.slice(1)],
    };
    const kept = compactEpochStats(odd);
    expect(kept.layers.map((layer) => layer.nodeId)).toEqual([first.nodeId, second.nodeId, ...rest.slice(1).map((layer) => layer.nodeId)]);
    expect(kept.layers[0].gradientNorm).toBe(Number.MAX_VALUE);
    expect(kept.layers[1].gradientNorm).toBeUndefined();
    const { project } = sampleProject();
    expect(roundTrip(withStats(project, 'run-2', [kept])).opened.runs[1].epochStats).toEqual([kept]);
  });

  it('refuses malformed statistics, saying where', () => {
    const [stats] = realStats(1).map(compactEpochStats);
    const { project, tensors } = sampleProject();
    const refused = (epochStats: unknown): string => {
      // A file as another program might write it: the sample project's entries, project.json replaced.
      const packed = packProject(project, tensors, options);
      if (!packed.ok) throw new Error(packed.error.message);
      const entries = unzipSync(packed.bytes);
      entries['project.json'] = new TextEncoder().encode(JSON.stringify(withStats(project, 'run-2', epochStats as EpochStats[])));
      const result = readProjectFile(writeZip(Object.entries(entries).map(([name, data]) => ({ name, data, compress: true }))), options);
      expect(result.ok).toBe(false);
      return result.ok ? '' : result.error.message;
    };
    const layer = stats.layers[0];
    expect(refused([{ ...stats, layers: [{ ...layer, weights: { ...layer.weights, counts: [1, -2] } }] }])).toContain(
      'runs[1].epochStats[0].layers[0].weights.counts[1] must be a whole number from 0, not -2',
    );
    expect(refused([stats, { ...stats }])).toContain('runs[1].epochStats[1].epoch must come after epoch 1, not 1');
    expect(refused([{ ...stats, relus: [{ nodeId: 'relu1', deadUnits: 9, units: 4, probeSamples: 16 }] }])).toContain(
      'runs[1].epochStats[0].relus[0].deadUnits is more than its 4 units',
    );
    expect(refused({ epoch: 1 })).toContain('runs[1].epochStats must be a list');
  });
});
