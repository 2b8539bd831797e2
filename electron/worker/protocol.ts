/**
 * The messages between a host (the job manager) and a training worker process: one typed,
 * versioned protocol, validated on arrival on both sides. Tensors travel as Float32Arrays
 * (structured clone: `child_process.fork` with `serialization: 'advanced'`, Electron's
 * utilityProcess and MessagePorts all carry them).
 */
import type { DatasetSpec, PreprocessSpec, SplitSpec } from '../../engine/data/spec';
import type { TrainingConfig } from '../../engine/train/trainer';
import type { EpochStats } from '../../engine/viz/training-stats';
import type { EpochSnapshot } from './epoch-stats';
import {
  checkVisualReply,
  checkVisualRequest,
  checkWatch,
  type VisualReplyMessage,
  type VisualRequestMessage,
  type WatchMessage,
} from './visual-protocol';

export const PROTOCOL_VERSION = 2;

/** At most this many dataset problems travel in one `dataset-problems` message (`total` counts them all). */
export const MAX_FORWARDED_PROBLEMS = 200;

/** A file or folder the dataset skipped, and why (engine/data/problems.ts). */
export interface DatasetProblemEntry {
  readonly path: string;
  readonly reason: string;
  /** The 1-based line, for problems inside a list file (CSV). */
  readonly line?: number;
}

export type Backend = 'cpu' | 'webgpu' | 'auto';

export type TensorList = [name: string, values: Float32Array][];

/** A checkpoint as it crosses the process boundary (see Trainer.checkpoint). */
export interface CheckpointMessage {
  readonly epoch: number;
  readonly globalStep: number;
  readonly weights: TensorList;
  readonly optimizerState: TensorList;
  readonly optimizerSteps: number;
  readonly bestValidationLoss: number;
  readonly epochsWithoutImprovement: number;
  readonly plateauScale: number;
}

export interface EpochSummary {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy?: number;
  readonly validationLoss?: number;
  readonly validationAccuracy?: number;
  readonly learningRate: number;
  readonly seconds: number;
}

export interface StartMessage {
  readonly type: 'start';
  readonly protocol: number;
  readonly jobId: string;
  readonly graph: unknown;
  readonly dataset: DatasetSpec;
  /** Relative dataset paths are resolved against this folder (the project's). */
  readonly baseFolder: string;
  readonly split?: SplitSpec;
  readonly preprocess?: PreprocessSpec;
  /** Train on the first N training samples only. */
  readonly limit?: number;
  readonly training: Omit<TrainingConfig, 'frozen'>;
  readonly backend: Backend;
  /** Weights to start from instead of a fresh initialisation. */
  readonly initialWeights?: TensorList;
  readonly resume?: CheckpointMessage;
  /** How often progress is reported, at most. */
  readonly progressIntervalMs?: number;
}

export type HostMessage =
  | StartMessage
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'stop' }
  /** Asks for a tensor by state_dict name (filters for visualisation, for example). */
  | { readonly type: 'snapshot'; readonly requestId: number; readonly tensor: string }
  /** Filters or one sample's activations, for the IDE's visualisations (visual-protocol.ts). */
  | VisualRequestMessage
  | WatchMessage;

export type FailureKind = 'diverged' | 'invalid-graph' | 'data' | 'internal';

export type WorkerMessage =
  | { readonly type: 'ready'; readonly protocol: number; readonly pid: number }
  | {
      readonly type: 'started';
      readonly backend: 'cpu';
      readonly backendReason: string;
      readonly trainSamples: number;
      readonly validationSamples: number;
      readonly stepsPerEpoch: number;
      readonly epochs: number;
    }
  | {
      readonly type: 'progress';
      readonly epoch: number;
      readonly stepInEpoch: number;
      readonly stepsPerEpoch: number;
      readonly globalStep: number;
      readonly loss: number;
      readonly learningRate: number;
      readonly imagesPerSecond: number;
      readonly etaSeconds: number;
    }
  /**
   * Files and folders the dataset skipped: those met on opening it (sent before `started`), then
   * those met while training (at the end of the epoch that met them). At most
   * MAX_FORWARDED_PROBLEMS each; `total` counts the problems this message is about.
   */
  | { readonly type: 'dataset-problems'; readonly problems: DatasetProblemEntry[]; readonly total: number }
  | { readonly type: 'epoch'; readonly summary: EpochSummary }
  /** Right after `epoch`: the layers' statistics and the first convolution's snapshot (epoch-stats.ts). */
  | { readonly type: 'epoch-stats'; readonly stats: EpochStats; readonly snapshot?: EpochSnapshot }
  | { readonly type: 'checkpoint'; readonly checkpoint: CheckpointMessage }
  | { readonly type: 'paused' }
  | { readonly type: 'resumed' }
  | {
      readonly type: 'snapshot';
      readonly requestId: number;
      readonly tensor: string;
      readonly shape: number[];
      readonly values: Float32Array | null;
    }
  | { readonly type: 'done'; readonly status: 'completed' | 'stopped'; readonly epochs: EpochSummary[]; readonly weights: TensorList }
  | { readonly type: 'failed'; readonly kind: FailureKind; readonly reason: string; readonly step?: number }
  | VisualReplyMessage;

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isNumber = (value: unknown): value is number => typeof value === 'number';

