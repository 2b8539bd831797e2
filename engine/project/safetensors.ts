/**
 * The safetensors format (https://github.com/huggingface/safetensors), as PyTorch and the
 * Hugging Face tools read and write it: an 8-byte little-endian header length N, N bytes of
 * JSON (`{"__metadata__": {…}, "conv1.weight": {"dtype": "F32", "shape": [6, 1, 5, 5],
 * "data_offsets": [0, 600]}, …}`, padded with spaces to a multiple of 8), then the tensors'
 * little-endian bytes, back to back. Offsets count from the start of the data.
 *
 * Only F32 for now. Reading trusts nothing: every length and offset is checked against the
 * buffer before anything is allocated, so a hostile or truncated file gives a message, never a
 * crash or an allocation larger than the file itself.
 */
import type { NamedTensor } from '../train/state-dict';

/** The format's own limit on the header (the reference implementation refuses more). */
export const MAX_HEADER_BYTES = 100_000_000;
/** More axes than any CNN tensor has; refused as absurd. */
export const MAX_RANK = 8;

export interface SafetensorsFile {
  /** In the order of their data in the file. */
  readonly tensors: NamedTensor[];
  /** The `__metadata__` strings; empty when there are none. */
  readonly metadata: Record<string, string>;
}

export type SafetensorsResult = { readonly ok: true; readonly file: SafetensorsFile } | { readonly ok: false; readonly error: string };

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** Data types of the format; all but F32 are refused for now, by name. */
const KNOWN_DTYPES = new Set([
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
]);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const METADATA_KEY = '__metadata__';

const show = (value: unknown): string => {
  let text: string;
  try {
    text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

const formatBytes = (bytes: number): string =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${bytes} bytes`;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isOffset = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Copies little-endian float32 bytes into a new array (any alignment, any platform). */
const decodeF32 = (bytes: Uint8Array, count: number): Float32Array => {
  const values = new Float32Array(count);
  if (LITTLE_ENDIAN) new Uint8Array(values.buffer).set(bytes.subarray(0, count * 4));
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, count * 4);
    for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
  }
  return values;
};

const encodeF32 = (values: Float32Array, target: Uint8Array): void => {
  if (LITTLE_ENDIAN) target.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  else {
    const view = new DataView(target.buffer, target.byteOffset, values.length * 4);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  }
};

interface Entry {
  readonly name: string;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
  readonly count: number;
}

/** Checks one tensor's header entry against a data section of `dataLength` bytes. */
const parseEntry = (name: string, raw: unknown, dataLength: number): Entry | string => {
  const what = `tensor ${show(name)}`;
  if (name === '') return 'a tensor has an empty name';
  if (!isRecord(raw)) return `${what} must be described by an object with dtype, shape and data_offsets, not ${show(raw)}`;
  if (typeof raw.dtype !== 'string') return `${what} has no dtype`;
  if (raw.dtype !== 'F32')
    return KNOWN_DTYPES.has(raw.dtype)
      ? `${what} has dtype ${raw.dtype}; CNN Studio reads only F32 (float32) weights for now: convert it with tensor.float() before saving`
      : `${what} has an unknown dtype ${show(raw.dtype)}`;
  const shape = raw.shape;
  if (!Array.isArray(shape)) return `${what} has no shape list`;
  if (shape.length > MAX_RANK) return `${what} has ${shape.length} axes; more than ${MAX_RANK} is not a tensor CNN Studio can use`;
  if (!shape.every((dim) => typeof dim === 'number' && Number.isSafeInteger(dim) && dim >= 0))
    return `${what} has shape ${show(shape)}; every size must be a whole number from 0`;
  let count = shape.includes(0) ? 0 : 1;
  for (const dim of shape) {
    count *= dim;
    // Checked as it grows, so an absurd shape never overflows or reaches an allocation.
    if (count * 4 > dataLength)
      return `${what} has shape ${show(shape)}, more values than the file holds (${formatBytes(dataLength)} of data)`;
  }
  const offsets = raw.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !isOffset(offsets[0]) || !isOffset(offsets[1]))
    return `${what} must have data_offsets [begin, end], whole numbers from 0, not ${show(offsets)}`;
  const [begin, end] = offsets as [number, number];
  if (begin > end) return `${what} has data_offsets [${begin}, ${end}], which end before they begin`;
  if (end > dataLength)
    return `${what} has data_offsets [${begin}, ${end}], past the end of the data (${dataLength} bytes): the file is truncated or damaged`;
  if (end - begin !== count * 4)
    return `${what} has shape ${show(shape)} (${count} values, ${count * 4} bytes) but data_offsets [${begin}, ${end}] span ${end - begin} bytes`;
  return { name, shape: shape as number[], begin, end, count };
};

export interface TensorInfo {
  readonly name: string;
  readonly shape: readonly number[];
}

export type HeaderResult =
  /** The header is complete and describes a file of the stated length exactly. */
  | { readonly status: 'ok'; readonly tensors: readonly TensorInfo[]; readonly metadata: Record<string, string> }
  /** `head` ends before the header does: call again with more of the file. */
  | { readonly status: 'more' }
  | { readonly status: 'error'; readonly error: string };

interface Layout {
  readonly entries: Entry[];
  readonly metadata: Record<string, string>;
  readonly dataStart: number;
}

const parseHeader = (head: Uint8Array, fileLength: number, maxHeaderBytes: number): Layout | 'more' | string => {
  if (head.length < 8)
    return fileLength < 8 ? `the file is ${fileLength} bytes long, too short for a safetensors header (truncated?)` : 'more';
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low;
  if (high !== 0 || headerLength > maxHeaderBytes)
    return `the header claims ${formatBytes(headerLength)}, more than the ${formatBytes(maxHeaderBytes)} a safetensors header may have`;
  if (headerLength < 2) return `the header claims ${headerLength} bytes, too few for its JSON`;
  if (headerLength > fileLength - 8)
    return `the header claims ${headerLength} bytes but only ${fileLength - 8} follow the length: the file is truncated or not safetensors`;
  if (head.length < 8 + headerLength) return 'more';
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(8, 8 + headerLength));
    if (!text.startsWith('{')) return 'the header is not a JSON object (it must start with "{")';
    header = JSON.parse(text);
  } catch (error) {
    return `the header is not valid JSON text: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (!isRecord(header)) return 'the header is not a JSON object';
  const dataStart = 8 + headerLength;
  const dataLength = fileLength - dataStart;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (!isRecord(raw) || !Object.values(raw).every((value) => typeof value === 'string'))
        return '__metadata__ must be an object of strings';
      metadata = Object.fromEntries(Object.entries(raw)) as Record<string, string>;
      continue;
    }
    const entry = parseEntry(name, raw, dataLength);
    if (typeof entry === 'string') return entry;
    entries.push(entry);
  }
  // The data must be covered exactly: each tensor starts where the one before it ends.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i];
    if (entry.begin < cursor)
      return `tensors ${show(sorted[i - 1].name)} and ${show(entry.name)} overlap (bytes ${entry.begin}–${cursor} of the data)`;
    if (entry.begin > cursor) return `bytes ${cursor}–${entry.begin} of the data belong to no tensor (before ${show(entry.name)})`;
    cursor = entry.end;
  }
  if (cursor !== dataLength)
    return `the file has ${dataLength - cursor} bytes after its last tensor: it is damaged, or its header does not describe it`;
  return { entries: sorted, metadata, dataStart };
};

