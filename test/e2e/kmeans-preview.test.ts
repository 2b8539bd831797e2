// The k-means filters before any run, end to end (the real `cnn-studio serve` in headless
// Chromium, MNIST on the host): in the VGG-style project, conv1 set to start from k-means shows the
// random draw until Preview asks the host, then its 32 filter pictures are the k-means filters
// (zero mean, norm √2 each) of the training panel's sample limit; a change of the limit or of the
// layer makes them stale again. A large layer's preview shows a progress bar, and Cancel stops
// it; one that fails says why.
import { describe, expect, it } from 'vitest';
import { canvasPixels } from './canvas-pixels';
import { chromiumMissing } from './harness';
import { useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

const studio = useStudioSession();

/** Filter `filter`'s nine values as the inspector's grid shows them. */
const values = (filter: number): Promise<number[]> =>
  Promise.all(
    Array.from({ length: 9 }, async (_, i) =>
      Number(await studio.page.getByLabel(`Filter ${filter} row ${Math.floor(i / 3)} column ${i % 3}`, { exact: true }).inputValue()),
    ),
  );

describe.skipIf(chromiumMissing !== null)('previewing k-means filters', () => {
  it('shows the filters k-means learns from the training images before any run', async () => {
    await studio.page.goto(studio.served.url);
    await studio.page.getByTestId('template-convnet').click();
    await studio.page.getByTestId('node-conv1').click();
    const cards = studio.page.getByTestId('filter-cards');
    await cards.waitFor();
    const randomPicture = await canvasPixels(studio.page.getByTestId('filter-card-0').locator('canvas'));
    const randomValues = await values(0);

    await studio.page.getByLabel('How the filters start').selectOption('kmeans');
    expect(await cards.getAttribute('data-start')).toBe('random');
    expect(await studio.page.getByTestId('kmeans-note').getAttribute('data-state')).toBe('waiting');
    // the run will read the first 600 training images: so does the preview
    await studio.page.getByLabel('Sample limit').fill('600');
    await studio.page.getByRole('button', { name: 'Preview the k-means filters' }).click();
    await expect.poll(() => cards.getAttribute('data-start'), { timeout: 60_000 }).toBe('kmeans');
    expect(await studio.page.getByTestId('kmeans-note').textContent()).toContain('learnt from 600 training images');

    // 32 filter pictures, now of the k-means filters
    expect(await cards.locator('.filter-card canvas').count()).toBe(32);
    expect(await canvasPixels(studio.page.getByTestId('filter-card-0').locator('canvas'))).not.toEqual(randomPicture);
    const learnt = await values(0);
    expect(learnt).not.toEqual(randomValues);
    // k-means filters have zero mean and norm √2 (the grid shows 4 significant digits)
    expect(Math.abs(learnt.reduce((a, b) => a + b, 0))).toBeLessThan(0.005);
    expect(Math.hypot(...learnt)).toBeCloseTo(Math.SQRT2, 2);

    // another sample limit: other patches, so the preview is stale; the same one again, and it is back
    await studio.page.getByLabel('Sample limit').fill('700');
    await expect.poll(() => cards.getAttribute('data-start')).toBe('random');
    await studio.page.getByLabel('Sample limit').fill('600');
    await expect.poll(() => cards.getAttribute('data-start')).toBe('kmeans');

    // another seed (the training panel's advanced settings): other filters, so stale as well
    await studio.page.getByRole('button', { name: /^advanced:/ }).click();
    await studio.page.getByLabel('Seed', { exact: true }).fill('7');
    await expect.poll(() => cards.getAttribute('data-start')).toBe('random');
    await studio.page.getByRole('button', { name: 'Preview the k-means filters' }).click();
    await expect.poll(() => cards.getAttribute('data-start'), { timeout: 60_000 }).toBe('kmeans');
    expect(await values(0)).not.toEqual(learnt);

    // another kernel size: the preview no longer fits the layer and the random draw is back
    await studio.page.locator('#param-conv1-kernel').fill('5');
    await expect.poll(() => cards.getAttribute('data-start')).toBe('random');
    await studio.page.getByRole('button', { name: 'Preview the k-means filters' }).waitFor();
  }, 120_000);

  it('shows a progress bar while k-means runs, and Cancel stops it', async () => {
    // continues from the test above: conv1 is 5×5 now; 512 filters on all 60,000 training images takes seconds
    const cards = studio.page.getByTestId('filter-cards');
    const note = studio.page.getByTestId('kmeans-note');
    await studio.page.locator('#param-conv1-filters').fill('512');
    await studio.page.getByLabel('Sample limit').fill('');
    await studio.page.getByRole('button', { name: 'Preview the k-means filters' }).click();
    const bar = studio.page.getByTestId('kmeans-progress');
    await bar.waitFor();
    expect(await note.getAttribute('data-state')).toBe('computing');
    // the bar follows k-means
    await expect.poll(async () => Number(await bar.getAttribute('value')), { timeout: 60_000 }).toBeGreaterThan(0.1);
    expect(await note.getByRole('status').textContent()).toBe('Learning the filters from the training images…');
    await note.getByRole('button', { name: 'Cancel' }).click();
    await bar.waitFor({ state: 'detached' });
    expect(await note.getAttribute('data-state')).toBe('waiting');
    expect(await cards.getAttribute('data-start')).toBe('random');

    // a new preview after Cancel is answered, and the cancelled one never shows
    await studio.page.getByLabel('Sample limit').fill('300');
    await studio.page.getByRole('button', { name: 'Preview the k-means filters' }).click();
    await expect.poll(() => cards.getAttribute('data-start'), { timeout: 60_000 }).toBe('kmeans');
    expect(await note.textContent()).toContain('learnt from 300 training images');
    await studio.page.getByLabel('Sample limit').fill('');
    await expect.poll(() => cards.getAttribute('data-start')).toBe('random');
    expect(await note.getAttribute('data-state')).toBe('waiting');
    expect(await studio.page.getByTestId('kmeans-problem').count()).toBe(0);

    // a preview that fails in the host's thread says why, under the button
    await studio.page.locator('#param-conv1-filters').fill('4');
    await studio.page.locator('#param-conv1-kernel').fill('29');
    await studio.page.getByRole('button', { name: 'Preview the k-means filters' }).click();
    await expect.poll(() => studio.page.getByTestId('kmeans-problem').textContent(), { timeout: 60_000 }).toContain('does not fit');
    expect(await studio.page.getByTestId('kmeans-progress').count()).toBe(0);
  }, 120_000);

  it('had no errors in the page', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});
