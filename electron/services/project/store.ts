/**
 * Project files on disk: open, save and create `.cnnproj` files (engine/project/container.ts
 * holds the format).
 *
 * Saving is atomic: the new bytes go to a temporary file beside the target, are flushed to the
 * disk (fsync), and are renamed over it, so a crash or a full disk leaves either the old file or
 * the new one, never a mix. The previous version is kept as `<name>.cnnproj.bak`. A file that
 * changed on disk since this store opened or saved it (another program, another window) is not
 * overwritten unless the caller forces it; the store remembers each file's modification time,
 * size and inode.
 *
 * Every failure is a value naming the problem, and a failed open or save changes nothing on disk.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { GraphDocument } from '../../../engine/graph/document';
import {
  packProject,
  readProjectFile,
  DEFAULT_LIMITS,
  type ContainerLimits,
  type ExpectedTensors,
  type ProjectErrorCode,
  type ProjectTensors,
  type UnpackedProject,
} from '../../../engine/project/container';
import { newProject, type NewProjectOptions, type ProjectDocument } from '../../../engine/project/schema';
import { expectedTensorsFromCatalogue } from './expected-tensors';

/** What identifies one version of a file on disk. */
export interface FileStamp {
  readonly mtimeMs: number;
  readonly size: number;
  readonly ino: number;
}

export type StoreErrorCode =
  | ProjectErrorCode
  | 'not-found'
  /** The path is a folder or a device. */
  | 'not-a-file'
  /** Reading or writing failed (permissions, a full disk, …). */
  | 'io'
  /** The file changed on disk since it was opened or saved here. */
  | 'changed-on-disk'
  /** A new project's path is taken, or a save would overwrite a file this store never opened. */
  | 'exists';

export interface StoreError {
  readonly code: StoreErrorCode;
  readonly message: string;
  readonly details?: readonly string[];
}

export type StoreOutcome<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly error: StoreError };

export interface OpenedProject extends UnpackedProject {
  /** Absolute. */
  readonly path: string;
  readonly stamp: FileStamp;
}

export interface SaveOptions {
  /** Overwrite even when the file changed on disk, or was never opened here. */
  readonly force?: boolean;
}

interface FileStat {
  isFile(): boolean;
  readonly mtimeMs: number;
  readonly size: number;
  readonly ino: number;
}

