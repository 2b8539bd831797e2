// analyzeGraph must never throw, whatever it is given, and its report must always be
// consistent. Three seeded generators feed it thousands of graphs each: plausible networks
// built from the catalogue, mutations of them, and arbitrary JSON. Every failure names its
// seed, so it can be replayed: FUZZ_SEED=<seed> FUZZ_RUNS=1 npx vitest run <this file>.
import { describe, expect, it } from 'vitest';
import { analyzeGraph, type GraphReport } from '../../../engine/graph/analyze';
import { CATALOGUE } from '../../../engine/graph/catalogue';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../../../engine/graph/document';
import { ISSUE_CODES, severityOf, type IssueCode } from '../../../engine/graph/issues';
import { isLayerType, LAYER_TYPES, type LayerType } from '../../../engine/graph/layer-types';
import type { ParamSpec } from '../../../engine/graph/params';

// ---------------------------------------------------------------------------------------------
// A seeded random source
// ---------------------------------------------------------------------------------------------

/** mulberry32: a small, fast 32-bit PRNG; the same seed always gives the same sequence. */
const mulberry32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** In [0, 1). */
  float(): number {
    return this.next();
  }
  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** A whole number in [min, max], spread evenly over orders of magnitude. */
  logInt(min: number, max: number): number {
    const low = Math.log(Math.max(min, 1));
    const value = Math.round(Math.exp(low + this.next() * (Math.log(Math.max(max, 1)) - low)));
    return Math.min(max, Math.max(min, value));
  }
}

/**
 * Each generator starts at its own seed and counts up. FUZZ_SEED makes every generator start at
 * that seed instead (to replay a failure), FUZZ_RUNS sets how many inputs each one makes.
 */
const firstSeed = (generator: number): number => (process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 0x5eed + generator * 1_000_000);
const runs = (count: number): number => (process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : count);

// ---------------------------------------------------------------------------------------------
// What every report must satisfy
// ---------------------------------------------------------------------------------------------

const CODES = new Set<string>(ISSUE_CODES);

const isCount = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value >= 0;

const isShape = (shape: unknown): boolean =>
  Array.isArray(shape) && shape.length > 0 && shape.every((dim) => typeof dim === 'number' && Number.isInteger(dim) && dim > 0);

/** Every way the report breaks its promises; empty when it is consistent. */
const reportProblems = (report: GraphReport): string[] => {
  const problems: string[] = [];
  const ids = new Set(report.nodes.map((node) => node.id));
  if (ids.size !== report.nodes.length) problems.push('report.nodes has repeated ids');

  const hasError = report.issues.some((issue) => issue.severity === 'error');
  if (report.valid !== !hasError) problems.push(`valid is ${report.valid}, but the issues ${hasError ? 'include' : 'have no'} errors`);

  for (const issue of report.issues) {
    const label = `${String(issue.code)} issue`;
    if (typeof issue.message !== 'string' || issue.message.trim() === '') problems.push(`${label} has an empty message`);
    if (!CODES.has(issue.code)) problems.push(`issue code ${String(issue.code)} is not in ISSUE_CODES`);
    else if (issue.severity !== severityOf(issue.code as IssueCode)) problems.push(`${label} has severity ${issue.severity}`);
    if (issue.nodeId !== undefined) {
      if (!ids.has(issue.nodeId)) problems.push(`${label} is about node ${JSON.stringify(issue.nodeId)}, which is not in report.nodes`);
      else if (!issue.message.startsWith(`${issue.nodeId}: `))
        problems.push(`${label} about ${issue.nodeId} does not start with its id: ${issue.message}`);
    }
    if (issue.edgeIndex !== undefined && !(Number.isInteger(issue.edgeIndex) && issue.edgeIndex >= 0)) {
      problems.push(`${label} has edge index ${issue.edgeIndex}`);
    }
  }

  for (const node of report.nodes) {
    if (node.outputShape !== null && !isShape(node.outputShape))
      problems.push(`${node.id} has output shape ${JSON.stringify(node.outputShape)}`);
    for (const [name, value] of Object.entries({ paramCount: node.paramCount, bufferCount: node.bufferCount, macs: node.macs })) {
      if (!isCount(value)) problems.push(`${node.id}.${name} is ${value}`);
    }
    if (node.issues.some((issue) => issue.nodeId !== node.id)) problems.push(`${node.id}.issues holds another node's issue`);
  }
  const attached = report.nodes.reduce((count, node) => count + node.issues.length, 0);
  if (attached !== report.issues.filter((issue) => issue.nodeId !== undefined).length)
    problems.push('node issues do not add up to the issues with a node');

  for (const [name, value] of Object.entries(report.totals)) {
    if (!isCount(value)) problems.push(`totals.${name} is ${value}`);
  }
  if (new Set(report.order).size !== report.order.length || report.order.some((id) => !ids.has(id))) {
    problems.push('order repeats ids or names nodes not in the report');
  }
  for (const [name, shape] of Object.entries({ inputShape: report.inputShape, outputShape: report.outputShape })) {
    if (shape !== null && !isShape(shape)) problems.push(`${name} is ${JSON.stringify(shape)}`);
  }

  if (report.valid) {
    if (report.inputShape === null) problems.push('a valid report has no inputShape');
    if (report.outputShape === null) problems.push('a valid report has no outputShape');
    if (report.nodes.some((node) => node.outputShape === null)) problems.push('a valid report has a node without a shape');
    if (report.order.length !== report.nodes.length) problems.push('a valid report leaves nodes out of the order');
  }
  return problems;
};