const isProblem = (value: unknown): value is DatasetProblemEntry =>
  isRecord(value) &&
  typeof value.path === 'string' &&
  typeof value.reason === 'string' &&
  (value.line === undefined || (isCount(value.line) && value.line >= 1));

const checkProblems = (m: Record<string, unknown>): string | null => {
  if (!Array.isArray(m.problems) || m.problems.length > MAX_FORWARDED_PROBLEMS)
    return `problems must be a list of at most ${MAX_FORWARDED_PROBLEMS}`;
  if (!m.problems.every(isProblem)) return 'each problem needs a path and a reason (and a line from 1, if any)';
  if (!isCount(m.total) || m.total < m.problems.length) return 'total must count at least the problems listed';
  return null;
};

const isTensorList = (value: unknown): value is TensorList =>
  Array.isArray(value) && value.every((entry) => Array.isArray(entry) && typeof entry[0] === 'string' && entry[1] instanceof Float32Array);

const isCheckpoint = (value: unknown): value is CheckpointMessage =>
  isRecord(value) &&
  isCount(value.epoch) &&
  isCount(value.globalStep) &&
  isTensorList(value.weights) &&
  isTensorList(value.optimizerState) &&
  isCount(value.optimizerSteps) &&
  isNumber(value.bestValidationLoss) &&
  isCount(value.epochsWithoutImprovement) &&
  isNumber(value.plateauScale);

const isBinned = (value: unknown): boolean =>
  isRecord(value) && isNumber(value.min) && isNumber(value.max) && Array.isArray(value.counts) && value.counts.every(isCount);

const isSnapshotTensor = (value: unknown): boolean =>
  isRecord(value) && Array.isArray(value.shape) && value.shape.every(isCount) && value.values instanceof Float32Array;

const checkEpochStats = (m: Record<string, unknown>): string | null => {
  const stats = m.stats;
  if (!isRecord(stats) || !isCount(stats.epoch) || !isCount(stats.globalStep)) return 'stats needs an epoch and a globalStep';
  if (!Array.isArray(stats.layers) || !Array.isArray(stats.relus)) return 'stats needs layers and relus';
  for (const layer of stats.layers as unknown[]) {
    if (!isRecord(layer) || typeof layer.nodeId !== 'string' || !isBinned(layer.weights) || !isNumber(layer.weightNorm))
      return 'each layer needs a nodeId, a weight histogram and a weight norm';
    if (layer.gradients !== undefined && (!isBinned(layer.gradients) || !isNumber(layer.gradientNorm)))
      return `layer ${layer.nodeId}'s gradients need a histogram and a norm`;
  }
  for (const relu of stats.relus as unknown[])
    if (
      !isRecord(relu) ||
      typeof relu.nodeId !== 'string' ||
      !isCount(relu.deadUnits) ||
      !isCount(relu.units) ||
      relu.deadUnits > relu.units
    )
      return 'each relu needs a nodeId and dead units counted out of its units';
  const snapshot = m.snapshot;
  if (snapshot === undefined) return null;
  if (
    !isRecord(snapshot) ||
    typeof snapshot.nodeId !== 'string' ||
    typeof snapshot.filterName !== 'string' ||
    !isCount(snapshot.sampleIndex) ||
    !isSnapshotTensor(snapshot.filters) ||
    !isSnapshotTensor(snapshot.activation)
  )
    return 'snapshot needs a nodeId, filters, a sample index and an activation';
  return null;
};

