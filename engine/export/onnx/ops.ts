/**
 * Every layer type as ONNX operators (opset 17). The table is a `Record<LayerType, …>`, so a new
 * layer type fails to compile until it has an export.
 *
 * Tensors are NCHW as in the engine. Weights are initializers named by their state_dict names
 * and already in ONNX's layouts: Conv [out, in/groups, kh, kw], ConvTranspose [in, out/groups,
 * kh, kw], Gemm B [out, in] (hence transB = 1). Windowed layers get their padding resolved
 * (TensorFlow-style `same` included, asymmetric when the total is odd) into ONNX's explicit
 * `pads` [top, left, bottom, right]; no `auto_pad` is ever written.
 */
import { resolvePadding, type AxisPadding } from '../../graph/geometry';
import type { LeakyReLUParams } from '../../graph/layers/activations';
import type { Conv2DParams, DepthwiseConv2DParams } from '../../graph/layers/convolution';
import type { BatchNorm2DParams } from '../../graph/layers/normalisation';
import type { AvgPoolParams, PoolParams } from '../../graph/layers/pooling';
import type { SeparableConv2DParams, SpatiallySeparableConv2DParams } from '../../graph/layers/separable';
import type { UpsampleParams } from '../../graph/layers/structure';
import type { ConvTranspose2DParams } from '../../graph/layers/transposed';
import type { LayerType } from '../../graph/layer-types';
import type { Pair, Padding } from '../../graph/params';
import type { Shape } from '../../graph/shape';
import type { ModelNode } from '../../train/plan';
import type { OnnxAttribute, OnnxNode } from './protobuf';

/** What one layer's export sees; the exporter (export.ts) provides it. */
export interface ExportContext<P = Record<string, unknown>> {
  readonly node: ModelNode;
  /** The node's canonical parameters. */
  readonly params: P;
  /** The tensor names arriving at the input ports, in port order. */
  readonly inputs: readonly string[];
  /** The tensor name the layer's last operator must write. */
  readonly output: string;
  /** The initializer name (`conv1.weight`) of the node's weight with this state_dict suffix; throws if it has none. */
  weight(suffix: string): string;
  /** Like `weight`, or null when the node has no such weight (a bias turned off). */
  optionalWeight(suffix: string): string | null;
  /** Adds a constant initializer named `${id}/${suffix}` and returns its name. */
  constant(suffix: string, dims: readonly number[], values: readonly number[], dataType?: 'float' | 'int64'): string;
  /** An intermediate tensor of this layer: `${id}/${stage}`. */
  tensor(stage: string): string;
  /** An operator of this layer, named by the node id (or `${id}/${stage}` for an inner stage), documented with the layer's doc string. */
  op(
    opType: string,
    inputs: readonly (string | null)[],
    outputs: readonly string[],
    attributes?: OnnxAttribute[],
    stage?: string,
  ): OnnxNode;
}

export type OpExport = (ctx: ExportContext) => OnnxNode[];

/** An export written against its layer's own params interface, typed for the table (as the CPU layers are). */
const exporter = <P>(fn: (ctx: ExportContext<P>) => OnnxNode[]): OpExport => fn as unknown as OpExport;

const intsAttr = (name: string, value: readonly number[]): OnnxAttribute => ({ name, kind: 'ints', value });
const intAttr = (name: string, value: number): OnnxAttribute => ({ name, kind: 'int', value });
const floatAttr = (name: string, value: number): OnnxAttribute => ({ name, kind: 'float', value });
const stringAttr = (name: string, value: string): OnnxAttribute => ({ name, kind: 'string', value });

/** The two axes' padding of a window over an [C, H, W] input, `same` resolved. */
const axisPads = (padding: Padding, input: Shape, kernel: Pair, stride: Pair, dilation: Pair = [1, 1]): [AxisPadding, AxisPadding] =>
  resolvePadding(
    padding,
    { input: input[1], kernel: kernel[0], stride: stride[0], dilation: dilation[0] },
    { input: input[2], kernel: kernel[1], stride: stride[1], dilation: dilation[1] },
  );

/** ONNX's pads order: every axis's start, then every axis's end. */
const onnxPads = ([h, w]: [AxisPadding, AxisPadding]): number[] => [h.before, w.before, h.after, w.after];

const convAttributes = (kernel: Pair, stride: Pair, pads: number[], dilation: Pair, group: number): OnnxAttribute[] => [
  intsAttr('kernel_shape', kernel),
  intsAttr('strides', stride),
  intsAttr('pads', pads),
  intsAttr('dilations', dilation),
  intAttr('group', group),
];