/** A short, never-throwing preview of a generated input, for failure messages. */
const preview = (value: unknown): string => {
  try {
    const text =
      JSON.stringify(value, (_key, item) => (typeof item === 'number' && !Number.isFinite(item) ? String(item) : item)) ?? String(value);
    return text.length > 400 ? `${text.slice(0, 400)}…` : text;
  } catch {
    return '(cannot be shown)';
  }
};

interface Failure {
  readonly seed: number;
  readonly problem: string;
  readonly input: string;
}

/** Analyses one input: the report, and what went wrong (null when nothing did). */
const analyse = (input: unknown): { report: GraphReport | null; problem: string | null } => {
  let report: GraphReport;
  try {
    report = analyzeGraph(input);
  } catch (error) {
    return { report: null, problem: `analyzeGraph threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` };
  }
  const problems = reportProblems(report);
  return { report, problem: problems.length ? problems.join('; ') : null };
};

const check = (input: unknown): string | null => analyse(input).problem;

interface FuzzResult {
  readonly failures: Failure[];
  readonly reports: number;
  readonly valid: number;
  readonly milliseconds: number;
}

/** Runs a generator once per seed and collects the failures (with their seeds). */
const fuzz = (count: number, firstSeed: number, generate: (random: Random) => unknown): FuzzResult => {
  const failures: Failure[] = [];
  let valid = 0;
  const start = performance.now();
  for (let seed = firstSeed; seed < firstSeed + count; seed++) {
    const input = generate(new Random(seed));
    const { report, problem } = analyse(input);
    if (problem) failures.push({ seed, problem, input: preview(input) });
    else if (report?.valid) valid++;
  }
  return { failures, reports: count, valid, milliseconds: performance.now() - start };
};

const expectNoFailures = (name: string, result: FuzzResult): void => {
  const [first] = result.failures;
  const message = first
    ? `${name}: ${result.failures.length} of ${result.reports} inputs failed; first at seed ${first.seed} ` +
      `(replay with FUZZ_SEED=${first.seed} FUZZ_RUNS=1): ${first.problem}\ninput: ${first.input}\n` +
      `other seeds: ${result.failures
        .slice(1, 10)
        .map((failure) => failure.seed)
        .join(', ')}`
    : '';
  expect(result.failures.length, message).toBe(0);
};

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', 'isPrototypeOf'] as const;

/** Values that are legal JavaScript but wrong almost anywhere in a graph. */
const ODD_VALUES: readonly unknown[] = [
  undefined,
  null,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  -1,
  0.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 31,
  2 ** 53 + 2,
  '',
  ' ',
  '0',
  '3',
  'same',
  'Conv2D',
  ...PROTO_KEYS,
  [],
  [1],
  [3, 3, 3],
  [null, null],
  {},
  { toString: 1 },
  { valueOf: 'x' },
  true,
  false,
];

