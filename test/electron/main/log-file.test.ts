// The desktop app's log file: stamped lines naming their process, a size limit that keeps one
// older file, and no exception when the file cannot be written.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOG_FILE_NAME, LogFile, OLD_LOG_FILE_NAME, describeThrown } from '../../../electron/main/log-file';

const quiet = () => undefined;

describe('the log file', () => {
  it('writes each line with the time and its source, creating the folder', () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'cnn-studio-log-')), 'logs');
    const log = new LogFile(folder, 1_000_000, quiet);
    log.write('main', 'started');
    log.write('worker 1', 'first\nsecond');
    const lines = readFileSync(join(folder, LOG_FILE_NAME), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[main\] started$/);
    expect(lines[1]).toMatch(/\[worker 1\] first$/);
    expect(lines[2]).toMatch(/\[worker 1\] second$/);
  });

  it('keeps appending to the file a previous run wrote', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cnn-studio-log-'));
    writeFileSync(join(folder, LOG_FILE_NAME), 'from before\n');
    new LogFile(folder, 1_000_000, quiet).write('main', 'again');
    expect(readFileSync(join(folder, LOG_FILE_NAME), 'utf8')).toMatch(/^from before\n.*\[main\] again\n$/);
  });

  it('moves a file past its size to main.old.log and starts afresh', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cnn-studio-log-'));
    const log = new LogFile(folder, 200, quiet);
    for (let i = 0; i < 5; i++) log.write('main', `line ${i} ${'x'.repeat(40)}`);
    const old = readFileSync(join(folder, OLD_LOG_FILE_NAME), 'utf8');
    const current = readFileSync(join(folder, LOG_FILE_NAME), 'utf8');
    expect(old).toContain('line 0');
    expect(current).toContain('line 4');
    expect(current).not.toContain('line 0');
    expect(Buffer.byteLength(current)).toBeLessThan(400);
  });

  it('echoes every line, and does not throw when the file cannot be written', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cnn-studio-log-'));
    writeFileSync(join(folder, 'blocked'), '');
    const echoed: string[] = [];
    // A "folder" that is a file: nothing can be written under it.
    const log = new LogFile(join(folder, 'blocked'), 1000, (line) => echoed.push(line));
    expect(() => log.write('main', 'still here')).not.toThrow();
    expect(echoed).toEqual([expect.stringContaining('[main] still here')]);
    expect(existsSync(join(folder, 'blocked', LOG_FILE_NAME))).toBe(false);
  });

  it('describes what was thrown by its stack, or as text', () => {
    expect(describeThrown(new Error('boom'))).toMatch(/^Error: boom\n\s+at /);
    expect(describeThrown('plain')).toBe('plain');
  });
});
