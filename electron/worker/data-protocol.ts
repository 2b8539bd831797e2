/**
 * The data port: how the hidden GPU window's page (which has no disk) reads a job's file dataset
 * from the data server (data-server.ts, in a utility process). The page asks `open` once, then `samples` by
 * index; every request carries a `requestId` its answer repeats. The server is bound to the
 * job's start message, so the page can open that dataset and no other path. Both sides validate
 * every message on arrival.
 */
import type { TargetKind } from '../../engine/data/dataset';
import type { DatasetProblem } from '../../engine/data/problems';

export type DataSplit = 'train' | 'validation';

/** The most samples one `samples` request may ask for. */
export const MAX_SAMPLES_PER_REQUEST = 4096;

export type DataRequest =
  | { readonly type: 'open'; readonly requestId: number }
  | { readonly type: 'samples'; readonly requestId: number; readonly split: DataSplit; readonly indices: Int32Array };

/** One split as the page sees it: what the Dataset interface needs without its samples. */
export interface SplitMeta {
  readonly name: string;
  readonly size: number;
  readonly sampleShape: number[];
  readonly target: TargetKind;
  /** Each read of a sample gives a different picture (augmentation): the page reads a fetched sample once. */
  readonly varies: boolean;
}

export type DataReply =
  | {
      readonly type: 'meta';
      readonly requestId: number;
      readonly train: SplitMeta;
      readonly validation?: SplitMeta;
      /** The problems met opening the dataset. */
      readonly problems: DatasetProblem[];
    }
  | {
      readonly type: 'samples';
      readonly requestId: number;
      /** indices.length × elements(sampleShape) values, in the order asked. */
      readonly x: Float32Array;
      /** Class numbers (Int32Array) or target values (Float32Array). */
      readonly y: Int32Array | Float32Array;
      /** Problems met since the last answer (a file that failed to decode, say). */
      readonly problems: DatasetProblem[];
    }
  | { readonly type: 'error'; readonly requestId: number; readonly reason: string };

export class DataProtocolError extends Error {
  override name = 'DataProtocolError';
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

const fail = (side: string, detail: string): never => {
  throw new DataProtocolError(`bad ${side} on the data port: ${detail}`);
};

export const validateDataRequest = (raw: unknown): DataRequest => {
  if (!isObject(raw)) return fail('request', 'not an object');
  if (!isCount(raw.requestId)) return fail('request', 'requestId must be a whole number ≥ 0');
  if (raw.type === 'open') return { type: 'open', requestId: raw.requestId };
  if (raw.type !== 'samples') return fail('request', `unknown type ${JSON.stringify(raw.type)}; expected open or samples`);
  if (raw.split !== 'train' && raw.split !== 'validation') return fail('request', 'split must be train or validation');
  if (!(raw.indices instanceof Int32Array)) return fail('request', 'indices must be an Int32Array');
  if (raw.indices.length > MAX_SAMPLES_PER_REQUEST)
    return fail('request', `${raw.indices.length} indices; at most ${MAX_SAMPLES_PER_REQUEST} a request`);
  return { type: 'samples', requestId: raw.requestId, split: raw.split, indices: raw.indices };
};

const isProblem = (value: unknown): value is DatasetProblem =>
  isObject(value) &&
  typeof value.path === 'string' &&
  typeof value.reason === 'string' &&
  (value.line === undefined || isCount(value.line));

const isTarget = (value: unknown): value is TargetKind =>
  isObject(value) &&
  ((value.kind === 'class' && isCount(value.classes) && value.classes > 0) ||
    (value.kind === 'values' && Array.isArray(value.shape) && value.shape.every((size) => isCount(size) && size > 0)));

const isSplitMeta = (value: unknown): value is SplitMeta =>
  isObject(value) &&
  typeof value.name === 'string' &&
  isCount(value.size) &&
  typeof value.varies === 'boolean' &&
  Array.isArray(value.sampleShape) &&
  value.sampleShape.length > 0 &&
  value.sampleShape.every((size) => isCount(size) && size > 0) &&
  isTarget(value.target);

export const validateDataReply = (raw: unknown): DataReply => {
  if (!isObject(raw)) return fail('reply', 'not an object');
  if (!isCount(raw.requestId)) return fail('reply', 'requestId must be a whole number ≥ 0');
  const problems = raw.problems ?? [];
  if (raw.type !== 'error' && !(Array.isArray(problems) && problems.every(isProblem)))
    return fail('reply', 'problems must be a list of { path, reason, line? }');
  switch (raw.type) {
    case 'error':
      if (typeof raw.reason !== 'string') return fail('reply', 'an error needs its reason');
      return { type: 'error', requestId: raw.requestId, reason: raw.reason };
    case 'meta':
      if (!isSplitMeta(raw.train)) return fail('reply', 'meta needs train: { name, size, sampleShape, target }');
      if (raw.validation !== undefined && !isSplitMeta(raw.validation)) return fail('reply', 'meta validation is malformed');
      return {
        type: 'meta',
        requestId: raw.requestId,
        train: raw.train,
        ...(raw.validation ? { validation: raw.validation } : {}),
        problems: problems as DatasetProblem[],
      };
    case 'samples':
      if (!(raw.x instanceof Float32Array)) return fail('reply', 'samples need x as a Float32Array');
      if (!(raw.y instanceof Int32Array || raw.y instanceof Float32Array))
        return fail('reply', 'samples need y as an Int32Array or Float32Array');
      return { type: 'samples', requestId: raw.requestId, x: raw.x, y: raw.y, problems: problems as DatasetProblem[] };
    default:
      return fail('reply', `unknown type ${JSON.stringify(raw.type)}`);
  }
};
