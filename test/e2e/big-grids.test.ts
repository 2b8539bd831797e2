// A layer of 512 channels in the Visualise panel, end to end (the real `cnn-studio serve` in
// headless Chromium): LeNet's conv1 made 512 filters wide trains briefly, and its feature maps
// and its filters are windowed grids: far fewer tiles in the page than channels, channel 511
// drawn once scrolled to, and the page still answering clicks.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasFacts } from './canvas-pixels';
import { chromiumMissing, launchBrowser, startServe, type Served } from './harness';

if (chromiumMissing) console.warn(chromiumMissing);

let served: Served;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

describe.skipIf(chromiumMissing !== null)('the Visualise panel with a layer of 512 channels', () => {
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

  it('draws only the feature maps and filters in view, reaches the 512th by scrolling, and stays responsive', async () => {
    await page.goto(served.url);
    await page.getByTestId('template-lenet5').click();
    await page.getByTestId('node-conv1').click();
    await page.locator('#param-conv1-filters').fill('512');
    await expect.poll(() => page.getByTestId('node-conv1').textContent()).toContain('512');

    await page.getByLabel('Epochs').fill('1');
    await page.getByLabel('Batch size').fill('16');
    await page.getByLabel('Sample limit').fill('64');
    await page.getByRole('button', { name: 'Train' }).click();
    await page.getByTestId('training-finished').waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Visualise' }).click();
    await page.getByTestId('node-conv1').click();
    await expect.poll(() => page.getByTestId('viz-maps').getAttribute('data-node'), { timeout: 30_000 }).toBe('conv1');
    expect(await page.getByTestId('viz-maps').textContent()).toContain('512×28×28');

    const grid = page.getByTestId('activation-grid');
    const tiles = grid.getByTestId('activation-tile');
    await tiles.first().waitFor();
    const atTop = await tiles.count();
    expect(atTop).toBeGreaterThan(0);
    expect(atTop).toBeLessThan(128);
    expect(await grid.locator('[data-channel="0"] canvas').count()).toBe(1);
    expect(await grid.locator('[data-channel="511"]').count()).toBe(0);
    // a real map: many grey levels, drawn at one pixel per value (the tile scales it)
    const first = await canvasFacts(grid.locator('[data-channel="0"] canvas'));
    expect([first.width, first.height]).toEqual([28, 28]);

    // The whole grid's height is there to scroll; at its end, the last channel is drawn and the first is gone.
    await grid.evaluate((element) => {
      const box = element as unknown as { scrollTop: number; scrollHeight: number };
      box.scrollTop = box.scrollHeight;
    });
    const last = grid.locator('[data-channel="511"] canvas');
    await last.waitFor();
    expect(await last.getAttribute('aria-label')).toBe('channel 511');
    expect((await canvasFacts(last)).colours).toBeGreaterThan(1);
    expect(await grid.locator('[data-channel="0"]').count()).toBe(0);
    expect(await tiles.count()).toBeLessThan(128);

    // conv1's 512 filters, the same way: a few tiles in the page, filter 511 at the end
    const filterGrid = page.getByTestId('filter-grid');
    const filterTiles = filterGrid.getByTestId('filter-tile');
    await filterTiles.first().waitFor();
    expect(await filterTiles.count()).toBeLessThan(128);
    expect(await page.getByTestId('viz-filters').textContent()).toContain('conv1.weight 512×1×5×5');
    await filterGrid.evaluate((element) => {
      const box = element as unknown as { scrollTop: number; scrollHeight: number };
      box.scrollTop = box.scrollHeight;
    });
    await filterGrid.locator('[data-channel="511"] canvas').waitFor();
    expect(await filterGrid.locator('[data-channel="0"]').count()).toBe(0);

    // The page answers a click at once: the next sample is asked for and its maps arrive.
    await page.getByRole('button', { name: 'Next sample' }).click();
    await expect.poll(() => page.getByTestId('viz-sample').getAttribute('data-sample')).toBe('1');
    await expect.poll(() => page.getByTestId('viz-maps').textContent()).toContain('for sample 1');
    await last.waitFor();
  }, 240_000);

  it('had no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