/** Conv2D: one Conv, bias as its third input. */
const conv2d = exporter<Conv2DParams>((ctx) => {
  const { kernel, stride, padding, dilation, groups } = ctx.params;
  const pads = onnxPads(axisPads(padding, ctx.node.inputShapes[0], kernel, stride, dilation));
  return [
    ctx.op(
      'Conv',
      [ctx.inputs[0], ctx.weight('weight'), ctx.optionalWeight('bias')],
      [ctx.output],
      convAttributes(kernel, stride, pads, dilation, groups),
    ),
  ];
});

/** DepthwiseConv2D: a Conv with one group per input channel (weight [C·m, 1, kh, kw]). */
const depthwiseConv2d = exporter<DepthwiseConv2DParams>((ctx) => {
  const { kernel, stride, padding, dilation } = ctx.params;
  const input = ctx.node.inputShapes[0];
  const pads = onnxPads(axisPads(padding, input, kernel, stride, dilation));
  return [
    ctx.op(
      'Conv',
      [ctx.inputs[0], ctx.weight('weight'), ctx.optionalWeight('bias')],
      [ctx.output],
      convAttributes(kernel, stride, pads, dilation, input[0]),
    ),
  ];
});

/** SeparableConv2D: the depthwise Conv (no bias, group = C), then the pointwise 1×1 Conv with the bias. */
const separableConv2d = exporter<SeparableConv2DParams>((ctx) => {
  const { kernel, stride, padding, dilation } = ctx.params;
  const input = ctx.node.inputShapes[0];
  const pads = onnxPads(axisPads(padding, input, kernel, stride, dilation));
  const middle = ctx.tensor('depthwise');
  return [
    ctx.op(
      'Conv',
      [ctx.inputs[0], ctx.weight('depthwise.weight')],
      [middle],
      convAttributes(kernel, stride, pads, dilation, input[0]),
      'depthwise',
    ),
    ctx.op(
      'Conv',
      [middle, ctx.weight('pointwise.weight'), ctx.optionalWeight('pointwise.bias')],
      [ctx.output],
      convAttributes([1, 1], [1, 1], [0, 0, 0, 0], [1, 1], 1),
    ),
  ];
});

/**
 * SpatiallySeparableConv2D: a K×1 Conv that takes the height's stride, dilation and padding,
 * then a 1×K Conv (with the bias) that takes the width's. `same` is resolved on the full K×K
 * window, as the engine does.
 */
const spatiallySeparableConv2d = exporter<SpatiallySeparableConv2DParams>((ctx) => {
  const { kernel, stride, padding, dilation } = ctx.params;
  const [h, w] = axisPads(padding, ctx.node.inputShapes[0], [kernel, kernel], stride, dilation);
  const middle = ctx.tensor('column');
  return [
    ctx.op(
      'Conv',
      [ctx.inputs[0], ctx.weight('column.weight')],
      [middle],
      convAttributes([kernel, 1], [stride[0], 1], [h.before, 0, h.after, 0], [dilation[0], 1], 1),
      'column',
    ),
    ctx.op(
      'Conv',
      [middle, ctx.weight('row.weight'), ctx.optionalWeight('row.bias')],
      [ctx.output],
      convAttributes([1, kernel], [1, stride[1]], [0, w.before, 0, w.after], [1, dilation[1]], 1),
    ),
  ];
});

/** ConvTranspose2D: PyTorch's padding crops both borders of the output; output_padding adds to the end. */
const convTranspose2d = exporter<ConvTranspose2DParams>((ctx) => {
  const { kernel, stride, padding, outputPadding, dilation, groups } = ctx.params;
  return [
    ctx.op(
      'ConvTranspose',
      [ctx.inputs[0], ctx.weight('weight'), ctx.optionalWeight('bias')],
      [ctx.output],
      [
        ...convAttributes(kernel, stride, [padding[0], padding[1], padding[0], padding[1]], dilation, groups),
        intsAttr('output_padding', outputPadding),
      ],
    ),
  ];
});

