// The desktop app's first-session scenario (test/electron/main/electron-app.test.ts, which needs
// the Electron binary) against the Node host in a browser: a project from a template, a short
// run, saved, closed, opened again from the recent list, and its trained weights found there
// (the playground answers with them, and the run is in the history).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './harness';
import { openTemplate, saveProjectAs, setTrainingLimits, trainToCompletion, useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

const studio = useStudioSession();

describe.skipIf(chromiumMissing !== null)('a first session, in the browser', () => {
  it('creates, trains, saves, closes, reopens and finds the trained weights', { timeout: 240_000 }, async () => {
    await openTemplate(studio.page, studio.served.url, 'lenet5', 'conv1');
    await setTrainingLimits(studio.page, { epochs: '1', batchSize: '32', sampleLimit: '512' });
    await trainToCompletion(studio.page, 120_000);

    const path = join(studio.served.folder, 'first.cnnproj');
    await saveProjectAs(studio.page, path);

    // Close the project and the page, then come back as after a restart.
    await studio.page.getByTitle('Start page').click();
    await studio.page.goto(studio.served.url);
    await studio.page.locator('.recent-list button', { hasText: 'first' }).first().click();
    await studio.page.getByTestId('node-conv1').waitFor();
    expect(await studio.page.getByRole('button', { name: /^runs: / }).textContent()).toBe('runs: 1');
    await studio.page.getByRole('button', { name: 'Playground' }).click();
    await studio.page.getByTestId('playground-pad').waitFor({ timeout: 30_000 });
    expect(await studio.page.getByTestId('playground-untrained').count()).toBe(0);
  });
});
