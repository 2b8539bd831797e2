/**
 * Every layer type as PyTorch code: the module `__init__` builds (or none, for layers written
 * inline) and the expression `forward` computes. The table is a `Record<LayerType, …>`, so a new
 * layer type fails to compile until it has an export.
 *
 * Semantics are the engine's, which are PyTorch's wherever PyTorch has the same layer; where the
 * engine goes further, the code says how:
 * - TensorFlow's 'same' padding and explicit padding with different sides: F.pad before the
 *   layer, which then pads nothing; symmetric padding is PyTorch's own `padding` argument.
 * - Max pooling with such padding: F.pad with −∞ (plus the extra rows and columns that ceil mode's
 *   last, partial window reaches), then floor-mode pooling gives the engine's windows exactly.
 * - Average pooling with such padding: PaddedAvgPool2d (helpers.ts), which divides each window's
 *   sum by the engine's count (padding counted or not, ceil mode's overhang never).
 * - Global pooling outputs a vector (Keras's convention): pooled to 1×1, then flattened.
 * - Heads return their input (logits or raw scores); the loss lives in train.py.
 */
import { resolvePadding, type AxisPadding } from '../../graph/geometry';
import type { LeakyReLUParams } from '../../graph/layers/activations';
import type { Conv2DParams, DepthwiseConv2DParams } from '../../graph/layers/convolution';
import type { BatchNorm2DParams, DropoutParams } from '../../graph/layers/normalisation';
import type { AvgPoolParams, PoolParams } from '../../graph/layers/pooling';
import type { SeparableConv2DParams, SpatiallySeparableConv2DParams } from '../../graph/layers/separable';
import type { DenseParams, UpsampleParams } from '../../graph/layers/structure';
import type { ConvTranspose2DParams } from '../../graph/layers/transposed';
import type { LayerType } from '../../graph/layer-types';
import type { Pair, Padding } from '../../graph/params';
import type { Shape } from '../../graph/shape';
import type { HelperName } from './helpers';
import type { OutlineNode } from './outline';
import { pyFloat, pyPair, pyString, pyTuple } from './python';

/** What one layer's code sees. */
export interface LayerContext<P = Record<string, unknown>> {
  readonly node: OutlineNode;
  readonly params: P;
  /** How forward reaches the layer's module: `self.conv1`, or `self._modules['conv-1']`. */
  readonly module: string;
  /** The variables holding the inputs, in port order. */
  readonly inputs: readonly string[];
  /** Records a helper class (helpers.ts) that the code uses. */
  use(helper: HelperName): void;
}

export interface LayerCode {
  /** The constructor `__init__` assigns to the layer's attribute; null when forward writes the layer inline. */
  readonly module: string | null;
  /** The expression of the layer's output. For a head: the value forward returns. */
  readonly forward: string;
  /** Said after the type and shape in the comment (`padding 0/1/0/1, TensorFlow's 'same'`). */
  readonly note?: string;
}

export type LayerExport = (ctx: LayerContext) => LayerCode;

/** An export written against its layer's own params interface, typed for the table. */
const layer = <P>(fn: (ctx: LayerContext<P>) => LayerCode): LayerExport => fn as unknown as LayerExport;

/** A keyword argument and whether it is at PyTorch's default (then it is left out). */
type Keyword = [name: string, value: string, atDefault: boolean];

/** Keyword arguments, leaving out those at PyTorch's default. */
const keywords = (entries: Keyword[]): string[] =>
  entries.filter(([, , atDefault]) => !atDefault).map(([name, value]) => `${name}=${value}`);

const pairArg = (name: string, [h, w]: Pair, fallback: number): Keyword => [name, pyPair([h, w]), h === fallback && w === fallback];
const boolArg = (name: string, value: boolean, fallback: boolean): Keyword => [name, value ? 'True' : 'False', value === fallback];
const intArg = (name: string, value: number, fallback: number): Keyword => [name, String(value), value === fallback];
const floatArg = (name: string, value: number, fallback: number): Keyword => [name, pyFloat(value), value === fallback];

const call = (callee: string, args: string[]): string => `${callee}(${args.join(', ')})`;

/** Both axes' padding of a window over [C, H, W], `same` resolved. */
const axisPads = (padding: Padding, input: Shape, kernel: Pair, stride: Pair, dilation: Pair = [1, 1]): [AxisPadding, AxisPadding] =>
  resolvePadding(
    padding,
    { input: input[1], kernel: kernel[0], stride: stride[0], dilation: dilation[0] },
    { input: input[2], kernel: kernel[1], stride: stride[1], dilation: dilation[1] },
  );

