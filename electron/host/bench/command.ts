/** `cnn-studio bench [--model NAME] [--backend cpu] [--json] [--steps N] [--windows N] [--warmup N]`. */
import { cpus } from 'node:os';
import { loadMnist } from '../../services/datasets/mnist';
import { CliError } from '../cli/errors';
import { formatTable } from '../cli/format';
import type { CommandOutput } from '../cli/inspect';
import { BENCH_MODELS, benchGemm, benchModel, type BenchModel, type ModelFigures } from './measure';

export interface BenchArguments {
  model?: string;
  backend?: string;
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

export const runBench = (args: BenchArguments, log: (line: string) => void): CommandOutput => {
  const backend = args.backend ?? 'cpu';
  if (backend !== 'cpu') throw new CliError(`--backend ${backend}: only the cpu backend exists in this version`);
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
  const data = loadMnist('train');
  const models: Partial<Record<BenchModel, ModelFigures>> = {};
  for (const name of args.model ? [args.model as BenchModel] : names) {
    log(`bench: ${name}…`);
    models[name] = benchModel(name, data, options);
  }
  log('bench: sgemm…');
  const gemmGflops = { '512': benchGemm(512, 5), '1024': benchGemm(1024, 3) };
  const result = { backend, cpus: cpus().length, protocol: options, models, gemmGflops };
  if (args.json) return { stdout: `${JSON.stringify(result)}\n`, stderr: '', exitCode: 0 };
  const rows = Object.entries(models).map(([name, figures]) => [
    name,
    figures.trainImagesPerSecond.toFixed(0),
    figures.inferImagesPerSecond.toFixed(0),
    figures.latencyMsBatch1.toFixed(2),
  ]);
  const table = formatTable(['model', 'train img/s', 'infer img/s (batch 64)', 'latency ms (batch 1)'], rows, [false, true, true, true]);
  const gemmLine = `SGEMM GFLOP/s: 512³ ${gemmGflops['512'].toFixed(2)}, 1024³ ${gemmGflops['1024'].toFixed(2)}`;
  return { stdout: `backend: ${backend}, batch 64, SGD momentum 0.9\n${table}\n${gemmLine}\n`, stderr: '', exitCode: 0 };
};