/** Defines an own property, even one named '__proto__' (plain assignment would set the prototype). */
const defineOwn = (target: unknown, key: string, value: unknown): void => {
  if (typeof target === 'object' && target !== null) {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  }
};

const KEY_POOL = [
  'nodes',
  'edges',
  'format',
  'version',
  'id',
  'type',
  'params',
  'label',
  'source',
  'target',
  'targetPort',
  'position',
  ...PROTO_KEYS,
];

const randomString = (random: Random): string => {
  const r = random.float();
  if (r < 0.3) return random.pick(LAYER_TYPES);
  if (r < 0.4) return random.pick(KEY_POOL);
  if (r < 0.45) return 'x'.repeat(random.int(1_000, 20_000));
  if (r < 0.5) return '\u0000\uD800 ☃ 🧠 \n"\'\\';
  const alphabet = 'abcXYZ019_- .:→';
  return Array.from({ length: random.int(0, 12) }, () => random.pick(alphabet.split(''))).join('');
};

const randomNumber = (random: Random): number =>
  random.pick([
    () => random.int(-5, 40),
    () => random.float() * 10 - 5,
    () => -0,
    () => 1e308,
    () => -1e308,
    () => Number.MAX_SAFE_INTEGER + 2,
    () => 5e-324,
    () => 2 ** random.int(20, 80),
    () => -(2 ** random.int(20, 80)),
  ])();

/** Any JSON value (plus -0), nested up to `depth`. */
const randomJson = (random: Random, depth: number): unknown => {
  const r = random.float();
  if (depth <= 0 || r < 0.45) {
    return random.pick([() => null, () => random.chance(0.5), () => randomNumber(random), () => randomString(random)])();
  }
  if (r < 0.7) return Array.from({ length: random.int(0, 5) }, () => randomJson(random, depth - 1));
  const object: Record<string, unknown> = {};
  for (let i = random.int(0, 5); i > 0; i--) {
    defineOwn(object, random.chance(0.6) ? random.pick(KEY_POOL) : randomString(random), randomJson(random, depth - 1));
  }
  return object;
};

// ---------------------------------------------------------------------------------------------
// Generator (a): plausible networks from the catalogue
// ---------------------------------------------------------------------------------------------

/** Ranges that keep generated networks small enough to be mostly valid. */
const SMALL: Record<string, readonly [number, number]> = {
  channels: [1, 4],
  height: [1, 48],
  width: [1, 48],
  filters: [1, 24],
  units: [1, 32],
  kernel: [1, 5],
  stride: [1, 3],
  dilation: [1, 2],
  groups: [1, 2],
  depthMultiplier: [1, 2],
  classes: [2, 12],
  outputs: [1, 12],
  scale: [1, 3],
  padding: [0, 2],
  outputPadding: [0, 1],
};

const range = (random: Random, name: string, min: number, max: number): [number, number] => {
  if (random.chance(0.03)) return [min, max]; // now and then anywhere, up to the limits
  const [low, high] = SMALL[name] ?? [min, min + 10];
  return [Math.max(min, low), Math.min(max, high)];
};

/** A value the spec accepts (mostly small). */
const validValue = (random: Random, name: string, spec: ParamSpec): unknown => {
  switch (spec.kind) {
    case 'int': {
      const [low, high] = range(random, name, spec.min, spec.max);
      return random.logInt(low, high);
    }
    case 'float':
      return spec.min + random.float() * (spec.max - spec.min) * 0.999 + (spec.minExclusive ? 1e-9 : 0);
    case 'bool':
      return random.chance(0.5);
    case 'enum':
      return random.pick(spec.values);
    case 'pair': {
      const [low, high] = range(random, name, spec.min, spec.max);
      return random.chance(0.5) ? random.int(low, high) : [random.int(low, high), random.int(low, high)];
    }
    case 'padding': {
      const side = () => random.int(0, 2);
      return random.pick<() => unknown>([
        () => 'valid',
        () => 'same',
        side,
        () => [side(), side()],
        () => [side(), side(), side(), side()],
      ])();
    }
  }
};

