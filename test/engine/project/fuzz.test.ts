// Mutates valid project files at random (seeded, so a failure repeats) and holds reading to its
// promise: it returns a result, ok or an error value, never throws, never reports an internal
// error, and never takes long. What opens must also save and open again unchanged.
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../../engine/graph/document';
import { packProject, readProjectFile, unpackProject, type Outcome, type UnpackedProject } from '../../../engine/project/container';
import { readSafetensors } from '../../../engine/project/safetensors';
import { graphVersion, newProject, type ProjectDocument, type RunRecord } from '../../../engine/project/schema';
import { writeZip } from '../../../engine/project/zip';
import { Random } from '../../../engine/train/random';
import { options, randomTensors } from './helpers';

const tinyGraph = (classes: number): GraphDocument => {
  const ids = ['input', 'conv', 'bn', 'relu', 'flat', 'fc', 'out'];
  return {
    format: 'cnn-studio/graph',
    version: 1,
    name: 'Tiny',
    nodes: [
      { id: 'input', type: 'Input', params: { channels: 1, height: 6, width: 6 }, position: { x: 0, y: 0 } },
      { id: 'conv', type: 'Conv2D', params: { filters: 2, kernel: 3 } },
      { id: 'bn', type: 'BatchNorm2D' },
      { id: 'relu', type: 'ReLU' },
      { id: 'flat', type: 'Flatten' },
      { id: 'fc', type: 'Dense', params: { units: classes } },
      { id: 'out', type: 'ClassificationHead', params: { classes } },
    ],
    edges: ids.slice(1).map((id, index) => ({ source: ids[index], target: id })),
  };
};

const run = (id: string, graph: GraphDocument): RunRecord => ({
  id,
  startedAt: '2025-05-01T08:00:00Z',
  finishedAt: '2025-05-01T08:01:00Z',
  status: 'completed',
  graphVersion: graphVersion(graph),
  training: { epochs: 2, batchSize: 8, learningRate: 0.1, optimizer: { kind: 'adam', beta1: 0.8 }, seed: 1 },
  dataset: { kind: 'shapes', task: 'classify', size: 6 },
  epochs: [
    { epoch: 1, trainLoss: 1.2, trainAccuracy: 0.5, learningRate: 0.1, seconds: 1 },
    { epoch: 2, trainLoss: 0.8, validationLoss: 0.9, learningRate: 0.1, seconds: 1 },
  ],
});

const tinyProject = (): { project: ProjectDocument; bytes: Uint8Array } => {
  const graph = tinyGraph(3);
  const project: ProjectDocument = {
    ...newProject(graph, { dataset: { kind: 'shapes', task: 'classify', size: 6 }, preprocess: { normalise: true } }),
    runs: [run('old', tinyGraph(4)), run('new', graph)],
  };
  const tensors = {
    current: randomTensors(graph, 1),
    runs: new Map([
      ['old', randomTensors(tinyGraph(4), 2)],
      ['new', randomTensors(graph, 3)],
    ]),
  };
  const packed = packProject(project, tensors, options);
  if (!packed.ok) throw new Error(packed.error.message);
  return { project, bytes: packed.bytes };
};

/** Reads, failing the test on a throw, an internal error, a malformed result or a slow answer. */
const readChecked = (bytes: Uint8Array, what: string): Outcome<UnpackedProject> => {
  const start = performance.now();
  let result: Outcome<UnpackedProject>;
  try {
    result = readProjectFile(bytes, options);
  } catch (error) {
    throw new Error(`${what}: threw ${String(error)}`);
  }
  expect(performance.now() - start, what).toBeLessThan(2000);
  expect(typeof result.ok, what).toBe('boolean');
  if (process.env.FUZZ_STATS) console.log(result.ok ? 'ok' : `${result.error.code}: ${result.error.message.slice(0, 90)}`);
  if (!result.ok) {
    expect(result.error.code, `${what}: ${result.error.message}`).not.toBe('internal');
    expect(result.error.message.length, what).toBeGreaterThan(0);
  }
  return result;
};

