/**
 * The project document (`project.json` inside a `.cnnproj`): the graph, the training settings,
 * the dataset, the record of every training run and a pointer to the current weights.
 * Documented in docs/FILE_FORMAT.md.
 *
 * `parseProject` checks a document of any content and never throws: every problem comes back as
 * a message that names the field (`training.batchSize must be a whole number from 1, not -3`).
 * Older versions are migrated up through `MIGRATIONS`; a newer one is refused. Fields it does not
 * know are kept, so a file passes through this version without losing what a later one wrote.
 */
import type { DatasetKind, DatasetSpec, ImageResize, PreprocessSpec, SplitSpec } from '../data/spec';
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDocument } from '../graph/document';
import { type FilterPreset, type FilterStart } from '../train/filter-init';
import type { RandomInit } from '../train/init';
import type { OptimizerKind } from '../train/optimizers';
import type { Schedule } from '../train/schedules';
import type { TrainingConfig } from '../train/trainer';
import type { EpochStats } from '../viz/training-stats';
import { formatJson, type JsonPath } from './format-json';
import { canonicalJson, sha256Hex } from './hash';

export const PROJECT_KIND = 'cnn-studio/project';
export const PROJECT_FORMAT_VERSION = 1;
export const CURRENT_WEIGHTS_FILE = 'weights/current.safetensors';
/** Run ids name files, so they are short and plain. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const runWeightsFile = (runId: string): string => `weights/runs/${runId}.safetensors`;

/** Values nested deeper than this are refused (no real project comes close; it bounds recursion). */
export const MAX_JSON_DEPTH = 64;
/** At most this many messages are listed; the rest are counted. */
const MAX_ERRORS = 50;

/** The hyper-parameters of training, as stored: TrainingConfig without the in-memory frozen masks. */
export type TrainingSettings = Omit<TrainingConfig, 'frozen'>;

/** Where the canvas was looking: its pan in pixels and its zoom factor. */
export interface Viewport {
  readonly x: number;
  readonly y: number;
  readonly zoom: number;
}

export interface EpochRecord {
  /** From 1. */
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy?: number;
  readonly validationLoss?: number;
  readonly validationAccuracy?: number;
  /** The rate at the end of the epoch. */
  readonly learningRate: number;
  /** Wall-clock time the epoch took. */
  readonly seconds: number;
}

export type RunStatus = 'running' | 'completed' | 'stopped' | 'failed';

export interface RunRecord {
  readonly id: string;
  /** ISO 8601 times. */
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly status: RunStatus;
  /** Why a failed run failed, for people. */
  readonly failure?: string;
  /** `graphVersion(graph)` of the graph the run trained. */
  readonly graphVersion: string;
  /** Multiply-adds of one forward pass of that graph over one sample (absent in runs recorded before it was kept). */
  readonly multiplyAdds?: number;
  readonly training: TrainingSettings;
  readonly dataset: DatasetSpec;
  readonly split?: SplitSpec;
  readonly preprocess?: PreprocessSpec;
  readonly epochs: readonly EpochRecord[];
  /**
   * Each epoch's layer statistics (histograms, norms, dead ReLUs; run-stats.ts), for the History
   * tab. Absent in runs recorded before they were kept, and in runs that finished no epoch.
   */
  readonly epochStats?: readonly EpochStats[];
  /** `weights/runs/<id>.safetensors` when the run's final weights were kept. */
  readonly weightsFile?: string;
}

export interface WeightsReference {
  readonly file: typeof CURRENT_WEIGHTS_FILE;
  /** The graph the weights were trained on (they fit the current graph's tensors either way). */
  readonly graphVersion: string;
}

export interface ProjectDocument {
  readonly formatVersion: typeof PROJECT_FORMAT_VERSION;
  readonly kind: typeof PROJECT_KIND;
  readonly name: string;
  /** The application that wrote the file, for people: `CNN Studio 0.1.0`. */
  readonly createdWith: string;
  readonly graph: GraphDocument;
  readonly layout?: Viewport;
  readonly training: TrainingSettings;
  readonly dataset?: DatasetSpec;
  readonly split?: SplitSpec;
  readonly preprocess?: PreprocessSpec;
  readonly weights?: WeightsReference;
  readonly runs: readonly RunRecord[];
}

export type ParseResult =
  | { readonly ok: true; readonly project: ProjectDocument; readonly migratedFrom?: number }
  /** `tooNew` when the file was made by a newer CNN Studio (its version is above this one's). */
  | { readonly ok: false; readonly errors: string[]; readonly tooNew?: true };

export const DEFAULT_TRAINING: TrainingSettings = {
  epochs: 10,
  batchSize: 32,
  learningRate: 0.001,
  optimizer: { kind: 'adam' },
  seed: 42,
};

// ---------------------------------------------------------------------------------------------
// The graph version: which graph a run trained.

/**
 * A content hash of what the graph computes: each node's id, type and parameters and each
 * edge, not names, labels or positions, so moving a node keeps the version and changing a
 * kernel size does not. 16 hex digits of SHA-256. Any value is accepted (a broken graph has a
 * version too).
 */
