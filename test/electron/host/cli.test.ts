// The CLI as a user runs it: the real `cnn-studio` executable, real files in a temporary folder.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATES } from '../../../engine/graph/templates';

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

  it('rejects unknown commands and options with the usage', async () => {
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const option = await cli('inspect', '--colour', 'x.json');
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('usage: cnn-studio');
  });
});
