/**
 * ONNX import: round trips through CNN Studio's own export, models made by PyTorch, and hostile
 * files.
 *
 * Round trip: every template (and graphs with the layer types and settings the templates miss)
 * gets seeded weights, is exported with exportOnnx and imported again. The graph must come back
 * with the same node ids, types, parameters, wiring and shapes (analyzeGraph), the same weights
 * under the same state_dict names, and the same outputs on a random batch (≤ 1e-5 relative).
 * What the import cannot get back from an ONNX file is documented here as the expected
 * difference: Dropout is dropped (ONNX inference has none), `same` padding comes back as the
 * explicit padding it resolves to, pooling may come back with a different but equivalent bottom
 * and right padding and ceil mode (ONNX has no one form for them), and the head is chosen from
 * the output's shape (classification for K ≥ 2 scores, regression for one number, image).
 *
 * PyTorch: test/fixtures/make_onnx_import_fixtures.py exports small nn.Modules with
 * torch.onnx.export and stores PyTorch's outputs on a fixed batch; the imported graphs must give
 * them to 1e-4, and the model with a Gather in the middle must fail naming it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { exportOnnx } from '../../../engine/export/onnx/export';
import { analyzeGraph } from '../../../engine/graph/analyze';
import {
  GRAPH_FORMAT,
  GRAPH_VERSION,
  NODE_ID_PATTERN,
  type GraphDocument,
  type GraphEdge,
  type GraphNode,
} from '../../../engine/graph/document';
import { resolvePadding } from '../../../engine/graph/geometry';
import type { Padding } from '../../../engine/graph/params';
import { elementCount } from '../../../engine/graph/shape';
import { TEMPLATES } from '../../../engine/graph/templates';
import { importOnnx, type OnnxImportResult } from '../../../engine/import/onnx/import';
import { decodeModel, OnnxFormatError } from '../../../engine/import/onnx/protobuf';
import { initialiseWeight } from '../../../engine/train/init';
import { compileModel, Plan, type Model, type ModelNode } from '../../../engine/train/plan';
import { Random } from '../../../engine/train/random';
import { loadStateDict } from '../../../engine/train/state-dict';
import { buildModel, randomTensor, seeded } from './onnx-builder';

type Imported = Extract<OnnxImportResult, { ok: true }>;

const imported = (result: OnnxImportResult): Imported => {
  if (!result.ok) throw new Error(`import failed: ${result.error}`);
  return result;
};

const relativeError = (actual: ArrayLike<number>, expected: ArrayLike<number>): number => {
  expect(actual.length).toBe(expected.length);
  let difference = 0;
  let magnitude = 0;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
    magnitude = Math.max(magnitude, Math.abs(expected[i]));
  }
  return difference / Math.max(magnitude, 1e-30);
};

/** PyTorch-default weights; batch norm with γ, β and running statistics away from 1 and 0 (as the export tests). */
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

/** Compiles the imported graph, loads its weights, and runs inference on `input` (a batch of `batch`). */
const runImported = (result: Imported, input: ArrayLike<number>, batch: number): { model: Model; output: Float32Array } => {
  const model = compileModel(result.graph, CPU_LAYERS);
  loadStateDict(model, result.tensors);
  const plan = new Plan(model, batch, () => 0.5);
  expect(plan.input.length).toBe(input.length);
  plan.input.set(input);
  return { model, output: plan.forward(false).slice() };
};

// ---------------------------------------------------------------- round trip

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

