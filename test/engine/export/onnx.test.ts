/**
 * ONNX export against ONNX Runtime: every template, a graph with every layer type the templates
 * miss, and single layers at their awkward settings (ceil mode, asymmetric and `same` padding,
 * groups, output padding, odd upsampling factors). Each model gets seeded random weights and
 * non-trivial batch-norm statistics; the engine's inference on a batch of 3 must match
 * onnxruntime-node's on the exported bytes to a relative error of 1e-4 (the largest difference
 * over the largest magnitude of the engine's output). The file's contract (names, shapes,
 * initializers, opset) is read back with an independent protobuf reader.
 *
 * Skipped, with the reason printed, only where onnxruntime-node cannot be loaded.
 */
import type * as OrtModule from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { exportOnnx, ONNX_OPSET } from '../../../engine/export/onnx/export';
import { CATALOGUE } from '../../../engine/graph/catalogue';
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDocument, type GraphEdge, type GraphNode } from '../../../engine/graph/document';
import { LAYER_TYPES } from '../../../engine/graph/layer-types';
import { elementCount } from '../../../engine/graph/shape';
import { TEMPLATES } from '../../../engine/graph/templates';
import { initialiseWeight } from '../../../engine/train/init';
import { compileModel, Plan, type Model } from '../../../engine/train/plan';
import { Random } from '../../../engine/train/random';
import { readModel } from './onnx-reader';

type Ort = typeof OrtModule;

const loadOrt = async (): Promise<{ ort: Ort | null; reason: string }> => {
  try {
    const loaded = (await import('onnxruntime-node')) as Ort & { default?: Ort };
    return { ort: loaded.default ?? loaded, reason: '' };
  } catch (error) {
    return { ort: null, reason: error instanceof Error ? error.message : String(error) };
  }
};

const { ort, reason } = await loadOrt();
if (!ort) console.warn(`ONNX export tests skipped: onnxruntime-node cannot be loaded on ${process.platform}-${process.arch}: ${reason}`);

const BATCH = 3;
const TOLERANCE = 1e-4;

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

/** The tensor each layer writes, as export.ts promises. */
const expectedTensor = (model: Model, id: string): string =>
  id === model.input.id ? 'input' : id === model.head.id ? 'output' : id === 'input' || id === 'output' ? `${id}/output` : id;

/** Names, shapes, opset and initializers, read back from the bytes. */
const checkContract = (model: Model, bytes: Uint8Array): void => {
  const onnx = readModel(bytes);
  expect(onnx.irVersion).toBe(8);
  expect(onnx.opsets).toEqual([{ domain: '', version: ONNX_OPSET }]);
  expect(onnx.inputs).toEqual([{ name: 'input', elemType: 1, shape: ['N', ...model.input.outputShape] }]);
  expect(onnx.outputs).toEqual([{ name: 'output', elemType: 1, shape: ['N', ...model.head.outputShape] }]);

  // Every state_dict tensor, in order, by name, with its shape and exact values; then only `${id}/…` constants.
  const stateDict = [...model.weights.keys()];
  expect(onnx.initializers.slice(0, stateDict.length).map((tensor) => tensor.name)).toEqual(stateDict);
  for (const tensor of onnx.initializers.slice(0, stateDict.length)) {
    expect(tensor.dataType).toBe(1);
    expect(tensor.dims).toEqual(model.specs.get(tensor.name)!.shape);
    const values = new Float32Array(tensor.raw.slice().buffer);
    expect(values).toEqual(model.weights.get(tensor.name));
  }
  const ids = new Set(model.nodes.map((node) => node.id));
  for (const tensor of onnx.initializers.slice(stateDict.length)) expect(ids.has(tensor.name.split('/')[0])).toBe(true);

  // One operator named by each layer's id writes that layer's tensor; inner stages are `${id}/${stage}`.
  const names = onnx.nodes.map((node) => node.name);
  expect(new Set(names).size).toBe(names.length);
  for (const node of model.nodes) {
    if (node.type === 'Input') continue;
    const operator = onnx.nodes.find((candidate) => candidate.name === node.id);
    expect(operator, `an operator named ${node.id}`).toBeDefined();
    expect(operator!.outputs).toEqual([expectedTensor(model, node.id)]);
  }
  for (const operator of onnx.nodes) {
    const id = operator.name.split('/')[0];
    const node = model.nodes.find((candidate) => candidate.id === id);
    expect(node, `the layer of operator ${operator.name}`).toBeDefined();
    expect(operator.docString.startsWith(`${CATALOGUE[node!.type].title} (${node!.type}) ${id}`)).toBe(true);
  }
  // Every inner layer's output is declared with its shape.
  const declared = new Map(onnx.valueInfo.map((info) => [info.name, info.shape]));
  for (const node of model.nodes) {
    if (node === model.input || node === model.head) continue;
    expect(declared.get(expectedTensor(model, node.id))).toEqual(['N', ...node.outputShape]);
  }
};