/** The file operations the store uses: Node's, or a test's that fails on purpose. */
export interface StoreFileSystem {
  /** Null when nothing is at the path. */
  stat(path: string): Promise<FileStat | null>;
  /** Reads a whole file with the stat of the file read (not of whatever is at the path later). */
  read(path: string, maxBytes: number): Promise<{ stat: FileStat; bytes: Uint8Array | null }>;
  /** Creates a file that must not exist, writes it and flushes it to the disk. */
  writeNew(path: string, bytes: Uint8Array): Promise<void>;
  /** A second name for a file (a hard link); may fail where links are not supported. */
  link(existing: string, path: string): Promise<void>;
  /** Copies to a path that must not exist, flushed to the disk. */
  copy(source: string, path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Deletes a file; nothing when it is not there. */
  remove(path: string): Promise<void>;
  /** Flushes a folder's entries (renames) to the disk, where the platform can. */
  syncFolder(path: string): Promise<void>;
}

const errorCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;

export const nodeFileSystem: StoreFileSystem = {
  async stat(path) {
    try {
      return await fs.stat(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
  },
  async read(path, maxBytes) {
    const handle = await fs.open(path, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile() || stat.size > maxBytes) return { stat, bytes: null };
      return { stat, bytes: new Uint8Array(await handle.readFile()) };
    } finally {
      await handle.close();
    }
  },
  async writeNew(path, bytes) {
    const handle = await fs.open(path, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  link: (existing, path) => fs.link(existing, path),
  async copy(source, path) {
    await fs.copyFile(source, path, constants.COPYFILE_EXCL);
    const handle = await fs.open(path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => fs.rename(from, to),
  async remove(path) {
    try {
      await fs.unlink(path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  },
  async syncFolder(path) {
    try {
      const handle = await fs.open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // Windows cannot open folders for flushing; its renames are durable once they return.
    }
  },
};

export interface ProjectStoreOptions {
  /** Default: the CPU backend's layer table (expected-tensors.ts). */
  readonly expectedTensors?: ExpectedTensors;
  readonly limits?: Partial<ContainerLimits>;
  readonly fileSystem?: StoreFileSystem;
  /** Written into new projects' createdWith: the application and its version. */
  readonly createdWith?: string;
}

const stampOf = (stat: FileStat): FileStamp => ({ mtimeMs: stat.mtimeMs, size: stat.size, ino: stat.ino });

const sameStamp = (a: FileStamp, b: FileStamp): boolean => a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;

const fail = (code: StoreErrorCode, message: string, details?: readonly string[]): { ok: false; error: StoreError } => ({
  ok: false,
  error: details ? { code, message, details } : { code, message },
});

const describeIoError = (error: unknown): string => {
  const code = errorCode(error);
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'the operation is not permitted',
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EROFS: 'the disk is read-only',
    EISDIR: 'a folder is in the way',
    ENOTDIR: 'a file is in the way of a folder',
    ENOTEMPTY: 'a folder is in the way',
    EEXIST: 'a file is in the way',
    EBUSY: 'the file is in use',
    EMFILE: 'too many files are open',
  };
  const reason =
    code && Object.hasOwn(reasons, code) ? `${reasons[code]} (${code})` : error instanceof Error ? error.message : String(error);
  return reason;
};

const temporaryName = (path: string, what: string): string =>
  join(dirname(path), `.${basename(path)}.${what}-${randomBytes(6).toString('hex')}.tmp`);

export class ProjectStore {
  private readonly stamps = new Map<string, FileStamp>();
  private readonly turns = new Map<string, Promise<void>>();
  private readonly expectedTensors: ExpectedTensors;
  private readonly limits: ContainerLimits;
  private readonly files: StoreFileSystem;
  private readonly createdWith: string;

  constructor(options: ProjectStoreOptions = {}) {
    this.expectedTensors = options.expectedTensors ?? expectedTensorsFromCatalogue;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.files = options.fileSystem ?? nodeFileSystem;
    this.createdWith = options.createdWith ?? 'CNN Studio';
  }

  /** The largest file worth reading: the unpacked limit plus the archive's headers, within what Node can read at once. */
  private get maxFileBytes(): number {
    return Math.min(this.limits.maxTotalBytes + 1024 * 1024, 2 ** 31 - 1);
  }

  /** The version of the file this store last opened or saved, if any. */
  stampOf(path: string): FileStamp | undefined {
    return this.stamps.get(resolve(path));
  }

  /** Stops tracking a file (its window closed). */
  forget(path: string): void {
    this.stamps.delete(resolve(path));
  }

  /**
   * Runs one operation on a path after the ones before it, so that an autosave and a save, or a
   * save and a reload, never interleave their checks and renames.
   */
  private inTurn<T>(path: string, task: () => Promise<T>): Promise<T> {
    const previous = this.turns.get(path) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.turns.set(path, settled);
    void settled.then(() => {
      if (this.turns.get(path) === settled) this.turns.delete(path);
    });
    return next;
  }

  /** Opens a `.cnnproj` (or a graph or project JSON file). Changes nothing on disk. */
  open(path: string): Promise<StoreOutcome<OpenedProject>> {
    const absolute = resolve(path);
    return this.inTurn(absolute, () => this.read(absolute));
  }

  private async read(absolute: string): Promise<StoreOutcome<OpenedProject>> {
    let read: { stat: FileStat; bytes: Uint8Array | null };
    try {
      read = await this.files.read(absolute, this.maxFileBytes);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') return fail('not-found', `${absolute} does not exist`);
      if (code === 'EISDIR') return fail('not-a-file', `${absolute} is a folder, not a project file`);
      return fail('io', `${absolute} could not be read: ${describeIoError(error)}`);
    }
    if (!read.stat.isFile()) return fail('not-a-file', `${absolute} is not a file`);
    if (!read.bytes) return fail('too-large', `${absolute} is ${read.stat.size} bytes, more than a project may be (${this.maxFileBytes})`);
    const unpacked = readProjectFile(read.bytes, { expectedTensors: this.expectedTensors, limits: this.limits });
    if (!unpacked.ok) return fail(unpacked.error.code, `${absolute}: ${unpacked.error.message}`, unpacked.error.details);
    const stamp = stampOf(read.stat);
    this.stamps.set(absolute, stamp);
    const { ok: _, ...rest } = unpacked;
    return { ok: true, ...rest, path: absolute, stamp };
  }

  /**
   * Saves atomically, keeping the previous version as `<path>.bak`. Refuses to overwrite a file
   * that changed on disk since it was opened or saved here, or that was never opened here,
   * unless `force` is set.
   */
  save(
    path: string,
    project: ProjectDocument,
    tensors: ProjectTensors,
    options: SaveOptions = {},
  ): Promise<StoreOutcome<{ path: string; stamp: FileStamp }>> {
    const absolute = resolve(path);
    return this.inTurn(absolute, () => this.write(absolute, project, tensors, options.force ? 'overwrite' : 'tracked'));
  }

  /** Creates a project file around a graph; refuses an existing path unless `force` is set. */
  create(path: string, graph: GraphDocument, options: NewProjectOptions & SaveOptions = {}): Promise<StoreOutcome<OpenedProject>> {
    const absolute = resolve(path);
    const project = newProject(graph, { createdWith: this.createdWith, ...options });
    const tensors: ProjectTensors = { runs: new Map() };
    return this.inTurn(absolute, async () => {
      const written = await this.write(absolute, project, tensors, options.force ? 'overwrite' : 'new');
      return written.ok ? this.read(absolute) : written;
    });
  }

  private async write(
    path: string,
    project: ProjectDocument,
    tensors: ProjectTensors,
    mode: 'new' | 'tracked' | 'overwrite',
  ): Promise<StoreOutcome<{ path: string; stamp: FileStamp }>> {
    const files = this.files;
    let existing: FileStat | null;
    try {
      existing = await files.stat(path);
    } catch (error) {
      return fail('io', `${path} could not be checked: ${describeIoError(error)}`);
    }
    if (existing && !existing.isFile())
      return fail('not-a-file', `${path} is a folder or a device, not a project file; choose another name`);
    if (existing && mode === 'new') return fail('exists', `${path} already exists; choose another name, or replace it`);
    if (existing && mode === 'tracked') {
      const known = this.stamps.get(path);
      if (!known) return fail('exists', `${path} already exists and was not opened here; open it first, or replace it`);
      if (!sameStamp(known, stampOf(existing)))
        return fail(
          'changed-on-disk',
          `${path} changed on disk since it was opened (another program or window saved it); reload it, or save anyway to replace it`,
        );
    }

    const packed = packProject(project, tensors, { expectedTensors: this.expectedTensors, limits: this.limits });
    if (!packed.ok) return fail(packed.error.code, `${path} was not saved: ${packed.error.message}`, packed.error.details);

    const temporary = temporaryName(path, 'saving');
    const backupTemporary = temporaryName(path, 'backup');
    const cleanUp = async () => {
      for (const leftover of [temporary, backupTemporary]) await files.remove(leftover).catch(() => undefined);
    };
    try {
      await files.writeNew(temporary, packed.bytes);
      if (existing) {
        // The backup is made complete under a temporary name, then renamed over the old one.
        try {
          await files.link(path, backupTemporary);
        } catch {
          await files.copy(path, backupTemporary);
        }
        await files.rename(backupTemporary, `${path}.bak`);
        // Last look before replacing it: nobody may have written the file meanwhile.
        const now = await files.stat(path);
        if (mode !== 'overwrite' && (!now || !sameStamp(stampOf(now), stampOf(existing)))) {
          await cleanUp();
          return fail('changed-on-disk', `${path} changed on disk while it was being saved; reload it, or save anyway to replace it`);
        }
      }
      await files.rename(temporary, path);
    } catch (error) {
      await cleanUp();
      return fail('io', `${path} was not saved: ${describeIoError(error)}; the file on disk is unchanged`);
    }
    await files.syncFolder(dirname(path)).catch(() => undefined);
    let stat: FileStat | null = null;
    try {
      stat = await files.stat(path);
    } catch {
      // Saved; only the stamp is unknown, so the next save will ask to force.
    }
    if (stat) this.stamps.set(path, stampOf(stat));
    else this.stamps.delete(path);
    return { ok: true, path, stamp: stat ? stampOf(stat) : { mtimeMs: 0, size: packed.bytes.length, ino: 0 } };
  }
}

const defaultStore = new ProjectStore();

/** Opens a project file with the application's store (which remembers it for saving). */
export const openProject = (path: string): Promise<StoreOutcome<OpenedProject>> => defaultStore.open(path);

/** Saves a project with the application's store; see ProjectStore.save. */
export const saveProject = (
  path: string,
  project: ProjectDocument,
  tensors: ProjectTensors,
  options?: SaveOptions,
): Promise<StoreOutcome<{ path: string; stamp: FileStamp }>> => defaultStore.save(path, project, tensors, options);

/** Creates a project file with the application's store; see ProjectStore.create. */
export const createProject = (
  path: string,
  graph: GraphDocument,
  options?: NewProjectOptions & SaveOptions,
): Promise<StoreOutcome<OpenedProject>> => defaultStore.create(path, graph, options);