const isSymmetric = ([h, w]: [AxisPadding, AxisPadding]): boolean => h.before === h.after && w.before === w.after;

/** F.pad's order: (left, right, top, bottom). */
const fPad = ([h, w]: [AxisPadding, AxisPadding], extraH = 0, extraW = 0): string =>
  pyTuple([w.before, w.after + extraW, h.before, h.after + extraH]);

/** (top, bottom, left, right), the order the helper classes take. */
const sides = ([h, w]: [AxisPadding, AxisPadding]): string => pyTuple([h.before, h.after, w.before, w.after]);

const describePadding = (padding: Padding, pads: [AxisPadding, AxisPadding]): string | undefined => {
  const [h, w] = pads;
  const numbers = `top ${h.before}, bottom ${h.after}, left ${w.before}, right ${w.after}`;
  if (padding.mode === 'same') return isSymmetric(pads) ? undefined : `TensorFlow 'same' padding: ${numbers}`;
  return isSymmetric(pads) ? undefined : `padding ${numbers}`;
};

/** The layer's attribute applied to its input, padded first when PyTorch cannot pad it itself. */
const applyPadded = (ctx: Wiring, pads: [AxisPadding, AxisPadding], value?: string, extraH = 0, extraW = 0): string => {
  const input = ctx.inputs[0];
  if (isSymmetric(pads) && extraH === 0 && extraW === 0) return `${ctx.module}(${input})`;
  const padded = `F.pad(${input}, ${fPad(pads, extraH, extraW)}${value ? `, value=${value}` : ''})`;
  return `${ctx.module}(${padded})`;
};

/** The Conv2d arguments after the channel counts. */
const convArguments = (kernel: Pair, stride: Pair, pads: [AxisPadding, AxisPadding], dilation: Pair, groups: number, bias: boolean) => {
  const padding = isSymmetric(pads) ? pyPair([pads[0].before, pads[1].before]) : '0';
  return [
    `kernel_size=${pyPair(kernel)}`,
    ...keywords([
      pairArg('stride', stride, 1),
      ['padding', padding, padding === '0'],
      pairArg('dilation', dilation, 1),
      intArg('groups', groups, 1),
      boolArg('bias', bias, true),
    ]),
  ];
};

const conv2d = layer<Conv2DParams>((ctx) => {
  const { filters, kernel, stride, padding, dilation, groups, bias } = ctx.params;
  const input = ctx.node.inputShapes[0];
  const pads = axisPads(padding, input, kernel, stride, dilation);
  return {
    module: call('nn.Conv2d', [String(input[0]), String(filters), ...convArguments(kernel, stride, pads, dilation, groups, bias)]),
    forward: applyPadded(ctx, pads),
    note: describePadding(padding, pads),
  };
});

/** A Conv2d with one group per input channel: weight [C·m, 1, kh, kw]. */
const depthwiseConv2d = layer<DepthwiseConv2DParams>((ctx) => {
  const { depthMultiplier, kernel, stride, padding, dilation, bias } = ctx.params;
  const input = ctx.node.inputShapes[0];
  const pads = axisPads(padding, input, kernel, stride, dilation);
  const channels = input[0];
  return {
    module: call('nn.Conv2d', [
      String(channels),
      String(channels * depthMultiplier),
      ...convArguments(kernel, stride, pads, dilation, channels, bias),
    ]),
    forward: applyPadded(ctx, pads),
    note: describePadding(padding, pads),
  };
});

const separableConv2d = layer<SeparableConv2DParams>((ctx) => {
  const { filters, kernel, stride, padding, dilation, depthMultiplier, bias } = ctx.params;
  const input = ctx.node.inputShapes[0];
  const pads = axisPads(padding, input, kernel, stride, dilation);
  ctx.use('SeparableConv2d');
  return {
    module: call('SeparableConv2d', [
      String(input[0]),
      String(filters),
      `kernel_size=${pyPair(kernel)}`,
      ...keywords([
        pairArg('stride', stride, 1),
        ['padding', sides(pads), sides(pads) === '(0, 0, 0, 0)'],
        pairArg('dilation', dilation, 1),
        intArg('depth_multiplier', depthMultiplier, 1),
        boolArg('bias', bias, true),
      ]),
    ]),
    forward: `${ctx.module}(${ctx.inputs[0]})`,
    note: describePadding(padding, pads),
  };
});