/** Exports the model with seeded weights and compares onnxruntime's output with the engine's on a batch of 3. */
const checkAgainstOrt = async (document: GraphDocument, seed: number): Promise<number> => {
  const model = compileModel(document, CPU_LAYERS);
  initialise(model, seed);
  const random = new Random(seed + 1);
  const plan = new Plan(model, BATCH, () => random.uniform());
  for (let i = 0; i < plan.input.length; i++) plan.input[i] = random.normal();
  const input = plan.input.slice();
  const expected = plan.forward(false).slice();

  const bytes = exportOnnx(model, { name: document.name, docString: document.description });
  checkContract(model, bytes);

  const session = await ort!.InferenceSession.create(bytes);
  try {
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['output']);
    const [inputMeta] = session.inputMetadata;
    expect(inputMeta.isTensor && inputMeta.shape).toEqual(['N', ...model.input.outputShape]);
    const results = await session.run({ input: new ort!.Tensor('float32', input, [BATCH, ...model.input.outputShape]) });
    const output = results.output;
    expect(output.dims).toEqual([BATCH, ...model.head.outputShape]);
    expect(output.data.length).toBe(BATCH * elementCount(model.head.outputShape));
    const error = relativeError(output.data as Float32Array, expected);
    expect(error, `relative error ${error.toExponential(2)}`).toBeLessThanOrEqual(TOLERANCE);
    return error;
  } finally {
    await session.release();
  }
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