/** What opens must save, and open again to the same project. */
const roundTrips = (result: UnpackedProject, what: string): void => {
  const packed = packProject(result.project, result.tensors, options);
  expect(packed.ok, `${what}: ${packed.ok ? '' : packed.error.message}`).toBe(true);
  if (!packed.ok) return;
  const again = unpackProject(packed.bytes, options);
  expect(again.ok, what).toBe(true);
  if (!again.ok) return;
  // Saving what was opened gives the same bytes.
  const twice = packProject(again.project, again.tensors, options);
  expect(twice.ok && Buffer.from(twice.bytes).equals(packed.bytes), what).toBe(true);
};

const mutateBytes = (random: Random, source: Uint8Array, hot: [number, number][]): { bytes: Uint8Array; steps: string[] } => {
  let bytes = source.slice();
  const steps: string[] = [];
  const position = () => {
    if (random.uniform() < 0.7) {
      const [from, to] = hot[random.below(hot.length)];
      return Math.min(bytes.length - 1, from + random.below(Math.max(1, to - from)));
    }
    return random.below(bytes.length);
  };
  const count = 1 + random.below(4);
  for (let i = 0; i < count && bytes.length > 0; i++) {
    const kind = random.below(7);
    const at = position();
    if (kind === 0) {
      bytes[at] ^= 1 << random.below(8);
      steps.push(`flip ${at}`);
    } else if (kind === 1) {
      bytes[at] = [0, 0xff, 0x7f, 0x80, 0x20, 0x7b][random.below(6)];
      steps.push(`set ${at}`);
    } else if (kind === 2) {
      bytes[at] = random.below(256);
      steps.push(`random ${at}`);
    } else if (kind === 3) {
      bytes = bytes.slice(0, at);
      steps.push(`truncate ${at}`);
    } else if (kind === 4) {
      const extra = new Uint8Array(1 + random.below(16)).map(() => random.below(256));
      const next = new Uint8Array(bytes.length + extra.length);
      next.set(bytes.subarray(0, at));
      next.set(extra, at);
      next.set(bytes.subarray(at), at + extra.length);
      bytes = next;
      steps.push(`insert ${extra.length} at ${at}`);
    } else if (kind === 5) {
      const length = 1 + random.below(32);
      bytes = new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + length)]);
      steps.push(`delete ${length} at ${at}`);
    } else {
      // Four bytes at once: sizes and offsets are 32-bit.
      const view = new DataView(bytes.buffer);
      const value = [0, 0xffffffff, 0x7fffffff, 0x80000000, random.below(2 ** 32), bytes.length][random.below(6)];
      if (at + 4 <= bytes.length) view.setUint32(at, value >>> 0, true);
      steps.push(`u32 ${value} at ${at}`);
    }
  }
  return { bytes, steps };
};

const POOL: unknown[] = [
  null,
  -1,
  0,
  1,
  0.5,
  1.5,
  -0,
  1e308,
  -1e308,
  2 ** 53,
  '',
  'x',
  '../../etc/passwd',
  'weights/current.safetensors',
  '2025-01-01T00:00:00Z',
  true,
  false,
  [],
  {},
  [1, 2],
  { kind: 'sgd' },
  { kind: 'mnist' },
  { nodes: [] },
  'cnn-studio/project',
  'cnn-studio/graph',
];

type Path = (string | number)[];

const paths = (value: unknown, path: Path = [], into: Path[] = []): Path[] => {
  if (path.length) into.push(path);
  if (Array.isArray(value)) value.forEach((item, index) => paths(item, [...path, index], into));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) paths(item, [...path, key], into);
  return into;
};