/**
 * Pooling windows. The engine follows PyTorch (generalised to asymmetric and `same` padding): in
 * ceil mode a last window that would start in the bottom or right padding is dropped, and a
 * window that runs past the padded edge is clipped there, for max and for the average's divisor.
 *
 * onnxruntime 1.30's pooling kernels do the same with ceil_mode = 1 (checked on the pooling cases
 * of test/engine/export/onnx.test.ts while writing this), but ONNX's shape inference does not
 * drop that last window: for a 5×7 map, 2×2 windows, stride 2, padding 1, the engine and
 * onnxruntime's kernel give 3×4 while the inferred shape is 4×5 (onnxruntime warns "Expected shape
 * from model of {1,1,4,5} does not match actual shape of {1,1,3,4}"), and runtimes that follow
 * the spec would give 4×5. So ceil_mode is never written: the extra bottom/right rows and columns
 * that ceil mode reads become explicit extra `pads`, and floor-mode pooling over them gives the
 * engine's size everywhere. Max pooling ignores padding, so that is exact. count_include_pad = 1
 * would count those extra pads in the divisor, which PyTorch does not; so when padding is counted
 * and ceil mode reads past it, the layer's own padding becomes an explicit zero Pad and the pool
 * runs with count_include_pad = 0 over the padded tensor. (Without ceil mode, onnxruntime's
 * count_include_pad = 1 with asymmetric pads matches PyTorch's divisor and is used as is.)
 */
interface PoolGeometry {
  /** The layer's own padding, per axis. */
  readonly own: [AxisPadding, AxisPadding];
  /** Extra rows (bottom) and columns (right) that ceil mode reads beyond the own padding. */
  readonly extra: [number, number];
}

const poolGeometry = (params: PoolParams, input: Shape, output: Shape): PoolGeometry => {
  const own = axisPads(params.padding, input, params.kernel, params.stride);
  const extra = ([0, 1] as const).map((axis) => {
    const padded = input[axis + 1] + own[axis].before + own[axis].after;
    return Math.max(0, (output[axis + 1] - 1) * params.stride[axis] + params.kernel[axis] - padded);
  }) as [number, number];
  return { own, extra };
};

const poolAttributes = (params: PoolParams, pads: number[]): OnnxAttribute[] => [
  intsAttr('kernel_shape', params.kernel),
  intsAttr('strides', params.stride),
  intsAttr('pads', pads),
];

const maxPool2d = exporter<PoolParams>((ctx) => {
  const { own, extra } = poolGeometry(ctx.params, ctx.node.inputShapes[0], ctx.node.outputShape);
  const pads = [own[0].before, own[1].before, own[0].after + extra[0], own[1].after + extra[1]];
  return [ctx.op('MaxPool', [ctx.inputs[0]], [ctx.output], poolAttributes(ctx.params, pads))];
});

const avgPool2d = exporter<AvgPoolParams>((ctx) => {
  const { own, extra } = poolGeometry(ctx.params, ctx.node.inputShapes[0], ctx.node.outputShape);
  const ownPads = onnxPads(own);
  const counted = ctx.params.countIncludePad && ownPads.some((pad) => pad > 0);
  if (!counted || (extra[0] === 0 && extra[1] === 0)) {
    const pads = [own[0].before, own[1].before, own[0].after + extra[0], own[1].after + extra[1]];
    return [
      ctx.op(
        'AveragePool',
        [ctx.inputs[0]],
        [ctx.output],
        [...poolAttributes(ctx.params, pads), intAttr('count_include_pad', counted ? 1 : 0)],
      ),
    ];
  }
  const padded = ctx.tensor('pad');
  // Pad's pads input is [x1_begin, x2_begin, …, x1_end, x2_end] over all four NCHW axes.
  const padsTensor = ctx.constant('pads', [8], [0, 0, own[0].before, own[1].before, 0, 0, own[0].after, own[1].after], 'int64');
  return [
    ctx.op('Pad', [ctx.inputs[0], padsTensor], [padded], [stringAttr('mode', 'constant')], 'pad'),
    ctx.op(
      'AveragePool',
      [padded],
      [ctx.output],
      [...poolAttributes(ctx.params, [0, 0, extra[0], extra[1]]), intAttr('count_include_pad', 0)],
    ),
  ];
});

/** Global pooling keeps [N, C, 1, 1]; the engine's global pooling outputs a vector, hence the Flatten. */
const globalPool = (opType: string): OpExport =>
  exporter((ctx) => {
    const pooled = ctx.tensor('pool');
    return [ctx.op(opType, [ctx.inputs[0]], [pooled], [], 'pool'), ctx.op('Flatten', [pooled], [ctx.output], [intAttr('axis', 1)])];
  });

