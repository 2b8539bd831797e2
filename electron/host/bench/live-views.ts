/**
 * What live views cost training: LeNet-5 trains on MNIST in a real worker process (batch 64, SGD
 * with momentum) while the host asks for what the IDE's Visualise panel asks for, at the panel's
 * own rates, and the images per second are compared with a run that nobody watches. The issue's
 * target: at most 5% slower with live views open.
 *
 * Conditions run in the order plain, features, attribution, attribution, features, plain, and each
 * figure is the mean of its two runs: a machine that speeds up or slows down steadily over those
 * two minutes then favours no condition.
 */
import { findTemplate } from '../../../engine/graph/templates';
import { JobManager, type Job, type JobRequest } from '../../services/jobs/job-manager';
import { ForkWorkerHost } from '../../services/jobs/worker-host';
import type { VisualRequestMessage } from '../../worker/visual-protocol';

/** The panel's refresh periods (renderer/viz/viz-store.ts LIVE_REFRESH_MS, analysis-store.ts TAB_REFRESH_MS). */
const FEATURES_MS = 2_500;
const ATTRIBUTION_MS = 5_000;

export interface LiveViewFigures {
  readonly seconds: number;
  readonly plainImagesPerSecond: number;
  /** The Features tab: conv1's filters and activations for one sample. */
  readonly featuresImagesPerSecond: number;
  readonly featuresDropPercent: number;
  /** The Attribution tab: saliency, Grad-CAM and occlusion for one sample. */
  readonly attributionImagesPerSecond: number;
  readonly attributionDropPercent: number;
}

type Asks = readonly Omit<VisualRequestMessage, 'type' | 'requestId'>[];
const FEATURES: Asks = [
  { kind: 'filters', nodeId: 'conv1' },
  { kind: 'activations', nodeId: 'conv1', sample: 0 },
];
const ATTRIBUTION: Asks = [
  { kind: 'saliency', sample: 0 },
  { kind: 'gradcam', sample: 0 },
  { kind: 'occlusion', sample: 0 },
];

const request = (): JobRequest => ({
  graph: findTemplate('lenet5')!.build(),
  dataset: { kind: 'mnist' },
  baseFolder: process.cwd(),
  training: { epochs: 50, batchSize: 64, learningRate: 0.01, optimizer: { kind: 'sgd', momentum: 0.9 }, seed: 1 },
  backend: 'cpu',
  progressIntervalMs: 100,
});

/** Trains for `seconds` after a 3 s warm-up, asking `asks` every `periodMs`; returns images per second. */
const measure = async (seconds: number, asks: Asks, periodMs: number): Promise<number> => {
  const job: Job = new JobManager(new ForkWorkerHost(), { maxConcurrent: 1 }).submit(request());
  let step = 0;
  let failure: string | null = null;
  job.subscribe((event) => {
    if (event.type === 'progress') step = event.globalStep;
    if (event.type === 'failed') failure = event.reason;
  });
  let requestId = 1;
  const timer = asks.length
    ? setInterval(() => {
        for (const ask of asks) job.worker?.send({ type: 'visual', requestId: requestId++, ...ask });
      }, periodMs)
    : null;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await sleep(3_000);
  const [startStep, startTime] = [step, performance.now()];
  await sleep(seconds * 1000);
  const [endStep, endTime] = [step, performance.now()];
  if (timer) clearInterval(timer);
  job.stop();
  await job.whenEnded();
  if (failure) throw new Error(`the benchmark's training job failed: ${failure}`);
  return ((endStep - startStep) * 64) / ((endTime - startTime) / 1000);
};

export const benchLiveViews = async (seconds = 10): Promise<LiveViewFigures> => {
  const order = [
    ['plain', [], 0],
    ['features', FEATURES, FEATURES_MS],
    ['attribution', ATTRIBUTION, ATTRIBUTION_MS],
  ] as const;
  const sums = { plain: 0, features: 0, attribution: 0 };
  for (const [name, asks, period] of [...order, ...[...order].reverse()]) sums[name] += (await measure(seconds, asks, period)) / 2;
  const { plain, features, attribution } = sums;
  const drop = (value: number) => (100 * (plain - value)) / plain;
  return {
    seconds,
    plainImagesPerSecond: plain,
    featuresImagesPerSecond: features,
    featuresDropPercent: drop(features),
    attributionImagesPerSecond: attribution,
    attributionDropPercent: drop(attribution),
  };
};
