// The Playground panel end to end: the real `cnn-studio serve` in headless Chromium. Before
// training it says there are no weights; LeNet-5 then trains briefly on an MNIST subset, and the
// network in the page must read a "1" (a vertical stroke) and a "0" (an ellipse) drawn with the
// mouse, and an MNIST test digit dropped on the pad as a PNG file, as their labels; a file that
// is not an image is refused, saying so. Every layer's output is drawn. A screenshot is left in
// .tmp/e2e-screenshots/playground.png (CNN_STUDIO_SCREENSHOTS=1: docs/images/playground.png too).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../electron/services/datasets/mnist';
import { chromiumMissing, ROOT } from './harness';
import { openTemplate, setTrainingLimits, trainToCompletion, useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

const ARTEFACTS = join(ROOT, '.tmp', 'e2e-screenshots');
const DOCS = process.env.CNN_STUDIO_SCREENSHOTS ? join(ROOT, 'docs', 'images') : null;

const studio = useStudioSession();

/** Drags the mouse through `points` (pad pixels, 0–224) on the drawing pad. */
const stroke = async (points: readonly (readonly [number, number])[]) => {
  const pad = studio.page.getByTestId('playground-pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const scale = box.width / 224;
  const at = ([x, y]: readonly [number, number]) => [box.x + x * scale, box.y + y * scale] as const;
  await studio.page.mouse.move(...at(points[0]));
  await studio.page.mouse.down();
  for (const point of points.slice(1)) await studio.page.mouse.move(...at(point), { steps: 2 });
  await studio.page.mouse.up();
};

const predicted = () => studio.page.getByTestId('playground-prediction').getAttribute('data-class');

/** An MNIST test image (grey bytes) and its label. */
const mnistDigit = (index: number) => {
  const test = loadMnist('test');
  const x = new Float32Array(28 * 28);
  const y = new Int32Array(1);
  test.fill(Int32Array.of(index), 0, 1, x, y);
  return { pixels: Array.from(x, (value) => Math.round(value * 255)), label: y[0] };
};

/** Drops a file on the pad: a PNG made in the page from grey bytes, or other bytes as they are. */
const dropFile = async (file: { name: string; type: string; grey?: number[]; text?: string }) => {
  // (page code as text: these tests are type-checked without the DOM's types)
  const transfer = await studio.page.evaluateHandle(`(async ({ name, type, grey, text }) => {
    let blob;
    if (grey) {
      const side = Math.round(Math.sqrt(grey.length));
      const canvas = new OffscreenCanvas(side, side);
      const image = new ImageData(side, side);
      grey.forEach((value, i) => image.data.set([value, value, value, 255], i * 4));
      canvas.getContext('2d').putImageData(image, 0, 0);
      blob = await canvas.convertToBlob({ type: 'image/png' });
    } else blob = new Blob([text ?? ''], { type });
    const data = new DataTransfer();
    data.items.add(new File([blob], name, { type }));
    return data;
  })(${JSON.stringify(file)})`);
  await studio.page.locator('.playground-pad').dispatchEvent('drop', { dataTransfer: transfer });
};

describe.skipIf(chromiumMissing !== null)('the Playground panel', () => {
  it('predicts drawn and dropped digits with a LeNet-5 trained briefly on MNIST', async () => {
    await openTemplate(studio.page, studio.served.url, 'lenet5', 'conv1');
    await studio.page.getByRole('button', { name: 'Playground' }).click();
    await studio.page.getByTestId('playground-untrained').waitFor();
    expect(await studio.page.getByTestId('playground-untrained').textContent()).toContain('no trained weights');

    await setTrainingLimits(studio.page, { epochs: '1', batchSize: '32', sampleLimit: '6000' });
    await trainToCompletion(studio.page, 240_000);
    await studio.page.getByTestId('playground-pad').waitFor({ timeout: 30_000 });
    // more room for the screenshot (the pad fits the bottom panel's default height too)
    await studio.page.getByRole('button', { name: 'Palette' }).click();
    await studio.page.getByRole('button', { name: 'Inspector' }).click();
    const splitter = (await studio.page.getByRole('separator', { name: 'Resize the training panel' }).boundingBox())!;
    await studio.page.mouse.move(splitter.x + splitter.width / 2, splitter.y + splitter.height / 2);
    await studio.page.mouse.down();
    await studio.page.mouse.move(splitter.x + splitter.width / 2, splitter.y - 200, { steps: 4 });
    await studio.page.mouse.up();
    expect(await studio.page.getByTestId('playground-status').getAttribute('data-state')).toBe('ready');

    // a "1": one vertical stroke
    await stroke([
      [112, 30],
      [112, 70],
      [111, 110],
      [111, 150],
      [110, 194],
    ]);
    await expect.poll(predicted).toBe('1');
    expect(await studio.page.getByTestId('playground-prediction').textContent()).toMatch(/^Prediction: 1 \(\d+(\.\d)?%\)$/);
    expect(await studio.page.locator('.playground-bars tr').count()).toBe(10);
    // every layer after the Input has its maps
    for (const id of ['conv1', 'relu1', 'pool1', 'conv2', 'relu2', 'pool2', 'flatten', 'fc1', 'relu3', 'fc2', 'relu4', 'fc3', 'output'])
      await expect.poll(() => studio.page.getByTestId(`playground-layer-${id}`).count(), { message: id }).toBe(1);

    // a "0": an ellipse, after clearing
    await studio.page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => studio.page.getByTestId('playground-prediction').count()).toBe(0);
    const ellipse = Array.from({ length: 41 }, (_, i) => {
      const angle = (2 * Math.PI * i) / 40;
      return [112 + 55 * Math.cos(angle), 112 + 80 * Math.sin(angle)] as const;
    });
    await stroke(ellipse);
    await expect.poll(predicted).toBe('0');
    mkdirSync(ARTEFACTS, { recursive: true });
    const panel = studio.page.getByRole('region', { name: 'Playground' });
    await panel.evaluate((element) => ((element as unknown as { style: { maxHeight: string } }).style.maxHeight = 'none'));
    await panel.screenshot({ path: join(ARTEFACTS, 'playground.png') });
    if (DOCS) {
      mkdirSync(DOCS, { recursive: true });
      await panel.screenshot({ path: join(DOCS, 'playground.png') });
    }

    // an MNIST test digit dropped as a PNG file
    await studio.page.getByRole('button', { name: 'Clear' }).click();
    const digit = mnistDigit(0);
    await dropFile({ name: 'digit.png', type: 'image/png', grey: digit.pixels });
    await expect.poll(predicted).toBe(String(digit.label));
    const another = mnistDigit(2);
    expect(another.label).not.toBe(digit.label);
    await dropFile({ name: 'another.png', type: 'image/png', grey: another.pixels });
    await expect.poll(predicted).toBe(String(another.label));

    // not an image: refused, and the last answer stays
    await dropFile({ name: 'notes.png', type: 'image/png', text: 'not a picture' });
    await expect
      .poll(() => studio.page.getByTestId('playground-problem').textContent())
      .toContain('notes.png could not be read as an image');
    expect(await predicted()).toBe(String(another.label));
    expect(studio.pageErrors).toEqual([]);
  }, 400_000);
});
