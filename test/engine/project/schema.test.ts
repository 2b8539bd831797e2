import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lenet5 } from '../../../engine/graph/templates/classic';
import { canonicalJson, sha256Hex } from '../../../engine/project/hash';
import {
  DEFAULT_TRAINING,
  graphVersion,
  migrate,
  MIGRATIONS,
  newRunId,
  parseProject,
  PROJECT_FORMAT_VERSION,
  serializeProject,
  type Migration,
  type ProjectDocument,
} from '../../../engine/project/schema';
import { sampleProject } from './helpers';

/** A deep copy as plain JSON, to edit freely. */
const json = (value: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

const errorsOf = (value: unknown): string[] => {
  const result = parseProject(value);
  if (result.ok) throw new Error('expected the project to be refused');
  return result.errors;
};

const SAMPLE = json(sampleProject().project);

/** The sample with one field changed, by path. */
const withField = (path: (string | number)[], value: unknown): Record<string, unknown> => {
  const document = json(SAMPLE);
  let target = document as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  if (value === undefined) delete target[path[path.length - 1]];
  else target[path[path.length - 1]] = value;
  return document;
};

describe('project document', () => {
  it('accepts the sample project as it is', () => {
    const { project } = sampleProject();
    const result = parseProject(json(project));
    expect(result.ok).toBe(true);
    expect(result.ok && result.project).toEqual(json(project));
    expect(result.ok && result.migratedFrom).toBeUndefined();
  });

  it('names the field and the value in every message', () => {
    expect(errorsOf(withField(['training', 'batchSize'], -3))).toEqual(['training.batchSize must be a whole number from 1, not -3']);
    expect(errorsOf(withField(['training', 'batchSize'], undefined))).toEqual([
      'training.batchSize is missing; it must be a whole number from 1',
    ]);
    expect(errorsOf(withField(['training', 'learningRate'], 0))).toEqual(['training.learningRate must be a number above 0, not 0']);
    expect(errorsOf(withField(['training', 'optimizer'], { kind: 'sgd', momentum: 1.5 }))).toEqual([
      'training.optimizer.momentum must be a number at least 0 and below 1, not 1.5',
    ]);
    expect(errorsOf(withField(['training', 'optimizer'], { kind: 'lion' }))).toEqual([
      "training.optimizer.kind must be one of 'sgd', 'adam', 'adamw' or 'rmsprop', not 'lion'",
    ]);
    expect(errorsOf(withField(['training', 'schedule'], { kind: 'step', gamma: 0.5 }))).toEqual([
      'training.schedule.everyEpochs is missing; it must be a whole number from 1',
    ]);
    expect(errorsOf(withField(['runs', 0, 'multiplyAdds'], -5))).toEqual(['runs[0].multiplyAdds must be a number at least 0, not -5']);
    expect(errorsOf(withField(['runs', 1, 'epochs', 2, 'trainLoss'], 'low'))).toEqual([
      "runs[1].epochs[2].trainLoss must be a number, not 'low'",
    ]);
    expect(errorsOf(withField(['graph', 'nodes', 3, 'id'], 7))).toEqual(['graph.nodes[3].id must be non-empty text, not 7']);
    expect(errorsOf(withField(['dataset'], { kind: 'folder', path: 'digits', size: 28, channels: 2 }))).toEqual([
      'dataset.channels must be one of 1 or 3, not 2',
    ]);
    expect(errorsOf(withField(['split'], { validation: 0.6, test: 0.4, seed: 1 }))).toEqual([
      'split holds out 0.6 + 0.4 of the data, leaving none to train on',
    ]);
    expect(errorsOf(withField(['layout', 'zoom'], -1))).toEqual(['layout.zoom must be a number above 0, not -1']);
    expect(errorsOf(withField(['weights'], { file: '../../etc/passwd', graphVersion: 'x' }))).toEqual([
      "weights.file must be 'weights/current.safetensors', not '../../etc/passwd'",
    ]);
    expect(errorsOf(withField(['training', 'optimizer'], { kind: 'sgd', nesterov: true }))).toEqual([
      'training.optimizer.nesterov needs a momentum above 0 and no dampening',
    ]);
  });

  it('checks every kind of dataset', () => {
    const fine = [
      { kind: 'mnist' },
      { kind: 'shapes', task: 'size', size: 32, channels: 3, samples: 100, noise: 0.1, seed: 4 },
      { kind: 'denoise', size: 28, channels: 1, samples: 10 },
      { kind: 'folder', path: 'images', size: 64, channels: 3, resize: 'bilinear' },
      { kind: 'idx', images: 'a-images', labels: 'a-labels' },
      { kind: 'csv', path: 'data.csv', target: 'values', resize: 'area' },
    ];
    for (const dataset of fine) expect(parseProject(withField(['dataset'], dataset)).ok, dataset.kind).toBe(true);
    expect(errorsOf(withField(['dataset'], { kind: 'csv', path: '', resize: 'nearest' }))).toEqual([
      "dataset.path must be non-empty text, not ''",
      "dataset.resize must be one of 'area' or 'bilinear', not 'nearest'",
    ]);
    expect(errorsOf(withField(['dataset'], { kind: 'imagenet' }))[0]).toMatch(/^dataset.kind must be one of 'mnist', 'shapes'/);
    expect(errorsOf(withField(['preprocess', 'augment'], { seed: -2 }))).toEqual([
      'preprocess.augment.seed must be a whole number from 0 to 4294967295, not -2',
    ]);
  });

  it('lists every problem at once', () => {
    const document = withField(['training', 'epochs'], 0);
    (document.training as Record<string, unknown>).seed = -1;
    document.name = 3;
    expect(errorsOf(document)).toEqual([
      'name must be text, not 3',
      'training.epochs must be a whole number from 1, not 0',
      'training.seed must be a whole number from 0 to 4294967295, not -1',
    ]);
    const many = json(SAMPLE);
    many.runs = Array.from({ length: 80 }, () => ({}));
    const errors = errorsOf(many);
    expect(errors).toHaveLength(51);
    expect(errors[50]).toMatch(/^… and \d+ more problems$/);
  });

  it('checks runs: ids, times, weights files, epochs', () => {
    expect(errorsOf(withField(['runs', 1, 'id'], 'run-1'))).toEqual([
      "runs[1].id 'run-1' is also the id of runs[0]; each run needs its own",
    ]);
    expect(errorsOf(withField(['runs', 0, 'id'], '../x'))).toEqual([
      "runs[0].id must be 1–64 letters, digits, '_' or '-', starting with a letter or digit, not '../x'",
    ]);
    expect(errorsOf(withField(['runs', 0, 'finishedAt'], '2025-02-01T00:00:00Z'))).toEqual(['runs[0].finishedAt is before startedAt']);
    expect(errorsOf(withField(['runs', 0, 'startedAt'], 'yesterday'))).toEqual([
      "runs[0].startedAt must be a date and time such as '2025-01-31T14:05:00Z', not 'yesterday'",
    ]);
    expect(errorsOf(withField(['runs', 0, 'weightsFile'], 'weights/runs/run-2.safetensors'))).toEqual([
      "runs[0].weightsFile must be 'weights/runs/run-1.safetensors', not 'weights/runs/run-2.safetensors'",
    ]);
    expect(errorsOf(withField(['runs', 1, 'epochs', 1, 'epoch'], 1))).toEqual(['runs[1].epochs[1].epoch must come after epoch 1, not 1']);
    expect(errorsOf(withField(['runs', 1, 'status'], 'paused'))).toEqual([
      "runs[1].status must be one of 'running', 'completed', 'stopped' or 'failed', not 'paused'",
    ]);
  });

  it('keeps fields it does not know, at any depth', () => {
    const document = json(SAMPLE);
    document.comment = { from: 'a later version', list: [1, 2] };
    (document.training as Record<string, unknown>).lookahead = 5;
    ((document.runs as Record<string, unknown>[])[0] as Record<string, unknown>).hardware = 'gpu';
    ((document.graph as Record<string, unknown>).nodes as Record<string, unknown>[])[0].colour = 'red';
    const result = parseProject(document);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.project).toEqual(document);
    const written = JSON.parse(serializeProject(result.project)) as Record<string, unknown>;
    expect(written).toEqual(document);
  });

  it('fills defaults for fields that may be left out', () => {
    const document = json(SAMPLE);
    delete document.runs;
    delete document.createdWith;
    delete (document.graph as Record<string, unknown>).edges;
    delete (document.graph as Record<string, unknown>).format;
    const result = parseProject(document);
    expect(result.ok && result.project.runs).toEqual([]);
    expect(result.ok && result.project.createdWith).toBe('');
    expect(result.ok && result.project.graph.edges).toEqual([]);
    expect(result.ok && result.project.graph.format).toBe('cnn-studio/graph');
  });

  it('refuses a newer format version, saying so', () => {
    const result = parseProject({ ...json(SAMPLE), formatVersion: PROJECT_FORMAT_VERSION + 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.tooNew).toBe(true);
    expect(result.errors).toEqual([
      'the project was made by a newer CNN Studio (format version 2; this one reads up to version 1); update CNN Studio to open it',
    ]);
    const graph = parseProject(withField(['graph', 'version'], 2));
    expect(!graph.ok && graph.tooNew).toBe(true);
    expect(!graph.ok && graph.errors[0]).toMatch(/graph.version is 2: the graph was made by a newer CNN Studio/);
  });

  it('refuses what is not a project', () => {
    expect(errorsOf(null)).toEqual(['a project must be a JSON object, not null']);
    expect(errorsOf([1])).toEqual(['a project must be a JSON object, not [1]']);
    expect(errorsOf('project')).toEqual(["a project must be a JSON object, not 'project'"]);
    expect(errorsOf({ hello: 'world' })).toEqual([
      'this is not a CNN Studio project: it has no formatVersion (and is not a graph document either)',
    ]);
    expect(errorsOf({ formatVersion: '1' })).toEqual(["formatVersion must be a whole number from 0, not '1'"]);
    expect(errorsOf({ formatVersion: 1, kind: 'other' })[0]).toBe("kind must be 'cnn-studio/project', not 'other'");
    expect(errorsOf({ format: 'cnn-studio/graph', nodes: 'none' })).toEqual(["graph.nodes must be a list, not 'none'"]);
  });

  it('refuses values nested absurdly deep, without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(errorsOf({ ...json(SAMPLE), deep })).toEqual(['the project nests values more than 64 levels deep']);
  });

  it('never throws, whatever it is given', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    expect(parseProject(hostile).ok).toBe(false);
    expect(parseProject({ ...json(SAMPLE), name: 10n }).ok).toBe(false);
    const getter = json(SAMPLE);
    Object.defineProperty(getter, 'training', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const result = parseProject(getter);
    expect(!result.ok && result.errors[0]).toMatch(/could not be read: boom/);
    for (const value of [undefined, 0, NaN, Symbol('s'), () => 1, new Date(), new Map(), Object.create(null)])
      expect(parseProject(value).ok).toBe(false);
  });
});

