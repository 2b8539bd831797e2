// The Visualise panel's analysis views end to end: the real `cnn-studio serve` in headless
// Chromium. LeNet-5 trains briefly on an MNIST subset; then the filter view and its histogram,
// the confusion matrix (a click shows its mistakes, a click on one explains it), saliency,
// Grad-CAM, occlusion, the deconvnet projection and the top-9 patches each render.
// Screenshots of each view are left in .tmp/e2e-screenshots; CNN_STUDIO_SCREENSHOTS=1 also
// writes docs/images/analysis-{attribution,deconvnet,confusion}.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumMissing, ROOT } from './harness';
import { openTemplate, setTrainingLimits, trainToCompletion, useStudioSession } from './studio-session';
import { canvasFacts } from './canvas-pixels';

if (chromiumMissing) console.warn(chromiumMissing);

const ARTEFACTS = join(ROOT, '.tmp', 'e2e-screenshots');
const DOCS = process.env.CNN_STUDIO_SCREENSHOTS ? join(ROOT, 'docs', 'images') : null;

const studio = useStudioSession();

const shoot = async (name: string, forDocs = true) => {
  mkdirSync(ARTEFACTS, { recursive: true });
  const panel = studio.page.getByRole('region', { name: 'Visualise' });
  // the whole panel, not only the part its scroll box shows
  await panel.evaluate((element) => ((element as unknown as { style: { maxHeight: string } }).style.maxHeight = 'none'));
  await panel.screenshot({ path: join(ARTEFACTS, `${name}.png`) });
  if (DOCS && forDocs) {
    mkdirSync(DOCS, { recursive: true });
    await panel.screenshot({ path: join(DOCS, `analysis-${name}.png`) });
  }
  await panel.evaluate((element) => ((element as unknown as { style: { maxHeight: string } }).style.maxHeight = ''));
};

describe.skipIf(chromiumMissing !== null)('the Visualise panel’s analysis views', () => {
  it('render for a LeNet-5 trained briefly on MNIST', async () => {
    await openTemplate(studio.page, studio.served.url, 'lenet5', 'conv1');
    await studio.page.getByRole('button', { name: 'Visualise' }).click();
    await setTrainingLimits(studio.page, { epochs: '1', batchSize: '32', sampleLimit: '3000' });
    await trainToCompletion(studio.page, 150_000);
    await studio.page.getByTestId('node-conv1').click();

    // Features: the filters and the histogram of their weights
    await studio.page.getByTestId('filter-grid').waitFor({ timeout: 30_000 });
    expect((await canvasFacts(studio.page.getByTestId('filter-tile').first())).colours).toBeGreaterThan(10);
    const histogram = studio.page.getByTestId('weight-histogram');
    await histogram.waitFor();
    expect((await canvasFacts(histogram)).colours).toBeGreaterThanOrEqual(2);
    expect(await studio.page.getByTestId('viz-histogram').textContent()).toContain('150 weights');
    await shoot('features', false);

    // Confusion: 500 validation samples, a cell's mistakes, and one of them explained
    await studio.page.getByRole('tab', { name: 'Confusion' }).click();
    const matrix = studio.page.getByRole('table', { name: 'Confusion matrix' });
    await matrix.waitFor({ timeout: 30_000 });
    expect(await studio.page.getByTestId('viz-confusion').textContent()).toMatch(/Accuracy \d+% on 500 samples · \d+ wrong/);
    const counts = await matrix.locator('td button').allTextContents();
    expect(counts).toHaveLength(100);
    expect(counts.map(Number).reduce((a, b) => a + b, 0)).toBe(500);
    const diagonal = counts.map(Number).filter((_, i) => i % 11 === 0);
    expect(diagonal.reduce((a, b) => a + b, 0)).toBeGreaterThan(250);
    expect(await studio.page.getByTestId('class-accuracy-0').textContent()).toMatch(/^\d+%$/);
    const wrongCell = counts.findIndex((n, i) => i % 11 !== 0 && Number(n) > 0);
    expect(wrongCell).toBeGreaterThanOrEqual(0);
    const [label, predicted] = [Math.floor(wrongCell / 10), wrongCell % 10];
    await studio.page.getByTestId(`confusion-${label}-${predicted}`).click();
    const gallery = studio.page.getByTestId('misclassified');
    await expect.poll(() => gallery.count()).toBeGreaterThan(0);
    // up to 12 of a cell's mistakes are sent
    expect(await gallery.count()).toBe(Math.min(Number(counts[wrongCell]), 12));
    expect(await studio.page.getByTestId('viz-confusion').textContent()).toContain(
      `${label} taken for ${predicted}: ${await gallery.count()} of ${counts[wrongCell]} shown`,
    );
    for (const caption of await gallery.locator('span').allTextContents())
      expect(caption).toMatch(new RegExp(`^${label}→${predicted} \\d+%$`));
    expect((await canvasFacts(gallery.first().locator('canvas'))).colours).toBeGreaterThan(2);
    await shoot('confusion');

    // Attribution: the mistake clicked, with saliency, Grad-CAM and occlusion for its predicted class
    const sampleIndex = (await gallery.first().getAttribute('title'))!.match(/sample (\d+)/)![1];
    await gallery.first().click();
    await expect.poll(() => studio.page.getByRole('tab', { name: 'Attribution' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => studio.page.getByTestId('viz-sample').getAttribute('data-sample')).toBe(sampleIndex);
    for (const id of ['saliency-map', 'gradcam-map', 'occlusion-map']) {
      await studio.page.getByTestId(id).waitFor({ timeout: 30_000 });
      const facts = await canvasFacts(studio.page.getByTestId(id));
      expect(facts.width).toBeGreaterThanOrEqual(28);
      expect(facts.colours, id).toBeGreaterThan(5);
    }
    await expect.poll(() => studio.page.getByTestId('viz-saliency').textContent()).toContain(`class ${predicted}`);
    expect(await studio.page.getByTestId('viz-gradcam').textContent()).toContain('Grad-CAM at relu2');
    // another class, picked
    await studio.page.getByLabel('Class').selectOption(String(label));
    await expect.poll(() => studio.page.getByTestId('viz-saliency').textContent()).toContain(`Saliency for class ${label}`);
    await expect.poll(() => studio.page.getByTestId('viz-gradcam').textContent()).toContain(`class ${label}`);
    await shoot('attribution');

    // Deconvnet: conv2's channel 3 projected for the sample, and its top-9 patches with projections
    await studio.page.getByLabel('Layer to visualise').selectOption('conv2');
    await studio.page.getByRole('tab', { name: 'Deconvnet' }).click();
    await studio.page.getByLabel('Feature channel').fill('3');
    await expect
      .poll(() => studio.page.getByTestId('viz-deconvnet').textContent(), { timeout: 30_000 })
      .toContain('conv2 channel 3, projected');
    expect((await canvasFacts(studio.page.getByTestId('deconvnet-map'))).colours).toBeGreaterThan(5);
    await expect.poll(() => studio.page.getByTestId('top-patch').count()).toBe(9);
    expect(await studio.page.getByTestId('top-projection').count()).toBe(9);
    expect(await studio.page.getByTestId('viz-top-patches').textContent()).toContain('Top 9 of 500 samples');
    const patch = await canvasFacts(studio.page.getByTestId('top-patch').first());
    expect(patch.colours).toBeGreaterThan(2);
    expect((await canvasFacts(studio.page.getByTestId('top-projection').first())).colours).toBeGreaterThan(2);
    await shoot('deconvnet');
    expect(await studio.page.getByTestId('viz-problem').count()).toBe(0);
  }, 300_000);

  it('had no errors in the page', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});