/** A value the spec rejects, or that sits on the edge of its range. */
const edgeValue = (random: Random, spec: ParamSpec): unknown => {
  const min = 'min' in spec ? spec.min : 0;
  const max = 'max' in spec ? spec.max : 1;
  return random.pick([min - 1, min, max, max + 1, min + 0.5, -min - 1, ...ODD_VALUES]);
};

const randomParams = (random: Random, type: LayerType): Record<string, unknown> | undefined => {
  if (random.chance(0.15)) return undefined;
  const params: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CATALOGUE[type].params as Record<string, ParamSpec>)) {
    const r = random.float();
    if (r < 0.6) params[name] = validValue(random, name, spec);
    else if (r < 0.96)
      continue; // the default
    else params[name] = edgeValue(random, spec);
  }
  if (random.chance(0.03)) defineOwn(params, random.pick([...PROTO_KEYS, 'filter', 'activation']), randomJson(random, 1));
  return params;
};

const BODY_TYPES = LAYER_TYPES.filter((type) => CATALOGUE[type].category !== 'input' && CATALOGUE[type].category !== 'head');
const IMAGE_TYPES = BODY_TYPES.filter((type) => !['Dense', 'Add', 'Concat'].includes(type));
const VECTOR_TYPES: LayerType[] = ['Dense', 'ReLU', 'LeakyReLU', 'Sigmoid', 'Tanh', 'GELU', 'Dropout'];
const HEAD_TYPES = LAYER_TYPES.filter((type) => CATALOGUE[type].category === 'head');

interface GraphBuilder {
  nodes: Record<string, unknown>[];
  edges: Record<string, unknown>[];
  next: number;
}

const addNode = (graph: GraphBuilder, random: Random, type: LayerType, params = randomParams(random, type)): string => {
  const id = `${type.toLowerCase()}${graph.next++}`;
  graph.nodes.push(params === undefined ? { id, type } : { id, type, params });
  return id;
};

const connect = (graph: GraphBuilder, random: Random, source: string, target: string, port?: number): void => {
  const edge: Record<string, unknown> = { source, target };
  if (port !== undefined && random.chance(0.6)) edge.targetPort = port;
  else if (port === undefined && random.chance(0.1)) edge.targetPort = 0;
  graph.edges.push(edge);
};

/**
 * A random network: Input, a chain of layers suited (mostly) to the data's rank, now and then
 * a fork into branches that an Add or a Concat merges, and an output head.
 */
const randomNetwork = (random: Random): { format?: string; version?: number; nodes: unknown[]; edges: unknown[] } => {
  const graph: GraphBuilder = { nodes: [], edges: [], next: 1 };
  let current = addNode(graph, random, 'Input');
  let rank: 'image' | 'vector' = 'image';
  const layer = (from: string, type: LayerType): string => {
    const id = addNode(graph, random, type);
    connect(graph, random, from, id);
    if (type === 'Flatten' || type === 'Dense' || type === 'GlobalAvgPool' || type === 'GlobalMaxPool') rank = 'vector';
    return id;
  };
  for (let steps = random.int(0, 10); steps > 0; steps--) {
    if (random.chance(0.2)) {
      const merge = random.pick<LayerType>(['Add', 'Concat']);
      const ends = Array.from({ length: random.int(2, 3) }, () => {
        let end = current;
        for (let depth = random.int(0, 2); depth > 0; depth--)
          end = layer(end, random.pick(rank === 'image' ? ['ReLU', 'BatchNorm2D', 'Conv2D', 'Dropout'] : VECTOR_TYPES));
        return end;
      });
      const id = addNode(graph, random, merge);
      ends.forEach((end, port) => connect(graph, random, end, id, port));
      current = id;
    } else {
      const types = random.chance(0.9) ? (rank === 'image' ? IMAGE_TYPES : VECTOR_TYPES) : BODY_TYPES;
      current = layer(current, random.pick(types));
    }
  }
  const head = random.pick(HEAD_TYPES);
  if (head !== 'ImageHead') {
    if (rank === 'image' && random.chance(0.9))
      current = layer(current, random.pick<LayerType>(['Flatten', 'GlobalAvgPool', 'GlobalMaxPool']));
    const size = random.int(2, 12);
    const dense = addNode(graph, random, 'Dense', { units: size });
    connect(graph, random, current, dense);
    const headId = addNode(graph, random, head, head === 'ClassificationHead' ? { classes: size } : { outputs: size });
    connect(graph, random, dense, headId);
  } else {
    connect(graph, random, current, addNode(graph, random, head));
  }
  const header = random.chance(0.8) ? { format: GRAPH_FORMAT, version: GRAPH_VERSION } : {};
  return { ...header, nodes: graph.nodes, edges: graph.edges };
};

