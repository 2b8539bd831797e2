// The Visualise panel end to end: the real `cnn-studio serve` in headless Chromium. A LeNet
// project trains on MNIST; the panel shows conv1's filters and a sample's feature maps while the
// run is paused (live), follows a click on conv2, changes the sample, and keeps showing the
// final weights once the run has ended.
// CNN_STUDIO_SCREENSHOTS=1 also writes docs/images/visualise.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumMissing, ROOT } from './harness';
import { openTemplate, setTrainingLimits, useStudioSession } from './studio-session';
import { canvasFacts } from './canvas-pixels';

if (chromiumMissing) console.warn(chromiumMissing);

const SCREENSHOTS = process.env.CNN_STUDIO_SCREENSHOTS ? join(ROOT, 'docs', 'images') : null;

const studio = useStudioSession();

describe.skipIf(chromiumMissing !== null)('the Visualise panel', () => {
  it('shows the first convolution’s filters and a sample’s feature maps while a run is paused', async () => {
    await openTemplate(studio.page, studio.served.url, 'lenet5', 'conv1');
    await studio.page.getByRole('button', { name: 'Visualise' }).click();
    expect(await studio.page.getByRole('region', { name: 'Visualise' }).textContent()).toContain('Train the network');
    await setTrainingLimits(studio.page, { epochs: '2', batchSize: '16', sampleLimit: '3000' });
    await studio.page.getByRole('button', { name: 'Train' }).click();
    await studio.page.getByTestId('loss-chart').waitFor();
    await expect.poll(() => studio.page.getByTestId('training-status').textContent(), { timeout: 60_000 }).toMatch(/step \d+/);
    await studio.page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => studio.page.getByTestId('training-status').textContent()).toMatch(/^paused/);
    await studio.page.getByTestId('node-conv1').click();

    const filters = studio.page.getByTestId('filter-grid');
    await filters.waitFor({ timeout: 30_000 });
    await expect.poll(() => studio.page.getByTestId('viz-status').getAttribute('data-source')).toBe('live');
    expect(await studio.page.getByTestId('viz-filters').getAttribute('data-node')).toBe('conv1');
    expect(await studio.page.getByTestId('viz-filters').textContent()).toContain('conv1.weight 6×1×5×5');
    // 6 filters of 5×5, one tile each (5×5 pixels, scaled up), all in view; a tile has many colours, not one.
    const filterTiles = filters.getByTestId('filter-tile');
    expect(await filterTiles.count()).toBe(6);
    const filterFacts = await canvasFacts(filterTiles.first());
    expect([filterFacts.width, filterFacts.height]).toEqual([5, 5]);
    expect(filterFacts.colours).toBeGreaterThan(10);

    // conv1's six maps, one tile each, all in view
    const maps = studio.page.getByTestId('activation-grid').getByTestId('activation-tile');
    await maps.first().waitFor();
    expect(await studio.page.getByTestId('viz-maps').getAttribute('data-node')).toBe('conv1');
    expect(await maps.count()).toBe(6);
    expect((await canvasFacts(maps.first())).colours).toBeGreaterThan(20);
    expect((await canvasFacts(studio.page.getByTestId('sample-preview'))).colours).toBeGreaterThan(2);
    expect(await studio.page.getByTestId('sample-facts').textContent()).toMatch(/^1 of 500 · label \d · predicted \d \(\d+%\)$/);
    await studio.page.getByRole('button', { name: 'Resume' }).click();
  });

  it('follows a click on conv2, changes the sample, and keeps the final weights once the run ends', async () => {
    // The open panel left the canvas less room: fit the network in view, as a person would, to reach conv2.
    await studio.page.locator('.react-flow__controls-fitview').click();
    const canvas = (await studio.page.getByTestId('canvas').boundingBox())!;
    await expect
      .poll(async () => {
        const box = (await studio.page.getByTestId('node-conv2').boundingBox())!;
        return box.y + box.height <= canvas.y + canvas.height;
      })
      .toBe(true);
    await studio.page.getByTestId('node-conv2').click();
    await expect.poll(() => studio.page.getByTestId('viz-filters').getAttribute('data-node')).toBe('conv2');
    expect(await studio.page.getByTestId('viz-filters').textContent()).toContain('conv2.weight 16×6×5×5');
    await studio.page.getByRole('button', { name: 'Next sample' }).click();
    await expect.poll(() => studio.page.getByTestId('viz-sample').getAttribute('data-sample')).toBe('1');
    await expect.poll(() => studio.page.getByTestId('viz-maps').getAttribute('data-node')).toBe('conv2');
    expect(await studio.page.getByTestId('viz-maps').textContent()).toContain('16×10×10');

    await studio.page.getByTestId('training-finished').waitFor({ timeout: 120_000 });
    await expect
      .poll(() => studio.page.getByTestId('viz-status').textContent(), { timeout: 30_000 })
      .toMatch(/^final weights · epoch 2 · step 376/);
    expect((await canvasFacts(studio.page.getByTestId('filter-tile').first())).colours).toBeGreaterThan(10);
    // After the run, another layer and another sample are answered from its final weights.
    await studio.page.getByLabel('Layer to visualise').selectOption('relu1');
    await expect.poll(() => studio.page.getByTestId('viz-maps').getAttribute('data-node')).toBe('relu1');
    expect(await studio.page.getByTestId('viz-filters').count()).toBe(0);
    await studio.page.getByLabel('Sample', { exact: true }).fill('42');
    await expect.poll(() => studio.page.getByTestId('viz-sample').getAttribute('data-sample')).toBe('42');
    await studio.page.getByTestId('node-conv1').click();
    await expect.poll(() => studio.page.getByTestId('viz-filters').getAttribute('data-node')).toBe('conv1');
    await studio.page.getByTestId('filter-grid').waitFor();
    await studio.page.getByTestId('activation-grid').waitFor();
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await studio.page.screenshot({ path: join(SCREENSHOTS, 'visualise.png') });
    }
  }, 180_000);

  it('had no errors in the page', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});
