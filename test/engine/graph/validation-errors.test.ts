// One or more small, realistic broken graphs for every kind of problem the analysis reports
// (every member of IssueCode), each checked for its place, severity and a message that says
// how to fix it. Every graph starts from a valid little network and breaks one thing.
import { describe, expect, it } from 'vitest';
import { analyzeGraph, type GraphReport } from '../../../engine/graph/analyze';
import { CATALOGUE } from '../../../engine/graph/catalogue';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../../../engine/graph/document';
import { ISSUE_CODES, type Issue, type IssueCode, type Severity } from '../../../engine/graph/issues';
import { isLayerType } from '../../../engine/graph/layer-types';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Loosely typed on purpose: the cases write things a valid document never holds. */
interface TestNode {
  id: unknown;
  type: unknown;
  params?: unknown;
  label?: unknown;
}
interface TestEdge {
  source: unknown;
  target: unknown;
  targetPort?: unknown;
}
interface TestGraph {
  format?: unknown;
  version?: unknown;
  nodes: unknown[];
  edges: unknown[];
}

/** The severity of every issue code, written out here independently of engine/graph/issues.ts. */
const EXPECTED_SEVERITY: Record<IssueCode, Severity> = {
  'graph-malformed': 'error',
  'graph-version': 'error',
  'no-input': 'error',
  'multiple-inputs': 'error',
  'no-head': 'error',
  'multiple-heads': 'error',
  'node-malformed': 'error',
  'node-id-invalid': 'error',
  'node-id-duplicate': 'error',
  'node-type-unknown': 'error',
  'param-invalid': 'error',
  'param-unknown': 'warning',
  'edge-malformed': 'error',
  'edge-unknown-node': 'error',
  'edge-into-input': 'error',
  'edge-from-head': 'error',
  'edge-port-invalid': 'error',
  'edge-duplicate': 'error',
  'port-unconnected': 'error',
  'port-overconnected': 'error',
  cycle: 'error',
  'unused-output': 'error',
  'rank-mismatch': 'error',
  'shape-mismatch': 'error',
  'kernel-too-large': 'error',
  'output-empty': 'error',
  'groups-mismatch': 'error',
  'padding-too-large': 'error',
  'output-padding-invalid': 'error',
  'head-mismatch': 'error',
  'tensor-too-large': 'error',
  'double-activation': 'warning',
  'stride-skips-pixels': 'warning',
};

/** Words and phrases that tell the reader what to do about a problem. */
const FIX =
  /\b(use|add|delete|connect|remove|set|give|reduce|adjust|make|move|place|resize|flatten|merge|end|open|update|turn off|did you mean|must be)\b/i;

const chain = (ids: string[]): TestEdge[] => ids.slice(1).map((target, i) => ({ source: ids[i], target }));

/**
 * The valid starting point of every case:
 * Input 1×28×28 → Conv2D 8×3×3 → ReLU → MaxPool2D 2×2 → Flatten → Dense 10 → ClassificationHead 10.
 * Shapes: 1×28×28 → 8×26×26 → 8×26×26 → 8×13×13 → 1352 → 10 → 10.
 */
const lenet = (): TestGraph => ({
  format: GRAPH_FORMAT,
  version: GRAPH_VERSION,
  nodes: [
    { id: 'input', type: 'Input', params: { channels: 1, height: 28, width: 28 } },
    { id: 'conv1', type: 'Conv2D', params: { filters: 8, kernel: 3 } },
    { id: 'relu1', type: 'ReLU' },
    { id: 'pool1', type: 'MaxPool2D', params: { kernel: 2, stride: 2 } },
    { id: 'flatten', type: 'Flatten' },
    { id: 'fc', type: 'Dense', params: { units: 10 } },
    { id: 'head', type: 'ClassificationHead', params: { classes: 10 } },
  ],
  edges: chain(['input', 'conv1', 'relu1', 'pool1', 'flatten', 'fc', 'head']),
});

/** The base network with one thing changed. */
const broken = (change: (graph: TestGraph) => void): TestGraph => {
  const graph = lenet();
  change(graph);
  return graph;
};

const nodeOf = (graph: TestGraph, id: string): TestNode => {
  const found = (graph.nodes as TestNode[]).find((node) => node.id === id);
  if (!found) throw new Error(`test graph has no node ${id}`);
  return found;
};

/** Merges parameter values into a node's params. */
const setParams = (graph: TestGraph, id: string, params: Record<string, unknown>): void => {
  const node = nodeOf(graph, id);
  node.params = { ...(node.params as Record<string, unknown> | undefined), ...params };
};

