// The convolution explainer end to end: the real `cnn-studio serve` in headless Chromium. In the
// factorised template, before any training, the Explain tab shows a separable convolution's
// stages and the saving, and each stage as patch matrix · filter matrix with the weights a run
// would start from; stepping moves that stage's window. In a fresh LeNet project the inspector
// says whether a hand-made kernel is separable, and the Explain tab shows conv1 as
// 784 × 25 · 25 × 6 = 784 × 6 at once, with the initial weights (the hand-set filter among them)
// and a training sample; after a short run it shows the same with the weights after epoch 1, and
// stepping or playing the window moves it over the output positions; once conv1 has 8 filters
// instead of 6 the run's weights no longer fit, and it falls back to the initial weights, saying so.
// CNN_STUDIO_SCREENSHOTS=1 also writes docs/images/explainer.png and explainer-stages.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canvasFacts } from './canvas-pixels';
import { chromiumMissing, ROOT } from './harness';
import { openTemplate, setTrainingLimits, trainToCompletion, useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

const SCREENSHOTS = process.env.CNN_STUDIO_SCREENSHOTS ? join(ROOT, 'docs', 'images') : null;

const studio = useStudioSession();

const position = async () => Number(await studio.page.getByTestId('explain-position').getAttribute('data-position'));

describe.skipIf(chromiumMissing !== null)('the convolution explainer', () => {
  it('shows the stages of separable convolutions, the cost they save and each stage as matrices, before any training', async () => {
    await openTemplate(studio.page, studio.served.url, 'factorised', 'separable');
    await studio.page.getByRole('button', { name: 'Visualise' }).click();
    await studio.page.getByRole('tab', { name: 'Explain' }).click();
    await studio.page.getByLabel('Layer to visualise').selectOption('separable');
    const stages = studio.page.getByTestId('explain-stages');
    await expect.poll(() => stages.getAttribute('data-node')).toBe('separable');
    expect(await studio.page.getByTestId('explain-stage-0').textContent()).toMatch(/^1\. depthwise 3×3\s*16×14×14 → 16×14×14/);
    expect(await studio.page.getByTestId('explain-stage-1').textContent()).toMatch(/^2\. Conv2D 1×1\s*16×14×14 → 32×14×14/);
    // 16·196·9 + 32·196·16 multiply-adds against 32·196·16·9; 688 parameters against 4,640
    expect(await studio.page.getByTestId('explain-saving').textContent()).toBe(
      'The stages cost 7× fewer multiply-adds and 6.7× fewer parameters than the standard 3×3 convolution, 16 → 32 channels.',
    );

    // Each stage as a convolution of its own, with the weights a run would start from.
    const source = studio.page.getByTestId('explain-source');
    await expect
      .poll(() => source.textContent(), { timeout: 30_000 })
      .toMatch(/^Weights: initial weights \(before training\); input: training sample \d+/);
    const view = studio.page.getByTestId('explain-conv');
    expect(await view.getAttribute('data-node')).toBe('separable_depthwise');
    // depthwise: one channel per group, 14·14 positions by 3·3 taps, one filter each
    expect(await studio.page.getByTestId('explain-sizes').textContent()).toBe('196 × 9 · 9 × 1 = 196 × 1');
    await studio.page.getByLabel('Stage', { exact: true }).selectOption('1');
    await expect.poll(() => view.getAttribute('data-node')).toBe('separable_pointwise');
    expect(await studio.page.getByTestId('explain-sizes').textContent()).toBe('196 × 16 · 16 × 32 = 196 × 32');
    for (const picture of ['explain-input', 'explain-patches', 'explain-filters', 'explain-output'])
      expect((await canvasFacts(studio.page.getByTestId(picture))).colours, picture).toBeGreaterThan(2);
    expect(await position()).toBe(0);
    await studio.page.getByRole('button', { name: 'Next position' }).click();
    expect(await position()).toBe(1);
    expect(await studio.page.getByTestId('explain-position').textContent()).toMatch(/^position 1 of 196: output row 0, column 1/);
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await studio.page.getByTestId('splitter-bottomHeight').focus();
      for (let i = 0; i < 36; i++) await studio.page.keyboard.press('ArrowUp');
      await studio.page.getByTestId('explain-stages').evaluate((element) => element.scrollIntoView({ block: 'start' }));
      await studio.page.getByRole('region', { name: 'Visualise' }).screenshot({ path: join(SCREENSHOTS, 'explainer-stages.png') });
      // the layout is kept: leave the panel as tall as the next test expects
      for (let i = 0; i < 36; i++) await studio.page.keyboard.press('ArrowDown');
    }

    await studio.page.getByLabel('Layer to visualise').selectOption('spatial');
    await expect.poll(() => stages.getAttribute('data-node')).toBe('spatial');
    expect(await studio.page.getByTestId('explain-stage-0').textContent()).toMatch(/^1\. Conv2D 5×1/);
    expect(await studio.page.getByTestId('explain-stage-1').textContent()).toMatch(/^2\. Conv2D 1×5/);
    // the column stage: 5 taps down one column of each of the 16 channels
    await studio.page.getByLabel('Stage', { exact: true }).selectOption('0');
    await expect.poll(() => studio.page.getByTestId('explain-conv').getAttribute('data-node')).toBe('spatial_column');
    expect(await studio.page.getByTestId('explain-sizes').textContent()).toMatch(/ × 80 · 80 × 16 = /);
    // 16 → 16 channels: K×1 then 1×K costs 2/K of K×K, 2.5 times fewer multiply-adds
    expect(await studio.page.getByTestId('explain-saving').textContent()).toMatch(/^The stages cost 2\.5× fewer multiply-adds/);

    // A layer that is no convolution says what the tab is for.
    await studio.page.getByLabel('Layer to visualise').selectOption('relu1');
    await studio.page.getByTestId('explain-none').waitFor();
  }, 120_000);

  it("says whether conv1's kernels are separable, shows conv1's matrices before training, then animates its window after a run", async () => {
    await studio.page.goto(studio.served.url);
    await studio.page.getByTestId('template-lenet5').click();
    await studio.page.getByTestId('node-conv1').click();
    await studio.page.getByTestId('filters-section').waitFor();
    // a random 5×5 kernel is full rank; a Gaussian is a column times a row
    expect(await studio.page.getByTestId('kernel-rank').textContent()).toMatch(/^rank 5: not separable/);
    await studio.page.getByLabel('Filter 0 preset').selectOption('gaussian');
    await expect.poll(() => studio.page.getByTestId('kernel-rank').textContent()).toMatch(/^rank 1: separable into 5×1 · 1×5, \[1 /);

    await studio.page.getByRole('button', { name: 'Visualise' }).click();
    await studio.page.getByRole('tab', { name: 'Explain' }).click();
    await studio.page.getByLabel('Layer to visualise').selectOption('conv1');
    // before any training: the weights a run would start from, the Gaussian set by hand among them
    const view = studio.page.getByTestId('explain-conv');
    const explainer = studio.page.getByRole('region', { name: 'Visualise' });
    await view.waitFor({ timeout: 30_000 });
    expect(await studio.page.getByTestId('explain-source').textContent()).toMatch(
      /^Weights: initial weights \(before training\); input: training sample \d+ \(/,
    );
    expect(await studio.page.getByTestId('explain-sizes').textContent()).toBe('784 × 25 · 25 × 6 = 784 × 6');
    expect(await studio.page.getByTestId('explain-rank').textContent()).toMatch(/^Filter 0, channel 0: rank 1: separable/);
    expect(await position()).toBe(0);
    await explainer.getByRole('button', { name: 'Next position' }).click();
    expect(await position()).toBe(1);
    expect((await canvasFacts(studio.page.getByTestId('explain-input'))).colours).toBeGreaterThan(2);
    // another training sample: the line names it, the matrices stay the same size
    const firstSample = await studio.page.getByTestId('explain-source').textContent();
    await explainer.getByRole('button', { name: 'Another sample' }).click();
    await expect.poll(() => studio.page.getByTestId('explain-source').textContent()).not.toBe(firstSample);
    expect(await studio.page.getByTestId('explain-source').textContent()).toMatch(
      /^Weights: initial weights \(before training\); input: training sample \d+ \(/,
    );
    expect(await studio.page.getByTestId('explain-sizes').textContent()).toBe('784 × 25 · 25 × 6 = 784 × 6');

    await setTrainingLimits(studio.page, { epochs: '1', batchSize: '16', sampleLimit: '320' });
    await trainToCompletion(studio.page, 120_000);

    await expect
      .poll(() => studio.page.getByTestId('explain-source').textContent(), { timeout: 30_000 })
      .toMatch(/^Weights: after epoch 1; input: validation sample 0/);
    expect(await view.getAttribute('data-node')).toBe('conv1');
    expect(await studio.page.getByTestId('explain-sizes').textContent()).toBe('784 × 25 · 25 × 6 = 784 × 6');
    for (const picture of ['explain-input', 'explain-patches', 'explain-filters', 'explain-output'])
      expect((await canvasFacts(studio.page.getByTestId(picture))).colours, picture).toBeGreaterThan(2);
    // the explainer names the rank of the chosen filter's kernel, as trained
    expect(await studio.page.getByTestId('explain-rank').textContent()).toMatch(/^Filter 0, channel 0: rank \d/);

    expect(await position()).toBe(0);
    // position 0 with padding 2: the window starts at (−2, −2), partly in the padding
    expect(await studio.page.getByTestId('explain-position').textContent()).toContain(
      'the window starts at input row -2, column -2 (part of it in the padding',
    );
    const firstSum = await studio.page.getByTestId('explain-sum').textContent();
    await studio.page.getByRole('button', { name: 'Next position' }).click();
    expect(await position()).toBe(1);
    expect(await studio.page.getByTestId('explain-position').textContent()).toMatch(/^position 1 of 784: output row 0, column 1/);
    await studio.page.getByRole('button', { name: 'Previous position' }).click();
    await studio.page.getByRole('button', { name: 'Previous position' }).click();
    expect(await position()).toBe(783);
    expect(await studio.page.getByTestId('explain-sum').textContent()).not.toBe(firstSum);

    // Play moves the window on by itself; Pause stops it where it is. Keyboard: Space on the focused button.
    await explainer.getByRole('button', { name: 'Play', exact: true }).focus();
    await studio.page.keyboard.press('Space');
    await expect.poll(position, { timeout: 10_000 }).toBeGreaterThan(2);
    await expect.poll(position, { timeout: 10_000 }).toBeLessThan(783);
    await explainer.getByRole('button', { name: 'Pause', exact: true }).click();
    const stopped = await position();
    await studio.page.waitForTimeout(600);
    expect(await position()).toBe(stopped);

    // Another filter: its column is marked and the output map changes.
    await studio.page.getByLabel('Filter', { exact: true }).selectOption('3');
    await expect.poll(() => studio.page.getByTestId('explain-sum').textContent()).toContain('output map 3');
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      // a taller bottom panel, and the window in the middle of the digit
      await studio.page.getByTestId('splitter-bottomHeight').focus();
      for (let i = 0; i < 36; i++) await studio.page.keyboard.press('ArrowUp');
      await explainer.getByLabel('The position').fill('380');
      await explainer.getByTestId('explain-sizes').scrollIntoViewIfNeeded();
      await explainer.screenshot({ path: join(SCREENSHOTS, 'explainer.png') });
    }

    // conv1 edited to 8 filters: the run's weights no longer fit, and the tab falls back to the initial weights, saying so
    await studio.page.getByTestId('node-conv1').click();
    await studio.page.locator('#param-conv1-filters').fill('8');
    await studio.page.getByRole('tab', { name: 'Explain' }).click();
    await expect
      .poll(() => studio.page.getByTestId('explain-source').textContent(), { timeout: 30_000 })
      .toMatch(/^Weights: the graph changed since the last run: initial weights; input: training sample \d+ \(/);
    await expect.poll(() => studio.page.getByTestId('explain-sizes').textContent()).toBe('784 × 25 · 25 × 8 = 784 × 8');
    expect(await view.getAttribute('data-node')).toBe('conv1');
    for (const picture of ['explain-input', 'explain-filters', 'explain-output'])
      expect((await canvasFacts(studio.page.getByTestId(picture))).colours, picture).toBeGreaterThan(2);
  }, 240_000);

  it("shows an autoencoder's transposed convolution as y = Cᵀ x and steps the scattering pixel", async () => {
    await openTemplate(studio.page, studio.served.url, 'autoencoder', 'dec1');
    await setTrainingLimits(studio.page, { epochs: '1', batchSize: '16', sampleLimit: '320' });
    await trainToCompletion(studio.page, 120_000);
    const panel = studio.page.getByRole('region', { name: 'Visualise' });
    if ((await panel.count()) === 0) await studio.page.getByRole('button', { name: 'Visualise' }).click();
    await studio.page.getByRole('tab', { name: 'Explain' }).click();
    await studio.page.getByLabel('Layer to visualise').selectOption('dec1');
    const view = studio.page.getByTestId('explain-transposed');
    // the autoencoder's run keeps no validation set: the sample comes from the training set
    await expect.poll(() => panel.getByTestId('viz-problem').textContent()).toContain('this run has no validation set');
    await studio.page.getByLabel('Sample set').selectOption('train');
    await view.waitFor({ timeout: 30_000 });
    // dec1: 32×7×7 → 16×14×14; each channel pair's block of C is 49 × 196
    expect(await studio.page.getByTestId('explain-sizes').textContent()).toBe('196 × 49 · 49 = 196');
    for (const picture of ['explain-input', 'explain-matrix', 'explain-output'])
      expect((await canvasFacts(studio.page.getByTestId(picture))).colours, picture).toBeGreaterThan(2);
    // pixel (0, 0) with padding 1 reaches output rows and columns 0..1 only: 4 pixels; pixel (1, 1) a full 3×3
    expect(await studio.page.getByTestId('explain-position').textContent()).toMatch(
      /^input pixel 0 \(0, 0\) = \S+ adds itself times the kernel into 4 output pixels/,
    );
    for (let i = 0; i < 8; i++) await panel.getByRole('button', { name: 'Next input pixel' }).click();
    expect(await position()).toBe(8);
    expect(await studio.page.getByTestId('explain-position').textContent()).toMatch(
      /^input pixel 8 \(1, 1\) = \S+ adds itself times the kernel into 9 output pixels/,
    );
    expect(await view.locator('.explain-mark').count()).toBe(1 + 1 + 9);
  }, 240_000);

  it('had no errors in the page', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});