export const graphVersion = (graph: unknown): string => {
  const record = isRecord(graph) ? graph : {};
  const nodes = (Array.isArray(record.nodes) ? record.nodes : [])
    .map((node) => canonicalJson(isRecord(node) ? { id: node.id, type: node.type, params: node.params ?? {} } : node))
    .sort();
  const edges = (Array.isArray(record.edges) ? record.edges : []).map((edge) =>
    canonicalJson(isRecord(edge) ? { source: edge.source, target: edge.target, targetPort: edge.targetPort } : edge),
  );
  return sha256Hex(new TextEncoder().encode(`{"edges":[${edges.join(',')}],"nodes":[${nodes.join(',')}]}`)).slice(0, 16);
};

// ---------------------------------------------------------------------------------------------
// Messages.

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A written value for a message, shortened; never throws. */
const show = (value: unknown): string => {
  let text: string;
  try {
    text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : typeof value;
  }
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

interface Bound {
  readonly min?: number;
  readonly above?: number;
  readonly max?: number;
  readonly below?: number;
}

const describeBound = ({ min, above, max, below }: Bound): string =>
  [
    min !== undefined ? `at least ${min}` : above !== undefined ? `above ${above}` : '',
    max !== undefined ? `at most ${max}` : below !== undefined ? `below ${below}` : '',
  ]
    .filter(Boolean)
    .join(' and ');

const withinBound = (value: number, { min, above, max, below }: Bound): boolean =>
  (min === undefined || value >= min) &&
  (above === undefined || value > above) &&
  (max === undefined || value <= max) &&
  (below === undefined || value < below);

/** Collects messages, each starting with the path of the field it is about. */
class Checks {
  readonly errors: string[] = [];

  add(path: string, message: string): void {
    this.errors.push(`${path} ${message}`);
  }

  private expect(value: unknown, path: string, required: boolean, expected: string, ok: boolean): boolean {
    if (value === undefined) {
      if (required) this.add(path, `is missing; it must be ${expected}`);
      return false;
    }
    if (!ok) this.add(path, `must be ${expected}, not ${show(value)}`);
    return ok;
  }

  record(value: unknown, path: string, required: boolean, expected = 'an object'): Record<string, unknown> | null {
    return this.expect(value, path, required, expected, isRecord(value)) ? (value as Record<string, unknown>) : null;
  }

  list(value: unknown, path: string, required: boolean): unknown[] | null {
    return this.expect(value, path, required, 'a list', Array.isArray(value)) ? (value as unknown[]) : null;
  }

  number(value: unknown, path: string, required: boolean, bound: Bound = {}): void {
    const described = describeBound(bound);
    const ok = typeof value === 'number' && Number.isFinite(value) && withinBound(value, bound);
    this.expect(value, path, required, described ? `a number ${described}` : 'a number', ok);
  }

  whole(value: unknown, path: string, required: boolean, min: number, max?: number): void {
    const ok = typeof value === 'number' && Number.isSafeInteger(value) && value >= min && (max === undefined || value <= max);
    this.expect(value, path, required, `a whole number from ${min}${max === undefined ? '' : ` to ${max}`}`, ok);
  }

  text(value: unknown, path: string, required: boolean, nonEmpty = false): void {
    const ok = typeof value === 'string' && (!nonEmpty || value.trim() !== '');
    this.expect(value, path, required, nonEmpty ? 'non-empty text' : 'text', ok);
  }

  boolean(value: unknown, path: string, required: boolean): void {
    this.expect(value, path, required, 'true or false', typeof value === 'boolean');
  }

  oneOf<T extends string | number>(value: unknown, path: string, required: boolean, options: readonly T[]): value is T {
    const listed = options.map((option) => show(option));
    const expected = listed.length > 1 ? `one of ${listed.slice(0, -1).join(', ')} or ${listed[listed.length - 1]}` : listed[0];
    return this.expect(value, path, required, expected, options.includes(value as T));
  }

  /** An ISO 8601 date and time; returns it in milliseconds, or null. */
  timestamp(value: unknown, path: string, required: boolean): number | null {
    const ok =
      typeof value === 'string' &&
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) &&
      Number.isFinite(Date.parse(value));
    return this.expect(value, path, required, "a date and time such as '2025-01-31T14:05:00Z'", ok) ? Date.parse(value as string) : null;
  }
}

// ---------------------------------------------------------------------------------------------
// Training settings.

