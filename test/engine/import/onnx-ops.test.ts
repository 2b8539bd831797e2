/**
 * ONNX import, operator by operator, on hand-written models: the forms other exporters write
 * (MatMul + Add, Gemm without transB, Pad before a window, auto_pad, Squeeze and ReduceMean after
 * pooling, Resize from sizes, the GELU pattern in another order, Constant nodes, opset 9 to 13
 * defaults), each run in onnxruntime-node and compared with the imported graph's inference
 * (≤ 1e-4 relative); and the operators and settings that cannot be imported, each with the reason
 * the import gives.
 *
 * The comparisons with onnxruntime are skipped, with the reason printed, only where
 * onnxruntime-node cannot be loaded; the structural checks run everywhere.
 */
import type * as OrtModule from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { elementCount } from '../../../engine/graph/shape';
import { importOnnx, type OnnxImportResult } from '../../../engine/import/onnx/import';
import { compileModel, Plan } from '../../../engine/train/plan';
import { loadStateDict } from '../../../engine/train/state-dict';
import { buildModel, randomTensor, seeded, type ModelSpec, type NodeSpec, type TensorSpec } from './onnx-builder';

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
if (!ort)
  console.warn(`ONNX import comparisons skipped: onnxruntime-node cannot be loaded on ${process.platform}-${process.arch}: ${reason}`);

type Imported = Extract<OnnxImportResult, { ok: true }>;
const BATCH = 2;

const ints = (name: string, values: number[]): TensorSpec => ({ name, dims: [values.length], type: 7, values });
const scalar = (name: string, value: number): TensorSpec => ({ name, dims: [], values: [value] });

/** A model of `nodes` from input `x` ([N, ...shape]) to output `y`. */
const model = (shape: number[], nodes: NodeSpec[], initializers: TensorSpec[] = [], extra: Partial<ModelSpec> = {}): Uint8Array =>
  buildModel({
    nodes,
    initializers,
    inputs: [{ name: 'x', shape: ['N', ...shape] }],
    outputs: [{ name: 'y', shape: null }],
    ...extra,
  });

const importOk = (bytes: Uint8Array): Imported => {
  const result = importOnnx(bytes);
  if (!result.ok) throw new Error(`import failed: ${result.error}`);
  return result;
};

/** Imports the model, runs it in the engine and in onnxruntime on the same batch, and compares. */
const check = async (bytes: Uint8Array, inputShape: number[], seed = 1): Promise<Imported> => {
  const result = importOk(bytes);
  const engine = compileModel(result.graph, CPU_LAYERS);
  loadStateDict(engine, result.tensors);
  const random = seeded(seed);
  const input = Float32Array.from({ length: BATCH * elementCount(inputShape) }, () => random() * 2);
  const plan = new Plan(engine, BATCH, () => 0.5);
  plan.input.set(input);
  const output = plan.forward(false);
  if (!ort) return result;
  const session = await ort.InferenceSession.create(bytes);
  try {
    const results = await session.run({ x: new ort.Tensor('float32', input, [BATCH, ...inputShape]) });
    const expected = results[session.outputNames[0]].data as Float32Array;
    expect(output.length).toBe(expected.length);
    let difference = 0;
    let magnitude = 0;
    for (let i = 0; i < expected.length; i++) {
      difference = Math.max(difference, Math.abs(output[i] - expected[i]));
      magnitude = Math.max(magnitude, Math.abs(expected[i]));
    }
    expect(difference / magnitude, `relative error ${(difference / magnitude).toExponential(2)}`).toBeLessThanOrEqual(1e-4);
  } finally {
    await session.release();
  }
  return result;
};

const layers = (result: Imported): [string, Record<string, unknown> | undefined][] =>
  result.graph.nodes.map((node) => [node.type, node.params]);

