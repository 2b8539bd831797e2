// The training panel's dataset picker and run history end to end, against the real
// `cnn-studio serve` in headless Chromium: MNIST previewed with its ten classes and their
// counts, a bad folder reported, two short LeNet runs with different learning rates, both
// overlaid in one chart, and both drawn in the error-against-cost scatter.
// CNN_STUDIO_SCREENSHOTS=1 also writes the user guide's pictures into docs/images/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumMissing, ROOT } from './harness';
import { openTemplate, setTrainingLimits, trainToCompletion, useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

const studio = useStudioSession({ afterBrowser: (page, served) => openTemplate(page, served.url, 'lenet5', 'conv1') });

const SCREENSHOTS = process.env.CNN_STUDIO_SCREENSHOTS ? join(ROOT, 'docs', 'images') : null;
const screenshot = async (name: string) => {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  // The panel is drawn taller for the picture, then given back its height.
  const panel = studio.page.getByTestId('bottom-panel');
  const height = await panel.evaluate((element: { style: { height: string } }) => element.style.height);
  await panel.evaluate((element: { style: { height: string } }) => (element.style.height = '560px'));
  await panel.locator('.training-panel').evaluate((element) => (element.scrollTop = 0));
  await panel.screenshot({ path: join(SCREENSHOTS, name) });
  await panel.evaluate((element: { style: { height: string } }, value: string) => (element.style.height = value), height);
};

const train = async (learningRate: string) => {
  await studio.page.getByLabel('Learning rate').fill(learningRate);
  await trainToCompletion(studio.page, 60_000);
};

describe.skipIf(chromiumMissing !== null)('datasets and runs in the training panel', () => {
  it('previews MNIST: a grid of labelled digits and the ten classes with their counts', async () => {
    await studio.page.getByRole('button', { name: 'dataset: mnist' }).click();
    await studio.page.getByLabel('Dataset kind').selectOption('mnist');
    await studio.page.getByRole('button', { name: 'Preview' }).click();
    await studio.page.getByTestId('dataset-preview').waitFor({ timeout: 60_000 });
    expect(await studio.page.getByTestId('preview-sample').count()).toBe(32);
    const labels = await studio.page.getByTestId('preview-sample').locator('figcaption').allTextContents();
    for (const label of labels) expect(label).toMatch(/^[0-9]$/);
    const counts = studio.page.getByTestId('class-count');
    expect(await counts.count()).toBe(10);
    const numbers = (await counts.locator('.class-number').allTextContents()).map((text) => Number(text.replace(/,/g, '')));
    for (const number of numbers) expect(number).toBeGreaterThan(1000);
    const size = Number(
      (await studio.page.getByTestId('dataset-preview').locator('.muted').first().textContent())!.match(/^([\d,]+)/)![1].replace(/,/g, ''),
    );
    expect(numbers.reduce((a, b) => a + b, 0)).toBe(size);
    expect(await studio.page.getByRole('button', { name: 'In use' }).isDisabled()).toBe(true);
    await screenshot('dataset-picker.png');
  });

  it('says clearly when a dataset cannot be opened', async () => {
    await studio.page.getByLabel('Dataset kind').selectOption('folder');
    await studio.page.getByRole('button', { name: 'Preview' }).click();
    expect(await studio.page.getByTestId('dataset-error').textContent()).toMatch(/folder’s path/);
    await studio.page.getByLabel('Image folder').fill('no-such-folder');
    await studio.page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => studio.page.getByTestId('dataset-error').textContent()).toMatch(/Could not open the dataset: .*no-such-folder/);
    // Nothing changed the project's dataset.
    expect(await studio.page.getByRole('button', { name: 'dataset: mnist' }).count()).toBe(1);
    await studio.page.getByRole('button', { name: 'dataset: mnist' }).click();
    expect(await studio.page.getByTestId('dataset-picker').count()).toBe(0);
  });

  it('trains two short runs, overlays their curves and draws both in the error-against-cost scatter', async () => {
    await setTrainingLimits(studio.page, { epochs: '2', batchSize: '16', sampleLimit: '128' });
    await train('0.001');
    await train('0.01');
    // The backend the host chose, and why.
    expect(await studio.page.getByTestId('training-backend').textContent()).toMatch(/^on (cpu|webgpu) \(.+\)$/);
    await studio.page.getByRole('button', { name: 'runs: 2' }).click();
    const rows = studio.page.getByTestId('run-row');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain('lr 0.001');
    expect(await rows.nth(1).textContent()).toContain('lr 0.01');
    // Both trained the current graph: no run is marked as another graph's.
    expect(await studio.page.locator('[data-testid=run-graph].other-graph').count()).toBe(0);

    await studio.page.getByLabel('Overlay run-1').check();
    await studio.page.getByLabel('Overlay run-2').check();
    const chart = studio.page.getByTestId('overlay-chart');
    await chart.waitFor();
    expect(await chart.getAttribute('data-series')).toBe('2');
    expect(await chart.getAttribute('data-points')).toBe('2');
    expect(await chart.locator('.u-legend .u-series').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('run-1'), expect.stringContaining('run-2')]),
    );

    const points = studio.page.getByTestId('cost-point');
    expect(await points.count()).toBe(2);
    await points.nth(1).hover();
    await expect.poll(() => studio.page.getByTestId('cost-hover').textContent()).toMatch(/^run-2: .*multiply-adds · .*lr 0\.01/);
    await screenshot('run-history.png');
  });

  it('marks the runs as another graph’s once the graph changes', async () => {
    await studio.page.locator('[data-testid=node-conv1]').click();
    await studio.page.getByTestId('param-conv1-kernel').locator('input').fill('3');
    await expect.poll(() => studio.page.locator('[data-testid=run-graph].other-graph').count()).toBe(2);
  });

  it('had no errors in the page', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});