const OPTIMIZER_CHECKS: Record<OptimizerKind, (raw: Record<string, unknown>, path: string, checks: Checks) => void> = {
  sgd: (raw, path, checks) => {
    checks.number(raw.momentum, `${path}.momentum`, false, { min: 0, below: 1 });
    checks.boolean(raw.nesterov, `${path}.nesterov`, false);
    checks.number(raw.weightDecay, `${path}.weightDecay`, false, { min: 0 });
    checks.number(raw.dampening, `${path}.dampening`, false, { min: 0, max: 1 });
    if (raw.nesterov === true && !(typeof raw.momentum === 'number' && raw.momentum > 0 && !raw.dampening))
      checks.add(`${path}.nesterov`, 'needs a momentum above 0 and no dampening');
  },
  adam: (raw, path, checks) => adamChecks(raw, path, checks),
  adamw: (raw, path, checks) => adamChecks(raw, path, checks),
  rmsprop: (raw, path, checks) => {
    checks.number(raw.alpha, `${path}.alpha`, false, { min: 0, below: 1 });
    checks.number(raw.epsilon, `${path}.epsilon`, false, { above: 0 });
    checks.number(raw.momentum, `${path}.momentum`, false, { min: 0, below: 1 });
    checks.number(raw.weightDecay, `${path}.weightDecay`, false, { min: 0 });
  },
};

const adamChecks = (raw: Record<string, unknown>, path: string, checks: Checks): void => {
  checks.number(raw.beta1, `${path}.beta1`, false, { min: 0, below: 1 });
  checks.number(raw.beta2, `${path}.beta2`, false, { min: 0, below: 1 });
  checks.number(raw.epsilon, `${path}.epsilon`, false, { above: 0 });
  checks.number(raw.weightDecay, `${path}.weightDecay`, false, { min: 0 });
};

const SCHEDULE_CHECKS: Record<Schedule['kind'], (raw: Record<string, unknown>, path: string, checks: Checks) => void> = {
  constant: () => {},
  step: (raw, path, checks) => {
    checks.whole(raw.everyEpochs, `${path}.everyEpochs`, true, 1);
    checks.number(raw.gamma, `${path}.gamma`, true, { above: 0 });
  },
  'multi-step': (raw, path, checks) => {
    const milestones = checks.list(raw.milestones, `${path}.milestones`, true);
    milestones?.forEach((milestone, index) => {
      checks.whole(milestone, `${path}.milestones[${index}]`, true, 1);
      if (index > 0 && typeof milestone === 'number' && !(milestone > (milestones[index - 1] as number)))
        checks.add(`${path}.milestones`, 'must list epochs in increasing order');
    });
    checks.number(raw.gamma, `${path}.gamma`, true, { above: 0 });
  },
  exponential: (raw, path, checks) => checks.number(raw.gamma, `${path}.gamma`, true, { above: 0 }),
  cosine: (raw, path, checks) => {
    checks.whole(raw.totalEpochs, `${path}.totalEpochs`, true, 1);
    checks.number(raw.minimum, `${path}.minimum`, false, { min: 0 });
  },
  plateau: (raw, path, checks) => {
    checks.number(raw.factor, `${path}.factor`, true, { above: 0, below: 1 });
    checks.whole(raw.patience, `${path}.patience`, true, 0);
    checks.number(raw.minimum, `${path}.minimum`, false, { min: 0 });
  },
};

const INIT_CHECKS: Record<RandomInit['kind'], (raw: Record<string, unknown>, path: string, checks: Checks) => void> = {
  'pytorch-default': () => {},
  'he-normal': () => {},
  'he-uniform': () => {},
  'glorot-normal': () => {},
  'glorot-uniform': () => {},
  normal: (raw, path, checks) => checks.number(raw.std, `${path}.std`, true, { above: 0 }),
  uniform: (raw, path, checks) => checks.number(raw.limit, `${path}.limit`, true, { above: 0 }),
};

const PRESET_CHECKS: Record<FilterPreset['kind'], (raw: Record<string, unknown>, path: string, checks: Checks) => void> = {
  'sobel-x': () => {},
  'sobel-y': () => {},
  'prewitt-x': () => {},
  'prewitt-y': () => {},
  laplacian: () => {},
  identity: () => {},
  gaussian: (raw, path, checks) => checks.number(raw.sigma, `${path}.sigma`, false, { above: 0 }),
  gabor: (raw, path, checks) => {
    checks.number(raw.orientation, `${path}.orientation`, true);
    checks.number(raw.wavelength, `${path}.wavelength`, true, { above: 0 });
    checks.number(raw.sigma, `${path}.sigma`, true, { above: 0 });
    checks.number(raw.phase, `${path}.phase`, true);
  },
  custom: (raw, path, checks) => {
    const rows = checks.list(raw.matrix, `${path}.matrix`, true);
    rows?.forEach((row, r) => {
      const values = checks.list(row, `${path}.matrix[${r}]`, true);
      values?.forEach((value, c) => checks.number(value, `${path}.matrix[${r}][${c}]`, true));
    });
  },
};

const START_CHECKS: Record<FilterStart['kind'], (raw: Record<string, unknown>, path: string, checks: Checks) => void> = {
  random: (raw, path, checks) => checkKind(raw.init, `${path}.init`, false, INIT_CHECKS, checks),
  kmeans: (raw, path, checks) => {
    checks.whole(raw.patches, `${path}.patches`, false, 1);
    checks.whole(raw.iterations, `${path}.iterations`, false, 0);
  },
};

