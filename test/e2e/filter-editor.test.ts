// The inspector's filter editor end to end: the real `cnn-studio serve` in headless Chromium. In a
// VGG-style project (3×3 convolutions) conv1's filter 0 is set to Sobel x and frozen in the
// inspector, a typed value is undone, the network trains briefly, and the Visualise panel's
// numbers for conv1 show filter 0 exactly as set while another filter has moved from its start.
// CNN_STUDIO_SCREENSHOTS=1 also writes docs/images/filter-editor.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectStore } from '../../electron/services/project/store';
import { chromiumMissing, ROOT } from './harness';
import { saveProjectAs, setTrainingLimits, trainToCompletion, useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

const studio = useStudioSession();

const SCREENSHOTS = process.env.CNN_STUDIO_SCREENSHOTS ? join(ROOT, 'docs', 'images') : null;

const SOBEL_X = ['-1', '0', '1', '-2', '0', '2', '-1', '0', '1'];

/** The inspector's value grid of the chosen filter, row by row. */
const inspectorValues = (filter: number): Promise<string[]> =>
  Promise.all(
    Array.from({ length: 9 }, (_, i) => studio.page.getByLabel(`Filter ${filter} row ${Math.floor(i / 3)} column ${i % 3}`).inputValue()),
  );

/** The Visualise panel's numbers for one filter of conv1. */
const visualisedValues = async (filter: number): Promise<string[]> => {
  await studio.page.getByLabel('Filter of conv1.weight to read').fill(String(filter));
  await expect.poll(() => studio.page.getByTestId('filter-readout').getAttribute('data-filter')).toBe(String(filter));
  return studio.page.getByTestId('filter-readout').locator('td').allTextContents();
};

describe.skipIf(chromiumMissing !== null)('the filter editor', () => {
  it('sets and freezes a Sobel filter in the inspector, and training leaves it exactly as set', async () => {
    await studio.page.goto(studio.served.url);
    await studio.page.getByTestId('template-convnet').click();
    await studio.page.getByTestId('node-conv1').click();
    const section = studio.page.getByTestId('filters-section');
    await section.waitFor();
    // A preview of every filter before any run.
    expect(await section.locator('.filter-card').count()).toBe(32);

    await studio.page.getByLabel('Filter 0 preset').selectOption('sobel-x');
    expect(await inspectorValues(0)).toEqual(SOBEL_X);
    await studio.page.getByLabel('Freeze filter 0').check();
    expect(await studio.page.getByTestId('filter-card-0').textContent()).toContain('Sobel x');

    // Filter 2's start, as the run will draw it.
    await studio.page.getByTestId('filter-card-2').click();
    const start2 = await inspectorValues(2);
    expect(start2.every((value) => value !== '0')).toBe(true);

    // A typed value makes filter 1 a matrix of its own; undo takes it back.
    await studio.page.getByTestId('filter-card-1').click();
    await studio.page.getByLabel('Filter 1 row 1 column 1').fill('3');
    await expect.poll(() => studio.page.getByLabel('Filter 1 preset').inputValue()).toBe('custom');
    await studio.page.getByLabel('Filter 1 row 1 column 1').blur();
    await studio.page.keyboard.press('Control+Z');
    await expect.poll(() => studio.page.getByLabel('Filter 1 preset').inputValue()).toBe('');
    await studio.page.getByTestId('filter-card-0').click();
    expect(await studio.page.getByLabel('Freeze filter 0').isChecked()).toBe(true);

    await setTrainingLimits(studio.page, { epochs: '1', batchSize: '16', sampleLimit: '320' });
    await trainToCompletion(studio.page, 120_000);

    await studio.page.getByRole('button', { name: 'Visualise' }).click();
    await studio.page.getByTestId('node-conv1').click();
    await expect.poll(() => studio.page.getByTestId('viz-filters').getAttribute('data-node'), { timeout: 30_000 }).toBe('conv1');
    expect(await studio.page.getByTestId('viz-filters').textContent()).toContain('conv1.weight 32×1×3×3');
    await studio.page.getByTestId('viz-filters').getByText('Values').click();
    expect(await visualisedValues(0)).toEqual(SOBEL_X);
    const trained2 = await visualisedValues(2);
    expect(trained2).toHaveLength(9);
    expect(trained2).not.toEqual(start2);
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await studio.page.screenshot({ path: join(SCREENSHOTS, 'filter-editor.png') });
    }
  }, 240_000);

  it('saves the filter settings in the project file', async () => {
    const path = join(studio.served.folder, 'filters.cnnproj');
    await saveProjectAs(studio.page, path);
    const opened = await new ProjectStore().open(path);
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.project.training.filters).toEqual({ conv1: { filters: [{ filter: 0, preset: { kind: 'sobel-x' }, frozen: true }] } });
  });

  it("says when a preset no longer fits the kernel, and clears the layer's settings on request", async () => {
    await studio.page.getByTestId('node-conv1').click();
    await studio.page.locator('#param-conv1-kernel').fill('5');
    await expect
      .poll(() => studio.page.getByTestId('filters-problem').textContent())
      .toContain("'conv1' filter 0: sobel-x is 3×3 but the layer's kernel is 5×5");
    await studio.page.getByRole('button', { name: "Clear this layer's filter settings" }).click();
    await studio.page.getByTestId('filters-section').waitFor();
    expect(await studio.page.getByLabel('Filter 0 preset').inputValue()).toBe('');
    await studio.page.keyboard.press('Control+Z');
    await expect.poll(() => studio.page.getByTestId('filters-problem').count()).toBe(1);
  });

  it('had no errors in the page', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});
