/**
 * The recovery folder: the unsaved documents of open windows, written a few seconds after their
 * last edit, so that a crash (of the app, the browser or the machine) loses at most those
 * seconds. One JSON file per window's document, `<id>.json` (docs/FILE_FORMAT.md, "Recovery
 * entries"), written atomically (a flushed temporary file renamed over the old one). A clean
 * save or a discard removes it; what is left at the next start is offered back.
 *
 * Entries that a running window owns are "held": they are not offered to another window. An
 * entry that cannot be read is left where it is and reported, never offered and never deleted.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { parseProject, type ProjectDocument } from '../../../engine/project/schema';
import { nodeFileSystem, type FileStamp, type StoreFileSystem } from '../project/store';

export const RECOVERY_FORMAT = 'cnn-studio/recovery';
export const RECOVERY_VERSION = 1;

/** An entry's file, as written. */
export interface RecoveryEntry {
  readonly format: typeof RECOVERY_FORMAT;
  readonly version: typeof RECOVERY_VERSION;
  readonly id: string;
  /** When it was written, ISO 8601. */
  readonly savedAt: string;
  /** The project's file when the window had one, else null (a new project). */
  readonly originalPath: string | null;
  /** That file's modification time, size and inode as the window last opened or saved it, when known. */
  readonly originalStamp?: FileStamp;
  /** The application that wrote it, e.g. `CNN Studio 0.1.0`. */
  readonly application: string;
  /** The document as the window had it: graph with layout, settings, dataset, run records; no weights. */
  readonly document: ProjectDocument;
}

/** What the list of entries tells about one. */
export interface RecoverySummary {
  readonly id: string;
  readonly name: string;
  readonly originalPath: string | null;
  readonly savedAt: string;
}

export interface RecoveryListing {
  /** Newest first. */
  readonly entries: RecoverySummary[];
  /** Entries that could not be read, each naming its file and why; they are left as they are. */
  readonly problems: string[];
}

/** A recovery entry that is not there, or cannot be read; the message names it. */
export class RecoveryError extends Error {
  override name = 'RecoveryError';
}

const ID_PATTERN = /^[a-z0-9-]{8,64}$/;