describe('version 0: a bare graph document', () => {
  it('opens as a project with default settings', () => {
    const graph = lenet5();
    const result = parseProject(json(graph));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.migratedFrom).toBe(0);
    expect(result.project).toMatchObject({
      formatVersion: 1,
      kind: 'cnn-studio/project',
      name: 'LeNet-5',
      training: DEFAULT_TRAINING,
      runs: [],
    });
    expect(result.project.graph).toEqual(json(graph));
    expect(result.project.dataset).toBeUndefined();
    expect(result.project.weights).toBeUndefined();
  });

  it('takes a graph without format or version fields, and names it', () => {
    const result = parseProject({ nodes: [{ id: 'input', type: 'Input' }] });
    expect(result.ok && result.project.name).toBe('Untitled');
    expect(result.ok && result.project.graph).toEqual({
      format: 'cnn-studio/graph',
      version: 1,
      nodes: [{ id: 'input', type: 'Input' }],
      edges: [],
    });
  });

  it('still reports what is wrong with the graph it wraps', () => {
    expect(errorsOf({ format: 'cnn-studio/graph', version: 1, nodes: [{ id: 'a' }], edges: [{ source: 'a' }] })).toEqual([
      'graph.nodes[0].type is missing; it must be non-empty text',
      'graph.edges[0].target is missing; it must be non-empty text',
    ]);
  });

  it('goes through the migrations table', () => {
    expect(Object.keys(MIGRATIONS)).toEqual(['0']);
    const fake: Migration = (old) => ({ ...MIGRATIONS[0](old), name: 'from the fake table' });
    const result = parseProject(json(lenet5()), { 0: fake });
    expect(result.ok && result.project.name).toBe('from the fake table');
    const missing = parseProject(json(lenet5()), {});
    expect(!missing.ok && missing.errors).toEqual(['there is no way to upgrade a project of format version 0']);
  });
});

