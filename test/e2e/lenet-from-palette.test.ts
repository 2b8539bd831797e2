// LeNet-5 built by hand in the IDE, as a student would: the canvas cleared, every layer dragged
// in from the palette, wired handle to handle, its parameters typed into the inspector; then
// the same shapes, parameter count and no errors as the template the textbook gives.
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './harness';
import { dragHandle, openTemplate, useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

const studio = useStudioSession();

const node = (id: string): Locator => studio.page.locator(`[data-testid=node-${id}]`);

/** The layers in order: palette type, the id the editor gives it, the parameters to type. */
const LAYERS: readonly [type: string, id: string, params: Record<string, string>][] = [
  ['Input', 'input1', {}],
  ['Conv2D', 'conv1', { filters: '6', kernel: '5', padding: '2' }],
  ['ReLU', 'relu1', {}],
  ['MaxPool2D', 'maxpool1', { kernel: '2', stride: '2' }],
  ['Conv2D', 'conv2', { filters: '16', kernel: '5' }],
  ['ReLU', 'relu2', {}],
  ['MaxPool2D', 'maxpool2', { kernel: '2', stride: '2' }],
  ['Flatten', 'flatten1', {}],
  ['Dense', 'dense1', { units: '120' }],
  ['ReLU', 'relu3', {}],
  ['Dense', 'dense2', { units: '84' }],
  ['ReLU', 'relu4', {}],
  ['Dense', 'dense3', { units: '10' }],
  ['ClassificationHead', 'classificationhead1', { classes: '10' }],
];

describe.skipIf(chromiumMissing !== null)('LeNet-5 from the palette', () => {
  it('builds LeNet-5 layer by layer and gets the textbook shapes and 61,706 parameters', { timeout: 180_000 }, async () => {
    await openTemplate(studio.page, studio.served.url, 'lenet5', 'conv1');
    // An empty canvas: select everything and delete it.
    await studio.page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
    await studio.page.keyboard.press('Control+A');
    await studio.page.keyboard.press('Delete');
    await expect.poll(() => studio.page.locator('.react-flow__node').count()).toBe(0);

    // Zoomed out, so that layers taller with their error messages do not cover the row below.
    for (let i = 0; i < 3; i++) await studio.page.locator('.react-flow__controls-zoomout').click();
    const canvas = studio.page.getByTestId('canvas');
    const box = (await canvas.boundingBox())!;
    const search = studio.page.getByRole('searchbox', { name: 'Search layers' });
    for (const [index, [type, id]] of LAYERS.entries()) {
      await search.fill(type);
      const column = Math.floor(index / 5);
      const row = index % 5;
      const target = { x: 120 + column * Math.min(260, (box.width - 240) / 2), y: 40 + row * Math.min(95, (box.height - 80) / 4.5) };
      await studio.page.getByTestId(`palette-${type}`).dragTo(canvas, { targetPosition: target });
      await node(id).waitFor();
    }
    await search.fill('');
    for (let i = 1; i < LAYERS.length; i++) {
      await dragHandle(
        node(LAYERS[i - 1]![1]).locator('.react-flow__handle.source'),
        node(LAYERS[i]![1]).locator('.react-flow__handle.target'),
      );
    }
    await expect.poll(() => studio.page.locator('.react-flow__edge').count()).toBe(LAYERS.length - 1);

    for (const [, id, params] of LAYERS) {
      if (!Object.keys(params).length) continue;
      await node(id).click();
      for (const [name, value] of Object.entries(params)) await studio.page.locator(`#param-${id}-${name}`).fill(value);
    }

    await expect.poll(() => studio.page.getByTestId('error-count').textContent()).toBe('0 errors');
    expect(await studio.page.getByTestId('total-params').textContent()).toBe('61,706 parameters');
    const labels = await studio.page.locator('.react-flow__edge-text').allTextContents();
    for (const shape of ['1×28×28', '6×28×28', '6×14×14', '16×10×10', '16×5×5', '400', '120', '84', '10']) expect(labels).toContain(shape);
  });
});