/** `training.filters`: per Conv2D node id, how its filters start and which are frozen (filter-init.ts). */
const checkFilterInits = (value: unknown, path: string, checks: Checks): void => {
  const raw = checks.record(value, path, false, 'an object of filter settings by layer id');
  if (!raw) return;
  for (const [nodeId, init] of Object.entries(raw)) {
    const layer = checks.record(init, `${path}.${nodeId}`, true, 'an object with start and filters');
    if (!layer) continue;
    checkKind(layer.start, `${path}.${nodeId}.start`, false, START_CHECKS, checks);
    checks.list(layer.filters, `${path}.${nodeId}.filters`, false)?.forEach((entry, i) => {
      const at = `${path}.${nodeId}.filters[${i}]`;
      const setting = checks.record(entry, at, true, 'an object with filter, preset and frozen');
      if (!setting) return;
      checks.whole(setting.filter, `${at}.filter`, true, 0);
      checkKind(setting.preset, `${at}.preset`, false, PRESET_CHECKS, checks);
      if (setting.frozen !== undefined && typeof setting.frozen !== 'boolean')
        checks.add(`${at}.frozen`, `must be true or false, not ${show(setting.frozen)}`);
    });
  }
};

/** Checks a tagged union member: an object whose `kind` picks the checks of its other fields. */
const checkKind = <K extends string>(
  value: unknown,
  path: string,
  required: boolean,
  table: Record<K, (raw: Record<string, unknown>, path: string, checks: Checks) => void>,
  checks: Checks,
): void => {
  const raw = checks.record(value, path, required, `an object with a kind`);
  if (!raw) return;
  const kinds = Object.keys(table) as K[];
  if (checks.oneOf(raw.kind, `${path}.kind`, true, kinds)) table[raw.kind](raw, path, checks);
};

const checkTraining = (value: unknown, path: string, checks: Checks): void => {
  const raw = checks.record(value, path, true, 'an object of hyper-parameters');
  if (!raw) return;
  checks.whole(raw.epochs, `${path}.epochs`, true, 1);
  checks.whole(raw.batchSize, `${path}.batchSize`, true, 1);
  checks.number(raw.learningRate, `${path}.learningRate`, true, { above: 0 });
  checkKind(raw.optimizer, `${path}.optimizer`, true, OPTIMIZER_CHECKS, checks);
  checkKind(raw.schedule, `${path}.schedule`, false, SCHEDULE_CHECKS, checks);
  checks.whole(raw.warmUpSteps, `${path}.warmUpSteps`, false, 0);
  checks.number(raw.clipNorm, `${path}.clipNorm`, false, { above: 0 });
  checks.number(raw.clipValue, `${path}.clipValue`, false, { above: 0 });
  checks.whole(raw.seed, `${path}.seed`, true, 0, 2 ** 32 - 1);
  checkKind(raw.init, `${path}.init`, false, INIT_CHECKS, checks);
  checkFilterInits(raw.filters, `${path}.filters`, checks);
  const early = checks.record(raw.earlyStopping, `${path}.earlyStopping`, false, 'an object with patience and minDelta');
  if (early) {
    checks.whole(early.patience, `${path}.earlyStopping.patience`, true, 1);
    checks.number(early.minDelta, `${path}.earlyStopping.minDelta`, false, { min: 0 });
  }
};

// ---------------------------------------------------------------------------------------------
// Data.

const CHANNELS = [1, 3] as const;
const RESIZE: readonly ImageResize[] = ['area', 'bilinear'];

const DATASET_CHECKS: Record<DatasetKind, (raw: Record<string, unknown>, path: string, checks: Checks) => void> = {
  mnist: () => {},
  shapes: (raw, path, checks) => {
    checks.oneOf(raw.task, `${path}.task`, true, ['classify', 'size']);
    checks.whole(raw.size, `${path}.size`, false, 1);
    checks.oneOf(raw.channels, `${path}.channels`, false, CHANNELS);
    checks.whole(raw.samples, `${path}.samples`, false, 1);
    checks.number(raw.noise, `${path}.noise`, false, { min: 0 });
    checks.whole(raw.seed, `${path}.seed`, false, 0, 2 ** 32 - 1);
  },
  denoise: (raw, path, checks) => {
    checks.whole(raw.size, `${path}.size`, false, 1);
    checks.oneOf(raw.channels, `${path}.channels`, false, CHANNELS);
    checks.whole(raw.samples, `${path}.samples`, false, 1);
    checks.number(raw.noise, `${path}.noise`, false, { min: 0 });
    checks.whole(raw.seed, `${path}.seed`, false, 0, 2 ** 32 - 1);
  },
  folder: (raw, path, checks) => {
    checks.text(raw.path, `${path}.path`, true, true);
    checks.whole(raw.size, `${path}.size`, true, 1);
    checks.oneOf(raw.channels, `${path}.channels`, true, CHANNELS);
    checks.oneOf(raw.resize, `${path}.resize`, false, RESIZE);
  },
  idx: (raw, path, checks) => {
    checks.text(raw.images, `${path}.images`, true, true);
    checks.text(raw.labels, `${path}.labels`, true, true);
  },
  csv: (raw, path, checks) => {
    checks.text(raw.path, `${path}.path`, true, true);
    checks.whole(raw.size, `${path}.size`, false, 1);
    checks.oneOf(raw.channels, `${path}.channels`, false, CHANNELS);
    checks.oneOf(raw.target, `${path}.target`, false, ['class', 'values']);
    checks.oneOf(raw.resize, `${path}.resize`, false, RESIZE);
  },
};

