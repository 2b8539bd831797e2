// The filters' gradients in the Visualise panel, end to end: the real `cnn-studio serve` in
// headless Chromium. A LeNet project trains on MNIST; during the run, with "show gradients" on,
// each of conv1's filters has a gradient tile under it that changes from one live refresh to the
// next, with its scale; once the run has ended the panel says why there are none.
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './harness';
import { openTemplate, setTrainingLimits, useStudioSession } from './studio-session';
import { canvasFacts, canvasPixels } from './canvas-pixels';

if (chromiumMissing) console.warn(chromiumMissing);

const studio = useStudioSession();

describe.skipIf(chromiumMissing !== null)('the filters’ gradients in the Visualise panel', () => {
  it('draws each filter’s gradient under it, live, and says when there are none', async () => {
    const { page } = studio;
    await openTemplate(page, studio.served.url, 'lenet5', 'conv1');
    await page.getByRole('button', { name: 'Visualise' }).click();
    // long enough to still be training when the test stops it
    await setTrainingLimits(page, { epochs: '50', batchSize: '16', sampleLimit: '3000' });
    await page.getByRole('button', { name: 'Train' }).click();
    await page.getByTestId('loss-chart').waitFor();
    await expect.poll(() => page.getByTestId('training-status').textContent(), { timeout: 60_000 }).toMatch(/step \d+/);
    await page.getByTestId('node-conv1').click();
    const filters = page.getByTestId('filter-grid');
    await filters.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('gradient-tile').count()).toBe(0);

    await page.getByLabel('show gradients').check();
    const gradientTiles = filters.getByTestId('gradient-tile');
    await expect.poll(() => gradientTiles.count(), { timeout: 30_000 }).toBe(6);
    // one gradient tile under each of the six 5×5 filters, in many colours (not blank)
    expect(await filters.getByTestId('filter-tile').count()).toBe(6);
    const facts = await canvasFacts(gradientTiles.first());
    expect([facts.width, facts.height]).toEqual([5, 5]);
    expect(facts.colours).toBeGreaterThan(5);
    const filterBox = (await filters.getByTestId('filter-tile').first().boundingBox())!;
    const gradientBox = (await gradientTiles.first().boundingBox())!;
    expect(gradientBox.y).toBeGreaterThan(filterBox.y + filterBox.height - 1);
    expect(Math.abs(gradientBox.height - filterBox.height)).toBeLessThanOrEqual(1);
    const scale = page.getByTestId('gradient-scale');
    expect(await scale.textContent()).toMatch(/gradient ∂L\/∂w of step \d+, .*up to ±\d\.\d\de[-+]\d+/);
    expect(await filters.locator('.tile-grid-tile').first().getAttribute('title')).toMatch(/^filter 0; its gradient \(below\) up to ±/);

    // the next live refresh shows another step's gradients, and other pixels
    const firstStep = Number(await scale.getAttribute('data-step'));
    const firstPixels = await canvasPixels(gradientTiles.first());
    await expect.poll(async () => Number(await scale.getAttribute('data-step')), { timeout: 30_000 }).toBeGreaterThan(firstStep);
    await expect.poll(() => canvasPixels(gradientTiles.first()), { timeout: 10_000 }).not.toEqual(firstPixels);

    // unticked, the tiles go; the filters stay
    await page.getByLabel('show gradients').uncheck();
    await expect.poll(() => gradientTiles.count()).toBe(0);
    expect(await filters.getByTestId('filter-tile').count()).toBe(6);

    // once the run has ended the host has only weights: it says so instead of drawing
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByLabel('show gradients').check();
    await expect
      .poll(() => page.getByTestId('gradient-note').textContent(), { timeout: 60_000 })
      .toBe('the run has ended: gradients are shown only while it trains');
    expect(await gradientTiles.count()).toBe(0);
  }, 240_000);

  it('had no errors in the page', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});