const HOST_CHECKS: Record<HostMessage['type'], (message: Record<string, unknown>) => string | null> = {
  start: (m) => {
    if (m.protocol !== PROTOCOL_VERSION) return `protocol version ${String(m.protocol)}, but this worker speaks ${PROTOCOL_VERSION}`;
    if (typeof m.jobId !== 'string' || !m.jobId) return 'jobId must be a non-empty string';
    if (!isRecord(m.dataset) || typeof m.dataset.kind !== 'string') return 'dataset must be a dataset reference with a kind';
    if (typeof m.baseFolder !== 'string') return 'baseFolder must be a path';
    if (!isRecord(m.training)) return 'training must be an object of hyper-parameters';
    const t = m.training;
    if (!isCount(t.epochs) || t.epochs < 1) return 'training.epochs must be a whole number from 1';
    if (!isCount(t.batchSize) || t.batchSize < 1) return 'training.batchSize must be a whole number from 1';
    if (!isNumber(t.learningRate) || !(t.learningRate > 0)) return 'training.learningRate must be a positive number';
    if (!isRecord(t.optimizer) || typeof t.optimizer.kind !== 'string') return 'training.optimizer must name its kind';
    if (!isNumber(t.seed)) return 'training.seed must be a number';
    if (m.backend !== 'cpu' && m.backend !== 'webgpu' && m.backend !== 'auto') return "backend must be 'cpu', 'webgpu' or 'auto'";
    if (m.limit !== undefined && (!isCount(m.limit) || m.limit < 1)) return 'limit must be a whole number from 1';
    if (m.initialWeights !== undefined && !isTensorList(m.initialWeights)) return 'initialWeights must be a list of [name, Float32Array]';
    if (m.resume !== undefined && !isCheckpoint(m.resume)) return 'resume must be a checkpoint';
    return null;
  },
  pause: () => null,
  resume: () => null,
  stop: () => null,
  snapshot: (m) => (isCount(m.requestId) && typeof m.tensor === 'string' ? null : 'a snapshot request needs a requestId and a tensor name'),
  visual: checkVisualRequest,
  watch: checkWatch,
};

const WORKER_CHECKS: Record<WorkerMessage['type'], (message: Record<string, unknown>) => string | null> = {
  ready: (m) =>
    m.protocol === PROTOCOL_VERSION
      ? isCount(m.pid)
        ? null
        : 'pid must be a number'
      : `protocol version ${String(m.protocol)}, expected ${PROTOCOL_VERSION}`,
  started: (m) =>
    isCount(m.stepsPerEpoch) && isCount(m.trainSamples) && isCount(m.epochs)
      ? null
      : 'started needs stepsPerEpoch, trainSamples and epochs',
  progress: (m) =>
    [m.epoch, m.stepInEpoch, m.stepsPerEpoch, m.globalStep].every(isCount) &&
    [m.loss, m.learningRate, m.imagesPerSecond, m.etaSeconds].every(isNumber)
      ? null
      : 'progress needs epoch, steps, loss, learning rate, speed and ETA',
  'dataset-problems': checkProblems,
  epoch: (m) => (isRecord(m.summary) && isCount(m.summary.epoch) && isNumber(m.summary.trainLoss) ? null : 'epoch needs a summary'),
  'epoch-stats': checkEpochStats,
  checkpoint: (m) => (isCheckpoint(m.checkpoint) ? null : 'checkpoint is malformed'),
  paused: () => null,
  resumed: () => null,
  snapshot: (m) => (isCount(m.requestId) && typeof m.tensor === 'string' ? null : 'a snapshot reply needs its requestId and tensor'),
  done: (m) =>
    (m.status === 'completed' || m.status === 'stopped') && Array.isArray(m.epochs) && isTensorList(m.weights)
      ? null
      : 'done needs a status, epochs and weights',
  failed: (m) => (typeof m.kind === 'string' && typeof m.reason === 'string' ? null : 'failed needs a kind and a reason'),
  visual: checkVisualReply,
};

const validate = <T extends { type: string }>(
  checks: Record<string, (m: Record<string, unknown>) => string | null>,
  from: string,
  value: unknown,
): T => {
  if (!isRecord(value) || typeof value.type !== 'string')
    throw new ProtocolError(`a message from the ${from} must be an object with a type`);
  const check = Object.hasOwn(checks, value.type) ? checks[value.type] : undefined;
  if (!check) throw new ProtocolError(`unknown message type '${value.type}' from the ${from}`);
  const problem = check(value);
  if (problem) throw new ProtocolError(`bad '${value.type}' message from the ${from}: ${problem}`);
  return value as unknown as T;
};

/** Checks a message that arrived from the host; throws ProtocolError saying what is wrong. */
export const validateHostMessage = (value: unknown): HostMessage => validate<HostMessage>(HOST_CHECKS, 'host', value);

/** Checks a message that arrived from a worker; throws ProtocolError saying what is wrong. */
export const validateWorkerMessage = (value: unknown): WorkerMessage => validate<WorkerMessage>(WORKER_CHECKS, 'worker', value);