/** The layer types and settings the templates leave out (as in the export tests), on a 3×17×19 image so sizes are odd. */
const everyLayer = graph('every layer', [
  ['input', 'Input', { channels: 3, height: 17, width: 19 }],
  ['conv', 'Conv2D', { filters: 8, kernel: [3, 4], stride: [2, 1], padding: 'same' }],
  ['bn', 'BatchNorm2D', { eps: 1e-3, momentum: 0.2 }],
  ['leaky', 'LeakyReLU', { negativeSlope: 0.1 }],
  ['avg', 'AvgPool2D', { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }],
  ['spatial', 'SpatiallySeparableConv2D', { filters: 8, kernel: 3, stride: [1, 2], padding: [0, 1, 2, 1] }],
  ['tanh', 'Tanh'],
  ['nearest', 'Upsample', { scale: [2, 3], mode: 'nearest' }],
  ['depthwise', 'DepthwiseConv2D', { depthMultiplier: 2, kernel: 3, padding: 'same' }],
  ['gelu', 'GELU'],
  ['deconv', 'ConvTranspose2D', { filters: 8, kernel: 3, stride: 2, padding: 1, outputPadding: 1, groups: 4 }],
  ['max', 'MaxPool2D', { kernel: 3, stride: 2, padding: 1, ceilMode: true }],
  ['bilinear', 'Upsample', { scale: 2, mode: 'bilinear' }],
  ['separable', 'SeparableConv2D', { filters: 12, kernel: 3, stride: 2, padding: 'same', depthMultiplier: 2 }],
  ['branch1', 'Conv2D', { filters: 12, kernel: 1, bias: false }, ['separable']],
  ['branch2', 'Conv2D', { filters: 12, kernel: 3, padding: 'same', groups: 3 }, ['separable']],
  ['sum', 'Add', {}, ['separable', 'branch1', 'branch2']],
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
  ['fc', 'Dense', { units: 1, bias: false }],
  ['head', 'BinaryHead', { outputs: 1 }],
]);

const single = (input: [number, number, number], type: string, params: Record<string, unknown>): GraphDocument =>
  graph(type, [
    ['input', 'Input', { channels: input[0], height: input[1], width: input[2] }],
    ['layer', type, params],
    ['head', 'ImageHead', { matchInputSize: false }],
  ]);

