/**
 * ONNX operators as CNN Studio layers: the inverse of engine/export/onnx/ops.ts, written for files
 * from any exporter. Each import checks everything that changes the result (attributes it does
 * not know included) and throws NotImportable with the reason when the layer cannot reproduce
 * the operator exactly; nothing is approximated.
 *
 * Layouts are those of both ONNX and the engine (NCHW; Conv weight [out, in/groups, kh, kw];
 * ConvTranspose [in, out/groups, kh, kw]), so weights are copied as they are, except Gemm without
 * transB and MatMul, whose [in, out] matrices are transposed to Dense's [out, in].
 *
 * Folded on the way: a zero Pad into the padding of the convolution or pooling after it; a
 * constant Add into the bias of the convolution or Dense layer before it; Flatten (or Reshape to
 * [N, -1], or Squeeze) after global pooling, whose output is already a vector here; the Erf
 * pattern 0.5·x·(1 + erf(x/√2)) into GELU; and the two stages that CNN Studio's own export writes
 * for a separable convolution (`id/depthwise` then `id`, `id/column` then `id`) back into one layer.
 */
import { samePadding, slidingOutput } from '../../graph/geometry';
import type { LayerType } from '../../graph/layer-types';
import { LIMITS } from '../../graph/params';
import type { Shape } from '../../graph/shape';
import {
  NotImportable,
  checkAttributes,
  cleanFloat32,
  floatAttribute,
  floatsAttribute,
  formatDims,
  intAttribute,
  intsAttribute,
  pairAttribute,
  stringAttribute,
  type Act,
  type OpContext,
  type OpImport,
  type StaticValue,
} from './context';
import { DATA_INT64, type OnnxNodeProto } from './protobuf';

/** [top, bottom, left, right] */
type Sides = [number, number, number, number];

const count = (dims: readonly number[]): number => dims.reduce((product, dim) => product * dim, 1);

const requireImage = (act: Act, what = 'its input'): void => {
  if (act.shape.length !== 3) {
    throw new NotImportable(`${what} is a vector of ${act.shape[0]} values where CNN Studio's layer needs an image [N, C, H, W]`);
  }
};

const requireVector = (act: Act): void => {
  if (act.shape.length !== 1) {
    throw new NotImportable(`its input is an image ${formatDims(['N', ...act.onnx])} where CNN Studio's Dense layer needs a vector`);
  }
};

/** ONNX's pads [top, left, bottom, right] as [top, bottom, left, right]. */
const sidesFromPads = (pads: readonly number[]): Sides => [pads[0], pads[2], pads[1], pads[3]];

/** A window's padding from auto_pad and pads; 'same' for SAME_UPPER, which is TensorFlow's rule and CNN Studio's `same`. */
const windowPadding = (node: OnnxNodeProto, input: Shape, kernel: number[], stride: number[], dilation: number[]): Sides | 'same' => {
  const autoPad = stringAttribute(node, 'auto_pad', 'NOTSET');
  switch (autoPad) {
    case 'NOTSET': {
      const pads = pairAttribute(node, 'pads', 4, [0, 0, 0, 0]);
      if (pads.some((pad) => pad < 0)) throw new NotImportable(`its pads ${formatDims(pads)} are negative (cropping)`);
      return sidesFromPads(pads);
    }
    case 'VALID':
      return [0, 0, 0, 0];
    case 'SAME_UPPER':
      return 'same';
    case 'SAME_LOWER': {
      // Like SAME_UPPER, but the larger half goes before.
      const [h, w] = [0, 1].map((axis) =>
        samePadding({ input: input[axis + 1], kernel: kernel[axis], stride: stride[axis], dilation: dilation[axis] }),
      );
      return [h.after, h.before, w.after, w.before];
    }
  }
  throw new NotImportable(`its auto_pad "${autoPad}" is not understood by the importer`);
};

const resolveSides = (padding: Sides | 'same', input: Shape, kernel: number[], stride: number[], dilation: number[]): Sides => {
  if (padding !== 'same') return padding;
  const [h, w] = [0, 1].map((axis) =>
    samePadding({ input: input[axis + 1], kernel: kernel[axis], stride: stride[axis], dilation: dilation[axis] }),
  );
  return [h.before, h.after, w.before, w.after];
};

/** A padding parameter: 'same', 'valid', or the sides (the graph keeps the shortest form: 1, [1, 2] or [t, b, l, r]). */
const paddingParam = (padding: Sides | 'same'): unknown =>
  padding === 'same' ? 'same' : padding.every((side) => side === 0) ? 'valid' : padding;

const describeLayer = (ctx: OpContext, act: Act, what: string): void => ctx.note(`${what} (${act.node}).`);

/** A constant input's values as one float per channel, when it is a per-channel bias of `channels` for an image or a vector. */
const perChannel = (value: StaticValue | null, channels: number, image: boolean): Float32Array | null => {
  if (!value?.floats) return null;
  if (value.floats.length === 1) return new Float32Array(channels).fill(value.floats[0]);
  const wanted = image ? [channels, 1, 1] : [channels];
  // Leading axes of one broadcast over the batch: [1, C, 1, 1] is [C, 1, 1].
  const dims = [...value.dims];
  while (dims.length > wanted.length && dims[0] === 1) dims.shift();
  if (dims.length !== wanted.length || dims.some((dim, i) => dim !== wanted[i])) return null;
  return value.floats.slice();
};

/** A constant Add right after a layer without its own bias (or with one), folded into the bias. */
const biasAfter = (
  ctx: OpContext,
  tensor: string,
  channels: number,
  image: boolean,
): { values: Float32Array; output: string; node: OnnxNodeProto } | null => {
  const consumer = ctx.soleConsumer(tensor);
  if (!consumer || consumer.node.opType !== 'Add' || consumer.node.inputs.length !== 2 || consumer.node.attributes.length) return null;
  const at = consumer.node.inputs.indexOf(tensor);
  const other = consumer.node.inputs[1 - at];
  if (other === tensor) return null;
  const values = perChannel(ctx.constantNamed(other), channels, image);
  if (!values) return null;
  ctx.fold(consumer.index);
  return { values, output: consumer.node.outputs[0], node: consumer.node };
};

const addBias = (bias: Float32Array | null, extra: Float32Array): Float32Array => {
  if (!bias) return extra;
  const sum = bias.slice();
  for (let i = 0; i < sum.length; i++) sum[i] += extra[i];
  return sum;
};

// ---------------------------------------------------------------- convolution

interface ConvAttributes {
  readonly weight: Float32Array;
  readonly filters: number;
  readonly perGroup: number;
  readonly kernel: number[];
  readonly stride: number[];
  readonly dilation: number[];
  readonly groups: number;
  readonly bias: Float32Array | null;
}

type Tensor = { readonly dims: readonly number[]; readonly data: Float32Array };

const floatTensor = (value: StaticValue | null): Tensor | null => (value?.floats ? { dims: value.dims, data: value.floats } : null);

