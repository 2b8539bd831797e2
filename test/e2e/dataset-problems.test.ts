// Dataset problems in the IDE: the real `cnn-studio serve` and headless Chromium. A project whose
// image folder holds a corrupt PNG, a text file and an empty class folder trains; the training
// panel warns that the dataset skipped three things and, opened, lists each with its path.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lenet5 } from '../../engine/graph/templates/classic';
import { ProjectStore } from '../../electron/services/project/store';
import { pngBytes, writeFile } from '../electron/services/datasets/helpers';
import { chromiumMissing } from './harness';
import { useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

let projectPath: string;
let skipped: string[];
const studio = useStudioSession({
  consoleErrors: false,
  beforeBrowser: async (served) => {
    const root = join(served.folder, 'pets');
    for (let i = 0; i < 4; i++) {
      writeFile(
        join(root, 'cats', `${i}.png`),
        pngBytes(28, 28, (r, c) => [(r * 8 + i) % 256, c, 0], { grey: true }),
      );
      writeFile(
        join(root, 'dogs', `${i}.png`),
        pngBytes(28, 28, (r, c) => [255 - ((c * 8 + i) % 256), r, 0], { grey: true }),
      );
    }
    const corrupt = writeFile(join(root, 'cats', 'broken.png'), pngBytes(28, 28, () => [1, 2, 3]).subarray(0, 40));
    const text = writeFile(join(root, 'dogs', 'readme.txt'), 'not an image');
    mkdirSync(join(root, 'birds'));
    skipped = [text, corrupt, join(root, 'birds')];
    projectPath = join(served.folder, 'pets.cnnproj');
    const created = await new ProjectStore().create(projectPath, lenet5(), {
      dataset: { kind: 'folder', path: 'pets', size: 28, channels: 1 },
      split: { validation: 0.25, test: 0, seed: 1 },
    });
    if (!created.ok) throw new Error(created.error.message);
  },
});

describe.skipIf(chromiumMissing !== null)('dataset problems in the training panel', () => {
  it('warns about what the dataset skipped and lists each path when opened', async () => {
    await studio.page.goto(studio.served.url);
    await studio.page.getByLabel('Project file path').fill(projectPath);
    await studio.page.getByRole('button', { name: 'Open', exact: true }).click();
    await studio.page.locator('[data-testid=node-conv1]').waitFor();
    await studio.page.getByLabel('Batch size').fill('4');
    await studio.page.getByRole('button', { name: 'Train', exact: true }).click();
    const warning = studio.page.getByTestId('dataset-problems');
    await warning.waitFor({ timeout: 60_000 });
    expect(await warning.locator('summary').textContent()).toContain('The dataset skipped 3 files or folders');
    expect(await warning.locator('li').first().isVisible()).toBe(false);
    await warning.locator('summary').click();
    const items = await warning.locator('li').allTextContents();
    expect(items).toHaveLength(3);
    for (const path of skipped) expect(items.some((item) => item.startsWith(`${path}: `))).toBe(true);
    await expect.poll(() => studio.page.getByTestId('training-status').textContent(), { timeout: 60_000 }).toContain('completed');
    expect(studio.pageErrors).toEqual([]);
  }, 120_000);
});
