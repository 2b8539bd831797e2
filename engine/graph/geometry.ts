/**
 * The arithmetic of sliding windows: output sizes of convolution, pooling and transposed
 * convolution along one axis, each with the formula filled in with its numbers, so the IDE can
 * show a student where "28" came from.
 *
 * Rules are PyTorch's (floor division, dilation, ceil mode, output padding). `same` padding is
 * TensorFlow's: the output is ceil(input / stride), and the padding needed for that is split
 * with the smaller half before (top/left) and the larger half after (bottom/right), so it is
 * asymmetric when the total is odd. PyTorch's own `padding='same'` (stride 1 only) splits the
 * same way.
 */
import type { Padding } from './params';

export interface AxisWindow {
  readonly input: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
}

export interface AxisPadding {
  readonly before: number;
  readonly after: number;
}

export interface AxisResult {
  readonly output: number;
  /** e.g. "⌊(28 + 2 + 2 − 5) / 1⌋ + 1 = 28" */
  readonly formula: string;
}

/** The span one kernel covers once dilated: d·(k − 1) + 1. */
export const effectiveKernel = (kernel: number, dilation: number): number => dilation * (kernel - 1) + 1;

const kernelTerm = (kernel: number, dilation: number): string => (dilation === 1 ? String(kernel) : `(${dilation}·(${kernel} − 1) + 1)`);

/** TensorFlow's `same`: enough padding that output = ceil(input / stride). */
export const samePadding = ({ input, kernel, stride, dilation }: AxisWindow): AxisPadding => {
  const output = Math.ceil(input / stride);
  const total = Math.max((output - 1) * stride + effectiveKernel(kernel, dilation) - input, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before };
};

/** The padding of both axes, `same` resolved: [top, bottom, left, right]. */
export const resolvePadding = (padding: Padding, height: AxisWindow, width: AxisWindow): [AxisPadding, AxisPadding] => {
  switch (padding.mode) {
    case 'valid':
      return [
        { before: 0, after: 0 },
        { before: 0, after: 0 },
      ];
    case 'same':
      return [samePadding(height), samePadding(width)];
    case 'explicit':
      return [
        { before: padding.top, after: padding.bottom },
        { before: padding.left, after: padding.right },
      ];
  }
};

/**
 * Convolution or pooling along one axis:
 * out = floor((in + before + after − d·(k − 1) − 1) / s) + 1, or ceil with ceil mode, where
 * (as in PyTorch) a last window that would start in the trailing padding is dropped.
 */
export const slidingOutput = (window: AxisWindow, pad: AxisPadding, ceilMode = false): AxisResult => {
  const { input, kernel, stride, dilation } = window;
  const span = input + pad.before + pad.after - effectiveKernel(kernel, dilation);
  let output = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  const droppedLast = ceilMode && output > 0 && (output - 1) * stride >= input + pad.before;
  if (droppedLast) output -= 1;
  const pads = pad.before === 0 && pad.after === 0 ? '' : ` + ${pad.before} + ${pad.after}`;
  const [open, close] = ceilMode ? ['⌈', '⌉'] : ['⌊', '⌋'];
  const formula =
    `${open}(${input}${pads} − ${kernelTerm(kernel, dilation)}) / ${stride}${close} + 1` +
    `${droppedLast ? ' − 1 (last window starts in the padding)' : ''} = ${output}`;
  return { output, formula };
};

/**
 * Transposed convolution along one axis (PyTorch's rule):
 * out = (in − 1)·s − 2·p + d·(k − 1) + output_padding + 1.
 */
export const transposedOutput = (window: AxisWindow, padding: number, outputPadding: number): AxisResult => {
  const { input, kernel, stride, dilation } = window;
  const output = (input - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
  const formula = `(${input} − 1)·${stride} − 2·${padding} + ${dilation}·(${kernel} − 1) + ${outputPadding} + 1 = ${output}`;
  return { output, formula };
};
