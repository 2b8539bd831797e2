// The Visualise panel end to end: the real `cnn-studio serve` in headless Chromium. A LeNet
// project trains on MNIST; the panel shows conv1's filters and a sample's feature maps while the
// run is paused (live), follows a click on conv2, changes the sample, and keeps showing the
// final weights once the run has ended.
// CNN_STUDIO_SCREENSHOTS=1 also writes docs/images/visualise.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchBrowser, ROOT, startServe, type Served } from './harness';
import { canvasFacts } from './canvas-pixels';

if (chromiumMissing) console.warn(chromiumMissing);

const SCREENSHOTS = process.env.CNN_STUDIO_SCREENSHOTS ? join(ROOT, 'docs', 'images') : null;

let served: Served;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

describe.skipIf(chromiumMissing !== null)('the Visualise panel', () => {
  beforeAll(async () => {
    served = await startServe();
    ({ context, page } = await launchBrowser());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await served?.stop();
  });

  it('shows the first convolution’s filters and a sample’s feature maps while a run is paused', async () => {
    await page.goto(served.url);
    await page.getByTestId('template-lenet5').click();
    await page.getByTestId('node-conv1').waitFor();
    await page.getByRole('button', { name: 'Visualise' }).click();
    expect(await page.getByRole('region', { name: 'Visualise' }).textContent()).toContain('Train the network');
    await page.getByLabel('Epochs').fill('2');
    await page.getByLabel('Batch size').fill('16');
    await page.getByLabel('Sample limit').fill('3000');
    await page.getByRole('button', { name: 'Train' }).click();
    await page.getByTestId('loss-chart').waitFor();
    await expect.poll(() => page.getByTestId('training-status').textContent(), { timeout: 60_000 }).toMatch(/step \d+/);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('training-status').textContent()).toMatch(/^paused/);
    await page.getByTestId('node-conv1').click();

    const filters = page.getByTestId('filter-grid');
    await filters.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('viz-status').getAttribute('data-source')).toBe('live');
    expect(await page.getByTestId('viz-filters').getAttribute('data-node')).toBe('conv1');
    expect(await page.getByTestId('viz-filters').textContent()).toContain('conv1.weight 6×1×5×5');
    // 6 filters of 5×5, one tile each (5×5 pixels, scaled up), all in view; a tile has many colours, not one.
    const filterTiles = filters.getByTestId('filter-tile');
    expect(await filterTiles.count()).toBe(6);
    const filterFacts = await canvasFacts(filterTiles.first());
    expect([filterFacts.width, filterFacts.height]).toEqual([5, 5]);
    expect(filterFacts.colours).toBeGreaterThan(10);

    // conv1's six maps, one tile each, all in view
    const maps = page.getByTestId('activation-grid').getByTestId('activation-tile');
    await maps.first().waitFor();
    expect(await page.getByTestId('viz-maps').getAttribute('data-node')).toBe('conv1');
    expect(await maps.count()).toBe(6);
    expect((await canvasFacts(maps.first())).colours).toBeGreaterThan(20);
    expect((await canvasFacts(page.getByTestId('sample-preview'))).colours).toBeGreaterThan(2);
    expect(await page.getByTestId('sample-facts').textContent()).toMatch(/^1 of 500 · label \d · predicted \d \(\d+%\)$/);
    await page.getByRole('button', { name: 'Resume' }).click();
  });

  it('follows a click on conv2, changes the sample, and keeps the final weights once the run ends', async () => {
    // The open panel left the canvas less room: fit the network in view, as a person would, to reach conv2.
    await page.locator('.react-flow__controls-fitview').click();
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    await expect
      .poll(async () => {
        const box = (await page.getByTestId('node-conv2').boundingBox())!;
        return box.y + box.height <= canvas.y + canvas.height;
      })
      .toBe(true);
    await page.getByTestId('node-conv2').click();
    await expect.poll(() => page.getByTestId('viz-filters').getAttribute('data-node')).toBe('conv2');
    expect(await page.getByTestId('viz-filters').textContent()).toContain('conv2.weight 16×6×5×5');
    await page.getByRole('button', { name: 'Next sample' }).click();
    await expect.poll(() => page.getByTestId('viz-sample').getAttribute('data-sample')).toBe('1');
    await expect.poll(() => page.getByTestId('viz-maps').getAttribute('data-node')).toBe('conv2');
    expect(await page.getByTestId('viz-maps').textContent()).toContain('16×10×10');

    await page.getByTestId('training-finished').waitFor({ timeout: 120_000 });
    await expect
      .poll(() => page.getByTestId('viz-status').textContent(), { timeout: 30_000 })
      .toMatch(/^final weights · epoch 2 · step 376/);
    expect((await canvasFacts(page.getByTestId('filter-tile').first())).colours).toBeGreaterThan(10);
    // After the run, another layer and another sample are answered from its final weights.
    await page.getByLabel('Layer to visualise').selectOption('relu1');
    await expect.poll(() => page.getByTestId('viz-maps').getAttribute('data-node')).toBe('relu1');
    expect(await page.getByTestId('viz-filters').count()).toBe(0);
    await page.getByLabel('Sample', { exact: true }).fill('42');
    await expect.poll(() => page.getByTestId('viz-sample').getAttribute('data-sample')).toBe('42');
    await page.getByTestId('node-conv1').click();
    await expect.poll(() => page.getByTestId('viz-filters').getAttribute('data-node')).toBe('conv1');
    await page.getByTestId('filter-grid').waitFor();
    await page.getByTestId('activation-grid').waitFor();
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'visualise.png') });
    }
  }, 180_000);

  it('had no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
