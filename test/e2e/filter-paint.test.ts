// Painting a filter's values in the inspector, end to end (the real `cnn-studio serve` in headless
// Chromium): in the VGG-style project, a stroke of the mouse over conv1 filter 3's top row sets
// it to the brush value, a right-button stroke erases a cell, the typed-value grid shows the same
// numbers, each stroke is one undo step, and the painted matrix is saved in the project file.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectStore } from '../../electron/services/project/store';
import { chromiumMissing } from './harness';
import { saveProjectAs, useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

const studio = useStudioSession();

const cell = (row: number, column: number) =>
  studio.page.getByRole('gridcell', { name: `Filter 3 row ${row} column ${column}`, exact: true });
const painted = (row: number): Promise<(string | null)[]> =>
  Promise.all([0, 1, 2].map((column) => cell(row, column).getAttribute('data-value')));
const typed = (row: number): Promise<string[]> =>
  Promise.all([0, 1, 2].map((column) => studio.page.getByLabel(`Filter 3 row ${row} column ${column}`, { exact: true }).inputValue()));

/** Presses the mouse on the first cell, moves over the others and lets go: one stroke. */
const strokeOver = async (cells: [number, number][], button: 'left' | 'right' = 'left') => {
  const centre = async ([row, column]: [number, number]) => {
    const box = (await cell(row, column).boundingBox())!;
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  };
  const first = await centre(cells[0]);
  await studio.page.mouse.move(first.x, first.y);
  await studio.page.mouse.down({ button });
  for (const next of cells.slice(1)) {
    const { x, y } = await centre(next);
    await studio.page.mouse.move(x, y, { steps: 4 });
  }
  await studio.page.mouse.up({ button });
};

describe.skipIf(chromiumMissing !== null)('painting a filter', () => {
  it('paints a stroke, erases with the right button, and undoes stroke by stroke', async () => {
    await studio.page.goto(studio.served.url);
    await studio.page.getByTestId('template-convnet').click();
    await studio.page.getByTestId('node-conv1').click();
    await studio.page.getByTestId('filters-section').waitFor();
    await studio.page.getByTestId('filter-card-3').click();
    const start = await typed(0);
    expect(start.every((value) => value !== '0.75')).toBe(true);

    await studio.page.getByLabel('Paint the values').check();
    await studio.page.getByLabel('Brush value', { exact: true }).fill('0.75');
    await strokeOver([
      [0, 0],
      [0, 1],
      [0, 2],
    ]);
    await expect.poll(() => painted(0)).toEqual(['0.75', '0.75', '0.75']);
    expect(await studio.page.getByLabel('Filter 3 preset').inputValue()).toBe('custom');
    // the row below was left as it started
    expect((await painted(1)).every((value) => value !== '0.75')).toBe(true);

    await strokeOver([[0, 1]], 'right');
    await expect.poll(() => painted(0)).toEqual(['0.75', '0', '0.75']);

    // the typed-value grid shows the painted numbers
    await studio.page.getByLabel('Paint the values').uncheck();
    expect(await typed(0)).toEqual(['0.75', '0', '0.75']);

    // one undo per stroke: the erase, then the whole first stroke
    await studio.page.getByLabel('Filter 3 row 1 column 1', { exact: true }).focus();
    await studio.page.keyboard.press('Control+Z');
    await expect.poll(() => typed(0)).toEqual(['0.75', '0.75', '0.75']);
    await studio.page.keyboard.press('Control+Z');
    await expect.poll(() => typed(0)).toEqual(start);
    expect(await studio.page.getByLabel('Filter 3 preset').inputValue()).toBe('');
    await studio.page.keyboard.press('Control+Shift+Z');
    await studio.page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => typed(0)).toEqual(['0.75', '0', '0.75']);
  }, 120_000);

  it('saves the painted matrix in the project file', async () => {
    const path = join(studio.served.folder, 'painted.cnnproj');
    await saveProjectAs(studio.page, path);
    const opened = await new ProjectStore().open(path);
    if (!opened.ok) throw new Error(opened.error.message);
    const setting = opened.project.training.filters?.conv1?.filters?.find((entry) => entry.filter === 3);
    expect(setting?.preset?.kind).toBe('custom');
    if (setting?.preset?.kind !== 'custom') return;
    expect(setting.preset.matrix[0]).toEqual([0.75, 0, 0.75]);
    expect(setting.preset.matrix).toHaveLength(3);
  });

  it('had no errors in the page', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});
