// Inference in a real browser on navigator.gpu: Vite bundles a test page (webgpu-page/) from the
// renderer's inference module and the engine, a small server serves it on 127.0.0.1, and headless
// Chromium with --enable-unsafe-webgpu (whose only adapter is SwiftShader, flagged as a fallback
// adapter) runs LeNet-5 and a mix of convolutions forward with weights sent from here. Node's CPU
// engine computes the same batch; the browser's WebGPU outputs must match it within 1e-4. The
// renderer's own choice (auto) must pass over the fallback adapter for the CPU, saying why, and its
// CPU engine in the page must give the same answers too. Without the switch, Chromium offers
// navigator.gpu but no adapter, and the renderer runs on the CPU, saying so.
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../engine/backends/cpu/layers';
import { CpuInference } from '../../engine/train/inference';
import { compileModel } from '../../engine/train/plan';
import { loadStateDict } from '../../engine/train/state-dict';
import { inferenceCases, type InferenceCase } from '../engine/backends/webgpu/inference-cases';
import { relativeError } from '../engine/backends/webgpu/relative-error';
import { chromiumMissing, launchBrowser, ROOT, serveFolder } from './harness';
import type { PageAnswer, PageRequest } from './webgpu-page/page';

if (chromiumMissing) console.warn(chromiumMissing);

const PAGE_SOURCE = join(ROOT, 'test', 'e2e', 'webgpu-page');
const PAGE_BUILD = join(ROOT, '.tmp', 'webgpu-page');
const TOLERANCE = 1e-4;

let server: { url: string; stop(): Promise<void> } | undefined;

interface InferencePage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly errors: string[];
}

/** Builds the test page (once per run of this file) and serves it; returns its URL. */
const servePage = async (): Promise<string> => {
  if (!server) {
    await build({
      configFile: false,
      root: PAGE_SOURCE,
      base: './',
      logLevel: 'warn',
      build: { outDir: PAGE_BUILD, emptyOutDir: true, target: 'es2023' },
    });
    server = await serveFolder(PAGE_BUILD);
  }
  return server.url;
};

/** Headless Chromium with `extraArgs` on the test page, once its script has run; `errors` collects what the page reports. */
const openPage = async (extraArgs: readonly string[]): Promise<InferencePage> => {
  const url = await servePage();
  const { context, page } = await launchBrowser(extraArgs);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(url);
  await page.waitForFunction(() => 'cnnStudioInference' in globalThis);
  return { context, page, errors };
};

interface PageApi {
  run(request: PageRequest): Promise<PageAnswer>;
  choice(): Promise<{ backend: string; reason: string }>;
}

/** The renderer's auto choice, in the page. */
const choiceIn = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { cnnStudioInference: PageApi }).cnnStudioInference.choice());

/** Runs one request in the page (see webgpu-page/page.ts). */
const inPage = (page: Page, request: PageRequest): Promise<PageAnswer> =>
  page.evaluate((body) => (globalThis as unknown as { cnnStudioInference: PageApi }).cnnStudioInference.run(body), request);

const request = (example: InferenceCase, backend: PageRequest['backend']): PageRequest => ({
  graph: example.graph,
  weights: example.weights.map((tensor) => ({ name: tensor.name, shape: [...tensor.shape], data: Array.from(tensor.data) })),
  images: Array.from(example.images),
  count: example.count,
  backend,
  // 5 images as a batch of 3 and a partial batch of 2.
  maxBatch: 3,
});

/** Node's CPU engine on the same weights and images: the reference. */
const expected = (example: InferenceCase) => {
  const model = compileModel(example.graph, CPU_LAYERS);
  loadStateDict(model, example.weights);
  return new CpuInference(model).predict(example.images, example.count);
};

const expectWithin = (actual: readonly number[], reference: Float32Array, label: string): void => {
  expect(actual.length, `${label}: length`).toBe(reference.length);
  const { error, at } = relativeError(actual, reference);
  expect(error, `${label}: relative error at [${at}]: browser ${actual[at]} vs Node ${reference[at]}`).toBeLessThanOrEqual(TOLERANCE);
};

afterAll(async () => {
  await server?.stop();
});

describe.skipIf(chromiumMissing !== null)('inference in the browser on navigator.gpu', () => {
  let browser: InferencePage | undefined;

  beforeAll(async () => {
    browser = await openPage(['--enable-unsafe-webgpu']);
  }, 180_000);

  afterAll(async () => {
    await browser?.context.close();
  });

  it('the renderer’s choice passes over the fallback adapter for the CPU, saying why', async () => {
    expect(await choiceIn(browser!.page)).toEqual({
      backend: 'cpu',
      reason: 'the only GPU adapter is google swiftshader, a software renderer that is slower than the CPU engine; inference on the CPU',
    });
  });

  for (const example of inferenceCases()) {
    it(`${example.name}: WebGPU in the page gives Node’s CPU outputs within 1e-4`, async () => {
      const reference = expected(example);
      const answer = await inPage(browser!.page, request(example, 'webgpu'));
      expect(answer.backend).toBe('webgpu');
      expect(answer.adapter).toEqual({ architecture: 'swiftshader', isFallbackAdapter: true, software: true });
      expect(answer.reason).toBe(
        'the WebGPU backend was asked for: inference on google swiftshader, a software renderer that is slower than the CPU engine',
      );
      expectWithin(answer.outputs, reference.outputs, `${example.name} logits`);
      expectWithin(answer.probabilities!, reference.probabilities!, `${example.name} probabilities`);
      expect(answer.uncaptured).toEqual([]);
    });

    it(`${example.name}: auto runs the page’s CPU engine, saying why, with the same outputs`, async () => {
      const reference = expected(example);
      const answer = await inPage(browser!.page, request(example, 'auto'));
      expect(answer.backend).toBe('cpu');
      expect(answer.adapter).toBeNull();
      expect(answer.reason).toMatch(/software renderer that is slower than the CPU engine; inference on the CPU$/);
      expectWithin(answer.outputs, reference.outputs, `${example.name} logits on the page's CPU`);
    });
  }

  it('the page reported no errors', () => {
    expect(browser!.errors).toEqual([]);
  });
});

describe.skipIf(chromiumMissing !== null)('inference in a browser whose WebGPU has no adapter', () => {
  let browser: InferencePage | undefined;

  beforeAll(async () => {
    browser = await openPage([]);
  }, 180_000);

  afterAll(async () => {
    await browser?.context.close();
  });

  it('the renderer runs on the CPU, saying why, with Node’s outputs', async () => {
    const reason = 'WebGPU found no adapter (no GPU driver answered); inference on the CPU';
    expect(await choiceIn(browser!.page)).toEqual({ backend: 'cpu', reason });
    const example = inferenceCases()[0];
    const answer = await inPage(browser!.page, request(example, 'auto'));
    expect(answer).toMatchObject({ backend: 'cpu', reason, adapter: null });
    expectWithin(answer.outputs, expected(example).outputs, `${example.name} logits on the page's CPU`);
    expect(browser!.errors).toEqual([]);
  });
});