// ---------------------------------------------------------------------------------------------
// Generator (b): mutations of plausible networks
// ---------------------------------------------------------------------------------------------

type Graph = { nodes: unknown; edges: unknown; [key: string]: unknown };
type Mutation = (random: Random, graph: Graph) => void;

const listOf = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((item) => typeof item === 'object' && item !== null) : [];
const someNode = (random: Random, graph: Graph) => {
  const nodes = listOf(graph.nodes);
  return nodes.length ? random.pick(nodes) : undefined;
};
const someEdge = (random: Random, graph: Graph) => {
  const edges = listOf(graph.edges);
  return edges.length ? random.pick(edges) : undefined;
};
const someId = (random: Random, graph: Graph): unknown => someNode(random, graph)?.id ?? 'nowhere';
const oddValue = (random: Random): unknown => (random.chance(0.7) ? random.pick(ODD_VALUES) : randomJson(random, 2));

const misspell = (random: Random, type: string): string =>
  random.pick([type.toLowerCase(), type.toUpperCase(), type.slice(0, -1), `${type}s`, type.replace('2D', '2d'), ` ${type}`]);

const MUTATIONS: Record<string, Mutation> = {
  deleteNode: (random, graph) => {
    if (Array.isArray(graph.nodes) && graph.nodes.length) graph.nodes.splice(random.int(0, graph.nodes.length - 1), 1);
  },
  duplicateNode: (random, graph) => {
    const node = someNode(random, graph);
    if (node && Array.isArray(graph.nodes)) graph.nodes.push({ ...node });
  },
  deleteEdge: (random, graph) => {
    if (Array.isArray(graph.edges) && graph.edges.length) graph.edges.splice(random.int(0, graph.edges.length - 1), 1);
  },
  duplicateEdge: (random, graph) => {
    const edge = someEdge(random, graph);
    if (edge && Array.isArray(graph.edges)) graph.edges.push({ ...edge });
  },
  swapType: (random, graph) => {
    const node = someNode(random, graph);
    if (node) node.type = random.chance(0.6) ? random.pick(LAYER_TYPES) : misspell(random, random.pick(LAYER_TYPES));
  },
  oddType: (random, graph) => {
    const node = someNode(random, graph);
    if (node) node.type = random.chance(0.4) ? random.pick(PROTO_KEYS) : oddValue(random);
  },
  setParam: (random, graph) => {
    const node = someNode(random, graph);
    if (!node) return;
    if (typeof node.params !== 'object' || node.params === null) node.params = {};
    const known = isLayerType(node.type) ? Object.keys(CATALOGUE[node.type].params) : [];
    const name = known.length && random.chance(0.7) ? random.pick(known) : random.pick([...PROTO_KEYS, 'filter', '']);
    defineOwn(node.params, name, oddValue(random));
  },
  replaceParams: (random, graph) => {
    const node = someNode(random, graph);
    if (node) node.params = oddValue(random);
  },
  renameId: (random, graph) => {
    const node = someNode(random, graph);
    if (!node) return;
    const old = node.id;
    node.id = random.pick([
      () => random.pick(PROTO_KEYS),
      () => oddValue(random),
      () => randomString(random),
      () => someId(random, graph),
    ])();
    if (random.chance(0.5)) {
      for (const edge of listOf(graph.edges)) {
        if (edge.source === old) edge.source = node.id;
        if (edge.target === old) edge.target = node.id;
      }
    }
  },
  addCycle: (random, graph) => {
    const nodes = listOf(graph.nodes);
    if (nodes.length < 2 || !Array.isArray(graph.edges)) return;
    const from = random.int(1, nodes.length - 1);
    graph.edges.push({ source: nodes[from].id, target: nodes[random.int(0, from)].id });
  },
  addEdge: (random, graph) => {
    if (Array.isArray(graph.edges))
      graph.edges.push({ source: someId(random, graph), target: someId(random, graph), targetPort: random.int(0, 3) });
  },
  edgeToMissingNode: (random, graph) => {
    const edge = someEdge(random, graph);
    if (edge) edge[random.pick(['source', 'target'])] = random.chance(0.5) ? random.pick(PROTO_KEYS) : `missing${random.int(0, 9)}`;
  },
  oddPort: (random, graph) => {
    const edge = someEdge(random, graph);
    if (edge)
      edge.targetPort = random.pick([
        -1,
        0.5,
        1,
        3,
        15,
        16,
        17,
        2 ** 31,
        1e308,
        -0,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        '0',
        null,
        [],
        {},
        true,
      ]);
  },
  replaceGraphField: (random, graph) => {
    graph[random.pick(['nodes', 'edges', 'format', 'version'])] = oddValue(random);
  },
  replaceNodeField: (random, graph) => {
    const node = someNode(random, graph);
    if (node) node[random.pick(['id', 'type', 'params', 'label', 'position'])] = oddValue(random);
  },
  replaceEdgeField: (random, graph) => {
    const edge = someEdge(random, graph);
    if (edge) edge[random.pick(['source', 'target', 'targetPort'])] = oddValue(random);
  },
  replaceElement: (random, graph) => {
    const list = random.chance(0.5) ? graph.nodes : graph.edges;
    if (Array.isArray(list) && list.length) list[random.int(0, list.length - 1)] = oddValue(random);
  },
  protoKeyEverywhere: (random, graph) => {
    const key = random.pick(PROTO_KEYS);
    defineOwn(graph, key, oddValue(random));
    const node = someNode(random, graph);
    if (node) defineOwn(node, key, oddValue(random));
    const edge = someEdge(random, graph);
    if (edge) defineOwn(edge, key, oddValue(random));
  },
  sparseLists: (random, graph) => {
    for (const list of [graph.nodes, graph.edges]) if (Array.isArray(list)) list.length += random.int(1, 3);
  },
};