/** A Conv node's weights and attributes. */
const convAttributes = (node: OnnxNodeProto, weight: Tensor, bias: Tensor | null): ConvAttributes => {
  checkAttributes(node, ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides']);
  if (weight.dims.length !== 4) {
    throw new NotImportable(
      weight.dims.length === 3
        ? 'it is a 1-D convolution; CNN Studio convolves images (2-D)'
        : `its weight has ${weight.dims.length} axes; CNN Studio convolves images (2-D)`,
    );
  }
  const [filters, perGroup, kh, kw] = weight.dims;
  const kernel = pairAttribute(node, 'kernel_shape', 2, [kh, kw]);
  if (kernel[0] !== kh || kernel[1] !== kw)
    throw new NotImportable(`its kernel_shape ${formatDims(kernel)} does not match its ${kh}×${kw} weight`);
  if (bias && bias.data.length !== filters) throw new NotImportable(`its bias has ${bias.data.length} values for ${filters} filters`);
  return {
    weight: weight.data,
    filters,
    perGroup,
    kernel,
    stride: pairAttribute(node, 'strides', 2, [1, 1]),
    dilation: pairAttribute(node, 'dilations', 2, [1, 1]),
    groups: intAttribute(node, 'group', 1),
    bias: bias?.data ?? null,
  };
};

/** A second stage's attributes by tensor name, or null when its weights are not float32 constants or it is not importable. */
const stageAttributes = (ctx: OpContext, node: OnnxNodeProto): ConvAttributes | null => {
  const weight = floatTensor(ctx.constantNamed(node.inputs[1]));
  const bias = node.inputs[2] ? floatTensor(ctx.constantNamed(node.inputs[2])) : null;
  if (!weight || (node.inputs[2] && !bias)) return null;
  try {
    return convAttributes(node, weight, bias);
  } catch (error) {
    if (error instanceof NotImportable) return null;
    throw error;
  }
};

const sameList = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((value, i) => value === b[i]);

/** CNN Studio's SeparableConv2D as its export writes it: `id/depthwise` (no bias) then the 1×1 Conv `id`. */
const separable = (ctx: OpContext, x: Act, depthwise: ConvAttributes, padding: Sides | 'same'): boolean => {
  const { node } = ctx;
  const base = node.name.slice(0, -'/depthwise'.length);
  const consumer = ctx.soleConsumer(node.outputs[0]);
  if (!base || !consumer || consumer.node.opType !== 'Conv' || consumer.node.name !== base) return false;
  const pointwiseNode = consumer.node;
  const pointwise = stageAttributes(ctx, pointwiseNode);
  if (!pointwise) return false;
  try {
    const pads = windowPadding(pointwiseNode, x.shape, [1, 1], [1, 1], [1, 1]);
    if (pads === 'same' || pads.some((side) => side !== 0)) return false;
  } catch (error) {
    if (error instanceof NotImportable) return false;
    throw error;
  }
  const middle = depthwise.filters;
  if (
    !sameList(pointwise.kernel, [1, 1]) ||
    !sameList(pointwise.stride, [1, 1]) ||
    !sameList(pointwise.dilation, [1, 1]) ||
    pointwise.groups !== 1 ||
    pointwise.perGroup !== middle
  ) {
    return false;
  }
  ctx.fold(consumer.index);
  ctx.addLayer({
    type: 'SeparableConv2D',
    params: {
      filters: pointwise.filters,
      kernel: depthwise.kernel,
      stride: depthwise.stride,
      padding: paddingParam(padding),
      dilation: depthwise.dilation,
      depthMultiplier: middle / x.shape[0],
      bias: pointwise.bias !== null,
    },
    inputs: [x],
    weights: {
      'depthwise.weight': depthwise.weight,
      'pointwise.weight': pointwise.weight,
      ...(pointwise.bias ? { 'pointwise.bias': pointwise.bias } : {}),
    },
    from: [pointwiseNode, node],
    output: pointwiseNode.outputs[0],
  });
  return true;
};

/** CNN Studio's SpatiallySeparableConv2D as its export writes it: the K×1 Conv `id/column` (no bias) then the 1×K Conv `id`. */
const spatiallySeparable = (ctx: OpContext, x: Act, column: ConvAttributes, padding: Sides): boolean => {
  const { node } = ctx;
  const base = node.name.slice(0, -'/column'.length);
  const consumer = ctx.soleConsumer(node.outputs[0]);
  if (!base || !consumer || consumer.node.opType !== 'Conv' || consumer.node.name !== base) return false;
  const rowNode = consumer.node;
  const k = column.kernel[0];
  const row = stageAttributes(ctx, rowNode);
  if (!row) return false;
  let rowPads: Sides | 'same';
  try {
    rowPads = windowPadding(rowNode, x.shape, row.kernel, row.stride, row.dilation);
  } catch (error) {
    if (error instanceof NotImportable) return false;
    throw error;
  }
  const fits =
    column.groups === 1 &&
    column.kernel[1] === 1 &&
    column.stride[1] === 1 &&
    column.dilation[1] === 1 &&
    padding[2] === 0 &&
    padding[3] === 0 &&
    row.groups === 1 &&
    sameList(row.kernel, [1, k]) &&
    row.stride[0] === 1 &&
    row.dilation[0] === 1 &&
    rowPads !== 'same' &&
    rowPads[0] === 0 &&
    rowPads[1] === 0 &&
    row.perGroup === column.filters &&
    row.filters === column.filters;
  if (!fits || rowPads === 'same') return false;
  ctx.fold(consumer.index);
  ctx.addLayer({
    type: 'SpatiallySeparableConv2D',
    params: {
      filters: row.filters,
      kernel: k,
      stride: [column.stride[0], row.stride[1]],
      padding: paddingParam([padding[0], padding[1], rowPads[2], rowPads[3]]),
      dilation: [column.dilation[0], row.dilation[1]],
      bias: row.bias !== null,
    },
    inputs: [x],
    weights: { 'column.weight': column.weight, 'row.weight': row.weight, ...(row.bias ? { 'row.bias': row.bias } : {}) },
    from: [rowNode, node],
    output: rowNode.outputs[0],
  });
  return true;
};

const conv: OpImport = (ctx) => {
  const { node } = ctx;
  const x = ctx.act(0, true);
  requireImage(x);
  const attributes = convAttributes(node, ctx.weights(1, 'weight'), ctx.hasInput(2) ? ctx.weights(2, 'bias') : null);
  const { filters, perGroup, kernel, stride, dilation, groups } = attributes;
  const channels = x.shape[0];
  if (groups < 1 || perGroup * groups !== channels) {
    throw new NotImportable(`its weight is for ${perGroup * groups} input channels (${groups} groups) but its input has ${channels}`);
  }
  // With a Pad folded in, ONNX's own padding (auto_pad included) is worked out on the padded tensor.
  const outer = x.pad?.sides ?? [0, 0, 0, 0];
  const padded: Shape = [channels, x.shape[1] + outer[0] + outer[1], x.shape[2] + outer[2] + outer[3]];
  let padding = windowPadding(node, padded, kernel, stride, dilation);
  if (x.pad) {
    if (x.pad.value !== 0) throw new NotImportable(`the Pad before it pads with ${x.pad.value}; a convolution pads with zeros`);
    const own = resolveSides(padding, padded, kernel, stride, dilation);
    padding = own.map((side, i) => side + outer[i]) as Sides;
  }
  const depthwise = groups > 1 && groups === channels && filters % channels === 0 && filters / channels <= 256;
  if (!attributes.bias && !x.pad && depthwise && node.name.endsWith('/depthwise') && separable(ctx, x, attributes, padding)) return;
  if (!attributes.bias && !x.pad && groups === 1 && kernel[1] === 1 && node.name.endsWith('/column') && padding !== 'same') {
    if (spatiallySeparable(ctx, x, attributes, padding)) return;
  }
  let bias = attributes.bias;
  let output = node.outputs[0];
  const from = [node];
  const folded = biasAfter(ctx, output, filters, true);
  if (folded) {
    bias = addBias(bias, folded.values);
    output = folded.output;
    from.push(folded.node);
  }
  const common = { kernel, stride, padding: paddingParam(padding), dilation, bias: bias !== null };
  const act = ctx.addLayer({
    type: depthwise ? 'DepthwiseConv2D' : 'Conv2D',
    params: depthwise ? { depthMultiplier: filters / channels, ...common } : { filters, groups, ...common },
    inputs: [x],
    weights: { weight: attributes.weight, ...(bias ? { bias } : {}) },
    from,
    output,
  });
  if (x.pad) describeLayer(ctx, act, `Pad "${x.pad.from.name}" is folded into the padding of the convolution after it`);
  if (folded) describeLayer(ctx, act, `Add "${folded.node.name}" of a constant is folded into the bias of the convolution before it`);
};

const convTranspose: OpImport = (ctx) => {
  const { node } = ctx;
  checkAttributes(node, ['auto_pad', 'dilations', 'group', 'kernel_shape', 'output_padding', 'output_shape', 'pads', 'strides']);
  const x = ctx.act(0);
  requireImage(x);
  const weight = ctx.weights(1, 'weight');
  if (weight.dims.length !== 4)
    throw new NotImportable(`its weight has ${weight.dims.length} axes; CNN Studio's transposed convolution is 2-D`);
  const [inChannels, perGroup, kh, kw] = weight.dims;
  const kernel = pairAttribute(node, 'kernel_shape', 2, [kh, kw]);
  if (kernel[0] !== kh || kernel[1] !== kw)
    throw new NotImportable(`its kernel_shape ${formatDims(kernel)} does not match its ${kh}×${kw} weight`);
  const groups = intAttribute(node, 'group', 1);
  if (inChannels !== x.shape[0]) throw new NotImportable(`its weight is for ${inChannels} input channels but its input has ${x.shape[0]}`);
  const filters = perGroup * groups;
  const stride = pairAttribute(node, 'strides', 2, [1, 1]);
  const dilation = pairAttribute(node, 'dilations', 2, [1, 1]);
  const extra = pairAttribute(node, 'output_padding', 2, [0, 0]);
  const autoPad = stringAttribute(node, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw new NotImportable(`its auto_pad "${autoPad}" is not imported; give explicit pads`);
  const outputShape = intsAttribute(node, 'output_shape');
  if (outputShape && autoPad !== 'NOTSET') throw new NotImportable(`it gives both output_shape and auto_pad "${autoPad}"`);
  // Per axis: how much ONNX crops from the start and from the end of the full output.
  const crops = [0, 1].map((axis) => {
    const full = (x.shape[axis + 1] - 1) * stride[axis] + extra[axis] + (kernel[axis] - 1) * dilation[axis] + 1;
    if (outputShape) {
      const wanted = outputShape[outputShape.length - 2 + axis];
      const total = full - wanted;
      if (total < 0) throw new NotImportable(`its output_shape ${formatDims(outputShape)} is larger than the transposed convolution makes`);
      // ONNX's rule for NOTSET: the larger half of the padding at the start.
      return { begin: total - Math.floor(total / 2), end: Math.floor(total / 2) };
    }
    if (autoPad === 'VALID') return { begin: 0, end: 0 };
    const pads = pairAttribute(node, 'pads', 4, [0, 0, 0, 0]);
    return { begin: pads[axis], end: pads[axis + 2] };
  });
  // PyTorch's (and CNN Studio's) rule crops `padding` from both ends and adds `output padding` at the end.
  const padding = crops.map((crop) => crop.begin);
  const outputPadding = crops.map((crop, axis) => crop.begin - crop.end + extra[axis]);
  if (padding.some((pad) => pad < 0) || outputPadding.some((pad) => pad < 0)) {
    throw new NotImportable(
      `its padding (${crops.map((c) => `${c.begin} before, ${c.end} after`).join('; ')}) crops more at the end than the start`,
    );
  }
  let bias: Float32Array | null = null;
  if (ctx.hasInput(2)) {
    bias = ctx.weights(2, 'bias').data;
    if (bias.length !== filters) throw new NotImportable(`its bias has ${bias.length} values for ${filters} filters`);
  }
  ctx.addLayer({
    type: 'ConvTranspose2D',
    params: { filters, kernel, stride, padding, outputPadding, dilation, groups, bias: bias !== null },
    inputs: [x],
    weights: { weight: weight.data, ...(bias ? { bias } : {}) },
    from: [node],
    output: node.outputs[0],
  });
};

// ---------------------------------------------------------------- pooling

/** Layers whose outputs are never negative: a zero Pad before max pooling changes nothing after them. */
const NON_NEGATIVE: readonly LayerType[] = ['ReLU', 'Sigmoid', 'Softmax'];

/**
 * Max and average pooling. CNN Studio's pooling follows PyTorch (as onnxruntime does): explicit
 * padding of at most half a window, ceil mode dropping a last window that would start in the
 * padding. The file's windows are matched exactly: the same starts (the padding before), the same
 * number of windows, and for an average over counted padding the same edge where the divisor
 * stops; the padding after and ceil mode are then whichever CNN Studio setting gives that, the
 * file's own first.
 */
const pool =
  (kind: 'max' | 'avg'): OpImport =>
  (ctx) => {
    const { node } = ctx;
    checkAttributes(
      node,
      kind === 'max'
        ? ['auto_pad', 'ceil_mode', 'dilations', 'kernel_shape', 'pads', 'storage_order', 'strides']
        : ['auto_pad', 'ceil_mode', 'count_include_pad', 'dilations', 'kernel_shape', 'pads', 'strides'],
    );
    if (node.outputs[1] && ctx.consumers(node.outputs[1]).length) {
      throw new NotImportable('its second output (where the maxima are) is used; CNN Studio pooling outputs the values only');
    }
    const x = ctx.act(0, true);
    requireImage(x);
    const kernel = intsAttribute(node, 'kernel_shape');
    if (!kernel) throw new NotImportable('it has no kernel_shape');
    if (kernel.length !== 2) throw new NotImportable(`it pools over ${kernel.length} axes; CNN Studio pools images (2-D)`);
    const stride = pairAttribute(node, 'strides', 2, [1, 1]);
    const dilation = pairAttribute(node, 'dilations', 2, [1, 1]);
    if (dilation.some((d) => d !== 1)) throw new NotImportable(`its windows are dilated (${dilation.join('×')}); CNN Studio's are not`);
    const ceil = intAttribute(node, 'ceil_mode', 0) === 1;
    const counted = kind === 'avg' && intAttribute(node, 'count_include_pad', 0) === 1;
    const pad = x.pad;
    if (pad && kind === 'avg' && pad.value !== 0) throw new NotImportable(`the Pad before it pads with ${pad.value}, not zero`);
    if (pad && kind === 'max' && !(pad.value === -Infinity || (pad.value <= 0 && NON_NEGATIVE.includes(x.type)))) {
      throw new NotImportable(
        `the Pad before it pads with ${pad.value}, which max pooling would take as a value; CNN Studio's pads with −∞`,
      );
    }
    const outer = pad?.sides ?? [0, 0, 0, 0];
    const padded: Shape = [x.shape[0], x.shape[1] + outer[0] + outer[1], x.shape[2] + outer[2] + outer[3]];
    const own = resolveSides(windowPadding(node, padded, [...kernel], stride, [1, 1]), padded, [...kernel], stride, [1, 1]);
    const axes = [0, 1].map((axis) => {
      const [before, after] = [outer[2 * axis], outer[2 * axis + 1]];
      const [ownBefore, ownAfter] = [own[2 * axis], own[2 * axis + 1]];
      const output = slidingOutput(
        { input: padded[axis + 1], kernel: kernel[axis], stride: stride[axis], dilation: 1 },
        { before: ownBefore, after: ownAfter },
        ceil,
      ).output;
      // Where an average's divisor stops after the input, when padding counts in it.
      let divisorEnd: number | null = null;
      if (kind === 'avg' && pad && !counted) {
        if (ownBefore > 0) throw new NotImportable('it has uncounted padding of its own after a Pad, which CNN Studio cannot express');
        divisorEnd = after;
      } else if (counted) divisorEnd = after + ownAfter;
      return {
        size: x.shape[axis + 1],
        kernel: kernel[axis],
        stride: stride[axis],
        top: before + ownBefore,
        after: after + ownAfter,
        output,
        divisorEnd,
      };
    });
    if (axes.some((axis) => axis.output <= 0)) throw new NotImportable('its output would be empty');
    for (const ceilMode of [ceil, !ceil]) {
      const bottoms = axes.map((axis) => {
        const half = Math.floor(axis.kernel / 2);
        if (axis.top > half) return null;
        const candidates = axis.divisorEnd !== null ? [axis.divisorEnd] : [axis.after, ...Array.from({ length: half + 1 }, (_, i) => i)];
        return (
          candidates.find(
            (bottom) =>
              bottom <= half &&
              slidingOutput(
                { input: axis.size, kernel: axis.kernel, stride: axis.stride, dilation: 1 },
                { before: axis.top, after: bottom },
                ceilMode,
              ).output === axis.output,
          ) ?? null
        );
      });
      if (bottoms[0] === null || bottoms[1] === null) continue;
      const params: Record<string, unknown> = {
        kernel: [...kernel],
        stride,
        padding: paddingParam([axes[0].top, bottoms[0], axes[1].top, bottoms[1]]),
        ceilMode,
      };
      // Without padding the divisor is the window's real pixels either way: CNN Studio's default then.
      const unpadded = axes[0].top === 0 && axes[1].top === 0 && bottoms[0] === 0 && bottoms[1] === 0;
      if (kind === 'avg') params.countIncludePad = unpadded || pad !== undefined || counted;
      const act = ctx.addLayer({
        type: kind === 'max' ? 'MaxPool2D' : 'AvgPool2D',
        params,
        inputs: [x],
        from: [node],
        output: node.outputs[0],
      });
      if (pad && pad.sides.some((side) => side > 0))
        describeLayer(ctx, act, `Pad "${pad.from.name}" is folded into the padding of the pooling after it`);
      return;
    }
    const tops = axes.map((axis) => axis.top);
    throw new NotImportable(
      `its windows (${kernel.join('×')}, stride ${stride.join('×')}, starting ${tops.join('/')} px before the image) have no CNN Studio equivalent: ` +
        'its pooling pads at most half a window',
    );
  };

const FLATTENING = ['Flatten', 'Reshape', 'Squeeze', 'Shape'];

/** Global pooling: CNN Studio's outputs a vector, as ONNX's does after a Flatten; without one, a window over the whole map keeps the image. */
const globalPooling = (ctx: OpContext, kind: 'max' | 'avg', x: Act): void => {
  const { node } = ctx;
  requireImage(x);
  const type: LayerType = kind === 'max' ? 'GlobalMaxPool' : 'GlobalAvgPool';
  const output = node.outputs[0];
  const sole = ctx.soleConsumer(output);
  if (sole && sole.node.opType === 'Flatten' && sole.node.inputs[0] === output && intAttribute(sole.node, 'axis', 1) === 1) {
    checkAttributes(sole.node, ['axis']);
    ctx.fold(sole.index);
    ctx.addLayer({ type, params: {}, inputs: [x], from: [node, sole.node], output: sole.node.outputs[0] });
    return;
  }
  const consumers = ctx.consumers(output);
  const [channels, height, width] = x.shape;
  if (consumers.length && consumers.every((consumer) => FLATTENING.includes(consumer.node.opType))) {
    // The Reshape or Squeeze after it is checked when it is imported, against ONNX's [N, C, 1, 1].
    ctx.addLayer({ type, params: {}, inputs: [x], from: [node], output, onnx: [channels, 1, 1] });
    return;
  }
  if (height > LIMITS.kernel || width > LIMITS.kernel) {
    throw new NotImportable(`its output is used as an image, and a ${height}×${width} pooling window is larger than CNN Studio allows`);
  }
  const act = ctx.addLayer({
    type: kind === 'max' ? 'MaxPool2D' : 'AvgPool2D',
    params: { kernel: [height, width], stride: [1, 1] },
    inputs: [x],
    from: [node],
    output,
  });
  describeLayer(ctx, act, `Global pooling "${node.name}" feeds layers that need an image, so it is a ${height}×${width} window pooling`);
};

const globalPool =
  (kind: 'max' | 'avg'): OpImport =>
  (ctx) => {
    checkAttributes(ctx.node, []);
    globalPooling(ctx, kind, ctx.act(0));
  };

/** ReduceMean / ReduceMax over the height and width: global pooling. */
const reduce =
  (kind: 'max' | 'avg'): OpImport =>
  (ctx) => {
    const { node } = ctx;
    checkAttributes(node, ['axes', 'keepdims', 'noop_with_empty_axes']);
    const x = ctx.act(0);
    const rank = x.onnx.length + 1;
    const axes = intsAttribute(node, 'axes') ?? (ctx.hasInput(1) ? ctx.integers(1, 'axes') : null);
    const normalised = new Set((axes ?? []).map((axis) => (axis !== null && axis < 0 ? axis + rank : axis)));
    if (rank !== 4 || normalised.size !== 2 || !normalised.has(2) || !normalised.has(3)) {
      throw new NotImportable(
        `it reduces over axes ${formatDims(axes ?? ['all'])}; only the height and width (global pooling) are imported`,
      );
    }
    if (intAttribute(node, 'keepdims', 1) === 0) {
      requireImage(x);
      ctx.addLayer({
        type: kind === 'max' ? 'GlobalMaxPool' : 'GlobalAvgPool',
        params: {},
        inputs: [x],
        from: [node],
        output: node.outputs[0],
      });
      return;
    }
    globalPooling(ctx, kind, x);
  };

// ---------------------------------------------------------------- shapes

/** The input as a vector: a Flatten layer for an image, nothing for a vector (or global pooling's output). */
const toVector = (ctx: OpContext, x: Act): void => {
  const output = ctx.node.outputs[0];
  if (x.shape.length === 1) {
    ctx.alias(output, { ...x, onnx: [x.shape[0]] });
    return;
  }
  ctx.addLayer({ type: 'Flatten', params: {}, inputs: [x], from: [ctx.node], output });
};

const flatten: OpImport = (ctx) => {
  checkAttributes(ctx.node, ['axis']);
  const x = ctx.act(0);
  const rank = x.onnx.length + 1;
  const axis = intAttribute(ctx.node, 'axis', 1);
  if ((axis < 0 ? axis + rank : axis) !== 1) {
    throw new NotImportable(`it flattens from axis ${axis}; CNN Studio flattens everything but the batch (axis 1)`);
  }
  toVector(ctx, x);
};

const reshape: OpImport = (ctx) => {
  const { node } = ctx;
  checkAttributes(node, ['allowzero']);
  const x = ctx.act(0);
  const allowZero = intAttribute(node, 'allowzero', 0) === 1;
  const target = ctx.integers(1, 'target shape');
  const input: (number | null)[] = [null, ...x.onnx];
  const perSample = count(x.onnx);
  const dims = target.map((dim, i) => (dim === 0 && !allowZero ? (i < input.length ? input[i] : 0) : dim));
  const wrong = (): never => {
    throw new NotImportable(
      `it reshapes ${formatDims(['N', ...x.onnx])} to ${formatDims(target.map((d) => d ?? 'N'))}; CNN Studio only flattens images into vectors`,
    );
  };
  if (dims.length < 2) wrong();
  const [first, ...rest] = dims;
  const batchFirst = first === null || (ctx.fixedBatch !== null && first === ctx.fixedBatch);
  if (!batchFirst && first !== -1) wrong();
  if (rest.some((dim) => dim === null || dim < -1)) wrong();
  const sizes = rest as number[];
  const inferred = sizes.indexOf(-1);
  if (first === -1) {
    if (inferred >= 0 || count(sizes) !== perSample) wrong();
  } else if (inferred >= 0) {
    const others = count(sizes.filter((_, i) => i !== inferred));
    if (others === 0 || perSample % others !== 0 || sizes.indexOf(-1, inferred + 1) >= 0) wrong();
    sizes[inferred] = perSample / others;
  }
  if (count(sizes) !== perSample) wrong();
  if (sizes.length === 1) toVector(ctx, x);
  else if (sameList(sizes, x.onnx)) ctx.alias(node.outputs[0], x);
  else wrong();
};

const squeeze: OpImport = (ctx) => {
  const { node } = ctx;
  checkAttributes(node, ['axes']);
  const x = ctx.act(0);
  const rank = x.onnx.length + 1;
  const given = intsAttribute(node, 'axes') ?? (ctx.hasInput(1) ? ctx.integers(1, 'axes') : null);
  const axes = given?.map((axis) => (axis !== null && axis < 0 ? axis + rank : axis));
  const kept = x.onnx.filter((dim, i) => (axes ? !axes.includes(i + 1) : dim !== 1));
  if (axes?.includes(0) || (axes && axes.some((axis) => axis === null || axis >= rank || x.onnx[axis - 1] !== 1))) {
    throw new NotImportable(`it squeezes axes ${formatDims(given ?? [])} of ${formatDims(['N', ...x.onnx])}`);
  }
  if (kept.length === 1) toVector(ctx, x);
  else if (sameList(kept, x.onnx)) ctx.alias(node.outputs[0], x);
  else
    throw new NotImportable(
      `it squeezes ${formatDims(['N', ...x.onnx])} to ${formatDims(['N', ...kept])}; CNN Studio only flattens images into vectors`,
    );
};

// ---------------------------------------------------------------- dense

const transpose = (data: Float32Array, rows: number, columns: number): Float32Array => {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = data[r * columns + c];
  return out;
};

const scale = (data: Float32Array, factor: number): Float32Array => (factor === 1 ? data : data.map((value) => value * factor));

const dense = (ctx: OpContext, x: Act, weight: Float32Array, units: number, bias: Float32Array | null, from: OnnxNodeProto[]): void => {
  let output = ctx.node.outputs[0];
  const folded = biasAfter(ctx, output, units, false);
  if (folded) {
    bias = addBias(bias, folded.values);
    output = folded.output;
    from.push(folded.node);
  }
  ctx.addLayer({
    type: 'Dense',
    params: { units, bias: bias !== null },
    inputs: [x],
    weights: { weight, ...(bias ? { bias } : {}) },
    from,
    output,
  });
};

const gemm: OpImport = (ctx) => {
  const { node } = ctx;
  checkAttributes(node, ['alpha', 'beta', 'transA', 'transB']);
  if (!ctx.isAct(0)) throw new NotImportable("its first input is a constant; CNN Studio's Dense multiplies a layer's output by weights");
  const x = ctx.act(0);
  requireVector(x);
  if (intAttribute(node, 'transA', 0) !== 0) throw new NotImportable('it transposes its input (transA = 1)');
  if (ctx.isAct(1)) throw new NotImportable("it multiplies two layers' outputs; CNN Studio's Dense multiplies by weights");
  const b = ctx.weights(1, 'weight');
  if (b.dims.length !== 2) throw new NotImportable(`its weight has ${b.dims.length} axes, not 2`);
  const transB = intAttribute(node, 'transB', 0) === 1;
  const [units, inputs] = transB ? b.dims : [b.dims[1], b.dims[0]];
  if (inputs !== x.shape[0]) throw new NotImportable(`its weight takes ${inputs} inputs but its input has ${x.shape[0]}`);
  const alpha = floatAttribute(node, 'alpha', 1);
  const beta = floatAttribute(node, 'beta', 1);
  const weight = scale(transB ? b.data : transpose(b.data, inputs, units), alpha);
  let bias: Float32Array | null = null;
  if (ctx.hasInput(2)) {
    const c = perChannel(ctx.constant(2), units, false);
    if (!c) {
      ctx.weights(2, 'bias');
      throw new NotImportable(`its C input ${formatDims(ctx.constant(2)?.dims ?? [])} is not a bias of ${units} values`);
    }
    bias = scale(c, beta);
  }
  if (alpha !== 1 || (beta !== 1 && bias))
    ctx.note(`Gemm "${node.name}": alpha ${alpha} and beta ${beta} are multiplied into the weights and bias.`);
  dense(ctx, x, weight, units, bias, [node]);
};

const matMul: OpImport = (ctx) => {
  checkAttributes(ctx.node, []);
  if (!ctx.isAct(0)) throw new NotImportable("its first input is a constant; CNN Studio's Dense multiplies a layer's output by weights");
  const x = ctx.act(0);
  requireVector(x);
  if (ctx.isAct(1)) throw new NotImportable("it multiplies two layers' outputs; CNN Studio's Dense multiplies by weights");
  const b = ctx.weights(1, 'weight');
  if (b.dims.length !== 2) throw new NotImportable(`its weight has ${b.dims.length} axes, not 2`);
  const [inputs, units] = b.dims;
  if (inputs !== x.shape[0]) throw new NotImportable(`its weight takes ${inputs} inputs but its input has ${x.shape[0]}`);
  dense(ctx, x, transpose(b.data, inputs, units), units, null, [ctx.node]);
};

// ---------------------------------------------------------------- normalisation, activations, merging

const batchNormalization: OpImport = (ctx) => {
  const { node } = ctx;
  checkAttributes(node, ['epsilon', 'momentum', 'training_mode', 'spatial']);
  if (intAttribute(node, 'training_mode', 0) !== 0)
    throw new NotImportable("it is in training mode (it would normalise with the batch's statistics)");
  if (intAttribute(node, 'spatial', 1) !== 1) throw new NotImportable('it normalises every pixel separately (spatial = 0)');
  if (node.outputs.slice(1).some((output) => output && ctx.consumers(output).length)) {
    throw new NotImportable('its running-statistics outputs are used (training mode)');
  }
  const x = ctx.act(0);
  if (x.shape.length !== 3)
    throw new NotImportable("it normalises a vector (BatchNorm1d); CNN Studio's batch norm normalises feature maps");
  const channels = x.shape[0];
  const [weight, bias, mean, variance] = [1, 2, 3, 4].map((i) => {
    const tensor = ctx.weights(i, ['scale', 'bias', 'mean', 'variance'][i - 1]);
    if (tensor.data.length !== channels)
      throw new NotImportable(
        `its ${['scale', 'bias', 'mean', 'variance'][i - 1]} has ${tensor.data.length} values for ${channels} channels`,
      );
    return tensor.data;
  });
  // ONNX's momentum weighs the old running value; PyTorch's (and CNN Studio's) the new batch's. Only training uses it.
  let momentum = cleanFloat32(1 - cleanFloat32(floatAttribute(node, 'momentum', 0.9)));
  if (!(momentum >= 0 && momentum <= 1)) {
    ctx.note(`BatchNormalization "${node.name}": its momentum is out of range; CNN Studio's default 0.1 is used for training.`);
    momentum = 0.1;
  }
  ctx.addLayer({
    type: 'BatchNorm2D',
    params: { eps: cleanFloat32(floatAttribute(node, 'epsilon', 1e-5)), momentum },
    inputs: [x],
    weights: { weight, bias, running_mean: mean, running_var: variance },
    from: [node],
    output: node.outputs[0],
  });
};

/** An element-wise layer: the same shape out, in ONNX's terms too. */
const elementwise = (ctx: OpContext, type: LayerType, params: Record<string, unknown> = {}): void => {
  const x = ctx.act(0);
  ctx.addLayer({ type, params, inputs: [x], from: [ctx.node], output: ctx.node.outputs[0], onnx: x.onnx });
};

const activation =
  (type: LayerType): OpImport =>
  (ctx) => {
    checkAttributes(ctx.node, []);
    elementwise(ctx, type);
  };

const leakyRelu: OpImport = (ctx) => {
  checkAttributes(ctx.node, ['alpha']);
  elementwise(ctx, 'LeakyReLU', { negativeSlope: cleanFloat32(floatAttribute(ctx.node, 'alpha', 0.01)) });
};

const gelu: OpImport = (ctx) => {
  checkAttributes(ctx.node, ['approximate']);
  const approximate = stringAttribute(ctx.node, 'approximate', 'none');
  if (approximate !== 'none') throw new NotImportable(`it is the ${approximate} approximation of GELU; CNN Studio's GELU is exact (erf)`);
  elementwise(ctx, 'GELU');
};

const softmax: OpImport = (ctx) => {
  const { node } = ctx;
  checkAttributes(node, ['axis']);
  const x = ctx.act(0);
  const rank = x.onnx.length + 1;
  const given = intAttribute(node, 'axis', ctx.opset >= 13 ? -1 : 1);
  const axis = given < 0 ? given + rank : given;
  const overChannels = axis === 1 && (rank === 2 || (rank === 4 && (ctx.opset >= 13 || (x.onnx[1] === 1 && x.onnx[2] === 1))));
  if (!overChannels) {
    const what = ctx.opset < 13 && axis === 1 ? 'every value of a sample' : `axis ${given}`;
    throw new NotImportable(
      `it normalises over ${what} of ${formatDims(['N', ...x.onnx])}; CNN Studio's softmax normalises over the channels`,
    );
  }
  elementwise(ctx, 'Softmax');
};

const actInputs = (ctx: OpContext, what: string): Act[] =>
  ctx.node.inputs.map((_, i) => {
    if (!ctx.isAct(i)) {
      throw new NotImportable(
        `it ${what} a constant; CNN Studio's layer combines layers' outputs (a constant Add is imported only as the bias of a convolution or Dense layer just before it)`,
      );
    }
    return ctx.act(i);
  });

const merge = (ctx: OpContext, type: 'Add' | 'Concat', inputs: Act[], onnx: readonly number[]): void => {
  if (inputs.length === 1) {
    ctx.alias(ctx.node.outputs[0], inputs[0]);
    return;
  }
  if (inputs.length > 16) throw new NotImportable(`it merges ${inputs.length} tensors; CNN Studio's ${type} takes at most 16`);
  ctx.addLayer({ type, params: {}, inputs, from: [ctx.node], output: ctx.node.outputs[0], onnx });
};

const add: OpImport = (ctx) => {
  checkAttributes(ctx.node, []);
  const inputs = actInputs(ctx, 'adds');
  const shape = inputs[0].onnx;
  if (inputs.some((input) => !sameList(input.onnx, shape))) {
    throw new NotImportable(
      `it adds tensors of different shapes (${inputs.map((input) => formatDims(['N', ...input.onnx])).join(', ')}) by broadcasting; CNN Studio's Add needs equal shapes`,
    );
  }
  merge(ctx, 'Add', inputs, shape);
};

const concat: OpImport = (ctx) => {
  checkAttributes(ctx.node, ['axis']);
  const inputs = actInputs(ctx, 'concatenates');
  const rank = inputs[0].onnx.length + 1;
  const given = intAttribute(ctx.node, 'axis', 1);
  if ((given < 0 ? given + rank : given) !== 1) {
    throw new NotImportable(`it concatenates along axis ${given}; CNN Studio concatenates channels (axis 1)`);
  }
  const onnx = [inputs.reduce((sum, input) => sum + input.onnx[0], 0), ...inputs[0].onnx.slice(1)];
  merge(ctx, 'Concat', inputs, onnx);
};

// ---------------------------------------------------------------- resizing

/** Whether ONNX's nearest rule picks source pixel ⌊out / scale⌋ for every output pixel, as CNN Studio's Upsample does. */
const nearestIsFloor = (coordinates: string, rounding: string, size: number, factor: number): boolean => {
  const out = size * factor;
  for (let d = 0; d < out; d++) {
    let x: number;
    switch (coordinates) {
      case 'half_pixel':
        x = (d + 0.5) / factor - 0.5;
        break;
      case 'pytorch_half_pixel':
        x = out > 1 ? (d + 0.5) / factor - 0.5 : 0;
        break;
      case 'asymmetric':
        x = d / factor;
        break;
      case 'align_corners':
        x = out === 1 ? 0 : (d * (size - 1)) / (out - 1);
        break;
      case 'tf_half_pixel_for_nn':
        x = (d + 0.5) / factor;
        break;
      default:
        return false;
    }
    let source: number;
    switch (rounding) {
      case 'floor':
        source = Math.floor(x);
        break;
      case 'ceil':
        source = Math.ceil(x);
        break;
      case 'round_prefer_floor':
        source = x - Math.floor(x) === 0.5 ? Math.floor(x) : Math.round(x);
        break;
      case 'round_prefer_ceil':
        source = Math.round(x);
        break;
      default:
        return false;
    }
    if (Math.min(Math.max(source, 0), size - 1) !== Math.floor(d / factor)) return false;
  }
  return true;
};

/** Upsampling by whole factors, from scales [1, 1, sh, sw] or sizes [N, C, H·sh, W·sw]. */
const upsampling = (ctx: OpContext, x: Act, factors: number[], mode: string, coordinates: string, rounding: string): void => {
  requireImage(x);
  if (factors.some((factor) => !Number.isInteger(factor) || factor < 1)) {
    throw new NotImportable(`it resizes by ${factors.join('×')}; CNN Studio upsamples by whole factors only`);
  }
  if (factors[0] === 1 && factors[1] === 1) {
    ctx.alias(ctx.node.outputs[0], x);
    return;
  }
  let type: 'nearest' | 'bilinear';
  if (mode === 'nearest') {
    if (!nearestIsFloor(coordinates, rounding, x.shape[1], factors[0]) || !nearestIsFloor(coordinates, rounding, x.shape[2], factors[1])) {
      throw new NotImportable(
        `its nearest-neighbour rule (${coordinates}, ${rounding}) picks other pixels than CNN Studio's (PyTorch's nearest: floor(out / scale))`,
      );
    }
    type = 'nearest';
  } else if (mode === 'linear' || mode === 'bilinear') {
    if (coordinates !== 'half_pixel' && coordinates !== 'pytorch_half_pixel') {
      throw new NotImportable(
        `it interpolates linearly with ${coordinates} coordinates; CNN Studio's bilinear upsampling uses half_pixel (PyTorch's align_corners=False)`,
      );
    }
    type = 'bilinear';
  } else throw new NotImportable(`it resizes by ${mode} interpolation; CNN Studio upsamples by nearest or bilinear`);
  ctx.addLayer({ type: 'Upsample', params: { scale: factors, mode: type }, inputs: [x], from: [ctx.node], output: ctx.node.outputs[0] });
};

/** The two spatial factors from a scales or sizes constant over [N, C, H, W] (or over the axes given). */
const spatialFactors = (
  x: Act,
  scales: readonly number[] | null,
  sizes: readonly (number | null)[] | null,
  axes: readonly number[] | null,
): number[] => {
  const full = axes ? axes.map((axis) => (axis < 0 ? axis + 4 : axis)) : [0, 1, 2, 3];
  const at = (values: readonly (number | null)[], axis: number): number | null => {
    const i = full.indexOf(axis);
    return i < 0 ? null : values[i];
  };
  if (scales && scales.length) {
    if (scales.length !== full.length) throw new NotImportable(`its scales ${formatDims(scales)} do not match its axes`);
    if ([0, 1].some((axis) => (at(scales, axis) ?? 1) !== 1))
      throw new NotImportable(`it scales the batch or channels (${formatDims(scales)})`);
    return [2, 3].map((axis) => at(scales, axis) ?? 1);
  }
  if (sizes) {
    if (sizes.length !== full.length) throw new NotImportable(`its sizes ${formatDims(sizes)} do not match its axes`);
    const channels = at(sizes, 1);
    if (channels !== null && full.includes(1) && channels !== x.shape[0])
      throw new NotImportable(`it resizes the channels (${formatDims(sizes)})`);
    return [2, 3].map((axis) => {
      const size = full.includes(axis) ? at(sizes, axis) : x.shape[axis - 1];
      if (size === null) throw new NotImportable('its sizes depend on the batch size');
      return size / x.shape[axis - 1];
    });
  }
  throw new NotImportable('it has neither scales nor sizes');
};

const resize: OpImport = (ctx) => {
  const { node } = ctx;
  checkAttributes(node, [
    'antialias',
    'axes',
    'coordinate_transformation_mode',
    'cubic_coeff_a',
    'exclude_outside',
    'extrapolation_value',
    'keep_aspect_ratio_policy',
    'mode',
    'nearest_mode',
  ]);
  const x = ctx.act(0);
  const mode = stringAttribute(node, 'mode', 'nearest');
  // Opset 10's Resize is the old Upsample: asymmetric coordinates, nearest by floor.
  const coordinates = ctx.opset >= 11 ? stringAttribute(node, 'coordinate_transformation_mode', 'half_pixel') : 'asymmetric';
  const rounding = ctx.opset >= 11 ? stringAttribute(node, 'nearest_mode', 'round_prefer_floor') : 'floor';
  const policy = stringAttribute(node, 'keep_aspect_ratio_policy', 'stretch');
  const scalesInput = ctx.opset >= 11 ? 2 : 1;
  const scales = ctx.hasInput(scalesInput) ? ctx.weights(scalesInput, 'scales') : null;
  const sizes = ctx.opset >= 11 && ctx.hasInput(3) ? ctx.integers(3, 'sizes') : null;
  if (sizes && policy !== 'stretch') throw new NotImportable(`it keeps the aspect ratio (${policy})`);
  const factors = spatialFactors(x, scales ? Array.from(scales.data) : null, sizes ? [...sizes] : null, intsAttribute(node, 'axes'));
  upsampling(ctx, x, factors, mode, coordinates, rounding);
};

/** The deprecated Upsample (opsets 7 to 9): asymmetric coordinates; nearest is by floor, linear is not PyTorch's bilinear. */
const upsample: OpImport = (ctx) => {
  const { node } = ctx;
  checkAttributes(node, ['mode', 'scales']);
  const x = ctx.act(0);
  const scales = floatsAttribute(node, 'scales') ?? (ctx.hasInput(1) ? Array.from(ctx.weights(1, 'scales').data) : null);
  const factors = spatialFactors(x, scales, null, null);
  upsampling(ctx, x, factors, stringAttribute(node, 'mode', 'nearest'), 'asymmetric', 'floor');
};

// ---------------------------------------------------------------- passing through

const pad: OpImport = (ctx) => {
  const { node } = ctx;
  checkAttributes(node, ['mode', 'pads', 'value']);
  const x = ctx.act(0);
  requireImage(x);
  const mode = stringAttribute(node, 'mode', 'constant');
  if (mode !== 'constant')
    throw new NotImportable(`it pads in ${mode} mode; CNN Studio pads with zeros, inside convolution and pooling layers`);
  let pads = ctx.opset < 11 ? intsAttribute(node, 'pads') : ctx.integers(1, 'pads');
  if (!pads) throw new NotImportable('it has no pads');
  if (ctx.opset >= 18 && ctx.hasInput(3)) {
    const axes = ctx.integers(3, 'axes').map((axis) => (axis !== null && axis < 0 ? axis + 4 : axis));
    const full: (number | null)[] = new Array(8).fill(0);
    axes.forEach((axis, i) => {
      if (axis === null || axis < 0 || axis > 3) throw new NotImportable(`its axes ${formatDims(axes)} are out of range`);
      full[axis] = pads![i];
      full[axis + 4] = pads![i + axes.length];
    });
    pads = full;
  }
  if (pads.length !== 8 || pads.some((value) => value === null)) throw new NotImportable(`its pads ${formatDims(pads)} are not 8 numbers`);
  const [nb, cb, top, left, ne, ce, bottom, right] = pads as number[];
  if (nb || cb || ne || ce) throw new NotImportable(`it pads the batch or the channels (${formatDims(pads)})`);
  if ([top, left, bottom, right].some((side) => side < 0)) throw new NotImportable(`its pads ${formatDims(pads)} are negative (cropping)`);
  let value = 0;
  if (ctx.opset < 11) value = floatAttribute(node, 'value', 0);
  else if (ctx.hasInput(2)) {
    const given = ctx.weights(2, 'constant value');
    if (given.data.length !== 1) throw new NotImportable('its constant value is not one number');
    value = given.data[0];
  }
  if (top === 0 && left === 0 && bottom === 0 && right === 0) {
    ctx.alias(node.outputs[0], x);
    return;
  }
  const consumer = ctx.soleConsumer(node.outputs[0]);
  if (
    !consumer ||
    !['Conv', 'MaxPool', 'AveragePool'].includes(consumer.node.opType) ||
    consumer.node.inputs[0] !== node.outputs[0] ||
    x.pad
  ) {
    throw new NotImportable(
      'CNN Studio has no padding layer: a Pad is imported only right before one convolution or pooling, as its padding',
    );
  }
  // The padded shape is ONNX's; the layer after it pads the unpadded tensor itself.
  const onnx = [x.shape[0], x.shape[1] + top + bottom, x.shape[2] + left + right];
  ctx.alias(node.outputs[0], { ...x, onnx, pad: { sides: [top, bottom, left, right], value, from: node } });
};

const identity: OpImport = (ctx) => {
  checkAttributes(ctx.node, []);
  ctx.alias(ctx.node.outputs[0], ctx.act(0));
  ctx.dropped('it passes its input through');
};

const dropout: OpImport = (ctx) => {
  checkAttributes(ctx.node, ['ratio', 'seed', 'is_test']);
  if (ctx.node.outputs[1] && ctx.consumers(ctx.node.outputs[1]).length) throw new NotImportable('its mask output is used');
  ctx.alias(ctx.node.outputs[0], ctx.act(0));
  ctx.dropped('dropout does nothing at inference (add a Dropout layer to train with it)');
};

const cast: OpImport = (ctx) => {
  checkAttributes(ctx.node, ['to', 'saturate']);
  const to = intAttribute(ctx.node, 'to', 0);
  if (to !== 1) throw new NotImportable(`it casts a layer's output to data type ${to}; CNN Studio computes in float32`);
  ctx.alias(ctx.node.outputs[0], ctx.act(0));
  ctx.dropped('it casts float32 to float32');
};

const shape: OpImport = (ctx) => {
  checkAttributes(ctx.node, ['start', 'end']);
  const x = ctx.act(0);
  const dims: (number | null)[] = [null, ...x.onnx];
  const rank = dims.length;
  const clamp = (value: number): number => Math.min(Math.max(value < 0 ? value + rank : value, 0), rank);
  const start = clamp(intAttribute(ctx.node, 'start', 0));
  const end = clamp(intAttribute(ctx.node, 'end', rank));
  const values = dims.slice(start, Math.max(start, end));
  ctx.setConstant(ctx.node.outputs[0], { dims: [values.length], dataType: DATA_INT64, floats: null, ints: values });
};

export const OPS: Readonly<Record<string, OpImport>> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: globalPool('avg'),
  GlobalMaxPool: globalPool('max'),
  ReduceMean: reduce('avg'),
  ReduceMax: reduce('max'),
  BatchNormalization: batchNormalization,
  Flatten: flatten,
  Reshape: reshape,
  Squeeze: squeeze,
  Gemm: gemm,
  MatMul: matMul,
  Add: add,
  Sum: add,
  Concat: concat,
  Resize: resize,
  Upsample: upsample,
  Relu: activation('ReLU'),
  LeakyRelu: leakyRelu,
  Sigmoid: activation('Sigmoid'),
  Tanh: activation('Tanh'),
  Gelu: gelu,
  Softmax: softmax,
  Pad: pad,
  Identity: identity,
  Dropout: dropout,
  Cast: cast,
  Shape: shape,
};

/** Why well-known operators without a layer cannot be imported. */
export const UNSUPPORTED_REASONS: Readonly<Record<string, string>> = {
  LSTM: 'it is a recurrent layer (LSTM); CNN Studio builds convolutional networks',
  GRU: 'it is a recurrent layer (GRU); CNN Studio builds convolutional networks',
  RNN: 'it is a recurrent layer; CNN Studio builds convolutional networks',
  Gather: 'it picks values by index (indexing, a channel shuffle or an embedding); CNN Studio has no such layer',
  GatherElements: 'it picks values by index; CNN Studio has no such layer',
  Transpose: 'it reorders the axes of a tensor; CNN Studio keeps tensors as N×C×H×W',
  Mul: 'it multiplies element by element (attention, scaling, gating); CNN Studio has no such layer',
  Div: 'it divides element by element; CNN Studio has no such layer',
  Sub: 'it subtracts element by element (normalising the input?); CNN Studio has no such layer',
  Clip: 'it clips values (ReLU6 or a clamp); CNN Studio has ReLU but no clipping',
  PRelu: 'it is a ReLU with learned slopes (PReLU); CNN Studio has LeakyReLU with one fixed slope',
  Elu: 'it is an ELU; CNN Studio has ReLU, LeakyReLU, GELU, Sigmoid and Tanh',
  Selu: 'it is a SELU; CNN Studio has ReLU, LeakyReLU, GELU, Sigmoid and Tanh',
  HardSigmoid: 'it is a hard sigmoid; CNN Studio has Sigmoid',
  HardSwish: 'it is a hard swish; CNN Studio has no such activation',
  Softplus: 'it is a softplus; CNN Studio has no such activation',
  LogSoftmax: 'it is a log-softmax; CNN Studio has Softmax, and its classification head applies log-softmax inside its loss',
  Slice: 'it slices a tensor; CNN Studio has no such layer',
  Split: 'it splits a tensor; CNN Studio has no such layer',
  InstanceNormalization: 'it is instance normalisation; CNN Studio has batch normalisation',
  LayerNormalization: 'it is layer normalisation; CNN Studio has batch normalisation',
  GroupNormalization: 'it is group normalisation; CNN Studio has batch normalisation',
  LRN: 'it is local response normalisation; CNN Studio has batch normalisation',
  Erf: 'it is an erf that is not part of a GELU',
  ArgMax: 'it outputs indices, not scores',
  TopK: 'it outputs the largest values and their indices',
  QuantizeLinear: 'the model is quantised; CNN Studio imports float32 models',
  DequantizeLinear: 'the model is quantised; CNN Studio imports float32 models',
  QLinearConv: 'the model is quantised; CNN Studio imports float32 models',
  ConvInteger: 'the model is quantised; CNN Studio imports float32 models',
  If: 'it is control flow; CNN Studio networks are a fixed graph of layers',
  Loop: 'it is control flow; CNN Studio networks are a fixed graph of layers',
  Scan: 'it is control flow; CNN Studio networks are a fixed graph of layers',
};

// ---------------------------------------------------------------- GELU

export interface GeluMatch {
  /** The node indices of the pattern, in file order. */
  readonly indices: readonly number[];
  readonly input: string;
  readonly output: string;
}

export interface PatternLookup {
  producer(tensor: string): { node: OnnxNodeProto; index: number } | null;
  soleConsumer(tensor: string): { node: OnnxNodeProto; index: number } | null;
  scalar(tensor: string): number | null;
}

const near = (value: number | null, target: number): boolean => value !== null && Math.abs(value - target) <= 1e-6 * Math.abs(target);

/**
 * The Erf pattern of GELU, as PyTorch and others export it before opset 20:
 * 0.5·x·(1 + erf(x/√2)), the division possibly a multiplication by 1/√2 and the products in any
 * order. Every intermediate tensor must be read only by the pattern.
 */
export const matchGelu = (erfIndex: number, erf: OnnxNodeProto, find: PatternLookup): GeluMatch | null => {
  const scaled = find.producer(erf.inputs[0]);
  if (!scaled || find.soleConsumer(erf.inputs[0])?.index !== erfIndex) return null;
  let x: string | null = null;
  const [a, b] = scaled.node.inputs;
  if (scaled.node.opType === 'Div' && near(find.scalar(b), Math.SQRT2)) x = a;
  else if (scaled.node.opType === 'Mul' && near(find.scalar(b), Math.SQRT1_2)) x = a;
  else if (scaled.node.opType === 'Mul' && near(find.scalar(a), Math.SQRT1_2)) x = b;
  if (!x) return null;
  const other = (node: OnnxNodeProto, tensor: string): string | null =>
    node.inputs.length === 2 && node.inputs.includes(tensor) ? node.inputs[node.inputs[0] === tensor ? 1 : 0] : null;
  const plusOne = find.soleConsumer(erf.outputs[0]);
  if (!plusOne || plusOne.node.opType !== 'Add' || !near(find.scalar(other(plusOne.node, erf.outputs[0]) ?? ''), 1)) return null;
  const first = find.soleConsumer(plusOne.node.outputs[0]);
  if (!first || first.node.opType !== 'Mul') return null;
  const factor = other(first.node, plusOne.node.outputs[0]);
  if (factor === null) return null;
  const indices = [scaled.index, erfIndex, plusOne.index, first.index];
  let output: string;
  if (factor === x || near(find.scalar(factor), 0.5)) {
    // (1 + erf)·x then ·0.5, or (1 + erf)·0.5 then ·x.
    const second = find.soleConsumer(first.node.outputs[0]);
    const last = second && second.node.opType === 'Mul' ? other(second.node, first.node.outputs[0]) : null;
    if (!second || last === null || !(factor === x ? near(find.scalar(last), 0.5) : last === x)) return null;
    indices.push(second.index);
    output = second.node.outputs[0];
  } else {
    // (1 + erf)·(0.5·x)
    const half = find.producer(factor);
    if (!half || half.node.opType !== 'Mul' || find.soleConsumer(factor)?.index !== first.index) return null;
    const halfOther = other(half.node, x);
    if (halfOther === null || !near(find.scalar(halfOther), 0.5)) return null;
    indices.push(half.index);
    output = first.node.outputs[0];
  }
  return { indices: [...indices].sort((i, j) => i - j), input: x, output };
};
