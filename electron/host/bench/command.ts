/**
 * `cnn-studio bench [--model NAME] [--backend cpu|webgpu] [--threads N] [--json] [--steps N] [--windows N] [--warmup N]`.
 * `--backend webgpu` measures the GPU plan on whatever adapter answers, a software one
 * (SwiftShader) included: slow there, but the same figures.
 */
import { cpus } from 'node:os';
import { readyThreads, startHelpers } from '../../../engine/backends/cpu/parallel';
import { acquireDevice, adapterName, type GpuContext } from '../../../engine/backends/webgpu/device';
import { loadMnist } from '../../services/datasets/mnist';
import { loadNodeGpu } from '../../worker/gpu-node';
import { coreCount, useNodeThreads } from '../../worker/thread-pool-node';
import { CliError } from '../cli/errors';
import { benchEditor, type EditorFigures } from './editor-ui';
import { benchLiveViews, type LiveViewFigures } from './live-views';
import { formatTable } from '../cli/format';
import type { CommandOutput } from '../cli/inspect';
import { BENCH_MODELS, benchGemm, benchGemmGpu, benchModel, benchModelGpu, type BenchModel, type ModelFigures } from './measure';

export interface BenchArguments {
  model?: string;
  backend?: string;
  threads?: string;
  /** Only the editor figures (a full run without --model includes them). */
  editor?: boolean;
  /** Only the cost of live views to training (a full run without --model includes it). */
  liveViews?: boolean;
  json: boolean;
  steps?: string;
  windows?: string;
  warmup?: string;
}

const count = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new CliError(`--${name} must be a whole number from 1, not '${value}'`);
  return parsed;
};

/** How long helper threads may take to start (load the engine) before the bench goes on without them. */
const START_TIMEOUT_MS = 20_000;