const checkSplit = (value: unknown, path: string, checks: Checks): void => {
  const raw = checks.record(value, path, false);
  if (!raw) return;
  checks.number(raw.validation, `${path}.validation`, true, { min: 0, below: 1 });
  checks.number(raw.test, `${path}.test`, true, { min: 0, below: 1 });
  checks.whole(raw.seed, `${path}.seed`, true, 0, 2 ** 32 - 1);
  if (typeof raw.validation === 'number' && typeof raw.test === 'number' && raw.validation + raw.test >= 1)
    checks.add(path, `holds out ${raw.validation} + ${raw.test} of the data, leaving none to train on`);
};

const checkPreprocess = (value: unknown, path: string, checks: Checks): void => {
  const raw = checks.record(value, path, false);
  if (!raw) return;
  checks.boolean(raw.normalise, `${path}.normalise`, true);
  const augment = checks.record(raw.augment, `${path}.augment`, false);
  if (!augment) return;
  checks.boolean(augment.flipHorizontal, `${path}.augment.flipHorizontal`, false);
  checks.boolean(augment.flipVertical, `${path}.augment.flipVertical`, false);
  checks.whole(augment.shift, `${path}.augment.shift`, false, 0);
  checks.number(augment.rotate, `${path}.augment.rotate`, false, { min: 0, max: 180 });
  checks.number(augment.noise, `${path}.augment.noise`, false, { min: 0 });
  checks.whole(augment.seed, `${path}.augment.seed`, false, 0, 2 ** 32 - 1);
};

// ---------------------------------------------------------------------------------------------
// The graph: its structure only. A project may hold a graph with errors (work in progress);
// analyzeGraph reports those, node by node.

const checkGraph = (value: unknown, path: string, checks: Checks, tooNew: { value: boolean }): void => {
  const raw = checks.record(value, path, true, 'a graph document (an object with nodes and edges)');
  if (!raw) return;
  if (raw.format !== undefined && raw.format !== GRAPH_FORMAT)
    checks.add(`${path}.format`, `must be '${GRAPH_FORMAT}', not ${show(raw.format)}`);
  if (raw.version !== undefined) {
    checks.whole(raw.version, `${path}.version`, true, 1);
    if (typeof raw.version === 'number' && Number.isSafeInteger(raw.version) && raw.version > GRAPH_VERSION) {
      tooNew.value = true;
      checks.add(
        `${path}.version`,
        `is ${raw.version}: the graph was made by a newer CNN Studio (this one reads graph version ${GRAPH_VERSION}); update CNN Studio to open it`,
      );
    }
  }
  checks.text(raw.name, `${path}.name`, false);
  checks.text(raw.description, `${path}.description`, false);
  checks.list(raw.nodes, `${path}.nodes`, true)?.forEach((node, index) => {
    const at = `${path}.nodes[${index}]`;
    const record = checks.record(node, at, true, 'a node (an object with an id and a type)');
    if (!record) return;
    checks.text(record.id, `${at}.id`, true, true);
    checks.text(record.type, `${at}.type`, true, true);
    checks.record(record.params, `${at}.params`, false, 'an object of parameters');
    checks.text(record.label, `${at}.label`, false);
    const position = checks.record(record.position, `${at}.position`, false, 'an object with x and y');
    if (position) {
      checks.number(position.x, `${at}.position.x`, true);
      checks.number(position.y, `${at}.position.y`, true);
    }
  });
  checks.list(raw.edges, `${path}.edges`, false)?.forEach((edge, index) => {
    const at = `${path}.edges[${index}]`;
    const record = checks.record(edge, at, true, 'an edge (an object with a source and a target)');
    if (!record) return;
    checks.text(record.source, `${at}.source`, true, true);
    checks.text(record.target, `${at}.target`, true, true);
    checks.whole(record.targetPort, `${at}.targetPort`, false, 0);
  });
};

// ---------------------------------------------------------------------------------------------
// Runs.

const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'stopped', 'failed'];