const mutateJson = (random: Random, document: unknown): { document: unknown; step: string } => {
  const copy = JSON.parse(JSON.stringify(document)) as Record<string | number, unknown>;
  const all = paths(copy);
  const path = all[random.below(all.length)];
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const key = path[path.length - 1];
  const kind = random.below(5);
  if (kind === 0 && !Array.isArray(parent)) {
    delete parent[key];
    return { document: copy, step: `delete ${path.join('.')}` };
  }
  if (kind === 1 && Array.isArray(parent)) {
    parent.push(JSON.parse(JSON.stringify(parent[key as number])));
    return { document: copy, step: `repeat ${path.join('.')}` };
  }
  if (kind === 2 && typeof parent[key] === 'number') {
    parent[key] = (parent[key] as number) * [-1, 2, 0.5, 1e6][random.below(4)] + [0, 1, -1][random.below(3)];
    return { document: copy, step: `scale ${path.join('.')}` };
  }
  if (kind === 3 && typeof parent[key] === 'object' && parent[key] !== null && !Array.isArray(parent[key])) {
    (parent[key] as Record<string, unknown>)[`unknown${random.below(10)}`] = POOL[random.below(POOL.length)];
    return { document: copy, step: `add to ${path.join('.')}` };
  }
  parent[key] = POOL[random.below(POOL.length)];
  return { document: copy, step: `replace ${path.join('.')} with ${JSON.stringify(parent[key])}` };
};

describe('fuzzing the project file', () => {
  const { bytes } = tinyProject();
  const files = unzipSync(bytes);
  const document = JSON.parse(new TextDecoder().decode(files['project.json'])) as Record<string, unknown>;
  const rezip = (project: Uint8Array, weights: Record<string, Uint8Array> = files) =>
    writeZip([
      { name: 'project.json', data: project, compress: true },
      ...Object.entries(weights)
        .filter(([name]) => name !== 'project.json')
        .map(([name, data]) => ({ name, data, compress: false })),
    ]);

  it('starts from a file that opens', () => {
    const result = readChecked(bytes, 'the original');
    expect(result.ok).toBe(true);
    if (result.ok) roundTrips(result, 'the original');
  });

  it('survives random damage to the archive bytes (400 files)', () => {
    const random = new Random(0x5eed);
    // Headers and the directory at the end are where damage matters most.
    const hot: [number, number][] = [
      [0, 120],
      [bytes.length - 400, bytes.length],
    ];
    let opened = 0;
    for (let i = 0; i < 400; i++) {
      const { bytes: mutated, steps } = mutateBytes(random, bytes, hot);
      const result = readChecked(mutated, `bytes #${i}: ${steps.join(', ')}`);
      if (result.ok) opened++;
    }
    // Most damage is caught (by checksums, mostly); some lands where it does no harm (names' padding, times).
    expect(opened).toBeLessThan(200);
  });

  it('survives random edits to project.json (400 files)', () => {
    const random = new Random(0xc0ffee);
    let opened = 0;
    for (let i = 0; i < 400; i++) {
      let mutated: unknown = document;
      const steps: string[] = [];
      for (let n = 1 + random.below(3); n > 0; n--) {
        const next = mutateJson(random, mutated);
        mutated = next.document;
        steps.push(next.step);
      }
      const what = `json #${i}: ${steps.join('; ')}`;
      const result = readChecked(rezip(new TextEncoder().encode(JSON.stringify(mutated))), what);
      if (result.ok) {
        opened++;
        roundTrips(result, what);
      }
    }
    expect(opened).toBeGreaterThan(20);
  });

  it('survives random damage to the weights inside an intact archive (300 files)', () => {
    const random = new Random(0xbadf00d);
    const weights = files['weights/current.safetensors'];
    const headerEnd = 8 + new DataView(weights.buffer, weights.byteOffset).getUint32(0, true);
    for (let i = 0; i < 300; i++) {
      const { bytes: mutated, steps } = mutateBytes(random, weights, [
        [0, 8],
        [8, headerEnd],
      ]);
      const what = `weights #${i}: ${steps.join(', ')}`;
      expect(() => readSafetensors(mutated), what).not.toThrow();
      const result = readChecked(rezip(files['project.json'], { ...files, 'weights/current.safetensors': mutated }), what);
      if (result.ok) roundTrips(result, what);
    }
  });
});