/** Pooling at its awkward settings (the cases the export tests check against onnxruntime), and other single layers. */
const SINGLE_LAYERS: [string, GraphDocument][] = [
  [
    'MaxPool2D, ceil mode, a last window that would start in the padding',
    single([2, 5, 7], 'MaxPool2D', { kernel: 2, padding: 1, ceilMode: true }),
  ],
  ['MaxPool2D, ceil mode, no padding', single([2, 7, 8], 'MaxPool2D', { kernel: 3, stride: 2, ceilMode: true })],
  ['MaxPool2D, same padding (asymmetric)', single([2, 8, 9], 'MaxPool2D', { kernel: 3, stride: 2, padding: 'same' })],
  ['MaxPool2D, asymmetric explicit padding', single([2, 8, 9], 'MaxPool2D', { kernel: 3, stride: 2, padding: [0, 1, 1, 0] })],
  ['AvgPool2D, ceil mode, padding counted', single([2, 5, 7], 'AvgPool2D', { kernel: 2, padding: 1, ceilMode: true })],
  [
    'AvgPool2D, ceil mode reading past the counted padding (a Pad is folded back)',
    single([2, 6, 9], 'AvgPool2D', { kernel: 3, stride: 2, padding: 1, ceilMode: true }),
  ],
  [
    'AvgPool2D, ceil mode, padding not counted',
    single([2, 6, 9], 'AvgPool2D', { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
  ],
  ['AvgPool2D, ceil mode, no padding', single([2, 7, 7], 'AvgPool2D', { kernel: 3, stride: 2, ceilMode: true })],
  ['AvgPool2D, same padding counted', single([2, 8, 9], 'AvgPool2D', { kernel: 3, stride: 2, padding: 'same' })],
  [
    'AvgPool2D, asymmetric padding counted, ceil mode',
    single([2, 8, 8], 'AvgPool2D', { kernel: 3, stride: 2, padding: [1, 0, 0, 1], ceilMode: true }),
  ],
  [
    'Conv2D, asymmetric explicit padding, groups, dilation, no bias',
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
  ['DepthwiseConv2D, multiplier 3, stride 2', single([2, 9, 9], 'DepthwiseConv2D', { depthMultiplier: 3, stride: 2, padding: 'same' })],
  [
    'SeparableConv2D, dilation 2, no bias',
    single([3, 10, 10], 'SeparableConv2D', { filters: 5, dilation: 2, depthMultiplier: 2, bias: false }),
  ],
  [
    'SpatiallySeparableConv2D, asymmetric padding, stride and dilation',
    single([3, 9, 11], 'SpatiallySeparableConv2D', { filters: 5, kernel: 3, stride: [2, 1], dilation: [1, 2], padding: [2, 0, 1, 3] }),
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
  ['Upsample nearest ×25', single([1, 2, 3], 'Upsample', { scale: 25 })],
  ['Upsample bilinear 3×2', single([2, 4, 5], 'Upsample', { scale: [3, 2], mode: 'bilinear' })],
  ['Softmax over the channels of an image', single([5, 4, 4], 'Softmax', {})],
];

const POOLS = ['MaxPool2D', 'AvgPool2D'];

/** A node's parameters as the import must give them back: padding resolved to its sides; pooling's bottom/right and ceil mode left to the output shape. */
const canonical = (node: ModelNode): Record<string, unknown> => {
  const params: Record<string, unknown> = { ...node.params };
  if (node.type.endsWith('Head')) return { size: node.outputShape[0] };
  if (params.padding && typeof params.padding === 'object' && 'mode' in (params.padding as object) && node.inputShapes[0].length === 3) {
    const kernel = typeof params.kernel === 'number' ? [params.kernel, params.kernel] : (params.kernel as number[]);
    const stride = params.stride as number[];
    const dilation = (params.dilation as number[] | undefined) ?? [1, 1];
    const input = node.inputShapes[0];
    const [h, w] = resolvePadding(
      params.padding as Padding,
      { input: input[1], kernel: kernel[0], stride: stride[0], dilation: dilation[0] },
      { input: input[2], kernel: kernel[1], stride: stride[1], dilation: dilation[1] },
    );
    const sides = [h.before, h.after, w.before, w.after];
    // Without padding, counting it in an average's divisor changes nothing.
    if (node.type === 'AvgPool2D' && sides.every((side) => side === 0)) delete params.countIncludePad;
    params.padding = POOLS.includes(node.type) ? [h.before, w.before] : sides;
  }
  if (POOLS.includes(node.type)) delete params.ceilMode;
  return params;
};

/** The head the import chooses for an output shape. */
const expectedHead = (shape: readonly number[]): string =>
  shape.length === 3 ? 'ImageHead' : shape[0] >= 2 ? 'ClassificationHead' : 'RegressionHead';

/** Exports the graph with seeded weights, imports it, and checks the graph, the weights and the outputs. */
const roundTrip = (document: GraphDocument, seed: number): Imported => {
  const original = compileModel(document, CPU_LAYERS);
  initialise(original, seed);
  const result = imported(importOnnx(exportOnnx(original, { name: document.name })));
  const report = analyzeGraph(result.graph);
  expect(report.valid, JSON.stringify(report.issues)).toBe(true);
  for (const node of result.graph.nodes) expect(node.id).toMatch(NODE_ID_PATTERN);

  // The same layers (Dropout aside) under the same ids, with the same types, parameters and shapes.
  const dropped = new Map(original.nodes.filter((node) => node.type === 'Dropout').map((node) => [node.id, node.inputIds[0]]));
  const back = compileModel(result.graph, CPU_LAYERS);
  const kept = original.nodes.filter((node) => !dropped.has(node.id));
  expect(back.nodes.map((node) => node.id).sort()).toEqual(kept.map((node) => node.id).sort());
  const byId = new Map(back.nodes.map((node) => [node.id, node]));
  const through = (id: string): string => (dropped.has(id) ? through(dropped.get(id)!) : id);
  for (const node of kept) {
    const other = byId.get(node.id)!;
    expect(other.type, node.id).toBe(node.type.endsWith('Head') ? expectedHead(node.outputShape) : node.type);
    expect(other.outputShape, node.id).toEqual(node.outputShape);
    expect(other.inputIds, node.id).toEqual(node.inputIds.map(through));
    expect(canonical(other), node.id).toEqual(canonical(node));
  }
  // Dropout comes as an Identity named by its id; the head's Identity gives the head its name.
  expect(result.skipped.map((entry) => [entry.node, entry.op])).toEqual([...dropped.keys()].map((id) => [id, 'Identity']));

  // The same weights under the same state_dict names, bit for bit.
  expect(result.tensors.map((tensor) => tensor.name).sort()).toEqual([...original.weights.keys()].sort());
  for (const tensor of result.tensors) {
    expect(tensor.shape, tensor.name).toEqual(original.specs.get(tensor.name)!.shape);
    const values = original.weights.get(tensor.name)!;
    expect(tensor.data.length, tensor.name).toBe(values.length);
    expect(
      tensor.data.findIndex((value, i) => !Object.is(value, values[i])),
      tensor.name,
    ).toBe(-1);
  }

  // The same outputs on a random batch.
  const batch = 3;
  const random = new Random(seed + 1);
  const plan = new Plan(original, batch, () => random.uniform());
  for (let i = 0; i < plan.input.length; i++) plan.input[i] = random.normal();
  const input = plan.input.slice();
  const expected = plan.forward(false).slice();
  const { output } = runImported(result, input, batch);
  const error = relativeError(output, expected);
  expect(error, `relative error ${error.toExponential(2)}`).toBeLessThanOrEqual(1e-5);
  return result;
};

describe('ONNX import: round trip through the export', () => {
  for (const [index, template] of TEMPLATES.entries()) {
    it(`template ${template.name}`, () => {
      const result = roundTrip(template.build(), 100 + index);
      expect(result.graph.name).toBe(template.build().name);
    });
  }

  it('a graph with every layer type the templates miss, and the binary head', () => {
    const result = roundTrip(everyLayer, 7);
    expect(result.notes.some((note) => note.includes('RegressionHead') || note.includes('ClassificationHead'))).toBe(true);
    roundTrip(binary, 8);
  });

  for (const [name, document] of SINGLE_LAYERS) {
    it(name, () => {
      roundTrip(document, 11);
    });
  }

  it('folds the Pad that the export writes before a counted average pool back into the layer', () => {
    const result = roundTrip(single([2, 6, 9], 'AvgPool2D', { kernel: 3, stride: 2, padding: 1, ceilMode: true }), 12);
    expect(result.graph.nodes.map((node) => node.type)).toEqual(['Input', 'AvgPool2D', 'ImageHead']);
    expect(result.notes.some((note) => note.includes('Pad "layer/pad" is folded'))).toBe(true);
  });
});

// ---------------------------------------------------------------- PyTorch

interface Fixture {
  readonly file: string;
  readonly opset: number;
  readonly inputShape: number[];
  readonly outputShape: number[];
  readonly input: number[];
  readonly output: number[];
  readonly beforeLastOp?: number[];
  readonly skippedOp?: string;
  readonly unsupportedOp?: string;
}

const FIXTURE_DIR = new URL('../../fixtures/', import.meta.url);
const FIXTURES = JSON.parse(readFileSync(new URL('onnx-import.json', FIXTURE_DIR), 'utf8')) as Record<string, Fixture>;
const fixtureBytes = (fixture: Fixture): Uint8Array => new Uint8Array(readFileSync(new URL(fixture.file, FIXTURE_DIR)));

const importFixture = (name: string): { result: Imported; output: Float32Array; fixture: Fixture } => {
  const fixture = FIXTURES[name];
  const result = imported(importOnnx(fixtureBytes(fixture)));
  const batch = fixture.input.length / elementCount(fixture.inputShape);
  const { output } = runImported(result, fixture.input, batch);
  const expected = fixture.beforeLastOp ?? fixture.output;
  const error = relativeError(output, expected);
  expect(error, `relative error ${error.toExponential(2)} against PyTorch`).toBeLessThanOrEqual(1e-4);
  return { result, output, fixture };
};

const types = (result: Imported): string[] => result.graph.nodes.map((node) => node.type);

describe('ONNX import: models made by PyTorch', () => {
  it('has the fixtures, made at opsets 13 to 17', () => {
    expect(Object.keys(FIXTURES).sort()).toEqual(['autoencoder', 'gather', 'lenet', 'logsoftmax', 'mobilenet', 'resnet']);
    for (const fixture of Object.values(FIXTURES)) {
      expect(fixture.opset).toBeGreaterThanOrEqual(13);
      expect(fixture.opset).toBeLessThanOrEqual(17);
      expect(decodeModel(fixtureBytes(fixture)).producerName).toBe('pytorch');
    }
  });

  it('LeNet: max pooling, view() through Shape/Gather/Concat/Reshape, Linear layers, a final softmax kept', () => {
    const { result } = importFixture('lenet');
    expect(types(result)).toEqual([
      'Input',
      'Conv2D',
      'ReLU',
      'MaxPool2D',
      'Conv2D',
      'Tanh',
      'MaxPool2D',
      'Flatten',
      'Dense',
      'ReLU',
      'Dense',
      'LeakyReLU',
      'Dense',
      'Softmax',
      'ClassificationHead',
    ]);
    // Ids from PyTorch's module names; weights under the new names.
    expect(result.graph.nodes.slice(0, 4).map((node) => node.id)).toEqual(['input', 'conv1', 'Relu', 'pool1']);
    expect(result.tensors.map((tensor) => tensor.name).slice(0, 2)).toEqual(['conv1.weight', 'conv1.bias']);
    expect(result.graph.nodes.find((node) => node.type === 'LeakyReLU')!.params).toEqual({ negativeSlope: 0.1 });
    expect(result.notes.some((note) => note.includes('ends in a softmax'))).toBe(true);
    // PyTorch calls every graph "torch_jit": a name given by the caller (the file's) is used instead.
    expect(result.graph.name).toBe('torch_jit');
    expect(imported(importOnnx(fixtureBytes(FIXTURES.lenet), { name: 'lenet.onnx' })).graph.name).toBe('lenet.onnx');
    expect(result.notes.some((note) => note.includes('applies softmax inside its loss'))).toBe(true);
  });

  it('MobileNet block: depthwise convolutions (multiplier 1 and 2), batch norm folded by PyTorch, the Erf pattern as GELU, global pooling', () => {
    const { result } = importFixture('mobilenet');
    expect(types(result)).toEqual([
      'Input',
      'Conv2D',
      'ReLU',
      'DepthwiseConv2D',
      'ReLU',
      'Conv2D',
      'ReLU',
      'DepthwiseConv2D',
      'GELU',
      'GlobalAvgPool',
      'Dense',
      'ClassificationHead',
    ]);
    const depthwise = result.graph.nodes.filter((node) => node.type === 'DepthwiseConv2D');
    expect(depthwise.map((node) => node.params?.depthMultiplier ?? 1)).toEqual([1, 2]);
    expect(result.graph.nodes.find((node) => node.type === 'GELU')!.id).toBe('act');
  });

  it('ResNet blocks: batch norm, Add, a strided projection, ceil-mode average pooling, adaptive max pooling', () => {
    const { result } = importFixture('resnet');
    expect(types(result).filter((type) => type === 'BatchNorm2D')).toHaveLength(2);
    expect(types(result).filter((type) => type === 'Add')).toHaveLength(2);
    const bn = result.graph.nodes.find((node) => node.type === 'BatchNorm2D')!;
    expect(bn.params).toBeUndefined(); // eps 1e-5 and momentum 0.1, the defaults, read back from float32
    const pool = result.graph.nodes.find((node) => node.type === 'AvgPool2D')!;
    expect(pool.params).toEqual({ kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false });
    const add = result.graph.nodes.find((node) => node.type === 'Add')!;
    expect(result.graph.edges.filter((edge) => edge.target === add.id).map((edge) => edge.targetPort)).toEqual([0, 1]);
  });

  it('autoencoder: transposed convolutions, bilinear and nearest upsampling, concatenation, an image head', () => {
    const { result } = importFixture('autoencoder');
    for (const type of ['ConvTranspose2D', 'Concat', 'Upsample', 'LeakyReLU', 'Sigmoid', 'ImageHead'])
      expect(types(result)).toContain(type);
    expect(result.graph.nodes.filter((node) => node.type === 'Upsample').map((node) => node.params)).toEqual([
      { scale: 2, mode: 'bilinear' },
      { scale: 2 },
    ]);
    expect(result.graph.nodes.find((node) => node.type === 'ImageHead')!.params).toBeUndefined();
  });

  it('a classifier ending in log_softmax: the LogSoftmax is skipped and the head takes the logits', () => {
    const { result, fixture } = importFixture('logsoftmax');
    expect(result.skipped).toEqual([expect.objectContaining({ node: '/LogSoftmax', op: fixture.skippedOp })]);
    expect(result.skipped[0].reason).toContain('ends the network');
    expect(types(result)).toEqual(['Input', 'Conv2D', 'Sigmoid', 'AvgPool2D', 'Flatten', 'Dense', 'ClassificationHead']);
    // PyTorch's AvgPool2d writes an empty Pad before the AveragePool: nothing to fold.
    expect(result.notes.some((note) => note.includes('Pad'))).toBe(false);
  });

  it('a Gather in the middle of the network: the import fails naming it and what needs it', () => {
    const fixture = FIXTURES.gather;
    const result = importOnnx(fixtureBytes(fixture));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain('Gather');
    expect(result.error).toContain('/Gather');
    expect(result.error).toContain('middle of the network');
    expect(result.error).toContain('/conv2/Conv');
    expect(result.unsupported).toEqual([expect.objectContaining({ node: '/Gather', op: fixture.unsupportedOp })]);
  });
});

// ---------------------------------------------------------------- hostile files

const lenetBytes = (): Uint8Array => fixtureBytes(FIXTURES.lenet);

const expectFailure = (bytes: Uint8Array, pattern?: RegExp): string => {
  const result = importOnnx(bytes);
  expect(result.ok).toBe(false);
  if (result.ok) return '';
  expect(result.error.length).toBeGreaterThan(10);
  if (pattern) expect(result.error).toMatch(pattern);
  return result.error;
};

describe('ONNX import: hostile and broken files', () => {
  it('an empty file, random bytes and text give clear errors', () => {
    expectFailure(new Uint8Array(0), /empty/);
    expectFailure(new TextEncoder().encode('{"format": "cnn-studio/graph"}'), /Not a readable ONNX file/);
    const random = seeded(5);
    for (const length of [1, 7, 100, 4096]) {
      const bytes = Uint8Array.from({ length }, () => Math.floor((random() + 1) * 128));
      expectFailure(bytes);
    }
  });

  it('every truncation of a real model fails with an error, never a crash', () => {
    const bytes = lenetBytes();
    const cuts = new Set<number>();
    for (let i = 1; i < 200; i++) cuts.add(Math.floor((bytes.length * i) / 200));
    for (let cut = 1; cut < 64; cut++) cuts.add(cut);
    for (const cut of cuts) {
      const error = expectFailure(bytes.subarray(0, cut));
      expect(error, `cut at ${cut}`).toMatch(/truncated|corrupt|no graph|not|no |cannot|Cannot|input|output/i);
    }
  });

  it('huge declared lengths, over-long varints, invalid wire types and zero field numbers', () => {
    // graph (field 7, length-delimited) declaring 2^40 bytes
    expectFailure(
      Uint8Array.from([0x3a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x01, 0x02]),
      /declares 1099511627776 bytes but only 2 remain/,
    );
    // a varint of 11 bytes
    expectFailure(Uint8Array.from([0x08, ...new Array(10).fill(0xff), 0x01]), /longer than 10 bytes/);
    // wire type 3 (group start)
    expectFailure(Uint8Array.from([0x0b, 0x00]), /group start/);
    // field number 0
    expectFailure(Uint8Array.from([0x00, 0x01]), /field number 0/);
    // a graph that is a varint
    expectFailure(Uint8Array.from([0x38, 0x01]), /graph \(field 7\) should be length-delimited/);
  });

  it('tensors whose declared shape does not match their data, or is enormous', () => {
    const model = (dims: number[], raw: Uint8Array) =>
      buildModel({
        nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
        initializers: [{ name: 'w', dims, raw }],
        inputs: [{ name: 'x', shape: ['N', 1, 2, 2] }],
        outputs: [{ name: 'y', shape: null }],
      });
    expectFailure(model([1000, 1000, 1000, 1000], new Uint8Array(8)), /too large/);
    expectFailure(model([3], new Uint8Array(8)), /raw_data holds 8 bytes but \[3\] float32 needs 12/);
    expectFailure(model([-1], new Uint8Array(0)), /dimension -1/);
  });

  it('random corruption of a real model never crashes and never hangs', () => {
    const original = lenetBytes();
    const random = seeded(9);
    const start = performance.now();
    let failures = 0;
    for (let trial = 0; trial < 300; trial++) {
      const bytes = original.slice();
      for (let flips = 0; flips < 1 + (trial % 4); flips++)
        bytes[Math.floor(((random() + 1) / 2) * bytes.length)] = Math.floor(((random() + 1) / 2) * 256);
      const result = importOnnx(bytes);
      if (!result.ok) {
        failures++;
        expect(result.error).not.toMatch(/failed unexpectedly/);
      }
    }
    expect(failures).toBeGreaterThan(0);
    expect(performance.now() - start).toBeLessThan(30_000);
  });

  it('weights of other types, in external files or sparse are refused by name', () => {
    const random = seeded(3);
    const conv = (
      weight: Parameters<typeof buildModel>[0]['initializers'],
      sparse: Parameters<typeof buildModel>[0]['initializers'] = [],
    ) =>
      buildModel({
        nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], name: 'conv', attributes: { kernel_shape: { ints: [1, 1] } } }],
        initializers: weight,
        sparseInitializers: sparse,
        inputs: [{ name: 'x', shape: ['N', 2, 3, 3] }],
        outputs: [{ name: 'y', shape: ['N', 2, 3, 3] }],
      });
    let error = expectFailure(conv([{ name: 'w', dims: [2, 2, 1, 1], type: 10, raw: new Uint8Array(8) }]));
    expect(error).toContain('"conv" (Conv)');
    expect(error).toContain('float16');
    error = expectFailure(conv([{ name: 'w', dims: [2, 2, 1, 1], external: true }]));
    expect(error).toContain('external data file');
    error = expectFailure(conv([{ name: 'w', dims: [2, 2, 1, 1], type: 11, raw: new Uint8Array(32) }]));
    expect(error).toContain('float64');
    error = expectFailure(conv([], [randomTensor('w', [2, 2, 1, 1], random)]));
    expect(error).toContain('its weight ("w") is a sparse tensor');
    // float_data instead of raw_data is read too.
    const ok = imported(importOnnx(conv([{ ...randomTensor('w', [2, 2, 1, 1], random), asFloatData: true }])));
    expect(ok.tensors.map((tensor) => tensor.name)).toEqual(['conv.weight']);
  });

  it('reports decoding errors with where they are', () => {
    try {
      decodeModel(lenetBytes().subarray(0, 600));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(OnnxFormatError);
      expect((error as Error).message).toMatch(/^(model|graph)/);
    }
  });
});
