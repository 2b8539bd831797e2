/**
 * The hyper-parameters the training panel edits, as the project stores them: epochs, batch size,
 * learning rate and the optimiser with its parameters, the learning-rate schedule and warm-up,
 * the seed and the initialisation (in `training`), and augmentation (in `preprocess.augment`). Pure edits, each giving new settings,
 * and the parsing of typed values with a message saying what is wrong. Settings at their default
 * are left out, so the project file only holds what someone chose.
 */
import type { PreprocessSpec } from '../../engine/data/spec';
import { DEFAULT_TRAINING, type ProjectDocument } from '../../engine/project/schema';
import type { RandomInit } from '../../engine/train/init';
import type { OptimizerConfig, OptimizerKind } from '../../engine/train/optimizers';
import type { Schedule } from '../../engine/train/schedules';

export type Augment = NonNullable<PreprocessSpec['augment']>;

export interface RunSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly optimizer: OptimizerConfig;
  readonly seed: number;
  /** Absent: a constant rate. */
  readonly schedule?: Schedule;
  readonly warmUpSteps?: number;
  /** Absent: PyTorch's default. */
  readonly init?: RandomInit;
  /** Absent: no augmentation. */
  readonly augment?: Augment;
}

export const DEFAULT_RUN_SETTINGS: RunSettings = {
  epochs: DEFAULT_TRAINING.epochs,
  batchSize: DEFAULT_TRAINING.batchSize,
  learningRate: DEFAULT_TRAINING.learningRate,
  optimizer: DEFAULT_TRAINING.optimizer,
  seed: DEFAULT_TRAINING.seed,
};

export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ['adam', 'adamw', 'sgd', 'rmsprop'];

export const SCHEDULE_KINDS: readonly { readonly kind: Schedule['kind']; readonly label: string }[] = [
  { kind: 'constant', label: 'constant' },
  { kind: 'step', label: 'step' },
  { kind: 'multi-step', label: 'multi-step' },
  { kind: 'exponential', label: 'exponential' },
  { kind: 'cosine', label: 'cosine' },
  { kind: 'plateau', label: 'reduce on plateau' },
];

export const INIT_KINDS: readonly { readonly kind: RandomInit['kind']; readonly label: string }[] = [
  { kind: 'pytorch-default', label: 'PyTorch default' },
  { kind: 'he-uniform', label: 'He uniform' },
  { kind: 'he-normal', label: 'He normal' },
  { kind: 'glorot-uniform', label: 'Glorot uniform' },
  { kind: 'glorot-normal', label: 'Glorot normal' },
  { kind: 'uniform', label: 'uniform ±limit' },
  { kind: 'normal', label: 'normal (std)' },
];

// ---------------------------------------------------------------------------------------------
// Typed values.

