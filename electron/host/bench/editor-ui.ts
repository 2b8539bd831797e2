/**
 * The editor's responsiveness on a 300-node graph, measured in the real IDE in headless Chromium
 * (`cnn-studio serve` + playwright-core, a development dependency): frames per second while a node
 * is dragged, and how long shape inference takes after an edit (the `cnn-studio:analyze` measure
 * that the editor store records). The targets: ≥ 50 frames a second, < 5 ms.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GraphBuilder } from '../../../engine/graph/templates/builder';
import type { GraphDocument } from '../../../engine/graph/document';
import { ProjectStore } from '../../services/project/store';
import type * as Playwright from 'playwright-core';
import { CHROMIUM, HEADLESS_SWITCHES } from '../headless-chromium';

// Page scripts are strings: functions would be serialised with the helpers that tsx's compiler
// adds to them (`__name`), which the page does not have.
const START_FRAME_COUNT = `(() => {
  globalThis.frameTimes = [];
  globalThis.counting = true;
  const tick = (time) => { if (!globalThis.counting) return; globalThis.frameTimes.push(time); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;
const STOP_FRAME_COUNT = `(() => { globalThis.counting = false; return globalThis.frameTimes; })()`;
const NODES_IN_VIEW = `[...document.querySelectorAll('.react-flow__node')].filter((node) => {
  const box = node.getBoundingClientRect();
  return box.top > 0 && box.left > 0 && box.bottom < innerHeight - 150 && box.right < innerWidth - 300;
}).map((node) => node.dataset.id)`;
const LAST_ANALYZE_MS = `performance.getEntriesByName('cnn-studio:analyze').at(-1)?.duration ?? Number.NaN`;

const ROOT = resolve(import.meta.dirname, '../../..');

export interface EditorFigures {
  readonly nodes: number;
  /** Frames a second while a node is dragged: median over the drags, and the slowest drag. */
  readonly dragFps: { readonly median: number; readonly min: number; readonly drags: number };
  /** Shape inference after an edit (delete a node, undo), in ms. */
  readonly analyzeMs: { readonly median: number; readonly max: number; readonly edits: number };
}

/** A valid graph of exactly `count` nodes: Input, (Conv2D, ReLU) pairs, Flatten, Dense, head. */
export const largeGraph = (count: number): GraphDocument => {
  const g = new GraphBuilder(`${count} nodes`, 'A long chain of small convolutions, for the editor benchmark.');
  g.add('input', 'Input', { channels: 1, height: 16, width: 16 });
  const pairs = Math.floor((count - 4) / 2);
  for (let i = 1; i <= pairs; i++) {
    g.add(`conv${i}`, 'Conv2D', { filters: 4, kernel: 3, padding: 'same' });
    g.add(`relu${i}`, 'ReLU');
  }
  if ((count - 4) % 2) g.add('dropout', 'Dropout');
  g.add('flatten', 'Flatten');
  g.add('fc', 'Dense', { units: 10 });
  g.add('output', 'ClassificationHead', { classes: 10 });
  return g.build();
};

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

const startServe = (folder: string): Promise<{ url: string; stop: () => void }> =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'cnn-studio.mjs'), 'serve', '--port', '0'], {
      cwd: folder,
      env: { ...process.env, CNN_STUDIO_CONFIG_DIR: join(folder, 'config') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('exit', (code) => fail(new Error(`serve exited with ${code}: ${stderr.trim()}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(stdout);
      if (match) done({ url: match[1]!, stop: () => child.kill('SIGTERM') });
    });
  });

/** Runs the measurement; throws with the reason when Chromium or playwright-core is missing. */
export const benchEditor = async (nodes = 300, drags = 5, edits = 10): Promise<EditorFigures> => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing`);
  let playwright: typeof Playwright;
  try {
    playwright = await import('playwright-core');
  } catch {
    throw new Error('playwright-core is not installed (a development dependency)');
  }
  const folder = mkdtempSync(join(tmpdir(), 'cnn-studio-editor-bench-'));
  const file = join(folder, 'large.cnnproj');
  const created = await new ProjectStore().create(file, largeGraph(nodes));
  if (!created.ok) throw new Error(created.error.message);
  const served = await startServe(folder);
  const context = await playwright.chromium.launchPersistentContext(join(folder, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [...HEADLESS_SWITCHES],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(served.url);
    await page.getByPlaceholder('/path/to/project.cnnproj').fill(file);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.locator('.react-flow__node').first().waitFor();
    await page.waitForTimeout(500);

    // Nodes wholly in view (a 300-node chain is taller than the window at the smallest zoom).
    const inView = (await page.evaluate(NODES_IN_VIEW)) as string[];
    if (inView.length < drags + 1) throw new Error(`only ${inView.length} nodes are in view`);
    const fps: number[] = [];
    for (let drag = 0; drag < drags; drag++) {
      const node = page.locator(`.react-flow__node[data-id="${inView[drag]}"]`);
      const box = (await node.boundingBox())!;
      await page.evaluate(START_FRAME_COUNT);
      await page.mouse.move(box.x + box.width / 2, box.y + 10);
      await page.mouse.down();
      for (let step = 1; step <= 60; step++) await page.mouse.move(box.x + box.width / 2 + step * 3, box.y + 10 + step * 2);
      await page.mouse.up();
      const frames = (await page.evaluate(STOP_FRAME_COUNT)) as number[];
      const seconds = (frames.at(-1)! - frames[0]!) / 1000;
      fps.push((frames.length - 1) / seconds);
    }

    const analyze: number[] = [];
    const readMeasure = async () => (await page.evaluate(LAST_ANALYZE_MS)) as number;
    for (let edit = 0; edit < edits; edit++) {
      await page.locator(`.react-flow__node[data-id="${inView[drags]}"]`).click();
      await page.keyboard.press('Delete');
      analyze.push(await readMeasure());
      await page.keyboard.press('Control+z');
      analyze.push(await readMeasure());
    }
    if (!analyze.every(Number.isFinite)) throw new Error('the editor recorded no cnn-studio:analyze measure');
    return {
      nodes,
      dragFps: { median: median(fps), min: Math.min(...fps), drags },
      analyzeMs: { median: median(analyze), max: Math.max(...analyze), edits: analyze.length },
    };
  } finally {
    await context.close();
    served.stop();
    rmSync(folder, { recursive: true, force: true });
  }
};