const checkEpochs = (value: unknown, path: string, checks: Checks): void => {
  let previous = 0;
  checks.list(value, path, true)?.forEach((epoch, index) => {
    const at = `${path}[${index}]`;
    const raw = checks.record(epoch, at, true, 'an epoch summary');
    if (!raw) return;
    checks.whole(raw.epoch, `${at}.epoch`, true, 1);
    if (typeof raw.epoch === 'number') {
      if (raw.epoch <= previous) checks.add(`${at}.epoch`, `must come after epoch ${previous}, not ${show(raw.epoch)}`);
      previous = raw.epoch;
    }
    checks.number(raw.trainLoss, `${at}.trainLoss`, true);
    checks.number(raw.trainAccuracy, `${at}.trainAccuracy`, false, { min: 0, max: 1 });
    checks.number(raw.validationLoss, `${at}.validationLoss`, false);
    checks.number(raw.validationAccuracy, `${at}.validationAccuracy`, false, { min: 0, max: 1 });
    checks.number(raw.learningRate, `${at}.learningRate`, true, { min: 0 });
    checks.number(raw.seconds, `${at}.seconds`, true, { min: 0 });
  });
};

const checkBinned = (value: unknown, path: string, required: boolean, checks: Checks): void => {
  const raw = checks.record(value, path, required, 'a histogram (an object with min, max and counts)');
  if (!raw) return;
  checks.number(raw.min, `${path}.min`, true);
  checks.number(raw.max, `${path}.max`, true);
  if (typeof raw.min === 'number' && typeof raw.max === 'number' && raw.min > raw.max)
    checks.add(`${path}.max`, `is below min (${raw.min})`);
  checks.list(raw.counts, `${path}.counts`, true)?.forEach((count, index) => checks.whole(count, `${path}.counts[${index}]`, true, 0));
};

/** RunRecord.epochStats: engine/viz/training-stats.ts's EpochStats, one per epoch, in order. */
const checkEpochStats = (value: unknown, path: string, checks: Checks): void => {
  let previous = 0;
  checks.list(value, path, true)?.forEach((epoch, index) => {
    const at = `${path}[${index}]`;
    const raw = checks.record(epoch, at, true, "an epoch's statistics");
    if (!raw) return;
    checks.whole(raw.epoch, `${at}.epoch`, true, 1);
    if (typeof raw.epoch === 'number') {
      if (raw.epoch <= previous) checks.add(`${at}.epoch`, `must come after epoch ${previous}, not ${show(raw.epoch)}`);
      previous = raw.epoch;
    }
    checks.whole(raw.globalStep, `${at}.globalStep`, true, 0);
    checks.list(raw.layers, `${at}.layers`, true)?.forEach((layer, n) => {
      const where = `${at}.layers[${n}]`;
      const stats = checks.record(layer, where, true, 'a layer’s statistics');
      if (!stats) return;
      checks.text(stats.nodeId, `${where}.nodeId`, true, true);
      checkBinned(stats.weights, `${where}.weights`, true, checks);
      checks.number(stats.weightNorm, `${where}.weightNorm`, true, { min: 0 });
      checkBinned(stats.gradients, `${where}.gradients`, false, checks);
      checks.number(stats.gradientNorm, `${where}.gradientNorm`, false, { min: 0 });
    });
    checks.list(raw.relus, `${at}.relus`, true)?.forEach((relu, n) => {
      const where = `${at}.relus[${n}]`;
      const stats = checks.record(relu, where, true, 'a ReLU’s statistics');
      if (!stats) return;
      checks.text(stats.nodeId, `${where}.nodeId`, true, true);
      checks.whole(stats.deadUnits, `${where}.deadUnits`, true, 0);
      checks.whole(stats.units, `${where}.units`, true, 0);
      checks.whole(stats.probeSamples, `${where}.probeSamples`, true, 0);
      if (typeof stats.deadUnits === 'number' && typeof stats.units === 'number' && stats.deadUnits > stats.units)
        checks.add(`${where}.deadUnits`, `is more than its ${stats.units} units`);
    });
  });
};

const checkRun = (value: unknown, path: string, checks: Checks, seen: Map<string, number>, index: number): void => {
  const raw = checks.record(value, path, true, 'a run record');
  if (!raw) return;
  const id = raw.id;
  if (typeof id === 'string' && RUN_ID_PATTERN.test(id)) {
    const earlier = seen.get(id);
    if (earlier !== undefined) checks.add(`${path}.id`, `'${id}' is also the id of runs[${earlier}]; each run needs its own`);
    else seen.set(id, index);
  } else checks.add(`${path}.id`, `must be 1–64 letters, digits, '_' or '-', starting with a letter or digit, not ${show(id)}`);
  const started = checks.timestamp(raw.startedAt, `${path}.startedAt`, true);
  const finished = checks.timestamp(raw.finishedAt, `${path}.finishedAt`, false);
  if (started !== null && finished !== null && finished < started) checks.add(`${path}.finishedAt`, 'is before startedAt');
  checks.oneOf(raw.status, `${path}.status`, true, RUN_STATUSES);
  checks.text(raw.failure, `${path}.failure`, false);
  checks.text(raw.graphVersion, `${path}.graphVersion`, true, true);
  checks.number(raw.multiplyAdds, `${path}.multiplyAdds`, false, { min: 0 });
  checkTraining(raw.training, `${path}.training`, checks);
  checkKind(raw.dataset, `${path}.dataset`, true, DATASET_CHECKS, checks);
  checkSplit(raw.split, `${path}.split`, checks);
  checkPreprocess(raw.preprocess, `${path}.preprocess`, checks);
  checkEpochs(raw.epochs, `${path}.epochs`, checks);
  if (raw.epochStats !== undefined) checkEpochStats(raw.epochStats, `${path}.epochStats`, checks);
  if (raw.weightsFile !== undefined && typeof id === 'string' && raw.weightsFile !== runWeightsFile(id))
    checks.add(`${path}.weightsFile`, `must be '${runWeightsFile(id)}', not ${show(raw.weightsFile)}`);
};

