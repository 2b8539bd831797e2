/**
 * Starting a training run for a window: the project's settings with the renderer's overrides,
 * the job request, and the run record made when the job ends (as `cnn-studio train` records it).
 */
import { totalmem } from 'node:os';
import type { JobInfo, TrainingOverrides } from '../../api';
import { analyzeGraph } from '../../../engine/graph/analyze';
import { compactEpochStats } from '../../../engine/project/run-stats';
import { graphVersion, newRunId, type ProjectDocument, type RunRecord, type TrainingSettings } from '../../../engine/project/schema';
import { estimateTrainingMemory } from '../../../engine/train/memory';
import type { OptimizerConfig } from '../../../engine/train/optimizers';
import type { NamedTensor } from '../../../engine/train/state-dict';
import type { Job } from '../../services/jobs/job-manager';
import { expectedTensorsFromCatalogue } from '../../services/project/expected-tensors';
import type { TensorList } from '../../worker/protocol';
import { TrainingError } from './errors';
import type { FinishOutcome, TrainingJobs } from './training-jobs';

/** How often a job reports progress to the IDE: often enough for a live curve. */
const PROGRESS_INTERVAL_MS = 100;

/** The share of the machine's memory one run may take. */
export const memoryLimitBytes = (): number => Math.floor(totalmem() * 0.75);

const optimizerFor = (kind: OptimizerConfig['kind'] | undefined, current: OptimizerConfig): OptimizerConfig => {
  if (kind === undefined || kind === current.kind) return current;
  return kind === 'sgd' ? { kind: 'sgd', momentum: 0.9 } : { kind };
};

export const trainingSettings = (base: TrainingSettings, overrides: TrainingOverrides): TrainingSettings => ({
  ...base,
  ...(overrides.epochs !== undefined ? { epochs: overrides.epochs } : {}),
  ...(overrides.batchSize !== undefined ? { batchSize: overrides.batchSize } : {}),
  ...(overrides.learningRate !== undefined ? { learningRate: overrides.learningRate } : {}),
  ...(overrides.seed !== undefined ? { seed: overrides.seed } : {}),
  optimizer: optimizerFor(overrides.optimizer, base.optimizer),
});

const named = (tensors: TensorList, graph: unknown): NamedTensor[] => {
  const shapes = expectedTensorsFromCatalogue(graph as ProjectDocument['graph']) ?? new Map<string, readonly number[]>();
  return tensors.map(([name, data]) => ({ name, shape: [...(shapes.get(name) ?? [data.length])], data }));
};

export interface RunStart {
  readonly project: ProjectDocument;
  readonly overrides: TrainingOverrides;
  readonly baseFolder: string;
  /** The ids of the runs recorded or started so far (the new run's id differs from them). */
  readonly runIds: readonly string[];
  readonly initialWeights?: readonly NamedTensor[];
  /** The job ended: its record, and its final weights (or the last checkpoint's), if any. */
  readonly onEnd: (run: RunRecord, weights: NamedTensor[] | null) => FinishOutcome;
}

/** Queues the run; throws TrainingError when it cannot start. */
export const startRun = (jobs: TrainingJobs, start: RunStart): JobInfo => {
  const { project, overrides } = start;
  if (!project.dataset) throw new TrainingError('the project has no dataset to train on; set one (for example MNIST) first');
  const report = analyzeGraph(project.graph);
  if (!report.valid) {
    const errors = report.issues.filter((issue) => issue.severity === 'error');
    throw new TrainingError(
      `fix the graph first: ${errors.length} error${errors.length === 1 ? '' : 's'}, the first: ${errors[0]?.message}`,
    );
  }
  const training = trainingSettings(project.training, overrides);
  const runId = newRunId({ runs: start.runIds.map((id) => ({ id }) as RunRecord) });
  const startedAt = new Date().toISOString();
  const dataset = project.dataset;
  const record = (job: Job): RunRecord => ({
    id: runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    status: job.state === 'completed' || job.state === 'stopped' ? job.state : 'failed',
    ...(job.failure ? { failure: job.failure.reason } : {}),
    graphVersion: graphVersion(project.graph),
    multiplyAdds: report.totals.macs,
    training,
    dataset,
    ...(project.split ? { split: project.split } : {}),
    ...(project.preprocess ? { preprocess: project.preprocess } : {}),
    epochs: job.epochs,
    ...(job.epochStats.length ? { epochStats: job.epochStats.map(compactEpochStats) } : {}),
  });
  let job: Job;
  try {
    job = jobs.start(
      {
        graph: project.graph,
        dataset,
        baseFolder: start.baseFolder,
        ...(project.split ? { split: project.split } : {}),
        ...(project.preprocess ? { preprocess: project.preprocess } : {}),
        ...(overrides.limit !== undefined ? { limit: overrides.limit } : {}),
        training,
        backend: overrides.backend ?? 'auto',
        progressIntervalMs: PROGRESS_INTERVAL_MS,
        ...(start.initialWeights
          ? {
              initialWeights: start.initialWeights.map((tensor) => [tensor.name, Float32Array.from(tensor.data)] as [string, Float32Array]),
            }
          : {}),
      },
      (ended) => {
        const weights = ended.finalWeights ?? ended.lastCheckpoint?.weights ?? null;
        return start.onEnd(record(ended), weights ? named(weights, project.graph) : null);
      },
    );
  } catch (error) {
    throw new TrainingError(error instanceof Error ? error.message : String(error));
  }
  const memory = estimateTrainingMemory(report, training.batchSize, training.optimizer);
  return { jobId: job.id, state: job.state, runId, memoryBytes: memory.totalBytes };
};
