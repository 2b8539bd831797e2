/**
 * The desktop app's log: one line per event, with the time and the process it came from, in
 * `main.log` in the app's log folder (`app.getPath('logs')`: ~/Library/Logs/CNN Studio on macOS,
 * the profile's `logs` folder elsewhere). When the file passes `maxBytes` it is renamed to
 * `main.old.log` (replacing an older one) and a new one begun, so the log never grows without
 * bound. Writing never throws: a log that cannot be written must not take the app down, so the
 * line then goes to stderr only. No electron import.
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const LOG_FILE_NAME = 'main.log';
export const OLD_LOG_FILE_NAME = 'main.old.log';

export class LogFile {
  readonly path: string;
  private readonly oldPath: string;
  private size: number;

  constructor(
    readonly folder: string,
    private readonly maxBytes = 5 * 1024 * 1024,
    private readonly echo: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.path = join(folder, LOG_FILE_NAME);
    this.oldPath = join(folder, OLD_LOG_FILE_NAME);
    try {
      mkdirSync(folder, { recursive: true });
      this.size = statSync(this.path).size;
    } catch {
      this.size = 0;
    }
  }

  /** Writes `text` (each of its lines) as from `source` (main, renderer, worker, gpu window). */
  write(source: string, text: string): void {
    const stamp = new Date().toISOString();
    const lines = text
      .split('\n')
      .map((line) => `${stamp} [${source}] ${line}`)
      .join('\n');
    this.echo(lines);
    try {
      if (this.size > this.maxBytes) {
        renameSync(this.path, this.oldPath);
        this.size = 0;
      }
      const bytes = Buffer.byteLength(lines) + 1;
      appendFileSync(this.path, `${lines}\n`);
      this.size += bytes;
    } catch {
      // Already echoed; see the class comment.
    }
  }
}

/** An error's stack, or what was thrown. */
export const describeThrown = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));
