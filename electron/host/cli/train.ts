/**
 * `cnn-studio train FILE.cnnproj [--epochs N] [--batch-size B] [--lr X] [--optimizer NAME]
 * [--backend cpu|webgpu|auto] [--limit N] [--seed S] [--continue] [--json]`
 *
 * Trains in a worker process. After every epoch the project is saved atomically with the run
 * record so far and the latest weights, so a crash or Ctrl-C keeps the last checkpoint; the
 * first Ctrl-C stops cleanly after the current step, a second one ends the worker at once.
 */
import { analyzeGraph } from '../../../engine/graph/analyze';
import type { OptimizerConfig } from '../../../engine/train/optimizers';
import {
  CURRENT_WEIGHTS_FILE,
  graphVersion,
  newRunId,
  runWeightsFile,
  type ProjectDocument,
  type RunRecord,
  type TrainingSettings,
} from '../../../engine/project/schema';
import { compactEpochStats } from '../../../engine/project/run-stats';
import type { NamedTensor } from '../../../engine/train/state-dict';
import { JobManager, MemoryRefusedError, type JobEvent } from '../../services/jobs/job-manager';
import { ForkWorkerHost } from '../../services/jobs/worker-host';
import { expectedTensorsFromCatalogue } from '../../services/project/expected-tensors';
import type { Backend, TensorList } from '../../worker/protocol';
import { dirname, resolve } from 'node:path';
import { totalmem } from 'node:os';
import { CliError } from './errors';
import { ProgressView, type Terminal } from './progress';
import { openProjectFile, store } from './project-files';

export interface TrainArguments {
  file: string;
  epochs?: string;
  batchSize?: string;
  lr?: string;
  optimizer?: string;
  backend?: string;
  limit?: string;
  seed?: string;
  continue: boolean;
  json: boolean;
}

const wholeNumber = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new CliError(`--${name} must be a whole number from 1, not '${value}'`);
  return parsed;
};

const OPTIMIZERS: Record<string, OptimizerConfig> = {
  sgd: { kind: 'sgd', momentum: 0.9 },
  adam: { kind: 'adam' },
  adamw: { kind: 'adamw' },
  rmsprop: { kind: 'rmsprop' },
};

const settingsFrom = (base: TrainingSettings, args: TrainArguments): TrainingSettings => {
  const learningRate = args.lr === undefined ? base.learningRate : Number(args.lr);
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new CliError(`--lr must be a positive number, not '${args.lr}'`);
  if (args.optimizer !== undefined && !Object.hasOwn(OPTIMIZERS, args.optimizer)) {
    throw new CliError(`unknown optimizer '${args.optimizer}'; choose ${Object.keys(OPTIMIZERS).join(', ')}`);
  }
  const seed = args.seed === undefined ? base.seed : Number(args.seed);
  if (!Number.isInteger(seed)) throw new CliError(`--seed must be a whole number, not '${args.seed}'`);
  return {
    ...base,
    epochs: wholeNumber(args.epochs, 'epochs') ?? base.epochs,
    batchSize: wholeNumber(args.batchSize, 'batch-size') ?? base.batchSize,
    learningRate,
    ...(args.optimizer ? { optimizer: OPTIMIZERS[args.optimizer] } : {}),
    seed,
  };
};

const toNamed = (tensors: TensorList, shapes: ReadonlyMap<string, readonly number[]>): NamedTensor[] =>
  tensors.map(([name, data]) => ({ name, shape: [...(shapes.get(name) ?? [data.length])], data }));

/** Event as one JSON line: tensors left out. */
const eventJson = (event: JobEvent): string => {
  if (event.type === 'checkpoint')
    return JSON.stringify({ type: 'checkpoint', epoch: event.checkpoint.epoch, globalStep: event.checkpoint.globalStep });
  if (event.type === 'snapshot') return JSON.stringify({ type: 'snapshot', tensor: event.tensor });
  // the statistics, without the snapshot's tensors (which JSON would print as objects of numbers)
  if (event.type === 'epoch-stats') return JSON.stringify({ type: 'epoch-stats', stats: event.stats });
  return JSON.stringify(event);
};