describe('migrate', () => {
  const table: Record<number, Migration> = {
    0: (old) => ({ ...old, formatVersion: 1, steps: ['0→1'] }),
    1: (old) => ({ ...old, formatVersion: 2, steps: [...(old.steps as string[]), '1→2'] }),
    2: () => {
      throw new Error('no');
    },
    3: () => [] as unknown as Record<string, unknown>,
  };

  it('runs each step in order, up to the target', () => {
    expect(migrate({ formatVersion: 0 }, 0, 2, table)).toEqual({ ok: true, value: { formatVersion: 2, steps: ['0→1', '1→2'] } });
    expect(migrate({ formatVersion: 1, steps: [] }, 1, 2, table)).toEqual({ ok: true, value: { formatVersion: 2, steps: ['1→2'] } });
    expect(migrate({ a: 1 }, 2, 2, table)).toEqual({ ok: true, value: { a: 1 } });
  });

  it('says which step is missing or failed', () => {
    expect(migrate({}, 2, 3, table)).toEqual({ ok: false, error: 'upgrading from format version 2 failed: no' });
    expect(migrate({}, 3, 4, table)).toEqual({ ok: false, error: 'upgrading from format version 3 did not give a document' });
    expect(migrate({}, 4, 5, table)).toEqual({ ok: false, error: 'there is no way to upgrade a project of format version 4' });
  });
});

