/** Checks and arithmetic shared by several layer families. */
import { effectiveKernel, resolvePadding, slidingOutput, type AxisWindow } from '../geometry';
import type { InferContext } from '../layer';
import type { Pair, Padding } from '../params';
import { formatShape, isImage, isVector, type Shape } from '../shape';

/** The single input of a one-input layer when it is an image, else reports what to do. */
export const requireImage = (ctx: InferContext<unknown>, fix: string): Shape | null => {
  const input = ctx.inputs[0];
  if (isImage(input)) return input;
  ctx.error('rank-mismatch', `expects an image [channels, height, width] but receives a vector of ${formatShape(input)}; ${fix}`);
  return null;
};

/** The single input of a one-input layer when it is a vector, else reports what to do. */
export const requireVector = (ctx: InferContext<unknown>, fix: string): Shape | null => {
  const input = ctx.inputs[0];
  if (isVector(input)) return input;
  ctx.error('rank-mismatch', `expects a flat vector but receives ${formatShape(input)}; ${fix}`);
  return null;
};

export interface WindowSpec {
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly padding: Padding;
  readonly ceilMode?: boolean;
  /** The word for the window in messages: "kernel" or "pooling window". */
  readonly noun?: string;
}

export interface WindowResult {
  readonly height: number;
  readonly width: number;
  readonly formulas: string[];
  /** Resolved padding [top, bottom, left, right]. */
  readonly pads: readonly [number, number, number, number];
}

/**
 * Output height and width of a sliding window over an image, or null after reporting a kernel
 * that does not fit its (padded) input or an output that would be empty.
 */
export const slideWindow = (ctx: InferContext<unknown>, input: Shape, spec: WindowSpec): WindowResult | null => {
  const [, inH, inW] = input;
  const noun = spec.noun ?? 'kernel';
  const hWindow: AxisWindow = { input: inH, kernel: spec.kernel[0], stride: spec.stride[0], dilation: spec.dilation[0] };
  const wWindow: AxisWindow = { input: inW, kernel: spec.kernel[1], stride: spec.stride[1], dilation: spec.dilation[1] };
  const [padH, padW] = resolvePadding(spec.padding, hWindow, wWindow);
  const spanH = effectiveKernel(hWindow.kernel, hWindow.dilation);
  const spanW = effectiveKernel(wWindow.kernel, wWindow.dilation);
  const paddedH = inH + padH.before + padH.after;
  const paddedW = inW + padW.before + padW.after;
  if (spanH > paddedH || spanW > paddedW) {
    const dilated = spanH !== spec.kernel[0] || spanW !== spec.kernel[1] ? ` dilated to ${spanH}×${spanW}` : '';
    const padded = paddedH !== inH || paddedW !== inW ? ` (${paddedH}×${paddedW} with padding)` : '';
    const maxH = Math.floor((paddedH - 1) / hWindow.dilation) + 1;
    const maxW = Math.floor((paddedW - 1) / wWindow.dilation) + 1;
    const fix = spec.padding.mode === 'same' ? `use a ${noun} ≤ ${maxH}×${maxW}` : `use padding 'same' or a ${noun} ≤ ${maxH}×${maxW}`;
    ctx.error(
      'kernel-too-large',
      `${noun} ${spec.kernel[0]}×${spec.kernel[1]}${dilated} exceeds the ${inH}×${inW} input${padded}; ${fix}`,
      'kernel',
    );
    return null;
  }
  const height = slidingOutput(hWindow, padH, spec.ceilMode);
  const width = slidingOutput(wWindow, padW, spec.ceilMode);
  if (height.output <= 0 || width.output <= 0) {
    ctx.error('output-empty', `output would be ${height.output}×${width.output}; reduce the stride or the ${noun}, or add padding`);
    return null;
  }
  // A strided 1×1 convolution is the usual way to downsample a skip path, so it is not flagged.
  const pointwise = spanH === 1 && spanW === 1;
  if (!pointwise && (spec.stride[0] > spanH || spec.stride[1] > spanW)) {
    ctx.warn(
      'stride-skips-pixels',
      `stride ${spec.stride[0]}×${spec.stride[1]} is larger than the ${spanH}×${spanW} ${noun}, so some pixels are never seen; use a stride of at most ${spanH}×${spanW} or a larger ${noun}`,
      'stride',
    );
  }
  return {
    height: height.output,
    width: width.output,
    formulas: [`H: ${height.formula}`, `W: ${width.formula}`],
    pads: [padH.before, padH.after, padW.before, padW.after],
  };
};

/** Channels divisible by groups, or an error naming the parameter. */
export const checkGroups = (
  ctx: InferContext<unknown>,
  inChannels: number,
  outChannels: number,
  groups: number,
  outName: string,
): boolean => {
  if (inChannels % groups !== 0) {
    ctx.error(
      'groups-mismatch',
      `${inChannels} input channels cannot be split into ${groups} groups; use a number of groups that divides ${inChannels}`,
      'groups',
    );
    return false;
  }
  if (outChannels % groups !== 0) {
    ctx.error('groups-mismatch', `${outName} ${outChannels} cannot be split into ${groups} groups; use a multiple of ${groups}`, outName);
    return false;
  }
  return true;
};

export const ratio = (ours: number, standard: number): number => (standard === 0 ? 0 : ours / standard);