/**
 * Checks the header at the start of a file of `fileLength` bytes, before the rest is read:
 * lets a reader refuse a file (or one whose tensors are not the ones it wants) without
 * unpacking its data. Never throws.
 */
export const readSafetensorsHeader = (head: Uint8Array, fileLength: number, maxHeaderBytes = MAX_HEADER_BYTES): HeaderResult => {
  try {
    const layout = parseHeader(head, fileLength, maxHeaderBytes);
    if (layout === 'more') return { status: 'more' };
    if (typeof layout === 'string') return { status: 'error', error: layout };
    return { status: 'ok', tensors: layout.entries.map(({ name, shape }) => ({ name, shape })), metadata: layout.metadata };
  } catch (error) {
    return { status: 'error', error: `the header could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
};

/** Reads a safetensors file, tensors in the order of their data. Never throws; a result says what is wrong. */
export const readSafetensors = (bytes: Uint8Array, maxHeaderBytes = MAX_HEADER_BYTES): SafetensorsResult => {
  if (!(bytes instanceof Uint8Array)) return { ok: false, error: 'safetensors data must be bytes' };
  try {
    const layout = parseHeader(bytes, bytes.length, maxHeaderBytes);
    if (layout === 'more') return { ok: false, error: 'the file ends inside its header: it is truncated' };
    if (typeof layout === 'string') return { ok: false, error: layout };
    const { entries, metadata, dataStart } = layout;
    const tensors = entries.map((entry): NamedTensor => ({
      name: entry.name,
      shape: entry.shape,
      data: decodeF32(bytes.subarray(dataStart + entry.begin, dataStart + entry.end), entry.count),
    }));
    return { ok: true, file: { tensors, metadata } };
  } catch (error) {
    return { ok: false, error: `the file could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
};

/**
 * Writes tensors, in the order given, as one safetensors file. Throws SafetensorsError when the
 * tensors themselves are wrong (a repeated name, values that do not fill the shape).
 */
export const writeSafetensors = (tensors: readonly NamedTensor[], metadata: Readonly<Record<string, string>> = {}): Uint8Array => {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) {
    for (const [key, value] of Object.entries(metadata))
      if (typeof value !== 'string') throw new SafetensorsError(`metadata ${show(key)} must be a string, not ${show(value)}`);
    header[METADATA_KEY] = { ...metadata };
  }
  let offset = 0;
  for (const tensor of tensors) {
    const { name, shape, data } = tensor;
    if (typeof name !== 'string' || name === '' || name === METADATA_KEY) throw new SafetensorsError(`${show(name)} cannot name a tensor`);
    if (Object.hasOwn(header, name)) throw new SafetensorsError(`two tensors are named ${show(name)}`);
    if (!(data instanceof Float32Array)) throw new SafetensorsError(`tensor ${show(name)} must hold a Float32Array`);
    if (shape.length > MAX_RANK || !shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0))
      throw new SafetensorsError(`tensor ${show(name)} has an invalid shape ${show(shape)}`);
    const count = shape.reduce((product, dim) => product * dim, 1);
    if (count !== data.length) throw new SafetensorsError(`tensor ${show(name)} holds ${data.length} values for a shape of ${count}`);
    header[name] = { dtype: 'F32', shape: [...shape], data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Padded with spaces so the data starts 8-byte aligned, as the reference implementation does.
  const headerLength = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, headerLength % 2 ** 32, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const tensor of tensors) {
    encodeF32(tensor.data, bytes.subarray(position, position + tensor.data.byteLength));
    position += tensor.data.byteLength;
  }
  return bytes;
};
