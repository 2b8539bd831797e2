/**
 * The end-to-end harness: the real `cnn-studio serve` in a child process (on a free port, its URL
 * read from what it prints) and headless Chromium driven by playwright-core. When
 * /usr/bin/chromium is missing, `chromiumMissing` says why the browser tests are skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, HEADLESS_SWITCHES } from '../../electron/host/headless-chromium';

export { CHROMIUM };
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

/** Headless Chromium with a fresh profile; `extraArgs` add command-line switches (`--enable-unsafe-webgpu`). */
export const launchBrowser = async (extraArgs: readonly string[] = []): Promise<{ context: BrowserContext; page: Page }> => {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'cnn-studio-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [...HEADLESS_SWITCHES, ...extraArgs],
  });
  return { context, page: context.pages()[0] ?? (await context.newPage()) };
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
};

/**
 * Serves the files of `folder` (a Vite build) on 127.0.0.1, a secure context, as WebGPU needs.
 * Returns the URL of its index.html and a way to stop it.
 */
export const serveFolder = async (folder: string): Promise<{ url: string; stop(): Promise<void> }> => {
  const root = resolve(folder);
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep) || !existsSync(file)) {
      response.writeHead(404).end(`no ${path}`);
      return;
    }
    response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
};