/** Starts the CPU engine's helper threads and waits until they are ready; the threads it runs on. */
const startThreads = async (threads: number, log: (line: string) => void): Promise<number> => {
  let failure: Error | null = null;
  const wanted = useNodeThreads(threads, (error) => (failure ??= error));
  startHelpers();
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (readyThreads() < wanted && !failure && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  const ready = readyThreads();
  if (ready < wanted) log(`bench: only ${ready} of ${wanted} threads started${failure ? `: ${(failure as Error).message}` : ''}`);
  return ready;
};

/** The device for `--backend webgpu`, or a CliError saying why there is none. */
const openDevice = async (): Promise<GpuContext> => {
  const { gpu, how } = await loadNodeGpu();
  if (!gpu) throw new CliError(`--backend webgpu: there is no WebGPU here (${how})`);
  try {
    return await acquireDevice(gpu);
  } catch (error) {
    throw new CliError(`--backend webgpu: ${(error as Error).message}`);
  }
};

/** The editor figures, or why there are none (no Chromium, no playwright-core). */
const measureEditor = async (log: (line: string) => void): Promise<EditorFigures | { skipped: string }> => {
  log('bench: editor (300 nodes, Chromium)…');
  try {
    return await benchEditor();
  } catch (error) {
    return { skipped: (error as Error).message };
  }
};

const editorLines = (figures: EditorFigures | { skipped: string }): string =>
  'skipped' in figures
    ? `editor: skipped (${figures.skipped})\n`
    : `editor, ${figures.nodes} nodes in Chromium: dragging ${figures.dragFps.median.toFixed(0)} frames/s (slowest drag ${figures.dragFps.min.toFixed(0)}), ` +
      `shape inference after an edit ${figures.analyzeMs.median.toFixed(2)} ms (max ${figures.analyzeMs.max.toFixed(2)})\n`;

const measureLiveViews = async (log: (line: string) => void): Promise<LiveViewFigures> => {
  log('bench: live views while LeNet-5 trains (about two minutes)…');
  return benchLiveViews();
};

const liveViewLines = (figures: LiveViewFigures): string =>
  `live views, LeNet-5 training in a worker: ${figures.plainImagesPerSecond.toFixed(0)} img/s unwatched; ` +
  `Features tab ${figures.featuresImagesPerSecond.toFixed(0)} (${figures.featuresDropPercent.toFixed(1)}% slower), ` +
  `Attribution tab ${figures.attributionImagesPerSecond.toFixed(0)} (${figures.attributionDropPercent.toFixed(1)}% slower)\n`;

export const runBench = async (args: BenchArguments, log: (line: string) => void): Promise<CommandOutput> => {
  if (args.liveViews) {
    const figures = await measureLiveViews(log);
    if (args.json) return { stdout: `${JSON.stringify({ liveViews: figures })}\n`, stderr: '', exitCode: 0 };
    return { stdout: liveViewLines(figures), stderr: '', exitCode: 0 };
  }
  if (args.editor) {
    const figures = await measureEditor(log);
    if (args.json) return { stdout: `${JSON.stringify({ editor: figures })}\n`, stderr: '', exitCode: 0 };
    return { stdout: editorLines(figures), stderr: '', exitCode: 0 };
  }
  const backend = args.backend ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'webgpu') throw new CliError(`--backend ${backend}: the backends are cpu and webgpu`);
  const names = Object.keys(BENCH_MODELS) as BenchModel[];
  if (args.model !== undefined && !names.includes(args.model as BenchModel)) {
    throw new CliError(`unknown model '${args.model}'; the models are ${names.join(', ')}`);
  }
  const options = {
    warmup: count(args.warmup, 10, 'warmup'),
    windows: count(args.windows, 3, 'windows'),
    steps: count(args.steps, 50, 'steps'),
    inferenceSteps: 20,
    latencyIterations: 100,
  };
  // The GPU plan runs on the device: no CPU helper threads for it.
  const context = backend === 'webgpu' ? await openDevice() : null;
  const device = context ? `${adapterName(context.adapter)}${context.adapter.software ? ', a software renderer' : ''}` : null;
  if (device) log(`bench: WebGPU on ${device}`);
  const threads = context ? 1 : await startThreads(count(args.threads, coreCount(), 'threads'), log);
  try {
    const data = loadMnist('train');
    const models: Partial<Record<BenchModel, ModelFigures>> = {};
    for (const name of args.model ? [args.model as BenchModel] : names) {
      log(`bench: ${name}…`);
      models[name] = context ? await benchModelGpu(name, data, options, context) : benchModel(name, data, options);
    }
    log('bench: sgemm…');
    const gemmGflops = context
      ? { '512': await benchGemmGpu(512, 5, context), '1024': await benchGemmGpu(1024, 3, context) }
      : { '512': benchGemm(512, 5), '1024': benchGemm(1024, 3) };
    const full = args.model === undefined && backend === 'cpu';
    const editor = full ? await measureEditor(log) : undefined;
    const liveViews = full ? await measureLiveViews(log) : undefined;
    const result = {
      backend,
      ...(device ? { device } : { threads }),
      cpus: cpus().length,
      protocol: options,
      models,
      gemmGflops,
      ...(editor ? { editor } : {}),
    };
    if (args.json) return { stdout: `${JSON.stringify(result)}\n`, stderr: '', exitCode: 0 };
    const rows = Object.entries(models).map(([name, figures]) => [
      name,
      figures.trainImagesPerSecond.toFixed(0),
      figures.inferImagesPerSecond.toFixed(0),
      figures.latencyMsBatch1.toFixed(2),
    ]);
    const table = formatTable(['model', 'train img/s', 'infer img/s (batch 64)', 'latency ms (batch 1)'], rows, [false, true, true, true]);
    const gemmLine = `SGEMM GFLOP/s: 512³ ${gemmGflops['512'].toFixed(2)}, 1024³ ${gemmGflops['1024'].toFixed(2)}`;
    const header = `backend: ${backend}${device ? ` (${device})` : `, threads: ${threads}`}, batch 64, SGD momentum 0.9`;
    return {
      stdout: `${header}\n${table}\n${gemmLine}\n${editor ? editorLines(editor) : ''}${liveViews ? liveViewLines(liveViews) : ''}`,
      stderr: '',
      exitCode: 0,
    };
  } finally {
    context?.destroy();
    if (!context) useNodeThreads(1);
  }
};
