// The Visualise panel's History tab end to end: the real `cnn-studio serve` in headless Chromium.
// LeNet-5 trains three short epochs on an MNIST subset; the scrubber moves between the epochs and
// conv1's filters change with it; a second run, at far too high a learning rate, shows the first
// run's filters beside its own, and its dead ReLUs as warnings on their nodes on the canvas; the
// first run is loaded back from its run record.
// CNN_STUDIO_SCREENSHOTS=1 also writes docs/images/history.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumMissing, ROOT } from './harness';
import { openTemplate, setTrainingLimits, useStudioSession } from './studio-session';
import { canvasPixels } from './canvas-pixels';

const SCREENSHOTS = process.env.CNN_STUDIO_SCREENSHOTS ? join(ROOT, 'docs', 'images') : null;

if (chromiumMissing) console.warn(chromiumMissing);

const studio = useStudioSession();

const train = async () => {
  await studio.page.getByRole('button', { name: 'Train' }).click();
  await expect
    .poll(() => studio.page.getByTestId('training-status').textContent(), { timeout: 120_000, interval: 250 })
    .toMatch(/^completed/);
};

describe.skipIf(chromiumMissing !== null)('the History tab', () => {
  it('scrubs between epochs, the filters changing, and shows a second run’s filters beside', async () => {
    await openTemplate(studio.page, studio.served.url, 'lenet5', 'conv1');
    await setTrainingLimits(studio.page, { epochs: '3', batchSize: '32', sampleLimit: '320' });
    await train();
    await studio.page.getByRole('button', { name: 'Visualise' }).click();
    await studio.page.getByRole('tab', { name: 'History' }).click();

    const scrubber = studio.page.getByTestId('history-scrubber');
    await scrubber.waitFor();
    expect(await scrubber.getAttribute('min')).toBe('1');
    expect(await scrubber.getAttribute('max')).toBe('3');
    expect(await studio.page.getByTestId('history-epoch').textContent()).toBe('3');
    const grid = studio.page.getByTestId('history-filters-grid');
    const third = await canvasPixels(grid);

    await scrubber.focus();
    await studio.page.keyboard.press('Home');
    await expect.poll(() => studio.page.getByTestId('history-epoch').textContent()).toBe('1');
    expect(await studio.page.getByTestId('history-filters').getAttribute('data-epoch')).toBe('1');
    const first = await canvasPixels(grid);
    expect(first).toHaveLength(third.length);
    expect(first).not.toEqual(third);
    await studio.page.keyboard.press('ArrowRight');
    await expect.poll(() => studio.page.getByTestId('history-epoch').textContent()).toBe('2');
    const second = await canvasPixels(grid);
    expect(second).not.toEqual(first);
    expect(second).not.toEqual(third);
    await studio.page.keyboard.press('Home');
    await expect.poll(() => studio.page.getByTestId('history-epoch').textContent()).toBe('1');
    expect(await canvasPixels(grid)).toEqual(first);

    await studio.page.getByTestId('history-weights').waitFor();
    await studio.page.getByTestId('history-gradients').waitFor();
    expect(await studio.page.getByLabel('gradient norms per epoch').count()).toBe(1);

    // a second run at far too high a learning rate: the first run's filters at the same epoch
    // appear beside its own, and its ReLUs die (Adam at 0.05 silences LeNet's ReLUs in one epoch)
    await studio.page.getByLabel('Epochs').fill('1');
    await studio.page.getByLabel('Learning rate').fill('0.5');
    await train();
    await expect.poll(() => studio.page.getByTestId('history-compare').count(), { timeout: 30_000 }).toBe(1);
    expect(await studio.page.getByTestId('history-epoch').textContent()).toBe('1');
    expect(await studio.page.getByTestId('history-compare').getAttribute('data-epoch')).toBe('1');
    expect(await studio.page.getByTestId('history-compare').textContent()).toContain('run 1');
    expect(await canvasPixels(studio.page.getByTestId('history-compare-grid'))).toEqual(first);
    expect(await canvasPixels(studio.page.getByTestId('history-filters-grid'))).not.toEqual(first);
    // the canvas shows the newest epoch's warnings on their nodes (LeNet's graph itself has none)
    const listed = await studio.page.getByTestId('history-warnings').locator('li:not(.muted)').allTextContents();
    expect(listed).toContain('relu1: 100% of units never fire on the probe batch (32 samples, epoch 1)');
    for (const message of listed) {
      const nodeId = message.slice(0, message.indexOf(':'));
      expect(await studio.page.getByTestId(`node-warning-${nodeId}`).textContent()).toBe(message);
    }
    expect(await studio.page.locator('[data-testid^="node-warning-"]').count()).toBe(new Set(listed.map((m) => m.split(':')[0])).size);

    // Both runs' records keep their statistics: the first, loaded from its record, shows its three
    // epochs' histograms (no snapshots: records keep none), and the canvas keeps the newest run's warnings.
    const saved = studio.page.getByLabel('Saved run');
    expect(await saved.locator('option').allTextContents()).toEqual(['load a saved run…', 'run-1 · 3 epochs', 'run-2 · 1 epochs']);
    await saved.selectOption('run-1');
    await expect.poll(() => studio.page.getByLabel('Run', { exact: true }).inputValue()).toBe('saved:run-1');
    expect(await scrubber.getAttribute('max')).toBe('3');
    expect(await studio.page.getByTestId('history-filters').textContent()).toContain('no snapshot (run records keep none)');
    await studio.page.getByTestId('history-weights').waitFor();
    await studio.page.getByTestId('history-gradients').waitFor();
    expect(await studio.page.getByTestId('node-warning-relu1').count()).toBe(1);
    expect(studio.pageErrors).toEqual([]);
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await studio.page.screenshot({ path: join(SCREENSHOTS, 'history.png') });
    }
  }, 300_000);
});
