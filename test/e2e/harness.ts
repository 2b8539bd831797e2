/**
 * The end-to-end harness: the real `cnn-studio serve` in a child process (on a free port, its URL
 * read from what it prints) and headless Chromium driven by playwright-core. When
 * /usr/bin/chromium is missing, `chromiumMissing` says why the browser tests are skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = resolve(import.meta.dirname, '../..');

/** Why the browser tests cannot run here, or null when they can. */
export const chromiumMissing: string | null = existsSync(CHROMIUM)
  ? null
  : `${CHROMIUM} is missing: the end-to-end tests of the IDE are skipped (install Debian's chromium to run them)`;

export interface Served {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The folder the server runs in (its default folder for new files) and keeps its config in. */
  readonly folder: string;
  /** What the server printed on stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `cnn-studio serve --port 0` (building the renderer if it is stale) and waits for its URL. */
export const startServe = (timeoutMs = 120_000): Promise<Served> => {
  const folder = mkdtempSync(join(tmpdir(), 'cnn-studio-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin', 'cnn-studio.mjs'), 'serve', '--port', '0'], {
    cwd: folder,
    env: { ...process.env, CNN_STUDIO_CONFIG_DIR: join(folder, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /(http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      resolvePromise({
        url: match[1],
        port: Number(match[2]),
        token: match[3],
        folder,
        stderr: () => stderr,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
};

/** Headless Chromium with a fresh profile. */
export const launchBrowser = async (): Promise<{ context: BrowserContext; page: Page }> => {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'cnn-studio-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { context, page: context.pages()[0] ?? (await context.newPage()) };
};
