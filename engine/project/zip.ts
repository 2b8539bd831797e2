/**
 * The zip container, in memory. Writing uses fflate. Reading is our own central-directory parser,
 * strict and defensive, so that a hostile archive cannot escape (names), overlap entries,
 * claim impossible sizes or inflate past what it declared: every declared size is checked
 * against the limits before anything is inflated, the inflater is fed in small pieces and
 * stopped as soon as it produces more than the entry declared, and every entry's CRC-32 is
 * checked. Only what a project needs is supported: one disk, no ZIP64, no encryption, stored or
 * deflated entries.
 */
import { Inflate, zipSync, type Zippable } from 'fflate';

export type ZipErrorCode = 'not-a-zip' | 'truncated' | 'corrupt' | 'unsupported' | 'unsafe-entry' | 'duplicate-entry' | 'too-large';

export interface ZipError {
  readonly code: ZipErrorCode;
  readonly message: string;
}

export interface ZipEntry {
  readonly name: string;
  readonly isDirectory: boolean;
  /** 0 stored, 8 deflated. */
  readonly method: 0 | 8;
  readonly crc32: number;
  readonly compressedSize: number;
  /** Declared uncompressed size, checked when the entry is extracted. */
  readonly size: number;
  readonly localOffset: number;
  /** Where the entry's compressed bytes are in the archive. */
  readonly dataStart: number;
}

export interface ZipLimits {
  readonly maxEntries: number;
  /** Declared uncompressed size of any one entry. */
  readonly maxEntryBytes: number;
  /** Declared uncompressed sizes added up. */
  readonly maxTotalBytes: number;
}

/** Deflate cannot expand one byte into more than 1032 (a 258-byte match in two bits), plus block overhead. */
const MAX_DEFLATE_RATIO = 1032;
/** Compressed bytes fed to the inflater at a time: at most ~16 MiB of output before the size is checked. */
const INFLATE_CHUNK = 16 * 1024;

const SIGNATURE = { local: 0x04034b50, central: 0x02014b50, end: 0x06054b50, zip64End: 0x06064b50, zip64Locator: 0x07064b50 };
const END_RECORD = 22;
const CENTRAL_HEADER = 46;
const LOCAL_HEADER = 30;

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC), as zip uses it. */
export const crc32 = (bytes: Uint8Array): number => {
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
};