describe('ONNX import: operators as other exporters write them', () => {
  const random = seeded(42);

  it('MatMul + Add becomes one Dense layer with its bias, the weight transposed to [out, in]', async () => {
    const result = await check(
      model(
        [2, 3, 3],
        [
          { op: 'Flatten', inputs: ['x'], outputs: ['f'], name: 'flat' },
          { op: 'Dropout', inputs: ['f', 'ratio'], outputs: ['d'], name: 'drop' },
          { op: 'MatMul', inputs: ['d', 'w'], outputs: ['m'], name: 'fc' },
          { op: 'Add', inputs: ['b', 'm'], outputs: ['y'], name: 'fc_bias' },
        ],
        [scalar('ratio', 0.3), randomTensor('w', [18, 5], random), randomTensor('b', [5], random)],
      ),
      [2, 3, 3],
    );
    expect(layers(result)).toEqual([
      ['Input', { channels: 2, height: 3, width: 3 }],
      ['Flatten', undefined],
      ['Dense', { units: 5 }],
      ['ClassificationHead', { classes: 5 }],
    ]);
    expect(result.tensors.map((tensor) => [tensor.name, tensor.shape])).toEqual([
      ['fc.weight', [5, 18]],
      ['fc.bias', [5]],
    ]);
    expect(result.skipped).toEqual([{ node: 'drop', op: 'Dropout', reason: expect.stringContaining('does nothing at inference') }]);
  });

  it('Gemm without transB, with alpha, beta and a [1, K] bias', async () => {
    const result = await check(
      model(
        [2, 2, 2],
        [
          { op: 'Flatten', inputs: ['x'], outputs: ['f'] },
          { op: 'Gemm', inputs: ['f', 'w', 'c'], outputs: ['y'], name: 'gemm', attributes: { alpha: { f: 0.5 }, beta: { f: 2 } } },
        ],
        [randomTensor('w', [8, 4], random), randomTensor('c', [1, 4], random)],
      ),
      [2, 2, 2],
    );
    expect(result.notes.some((note) => note.includes('alpha 0.5 and beta 2'))).toBe(true);
  });

  it('a zero Pad folds into the padding of the convolution after it', async () => {
    const result = await check(
      model(
        [2, 5, 6],
        [
          { op: 'Pad', inputs: ['x', 'pads'], outputs: ['p'], name: 'pad' },
          { op: 'Conv', inputs: ['p', 'w', 'b'], outputs: ['y'], name: 'conv', attributes: { pads: { ints: [1, 1, 1, 1] } } },
        ],
        [ints('pads', [0, 0, 1, 0, 0, 0, 0, 2]), randomTensor('w', [3, 2, 3, 3], random), randomTensor('b', [3], random)],
        { opset: 13 },
      ),
      [2, 5, 6],
    );
    expect(layers(result)[1]).toEqual(['Conv2D', { filters: 3, kernel: 3, padding: [2, 1, 1, 3] }]);
    expect(result.notes.some((note) => note.includes('Pad "pad" is folded'))).toBe(true);
  });

  it('a zero Pad folds into max pooling after a ReLU (whose outputs are never negative)', async () => {
    const result = await check(
      model(
        [2, 6, 6],
        [
          { op: 'Relu', inputs: ['x'], outputs: ['r'] },
          { op: 'Pad', inputs: ['r', 'pads'], outputs: ['p'] },
          {
            op: 'MaxPool',
            inputs: ['p'],
            outputs: ['y'],
            name: 'pool',
            attributes: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] } },
          },
        ],
        [ints('pads', [0, 0, 1, 1, 0, 0, 1, 1])],
      ),
      [2, 6, 6],
    );
    expect(layers(result)[2]).toEqual(['MaxPool2D', { kernel: 3, stride: 2, padding: 1 }]);
  });

  it('Sum of three tensors is one Add layer with three inputs', async () => {
    const result = await check(
      model(
        [2, 4, 4],
        [
          { op: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], name: 'a' },
          { op: 'Conv', inputs: ['x', 'w2'], outputs: ['b'], name: 'b' },
          { op: 'Relu', inputs: ['x'], outputs: ['c'], name: 'c' },
          { op: 'Sum', inputs: ['a', 'b', 'c'], outputs: ['y'], name: 'sum' },
        ],
        [randomTensor('w1', [2, 2, 1, 1], random), randomTensor('w2', [2, 2, 1, 1], random)],
      ),
      [2, 4, 4],
    );
    expect(result.graph.edges.filter((edge) => edge.target === 'sum')).toEqual([
      { source: 'a', target: 'sum', targetPort: 0 },
      { source: 'b', target: 'sum', targetPort: 1 },
      { source: 'c', target: 'sum', targetPort: 2 },
    ]);
  });

  it('global average pooling that feeds a convolution stays an image: a window over the whole map', async () => {
    const result = await check(
      model(
        [3, 5, 7],
        [
          { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['g'], name: 'gap' },
          { op: 'Conv', inputs: ['g', 'w'], outputs: ['c'], name: 'squeeze' },
          { op: 'Relu', inputs: ['c'], outputs: ['y'] },
        ],
        [randomTensor('w', [4, 3, 1, 1], random)],
      ),
      [3, 5, 7],
    );
    expect(layers(result)[1]).toEqual(['AvgPool2D', { kernel: [5, 7], stride: 1 }]);
    expect(layers(result)[4]).toEqual(['ImageHead', { matchInputSize: false }]);
  });

  it('ReduceMean over height and width without keepdims, GlobalMaxPool then Squeeze, GlobalAveragePool then Reshape: global pooling', async () => {
    const result = await check(
      model(
        [3, 4, 4],
        [
          { op: 'ReduceMean', inputs: ['x'], outputs: ['m'], name: 'mean', attributes: { axes: { ints: [-1, -2] }, keepdims: { i: 0 } } },
          { op: 'GlobalMaxPool', inputs: ['x'], outputs: ['g'], name: 'gmax' },
          { op: 'Squeeze', inputs: ['g', 'axes'], outputs: ['s'], name: 'squeeze' },
          { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['a'], name: 'gap' },
          { op: 'Reshape', inputs: ['a', 'flat'], outputs: ['r'], name: 'reshape' },
          { op: 'Concat', inputs: ['m', 's', 'r'], outputs: ['c'], name: 'all', attributes: { axis: { i: 1 } } },
          { op: 'Gemm', inputs: ['c', 'w'], outputs: ['y'], name: 'fc', attributes: { transB: { i: 1 } } },
        ],
        [ints('axes', [2, 3]), ints('flat', [-1, 3]), randomTensor('w', [2, 9], random)],
        { opset: 13 },
      ),
      [3, 4, 4],
    );
    expect(result.graph.nodes.map((node) => node.type)).toEqual([
      'Input',
      'GlobalAvgPool',
      'GlobalMaxPool',
      'GlobalAvgPool',
      'Concat',
      'Dense',
      'ClassificationHead',
    ]);
  });

  it('auto_pad SAME_UPPER is `same`; SAME_LOWER puts the larger half first', async () => {
    const result = await check(
      model(
        [2, 7, 8],
        [
          {
            op: 'Conv',
            inputs: ['x', 'w1'],
            outputs: ['a'],
            name: 'upper',
            attributes: { auto_pad: { s: 'SAME_UPPER' }, strides: { ints: [2, 2] } },
          },
          { op: 'Conv', inputs: ['a', 'w2'], outputs: ['y'], name: 'lower', attributes: { auto_pad: { s: 'SAME_LOWER' } } },
        ],
        [randomTensor('w1', [3, 2, 3, 3], random), randomTensor('w2', [2, 3, 4, 4], random)],
      ),
      [2, 7, 8],
    );
    expect(layers(result).slice(1, 3)).toEqual([
      ['Conv2D', { filters: 3, kernel: 3, stride: 2, padding: 'same', bias: false }],
      ['Conv2D', { filters: 2, kernel: 4, padding: [2, 1, 2, 1], bias: false }],
    ]);
  });

  it('ConvTranspose with output_shape, and with asymmetric pads', async () => {
    const result = await check(
      model(
        [2, 4, 5],
        [
          {
            op: 'ConvTranspose',
            inputs: ['x', 'w1', 'b1'],
            outputs: ['a'],
            name: 'up1',
            attributes: { strides: { ints: [2, 2] }, output_shape: { ints: [8, 10] } },
          },
          {
            op: 'ConvTranspose',
            inputs: ['a', 'w2'],
            outputs: ['y'],
            name: 'up2',
            attributes: { strides: { ints: [2, 2] }, pads: { ints: [1, 1, 0, 1] } },
          },
        ],
        [randomTensor('w1', [2, 3, 3, 3], random), randomTensor('b1', [3], random), randomTensor('w2', [3, 2, 3, 2], random)],
      ),
      [2, 4, 5],
    );
    expect(layers(result).slice(1, 3)).toEqual([
      ['ConvTranspose2D', { filters: 3, kernel: 3, stride: 2, padding: 1, outputPadding: 1 }],
      ['ConvTranspose2D', { filters: 2, kernel: [3, 2], stride: 2, padding: 1, outputPadding: [1, 0], bias: false }],
    ]);
  });

  it('Resize nearest from sizes, with half_pixel coordinates and round_prefer_floor', async () => {
    const result = await check(
      model(
        [2, 3, 4],
        [{ op: 'Resize', inputs: ['x', '', '', 'sizes'], outputs: ['y'], name: 'up', attributes: { mode: { s: 'nearest' } } }],
        [ints('sizes', [BATCH, 2, 9, 8])],
        { opset: 13 },
      ),
      [2, 3, 4],
    );
    expect(layers(result)[1]).toEqual(['Upsample', { scale: [3, 2] }]);
  });

  it('the deprecated Upsample (opset 9) with scales as an input', async () => {
    const result = await check(
      model(
        [1, 3, 3],
        [{ op: 'Upsample', inputs: ['x', 'scales'], outputs: ['y'], name: 'up' }],
        [{ name: 'scales', dims: [4], values: [1, 1, 2, 3] }],
        {
          opset: 9,
        },
      ),
      [1, 3, 3],
    );
    expect(layers(result)[1]).toEqual(['Upsample', { scale: [2, 3] }]);
  });

  it('Reshape to [0, -1] is Flatten, a Flatten of a vector is nothing, Softmax at opset 11 defaults to axis 1', async () => {
    const result = await check(
      model(
        [2, 3, 3],
        [
          { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'], name: 'flat' },
          { op: 'Flatten', inputs: ['r'], outputs: ['f'], name: 'again' },
          { op: 'Softmax', inputs: ['f'], outputs: ['y'], name: 'probabilities' },
        ],
        [ints('shape', [0, -1])],
        { opset: 11 },
      ),
      [2, 3, 3],
    );
    expect(result.graph.nodes.map((node) => node.type)).toEqual(['Input', 'Flatten', 'Softmax', 'ClassificationHead']);
  });

  it('GELU as x·0.5 first, times (1 + erf(x·(1/√2))), with Constant nodes', async () => {
    const result = await check(
      model(
        [2, 3, 3],
        [
          { op: 'Constant', inputs: [], outputs: ['half'], attributes: { value: { t: scalar('', 0.5) } } },
          { op: 'Constant', inputs: [], outputs: ['root'], attributes: { value_float: { f: Math.SQRT1_2 } } },
          { op: 'Constant', inputs: [], outputs: ['one'], attributes: { value: { t: scalar('', 1) } } },
          { op: 'Mul', inputs: ['x', 'half'], outputs: ['h'], name: 'gelu/half' },
          { op: 'Mul', inputs: ['root', 'x'], outputs: ['s'], name: 'gelu/scale' },
          { op: 'Erf', inputs: ['s'], outputs: ['e'], name: 'gelu/erf' },
          { op: 'Add', inputs: ['one', 'e'], outputs: ['a'], name: 'gelu/add' },
          { op: 'Mul', inputs: ['h', 'a'], outputs: ['y'], name: 'gelu' },
        ],
      ),
      [2, 3, 3],
    );
    expect(result.graph.nodes.map((node) => [node.id, node.type])).toEqual([
      ['x', 'Input'],
      ['gelu', 'GELU'],
      ['y', 'ImageHead'],
    ]);
  });

  it('the Gelu operator of opset 20', async () => {
    const result = await check(
      model([2, 3, 3], [{ op: 'Gelu', inputs: ['x'], outputs: ['y'], name: 'gelu' }], [], { opset: 20 }),
      [2, 3, 3],
    );
    expect(result.graph.nodes.map((node) => node.type)).toEqual(['Input', 'GELU', 'ImageHead']);
  });

  it('a constant Add after a convolution without bias becomes its bias; batch norm keeps epsilon and momentum', async () => {
    const result = await check(
      model(
        [2, 4, 4],
        [
          { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], name: 'conv' },
          { op: 'Add', inputs: ['c', 'bias'], outputs: ['a'], name: 'conv_bias' },
          {
            op: 'BatchNormalization',
            inputs: ['a', 'gamma', 'beta', 'mean', 'var'],
            outputs: ['y'],
            name: 'bn',
            attributes: { epsilon: { f: 1e-3 }, momentum: { f: 0.8 } },
          },
        ],
        [
          randomTensor('w', [3, 2, 3, 3], random),
          randomTensor('bias', [1, 3, 1, 1], random),
          { name: 'gamma', dims: [3], values: [0.5, 1, 1.5] },
          randomTensor('beta', [3], random),
          randomTensor('mean', [3], random),
          { name: 'var', dims: [3], values: [0.5, 1, 2] },
        ],
      ),
      [2, 4, 4],
    );
    expect(layers(result).slice(1, 3)).toEqual([
      ['Conv2D', { filters: 3, kernel: 3 }],
      ['BatchNorm2D', { eps: 0.001, momentum: 0.2 }],
    ]);
    expect(result.tensors.map((tensor) => tensor.name)).toEqual([
      'conv.weight',
      'conv.bias',
      'bn.weight',
      'bn.bias',
      'bn.running_mean',
      'bn.running_var',
    ]);
  });

  it('a fixed batch size with Reshape to [1, -1], a trailing ArgMax skipped, a second output left out', () => {
    const bytes = buildModel({
      nodes: [
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'], name: 'flat' },
        { op: 'Gemm', inputs: ['r', 'w'], outputs: ['logits'], name: 'fc', attributes: { transB: { i: 1 } } },
        { op: 'ArgMax', inputs: ['logits'], outputs: ['y'], name: 'class', attributes: { axis: { i: 1 } } },
        { op: 'Relu', inputs: ['x'], outputs: ['z'], name: 'other' },
      ],
      initializers: [ints('shape', [1, -1]), randomTensor('w', [3, 8], random)],
      inputs: [{ name: 'x', shape: [1, 2, 2, 2] }],
      outputs: [
        { name: 'y', shape: [1, 1], elemType: 7 },
        { name: 'z', shape: [1, 2, 2, 2] },
      ],
    });
    const result = importOk(bytes);
    expect(result.graph.nodes.map((node) => node.type)).toEqual(['Input', 'Flatten', 'Dense', 'ClassificationHead']);
    expect(result.skipped).toEqual([
      { node: 'other', op: 'Relu', reason: 'its result does not reach the imported output' },
      expect.objectContaining({ node: 'class', op: 'ArgMax' }),
    ]);
    expect(result.notes.some((note) => note.includes('fixes the batch size at 1'))).toBe(true);
    expect(result.notes.some((note) => note.includes('has 2 outputs'))).toBe(true);
  });
});