// ---------------------------------------------------------------------------------------------
// Versions and migrations.

/** Turns a document of one format version into the next version's. */
export type Migration = (old: Record<string, unknown>) => Record<string, unknown>;

/**
 * Version 0 is the graph document on its own (docs/FILE_FORMAT.md, "The graph"), as CNN Studio
 * wrote it before projects: it opens as a project with default training settings and no runs.
 */
const fromGraphDocument: Migration = (old) => {
  const { formatVersion: _, ...graph } = old;
  return {
    formatVersion: 1,
    kind: PROJECT_KIND,
    name: typeof graph.name === 'string' && graph.name.trim() ? graph.name : 'Untitled',
    createdWith: 'a CNN Studio graph file',
    graph,
    training: { ...DEFAULT_TRAINING },
    runs: [],
  };
};

/** MIGRATIONS[n] turns version n into version n + 1. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = { 0: fromGraphDocument };

/** The format version a document says it has; a bare graph document is version 0. */
const versionOf = (raw: Record<string, unknown>): number | string => {
  if (raw.formatVersion === undefined) {
    if (raw.kind === undefined && (raw.format === GRAPH_FORMAT || Array.isArray(raw.nodes))) return 0;
    return raw.kind === PROJECT_KIND
      ? 'formatVersion is missing'
      : 'this is not a CNN Studio project: it has no formatVersion (and is not a graph document either)';
  }
  const version = raw.formatVersion;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
    return `formatVersion must be a whole number from 0, not ${show(version)}`;
  return version;
};

/**
 * Runs the migrations from `from` up to `to`, one version at a time. Never throws: a missing
 * step or a migration that throws gives a message.
 */