describe('graph version', () => {
  const graph = lenet5();

  it('is 16 hex digits, stable for the same graph', () => {
    expect(graphVersion(graph)).toMatch(/^[0-9a-f]{16}$/);
    expect(graphVersion(json(graph))).toBe(graphVersion(graph));
  });

  it('ignores positions, labels, names and the order of nodes and keys', () => {
    const moved = {
      ...graph,
      name: 'renamed',
      description: 'other',
      nodes: [...graph.nodes].reverse().map((node) => ({ ...node, position: { x: 5, y: 5 }, label: 'x', params: json(node.params ?? {}) })),
    };
    expect(graphVersion(moved)).toBe(graphVersion(graph));
  });

  it('changes with a parameter, a type or an edge', () => {
    const changed = (edit: (nodes: typeof graph.nodes) => typeof graph.nodes) => graphVersion({ ...graph, nodes: edit(graph.nodes) });
    expect(changed((nodes) => nodes.map((node) => (node.id === 'fc1' ? { ...node, params: { units: 121 } } : node)))).not.toBe(
      graphVersion(graph),
    );
    expect(changed((nodes) => nodes.map((node) => (node.id === 'relu1' ? { ...node, type: 'Tanh' } : node)))).not.toBe(graphVersion(graph));
    expect(graphVersion({ ...graph, edges: graph.edges.slice(1) })).not.toBe(graphVersion(graph));
    expect(graphVersion({ ...graph, edges: graph.edges.map((edge, i) => (i === 0 ? { ...edge, targetPort: 0 } : edge)) })).not.toBe(
      graphVersion(graph),
    );
  });

  it('takes any value without throwing', () => {
    for (const value of [null, 1, 'x', [], { nodes: 'x' }, { nodes: [1, null, { id: 3 }], edges: [null] }])
      expect(graphVersion(value)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('writing', () => {
  it('puts known fields first, one node, edge and epoch per line', () => {
    const { project } = sampleProject();
    const reordered = { zzz: 1, ...json(project), comment: 'kept' } as unknown as ProjectDocument;
    const text = serializeProject(reordered);
    expect(text.endsWith('}\n')).toBe(true);
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys.slice(0, 4)).toEqual(['formatVersion', 'kind', 'name', 'createdWith']);
    expect(keys.slice(-2)).toEqual(['zzz', 'comment']);
    const lines = text.split('\n');
    for (const node of project.graph.nodes) expect(lines.filter((line) => line.includes(`"id": "${node.id}"`))).toHaveLength(1);
    expect(lines.filter((line) => line.trim().startsWith('{ "epoch": '))).toHaveLength(4);
    expect(lines.filter((line) => line.trim().startsWith('{ "source": '))).toHaveLength(project.graph.edges.length);
    expect(JSON.parse(text)).toEqual(json(reordered));
  });

  it('gives unused run ids', () => {
    expect(newRunId({ runs: [] })).toBe('run-1');
    const { project } = sampleProject();
    expect(newRunId(project)).toBe('run-3');
    expect(newRunId({ runs: [{ ...project.runs[0], id: 'run-2' }] })).toBe('run-3');
  });
});

describe('hashing', () => {
  it('computes SHA-256 as node:crypto does', () => {
    const random = new Uint8Array(1000).map((_, i) => (i * 7919) % 251);
    for (const length of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 1000]) {
      const bytes = random.subarray(0, length);
      expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('writes canonical JSON with sorted keys', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: undefined, a: 'x' }], a: null })).toBe('{"a":null,"b":[1,{"a":"x","d":1}]}');
    expect(canonicalJson([undefined])).toBe('[null]');
  });
});