const MUTATION_NAMES = Object.keys(MUTATIONS);

const mutatedNetwork = (random: Random): unknown => {
  const graph = randomNetwork(random) as Graph;
  for (let count = random.int(1, 4); count > 0; count--) MUTATIONS[random.pick(MUTATION_NAMES)](random, graph);
  // Half go through JSON, as a file would (NaN becomes null, undefined fields vanish).
  return random.chance(0.5) ? JSON.parse(JSON.stringify(graph)) : graph;
};

// ---------------------------------------------------------------------------------------------
// Generator (c): arbitrary JSON
// ---------------------------------------------------------------------------------------------

/** Half plain random JSON; half shaped like a graph, so the values reach the deeper passes. */
const randomDocument = (random: Random): unknown => {
  if (random.chance(0.5)) return randomJson(random, random.int(0, 5));
  const ids = Array.from({ length: random.int(1, 6) }, (_, i) => (random.chance(0.8) ? `n${i}` : randomString(random)));
  const fieldOr = (value: () => unknown) => (random.chance(0.8) ? value() : randomJson(random, 2));
  const nodes = ids.map((id) => {
    const type = random.chance(0.7) ? random.pick(LAYER_TYPES) : randomJson(random, 1);
    const params: Record<string, unknown> = {};
    const names = isLayerType(type) ? Object.keys(CATALOGUE[type].params) : [];
    for (const name of names) if (random.chance(0.5)) params[name] = randomJson(random, 2);
    return random.chance(0.9) ? { id: fieldOr(() => id), type, params: fieldOr(() => params) } : randomJson(random, 3);
  });
  const edges = Array.from({ length: random.int(0, 8) }, () =>
    random.chance(0.9)
      ? {
          source: fieldOr(() => random.pick(ids)),
          target: fieldOr(() => random.pick(ids)),
          targetPort: random.chance(0.5) ? undefined : randomJson(random, 1),
        }
      : randomJson(random, 2),
  );
  const document: Record<string, unknown> = { nodes, edges };
  if (random.chance(0.3)) document.format = random.chance(0.7) ? GRAPH_FORMAT : randomJson(random, 1);
  if (random.chance(0.3)) document.version = random.chance(0.7) ? GRAPH_VERSION : randomJson(random, 1);
  return JSON.parse(JSON.stringify(document));
};

