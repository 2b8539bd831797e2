/**
 * PyTorch export against PyTorch itself (Debian's python3-torch at /usr/bin/python3): every
 * template, a graph with every layer type at awkward settings, single layers at the pooling and
 * padding corner cases, and a graph whose ids are no plain Python names. Each model gets seeded
 * weights and non-trivial batch-norm statistics; the exported model.py, loaded with the exported
 * loader and weights, must give the engine's inference output on a batch of 3 to a relative error
 * of 1e-4 (all of them in one Python process). Then train.py trains LeNet-5 on MNIST for one epoch
 * on 256 samples, alone and under torchrun with two CPU processes (DDP over gloo), and its weights
 * load back into the engine.
 *
 * The PyTorch part is skipped, with the reason printed, when /usr/bin/python3 (or the interpreter
 * CNN_STUDIO_TORCH_PYTHON names) cannot import torch.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { exportPytorch, PYTORCH_FILES, pytorchClassName, type PytorchExportOptions } from '../../../engine/export/pytorch/export';
import { PYTORCH_LAYERS } from '../../../engine/export/pytorch/layers';
import { className, pyLiteral, pyString } from '../../../engine/export/pytorch/python';
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDocument, type GraphEdge, type GraphNode } from '../../../engine/graph/document';
import { LAYER_TYPES } from '../../../engine/graph/layer-types';
import { formatShape } from '../../../engine/graph/shape';
import { TEMPLATES } from '../../../engine/graph/templates';
import { readSafetensors, writeSafetensors } from '../../../engine/project/safetensors';
import { initialiseWeight } from '../../../engine/train/init';
import { compileModel, Plan, type Model } from '../../../engine/train/plan';
import { Random, streamSeed } from '../../../engine/train/random';
import { learningRateAt, type Schedule } from '../../../engine/train/schedules';
import { loadStateDict } from '../../../engine/train/state-dict';
import type { TrainingSettings } from '../../../engine/project/schema';

/** Debian's python3-torch; CNN_STUDIO_TORCH_PYTHON names another interpreter with torch. */
const PYTHON = process.env.CNN_STUDIO_TORCH_PYTHON ?? '/usr/bin/python3';
const ROOT = resolve(import.meta.dirname, '../../..');
const CHECK_SCRIPT = join(ROOT, 'test/fixtures/pytorch_export_check.py');
const BATCH = 3;
const TOLERANCE = 1e-4;

