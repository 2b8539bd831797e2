/**
 * The arguments of each request, checked on arrival: types vanish at run time, so whatever a
 * socket sends is checked here before a method sees it. Documents are checked further by the
 * project schema where they are used.
 */
import type { DatasetPreviewRequest, SaveOptions, StudioRequestMethod, TrainingOverrides } from '../../api';
import { RequestError } from './errors';
import { checkVisualArgument } from './visual-requests';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown, what: string): string => {
  if (typeof value !== 'string' || value.trim() === '') throw new RequestError(`${what} must be non-empty text`);
  if (value.length > 4096 || value.includes('\0')) throw new RequestError(`${what} is not a usable path or name`);
  return value;
};

const whole = (value: unknown, what: string, min: number, max: number): number | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new RequestError(`${what} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return value;
};

const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'rmsprop'] as const;
const BACKENDS = ['auto', 'cpu', 'webgpu'] as const;

export const checkOverrides = (value: unknown): TrainingOverrides => {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new RequestError('the training overrides must be an object');
  const { learningRate, optimizer, continueFromWeights } = value;
  if (learningRate !== undefined && (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate <= 0))
    throw new RequestError(`the learning rate must be a positive number, not ${JSON.stringify(learningRate)}`);
  if (optimizer !== undefined && !OPTIMIZERS.includes(optimizer as (typeof OPTIMIZERS)[number]))
    throw new RequestError(`the optimizer must be one of ${OPTIMIZERS.join(', ')}, not ${JSON.stringify(optimizer)}`);
  if (continueFromWeights !== undefined && typeof continueFromWeights !== 'boolean')
    throw new RequestError('continueFromWeights must be true or false');
  if (value.backend !== undefined && !BACKENDS.includes(value.backend as (typeof BACKENDS)[number]))
    throw new RequestError(`the backend must be one of ${BACKENDS.join(', ')}, not ${JSON.stringify(value.backend)}`);
  whole(value.epochs, 'epochs', 1, 100_000);
  whole(value.batchSize, 'the batch size', 1, 65_536);
  whole(value.limit, 'the sample limit', 1, 100_000_000);
  whole(value.seed, 'the seed', -(2 ** 31), 2 ** 32);
  return value as TrainingOverrides;
};

const checkPreview = (value: unknown): DatasetPreviewRequest => {
  if (!isRecord(value)) throw new RequestError('the preview request must be an object');
  if (!isRecord(value.dataset) || typeof value.dataset.kind !== 'string') throw new RequestError('the preview needs a dataset with a kind');
  whole(value.count, 'the sample count', 1, 64);
  if (value.count === undefined) throw new RequestError('the preview needs a sample count');
  if (value.subset !== undefined && !['train', 'validation', 'test'].includes(value.subset as string))
    throw new RequestError("the subset must be 'train', 'validation' or 'test'");
  whole(value.seed, 'the seed', 0, 2 ** 32);
  return value as unknown as DatasetPreviewRequest;
};

const checkSaveOptions = (value: unknown): SaveOptions => {
  if (value === undefined) return {};
  if (!isRecord(value) || (value.force !== undefined && typeof value.force !== 'boolean'))
    throw new RequestError('the save options must be an object such as { force: true }');
  return value as SaveOptions;
};

const count = (params: unknown[], n: number, method: string): void => {
  if (params.length > n) throw new RequestError(`${method} takes ${n} argument${n === 1 ? '' : 's'}, not ${params.length}`);
};

/** Checks and returns the arguments of a request; throws RequestError saying what is wrong. */
export const ARGUMENT_CHECKS: Record<StudioRequestMethod, (params: unknown[]) => unknown[]> = {
  hello: (p) => (count(p, 0, 'hello'), []),
  listTemplates: (p) => (count(p, 0, 'listTemplates'), []),
  newProject: (p) => (count(p, 1, 'newProject'), [text(p[0], 'the template name')]),
  openProject: (p) => (count(p, 1, 'openProject'), [text(p[0], 'the path')]),
  saveProject: (p) => {
    count(p, 3, 'saveProject');
    if (!isRecord(p[1])) throw new RequestError('saveProject needs the project document');
    return [text(p[0], 'the path'), p[1], checkSaveOptions(p[2])];
  },
  recentProjects: (p) => (count(p, 0, 'recentProjects'), []),
  autosaveProject: (p) => {
    count(p, 1, 'autosaveProject');
    if (!isRecord(p[0])) throw new RequestError('autosaveProject needs the project document');
    return [p[0]];
  },
  discardAutosave: (p) => (count(p, 0, 'discardAutosave'), []),
  recoverableProjects: (p) => (count(p, 0, 'recoverableProjects'), []),
  restoreProject: (p) => (count(p, 1, 'restoreProject'), [text(p[0], 'the recovery entry id')]),
  discardRecoverable: (p) => (count(p, 1, 'discardRecoverable'), [text(p[0], 'the recovery entry id')]),
  startTraining: (p) => {
    count(p, 2, 'startTraining');
    if (!isRecord(p[0])) throw new RequestError('startTraining needs the project document');
    return [p[0], checkOverrides(p[1])];
  },
  pauseTraining: (p) => (count(p, 1, 'pauseTraining'), [text(p[0], 'the job id')]),
  resumeTraining: (p) => (count(p, 1, 'resumeTraining'), [text(p[0], 'the job id')]),
  stopTraining: (p) => (count(p, 1, 'stopTraining'), [text(p[0], 'the job id')]),
  previewDataset: (p) => (count(p, 1, 'previewDataset'), [checkPreview(p[0])]),
  previewStartFilters: (p) => {
    count(p, 3, 'previewStartFilters');
    if (!isRecord(p[0])) throw new RequestError('previewStartFilters needs the project document');
    return [p[0], text(p[1], 'the layer id'), checkOverrides(p[2])];
  },
  cancelStartFilters: (p) => (count(p, 1, 'cancelStartFilters'), [text(p[0], 'the layer id')]),
  requestVisual: (p) => (count(p, 2, 'requestVisual'), [text(p[0], 'the job id'), checkVisualArgument(p[1])]),
  trainedNetwork: (p) => {
    count(p, 1, 'trainedNetwork');
    if (!isRecord(p[0])) throw new RequestError('trainedNetwork needs the project document');
    return [p[0]];
  },
};
