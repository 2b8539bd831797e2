/**
 * The list of recently opened project files, kept in `recent.json` in the configuration folder:
 * `$CNN_STUDIO_CONFIG_DIR`, else `$XDG_CONFIG_HOME/cnn-studio`, else `~/.config/cnn-studio`.
 * A missing or unreadable list is an empty one; writes are atomic.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RecentProject } from '../../api';

const MAX_RECENT = 12;

export const configFolder = (env: NodeJS.ProcessEnv = process.env): string =>
  env.CNN_STUDIO_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'cnn-studio');

/** Where `serve` keeps windows' unsaved documents: `recovery/` in the configuration folder. */
export const recoveryFolder = (config: string): string => join(config, 'recovery');

const isRecent = (value: unknown): value is RecentProject =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as RecentProject).path === 'string' &&
  typeof (value as RecentProject).name === 'string' &&
  typeof (value as RecentProject).openedAt === 'string';

export class RecentProjects {
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly folder: string) {}

  private get file(): string {
    return join(this.folder, 'recent.json');
  }

  async list(): Promise<RecentProject[]> {
    await this.writing;
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      return Array.isArray(parsed) ? parsed.filter(isRecent).slice(0, MAX_RECENT) : [];
    } catch {
      return [];
    }
  }

  /** Puts a project first; a failure to write the list is not the caller's problem. */
  remember(path: string, name: string): Promise<void> {
    this.writing = this.writing.then(async () => {
      try {
        const rest = (await this.readUnlocked()).filter((entry) => entry.path !== path);
        const list = [{ path, name, openedAt: new Date().toISOString() }, ...rest].slice(0, MAX_RECENT);
        await mkdir(this.folder, { recursive: true });
        const temporary = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
        await writeFile(temporary, `${JSON.stringify(list, null, 2)}\n`);
        await rename(temporary, this.file);
      } catch {
        // The list is a convenience: a read-only home folder must not fail an open or a save.
      }
    });
    return this.writing;
  }

  private async readUnlocked(): Promise<RecentProject[]> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      return Array.isArray(parsed) ? parsed.filter(isRecent) : [];
    } catch {
      return [];
    }
  }
}