const edgesOf = (graph: TestGraph): TestEdge[] => graph.edges as TestEdge[];

const removeEdge = (graph: TestGraph, source: string, target: string): void => {
  graph.edges = edgesOf(graph).filter((edge) => !(edge.source === source && edge.target === target));
};

/** Deletes a node and every edge that touches it. */
const removeNode = (graph: TestGraph, id: string): void => {
  graph.nodes = (graph.nodes as TestNode[]).filter((node) => node.id !== id);
  graph.edges = edgesOf(graph).filter((edge) => edge.source !== id && edge.target !== id);
};

/** Puts a new node on the edge that leaves `after` (the chain stays a chain). */
const insertAfter = (graph: TestGraph, after: string, node: TestNode): void => {
  const edge = edgesOf(graph).find((candidate) => candidate.source === after);
  if (!edge) throw new Error(`test graph has no edge from ${after}`);
  graph.nodes.push(node);
  graph.edges.push({ source: node.id, target: edge.target });
  edge.target = node.id;
};

/** `outputPadding` → "output padding". */
const words = (name: string): string => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/** The parameter's name, its name in words, or its label in the inspector. */
const namesParam = (message: string, param: string, type: string | undefined): boolean => {
  const text = message.toLowerCase();
  const label = type && isLayerType(type) ? (CATALOGUE[type].params as Record<string, { label: string }>)[param]?.label : undefined;
  return [param.toLowerCase(), words(param), label?.toLowerCase()].some((name) => name !== undefined && text.includes(name));
};

const describeIssues = (report: GraphReport): string =>
  report.issues.map((issue) => `  [${issue.code}] ${issue.message}`).join('\n') || '  (none)';

/** The rules every message follows: it says what to do, and one about a node starts with its id. */
const checkMessage = (report: GraphReport, issue: Issue): void => {
  expect(issue.message, `message of ${issue.code} says how to fix it`).toMatch(FIX);
  if (issue.nodeId !== undefined) {
    expect(
      issue.message.startsWith(`${issue.nodeId}: `),
      `message of ${issue.code} starts with '${issue.nodeId}: ': ${issue.message}`,
    ).toBe(true);
  }
  if (issue.param !== undefined) {
    const type = report.nodes.find((node) => node.id === issue.nodeId)?.type;
    expect(namesParam(issue.message, issue.param, type), `message names the parameter '${issue.param}': ${issue.message}`).toBe(true);
  }
};

interface Case {
  /** What is broken; the test's name. */
  readonly name: string;
  readonly graph: () => unknown;
  /** The node the issue is about; absent for problems of the whole graph (or of an edge between unknown nodes). */
  readonly node?: string;
  /** The parameter the issue is about, when there is one. */
  readonly param?: string;
  /** The edge the issue is about, by index into `edges`. */
  readonly edgeIndex?: number;
  /** Text the message must contain. */
  readonly says?: readonly (string | RegExp)[];
}

/** Finds the case's issue in the report and checks everything about it. */
const expectIssue = (report: GraphReport, code: IssueCode, expected: Case): Issue => {
  const candidates = report.issues.filter((issue) => issue.code === code && issue.nodeId === expected.node);
  const where = expected.node === undefined ? 'without a node' : `on ${expected.node}`;
  expect(candidates.length, `expected a ${code} issue ${where}; the report has:\n${describeIssues(report)}`).toBeGreaterThan(0);
  const issue = candidates[0];
  expect(issue.severity).toBe(EXPECTED_SEVERITY[code]);
  if (EXPECTED_SEVERITY[code] === 'error') expect(report.valid).toBe(false);
  expect(issue.param).toBe(expected.param);
  if (expected.edgeIndex !== undefined) expect(issue.edgeIndex).toBe(expected.edgeIndex);
  checkMessage(report, issue);
  for (const text of expected.says ?? []) {
    if (typeof text === 'string') expect(issue.message).toContain(text);
    else expect(issue.message).toMatch(text);
  }
  return issue;
};

// ---------------------------------------------------------------------------------------------
// The cases: at least one per issue code
// ---------------------------------------------------------------------------------------------

const paramCase = (node: string, param: string, value: unknown, says: string): Case => ({
  name: `${node}.${param} = ${typeof value === 'string' ? `'${value}'` : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`,
  graph: () => broken((graph) => setParams(graph, node, { [param]: value })),
  node,
  param,
  says: [`${node}: ${param} `, says],
});