// ---------------------------------------------------------------------------------------------
// Large inputs
// ---------------------------------------------------------------------------------------------

/** Input → `layers` ReLUs → Flatten → Dense 10 → ClassificationHead. */
const longChain = (layers: number) => {
  const nodes: unknown[] = [{ id: 'input', type: 'Input', params: { channels: 1, height: 8, width: 8 } }];
  const edges: unknown[] = [];
  let previous = 'input';
  for (let i = 0; i < layers; i++) {
    nodes.push({ id: `relu${i}`, type: 'ReLU' });
    edges.push({ source: previous, target: `relu${i}` });
    previous = `relu${i}`;
  }
  nodes.push(
    { id: 'flatten', type: 'Flatten' },
    { id: 'fc', type: 'Dense', params: { units: 10 } },
    { id: 'head', type: 'ClassificationHead' },
  );
  edges.push({ source: previous, target: 'flatten' }, { source: 'flatten', target: 'fc' }, { source: 'fc', target: 'head' });
  return { format: GRAPH_FORMAT, version: GRAPH_VERSION, nodes, edges };
};

/** `size` ReLUs in one loop. */
const bigCycle = (size: number) => ({
  nodes: Array.from({ length: size }, (_, i) => ({ id: `n${i}`, type: 'ReLU' })),
  edges: Array.from({ length: size }, (_, i) => ({ source: `n${i}`, target: `n${(i + 1) % size}` })),
});

/** Input feeds `branches` ReLUs that all feed one Add (which takes at most 16). */
const wideAdd = (branches: number) => {
  const nodes: unknown[] = [
    { id: 'input', type: 'Input', params: { channels: 1, height: 8, width: 8 } },
    { id: 'add', type: 'Add' },
  ];
  const edges: unknown[] = [];
  for (let i = 0; i < branches; i++) {
    nodes.push({ id: `branch${i}`, type: 'ReLU' });
    edges.push({ source: 'input', target: `branch${i}` }, { source: `branch${i}`, target: 'add' });
  }
  nodes.push(
    { id: 'flatten', type: 'Flatten' },
    { id: 'fc', type: 'Dense', params: { units: 10 } },
    { id: 'head', type: 'ClassificationHead' },
  );
  edges.push({ source: 'add', target: 'flatten' }, { source: 'flatten', target: 'fc' }, { source: 'fc', target: 'head' });
  return { nodes, edges };
};

/** Analyses a large input, checks the report and returns it with the time taken. */
const analyzeLarge = (input: unknown): { report: GraphReport; milliseconds: number } => {
  const start = performance.now();
  const report = analyzeGraph(input);
  const milliseconds = performance.now() - start;
  expect(reportProblems(report)).toEqual([]);
  return { report, milliseconds };
};

