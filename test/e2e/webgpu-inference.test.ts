// Inference in a real browser on navigator.gpu: Vite bundles a test page (webgpu-page/) from the
// renderer's inference module and the engine, a small server serves it on 127.0.0.1, and headless
// Chromium with --enable-unsafe-webgpu (whose only adapter is SwiftShader, flagged as a fallback
// adapter) runs LeNet-5 and a mix of convolutions forward with weights sent from here. Node's CPU
// engine computes the same batch; the browser's WebGPU outputs must match it within 1e-4. The
// renderer's own choice (auto) must pass over the fallback adapter for the CPU, saying why, and its
// CPU engine in the page must give the same answers too.
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
let context: BrowserContext | undefined;
let page: Page;
const pageErrors: string[] = [];

/** Runs one request in the page (see webgpu-page/page.ts). */
const inPage = (request: PageRequest): Promise<PageAnswer> =>
  page.evaluate(
    (body) => (globalThis as unknown as { cnnStudioInference: { run(r: PageRequest): Promise<PageAnswer> } }).cnnStudioInference.run(body),
    request,
  );

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

describe.skipIf(chromiumMissing !== null)('inference in the browser on navigator.gpu', () => {
  beforeAll(async () => {
    await build({
      configFile: false,
      root: PAGE_SOURCE,
      base: './',
      logLevel: 'warn',
      build: { outDir: PAGE_BUILD, emptyOutDir: true, target: 'es2023' },
    });
    server = await serveFolder(PAGE_BUILD);
    ({ context, page } = await launchBrowser(['--enable-unsafe-webgpu']));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(server.url);
    await page.waitForFunction(() => 'cnnStudioInference' in globalThis);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it('the renderer’s choice passes over the fallback adapter for the CPU, saying why', async () => {
    const choice = await page.evaluate(() =>
      (
        globalThis as unknown as { cnnStudioInference: { choice(): Promise<{ backend: string; reason: string }> } }
      ).cnnStudioInference.choice(),
    );
    expect(choice).toEqual({
      backend: 'cpu',
      reason: 'the only GPU adapter is google swiftshader, a software renderer that is slower than the CPU engine; inference on the CPU',
    });
  });

  for (const example of inferenceCases()) {
    it(`${example.name}: WebGPU in the page gives Node’s CPU outputs within 1e-4`, async () => {
      const reference = expected(example);
      const answer = await inPage(request(example, 'webgpu'));
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
      const answer = await inPage(request(example, 'auto'));
      expect(answer.backend).toBe('cpu');
      expect(answer.adapter).toBeNull();
      expect(answer.reason).toMatch(/software renderer that is slower than the CPU engine; inference on the CPU$/);
      expectWithin(answer.outputs, reference.outputs, `${example.name} logits on the page's CPU`);
    });
  }

  it('the page reported no errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