/** Every layer type the templates leave out, and the others again at other settings; the image is 3×17×19 so sizes are odd. */
const everyLayer = graph('every layer', [
  ['input', 'Input', { channels: 3, height: 17, width: 19 }],
  ['conv', 'Conv2D', { filters: 8, kernel: [3, 4], stride: [2, 1], padding: 'same' }],
  ['bn', 'BatchNorm2D', { eps: 1e-3 }],
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
  ['branch2', 'Conv2D', { filters: 12, kernel: 3, padding: 'same' }, ['separable']],
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
  ['fc', 'Dense', { units: 3, bias: false }],
  ['softmax', 'Softmax'],
  ['head', 'BinaryHead', { outputs: 3 }],
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
  ['MaxPool2D, ceil mode, no padding', single([2, 7, 8], 'MaxPool2D', { kernel: 3, stride: 2, ceilMode: true })],
  ['MaxPool2D, same padding (asymmetric)', single([2, 8, 9], 'MaxPool2D', { kernel: 3, stride: 2, padding: 'same' })],
  ['MaxPool2D, asymmetric explicit padding', single([2, 8, 9], 'MaxPool2D', { kernel: 3, stride: 2, padding: [0, 1, 1, 0] })],
  ['AvgPool2D, ceil mode, padding counted', single([2, 5, 7], 'AvgPool2D', { kernel: 2, padding: 1, ceilMode: true })],
  [
    'AvgPool2D, ceil mode reading past the counted padding (explicit Pad)',
    single([2, 6, 9], 'AvgPool2D', { kernel: 3, stride: 2, padding: 1, ceilMode: true }),
  ],
  [
    'AvgPool2D, ceil mode, padding not counted',
    single([2, 6, 9], 'AvgPool2D', { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
  ],
  ['AvgPool2D, ceil mode, no padding', single([2, 7, 7], 'AvgPool2D', { kernel: 3, stride: 2, ceilMode: true })],
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
  ['Upsample nearest ×3', single([2, 4, 5], 'Upsample', { scale: 3 })],
  ['Upsample nearest ×25 (1/25 rounds down in float32)', single([1, 2, 3], 'Upsample', { scale: 25 })],
  ['Upsample bilinear 3×2', single([2, 4, 5], 'Upsample', { scale: [3, 2], mode: 'bilinear' })],
  ['Upsample bilinear ×4', single([1, 3, 3], 'Upsample', { scale: 4, mode: 'bilinear' })],
  ['GELU', single([3, 4, 5], 'GELU', {})],
  ['LeakyReLU', single([3, 4, 5], 'LeakyReLU', { negativeSlope: 0.2 })],
  ['Tanh', single([3, 4, 5], 'Tanh', {})],
  ['Sigmoid', single([3, 4, 5], 'Sigmoid', {})],
  ['Softmax over the channels of an image', single([5, 4, 4], 'Softmax', {})],
  ['BatchNorm2D, large epsilon', single([4, 5, 5], 'BatchNorm2D', { eps: 0.1 })],
];

describe.skipIf(!ort)('ONNX export matches the engine in onnxruntime-node', () => {
  for (const [index, template] of TEMPLATES.entries()) {
    it(`template ${template.name}`, async () => {
      await checkAgainstOrt(template.build(), 100 + index);
    });
  }

  it('a graph with every layer type the templates miss', async () => {
    const covered = new Set(
      [everyLayer, binary, ...TEMPLATES.map((template) => template.build())].flatMap((doc) => doc.nodes.map((n) => n.type)),
    );
    expect(LAYER_TYPES.filter((type) => !covered.has(type) && type !== 'ImageHead')).toEqual([]);
    await checkAgainstOrt(everyLayer, 7);
    await checkAgainstOrt(binary, 8);
  });

  for (const [name, document] of SINGLE_LAYERS) {
    it(name, async () => {
      await checkAgainstOrt(document, 11);
    });
  }
});

describe('ONNX export without a runtime', () => {
  it('names a layer whose id is "output" apart from the graph output', () => {
    const model = compileModel(
      graph('names', [
        ['in', 'Input', { channels: 1, height: 4, width: 4 }],
        ['output', 'ReLU'],
        ['input', 'Sigmoid'],
        ['head', 'ImageHead'],
      ]),
      CPU_LAYERS,
    );
    const onnx = readModel(exportOnnx(model));
    expect(onnx.nodes.map((node) => [node.name, node.inputs, node.outputs])).toEqual([
      ['output', ['input'], ['output/output']],
      ['input', ['output/output'], ['input/output']],
      ['head', ['input/output'], ['output']],
    ]);
  });

  it('writes the pooling padding that reproduces ceil mode, and a Pad where padding is counted', () => {
    // 6×9, 3×3 windows, stride 2, padding 1: ceil mode reads one row past the bottom padding.
    const model = compileModel(single([2, 6, 9], 'AvgPool2D', { kernel: 3, stride: 2, padding: 1, ceilMode: true }), CPU_LAYERS);
    const onnx = readModel(exportOnnx(model));
    expect(onnx.nodes.map((node) => node.opType)).toEqual(['Pad', 'AveragePool', 'Identity']);
    const pool = onnx.nodes[1];
    expect(pool.attributes).toEqual([
      { name: 'kernel_shape', type: 7, value: [3, 3] },
      { name: 'strides', type: 7, value: [2, 2] },
      { name: 'pads', type: 7, value: [0, 0, 1, 0] },
      { name: 'count_include_pad', type: 2, value: 0 },
    ]);
  });
});