export const migrate = (
  raw: Record<string, unknown>,
  from: number,
  to: number,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } => {
  let value = raw;
  for (let version = from; version < to; version++) {
    const step = Object.hasOwn(migrations, version) ? migrations[version] : undefined;
    if (!step) return { ok: false, error: `there is no way to upgrade a project of format version ${version}` };
    try {
      value = step(value);
    } catch (error) {
      return {
        ok: false,
        error: `upgrading from format version ${version} failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if (!isRecord(value)) return { ok: false, error: `upgrading from format version ${version} did not give a document` };
  }
  return { ok: true, value };
};

/** The depth of a JSON value, counted without recursion; stops counting past `limit`. */
const depthExceeds = (root: unknown, limit: number): boolean => {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value))
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
};

const capErrors = (errors: string[]): string[] =>
  errors.length > MAX_ERRORS ? [...errors.slice(0, MAX_ERRORS), `… and ${errors.length - MAX_ERRORS} more problems`] : errors;

const parseProjectUnsafe = (json: unknown, migrations: Readonly<Record<number, Migration>>): ParseResult => {
  if (!isRecord(json)) return { ok: false, errors: [`a project must be a JSON object, not ${show(json)}`] };
  if (depthExceeds(json, MAX_JSON_DEPTH))
    return { ok: false, errors: [`the project nests values more than ${MAX_JSON_DEPTH} levels deep`] };
  const version = versionOf(json);
  if (typeof version === 'string') return { ok: false, errors: [version] };
  if (version > PROJECT_FORMAT_VERSION)
    return {
      ok: false,
      tooNew: true,
      errors: [
        `the project was made by a newer CNN Studio (format version ${version}; this one reads up to version ${PROJECT_FORMAT_VERSION}); update CNN Studio to open it`,
      ],
    };
  const migrated = migrate(json, version, PROJECT_FORMAT_VERSION, migrations);
  if (!migrated.ok) return { ok: false, errors: [migrated.error] };
  const raw = migrated.value;
  if (depthExceeds(raw, MAX_JSON_DEPTH)) return { ok: false, errors: [`the project nests values more than ${MAX_JSON_DEPTH} levels deep`] };

  const checks = new Checks();
  const tooNew = { value: false };
  if (raw.formatVersion !== PROJECT_FORMAT_VERSION)
    checks.add('formatVersion', `must be ${PROJECT_FORMAT_VERSION} after upgrading, not ${show(raw.formatVersion)}`);
  if (raw.kind !== PROJECT_KIND) checks.add('kind', `must be '${PROJECT_KIND}', not ${show(raw.kind)}`);
  checks.text(raw.name, 'name', true);
  checks.text(raw.createdWith, 'createdWith', false);
  checkGraph(raw.graph, 'graph', checks, tooNew);
  const layout = checks.record(raw.layout, 'layout', false, 'an object with x, y and zoom');
  if (layout) {
    checks.number(layout.x, 'layout.x', true);
    checks.number(layout.y, 'layout.y', true);
    checks.number(layout.zoom, 'layout.zoom', true, { above: 0 });
  }
  checkTraining(raw.training, 'training', checks);
  checkKind(raw.dataset, 'dataset', false, DATASET_CHECKS, checks);
  checkSplit(raw.split, 'split', checks);
  checkPreprocess(raw.preprocess, 'preprocess', checks);
  const weights = checks.record(raw.weights, 'weights', false, 'an object with file and graphVersion');
  if (weights) {
    if (weights.file !== CURRENT_WEIGHTS_FILE) checks.add('weights.file', `must be '${CURRENT_WEIGHTS_FILE}', not ${show(weights.file)}`);
    checks.text(weights.graphVersion, 'weights.graphVersion', true, true);
  }
  const seen = new Map<string, number>();
  checks.list(raw.runs, 'runs', false)?.forEach((run, index) => checkRun(run, `runs[${index}]`, checks, seen, index));
  if (checks.errors.length)
    return tooNew.value ? { ok: false, tooNew: true, errors: capErrors(checks.errors) } : { ok: false, errors: capErrors(checks.errors) };

  const graph = raw.graph as Record<string, unknown>;
  const project = {
    ...raw,
    createdWith: raw.createdWith ?? '',
    graph: { format: GRAPH_FORMAT, version: GRAPH_VERSION, ...graph, edges: graph.edges ?? [] },
    runs: raw.runs ?? [],
  } as unknown as ProjectDocument;
  return version < PROJECT_FORMAT_VERSION ? { ok: true, project, migratedFrom: version } : { ok: true, project };
};

/**
 * Checks a project document of any content (parsed JSON), migrating an older version first.
 * Never throws. Unknown fields are kept; `createdWith`, `graph.edges` and `runs` take their
 * defaults when absent.
 */
export const parseProject = (json: unknown, migrations: Readonly<Record<number, Migration>> = MIGRATIONS): ParseResult => {
  try {
    return parseProjectUnsafe(json, migrations);
  } catch (error) {
    // Only reachable with values JSON cannot produce (getters that throw, proxies).
    return { ok: false, errors: [`the project could not be read: ${error instanceof Error ? error.message : String(error)}`] };
  }
};

// ---------------------------------------------------------------------------------------------
// Making and writing projects.

export interface NewProjectOptions {
  readonly name?: string;
  readonly createdWith?: string;
  readonly training?: Partial<TrainingSettings>;
  readonly dataset?: DatasetSpec;
  readonly split?: SplitSpec;
  readonly preprocess?: PreprocessSpec;
  readonly layout?: Viewport;
}

/** A new project around a graph, with default training settings and no runs. */
export const newProject = (graph: GraphDocument, options: NewProjectOptions = {}): ProjectDocument => ({
  formatVersion: PROJECT_FORMAT_VERSION,
  kind: PROJECT_KIND,
  name: options.name ?? (graph.name?.trim() ? graph.name : 'Untitled'),
  createdWith: options.createdWith ?? 'CNN Studio',
  graph,
  ...(options.layout ? { layout: options.layout } : {}),
  training: { ...DEFAULT_TRAINING, ...options.training },
  ...(options.dataset ? { dataset: options.dataset } : {}),
  ...(options.split ? { split: options.split } : {}),
  ...(options.preprocess ? { preprocess: options.preprocess } : {}),
  runs: [],
});

/** A run id not yet used in the project: `run-1`, `run-2`, … */
export const newRunId = (project: Pick<ProjectDocument, 'runs'>): string => {
  const taken = new Set(project.runs.map((run) => run.id));
  let n = project.runs.length + 1;
  while (taken.has(`run-${n}`)) n++;
  return `run-${n}`;
};

const KEY_ORDER = [
  'formatVersion',
  'kind',
  'name',
  'createdWith',
  'graph',
  'layout',
  'training',
  'dataset',
  'split',
  'preprocess',
  'weights',
  'runs',
];

/** project.json's text: known fields first in a fixed order, then any others, one node, edge and epoch per line. */
export const serializeProject = (project: ProjectDocument): string => {
  const record = project as unknown as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const key of KEY_ORDER) if (record[key] !== undefined) ordered[key] = record[key];
  for (const [key, value] of Object.entries(record)) if (!Object.hasOwn(ordered, key)) ordered[key] = value;
  return formatJson(ordered, { oneLine: oneLinePaths });
};

/** Each node, edge and epoch on its own line, whatever its length. */
const oneLinePaths = (path: JsonPath): boolean =>
  (path.length === 3 && path[0] === 'graph' && (path[1] === 'nodes' || path[1] === 'edges') && typeof path[2] === 'number') ||
  (path.length === 4 && path[0] === 'runs' && (path[2] === 'epochs' || path[2] === 'epochStats') && typeof path[3] === 'number');
