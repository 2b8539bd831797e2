// The desktop app's first-session scenario (test/electron/main/electron-app.test.ts, which needs
// the Electron binary) against the Node host in a browser: a project from a template, a short
// run, saved, closed, opened again from the recent list, and its trained weights found there
// (the playground answers with them, and the run is in the history).
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchBrowser, startServe, type Served } from './harness';

if (chromiumMissing) console.warn(chromiumMissing);

let served: Served;
let context: BrowserContext;
let page: Page;

describe.skipIf(chromiumMissing !== null)('a first session, in the browser', () => {
  beforeAll(async () => {
    served = await startServe();
    ({ context, page } = await launchBrowser());
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await served?.stop();
  });

  it('creates, trains, saves, closes, reopens and finds the trained weights', { timeout: 240_000 }, async () => {
    await page.goto(served.url);
    await page.getByTestId('template-lenet5').click();
    await page.getByTestId('node-conv1').waitFor();
    await page.getByLabel('Epochs').fill('1');
    await page.getByLabel('Batch size').fill('32');
    await page.getByLabel('Sample limit').fill('512');
    await page.getByRole('button', { name: 'Train' }).click();
    await page.getByTestId('training-finished').waitFor({ timeout: 120_000 });

    const path = join(served.folder, 'first.cnnproj');
    await page.keyboard.press('Control+S');
    await page.locator('#save-as-path').fill(path);
    await page.getByRole('button', { name: 'Save', exact: true }).last().click();
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('saved');

    // Close the project and the page, then come back as after a restart.
    await page.getByTitle('Start page').click();
    await page.goto(served.url);
    await page.locator('.recent-list button', { hasText: 'first' }).first().click();
    await page.getByTestId('node-conv1').waitFor();
    expect(await page.getByRole('button', { name: /^runs: / }).textContent()).toBe('runs: 1');
    await page.getByRole('button', { name: 'Playground' }).click();
    await page.getByTestId('playground-pad').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('playground-untrained').count()).toBe(0);
  });
});