/** A new entry id (random, so that windows of several hosts never share one). */
export const newRecoveryId = (): string => `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;

const checkId = (id: string): string => {
  if (!ID_PATTERN.test(id)) throw new RecoveryError(`'${id}' is not a recovery entry id`);
  return id;
};

/** Drops what the entry does not keep: the weights reference and the runs' weight files. */
const withoutWeights = (document: ProjectDocument): ProjectDocument => {
  const { weights: _, ...rest } = document;
  return {
    ...rest,
    runs: document.runs.map((run) => {
      const { weightsFile: _file, ...record } = run;
      return record;
    }),
  };
};

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The entry in `text`, or why it is not one. `file` names it in the messages. */
export const parseRecoveryEntry = (text: string, file: string): RecoveryEntry | string => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `${file} is not valid JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${file} is not a recovery entry (not an object)`;
  const entry = value as Record<string, unknown>;
  if (entry.format !== RECOVERY_FORMAT) return `${file} is not a recovery entry (its format is ${JSON.stringify(entry.format)})`;
  if (entry.version !== RECOVERY_VERSION)
    return `${file} is a recovery entry of version ${JSON.stringify(entry.version)}, which this version cannot read`;
  if (typeof entry.id !== 'string' || !ID_PATTERN.test(entry.id)) return `${file} has no valid id`;
  if (typeof entry.savedAt !== 'string' || Number.isNaN(Date.parse(entry.savedAt))) return `${file} has no valid savedAt time`;
  if (entry.originalPath !== null && typeof entry.originalPath !== 'string') return `${file} has no valid originalPath`;
  const stamp = entry.originalStamp;
  if (
    stamp !== undefined &&
    !(
      typeof stamp === 'object' &&
      stamp !== null &&
      isFiniteNumber((stamp as Record<string, unknown>).mtimeMs) &&
      isFiniteNumber((stamp as Record<string, unknown>).size) &&
      isFiniteNumber((stamp as Record<string, unknown>).ino)
    )
  )
    return `${file} has no valid originalStamp`;
  const parsed = parseProject(entry.document);
  if (!parsed.ok) return `${file} holds no valid project: ${parsed.errors.slice(0, 3).join('; ')}`;
  return {
    format: RECOVERY_FORMAT,
    version: RECOVERY_VERSION,
    id: entry.id,
    savedAt: entry.savedAt,
    originalPath: entry.originalPath as string | null,
    ...(stamp !== undefined ? { originalStamp: stamp as FileStamp } : {}),
    application: typeof entry.application === 'string' ? entry.application : '',
    document: parsed.project,
  };
};

export interface RecoveryStoreOptions {
  /** Written into entries, e.g. `CNN Studio 0.1.0`. */
  readonly application?: string;
  /** The clock, for tests. */
  readonly now?: () => Date;
  readonly fileSystem?: StoreFileSystem;
}

export class RecoveryStore {
  private readonly held = new Set<string>();
  private readonly turns = new Map<string, Promise<void>>();
  private readonly application: string;
  private readonly now: () => Date;
  private readonly files: StoreFileSystem;

  constructor(
    readonly folder: string,
    options: RecoveryStoreOptions = {},
  ) {
    this.application = options.application ?? 'CNN Studio';
    this.now = options.now ?? (() => new Date());
    this.files = options.fileSystem ?? nodeFileSystem;
  }

  private fileOf(id: string): string {
    return join(this.folder, `${checkId(id)}.json`);
  }

  /** Runs one operation on an entry after those before it, so a write and a remove never cross. */
  private inTurn<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.turns.get(id) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.turns.set(id, settled);
    void settled.then(() => {
      if (this.turns.get(id) === settled) this.turns.delete(id);
    });
    return next;
  }

  /** Marks an entry as a running window's: it is not listed, and no other window may hold it. */
  hold(id: string): void {
    checkId(id);
    if (this.held.has(id)) throw new RecoveryError('those unsaved changes are already open in another window');
    this.held.add(id);
  }

  release(id: string): void {
    this.held.delete(id);
  }

  /** Writes (or replaces) an entry atomically; returns its summary. */
  write(id: string, originalPath: string | null, document: ProjectDocument, originalStamp?: FileStamp): Promise<RecoverySummary> {
    const file = this.fileOf(id);
    return this.inTurn(id, async () => {
      const entry: RecoveryEntry = {
        format: RECOVERY_FORMAT,
        version: RECOVERY_VERSION,
        id,
        savedAt: this.now().toISOString(),
        originalPath,
        ...(originalPath !== null && originalStamp
          ? { originalStamp: { mtimeMs: originalStamp.mtimeMs, size: originalStamp.size, ino: originalStamp.ino } }
          : {}),
        application: this.application,
        document: withoutWeights(document),
      };
      await fs.mkdir(this.folder, { recursive: true });
      const temporary = join(this.folder, `.${id}.${randomBytes(4).toString('hex')}.tmp`);
      try {
        await this.files.writeNew(temporary, new TextEncoder().encode(`${JSON.stringify(entry)}\n`));
        await this.files.rename(temporary, file);
      } catch (error) {
        await this.files.remove(temporary).catch(() => undefined);
        throw error;
      }
      await this.files.syncFolder(this.folder).catch(() => undefined);
      return { id, name: document.name, originalPath, savedAt: entry.savedAt };
    });
  }

  /** Removes an entry; nothing when it is not there. */
  remove(id: string): Promise<void> {
    const file = this.fileOf(id);
    return this.inTurn(id, () => this.files.remove(file));
  }

  /** Reads one entry; throws RecoveryError when it is missing or unreadable. */
  async read(id: string): Promise<RecoveryEntry> {
    const file = this.fileOf(id);
    return this.inTurn(id, async () => {
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'ENOENT') throw new RecoveryError(`there are no unsaved changes '${id}' to restore (${file} is gone)`);
        throw new RecoveryError(`${file} could not be read: ${error instanceof Error ? error.message : String(error)}`);
      }
      const entry = parseRecoveryEntry(text, file);
      if (typeof entry === 'string') throw new RecoveryError(entry);
      if (entry.id !== id) throw new RecoveryError(`${file} holds entry '${entry.id}', not '${id}'`);
      return entry;
    });
  }

  /** The entries no running window holds, newest first, and those that could not be read. */
  async list(): Promise<RecoveryListing> {
    let names: string[];
    try {
      names = await fs.readdir(this.folder);
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return { entries: [], problems: [] };
      return { entries: [], problems: [`the recovery folder ${this.folder} could not be read: ${String(error)}`] };
    }
    const entries: RecoverySummary[] = [];
    const problems: string[] = [];
    for (const name of names.sort()) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const id = name.slice(0, -'.json'.length);
      if (this.held.has(id)) continue;
      const file = join(this.folder, name);
      if (!ID_PATTERN.test(id)) {
        problems.push(`${file} is not named like a recovery entry; it was left as it is`);
        continue;
      }
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') continue;
        problems.push(`${file} could not be read (${error instanceof Error ? error.message : String(error)}); it was left as it is`);
        continue;
      }
      const entry = parseRecoveryEntry(text, file);
      if (typeof entry === 'string') problems.push(`${entry}; it was left as it is`);
      else if (entry.id !== id) problems.push(`${file} holds entry '${entry.id}', not '${id}'; it was left as it is`);
      else entries.push({ id, name: entry.document.name, originalPath: entry.originalPath, savedAt: entry.savedAt });
    }
    entries.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
    return { entries, problems };
  }
}
