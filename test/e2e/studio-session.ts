/**
 * What most browser tests share: one real `cnn-studio serve` and one headless Chromium page for the
 * whole file, the page's errors collected for a last `expect(studio.pageErrors).toEqual([])`, and
 * the steps many of them take (open a template, set the training limits, train to the end).
 */
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { chromiumMissing, launchBrowser, startServe, type Served } from './harness';

export interface StudioSessionOptions {
  /** Whether console.error messages count as page errors too, not only uncaught ones (default true). */
  readonly consoleErrors?: boolean;
  /** Runs once the server is up and before the browser starts: to put files into its folder. */
  readonly beforeBrowser?: (served: Served) => Promise<void> | void;
  /** Runs once the page is open, within the same set-up time limit: to open a project, say. */
  readonly afterBrowser?: (page: Page, served: Served) => Promise<void> | void;
}

export interface StudioSession {
  readonly served: Served;
  readonly context: BrowserContext;
  readonly page: Page;
  /** The uncaught errors (and, unless turned off, console errors) of every watched page. */
  readonly pageErrors: string[];
  /** Collects the errors of another page (a second tab) into `pageErrors` too. */
  watch(page: Page): void;
}

/** How long the server's start, the browser's launch and `afterBrowser` may take together. */
const SET_UP_MS = 180_000;

/**
 * Registers, at the top level of a test file, a beforeAll that starts the server and the browser
 * and an afterAll that closes both. Where Chromium is missing (the file's tests are skipped) the
 * hooks do nothing. The session's fields are readable once the beforeAll has run.
 */
export const useStudioSession = (options: StudioSessionOptions = {}): StudioSession => {
  const { consoleErrors = true } = options;
  let served: Served | undefined;
  let opened: { context: BrowserContext; page: Page } | undefined;
  const pageErrors: string[] = [];
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the studio session is not started: read it inside a test, after its beforeAll');
    return value;
  };
  const watch = (page: Page) => {
    page.on('pageerror', (error) => pageErrors.push(error.message));
    if (consoleErrors)
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
  };

  beforeAll(async () => {
    if (chromiumMissing) return;
    served = await startServe();
    await options.beforeBrowser?.(served);
    opened = await launchBrowser();
    watch(opened.page);
    await options.afterBrowser?.(opened.page, served);
  }, SET_UP_MS);

  afterAll(async () => {
    await opened?.context.close();
    await served?.stop();
  });

  return {
    get served() {
      return started(served);
    },
    get context() {
      return started(opened).context;
    },
    get page() {
      return started(opened).page;
    },
    pageErrors,
    watch,
  };
};

/** Opens the start page, picks a template and waits for one of its layers on the canvas. */
export const openTemplate = async (page: Page, url: string, template: string, layer: string): Promise<void> => {
  await page.goto(url);
  await page.getByTestId(`template-${template}`).click();
  await page.getByTestId(`node-${layer}`).waitFor();
};

export interface TrainingLimits {
  readonly epochs?: string;
  readonly batchSize?: string;
  readonly sampleLimit?: string;
}

/** Types the given limits into the training panel: epochs, batch size, sample limit, in that order. */
export const setTrainingLimits = async (page: Page, { epochs, batchSize, sampleLimit }: TrainingLimits): Promise<void> => {
  if (epochs !== undefined) await page.getByLabel('Epochs').fill(epochs);
  if (batchSize !== undefined) await page.getByLabel('Batch size').fill(batchSize);
  if (sampleLimit !== undefined) await page.getByLabel('Sample limit').fill(sampleLimit);
};

/** Clicks Train and waits until the panel says the run finished. */
export const trainToCompletion = async (page: Page, timeoutMs: number): Promise<void> => {
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('training-finished').waitFor({ timeout: timeoutMs });
};

/** Drags from one handle to another with the mouse, as a person connects two layers. */
export const dragHandle = async (from: Locator, to: Locator): Promise<void> => {
  const mouse = from.page().mouse;
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await mouse.down();
  await mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await mouse.up();
};

/** Saves the open project to `path` through Ctrl+S and the save dialog, and waits until it is saved. */
export const saveProjectAs = async (page: Page, path: string): Promise<void> => {
  await page.keyboard.press('Control+S');
  await page.locator('#save-as-path').fill(path);
  await page.getByRole('button', { name: 'Save', exact: true }).last().click();
  await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('saved');
};