/** Inference batch norm with the running statistics; ONNX's momentum is PyTorch's 1 − momentum (used only in training mode). */
const batchNorm2d = exporter<BatchNorm2DParams>((ctx) => [
  ctx.op(
    'BatchNormalization',
    [ctx.inputs[0], ctx.weight('weight'), ctx.weight('bias'), ctx.weight('running_mean'), ctx.weight('running_var')],
    [ctx.output],
    [floatAttr('epsilon', ctx.params.eps), floatAttr('momentum', 1 - ctx.params.momentum)],
  ),
]);

/** A one-input operator with fixed attributes. */
const unary =
  (opType: string, attributes: OnnxAttribute[] = []): OpExport =>
  (ctx) => [ctx.op(opType, [ctx.inputs[0]], [ctx.output], attributes)];

/** Upsample by whole factors through Resize's scales input (roi left out). */
const upsample = exporter<UpsampleParams>((ctx) => {
  const { scale, mode } = ctx.params;
  const scales = ctx.constant('scales', [4], [1, 1, scale[0], scale[1]]);
  // Nearest: source = floor(destination / scale), as PyTorch's nearest. Bilinear: PyTorch's
  // align_corners=False is half_pixel, a negative source clamped to the first pixel.
  const attributes =
    mode === 'nearest'
      ? [stringAttr('mode', 'nearest'), stringAttr('coordinate_transformation_mode', 'asymmetric'), stringAttr('nearest_mode', 'floor')]
      : [stringAttr('mode', 'linear'), stringAttr('coordinate_transformation_mode', 'half_pixel')];
  return [ctx.op('Resize', [ctx.inputs[0], '', scales], [ctx.output], attributes)];
});

/** Add: two inputs as Add, more as one variadic Sum. */
const add: OpExport = (ctx) => [ctx.op(ctx.inputs.length === 2 ? 'Add' : 'Sum', ctx.inputs, [ctx.output])];

/** Opset 17 has no Gelu (it came in opset 20): 0.5·x·(1 + erf(x / √2)). */
const gelu: OpExport = (ctx) => {
  const x = ctx.inputs[0];
  const [scaled, erf, shifted, product] = ['div', 'erf', 'add', 'mul'].map((stage) => ctx.tensor(stage));
  return [
    ctx.op('Div', [x, ctx.constant('sqrt2', [], [Math.SQRT2])], [scaled], [], 'div'),
    ctx.op('Erf', [scaled], [erf], [], 'erf'),
    ctx.op('Add', [erf, ctx.constant('one', [], [1])], [shifted], [], 'add'),
    ctx.op('Mul', [x, shifted], [product], [], 'mul'),
    ctx.op('Mul', [product, ctx.constant('half', [], [0.5])], [ctx.output]),
  ];
};

/** A head passes its input through as the prediction: an Identity that names the graph's output. */
const head = unary('Identity');

export const ONNX_OPS: Readonly<Record<LayerType, OpExport>> = {
  Input: () => [],
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  SpatiallySeparableConv2D: spatiallySeparableConv2d,
  ConvTranspose2D: convTranspose2d,
  MaxPool2D: maxPool2d,
  AvgPool2D: avgPool2d,
  GlobalAvgPool: globalPool('GlobalAveragePool'),
  GlobalMaxPool: globalPool('GlobalMaxPool'),
  BatchNorm2D: batchNorm2d,
  // Dropout does nothing at inference; an Identity keeps the layer visible under its own name.
  Dropout: unary('Identity'),
  Flatten: unary('Flatten', [intAttr('axis', 1)]),
  Dense: (ctx) => [ctx.op('Gemm', [ctx.inputs[0], ctx.weight('weight'), ctx.optionalWeight('bias')], [ctx.output], [intAttr('transB', 1)])],
  Add: add,
  Concat: (ctx) => [ctx.op('Concat', ctx.inputs, [ctx.output], [intAttr('axis', 1)])],
  Upsample: upsample,
  ReLU: unary('Relu'),
  LeakyReLU: exporter<LeakyReLUParams>((ctx) => [
    ctx.op('LeakyRelu', [ctx.inputs[0]], [ctx.output], [floatAttr('alpha', ctx.params.negativeSlope)]),
  ]),
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  GELU: gelu,
  // Over the channel axis: per pixel of an image (opset 13+ Softmax normalises one axis only), once per vector.
  Softmax: unary('Softmax', [intAttr('axis', 1)]),
  ClassificationHead: head,
  RegressionHead: head,
  BinaryHead: head,
  ImageHead: head,
};