const formatBytes = (bytes: number): string =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${bytes} bytes`;

const quote = (name: string): string => JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);

/**
 * Why an entry name is unsafe to use as a path, or null: zip-slip names (absolute paths, `..`,
 * drive letters), backslashes, control characters and odd segments are all refused.
 */
export const unsafeEntryName = (name: string): string | null => {
  if (name === '') return 'an entry has an empty name';
  if (name.length > 255) return `entry ${quote(name)} has a name longer than 255 characters`;
  if ([...name].some((char) => char.charCodeAt(0) < 0x20 || char === '\u007f'))
    return `entry ${quote(name)} has control characters in its name`;
  if (name.includes('\\')) return `entry ${quote(name)} uses a backslash, which Windows reads as a folder separator`;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return `entry ${quote(name)} is an absolute path`;
  if (name.includes(':')) return `entry ${quote(name)} has ':' in its name`;
  const segments = name.split('/');
  if (segments.includes('..')) return `entry ${quote(name)} climbs out of the project with '..'`;
  const inner = name.endsWith('/') ? segments.slice(0, -1) : segments;
  if (inner.some((segment) => segment === '' || segment === '.')) return `entry ${quote(name)} has an empty or '.' folder in its path`;
  return null;
};

type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ZipError };

const fail = (code: ZipErrorCode, message: string): { ok: false; error: ZipError } => ({ ok: false, error: { code, message } });

const findEndRecord = (view: DataView): number => {
  const last = view.byteLength - END_RECORD;
  const first = Math.max(0, last - 0xffff);
  for (let at = last; at >= first; at--) {
    // The comment must run exactly to the end of the file, so a signature inside a comment is not taken.
    if (view.getUint32(at, true) === SIGNATURE.end && at + END_RECORD + view.getUint16(at + 20, true) === view.byteLength) return at;
  }
  return -1;
};

/** Reads and checks an archive's directory, without extracting anything. */
export const readZipDirectory = (bytes: Uint8Array, limits: ZipLimits): Result<ZipEntry[]> => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const startsLikeZip = bytes.length >= 4 && (view.getUint32(0, true) === SIGNATURE.local || view.getUint32(0, true) === SIGNATURE.end);
  if (bytes.length < END_RECORD)
    return startsLikeZip ? fail('truncated', 'the file ends early: it is truncated') : fail('not-a-zip', 'the file is not a zip archive');
  const end = findEndRecord(view);
  if (end < 0)
    return startsLikeZip
      ? fail('truncated', 'the file has no end-of-archive record: it is truncated or damaged')
      : fail('not-a-zip', 'the file is not a zip archive');
  if (end >= 20 && view.getUint32(end - 20, true) === SIGNATURE.zip64Locator)
    return fail('unsupported', 'the archive uses ZIP64, which a project never needs; it was not written by CNN Studio');
  const disk = view.getUint16(end + 4, true);
  const directoryDisk = view.getUint16(end + 6, true);
  const onDisk = view.getUint16(end + 8, true);
  const count = view.getUint16(end + 10, true);
  const directorySize = view.getUint32(end + 12, true);
  const directoryOffset = view.getUint32(end + 16, true);
  if (disk !== 0 || directoryDisk !== 0 || onDisk !== count) return fail('unsupported', 'the archive is split over several disks');
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff)
    return fail('unsupported', 'the archive uses ZIP64, which a project never needs; it was not written by CNN Studio');
  if (count > limits.maxEntries) return fail('too-large', `the archive has ${count} entries; a project has at most ${limits.maxEntries}`);
  if (directoryOffset + directorySize !== end)
    return fail(
      directoryOffset + directorySize > end ? 'truncated' : 'corrupt',
      'the archive directory is not where the end record says: the file is truncated or damaged',
    );

  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let at = directoryOffset;
  let total = 0;
  for (let index = 0; index < count; index++) {
    if (at + CENTRAL_HEADER > end || view.getUint32(at, true) !== SIGNATURE.central)
      return fail('corrupt', `the archive directory is damaged at entry ${index + 1} of ${count}`);
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const localOffset = view.getUint32(at + 42, true);
    const next = at + CENTRAL_HEADER + nameLength + extraLength + commentLength;
    if (next > end) return fail('corrupt', `the archive directory is damaged at entry ${index + 1} of ${count}`);
    let name: string;
    try {
      name = decoder.decode(bytes.subarray(at + CENTRAL_HEADER, at + CENTRAL_HEADER + nameLength));
    } catch {
      return fail('unsafe-entry', `entry ${index + 1} has a name that is not valid UTF-8 text`);
    }
    const unsafe = unsafeEntryName(name);
    if (unsafe) return fail('unsafe-entry', unsafe);
    if (names.has(name)) return fail('duplicate-entry', `the archive holds ${quote(name)} twice`);
    names.add(name);
    if (flags & 0x0041 || flags & 0x2000) return fail('unsupported', `entry ${quote(name)} is encrypted`);
    if (method !== 0 && method !== 8)
      return fail('unsupported', `entry ${quote(name)} uses compression method ${method}; only stored and deflated entries are read`);
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff)
      return fail('unsupported', `entry ${quote(name)} uses ZIP64, which a project never needs`);
    if (size > limits.maxEntryBytes)
      return fail(
        'too-large',
        `entry ${quote(name)} would unpack to ${formatBytes(size)}, more than the ${formatBytes(limits.maxEntryBytes)} allowed for one entry`,
      );
    total += size;
    if (total > limits.maxTotalBytes)
      return fail('too-large', `the archive would unpack to more than the ${formatBytes(limits.maxTotalBytes)} allowed for a project`);
    if (method === 0 ? size !== compressedSize : size > compressedSize * MAX_DEFLATE_RATIO + 1024)
      return fail(
        'corrupt',
        `entry ${quote(name)} declares ${formatBytes(size)}, which its ${formatBytes(compressedSize)} of data cannot hold`,
      );

    // The local header must agree with the directory, and the data must lie before the directory.
    if (localOffset + LOCAL_HEADER > directoryOffset || view.getUint32(localOffset, true) !== SIGNATURE.local)
      return fail('corrupt', `entry ${quote(name)} points to no local header: the archive is damaged`);
    const localFlags = view.getUint16(localOffset + 6, true);
    const localMethod = view.getUint16(localOffset + 8, true);
    const localNameLength = view.getUint16(localOffset + 26, true);
    const localExtraLength = view.getUint16(localOffset + 28, true);
    const dataStart = localOffset + LOCAL_HEADER + localNameLength + localExtraLength;
    if (dataStart + compressedSize > directoryOffset)
      return fail('truncated', `entry ${quote(name)} runs past the end of the data: the file is truncated or damaged`);
    const localName = bytes.subarray(localOffset + LOCAL_HEADER, localOffset + LOCAL_HEADER + localNameLength);
    const centralName = bytes.subarray(at + CENTRAL_HEADER, at + CENTRAL_HEADER + nameLength);
    if (localMethod !== method || (localFlags & 0x0041) !== (flags & 0x0041) || !sameBytes(localName, centralName))
      return fail('corrupt', `entry ${quote(name)} has a local header that disagrees with the archive directory`);
    if (!(localFlags & 0x0008)) {
      const localCrc = view.getUint32(localOffset + 14, true);
      const localCompressed = view.getUint32(localOffset + 18, true);
      const localSize = view.getUint32(localOffset + 22, true);
      if (localCrc !== crc || localCompressed !== compressedSize || localSize !== size)
        return fail('corrupt', `entry ${quote(name)} has a local header that disagrees with the archive directory`);
    }
    const isDirectory = name.endsWith('/');
    if (isDirectory && size !== 0) return fail('corrupt', `folder entry ${quote(name)} holds data`);
    entries.push({ name, isDirectory, method: method as 0 | 8, crc32: crc, compressedSize, size, localOffset, dataStart });
    at = next;
  }
  if (at !== end) return fail('corrupt', 'the archive directory has bytes its entries do not account for');

  // No two entries may share bytes (overlapping entries are how the worst zip bombs multiply).
  const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1];
    if (sorted[i].localOffset < before.dataStart + before.compressedSize)
      return fail('corrupt', `entries ${quote(before.name)} and ${quote(sorted[i].name)} overlap: the archive is damaged or hostile`);
  }
  return { ok: true, value: entries };
};

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);

class Overflow extends Error {}

/**
 * Looks at the start of an entry's data as it is unpacked (everything so far, and the declared
 * size): `'more'` to see more, `null` when satisfied, or a reason to stop unpacking.
 */
export type EntryInspector<E> = (head: Uint8Array, size: number) => 'more' | null | E;

export type Extracted<E> =
  | { readonly ok: true; readonly value: Uint8Array }
  | { readonly ok: false; readonly error: ZipError }
  /** The inspector stopped it. */
  | { readonly ok: false; readonly rejected: E; readonly error?: undefined };

/**
 * Extracts one entry of a directory read by readZipDirectory. Inflation stops as soon as the
 * output passes the declared size, so a lying entry costs at most one chunk's worth of work; an
 * inspector can stop it earlier still, from the first bytes (a file header) alone.
 */
export const extractZipEntry = <E = never>(bytes: Uint8Array, entry: ZipEntry, inspect?: EntryInspector<E>): Extracted<E> => {
  const compressed = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
  let looking = inspect !== undefined;
  let rejected: E | null = null;
  const look = (head: Uint8Array): void => {
    if (!looking) return;
    const verdict = inspect!(head, entry.size);
    if (verdict === 'more') return;
    looking = false;
    if (verdict !== null) {
      rejected = verdict;
      throw new Overflow();
    }
  };
  let data: Uint8Array;
  if (entry.method === 0) {
    if (crc32(compressed) !== entry.crc32) return fail('corrupt', `entry ${quote(entry.name)} fails its checksum: the file is damaged`);
    try {
      look(compressed);
    } catch {
      return { ok: false, rejected: rejected as E };
    }
    return { ok: true, value: compressed.slice() };
  } else {
    data = new Uint8Array(entry.size);
    let produced = 0;
    const inflater = new Inflate((chunk) => {
      if (produced + chunk.length > entry.size) throw new Overflow();
      data.set(chunk, produced);
      produced += chunk.length;
      look(data.subarray(0, produced));
    });
    try {
      if (compressed.length === 0) inflater.push(compressed, true);
      for (let start = 0; start < compressed.length; start += INFLATE_CHUNK) {
        const stop = Math.min(compressed.length, start + INFLATE_CHUNK);
        inflater.push(compressed.subarray(start, stop), stop === compressed.length);
      }
    } catch (error) {
      if (rejected !== null) return { ok: false, rejected };
      if (error instanceof Overflow)
        return fail(
          'corrupt',
          `entry ${quote(entry.name)} inflates to more than the ${formatBytes(entry.size)} it declares: the archive is damaged or hostile`,
        );
      return fail(
        'corrupt',
        `entry ${quote(entry.name)} has damaged compressed data (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (produced !== entry.size)
      return fail(
        'corrupt',
        `entry ${quote(entry.name)} inflates to ${formatBytes(produced)}, not the ${formatBytes(entry.size)} it declares`,
      );
    if (looking) {
      try {
        look(data);
      } catch {
        return { ok: false, rejected: rejected as E };
      }
    }
  }
  if (crc32(data) !== entry.crc32) return fail('corrupt', `entry ${quote(entry.name)} fails its checksum: the file is damaged`);
  return { ok: true, value: data };
};

export interface ZipInput {
  readonly name: string;
  readonly data: Uint8Array;
  /** Deflate it (text), or store it as it is (weights, which hardly compress). */
  readonly compress: boolean;
}

/** Entry times are fixed, so the same project always gives the same bytes. */
const ENTRY_TIME = new Date(2020, 0, 1, 0, 0, 0);

/** Writes entries, in order, as a zip archive. */
export const writeZip = (inputs: readonly ZipInput[]): Uint8Array => {
  const files: Zippable = {};
  for (const input of inputs) files[input.name] = [input.data, { level: input.compress ? 6 : 0, mtime: ENTRY_TIME }];
  return zipSync(files);
};
