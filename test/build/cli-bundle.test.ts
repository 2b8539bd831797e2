// `npm run build`'s command line is a plain Node program: it must train through its bundled
// worker and run the CPU engine's bundled helper threads, with neither TypeScript nor tsx.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
});