/** What a typed number must be. `optional`: blank text means "absent". */
export interface NumberRule {
  readonly whole?: boolean;
  readonly min?: number;
  readonly above?: number;
  readonly max?: number;
  readonly below?: number;
  readonly optional?: boolean;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const describeRule = (rule: NumberRule): string => {
  const bounds = [
    rule.min !== undefined ? `from ${rule.min}` : '',
    rule.above !== undefined ? `above ${rule.above}` : '',
    rule.max !== undefined ? `to ${rule.max}` : '',
    rule.below !== undefined ? `below ${rule.below}` : '',
  ].filter(Boolean);
  return `enter ${rule.whole ? 'a whole number' : 'a number'}${bounds.length ? ` ${bounds.join(' ')}` : ''}`;
};

export const parseNumber = (input: string, rule: NumberRule): Parsed<number | undefined> => {
  const text = input.trim();
  if (text === '') return rule.optional ? { ok: true, value: undefined } : { ok: false, problem: describeRule(rule) };
  const value = Number(text);
  const fits =
    Number.isFinite(value) &&
    (!rule.whole || Number.isSafeInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.max === undefined || value <= rule.max) &&
    (rule.below === undefined || value < rule.below);
  return fits ? { ok: true, value } : { ok: false, problem: describeRule(rule) };
};

/** Epochs in increasing order, such as `5, 10`. */
export const parseMilestones = (input: string): Parsed<number[]> => {
  const parts = input.split(/[\s,]+/).filter(Boolean);
  const values = parts.map(Number);
  if (!parts.length || !values.every((value) => Number.isSafeInteger(value) && value >= 1))
    return { ok: false, problem: 'enter epochs from 1, such as 5, 10' };
  if (values.some((value, i) => i > 0 && value <= values[i - 1])) return { ok: false, problem: 'list the epochs in increasing order' };
  return { ok: true, value: values };
};

export const SEED_RULE: NumberRule = { whole: true, min: 0, max: 2 ** 32 - 1 };
export const EPOCHS_RULE: NumberRule = { whole: true, min: 1, max: 100_000 };
export const BATCH_SIZE_RULE: NumberRule = { whole: true, min: 1, max: 65_536 };
export const LEARNING_RATE_RULE: NumberRule = { above: 0 };
export const WARM_UP_RULE: NumberRule = { whole: true, min: 0, optional: true };

/** A schedule's own parameters, in the order they are shown. */
export interface ScheduleField {
  readonly name: string;
  readonly label: string;
  readonly help: string;
  /** Absent for the milestones, which are a list. */
  readonly rule?: NumberRule;
}

const GAMMA: ScheduleField = { name: 'gamma', label: '×', help: 'multiply the rate by this', rule: { above: 0 } };
const MINIMUM: ScheduleField = { name: 'minimum', label: 'min', help: 'the lowest rate (blank: 0)', rule: { min: 0, optional: true } };

export const SCHEDULE_FIELDS: Record<Schedule['kind'], readonly ScheduleField[]> = {
  constant: [],
  step: [{ name: 'everyEpochs', label: 'every', help: 'epochs between reductions', rule: { whole: true, min: 1 } }, GAMMA],
  'multi-step': [{ name: 'milestones', label: 'at epochs', help: 'the epochs at which to reduce, such as 5, 10' }, GAMMA],
  exponential: [{ ...GAMMA, help: 'multiply the rate by this every epoch' }],
  cosine: [
    {
      name: 'totalEpochs',
      label: 'over',
      help: 'epochs from the base rate to the minimum; while it equals Epochs it follows a change of Epochs',
      rule: { whole: true, min: 1 },
    },
    MINIMUM,
  ],
  plateau: [
    { name: 'factor', label: '×', help: 'multiply the rate by this when the validation loss stalls', rule: { above: 0, below: 1 } },
    { name: 'patience', label: 'patience', help: 'epochs without improvement before reducing', rule: { whole: true, min: 0 } },
    MINIMUM,
  ],
};

/** A schedule field's value as text. */
export const scheduleFieldText = (schedule: Schedule | undefined, name: string): string => {
  const value = (schedule as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(value)) return value.join(', ');
  return value === undefined ? '' : String(value);
};

export const parseScheduleField = (field: ScheduleField, text: string): Parsed<number | number[] | undefined> =>
  field.rule ? parseNumber(text, field.rule) : parseMilestones(text);

/** An optimiser's own numeric parameter; blank leaves it at PyTorch's default (`placeholder`). */
export interface OptimizerField {
  readonly name: string;
  readonly label: string;
  readonly help: string;
  readonly rule: NumberRule;
  readonly placeholder: string;
}

const WEIGHT_DECAY: OptimizerField = {
  name: 'weightDecay',
  label: 'weight decay',
  help: 'L2 penalty on the weights (blank: 0)',
  rule: { min: 0, optional: true },
  placeholder: '0',
};
const ADAM_FIELDS: readonly OptimizerField[] = [
  {
    name: 'beta1',
    label: 'β1',
    help: 'decay of the running mean of the gradient (blank: 0.9)',
    rule: { min: 0, below: 1, optional: true },
    placeholder: '0.9',
  },
  {
    name: 'beta2',
    label: 'β2',
    help: 'decay of the running mean of its square (blank: 0.999)',
    rule: { min: 0, below: 1, optional: true },
    placeholder: '0.999',
  },
  { name: 'epsilon', label: 'ε', help: 'added to the denominator (blank: 1e-8)', rule: { above: 0, optional: true }, placeholder: '1e-8' },
  WEIGHT_DECAY,
];

export const OPTIMIZER_FIELDS: Record<OptimizerKind, readonly OptimizerField[]> = {
  sgd: [
    {
      name: 'momentum',
      label: 'momentum',
      help: 'how much of the last step carries on (blank: 0)',
      rule: { min: 0, below: 1, optional: true },
      placeholder: '0',
    },
    {
      name: 'dampening',
      label: 'dampening',
      help: 'how much of the gradient the momentum leaves out (blank: 0)',
      rule: { min: 0, max: 1, optional: true },
      placeholder: '0',
    },
    WEIGHT_DECAY,
  ],
  adam: ADAM_FIELDS,
  adamw: ADAM_FIELDS,
  rmsprop: [
    {
      name: 'alpha',
      label: 'α',
      help: 'decay of the running mean of the squared gradient (blank: 0.99)',
      rule: { min: 0, below: 1, optional: true },
      placeholder: '0.99',
    },
    {
      name: 'epsilon',
      label: 'ε',
      help: 'added to the denominator (blank: 1e-8)',
      rule: { above: 0, optional: true },
      placeholder: '1e-8',
    },
    {
      name: 'momentum',
      label: 'momentum',
      help: 'how much of the last step carries on (blank: 0)',
      rule: { min: 0, below: 1, optional: true },
      placeholder: '0',
    },
    WEIGHT_DECAY,
  ],
};

/** What is wrong with an optimiser's parameters together (Nesterov needs momentum and no dampening), or null. */
export const optimizerProblem = (optimizer: OptimizerConfig): string | null =>
  optimizer.kind === 'sgd' && optimizer.nesterov && !((optimizer.momentum ?? 0) > 0 && !optimizer.dampening)
    ? 'Nesterov needs a momentum above 0 and no dampening'
    : null;

// ---------------------------------------------------------------------------------------------
// Edits.

const without = <T extends object>(value: T, key: string): T => {
  const copy = { ...value } as Record<string, unknown>;
  delete copy[key];
  return copy as T;
};

export const setSeed = (run: RunSettings, seed: number): RunSettings => ({ ...run, seed });

/** A cosine schedule over as many epochs as the run follows a change of the epochs; one set to another length keeps it. */
export const setEpochs = (run: RunSettings, epochs: number): RunSettings => {
  const schedule = run.schedule;
  if (schedule?.kind === 'cosine' && schedule.totalEpochs === run.epochs)
    return { ...run, epochs, schedule: { ...schedule, totalEpochs: epochs } };
  return { ...run, epochs };
};

export const setBatchSize = (run: RunSettings, batchSize: number): RunSettings => ({ ...run, batchSize });

export const setLearningRate = (run: RunSettings, learningRate: number): RunSettings => ({ ...run, learningRate });

/** Another optimiser with PyTorch's defaults (SGD with momentum 0.9); the same kind keeps its parameters. */
export const setOptimizerKind = (run: RunSettings, kind: OptimizerKind): RunSettings => {
  if (run.optimizer.kind === kind) return run;
  return { ...run, optimizer: kind === 'sgd' ? { kind, momentum: 0.9 } : { kind } };
};

/** One parameter of the optimiser; undefined (or Nesterov off) removes it, leaving the default. */
export const setOptimizerParam = (run: RunSettings, name: string, value: number | boolean | undefined): RunSettings => {
  const rest = without(run.optimizer, name);
  return { ...run, optimizer: value === undefined || value === false ? rest : ({ ...rest, [name]: value } as OptimizerConfig) };
};

/** A schedule of this kind with starting parameters for a run of `epochs` epochs. */
export const defaultSchedule = (kind: Schedule['kind'], epochs: number): Schedule => {
  const span = Math.max(1, Math.floor(epochs));
  switch (kind) {
    case 'constant':
      return { kind };
    case 'step':
      return { kind, everyEpochs: Math.max(1, Math.floor(span / 3)), gamma: 0.1 };
    case 'multi-step': {
      const half = Math.max(1, Math.floor(span / 2));
      return { kind, milestones: [half, Math.max(half + 1, Math.floor((span * 3) / 4))], gamma: 0.1 };
    }
    case 'exponential':
      return { kind, gamma: 0.9 };
    case 'cosine':
      return { kind, totalEpochs: span };
    case 'plateau':
      return { kind, factor: 0.1, patience: 2 };
  }
};

/** Another kind of schedule (constant: none stored); the same kind keeps its parameters. */
export const setScheduleKind = (run: RunSettings, kind: Schedule['kind'], epochs: number): RunSettings => {
  if (kind === 'constant') return without(run, 'schedule');
  if (run.schedule?.kind === kind) return run;
  return { ...run, schedule: defaultSchedule(kind, epochs) };
};

/** One parameter of the schedule; undefined removes an optional one. */
export const setScheduleParam = (run: RunSettings, name: string, value: number | number[] | undefined): RunSettings => {
  if (!run.schedule || run.schedule.kind === 'constant') return run;
  const schedule = value === undefined ? without(run.schedule, name) : ({ ...run.schedule, [name]: value } as Schedule);
  return { ...run, schedule };
};

/** Linear warm-up over this many steps; 0 or undefined: none. */
export const setWarmUp = (run: RunSettings, steps: number | undefined): RunSettings =>
  steps ? { ...run, warmUpSteps: steps } : without(run, 'warmUpSteps');

export const defaultInit = (kind: RandomInit['kind']): RandomInit | undefined => {
  switch (kind) {
    case 'pytorch-default':
      return undefined;
    case 'normal':
      return { kind, std: 0.01 };
    case 'uniform':
      return { kind, limit: 0.05 };
    default:
      return { kind };
  }
};

export const setInitKind = (run: RunSettings, kind: RandomInit['kind']): RunSettings => {
  if (run.init?.kind === kind) return run;
  const init = defaultInit(kind);
  return init ? { ...run, init } : without(run, 'init');
};

/** The scale of a normal (std) or uniform (limit) initialisation. */
export const setInitScale = (run: RunSettings, scale: number): RunSettings => {
  const init = run.init;
  if (init?.kind === 'normal') return { ...run, init: { kind: 'normal', std: scale } };
  if (init?.kind === 'uniform') return { ...run, init: { kind: 'uniform', limit: scale } };
  return run;
};

export type AugmentOption = 'flipHorizontal' | 'flipVertical' | 'shift' | 'rotate' | 'noise';

export const AUGMENT_RULES: Record<'shift' | 'rotate' | 'noise', NumberRule> = {
  shift: { whole: true, min: 0, optional: true },
  rotate: { min: 0, max: 180, optional: true },
  noise: { min: 0, optional: true },
};

/** One augmentation option; false, 0 or undefined turns it off, and no option on means no augmentation. */
export const setAugment = (run: RunSettings, option: AugmentOption, value: boolean | number | undefined): RunSettings => {
  const rest = without(run.augment ?? {}, option);
  const augment = value ? { ...rest, [option]: value } : rest;
  const active = Object.keys(augment).some((key) => key !== 'seed');
  return active ? { ...run, augment } : without(run, 'augment');
};

// ---------------------------------------------------------------------------------------------
// The project.

export const runSettingsOf = (project: Pick<ProjectDocument, 'training' | 'preprocess'>): RunSettings => {
  const { epochs, batchSize, learningRate, optimizer, seed, schedule, warmUpSteps, init } = project.training;
  const augment = project.preprocess?.augment;
  return {
    epochs,
    batchSize,
    learningRate,
    optimizer,
    seed,
    ...(schedule && schedule.kind !== 'constant' ? { schedule } : {}),
    ...(warmUpSteps ? { warmUpSteps } : {}),
    ...(init && init.kind !== 'pytorch-default' ? { init } : {}),
    ...(augment ? { augment } : {}),
  };
};

/** The project with these settings in place of its own. */
export const withRunSettings = <P extends Pick<ProjectDocument, 'training' | 'preprocess'>>(project: P, run: RunSettings): P => {
  const { epochs, batchSize, learningRate, optimizer, seed } = run;
  let training = { ...project.training, epochs, batchSize, learningRate, optimizer, seed };
  for (const key of ['schedule', 'warmUpSteps', 'init'] as const) {
    training = without(training, key);
    if (run[key] !== undefined) training = { ...training, [key]: run[key] };
  }
  const kept = project.preprocess ? without(project.preprocess, 'augment') : undefined;
  const preprocess: PreprocessSpec | undefined = run.augment ? { normalise: false, ...kept, augment: run.augment } : kept;
  const result = { ...without(project, 'preprocess'), training };
  return preprocess ? { ...result, preprocess } : result;
};

/**
 * The advanced settings in a few words, for the panel's toggle and the run history: `cosine ·
 * seed 7 · flip ↔` (the epochs, batch size, rate and optimiser are shown on their own).
 */
export const describeRunSettings = (run: RunSettings): string => {
  const augment = run.augment ?? {};
  const parts = [
    run.schedule ? (SCHEDULE_KINDS.find((option) => option.kind === run.schedule!.kind)?.label ?? run.schedule.kind) : '',
    run.warmUpSteps ? `warm-up ${run.warmUpSteps}` : '',
    `seed ${run.seed}`,
    run.init ? (INIT_KINDS.find((option) => option.kind === run.init!.kind)?.label ?? run.init.kind) : '',
    augment.flipHorizontal ? 'flip ↔' : '',
    augment.flipVertical ? 'flip ↕' : '',
    augment.shift ? `shift ${augment.shift}px` : '',
    augment.rotate ? `rotate ${augment.rotate}°` : '',
    augment.noise ? `noise ${augment.noise}` : '',
  ];
  return parts.filter(Boolean).join(' · ');
};