const probeTorch = (): string => {
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} cannot be run: ${probe.error.message}`;
  if (probe.status !== 0) return `${PYTHON} cannot import torch: ${probe.stderr.trim().split('\n').pop()}`;
  return '';
};
const torchMissing = probeTorch();
if (torchMissing) console.warn(`PyTorch export tests skipped: ${torchMissing}`);

const run = (command: string, args: string[], options: { cwd?: string; timeout: number; env?: NodeJS.ProcessEnv }) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(command, args, { ...options, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr: stderr + (error && typeof error.code !== 'number' ? String(error) : '') });
    });
  });

/** PyTorch-default weights and biases; batch norm with γ, β and running statistics away from 1 and 0. */
const initialise = (model: Model, seed: number): void => {
  const random = new Random(seed);
  for (const [name, values] of model.weights) {
    const spec = model.specs.get(name)!;
    initialiseWeight(spec, values, { kind: 'pytorch-default' }, random);
    for (let i = 0; i < values.length; i++) {
      if (spec.role === 'gamma') values[i] = 0.5 + random.uniform();
      if (spec.role === 'beta') values[i] = 0.3 * random.normal();
      if (spec.role === 'running_mean') values[i] = 0.5 * random.normal();
      if (spec.role === 'running_var') values[i] = 0.25 + 2 * random.uniform();
    }
  }
};

const relativeError = (actual: ArrayLike<number>, expected: ArrayLike<number>): number => {
  let difference = 0;
  let magnitude = 0;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
    magnitude = Math.max(magnitude, Math.abs(expected[i]));
  }
  return difference / Math.max(magnitude, 1e-30);
};

/** A graph from [id, type, params, sources?] rows; each row is fed by the one before unless told. */
const graph = (name: string, rows: [string, string, Record<string, unknown>?, string[]?][]): GraphDocument => {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  rows.forEach(([id, type, params, from], index) => {
    nodes.push({ id, type, params: params ?? {} });
    const sources = from ?? (index > 0 ? [rows[index - 1][0]] : []);
    sources.forEach((source, port) => edges.push({ source, target: id, targetPort: port }));
  });
  return { format: GRAPH_FORMAT, version: GRAPH_VERSION, name, nodes, edges };
};

/** Every layer type the templates leave out and the others at other settings, on a 3×17×19 image so sizes are odd. */
const everyLayer = graph('every layer', [
  ['input', 'Input', { channels: 3, height: 17, width: 19 }],
  ['conv', 'Conv2D', { filters: 8, kernel: [3, 4], stride: 2, padding: 'same' }],
  ['bn', 'BatchNorm2D', { eps: 1e-3, momentum: 0.2 }],
  ['leaky', 'LeakyReLU', { negativeSlope: 0.1 }],
  ['avg', 'AvgPool2D', { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }],
  ['spatial', 'SpatiallySeparableConv2D', { filters: 8, kernel: 3, stride: [1, 2], padding: [0, 1, 2, 1] }],
  ['tanh', 'Tanh'],
  ['nearest', 'Upsample', { scale: [2, 3], mode: 'nearest' }],
  ['depthwise', 'DepthwiseConv2D', { depthMultiplier: 2, kernel: 3, padding: 'same' }],
  ['gelu', 'GELU'],
  ['deconv', 'ConvTranspose2D', { filters: 8, kernel: 3, stride: 2, padding: 1, outputPadding: 1, groups: 4 }],
  ['max', 'MaxPool2D', { kernel: 3, stride: 2, padding: [1, 0, 0, 1], ceilMode: true }],
  ['avg2', 'AvgPool2D', { kernel: 3, stride: 2, padding: [0, 1, 1, 0], ceilMode: true }],
  ['bilinear', 'Upsample', { scale: 2, mode: 'bilinear' }],
  ['separable', 'SeparableConv2D', { filters: 12, kernel: 3, stride: 2, padding: 'same', depthMultiplier: 2 }],
  ['branch1', 'Conv2D', { filters: 12, kernel: 1, bias: false }, ['separable']],
  ['branch2', 'Conv2D', { filters: 12, kernel: [3, 2], padding: [1, 1, 0, 1] }, ['separable']],
  ['sum', 'Add', {}, ['separable', 'branch1', 'branch2']],
  ['relu', 'ReLU'],
  ['softmax', 'Softmax'],
  ['gmax', 'GlobalMaxPool'],
  ['gavg', 'GlobalAvgPool', {}, ['sum']],
  ['concat', 'Concat', {}, ['gmax', 'gavg']],
  ['dropout', 'Dropout', { rate: 0.3 }],
  ['fc', 'Dense', { units: 5 }],
  ['sigmoid', 'Sigmoid'],
  ['head', 'RegressionHead', { outputs: 5 }],
]);

const binary = graph('binary', [
  ['input', 'Input', { channels: 1, height: 6, width: 5 }],
  ['flat', 'Flatten'],
  ['fc', 'Dense', { units: 3, bias: false }],
  ['softmax', 'Softmax'],
  ['head', 'BinaryHead', { outputs: 3 }],
]);

/** Ids that are no plain Python attribute: a '-', keywords, nn.Module's own names, names forward uses. */
const oddNames = graph(`odd names: """quotes""", \\N{backslashes} and 'apostrophes'`, [
  ['in-put', 'Input', { channels: 3, height: 8, width: 8 }],
  ['conv-1', 'Conv2D', { filters: 4, kernel: 3, padding: 'same' }],
  ['forward', 'Conv2D', { filters: 4, kernel: 3, padding: 1 }],
  ['class', 'BatchNorm2D'],
  ['x', 'ReLU'],
  ['torch', 'MaxPool2D', { kernel: 2 }],
  ['_private', 'Conv2D', { filters: 6, kernel: 1 }],
  ['training', 'SeparableConv2D', { filters: 6, kernel: 3 }],
  ['F', 'Flatten'],
  ['eval', 'Dense', { units: 3 }],
  ['self', 'ClassificationHead', { classes: 3 }],
]);

/** One layer on an image, ending in an image head of any size. */
const single = (input: [number, number, number], type: string, params: Record<string, unknown>): GraphDocument =>
  graph(type, [
    ['input', 'Input', { channels: input[0], height: input[1], width: input[2] }],
    ['layer', type, params],
    ['head', 'ImageHead', { matchInputSize: false }],
  ]);

const SINGLE_LAYERS: [string, GraphDocument][] = [
  [
    'MaxPool2D, ceil mode, a last window that would start in the padding',
    single([2, 5, 7], 'MaxPool2D', { kernel: 2, padding: 1, ceilMode: true }),
  ],
  ['MaxPool2D, same padding (asymmetric)', single([2, 8, 9], 'MaxPool2D', { kernel: 3, stride: 2, padding: 'same' })],
  ['MaxPool2D, same padding, ceil mode', single([2, 8, 9], 'MaxPool2D', { kernel: 2, stride: 3, padding: 'same', ceilMode: true })],
  [
    'MaxPool2D, asymmetric padding, ceil mode',
    single([2, 4, 8], 'MaxPool2D', { kernel: 2, stride: 2, padding: [0, 1, 1, 0], ceilMode: true }),
  ],
  ['AvgPool2D, ceil mode, padding counted', single([2, 5, 7], 'AvgPool2D', { kernel: 2, padding: 1, ceilMode: true })],
  [
    'AvgPool2D, ceil mode reading past the counted padding',
    single([2, 6, 9], 'AvgPool2D', { kernel: 3, stride: 2, padding: 1, ceilMode: true }),
  ],
  [
    'AvgPool2D, ceil mode, padding not counted',
    single([2, 6, 9], 'AvgPool2D', { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
  ],
  ['AvgPool2D, same padding counted', single([2, 8, 9], 'AvgPool2D', { kernel: 3, stride: 2, padding: 'same' })],
  [
    'AvgPool2D, same padding not counted',
    single([2, 8, 9], 'AvgPool2D', { kernel: 3, stride: 2, padding: 'same', countIncludePad: false }),
  ],
  [
    'AvgPool2D, asymmetric padding counted, ceil mode',
    single([2, 8, 8], 'AvgPool2D', { kernel: 3, stride: 2, padding: [1, 0, 0, 1], ceilMode: true }),
  ],
  [
    'AvgPool2D, asymmetric padding not counted, ceil mode, a window that would start in the padding',
    single([2, 4, 7], 'AvgPool2D', { kernel: 2, stride: 2, padding: [0, 1, 1, 0], ceilMode: true, countIncludePad: false }),
  ],
  [
    'Conv2D, same padding with stride 2 (asymmetric) and dilation',
    single([3, 8, 10], 'Conv2D', { filters: 4, kernel: 3, stride: 2, padding: 'same', dilation: [1, 2] }),
  ],
  [
    'Conv2D, asymmetric explicit padding, groups, no bias',
    single([4, 7, 7], 'Conv2D', {
      filters: 6,
      kernel: [3, 2],
      stride: [1, 2],
      padding: [1, 2, 0, 3],
      dilation: [2, 1],
      groups: 2,
      bias: false,
    }),
  ],
  [
    'DepthwiseConv2D, multiplier 3, stride 2, same',
    single([2, 9, 9], 'DepthwiseConv2D', { depthMultiplier: 3, stride: 2, padding: 'same' }),
  ],
  [
    'SeparableConv2D, dilation 2, no bias',
    single([3, 10, 10], 'SeparableConv2D', { filters: 5, dilation: 2, depthMultiplier: 2, bias: false }),
  ],
  [
    'SeparableConv2D, asymmetric explicit padding',
    single([3, 9, 8], 'SeparableConv2D', { filters: 4, kernel: [3, 2], stride: [2, 1], padding: [0, 2, 1, 0] }),
  ],
  [
    'SpatiallySeparableConv2D, asymmetric padding, stride and dilation',
    single([3, 9, 11], 'SpatiallySeparableConv2D', { filters: 5, kernel: 3, stride: [2, 1], dilation: [1, 2], padding: [2, 0, 1, 3] }),
  ],
  [
    'SpatiallySeparableConv2D, same padding, no bias',
    single([2, 8, 8], 'SpatiallySeparableConv2D', { filters: 3, kernel: 4, stride: 2, bias: false }),
  ],
  [
    'ConvTranspose2D, groups, output padding, dilation, no bias',
    single([4, 5, 6], 'ConvTranspose2D', {
      filters: 6,
      kernel: [3, 2],
      stride: [2, 3],
      padding: [1, 0],
      outputPadding: [1, 0],
      dilation: [1, 2],
      groups: 2,
      bias: false,
    }),
  ],
  ['Upsample nearest ×25 (1/25 rounds down in float32)', single([1, 2, 3], 'Upsample', { scale: 25 })],
  ['Upsample bilinear 3×2', single([2, 4, 5], 'Upsample', { scale: [3, 2], mode: 'bilinear' })],
  ['BatchNorm2D, large epsilon', single([4, 5, 5], 'BatchNorm2D', { eps: 0.1 })],
];

const CASES: [string, GraphDocument][] = [
  ...TEMPLATES.map((template): [string, GraphDocument] => [`template ${template.name}`, template.build()]),
  ['every layer type', everyLayer],
  ['a binary head', binary],
  ['ids that are no plain Python names', oddNames],
  ...SINGLE_LAYERS,
];

const LENET_TRAINING: TrainingSettings = {
  epochs: 1,
  batchSize: 32,
  learningRate: 0.05,
  optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
  schedule: { kind: 'cosine', totalEpochs: 1, minimum: 1e-4 },
  warmUpSteps: 2,
  clipNorm: 5,
  earlyStopping: { patience: 3 },
  seed: 11,
};

/** Schedules whose rates train.py must compute as the engine does. */
const SCHEDULES: { schedule: Schedule; base: number; stepsPerEpoch: number; warmUpSteps?: number; steps: number[] }[] = [
  { schedule: { kind: 'constant' }, base: 0.1, stepsPerEpoch: 7, warmUpSteps: 5, steps: [0, 1, 4, 5, 20] },
  { schedule: { kind: 'step', everyEpochs: 2, gamma: 0.5 }, base: 0.1, stepsPerEpoch: 7, steps: [0, 13, 14, 28, 50] },
  { schedule: { kind: 'multi-step', milestones: [1, 3], gamma: 0.1 }, base: 0.2, stepsPerEpoch: 5, steps: [0, 5, 14, 15, 40] },
  { schedule: { kind: 'exponential', gamma: 0.9 }, base: 0.01, stepsPerEpoch: 3, steps: [0, 3, 9, 30] },
  {
    schedule: { kind: 'cosine', totalEpochs: 3, minimum: 0.001 },
    base: 0.1,
    stepsPerEpoch: 4,
    warmUpSteps: 2,
    steps: [0, 1, 2, 6, 11, 12, 40],
  },
];

interface ExportReport {
  readonly ok: boolean;
  readonly error?: string;
  readonly className: string;
  readonly stateDict: string[];
  readonly file: string[];
  readonly metadata: Record<string, string>;
  readonly shape: number[];
}

interface CheckReport {
  readonly exports: Record<string, ExportReport>;
  readonly train: { uniforms: number[]; permutation: number[]; streamSeeds: number[]; rates: number[][] };
}

const writeExport = (folder: string, model: Model, options: PytorchExportOptions): void => {
  mkdirSync(folder, { recursive: true });
  for (const [name, content] of exportPytorch(model, options)) writeFileSync(join(folder, name), content);
};

describe.skipIf(!!torchMissing)('PyTorch export runs in PyTorch as the engine does', () => {
  let workspace = '';
  let report: CheckReport;
  const expected = new Map<string, { model: Model; output: Float32Array }>();
  const folderOf = (index: number) => join(workspace, `case${index}`);

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'cnn-studio-pytorch-'));
    CASES.forEach(([, document], index) => {
      const model = compileModel(document, CPU_LAYERS);
      initialise(model, 100 + index);
      const random = new Random(200 + index);
      const plan = new Plan(model, BATCH, () => random.uniform());
      for (let i = 0; i < plan.input.length; i++) plan.input[i] = random.normal();
      const input = plan.input.slice();
      const output = plan.forward(false).slice();
      const folder = folderOf(index);
      writeExport(folder, model, { name: document.name, description: document.description, dataset: { kind: 'mnist' } });
      writeFileSync(
        join(folder, 'input.safetensors'),
        writeSafetensors([{ name: 'input', shape: [BATCH, ...model.input.outputShape], data: input }]),
      );
      expected.set(folder, { model, output });
    });
    const checks = { folders: CASES.map((_, index) => folderOf(index)), train: folderOf(0), schedules: SCHEDULES };
    writeFileSync(join(workspace, 'checks.json'), JSON.stringify(checks));
    const result = await run(PYTHON, [CHECK_SCRIPT, join(workspace, 'checks.json')], { timeout: 60_000 });
    if (result.code !== 0) throw new Error(`pytorch_export_check.py failed (${result.code}):\n${result.stderr}`);
    report = JSON.parse(result.stdout) as CheckReport;
  }, 90_000);

  afterAll(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  CASES.forEach(([name, document], index) => {
    it(name, () => {
      const folder = folderOf(index);
      const result = report.exports[folder];
      expect(result.error ?? '').toBe('');
      const { model, output } = expected.get(folder)!;
      // The module's state_dict is the engine's, name for name and in order, and so is the file.
      expect(result.stateDict).toEqual([...model.weights.keys()]);
      expect(result.file).toEqual([...model.weights.keys()]);
      expect(result.className).toBe(pytorchClassName(model, { name: document.name }));
      expect(result.shape).toEqual([BATCH, ...model.head.inputShapes[0]]);
      const read = readSafetensors(new Uint8Array(readFileSync(join(folder, 'output.safetensors'))));
      if (!read.ok) throw new Error(read.error);
      const error = relativeError(read.file.tensors[0].data, output);
      expect(error, `relative error ${error.toExponential(2)}`).toBeLessThanOrEqual(TOLERANCE);
    });
  });

  it('covers every layer type', () => {
    const covered = new Set(CASES.flatMap(([, document]) => document.nodes.map((node) => node.type)));
    expect(LAYER_TYPES.filter((type) => !covered.has(type))).toEqual([]);
  });

  it("train.py's ports of the engine's random numbers and schedules agree with the engine", () => {
    const random = new Random(42);
    expect(report.train.uniforms).toEqual(Array.from({ length: 5 }, () => random.uniform()));
    expect(report.train.permutation).toEqual([...new Random(7).permutation(20)]);
    expect(report.train.streamSeeds).toEqual([streamSeed(42, 2, 1), streamSeed(0, 1, 0), streamSeed(4294967295, 3, 123456)]);
    SCHEDULES.forEach(({ schedule, base, stepsPerEpoch, warmUpSteps = 0, steps }, index) => {
      const rates = steps.map((step) => learningRateAt(schedule, base, step, stepsPerEpoch, { steps: warmUpSteps }));
      report.train.rates[index].forEach((rate, i) => expect(rate).toBeCloseTo(rates[i], 12));
    });
  });

  describe('train.py', () => {
    let folder = '';
    let exported: Model;
    beforeAll(() => {
      const document = TEMPLATES[0].build();
      document.nodes.find((node) => node.type === 'ClassificationHead')!.params = { classes: 10, labelSmoothing: 0.1 };
      exported = compileModel(document, CPU_LAYERS);
      initialise(exported, 5);
      folder = join(workspace, 'lenet-train');
      writeExport(folder, exported, {
        name: document.name,
        training: LENET_TRAINING,
        dataset: { kind: 'mnist' },
        split: { validation: 0.25, test: 0, seed: 3 },
        preprocess: { normalise: true },
      });
    });

    /** The trained weights load into the engine's model of the graph, and training moved them. */
    const checkTrained = (file: string): void => {
      const read = readSafetensors(new Uint8Array(readFileSync(file)));
      if (!read.ok) throw new Error(read.error);
      const model = compileModel(TEMPLATES[0].build(), CPU_LAYERS);
      loadStateDict(model, read.file.tensors);
      expect([...model.weights.keys()]).toEqual([...exported.weights.keys()]);
      expect(model.weights.get('conv1.weight')).not.toEqual(exported.weights.get('conv1.weight'));
    };

    it('trains LeNet-5 on 256 MNIST digits for one epoch and writes weights CNN Studio reads', async () => {
      const out = join(folder, 'single.safetensors');
      const result = await run(PYTHON, [join(folder, 'train.py'), '--epochs', '1', '--limit', '256', '--device', 'cpu', '--out', out], {
        cwd: ROOT,
        timeout: 60_000,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('192 training samples, 64 validation, 256 test');
      expect(result.stdout).toMatch(/epoch 1\/1: train loss \d+\.\d+, accuracy [\d.]+%; validation loss \d+\.\d+/);
      expect(result.stdout).toMatch(/test: loss \d+\.\d+, accuracy/);
      expect(result.stdout).toContain(`saved the trained weights to ${out}`);
      checkTrained(out);
    });

    it('trains under torchrun with two CPU processes (DistributedDataParallel over gloo)', async () => {
      const out = join(folder, 'ddp.safetensors');
      // torchrun where it sits beside the interpreter; otherwise the module it runs.
      const torchrun =
        PYTHON === '/usr/bin/python3' && existsSync('/usr/bin/torchrun') ? ['/usr/bin/torchrun'] : [PYTHON, '-m', 'torch.distributed.run'];
      // --redirects/--tee 1: Debian's torchrun 1.13 under Python 3.11 cannot parse their default "0" (an IntFlag change).
      const launcher = ['--standalone', '--nnodes', '1', '--nproc_per_node', '2', '--redirects', '1', '--tee', '1'];
      const script = [join(folder, 'train.py'), '--epochs', '1', '--limit', '256', '--device', 'cpu', '--out', out];
      const result = await run(torchrun[0], [...torchrun.slice(1), ...launcher, ...script], {
        cwd: ROOT,
        timeout: 90_000,
        env: { ...process.env, OMP_NUM_THREADS: '1' },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('on cpu x 2 processes');
      expect(result.stdout).toMatch(/epoch 1\/1: train loss \d+\.\d+/);
      expect(result.stdout).toContain(`saved the trained weights to ${out}`);
      checkTrained(out);
    }, 120_000);

    it('trains an image head on a safetensors file of images and targets, from the exported weights', async () => {
      const other = join(workspace, 'autoencoder');
      const model = compileModel(TEMPLATES.find((template) => template.name === 'autoencoder')!.build(), CPU_LAYERS);
      initialise(model, 9);
      writeExport(other, model, { name: 'Autoencoder', training: { ...LENET_TRAINING, optimizer: { kind: 'rmsprop', momentum: 0.5 } } });
      const random = new Random(4);
      const images = Float32Array.from({ length: 20 * 784 }, () => random.uniform());
      const data = join(other, 'data.safetensors');
      writeFileSync(
        data,
        writeSafetensors([
          { name: 'images', shape: [20, 1, 28, 28], data: images },
          { name: 'targets', shape: [20, 1, 28, 28], data: images },
        ]),
      );
      const out = join(other, 'trained.safetensors');
      const script = [join(other, 'train.py'), '--tensors', data, '--from-weights', join(other, 'weights.safetensors'), '--device', 'cpu'];
      const result = await run(PYTHON, [...script, '--out', out], { cwd: workspace, timeout: 60_000 });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('20 training samples');
      expect(result.stdout).toMatch(/epoch 1\/1: train loss \d+\.\d+; learning rate/);
      const read = readSafetensors(new Uint8Array(readFileSync(out)));
      if (!read.ok) throw new Error(read.error);
      loadStateDict(model, read.file.tensors);
    });

    it('says what to pass for data it cannot read', async () => {
      const other = join(workspace, 'shapes');
      writeExport(other, compileModel(TEMPLATES[0].build(), CPU_LAYERS), { name: 'Shapes', dataset: { kind: 'shapes', task: 'classify' } });
      const result = await run(PYTHON, [join(other, 'train.py'), '--epochs', '1'], { cwd: ROOT, timeout: 60_000 });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("this project trains on CNN Studio's synthetic shapes");
      expect(result.stderr).toContain('--tensors FILE');
      expect(result.stderr).toContain('--images FILE --labels FILE');
    });
  });
});

describe('PyTorch export, without Python', () => {
  const lenet = () => compileModel(TEMPLATES[0].build(), CPU_LAYERS);

  it('has code for every layer type', () => {
    expect(Object.keys(PYTORCH_LAYERS).sort()).toEqual([...LAYER_TYPES].sort());
  });

  it('writes the five files, the weights as safetensors under the state_dict names', () => {
    const model = lenet();
    initialise(model, 1);
    const files = exportPytorch(model, { name: 'LeNet-5' });
    expect([...files.keys()]).toEqual([...PYTORCH_FILES]);
    const read = readSafetensors(files.get('weights.safetensors') as Uint8Array);
    if (!read.ok) throw new Error(read.error);
    expect(read.file.tensors.map((tensor) => tensor.name)).toEqual([...model.weights.keys()]);
    for (const tensor of read.file.tensors) expect(tensor.data).toEqual(model.weights.get(tensor.name));
    expect(read.file.metadata).toMatchObject({ format: 'pt', model: 'LeNet5' });
  });

  it('writes forward one line per layer, with its type and output shape', () => {
    const model = lenet();
    const source = exportPytorch(model, { name: 'LeNet-5' }).get('model.py') as string;
    expect(source).toContain('class LeNet5(nn.Module):');
    expect(source).toContain('self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)');
    expect(source).toContain('self.pool1 = nn.MaxPool2d(kernel_size=2, stride=2)');
    expect(source).toContain('self.fc1 = nn.Linear(400, 120)');
    const forward = source.slice(source.indexOf('def forward'));
    for (const node of model.nodes.slice(1, -1)) {
      expect(forward).toContain(`        ${node.id} = `);
      expect(forward).toContain(`# ${node.type} → ${formatShape(node.outputShape)}`);
    }
    expect(forward).toContain('return fc3  # ClassificationHead: returns its input, 10');
  });

  it('pads what PyTorch cannot pad itself before the layer', () => {
    const source = (document: GraphDocument) => exportPytorch(compileModel(document, CPU_LAYERS)).get('model.py') as string;
    const conv = source(single([3, 8, 10], 'Conv2D', { filters: 4, kernel: 3, stride: 2, padding: 'same' }));
    expect(conv).toContain('layer = self.layer(F.pad(x, (0, 1, 0, 1)))');
    expect(conv).toContain("TensorFlow 'same' padding: top 0, bottom 1, left 0, right 1");
    const max = source(single([2, 4, 8], 'MaxPool2D', { kernel: 2, stride: 2, padding: [0, 1, 1, 0], ceilMode: true }));
    expect(max).toContain("layer = self.layer(F.pad(x, (1, 1, 0, 1), value=float('-inf')))");
    const avg = source(single([2, 8, 9], 'AvgPool2D', { kernel: 3, stride: 2, padding: 'same', countIncludePad: false }));
    expect(avg).toContain('class PaddedAvgPool2d(nn.Module):');
    expect(avg).toContain('PaddedAvgPool2d(kernel_size=(3, 3), stride=(2, 2), padding=(0, 1, 1, 1), input_size=(8, 9)');
  });

  it('names classes after projects and writes Python literals', () => {
    const taken = new Set(['Model']);
    expect(className('LeNet-5', taken)).toBe('LeNet5');
    expect(className('Small U-Net (segmentation)', taken)).toBe('SmallUNetSegmentation');
    expect(className('3 layers', taken)).toBe('Net3Layers');
    expect(className('model', taken)).toBe('ModelModel');
    expect(className('', taken)).toBe('Network');
    expect(pyLiteral({ a: true, b: null, c: [1, 'x'], d: undefined, e: 1e-7 })).toBe("{'a': True, 'b': None, 'c': [1, 'x'], 'e': 1e-7}");
    expect(pyString("it's\n\\")).toBe("'it\\'s\\n\\\\'");
  });

  it('writes the training settings and the head into train.py', () => {
    const source = exportPytorch(lenet(), { name: 'LeNet-5', training: LENET_TRAINING, dataset: { kind: 'mnist' } }).get(
      'train.py',
    ) as string;
    expect(source).toContain('from model import INPUT_SHAPE, LeNet5 as Network');
    expect(source).toContain("'optimizer': {'kind': 'sgd', 'momentum': 0.9, 'nesterov': True, 'weightDecay': 0.0005}");
    expect(source).toContain("HEAD = {'type': 'ClassificationHead', 'loss': 'cross-entropy', 'classes': 10, 'label_smoothing': 0}");
    expect(source).toContain("DATASET = {'kind': 'mnist'}");
  });
});