/** `same` is resolved on the full K×K window, as the engine does; each stage takes one axis's padding. */
const spatiallySeparableConv2d = layer<SpatiallySeparableConv2DParams>((ctx) => {
  const { filters, kernel, stride, padding, dilation, bias } = ctx.params;
  const input = ctx.node.inputShapes[0];
  const pads = axisPads(padding, input, [kernel, kernel], stride, dilation);
  ctx.use('SpatiallySeparableConv2d');
  return {
    module: call('SpatiallySeparableConv2d', [
      String(input[0]),
      String(filters),
      `kernel_size=${kernel}`,
      ...keywords([
        pairArg('stride', stride, 1),
        ['padding', sides(pads), sides(pads) === '(0, 0, 0, 0)'],
        pairArg('dilation', dilation, 1),
        boolArg('bias', bias, true),
      ]),
    ]),
    forward: `${ctx.module}(${ctx.inputs[0]})`,
    note: describePadding(padding, pads),
  };
});

/** PyTorch's own: padding crops both borders of the output, output_padding adds to the bottom and right. */
const convTranspose2d = layer<ConvTranspose2DParams>((ctx) => {
  const { filters, kernel, stride, padding, outputPadding, dilation, groups, bias } = ctx.params;
  const input = ctx.node.inputShapes[0];
  return {
    module: call('nn.ConvTranspose2d', [
      String(input[0]),
      String(filters),
      `kernel_size=${pyPair(kernel)}`,
      ...keywords([
        pairArg('stride', stride, 1),
        pairArg('padding', padding, 0),
        pairArg('output_padding', outputPadding, 0),
        intArg('groups', groups, 1),
        boolArg('bias', bias, true),
        pairArg('dilation', dilation, 1),
      ]),
    ]),
    forward: `${ctx.module}(${ctx.inputs[0]})`,
  };
});

/**
 * The extra bottom rows and right columns, beyond the layer's own padding, that the last window
 * reaches in ceil mode (0 without it).
 */
const ceilOverhang = (pads: [AxisPadding, AxisPadding], params: PoolParams, input: Shape, output: Shape): [number, number] =>
  [0, 1].map((axis) => {
    const padded = input[axis + 1] + pads[axis].before + pads[axis].after;
    return Math.max(0, (output[axis + 1] - 1) * params.stride[axis] + params.kernel[axis] - padded);
  }) as [number, number];

const poolArguments = (params: PoolParams, padding: string, ceilMode: boolean): string[] => [
  `kernel_size=${pyPair(params.kernel)}`,
  `stride=${pyPair(params.stride)}`,
  ...keywords([['padding', padding, padding === '0'], boolArg('ceil_mode', ceilMode, false)]),
];

const maxPool2d = layer<PoolParams>((ctx) => {
  const { params, node } = ctx;
  const [input, output] = [node.inputShapes[0], node.outputShape];
  const pads = axisPads(params.padding, input, params.kernel, params.stride);
  if (isSymmetric(pads)) {
    return {
      module: call('nn.MaxPool2d', poolArguments(params, pyPair([pads[0].before, pads[1].before]), params.ceilMode)),
      forward: `${ctx.module}(${ctx.inputs[0]})`,
    };
  }
  // −∞ padding is never the maximum of a window (every window holds a real pixel); floor-mode
  // pooling over the padded map, with ceil mode's overhang padded too, makes the engine's windows.
  const [extraH, extraW] = ceilOverhang(pads, params, input, output);
  for (const axis of [0, 1] as const) {
    const padded = input[axis + 1] + pads[axis].before + pads[axis].after + (axis === 0 ? extraH : extraW);
    const size = Math.floor((padded - params.kernel[axis]) / params.stride[axis]) + 1;
    if (size !== output[axis + 1]) throw new Error(`PyTorch export: ${node.id} would pool to ${size}, not ${output[axis + 1]}`);
  }
  const overhang = extraH || extraW ? `, ceil mode's last window padded by ${extraH} below and ${extraW} right` : '';
  return {
    module: call('nn.MaxPool2d', poolArguments(params, '0', false)),
    forward: applyPadded(ctx, pads, "float('-inf')", extraH, extraW),
    note: `${describePadding(params.padding, pads)}, with -inf${overhang}`,
  };
});

