// A layer of 512 channels in the Visualise panel, end to end (the real `cnn-studio serve` in
// headless Chromium): LeNet's conv1 made 512 filters wide trains briefly, and its feature maps
// and its filters are windowed grids: far fewer tiles in the page than channels, channel 511
// drawn once scrolled to, and the page still answering clicks.
import { describe, expect, it } from 'vitest';
import { canvasFacts } from './canvas-pixels';
import { chromiumMissing } from './harness';
import { setTrainingLimits, trainToCompletion, useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

const studio = useStudioSession();

describe.skipIf(chromiumMissing !== null)('the Visualise panel with a layer of 512 channels', () => {
  it('draws only the feature maps and filters in view, reaches the 512th by scrolling, and stays responsive', async () => {
    await studio.page.goto(studio.served.url);
    await studio.page.getByTestId('template-lenet5').click();
    await studio.page.getByTestId('node-conv1').click();
    await studio.page.locator('#param-conv1-filters').fill('512');
    await expect.poll(() => studio.page.getByTestId('node-conv1').textContent()).toContain('512');

    await setTrainingLimits(studio.page, { epochs: '1', batchSize: '16', sampleLimit: '64' });
    await trainToCompletion(studio.page, 120_000);
    await studio.page.getByRole('button', { name: 'Visualise' }).click();
    await studio.page.getByTestId('node-conv1').click();
    await expect.poll(() => studio.page.getByTestId('viz-maps').getAttribute('data-node'), { timeout: 30_000 }).toBe('conv1');
    expect(await studio.page.getByTestId('viz-maps').textContent()).toContain('512×28×28');

    const grid = studio.page.getByTestId('activation-grid');
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
    const filterGrid = studio.page.getByTestId('filter-grid');
    const filterTiles = filterGrid.getByTestId('filter-tile');
    await filterTiles.first().waitFor();
    expect(await filterTiles.count()).toBeLessThan(128);
    expect(await studio.page.getByTestId('viz-filters').textContent()).toContain('conv1.weight 512×1×5×5');
    await filterGrid.evaluate((element) => {
      const box = element as unknown as { scrollTop: number; scrollHeight: number };
      box.scrollTop = box.scrollHeight;
    });
    await filterGrid.locator('[data-channel="511"] canvas').waitFor();
    expect(await filterGrid.locator('[data-channel="0"]').count()).toBe(0);

    // The page answers a click at once: the next sample is asked for and its maps arrive.
    await studio.page.getByRole('button', { name: 'Next sample' }).click();
    await expect.poll(() => studio.page.getByTestId('viz-sample').getAttribute('data-sample')).toBe('1');
    await expect.poll(() => studio.page.getByTestId('viz-maps').textContent()).toContain('for sample 1');
    await last.waitFor();
  }, 240_000);

  it('had no errors in the page', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});
