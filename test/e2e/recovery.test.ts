// Crash recovery end to end: the real `cnn-studio serve` and headless Chromium. A project is
// opened and edited; once the autosave has reached the recovery folder the browser is killed
// without saving; a new browser finds the offer on the start page, restores the edit, and a
// save writes it to the file and clears the recovery folder. Leaving a project with unsaved
// edits asks first, and discarding them removes their autosave.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lenet5 } from '../../engine/graph/templates/classic';
import { ProjectStore } from '../../electron/services/project/store';
import { chromiumMissing, launchBrowser, startServe, type Served } from './harness';

if (chromiumMissing) console.warn(chromiumMissing);

let served: Served;
let context: BrowserContext | null = null;
let page: Page;
let projectPath: string;
const pageErrors: string[] = [];

const recoveryFiles = (): string[] => {
  const folder = join(served.folder, 'config', 'recovery');
  return existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith('.json')) : [];
};

const openBrowser = async (): Promise<void> => {
  ({ context, page } = await launchBrowser());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(served.url);
};

const conv1FiltersOnDisk = async (): Promise<unknown> => {
  const opened = await new ProjectStore().open(projectPath);
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.project.graph.nodes.find((node) => node.id === 'conv1')?.params?.filters;
};

describe.skipIf(chromiumMissing !== null)('recovering unsaved changes after a crash', () => {
  beforeAll(async () => {
    served = await startServe();
    projectPath = join(served.folder, 'digits.cnnproj');
    const created = await new ProjectStore().create(projectPath, lenet5(), { dataset: { kind: 'mnist' } });
    if (!created.ok) throw new Error(created.error.message);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await served?.stop();
  });

  it('autosaves an edit a few seconds after it is made', async () => {
    await openBrowser();
    await page.getByLabel('Project file path').fill(projectPath);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.locator('[data-testid=node-conv1]').click();
    await page.getByTestId('param-conv1-filters').locator('input').fill('13');
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('unsaved changes');
    await expect
      .poll(
        () => {
          const [file] = recoveryFiles();
          return file ? readFileSync(join(served.folder, 'config', 'recovery', file), 'utf8') : '';
        },
        { timeout: 20_000, interval: 250 },
      )
      .toContain('"filters":13');
    const entry = JSON.parse(readFileSync(join(served.folder, 'config', 'recovery', recoveryFiles()[0]!), 'utf8')) as {
      originalPath: string;
    };
    expect(entry.originalPath).toBe(projectPath);
  }, 60_000);

  it('offers the changes back after the browser dies without saving, and restores the edit', async () => {
    // The browser goes away as in a crash: no save, no discard.
    await context!.close();
    context = null;
    expect(await conv1FiltersOnDisk()).toBe(6);
    await openBrowser();
    const offer = page.getByTestId('recovery-entry');
    await offer.waitFor({ timeout: 20_000 });
    expect(await offer.textContent()).toMatch(/Restore unsaved changes from .+ for .*digits\.cnnproj/);
    await offer.getByRole('button', { name: 'Restore' }).click();
    await page.locator('[data-testid=node-conv1]').waitFor();
    expect(await page.locator('[data-testid=node-conv1]').textContent()).toContain('13×28×28');
    expect(await page.getByTestId('save-state').textContent()).toBe('unsaved changes');
    expect(await page.getByTestId('notice').textContent()).toContain('restored the unsaved changes');

    await page.keyboard.press('Control+S');
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('saved');
    expect(await conv1FiltersOnDisk()).toBe(13);
    expect(recoveryFiles()).toEqual([]);
  }, 60_000);

  it('asks before leaving a project with unsaved edits, and Discard changes throws the autosave away', async () => {
    await page.locator('[data-testid=node-conv1]').click();
    await page.getByTestId('param-conv1-filters').locator('input').fill('21');
    await expect.poll(() => recoveryFiles().length, { timeout: 20_000, interval: 250 }).toBe(1);
    await page.getByTitle('Start page').click();
    const confirm = page.getByTestId('leave-confirm');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('without saving');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.locator('[data-testid=node-conv1]').textContent()).toContain('21×28×28');
    await page.getByTitle('Start page').click();
    await page.getByTestId('leave-confirm').getByRole('button', { name: 'Discard changes' }).click();
    await page.getByTestId('template-lenet5').waitFor();
    expect(recoveryFiles()).toEqual([]);
    expect(await page.getByTestId('recovery').count()).toBe(0);
    expect(await conv1FiltersOnDisk()).toBe(13);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