const avgPool2d = layer<AvgPoolParams>((ctx) => {
  const { params, node } = ctx;
  const [input, output] = [node.inputShapes[0], node.outputShape];
  const pads = axisPads(params.padding, input, params.kernel, params.stride);
  if (isSymmetric(pads)) {
    return {
      module: call('nn.AvgPool2d', [
        ...poolArguments(params, pyPair([pads[0].before, pads[1].before]), params.ceilMode),
        ...keywords([boolArg('count_include_pad', params.countIncludePad, true)]),
      ]),
      forward: `${ctx.module}(${ctx.inputs[0]})`,
    };
  }
  ctx.use('PaddedAvgPool2d');
  return {
    module: call('PaddedAvgPool2d', [
      `kernel_size=${pyTuple(params.kernel)}`,
      `stride=${pyTuple(params.stride)}`,
      `padding=${sides(pads)}`,
      `input_size=${pyTuple([input[1], input[2]])}`,
      `output_size=${pyTuple([output[1], output[2]])}`,
      `count_include_pad=${params.countIncludePad ? 'True' : 'False'}`,
    ]),
    forward: `${ctx.module}(${ctx.inputs[0]})`,
    note: describePadding(params.padding, pads),
  };
});

/** Pooled to 1×1, then flattened: the engine's global pooling gives a vector. */
const globalPool =
  (module: string): LayerExport =>
  (ctx) => ({
    module,
    forward: `torch.flatten(${ctx.module}(${ctx.inputs[0]}), 1)`,
  });

const batchNorm2d = layer<BatchNorm2DParams>((ctx) => ({
  module: call('nn.BatchNorm2d', [
    String(ctx.node.inputShapes[0][0]),
    ...keywords([floatArg('eps', ctx.params.eps, 1e-5), floatArg('momentum', ctx.params.momentum, 0.1)]),
  ]),
  forward: `${ctx.module}(${ctx.inputs[0]})`,
}));

/** Where forward reaches the layer and its inputs. */
type Wiring = Pick<LayerContext, 'module' | 'inputs'>;

/** A module applied to the one input. */
const applied = (ctx: Wiring, module: string): LayerCode => ({ module, forward: `${ctx.module}(${ctx.inputs[0]})` });

/** A module without parameters or shape-dependent arguments. */
const simple =
  (module: string): LayerExport =>
  (ctx) =>
    applied(ctx, module);

const upsample = layer<UpsampleParams>((ctx) => {
  const { scale, mode } = ctx.params;
  const args = [`scale_factor=${pyPair(scale)}`, `mode=${pyString(mode)}`];
  // align_corners=False is the engine's (and PyTorch's default) half-pixel rule; said out loud to silence PyTorch's warning.
  if (mode === 'bilinear') args.push('align_corners=False');
  return { module: call('nn.Upsample', args), forward: `${ctx.module}(${ctx.inputs[0]})` };
});

/** A head passes its input through: forward returns it. */
const head: LayerExport = (ctx) => ({ module: null, forward: ctx.inputs[0] });

export const PYTORCH_LAYERS: Readonly<Record<LayerType, LayerExport>> = {
  Input: () => ({ module: null, forward: 'x' }),
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  SpatiallySeparableConv2D: spatiallySeparableConv2d,
  ConvTranspose2D: convTranspose2d,
  MaxPool2D: maxPool2d,
  AvgPool2D: avgPool2d,
  GlobalAvgPool: globalPool('nn.AdaptiveAvgPool2d(1)'),
  GlobalMaxPool: globalPool('nn.AdaptiveMaxPool2d(1)'),
  BatchNorm2D: batchNorm2d,
  Dropout: layer<DropoutParams>((ctx) => applied(ctx, call('nn.Dropout', [`p=${pyFloat(ctx.params.rate)}`]))),
  Flatten: simple('nn.Flatten()'),
  Dense: layer<DenseParams>((ctx) => ({
    module: call('nn.Linear', [
      String(ctx.node.inputShapes[0][0]),
      String(ctx.params.units),
      ...keywords([boolArg('bias', ctx.params.bias, true)]),
    ]),
    forward: `${ctx.module}(${ctx.inputs[0]})`,
  })),
  Add: (ctx) => ({ module: null, forward: ctx.inputs.join(' + ') }),
  Concat: (ctx) => ({ module: null, forward: `torch.cat([${ctx.inputs.join(', ')}], dim=1)` }),
  Upsample: upsample,
  ReLU: simple('nn.ReLU()'),
  LeakyReLU: layer<LeakyReLUParams>((ctx) =>
    applied(ctx, call('nn.LeakyReLU', keywords([floatArg('negative_slope', ctx.params.negativeSlope, 0.01)]))),
  ),
  Sigmoid: simple('nn.Sigmoid()'),
  Tanh: simple('nn.Tanh()'),
  // The exact GELU, x·Φ(x) with the error function, as the engine computes it (not the tanh approximation).
  GELU: simple('nn.GELU()'),
  // Over the channel axis: per pixel of an image, once per vector.
  Softmax: simple('nn.Softmax(dim=1)'),
  ClassificationHead: head,
  RegressionHead: head,
  BinaryHead: head,
  ImageHead: head,
};