/** Generous, so a slow CI machine passes; a quadratic pass over 20,000 nodes does not. */
const LARGE_INPUT_MS = 2_000;

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('analyzeGraph never throws and always reports consistently', () => {
  it('on random networks built from the catalogue (a)', () => {
    const result = fuzz(runs(3_000), firstSeed(0), randomNetwork);
    expectNoFailures('random networks', result);
    // The generator is only useful if a fair share of its networks get all the way through inference.
    if (result.reports >= 1_000) expect(result.valid / result.reports).toBeGreaterThan(0.15);
  });

  it('on random mutations of those networks (b)', () => {
    expectNoFailures('mutated networks', fuzz(runs(4_000), firstSeed(1), mutatedNetwork));
  });

  it('on random JSON values (c)', () => {
    expectNoFailures('random JSON', fuzz(runs(4_000), firstSeed(2), randomDocument));
  });

  it('on the odd values themselves, as the whole document', () => {
    for (const value of [...ODD_VALUES, ...PROTO_KEYS.map((key) => JSON.parse(`{"${key}": {"nodes": []}}`))]) {
      expect(check(value), preview(value)).toBeNull();
    }
  });

  it('on JavaScript values that JSON cannot hold', () => {
    const circular: Record<string, unknown> = { id: 'loop', type: 'ReLU' };
    circular.params = circular;
    const circularList: unknown[] = [];
    circularList.push(circularList);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const relu = (extra: Record<string, unknown>) => ({ nodes: [{ id: 'relu', type: 'ReLU', ...extra }], edges: [] });
    const inputs: [string, unknown][] = [
      ['a BigInt parameter', relu({ params: { scale: 2n } })],
      ['a BigInt type', relu({ type: 10n })],
      ['a BigInt format', { format: 1n, nodes: [], edges: [] }],
      [
        'a BigInt port',
        {
          nodes: [
            { id: 'a', type: 'Add' },
            { id: 'b', type: 'ReLU' },
          ],
          edges: [{ source: 'b', target: 'a', targetPort: 1n }],
        },
      ],
      ['a Symbol type', relu({ type: Symbol('ReLU') })],
      ['a Symbol id', { nodes: [{ id: Symbol('relu'), type: 'ReLU' }], edges: [] }],
      ['a function as params', relu({ params: () => 1 })],
      ['a type without a prototype', relu({ type: Object.create(null) })],
      ['a type whose toString is not callable', relu({ type: { toString: 1, valueOf: 1 } })],
      ['params that contain themselves', { nodes: [circular], edges: [] }],
      ['a node list that contains itself', { nodes: circularList, edges: circularList }],
      ['params nested 100,000 lists deep', relu({ params: deep })],
      ['a type nested 100,000 lists deep', relu({ type: deep })],
      ['a Date, a Map and a typed array', { nodes: [new Date(0), new Map(), new Uint8Array(4)], edges: [new Set()] }],
      ['a frozen graph', Object.freeze(relu({ params: Object.freeze({}) }))],
      ['a graph whose nodes inherit their fields', { nodes: [Object.create({ id: 'ghost', type: 'ReLU' })], edges: [] }],
    ];
    for (const [name, input] of inputs) expect(check(input), name).toBeNull();
  });
});

describe('large inputs finish quickly, without overflowing the stack', () => {
  it('a chain of 20,000 layers', () => {
    const { report, milliseconds } = analyzeLarge(longChain(20_000));
    expect(report.valid).toBe(true);
    expect(report.nodes).toHaveLength(20_004);
    expect(report.outputShape).toEqual([10]);
    expect(milliseconds).toBeLessThan(LARGE_INPUT_MS);
  });

  it('a cycle of 20,000 nodes', () => {
    const { report, milliseconds } = analyzeLarge(bigCycle(20_000));
    expect(report.valid).toBe(false);
    const onCycle = report.issues.filter((issue) => issue.code === 'cycle');
    expect(onCycle).toHaveLength(20_000);
    expect(onCycle[0].message).toContain('more');
    expect(milliseconds).toBeLessThan(LARGE_INPUT_MS);
  });

  it('5,000 edges into one Add: the 16 it takes are used, the rest are reported', () => {
    const { report, milliseconds } = analyzeLarge(wideAdd(5_000));
    expect(report.valid).toBe(false);
    const overflow = report.issues.filter((issue) => issue.code === 'edge-port-invalid' && issue.nodeId === 'add');
    expect(overflow).toHaveLength(5_000 - 16);
    expect(milliseconds).toBeLessThan(LARGE_INPUT_MS);
  });

  it('5,000 edges into one ReLU', () => {
    const graph = wideAdd(5_000);
    (graph.nodes[1] as { type: string }).type = 'ReLU';
    const { report, milliseconds } = analyzeLarge(graph);
    expect(report.issues.some((issue) => issue.code === 'port-overconnected' && issue.nodeId === 'add')).toBe(true);
    expect(milliseconds).toBeLessThan(LARGE_INPUT_MS);
  });

  it('a type name of a million characters', () => {
    const { report, milliseconds } = analyzeLarge({ nodes: [{ id: 'layer', type: 'Conv'.repeat(250_000) }], edges: [] });
    expect(report.issues.some((issue) => issue.code === 'node-type-unknown')).toBe(true);
    expect(milliseconds).toBeLessThan(LARGE_INPUT_MS);
  });
});
