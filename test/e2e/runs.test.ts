// The training panel's dataset picker and run history end to end, against the real
// `cnn-studio serve` in headless Chromium: MNIST previewed with its ten classes and their
// counts, a bad folder reported, two short LeNet runs with different learning rates, both
// overlaid in one chart, and both drawn in the error-against-cost scatter.
// CNN_STUDIO_SCREENSHOTS=1 also writes the user guide's pictures into docs/images/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchBrowser, ROOT, startServe, type Served } from './harness';

if (chromiumMissing) console.warn(chromiumMissing);

let served: Served;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

const SCREENSHOTS = process.env.CNN_STUDIO_SCREENSHOTS ? join(ROOT, 'docs', 'images') : null;
const screenshot = async (name: string) => {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  // The panel is drawn taller for the picture, then given back its height.
  const panel = page.getByTestId('bottom-panel');
  const height = await panel.evaluate((element: { style: { height: string } }) => element.style.height);
  await panel.evaluate((element: { style: { height: string } }) => (element.style.height = '560px'));
  await panel.locator('.training-panel').evaluate((element) => (element.scrollTop = 0));
  await panel.screenshot({ path: join(SCREENSHOTS, name) });
  await panel.evaluate((element: { style: { height: string } }, value: string) => (element.style.height = value), height);
};

const train = async (learningRate: string) => {
  await page.getByLabel('Learning rate').fill(learningRate);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('training-finished').waitFor({ timeout: 60_000 });
};

describe.skipIf(chromiumMissing !== null)('datasets and runs in the training panel', () => {
  beforeAll(async () => {
    served = await startServe();
    ({ context, page } = await launchBrowser());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(served.url);
    await page.getByTestId('template-lenet5').click();
    await page.locator('[data-testid=node-conv1]').waitFor();
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await served?.stop();
  });

  it('previews MNIST: a grid of labelled digits and the ten classes with their counts', async () => {
    await page.getByRole('button', { name: 'dataset: mnist' }).click();
    await page.getByLabel('Dataset kind').selectOption('mnist');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('dataset-preview').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('preview-sample').count()).toBe(32);
    const labels = await page.getByTestId('preview-sample').locator('figcaption').allTextContents();
    for (const label of labels) expect(label).toMatch(/^[0-9]$/);
    const counts = page.getByTestId('class-count');
    expect(await counts.count()).toBe(10);
    const numbers = (await counts.locator('.class-number').allTextContents()).map((text) => Number(text.replace(/,/g, '')));
    for (const number of numbers) expect(number).toBeGreaterThan(1000);
    const size = Number(
      (await page.getByTestId('dataset-preview').locator('.muted').first().textContent())!.match(/^([\d,]+)/)![1].replace(/,/g, ''),
    );
    expect(numbers.reduce((a, b) => a + b, 0)).toBe(size);
    expect(await page.getByRole('button', { name: 'In use' }).isDisabled()).toBe(true);
    await screenshot('dataset-picker.png');
  });

  it('says clearly when a dataset cannot be opened', async () => {
    await page.getByLabel('Dataset kind').selectOption('folder');
    await page.getByRole('button', { name: 'Preview' }).click();
    expect(await page.getByTestId('dataset-error').textContent()).toMatch(/folder’s path/);
    await page.getByLabel('Image folder').fill('no-such-folder');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.getByTestId('dataset-error').textContent()).toMatch(/Could not open the dataset: .*no-such-folder/);
    // Nothing changed the project's dataset.
    expect(await page.getByRole('button', { name: 'dataset: mnist' }).count()).toBe(1);
    await page.getByRole('button', { name: 'dataset: mnist' }).click();
    expect(await page.getByTestId('dataset-picker').count()).toBe(0);
  });

  it('trains two short runs, overlays their curves and draws both in the error-against-cost scatter', async () => {
    await page.getByLabel('Epochs').fill('2');
    await page.getByLabel('Batch size').fill('16');
    await page.getByLabel('Sample limit').fill('128');
    await train('0.001');
    await train('0.01');
    // The backend the host chose, and why.
    expect(await page.getByTestId('training-backend').textContent()).toMatch(/^on (cpu|webgpu) \(.+\)$/);
    await page.getByRole('button', { name: 'runs: 2' }).click();
    const rows = page.getByTestId('run-row');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain('lr 0.001');
    expect(await rows.nth(1).textContent()).toContain('lr 0.01');
    // Both trained the current graph: no run is marked as another graph's.
    expect(await page.locator('[data-testid=run-graph].other-graph').count()).toBe(0);

    await page.getByLabel('Overlay run-1').check();
    await page.getByLabel('Overlay run-2').check();
    const chart = page.getByTestId('overlay-chart');
    await chart.waitFor();
    expect(await chart.getAttribute('data-series')).toBe('2');
    expect(await chart.getAttribute('data-points')).toBe('2');
    expect(await chart.locator('.u-legend .u-series').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('run-1'), expect.stringContaining('run-2')]),
    );

    const points = page.getByTestId('cost-point');
    expect(await points.count()).toBe(2);
    await points.nth(1).hover();
    await expect.poll(() => page.getByTestId('cost-hover').textContent()).toMatch(/^run-2: .*multiply-adds · .*lr 0\.01/);
    await screenshot('run-history.png');
  });

  it('marks the runs as another graph’s once the graph changes', async () => {
    await page.locator('[data-testid=node-conv1]').click();
    await page.getByTestId('param-conv1-kernel').locator('input').fill('3');
    await expect.poll(() => page.locator('[data-testid=run-graph].other-graph').count()).toBe(2);
  });

  it('had no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
