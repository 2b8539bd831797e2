// The IDE end to end: the real `cnn-studio serve`, driven in headless Chromium the way a person
// would use it: a LeNet project from the template, shapes on the canvas, an invalid kernel seen
// and undone, a layer dragged in from the palette and wired up, a save checked on disk, a short
// training run with its live curve, a failing run, and the host's refusals.
// CNN_STUDIO_SCREENSHOTS=1 also writes the user guide's pictures into docs/images/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ProjectStore } from '../../electron/services/project/store';
import { chromiumMissing, ROOT, startServe, type Served } from './harness';
import { dragHandle, saveProjectAs, setTrainingLimits, trainToCompletion, useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

const SCREENSHOTS = process.env.CNN_STUDIO_SCREENSHOTS ? join(ROOT, 'docs', 'images') : null;

const studio = useStudioSession();

const screenshot = async (name: string) => {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await studio.page.screenshot({ path: join(SCREENSHOTS, name) });
};

const node = (id: string): Locator => studio.page.locator(`[data-testid=node-${id}]`);

describe.skipIf(chromiumMissing !== null)('the IDE in a browser', () => {
  it('opens on the start studio.page with the templates', async () => {
    await studio.page.goto(studio.served.url);
    await studio.page.getByTestId('template-lenet5').waitFor();
    expect(await studio.page.getByTestId('template-lenet5').textContent()).toContain('LeNet-5');
    await screenshot('start-page.png');
  });

  it('makes a LeNet project and shows its layers and the shapes on the edges', async () => {
    await studio.page.getByTestId('template-lenet5').click();
    await node('conv1').waitFor();
    for (const id of ['input', 'conv1', 'pool1', 'conv2', 'fc1', 'fc3', 'output']) expect(await node(id).isVisible()).toBe(true);
    const labels = await studio.page.locator('.react-flow__edge-text').allTextContents();
    expect(labels).toContain('1×28×28');
    expect(labels).toContain('6×28×28');
    expect(labels).toContain('16×5×5');
    expect(await node('conv1').textContent()).toContain('156 params');
    expect(await studio.page.getByTestId('total-params').textContent()).toBe('61,706 parameters');
    expect(await studio.page.getByTestId('error-count').textContent()).toBe('0 errors');
    await expect.poll(() => studio.page.locator('.react-flow__minimap-node').count()).toBe(14);
    await screenshot('editor-lenet.png');
  });

  it('marks a layer whose kernel is too large, with the message, and undoes it', async () => {
    await node('conv2').click();
    const kernel = studio.page.getByTestId('param-conv2-kernel').locator('input');
    expect(await kernel.inputValue()).toBe('5');
    await kernel.fill('20');
    await expect.poll(() => node('conv2').getAttribute('data-status')).toBe('error');
    expect(await node('conv2').textContent()).toMatch(/conv2: .*kernel/i);
    expect(await studio.page.getByTestId('error-count').textContent()).toBe('1 error');
    await screenshot('inspector-error.png');
    await kernel.fill('abc');
    expect(await studio.page.getByTestId('param-conv2-kernel').textContent()).toContain('enter a number');
    await studio.page.keyboard.press('Control+Z');
    await expect.poll(() => node('conv2').getAttribute('data-status')).toBe('ok');
    expect(await kernel.inputValue()).toBe('5');
    expect(await studio.page.getByTestId('error-count').textContent()).toBe('0 errors');
    await studio.page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => node('conv2').getAttribute('data-status')).toBe('error');
    await studio.page.keyboard.press('Control+Z');
    await expect.poll(() => node('conv2').getAttribute('data-status')).toBe('ok');
  });

  it('adds a layer from the palette and wires it in by dragging between handles', async () => {
    await studio.page.getByRole('searchbox', { name: 'Search layers' }).fill('dropout');
    const canvas = studio.page.getByTestId('canvas');
    const box = (await canvas.boundingBox())!;
    await studio.page.getByTestId('palette-Dropout').dragTo(canvas, { targetPosition: { x: box.width - 110, y: 40 } });
    await node('dropout1').waitFor();
    // Delete removes the selected layer; undo brings it back.
    await node('dropout1').click();
    await studio.page.keyboard.press('Delete');
    await expect.poll(() => node('dropout1').count()).toBe(0);
    await studio.page.keyboard.press('Control+Z');
    await node('dropout1').waitFor();
    expect(await studio.page.getByTestId('error-count').textContent()).not.toBe('0 errors');
    await dragHandle(node('fc1').locator('.react-flow__handle.source'), node('dropout1').locator('.react-flow__handle.target'));
    await dragHandle(node('dropout1').locator('.react-flow__handle.source'), node('relu3').locator('.react-flow__handle.target'));
    await expect.poll(() => studio.page.getByTestId('error-count').textContent()).toBe('0 errors');
    expect(await node('dropout1').textContent()).toContain('120');
    // A cycle is refused, and nothing can be dragged into the Input layer: it has no input handle.
    const edges = await studio.page.locator('.react-flow__edge').count();
    await dragHandle(node('relu3').locator('.react-flow__handle.source'), node('fc1').locator('.react-flow__handle.target'));
    expect(await studio.page.locator('.react-flow__edge').count()).toBe(edges);
    expect(await studio.page.getByTestId('error-count').textContent()).toBe('0 errors');
    expect(await node('input').locator('.react-flow__handle.target').count()).toBe(0);
  });

  it('saves to a new .cnnproj that ProjectStore reads back', async () => {
    const path = join(studio.served.folder, 'lenet-edited.cnnproj');
    await saveProjectAs(studio.page, path);
    const opened = await new ProjectStore().open(path);
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.project.graph.nodes.map((n) => n.id)).toContain('dropout1');
    expect(opened.project.graph.edges).toContainEqual({ source: 'fc1', target: 'dropout1' });
    expect(opened.project.graph.edges).toContainEqual({ source: 'dropout1', target: 'relu3' });
    expect(opened.project.graph.nodes.find((n) => n.id === 'conv2')?.params?.kernel).toBe(5);
  });

  it('trains for a moment, with progress and the loss curve, and saves the weights', async () => {
    await setTrainingLimits(studio.page, { epochs: '1', batchSize: '16', sampleLimit: '256' });
    await trainToCompletion(studio.page, 60_000);
    expect(await studio.page.getByTestId('training-status').textContent()).toMatch(/^completed · epoch 1\/1 · step 16\/16 · loss \d/);
    expect(Number(await studio.page.getByTestId('training-progress').getAttribute('value'))).toBe(1);
    expect(Number(await studio.page.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThan(0);
    expect(Number(await studio.page.getByTestId('accuracy-chart').getAttribute('data-points'))).toBe(1);
    expect(await studio.page.getByTestId('loss-chart').locator('canvas').count()).toBe(1);
    expect(await studio.page.getByTestId('save-state').textContent()).toBe('unsaved changes');
    await screenshot('training-panel.png');
    await studio.page.keyboard.press('Control+S');
    await expect.poll(() => studio.page.getByTestId('save-state').textContent()).toBe('saved');
    const opened = await new ProjectStore().open(join(studio.served.folder, 'lenet-edited.cnnproj'));
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.project.runs).toHaveLength(1);
    expect(opened.tensors.current?.length).toBeGreaterThan(0);
  });

  it('says clearly when a run fails', async () => {
    await studio.page.getByLabel('Learning rate').fill('1e30');
    await studio.page.getByLabel('Optimiser').selectOption('sgd');
    await studio.page.getByRole('button', { name: 'Train' }).click();
    await studio.page.getByTestId('training-failure').waitFor({ timeout: 60_000 });
    expect(await studio.page.getByTestId('training-failure').textContent()).toMatch(
      /Training failed: loss diverged .*lower the learning rate/,
    );
  });

  it.runIf(SCREENSHOTS !== null)(
    'trains longer for the user guide picture',
    async () => {
      await studio.page.getByLabel('Learning rate').fill('0.001');
      await studio.page.getByLabel('Optimiser').selectOption('adam');
      await setTrainingLimits(studio.page, { epochs: '2', batchSize: '32', sampleLimit: '6000' });
      await trainToCompletion(studio.page, 120_000);
      await screenshot('training-panel.png');
    },
    150_000,
  );

  it('had no errors in the page', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});

describe.skipIf(chromiumMissing !== null)('the host refuses strangers', () => {
  let host: Served;
  beforeAll(async () => {
    host = await startServe();
  }, 180_000);
  afterAll(() => host?.stop());

  const socket = (query: string, origin: string) =>
    new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/studio${query}`, { origin });
      ws.once('open', () => {
        ws.close();
        resolve('open');
      });
      ws.once('unexpected-response', (_request, response) => resolve(`HTTP ${response.statusCode}`));
      ws.once('error', (error) => resolve(error.message));
    });

  it('answers 403 to a wrong token or a foreign Origin', async () => {
    const base = `http://127.0.0.1:${host.port}/`;
    expect((await fetch(base)).status).toBe(403);
    expect((await fetch(`${base}?token=wrong`)).status).toBe(403);
    expect((await fetch(host.url, { headers: { Origin: 'http://evil.example' } })).status).toBe(403);
    expect((await fetch(host.url)).status).toBe(200);
  });

  it('refuses sockets without the token or from another origin', async () => {
    const own = `http://127.0.0.1:${host.port}`;
    expect(await socket('?token=wrong', own)).toBe('HTTP 403');
    expect(await socket(`?token=${host.token}`, 'http://evil.example')).toBe('HTTP 403');
    expect(await socket(`?token=${host.token}`, own)).toBe('open');
  });
});