export const runTrain = async (args: TrainArguments, out: Terminal, err: Terminal): Promise<number> => {
  const opened = await openProjectFile(args.file);
  const project: ProjectDocument = opened.project;
  if (!project.dataset) throw new CliError(`${args.file} has no dataset; set one in the project (for example {"kind": "mnist"})`);
  const backend = (args.backend ?? 'auto') as Backend;
  if (!['cpu', 'webgpu', 'auto'].includes(backend)) throw new CliError(`--backend must be cpu, webgpu or auto, not '${args.backend}'`);
  const training = settingsFrom(project.training, args);
  const limit = wholeNumber(args.limit, 'limit');
  const current = opened.tensors.current;
  if (args.continue && !current) throw new CliError(`${args.file} has no trained weights to continue from; train without --continue`);

  const manager = new JobManager(new ForkWorkerHost(), { maxConcurrent: 1, memoryLimitBytes: Math.floor(totalmem() * 0.75) });
  let job: ReturnType<JobManager['submit']>;
  try {
    job = manager.submit({
      graph: project.graph,
      dataset: project.dataset,
      baseFolder: dirname(resolve(args.file)),
      ...(project.split ? { split: project.split } : {}),
      ...(project.preprocess ? { preprocess: project.preprocess } : {}),
      ...(limit ? { limit } : {}),
      training,
      backend,
      ...(args.continue && current
        ? { initialWeights: current.map((tensor) => [tensor.name, tensor.data] as [string, Float32Array]) }
        : {}),
    });
  } catch (error) {
    if (error instanceof MemoryRefusedError || error instanceof Error) throw new CliError(error.message, 1);
    throw error;
  }

  const runId = newRunId(project);
  const startedAt = new Date().toISOString();
  const run = (status: RunRecord['status'], extra: Partial<RunRecord> = {}): RunRecord => ({
    id: runId,
    startedAt,
    status,
    graphVersion: graphVersion(project.graph),
    multiplyAdds: analyzeGraph(project.graph).totals.macs,
    training,
    dataset: project.dataset!,
    ...(project.split ? { split: project.split } : {}),
    ...(project.preprocess ? { preprocess: project.preprocess } : {}),
    epochs: job.epochs,
    ...(job.epochStats.length ? { epochStats: job.epochStats.map(compactEpochStats) } : {}),
    ...extra,
  });
  const runTensors = new Map(opened.tensors.runs);
  const version = graphVersion(project.graph);
  const weightShapes = expectedTensorsFromCatalogue(project.graph) ?? new Map<string, readonly number[]>();
  // Saves run one after another, each writing the whole project atomically.
  let saving: Promise<void> = Promise.resolve();
  const persist = (status: RunRecord['status'], weights: TensorList | null, extra: Partial<RunRecord> = {}): Promise<void> => {
    saving = saving.then(async () => {
      const named = weights ? toNamed(weights, weightShapes) : current;
      const keepRunWeights = weights !== null && status !== 'running';
      if (keepRunWeights) runTensors.set(runId, named!);
      const record = { ...run(status, extra), ...(keepRunWeights ? { weightsFile: runWeightsFile(runId) } : {}) };
      const document: ProjectDocument = {
        ...project,
        training,
        runs: [...opened.project.runs, record],
        ...(named ? { weights: { file: CURRENT_WEIGHTS_FILE, graphVersion: version } } : {}),
      };
      const saved = await store.save(args.file, document, { ...(named ? { current: named } : {}), runs: runTensors });
      if (!saved.ok) err.write(`cnn-studio: could not save ${args.file}: ${saved.error.message}\n`);
    });
    return saving;
  };

  const view = new ProgressView(err);
  job.subscribe((event) => {
    if (args.json) out.write(`${eventJson(event)}\n`);
    else view.show(event);
    if (event.type === 'checkpoint') void persist('running', event.checkpoint.weights);
  });

  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) {
      view.line('stopping after this step… (press Ctrl-C again to end at once; the last checkpoint is kept)');
      job.stop();
    } else job.worker?.kill();
  };
  process.on('SIGINT', onInterrupt);
  try {
    await job.whenEnded();
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  const finishedAt = new Date().toISOString();
  if (job.state === 'failed') {
    const checkpoint = job.lastCheckpoint;
    await persist(interrupts ? 'stopped' : 'failed', checkpoint?.weights ?? null, {
      finishedAt,
      ...(interrupts ? {} : { failure: job.failure!.reason }),
    });
    if (checkpoint) view.line(`kept the weights of epoch ${checkpoint.epoch} in ${args.file}`);
    return interrupts ? 130 : 1;
  }
  await persist(job.state === 'stopped' ? 'stopped' : 'completed', job.finalWeights, { finishedAt });
  const last = job.epochs.at(-1);
  const summary = last
    ? `; last epoch: loss ${last.trainLoss.toFixed(4)}${last.validationAccuracy !== undefined ? `, validation accuracy ${(last.validationAccuracy * 100).toFixed(2)}%` : ''}`
    : '';
  if (!args.json) view.line(`${job.state === 'stopped' ? 'stopped' : 'trained'}: run ${runId} saved in ${args.file}${summary}`);
  return job.state === 'stopped' ? 130 : 0;
};