/** `branches` ReLU branches from conv1, and relu1 beside them, all feed one Add (which takes at most 16). */
const wideAdd = (branches: number): TestGraph =>
  broken((graph) => {
    removeEdge(graph, 'relu1', 'pool1');
    graph.nodes.push({ id: 'add', type: 'Add' });
    for (let i = 0; i < branches; i++) {
      graph.nodes.push({ id: `branch${i}`, type: 'ReLU' });
      graph.edges.push({ source: 'conv1', target: `branch${i}` }, { source: `branch${i}`, target: 'add' });
    }
    graph.edges.push({ source: 'relu1', target: 'add' }, { source: 'add', target: 'pool1' });
  });

const CASES: Record<IssueCode, readonly Case[]> = {
  'graph-malformed': [
    { name: 'the document is a list, not an object', graph: () => [lenet()], says: ['not a list'] },
    { name: 'the document is null', graph: () => null, says: ['not null'] },
    { name: 'the format is another program’s', graph: () => broken((graph) => (graph.format = 'onnx')), says: ["'onnx'", GRAPH_FORMAT] },
    { name: 'the version is a fraction', graph: () => broken((graph) => (graph.version = 1.5)), says: ['whole number', '1.5'] },
    { name: 'the version is a string', graph: () => broken((graph) => (graph.version = '1')), says: ['whole number'] },
    { name: 'nodes is an object, not a list', graph: () => ({ ...lenet(), nodes: { input: { type: 'Input' } } }), says: ["'nodes'"] },
    { name: 'edges is a string', graph: () => ({ ...lenet(), edges: 'input->conv1' }), says: ["'edges'"] },
  ],
  'graph-version': [
    {
      name: 'the file is from a newer CNN Studio',
      graph: () => broken((graph) => (graph.version = GRAPH_VERSION + 1)),
      says: ['update CNN Studio'],
    },
  ],
  'no-input': [
    { name: 'the Input layer is deleted', graph: () => broken((graph) => removeNode(graph, 'input')), says: ['no Input layer'] },
  ],
  'multiple-inputs': [
    {
      name: 'a second Input layer',
      graph: () => broken((graph) => graph.nodes.push({ id: 'input2', type: 'Input', params: { channels: 3, height: 28, width: 28 } })),
      node: 'input2',
      says: ["'input'", 'delete this one'],
    },
  ],
  'no-head': [
    {
      name: 'the output head is deleted (no loss)',
      graph: () => broken((graph) => removeNode(graph, 'head')),
      says: ['no output head', 'ClassificationHead'],
    },
  ],
  'multiple-heads': [
    {
      name: 'a second output head on the same Dense layer',
      graph: () =>
        broken((graph) => {
          graph.nodes.push({ id: 'head2', type: 'RegressionHead', params: { outputs: 10 } });
          graph.edges.push({ source: 'fc', target: 'head2' });
        }),
      node: 'head2',
      says: ["'head'", 'delete this one'],
    },
  ],
  'node-malformed': [
    { name: 'a node is a string', graph: () => broken((graph) => (graph.nodes[2] = 'relu1')), says: ['nodes[2]', "'relu1'"] },
    { name: 'a node is null', graph: () => broken((graph) => graph.nodes.push(null)), says: ['nodes[7]', 'null'] },
    {
      name: 'params is a list',
      graph: () => broken((graph) => (nodeOf(graph, 'conv1').params = [8, 3])),
      node: 'conv1',
      says: ['params must be an object'],
    },
    { name: 'params is a number', graph: () => broken((graph) => (nodeOf(graph, 'fc').params = 10)), node: 'fc', says: ['not 10'] },
  ],
  'node-id-invalid': [
    {
      name: 'an id starts with a digit',
      graph: () => broken((graph) => (nodeOf(graph, 'relu1').id = '1relu')),
      says: ['nodes[2]', "'1relu'"],
    },
    { name: 'an id has a space', graph: () => broken((graph) => (nodeOf(graph, 'relu1').id = 'relu 1')), says: ["'relu 1'"] },
    { name: 'an id is empty', graph: () => broken((graph) => (nodeOf(graph, 'relu1').id = '')), says: ["''"] },
    { name: 'an id is a number', graph: () => broken((graph) => (nodeOf(graph, 'relu1').id = 3)), says: ['id 3'] },
    { name: 'an id is missing', graph: () => broken((graph) => delete nodeOf(graph, 'relu1').id), says: ['nodes[2]'] },
    {
      name: 'an id is longer than 64 characters',
      graph: () => broken((graph) => (nodeOf(graph, 'relu1').id = 'r'.repeat(65))),
      says: ['64'],
    },
  ],
  'node-id-duplicate': [
    {
      name: 'two nodes share an id',
      graph: () => broken((graph) => graph.nodes.push({ id: 'relu1', type: 'Dropout' })),
      node: 'relu1',
      says: ['nodes[2] and nodes[7]', 'give each node its own id'],
    },
  ],
  'node-type-unknown': [
    {
      name: "a misspelt type ('Conv2d')",
      graph: () => broken((graph) => (nodeOf(graph, 'conv1').type = 'Conv2d')),
      node: 'conv1',
      says: ["'Conv2d'", "did you mean 'Conv2D'?"],
    },
    {
      name: "a misspelt type ('Maxpool')",
      graph: () => broken((graph) => (nodeOf(graph, 'pool1').type = 'Maxpool')),
      node: 'pool1',
      says: ["did you mean 'MaxPool2D'?"],
    },
    {
      name: 'a type from another framework',
      graph: () => broken((graph) => (nodeOf(graph, 'relu1').type = 'TransformerBlock')),
      node: 'relu1',
      says: ["'TransformerBlock'"],
    },
    { name: 'a type that is a number', graph: () => broken((graph) => (nodeOf(graph, 'relu1').type = 7)), node: 'relu1', says: ['type 7'] },
    { name: 'a missing type', graph: () => broken((graph) => delete nodeOf(graph, 'relu1').type), node: 'relu1' },
  ],
  'param-invalid': [
    paramCase('conv1', 'filters', 0, 'must be at least 1, not 0'),
    paramCase('conv1', 'filters', -8, 'must be at least 1, not -8'),
    paramCase('conv1', 'filters', Number.NaN, 'not NaN'),
    paramCase('conv1', 'filters', Number.POSITIVE_INFINITY, 'finite'),
    paramCase('conv1', 'filters', 2.5, 'must be a whole number, not 2.5'),
    paramCase('conv1', 'filters', '8', 'must be a whole number, not "8"'),
    paramCase('conv1', 'filters', 1e308, 'must be at most 65536'),
    paramCase('conv1', 'filters', null, 'not null'),
    paramCase('conv1', 'kernel', [3, 3, 3], 'not a list of 3'),
    paramCase('conv1', 'kernel', [], 'not a list of 0'),
    paramCase('conv1', 'kernel', [3, 0], 'width must be at least 1, not 0'),
    paramCase('conv1', 'kernel', { height: 3, width: 3 }, 'not an object'),
    paramCase('conv1', 'padding', 'full', 'must be "valid", "same"'),
    paramCase('conv1', 'padding', -1, 'must be at least 0, not -1'),
    paramCase('conv1', 'padding', [1, 1, 1], 'not a list of 3'),
    paramCase('conv1', 'bias', 'yes', 'must be true or false, not "yes"'),
    paramCase('input', 'height', -28, 'must be at least 1, not -28'),
    paramCase('fc', 'units', 0, 'must be at least 1, not 0'),
    paramCase('head', 'classes', 1, 'must be at least 2, not 1'),
    paramCase('head', 'labelSmoothing', 1, 'must be less than 1, not 1'),
  ],
  'param-unknown': [
    {
      name: "a misspelt parameter ('filter')",
      graph: () => broken((graph) => setParams(graph, 'conv1', { filter: 8 })),
      node: 'conv1',
      param: 'filter',
      says: ["did you mean 'filters'?"],
    },
    {
      name: 'a parameter another layer has',
      graph: () => broken((graph) => setParams(graph, 'fc', { activation: 'relu' })),
      node: 'fc',
      param: 'activation',
      says: ['units'],
    },
    {
      name: 'a parameter on a layer without any',
      graph: () => broken((graph) => setParams(graph, 'relu1', { inplace: true })),
      node: 'relu1',
      param: 'inplace',
    },
  ],
  'edge-malformed': [
    {
      name: 'an edge without a target',
      graph: () => broken((graph) => (graph.edges[1] = { source: 'conv1' })),
      edgeIndex: 1,
      says: ['edges[1]', "'target'"],
    },
    { name: 'an edge written as a string', graph: () => broken((graph) => graph.edges.push('fc->head')), edgeIndex: 6, says: ['edges[6]'] },
    { name: 'an edge whose source is a number', graph: () => broken((graph) => ((graph.edges[0] as TestEdge).source = 0)), edgeIndex: 0 },
  ],
  'edge-unknown-node': [
    {
      name: 'an edge to a node that does not exist',
      graph: () => broken((graph) => graph.edges.push({ source: 'conv1', target: 'relu9' })),
      node: 'conv1',
      edgeIndex: 6,
      says: ["'relu9'", 'delete the edge or add the node'],
    },
    {
      name: 'an edge from a node that does not exist',
      graph: () => broken((graph) => ((graph.edges[0] as TestEdge).source = 'image')),
      node: 'conv1',
      edgeIndex: 0,
      says: ["'image'"],
    },
    {
      name: 'an edge between two nodes that do not exist',
      graph: () => broken((graph) => graph.edges.push({ source: 'a', target: 'b' })),
      edgeIndex: 6,
    },
  ],
  'edge-into-input': [
    {
      name: 'an edge into the Input layer',
      graph: () => broken((graph) => graph.edges.push({ source: 'conv1', target: 'input' })),
      node: 'input',
      says: ['delete that edge'],
    },
  ],
  'edge-from-head': [
    {
      name: 'an edge out of the output head',
      graph: () => broken((graph) => graph.edges.push({ source: 'head', target: 'fc' })),
      node: 'head',
      says: ['cannot feed fc'],
    },
  ],
  'edge-port-invalid': [
    {
      name: 'port 1 of a one-input layer',
      graph: () => broken((graph) => ((graph.edges[1] as TestEdge).targetPort = 1)),
      node: 'relu1',
      edgeIndex: 1,
      says: ['port 1', 'port 0'],
    },
    {
      name: 'a negative port',
      graph: () => broken((graph) => ((graph.edges[1] as TestEdge).targetPort = -1)),
      node: 'relu1',
      says: ['port -1'],
    },
    {
      name: 'a fractional port',
      graph: () => broken((graph) => ((graph.edges[1] as TestEdge).targetPort = 0.5)),
      node: 'relu1',
      says: ['port 0.5'],
    },
    {
      name: "a port written as a string ('0')",
      graph: () => broken((graph) => ((graph.edges[1] as TestEdge).targetPort = '0')),
      node: 'relu1',
      says: ["port '0'"],
    },
    {
      name: 'port 16 of an Add (its ports are 0 to 15)',
      graph: () =>
        broken((graph) => {
          insertAfter(graph, 'relu1', { id: 'add', type: 'Add' });
          graph.edges.push({ source: 'conv1', target: 'add', targetPort: 16 });
        }),
      node: 'add',
      says: ['0 to 15'],
    },
    { name: 'a 17th edge into an Add, without a port', graph: () => wideAdd(16), node: 'add', says: ['16'] },
  ],
  'edge-duplicate': [
    {
      name: 'the same edge twice',
      graph: () => broken((graph) => graph.edges.push({ source: 'conv1', target: 'relu1' })),
      node: 'relu1',
      edgeIndex: 6,
      says: ['delete one of the edges'],
    },
  ],
  'port-unconnected': [
    {
      name: 'a layer with no incoming edge (0 edges on its port)',
      graph: () => broken((graph) => removeEdge(graph, 'conv1', 'relu1')),
      node: 'relu1',
      says: ['not connected', 'connect the layer that should feed it'],
    },
    {
      name: 'an Add with one input',
      graph: () => broken((graph) => insertAfter(graph, 'relu1', { id: 'add', type: 'Add' })),
      node: 'add',
      says: ['at least 2 inputs but has 1'],
    },
    {
      name: 'an Add fed on port 1 but not port 0',
      graph: () =>
        broken((graph) => {
          insertAfter(graph, 'relu1', { id: 'add', type: 'Add' });
          (edgesOf(graph).find((edge) => edge.target === 'add') as TestEdge).targetPort = 1;
        }),
      node: 'add',
      says: ['port 0'],
    },
  ],
  'port-overconnected': [
    {
      name: 'two edges into a one-input layer',
      graph: () => broken((graph) => graph.edges.push({ source: 'input', target: 'relu1' })),
      node: 'relu1',
      says: ['2 incoming edges (from conv1, input)', 'use Add or Concat'],
    },
    {
      name: 'two edges into the same port of an Add',
      graph: () =>
        broken((graph) => {
          insertAfter(graph, 'relu1', { id: 'add', type: 'Add' });
          graph.edges.push({ source: 'conv1', target: 'add', targetPort: 0 });
        }),
      node: 'add',
      says: ['port 0 has 2 incoming edges', 'its own port'],
    },
  ],
  cycle: [
    {
      name: 'a layer connected to itself',
      graph: () => broken((graph) => graph.edges.push({ source: 'relu1', target: 'relu1' })),
      node: 'relu1',
      says: ['itself'],
    },
    {
      name: 'a loop through an Add',
      graph: () =>
        broken((graph) => {
          insertAfter(graph, 'conv1', { id: 'add', type: 'Add' });
          graph.edges.push({ source: 'pool1', target: 'add' });
        }),
      node: 'add',
      says: ['relu1 → pool1 → add → relu1'],
    },
  ],
  'unused-output': [
    {
      name: 'a branch that leads nowhere',
      graph: () =>
        broken((graph) => {
          graph.nodes.push({ id: 'side', type: 'ReLU' });
          graph.edges.push({ source: 'conv1', target: 'side' });
        }),
      node: 'side',
      says: ["'head'"],
    },
    { name: 'a layer cut off before the head', graph: () => broken((graph) => removeEdge(graph, 'fc', 'head')), node: 'fc' },
  ],
  'rank-mismatch': [
    {
      name: 'Dense on an image without Flatten',
      graph: () =>
        broken((graph) => {
          removeNode(graph, 'flatten');
          graph.edges.push({ source: 'pool1', target: 'fc' });
        }),
      node: 'fc',
      says: ['8×13×13', 'add a Flatten'],
    },
    {
      name: 'a convolution after Flatten',
      graph: () => broken((graph) => insertAfter(graph, 'flatten', { id: 'conv2', type: 'Conv2D' })),
      node: 'conv2',
      says: ['vector of 1352'],
    },
    {
      name: 'Concat of an image and a vector',
      graph: () =>
        broken((graph) => {
          insertAfter(graph, 'flatten', { id: 'cat', type: 'Concat' });
          graph.edges.push({ source: 'pool1', target: 'cat', targetPort: 1 });
        }),
      node: 'cat',
      says: ['1352, 8×13×13'],
    },
  ],
  'shape-mismatch': [
    {
      name: 'Add of unequal shapes',
      graph: () =>
        broken((graph) => {
          insertAfter(graph, 'pool1', { id: 'add', type: 'Add' });
          graph.edges.push({ source: 'relu1', target: 'add' });
        }),
      node: 'add',
      says: ['8×13×13, 8×26×26', '1×1 convolution'],
    },
    {
      name: 'Concat of unequal heights and widths',
      graph: () =>
        broken((graph) => {
          insertAfter(graph, 'pool1', { id: 'cat', type: 'Concat' });
          graph.edges.push({ source: 'input', target: 'cat' });
        }),
      node: 'cat',
      says: ['8×13×13, 1×28×28', 'resize them to the same H×W'],
    },
  ],
  'kernel-too-large': [
    {
      name: 'a 7×7 kernel on a 5×5 input',
      graph: () =>
        broken((graph) => {
          setParams(graph, 'pool1', { kernel: 5, stride: 5 });
          insertAfter(graph, 'pool1', { id: 'conv2', type: 'Conv2D', params: { filters: 8, kernel: 7 } });
        }),
      node: 'conv2',
      param: 'kernel',
      says: ["conv2: kernel 7×7 exceeds the 5×5 input; use padding 'same' or a kernel ≤ 5×5"],
    },
    {
      name: 'a dilated kernel wider than its padded input',
      graph: () =>
        broken((graph) => {
          setParams(graph, 'pool1', { kernel: 5, stride: 5 });
          insertAfter(graph, 'pool1', { id: 'conv2', type: 'Conv2D', params: { kernel: 3, dilation: 4, padding: 1 } });
        }),
      node: 'conv2',
      param: 'kernel',
      says: ['dilated to 9×9', 'exceeds the 5×5 input (7×7 with padding)', 'kernel ≤ 2×2'],
    },
  ],
  'output-empty': [
    {
      name: 'a transposed convolution that crops more than it makes',
      graph: () =>
        broken((graph) =>
          insertAfter(graph, 'pool1', { id: 'up', type: 'ConvTranspose2D', params: { filters: 8, kernel: 1, stride: 1, padding: 7 } }),
        ),
      node: 'up',
      param: 'padding',
      says: ['output would be -1×-1'],
    },
  ],
  'groups-mismatch': [
    {
      name: 'groups that do not divide the input channels',
      graph: () => broken((graph) => insertAfter(graph, 'pool1', { id: 'conv2', type: 'Conv2D', params: { filters: 12, groups: 3 } })),
      node: 'conv2',
      param: 'groups',
      says: ['8 input channels cannot be split into 3 groups', 'divides 8'],
    },
    {
      name: 'groups that do not divide the filters',
      graph: () => broken((graph) => insertAfter(graph, 'pool1', { id: 'conv2', type: 'Conv2D', params: { filters: 6, groups: 4 } })),
      node: 'conv2',
      param: 'filters',
      says: ['multiple of 4'],
    },
  ],
  'padding-too-large': [
    {
      name: 'pooling padded by more than half its window',
      graph: () => broken((graph) => setParams(graph, 'pool1', { padding: 2 })),
      node: 'pool1',
      param: 'padding',
      says: ['2×2 window', 'at most 1×1'],
    },
  ],
  'output-padding-invalid': [
    {
      name: 'output padding as large as the stride',
      graph: () =>
        broken((graph) =>
          insertAfter(graph, 'pool1', {
            id: 'up',
            type: 'ConvTranspose2D',
            params: { filters: 8, kernel: 2, stride: 2, outputPadding: 2 },
          }),
        ),
      node: 'up',
      param: 'outputPadding',
      says: ['smaller than the stride (2)'],
    },
  ],
  'head-mismatch': [
    {
      name: 'classification classes ≠ the Dense units',
      graph: () => broken((graph) => setParams(graph, 'head', { classes: 5 })),
      node: 'head',
      says: ['vector of 5 class scores but receives 10', 'set the Dense layer before it to 5 units'],
    },
    {
      name: 'a classification head on an image',
      graph: () =>
        broken((graph) => {
          removeNode(graph, 'flatten');
          removeNode(graph, 'fc');
          graph.edges.push({ source: 'pool1', target: 'head' });
        }),
      node: 'head',
      says: ['8×13×13', 'add Flatten'],
    },
    {
      name: 'an image head smaller than the input',
      graph: () =>
        broken((graph) => {
          for (const id of ['pool1', 'flatten', 'fc', 'head']) removeNode(graph, id);
          graph.nodes.push({ id: 'head', type: 'ImageHead' });
          graph.edges.push({ source: 'relu1', target: 'head' });
        }),
      node: 'head',
      param: 'matchInputSize',
      says: ['28×28 image like the input but receives 8×26×26'],
    },
    {
      name: 'an image head on a vector',
      graph: () => broken((graph) => (nodeOf(graph, 'head').type = 'ImageHead')),
      node: 'head',
      says: ['vector of 10'],
    },
  ],
  'tensor-too-large': [
    {
      name: 'an input of 16×16384×16384 pixels',
      graph: () => broken((graph) => setParams(graph, 'input', { channels: 16, height: 16384, width: 16384 })),
      node: 'input',
      says: ['16×16384×16384'],
    },
    {
      name: 'a Dense layer of a million units on 10816 features',
      graph: () =>
        broken((graph) => {
          setParams(graph, 'conv1', { filters: 64 });
          setParams(graph, 'fc', { units: 1_048_576 });
        }),
      node: 'fc',
      says: ['weights', 'fewer units'],
    },
  ],
  'double-activation': [
    {
      name: 'Softmax before a classification head',
      graph: () => broken((graph) => insertAfter(graph, 'fc', { id: 'softmax', type: 'Softmax' })),
      node: 'head',
      says: ['remove that layer'],
    },
    {
      name: 'Sigmoid before an image head with binary cross-entropy',
      graph: () =>
        broken((graph) => {
          for (const id of ['pool1', 'flatten', 'fc', 'head']) removeNode(graph, id);
          setParams(graph, 'conv1', { filters: 1, padding: 'same' });
          graph.nodes.push({ id: 'sigmoid', type: 'Sigmoid' }, { id: 'head', type: 'ImageHead', params: { loss: 'bce' } });
          graph.edges.push({ source: 'relu1', target: 'sigmoid' }, { source: 'sigmoid', target: 'head' });
        }),
      node: 'head',
    },
  ],
  'stride-skips-pixels': [
    {
      name: 'a stride larger than the kernel',
      graph: () => broken((graph) => setParams(graph, 'conv1', { stride: 4 })),
      node: 'conv1',
      param: 'stride',
      says: ['stride 4×4 is larger than the 3×3 kernel'],
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('the starting network', () => {
  it('is valid, with no issues, and the expected shapes', () => {
    const report = analyzeGraph(lenet());
    expect(report.issues).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.inputShape).toEqual([1, 28, 28]);
    expect(report.outputShape).toEqual([10]);
    expect(report.nodes.map((node) => node.outputShape)).toEqual([[1, 28, 28], [8, 26, 26], [8, 26, 26], [8, 13, 13], [1352], [10], [10]]);
  });
});

describe('every issue code is covered', () => {
  it('the explicit list in this test matches ISSUE_CODES', () => {
    expect(Object.keys(EXPECTED_SEVERITY).sort()).toEqual([...ISSUE_CODES].sort());
    expect(new Set(ISSUE_CODES).size).toBe(ISSUE_CODES.length);
  });

  it.each([...ISSUE_CODES])('%s is provoked by at least one case', (code) => {
    const cases = CASES[code] ?? [];
    expect(cases.length, `no case for ${code}`).toBeGreaterThan(0);
    const provoked = cases.filter((testCase) => analyzeGraph(testCase.graph()).issues.some((issue) => issue.code === code));
    expect(provoked.length, `no case provokes ${code}`).toBeGreaterThan(0);
  });
});

describe.each([...ISSUE_CODES])('%s', (code) => {
  it.each((CASES[code] ?? []).map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
    expectIssue(analyzeGraph(testCase.graph()), code, testCase);
  });
});

describe('messages', () => {
  const all = Object.entries(CASES).flatMap(([code, cases]) => cases.map((testCase) => [`${code}: ${testCase.name}`, testCase] as const));

  it.each(all)('every issue raised by "%s" says how to fix it and starts with its node', (_name, testCase) => {
    const report = analyzeGraph(testCase.graph());
    for (const issue of report.issues) {
      expect(issue.message.length).toBeGreaterThan(0);
      expect(issue.severity).toBe(EXPECTED_SEVERITY[issue.code]);
      checkMessage(report, issue);
    }
  });

  it('reads like "conv2: kernel 7×7 exceeds the 5×5 input; use padding \'same\' or a kernel ≤ 5×5"', () => {
    const report = analyzeGraph(CASES['kernel-too-large'][0].graph());
    const messages = report.issues.filter((issue) => issue.code === 'kernel-too-large').map((issue) => issue.message);
    expect(messages).toEqual(["conv2: kernel 7×7 exceeds the 5×5 input; use padding 'same' or a kernel ≤ 5×5"]);
  });

  it("suggests 'Conv2D' for 'Conv2d'", () => {
    const report = analyzeGraph(broken((graph) => (nodeOf(graph, 'conv1').type = 'Conv2d')));
    expect(report.issues.map((issue) => issue.message)).toContain("conv1: unknown layer type 'Conv2d'; did you mean 'Conv2D'?");
  });

  it('does not tell the reader to resize a Dense layer that is not there', () => {
    // GlobalAvgPool hands the head 8 channel averages directly: there is no Dense layer to set.
    const report = analyzeGraph(
      broken((graph) => {
        for (const id of ['flatten', 'fc']) removeNode(graph, id);
        graph.nodes.push({ id: 'gap', type: 'GlobalAvgPool' });
        graph.edges.push({ source: 'pool1', target: 'gap' }, { source: 'gap', target: 'head' });
      }),
    );
    const issue = expectIssue(report, 'head-mismatch', { name: 'global pooling straight into the head', graph: () => null, node: 'head' });
    expect(issue.message).toContain('receives 8');
    expect(issue.message).not.toMatch(/the Dense layer before it/);
    expect(issue.message).toMatch(/add a Dense layer of 10 units/);
  });

  it('reports a cycle on every node of the loop, once', () => {
    const report = analyzeGraph(CASES.cycle[1].graph());
    const onLoop = report.issues.filter((issue) => issue.code === 'cycle').map((issue) => issue.nodeId);
    expect(onLoop.sort()).toEqual(['add', 'pool1', 'relu1']);
  });
});

describe('warnings', () => {
  it('leave a graph valid when they are the only issues', () => {
    const report = analyzeGraph(
      broken((graph) => {
        setParams(graph, 'conv1', { stride: 4, filter: 8 });
        insertAfter(graph, 'fc', { id: 'softmax', type: 'Softmax' });
      }),
    );
    expect(report.issues.map((issue) => issue.code).sort()).toEqual(['double-activation', 'param-unknown', 'stride-skips-pixels']);
    expect(report.issues.every((issue) => issue.severity === 'warning')).toBe(true);
    expect(report.valid).toBe(true);
    expect(report.inputShape).toEqual([1, 28, 28]);
    expect(report.outputShape).toEqual([10]);
  });

  it('do not hide an error beside them', () => {
    const report = analyzeGraph(
      broken((graph) => {
        setParams(graph, 'conv1', { stride: 4 });
        setParams(graph, 'head', { classes: 5 });
      }),
    );
    expect(report.issues.map((issue) => issue.code).sort()).toEqual(['head-mismatch', 'stride-skips-pixels']);
    expect(report.valid).toBe(false);
  });
});