// ---------------------------------------------------------------- what cannot be imported

/** The import of `node` (between a ReLU before and a ReLU after, so it sits in the middle) must fail with `pattern`. */
const failsInTheMiddle = (
  shape: number[],
  node: Omit<NodeSpec, 'inputs' | 'outputs'> & { inputs?: string[] },
  pattern: RegExp,
  initializers: TensorSpec[] = [],
  opset = 17,
) => {
  const result = importOnnx(
    model(
      shape,
      [
        { op: 'Relu', inputs: ['x'], outputs: ['r'], name: 'before' },
        { ...node, inputs: node.inputs ?? ['r'], outputs: ['t'], name: node.name ?? 'culprit' },
        { op: 'Relu', inputs: ['t'], outputs: ['y'], name: 'after' },
      ],
      initializers,
      { opset },
    ),
  );
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toContain(`"${node.name ?? 'culprit'}" (${node.op})`);
  expect(result.error).toContain('"after" (Relu)');
  expect(result.error).toMatch(pattern);
  expect(result.unsupported.map((entry) => entry.op)).toEqual([node.op]);
};

describe('ONNX import: what cannot be imported, and why', () => {
  const random = seeded(7);

  it('operators without a layer', () => {
    failsInTheMiddle([2, 3, 3], { op: 'Transpose', attributes: { perm: { ints: [0, 1, 3, 2] } } }, /reorders the axes/);
    failsInTheMiddle([2, 3, 3], { op: 'LRN', attributes: { size: { i: 3 } } }, /local response normalisation/);
    failsInTheMiddle([2, 3, 3], { op: 'Mystery', domain: 'com.example' }, /custom operator of the "com.example" domain/);
    failsInTheMiddle([2, 3, 3], { op: 'Mish' }, /Mish has no CNN Studio layer/);
  });

  it('settings the layers cannot reproduce', () => {
    failsInTheMiddle(
      [2, 3, 3],
      {
        op: 'Resize',
        inputs: ['r', '', 'scales'],
        attributes: { mode: { s: 'linear' }, coordinate_transformation_mode: { s: 'align_corners' } },
      },
      /align_corners coordinates; CNN Studio's bilinear upsampling uses half_pixel/,
      [{ name: 'scales', dims: [4], values: [1, 1, 2, 2] }],
    );
    failsInTheMiddle([2, 3, 3], { op: 'Resize', inputs: ['r', '', 'scales'] }, /whole factors only/, [
      { name: 'scales', dims: [4], values: [1, 1, 1.5, 2] },
    ]);
    failsInTheMiddle([2, 3, 3], { op: 'Softmax', attributes: { axis: { i: 2 } } }, /normalises over axis 2/);
    failsInTheMiddle([2, 3, 3], { op: 'Softmax' }, /every value of a sample/, [], 11);
    failsInTheMiddle([2, 4, 4], { op: 'Pad', inputs: ['r', 'pads'], attributes: { mode: { s: 'reflect' } } }, /reflect mode/, [
      ints('pads', [0, 0, 1, 1, 0, 0, 1, 1]),
    ]);
    failsInTheMiddle([2, 5, 5], { op: 'MaxPool', attributes: { kernel_shape: { ints: [2, 2] }, dilations: { ints: [2, 2] } } }, /dilated/);
    failsInTheMiddle([2, 5, 5], { op: 'Gelu', attributes: { approximate: { s: 'tanh' } } }, /tanh approximation/, [], 20);
    failsInTheMiddle([2, 5, 5], { op: 'LeakyRelu', attributes: { alpha: { f: 2 } } }, /negative slope must be at most 1/);
    failsInTheMiddle([2, 5, 5], { op: 'Relu', attributes: { fancy: { i: 1 } } }, /attribute "fancy" is not understood/);
    failsInTheMiddle([2, 5, 5], { op: 'Conv', inputs: ['r', 'w'], attributes: { kernel_shape: { ints: [3] } } }, /1-D convolution/, [
      randomTensor('w', [2, 2, 3], random),
    ]);
    failsInTheMiddle([2, 5, 5], { op: 'Conv', inputs: ['r', 'r'] }, /computed by the network, not a constant/);
    failsInTheMiddle([2, 5, 5], { op: 'Add', inputs: ['r', 'c'] }, /adds a constant/, [randomTensor('c', [5], random)]);
    failsInTheMiddle(
      [2, 5, 5],
      { op: 'Reshape', inputs: ['r', 'shape'] },
      /reshapes \[N, 2, 5, 5\] to \[0, 10, 5\]; CNN Studio only flattens/,
      [ints('shape', [0, 10, 5])],
    );
    failsInTheMiddle(
      [2, 5, 5],
      { op: 'BatchNormalization', inputs: ['r', 'g', 'b', 'm', 'v'], attributes: { training_mode: { i: 1 } } },
      /training mode/,
      ['g', 'b', 'm', 'v'].map((name) => randomTensor(name, [2], random)),
    );
  });

  it('a Pad before max pooling of values that may be negative', () => {
    const result = importOnnx(
      model(
        [2, 4, 4],
        [
          { op: 'Pad', inputs: ['x', 'pads'], outputs: ['p'], name: 'pad' },
          { op: 'MaxPool', inputs: ['p'], outputs: ['y'], name: 'pool', attributes: { kernel_shape: { ints: [2, 2] } } },
        ],
        [ints('pads', [0, 0, 1, 1, 0, 0, 1, 1])],
      ),
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error).toMatch(/"pool" \(MaxPool\): the Pad before it pads with 0, which max pooling would take as a value/);
  });

  it('an unsupported operator with weights at the end is not left out', () => {
    const result = importOnnx(
      model(
        [2, 3, 3],
        [{ op: 'PRelu', inputs: ['x', 'slope'], outputs: ['y'], name: 'prelu' }],
        [randomTensor('slope', [2, 1, 1], random)],
      ),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/"prelu" has weights, so leaving it out would change the network/);
  });

  it('inputs that are not one fixed-size image, and files that are not in order or declare other shapes', () => {
    const relu = [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }];
    const fails = (spec: Partial<ModelSpec>, pattern: RegExp) => {
      const result = importOnnx(
        buildModel({ nodes: relu, inputs: [{ name: 'x', shape: ['N', 1, 4, 4] }], outputs: [{ name: 'y', shape: null }], ...spec }),
      );
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(pattern);
    };
    fails({ inputs: [{ name: 'x', shape: ['N', 3, 'height', 'width'] }] }, /height is "height".*fixed size/);
    fails({ inputs: [{ name: 'x', shape: ['N', 16] }] }, /\[N, 16\]; CNN Studio takes images \[N, C, H, W\]/);
    fails({ inputs: [{ name: 'x', shape: null }] }, /does not give the shape/);
    fails({ inputs: [{ name: 'x', shape: ['N', 1, 4, 4], elemType: 10 }] }, /float16/);
    fails(
      {
        inputs: [
          { name: 'x', shape: ['N', 1, 4, 4] },
          { name: 'mask', shape: ['N', 1, 4, 4] },
        ],
      },
      /2 inputs \("x", "mask"\)/,
    );
    fails({ opset: 6 }, /opset 6; the importer reads opset 7 and later/);
    fails(
      {
        nodes: [
          { op: 'Relu', inputs: ['h'], outputs: ['y'], name: 'second' },
          { op: 'Relu', inputs: ['x'], outputs: ['h'], name: 'first' },
        ],
      },
      /not in order: "second" reads "h" before "first" writes it/,
    );
    fails(
      {
        valueInfo: [{ name: 'h', shape: ['N', 1, 5, 5] }],
        nodes: [
          { op: 'Relu', inputs: ['x'], outputs: ['h'], name: 'relu' },
          { op: 'Relu', inputs: ['h'], outputs: ['y'] },
        ],
      },
      /the file says its output is \[N, 1, 5, 5\] but CNN Studio's ReLU computes \[N, 1, 4, 4\]/,
    );
  });
});
