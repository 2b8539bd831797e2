// Painting a filter's values in the inspector, end to end (the real `cnn-studio serve` in headless
// Chromium): in the VGG-style project, a stroke of the mouse over conv1 filter 3's top row sets
// it to the brush value, a right-button stroke erases a cell, the typed-value grid shows the same
// numbers, each stroke is one undo step, and the painted matrix is saved in the project file.
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../electron/services/project/store';
import { chromiumMissing, launchBrowser, startServe, type Served } from './harness';

if (chromiumMissing) console.warn(chromiumMissing);

let served: Served;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

const cell = (row: number, column: number) => page.getByRole('gridcell', { name: `Filter 3 row ${row} column ${column}`, exact: true });
const painted = (row: number): Promise<(string | null)[]> =>
  Promise.all([0, 1, 2].map((column) => cell(row, column).getAttribute('data-value')));
const typed = (row: number): Promise<string[]> =>
  Promise.all([0, 1, 2].map((column) => page.getByLabel(`Filter 3 row ${row} column ${column}`, { exact: true }).inputValue()));

/** Presses the mouse on the first cell, moves over the others and lets go: one stroke. */
const strokeOver = async (cells: [number, number][], button: 'left' | 'right' = 'left') => {
  const centre = async ([row, column]: [number, number]) => {
    const box = (await cell(row, column).boundingBox())!;
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  };
  const first = await centre(cells[0]);
  await page.mouse.move(first.x, first.y);
  await page.mouse.down({ button });
  for (const next of cells.slice(1)) {
    const { x, y } = await centre(next);
    await page.mouse.move(x, y, { steps: 4 });
  }
  await page.mouse.up({ button });
};

describe.skipIf(chromiumMissing !== null)('painting a filter', () => {
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

  it('paints a stroke, erases with the right button, and undoes stroke by stroke', async () => {
    await page.goto(served.url);
    await page.getByTestId('template-convnet').click();
    await page.getByTestId('node-conv1').click();
    await page.getByTestId('filters-section').waitFor();
    await page.getByTestId('filter-card-3').click();
    const start = await typed(0);
    expect(start.every((value) => value !== '0.75')).toBe(true);

    await page.getByLabel('Paint the values').check();
    await page.getByLabel('Brush value', { exact: true }).fill('0.75');
    await strokeOver([
      [0, 0],
      [0, 1],
      [0, 2],
    ]);
    await expect.poll(() => painted(0)).toEqual(['0.75', '0.75', '0.75']);
    expect(await page.getByLabel('Filter 3 preset').inputValue()).toBe('custom');
    // the row below was left as it started
    expect((await painted(1)).every((value) => value !== '0.75')).toBe(true);

    await strokeOver([[0, 1]], 'right');
    await expect.poll(() => painted(0)).toEqual(['0.75', '0', '0.75']);

    // the typed-value grid shows the painted numbers
    await page.getByLabel('Paint the values').uncheck();
    expect(await typed(0)).toEqual(['0.75', '0', '0.75']);

    // one undo per stroke: the erase, then the whole first stroke
    await page.getByLabel('Filter 3 row 1 column 1', { exact: true }).focus();
    await page.keyboard.press('Control+Z');
    await expect.poll(() => typed(0)).toEqual(['0.75', '0.75', '0.75']);
    await page.keyboard.press('Control+Z');
    await expect.poll(() => typed(0)).toEqual(start);
    expect(await page.getByLabel('Filter 3 preset').inputValue()).toBe('');
    await page.keyboard.press('Control+Shift+Z');
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => typed(0)).toEqual(['0.75', '0', '0.75']);
  }, 120_000);

  it('saves the painted matrix in the project file', async () => {
    await page.keyboard.press('Control+S');
    const path = join(served.folder, 'painted.cnnproj');
    await page.locator('#save-as-path').fill(path);
    await page.getByRole('button', { name: 'Save', exact: true }).last().click();
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('saved');
    const opened = await new ProjectStore().open(path);
    if (!opened.ok) throw new Error(opened.error.message);
    const setting = opened.project.training.filters?.conv1?.filters?.find((entry) => entry.filter === 3);
    expect(setting?.preset?.kind).toBe('custom');
    if (setting?.preset?.kind !== 'custom') return;
    expect(setting.preset.matrix[0]).toEqual([0.75, 0, 0.75]);
    expect(setting.preset.matrix).toHaveLength(3);
  });

  it('had no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
