// The training panel's settings end to end, against the real `cnn-studio serve` in headless
// Chromium: epochs, batch size, rate, SGD with Nesterov and weight decay, a cosine schedule, a
// seed and horizontal flips set in the panel (bad values refused beside their fields, and a run
// refused while one is shown), two short runs with that seed and one with another, and the saved
// project read back from disk and opened again in a fresh page: the settings are the project's
// and come back in the panel, each run's record carries them, the cosine schedule (following the
// epochs) lowered the rate the worker trained with, and the same seed gave the same loss while
// another seed did not.
// CNN_STUDIO_SCREENSHOTS=1 also writes the user guide's picture of the section into docs/images/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectStore } from '../../electron/services/project/store';
import { chromiumMissing, ROOT } from './harness';
import { openTemplate, saveProjectAs, trainToCompletion, useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

const studio = useStudioSession({ afterBrowser: (page, served) => openTemplate(page, served.url, 'lenet5', 'conv1') });

const LEARNING_RATE = 0.01;
const SCREENSHOTS = process.env.CNN_STUDIO_SCREENSHOTS ? join(ROOT, 'docs', 'images') : null;

const train = async (runs: number) => {
  await trainToCompletion(studio.page, 60_000);
  expect(await studio.page.getByTestId('training-finished').textContent()).toContain(`run-${runs} completed`);
};

describe.skipIf(chromiumMissing !== null)('the advanced training settings', () => {
  it('sets the epochs, rate and optimiser, refusing bad values beside their fields', async () => {
    expect(await studio.page.getByLabel('Epochs').inputValue()).toBe('10');
    await studio.page.getByLabel('Epochs').fill('0');
    expect(await studio.page.getByTestId('run-setting-epochs').getByRole('alert').textContent()).toBe(
      'enter a whole number from 1 to 100000',
    );
    // A run is refused while a setting is refused, rather than train with its last good value.
    await studio.page.getByRole('button', { name: 'Train', exact: true }).click();
    expect(await studio.page.locator('.training-failure').textContent()).toBe('Fix Epochs before training');
    await studio.page.getByLabel('Epochs').fill('4');
    expect(await studio.page.locator('.training-failure').count()).toBe(0);
    await studio.page.getByLabel('Batch size').fill('16');
    await studio.page.getByLabel('Learning rate').fill('-1');
    expect(await studio.page.getByTestId('run-setting-learning-rate').getByRole('alert').textContent()).toBe('enter a number above 0');
    await studio.page.getByLabel('Learning rate').fill(String(LEARNING_RATE));
    await studio.page.getByLabel('Sample limit').fill('64');
    await studio.page.getByLabel('Backend').selectOption('cpu');
    // Settings of the project: they mark it unsaved.
    expect(await studio.page.getByTestId('save-state').textContent()).toBe('unsaved changes');

    await studio.page.getByLabel('Optimiser').selectOption('sgd');
    await studio.page.getByRole('button', { name: /^advanced: seed 42$/ }).click();
    await studio.page.getByTestId('advanced-settings').waitFor();
    expect(await studio.page.getByTestId('optimizer-settings').locator('legend').textContent()).toBe('Optimiser: sgd');
    expect(await studio.page.getByLabel('momentum', { exact: true }).inputValue()).toBe('0.9');
    await studio.page.getByLabel('Nesterov').check();
    await studio.page.getByLabel('weight decay', { exact: true }).fill('0.0001');
    // Nesterov needs momentum: clearing it is refused beside the field.
    await studio.page.getByLabel('momentum', { exact: true }).fill('');
    expect(await studio.page.getByTestId('run-setting-optimizer-momentum').getByRole('alert').textContent()).toBe(
      'Nesterov needs a momentum above 0 and no dampening',
    );
    await studio.page.getByLabel('momentum', { exact: true }).fill('0.9');

    await studio.page.getByLabel('Schedule').selectOption('cosine');
    // The schedule's own parameters, started for the run's 4 epochs; while over as many epochs as the run, it follows them.
    expect(await studio.page.getByLabel('over', { exact: true }).inputValue()).toBe('4');
    await studio.page.getByLabel('Epochs').fill('2');
    await expect.poll(() => studio.page.getByLabel('over', { exact: true }).inputValue()).toBe('2');
    // The change of the epochs is one step of the editor's history, the schedule's with it.
    await studio.page.getByLabel('Epochs').press('Control+Z');
    await expect.poll(() => studio.page.getByLabel('Epochs').inputValue()).toBe('4');
    expect(await studio.page.getByLabel('over', { exact: true }).inputValue()).toBe('4');
    await studio.page.getByLabel('Epochs').press('Control+Shift+Z');
    await expect.poll(() => studio.page.getByLabel('over', { exact: true }).inputValue()).toBe('2');
    expect(await studio.page.getByLabel('Epochs').inputValue()).toBe('2');
    expect(await studio.page.getByLabel('min', { exact: true }).count()).toBe(1);
    expect(await studio.page.getByLabel('patience', { exact: true }).count()).toBe(0);

    const seed = studio.page.getByLabel('Seed', { exact: true });
    await seed.fill('-3');
    expect(await studio.page.getByTestId('run-setting-seed').getByRole('alert').textContent()).toBe(
      'enter a whole number from 0 to 4294967295',
    );
    expect(await seed.getAttribute('aria-invalid')).toBe('true');
    await seed.fill('7');
    expect(await studio.page.getByTestId('run-setting-seed').getByRole('alert').count()).toBe(0);
    await studio.page.getByLabel('Flip horizontally').check();
    expect(await studio.page.getByRole('button', { name: /^advanced:/ }).textContent()).toBe('advanced: cosine · seed 7 · flip ↔');
    // Each change is a step of the editor's history: Ctrl+Z in a field undoes the seed typed, the button the flip.
    await studio.page.getByLabel('Noise σ').fill('0.1');
    await studio.page.getByLabel('Noise σ').press('Control+Z');
    await expect.poll(() => studio.page.getByLabel('Noise σ').inputValue()).toBe('');
    await studio.page.getByRole('button', { name: 'Undo', exact: true }).click();
    await expect.poll(() => studio.page.getByLabel('Flip horizontally').isChecked()).toBe(false);
    expect(await seed.inputValue()).toBe('7');
    await studio.page.getByRole('button', { name: 'Redo', exact: true }).click();
    await expect.poll(() => studio.page.getByLabel('Flip horizontally').isChecked()).toBe(true);
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      // The panel is drawn taller for the picture, then given back its height.
      const panel = studio.page.getByTestId('bottom-panel');
      const height = await panel.evaluate((element: { style: { height: string } }) => element.style.height);
      await panel.evaluate((element: { style: { height: string } }) => (element.style.height = '400px'));
      await panel.locator('.training-panel').evaluate((element) => (element.scrollTop = 0));
      await panel.screenshot({ path: join(SCREENSHOTS, 'training-advanced.png') });
      await panel.evaluate((element: { style: { height: string } }, value: string) => (element.style.height = value), height);
    }
  });

  it('trains twice with that seed and once with another', async () => {
    await train(1);
    await train(2);
    await studio.page.getByLabel('Seed', { exact: true }).fill('8');
    await train(3);
    await studio.page.getByRole('button', { name: 'runs: 3' }).click();
    const settings = await studio.page.getByTestId('run-settings').allTextContents();
    expect(settings).toEqual(['cosine · seed 7 · flip ↔', 'cosine · seed 7 · flip ↔', 'cosine · seed 8 · flip ↔']);
    // The history shows what each run trained with, taken from the project.
    expect(await studio.page.getByTestId('run-row').first().locator('td').nth(4).textContent()).toMatch(
      /^sgd · lr 0\.01 · batch 16 · 2 epochs/,
    );
  }, 180_000);

  it('saves the settings in the project, and each run records what it trained with', async () => {
    const optimizer = { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.0001 };
    const path = join(studio.served.folder, 'settings.cnnproj');
    await saveProjectAs(studio.page, path);
    // A change of a setting marks the project unsaved, as any edit does.
    await studio.page.getByRole('button', { name: /^advanced:/ }).click();
    await studio.page.getByLabel('Initialisation').selectOption('he-normal');
    expect(await studio.page.getByTestId('save-state').textContent()).toBe('unsaved changes');
    // Undoing back to what was saved is saved again; redoing is not (the mark follows the undo history).
    const saveState = () => studio.page.getByTestId('save-state').textContent();
    const undo = () => studio.page.getByRole('button', { name: 'Undo', exact: true }).click();
    const redo = () => studio.page.getByRole('button', { name: 'Redo', exact: true }).click();
    await undo();
    await expect.poll(saveState).toBe('saved');
    expect(await studio.page.getByLabel('Initialisation').inputValue()).toBe('pytorch-default');
    await redo();
    await expect.poll(saveState).toBe('unsaved changes');
    await undo();
    await expect.poll(saveState).toBe('saved');
    // Undoing past the save (the seed back to 7) and editing there leaves the saved state behind for good.
    await undo();
    await expect.poll(() => studio.page.getByLabel('Seed', { exact: true }).inputValue()).toBe('7');
    expect(await saveState()).toBe('unsaved changes');
    await studio.page.getByLabel('Flip vertically').check();
    await undo();
    await redo();
    await undo();
    await redo();
    await expect.poll(() => studio.page.getByLabel('Flip vertically').isChecked()).toBe(true);
    expect(await saveState()).toBe('unsaved changes');
    await undo();
    await undo();
    expect(await saveState()).toBe('unsaved changes');
    await redo();
    await redo();
    expect(await saveState()).toBe('unsaved changes');
    const opened = await new ProjectStore().open(path);
    if (!opened.ok) throw new Error(opened.error.message);
    const project = opened.project;
    expect(project.training).toMatchObject({
      epochs: 2,
      batchSize: 16,
      learningRate: LEARNING_RATE,
      optimizer,
      seed: 8,
      schedule: { kind: 'cosine', totalEpochs: 2 },
    });
    expect(project.preprocess?.augment).toEqual({ flipHorizontal: true });

    const [first, second, third] = project.runs;
    expect(first.training).toMatchObject({
      epochs: 2,
      batchSize: 16,
      learningRate: LEARNING_RATE,
      optimizer,
      seed: 7,
      schedule: { kind: 'cosine', totalEpochs: 2 },
    });
    expect(first.preprocess?.augment).toEqual({ flipHorizontal: true });
    expect(third.training.seed).toBe(8);
    // The worker followed the cosine schedule: halfway through, the rate is about half the base.
    expect(first.epochs).toHaveLength(2);
    expect(first.epochs[0].learningRate).toBeLessThan(LEARNING_RATE * 0.75);
    expect(first.epochs[0].learningRate).toBeGreaterThan(LEARNING_RATE * 0.25);
    expect(first.epochs[1].learningRate).toBeLessThan(first.epochs[0].learningRate);
    // The same seed gives the same run; another seed does not.
    expect(second.epochs[0].trainLoss).toBe(first.epochs[0].trainLoss);
    expect(third.epochs[0].trainLoss).not.toBe(first.epochs[0].trainLoss);
  });

  it('shows the saved settings again when the project is opened in a fresh page', async () => {
    await studio.page.getByTitle('Start page').click();
    // Leaving with the settings changed since the save asks first; leave without saving them.
    await studio.page.getByTestId('leave-confirm').getByRole('button', { name: 'Discard changes' }).click();
    await studio.page.getByTestId('template-lenet5').waitFor();
    await studio.page.goto(studio.served.url);
    await studio.page.locator('.recent-list button', { hasText: 'settings' }).first().click();
    await studio.page.getByTestId('node-conv1').waitFor();
    expect(await studio.page.getByTestId('save-state').textContent()).toBe('saved');
    expect(await studio.page.getByLabel('Epochs').inputValue()).toBe('2');
    expect(await studio.page.getByLabel('Batch size').inputValue()).toBe('16');
    expect(await studio.page.getByLabel('Learning rate').inputValue()).toBe(String(LEARNING_RATE));
    expect(await studio.page.getByLabel('Optimiser').inputValue()).toBe('sgd');
    await studio.page.getByRole('button', { name: /^advanced:/ }).click();
    expect(await studio.page.getByLabel('weight decay', { exact: true }).inputValue()).toBe('0.0001');
    expect(await studio.page.getByLabel('Nesterov').isChecked()).toBe(true);
    expect(await studio.page.getByLabel('Seed', { exact: true }).inputValue()).toBe('8');
    expect(await studio.page.getByLabel('Initialisation').inputValue()).toBe('pytorch-default');
    expect(await studio.page.getByLabel('Flip vertically').isChecked()).toBe(false);
  });

  it('had no errors in the page', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});
