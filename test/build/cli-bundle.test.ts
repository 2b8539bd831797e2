// `npm run build`'s command line is a plain Node program: it must train through its bundled
// worker, run the CPU engine's bundled helper threads and preview k-means filters in its bundled
// thread, with neither TypeScript nor tsx.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedProject, StartFiltersPreview } from '../../electron/api';
import { RpcClient, openSocket } from '../electron/host/server-harness';

const run = promisify(execFile);
// Inside the repository (under the ignored .tmp/), so that the bundle finds node_modules.
let out: string;
let work: string;

beforeAll(async () => {
  mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
  out = mkdtempSync(join(process.cwd(), '.tmp', 'cli-bundle-'));
  await run(process.execPath, ['scripts/build.mjs', '--out', out]);
  work = mkdtempSync(join(out, 'work-'));
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

const bundled = (...args: string[]) => run(process.execPath, [join(out, 'cnn-studio.mjs'), ...args], { cwd: work });

describe('the bundled command line', () => {
  it('trains in its bundled worker process', async () => {
    await bundled('new', '--template', 'lenet5', '-o', 'm.cnnproj');
    const { stdout } = await bundled(
      'train',
      'm.cnnproj',
      '--epochs',
      '1',
      '--limit',
      '128',
      '--batch-size',
      '32',
      '--backend',
      'cpu',
      '--json',
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type?: string });
    expect(lines.some((line) => line.type === 'epoch')).toBe(true);
    const { stdout: evaluated } = await bundled('eval', 'm.cnnproj', '--limit', '64', '--json');
    expect(JSON.parse(evaluated).accuracy).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it('runs the CPU engine on two threads through its bundled helper', async () => {
    const { stdout } = await bundled(
      'bench',
      '--model',
      'lenet',
      '--threads',
      '2',
      '--json',
      '--windows',
      '1',
      '--steps',
      '2',
      '--warmup',
      '1',
    );
    const result = JSON.parse(stdout) as { threads: number; models: { lenet: { trainImagesPerSecond: number } } };
    expect(result.threads).toBe(2);
    expect(result.models.lenet.trainImagesPerSecond).toBeGreaterThan(0);
  }, 120_000);

  it('previews k-means start filters in its bundled thread while serving', async () => {
    expect(existsSync(join(out, 'start-filters.mjs'))).toBe(true);
    const serve = spawn(process.execPath, [join(out, 'cnn-studio.mjs'), 'serve', '--port', '0', '--no-build'], {
      cwd: work,
      env: { ...process.env, CNN_STUDIO_CONFIG_DIR: join(work, 'config') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<URL>((resolve, reject) => {
        let printed = '';
        serve.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
          printed += chunk;
          const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(printed);
          if (match) resolve(new URL(match[0]));
        });
        serve.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const client = new RpcClient(await openSocket(Number(url.port), url.search, url.origin));
      const convnet = (await client.call<OpenedProject>('newProject', 'convnet')).document;
      const document = { ...convnet, training: { ...convnet.training, filters: { conv1: { start: { kind: 'kmeans' } } } } };
      const preview = client.request<StartFiltersPreview>('previewStartFilters', document, 'conv1', { limit: 200 });
      const answer = await preview.answer;
      expect(answer).toMatchObject({ images: 200, tensor: { name: 'conv1.weight', shape: [32, 1, 3, 3] } });
      expect(client.progress.get(preview.id)?.at(-1)).toEqual({ stage: 'kmeans', fraction: 1 });
      client.close();
    } finally {
      serve.kill();
    }
  }, 120_000);
});
