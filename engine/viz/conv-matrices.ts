/**
 * A convolution as one matrix product, for the explainer: the patch matrix (one row per output
 * position, one column per weight of a filter) times the filter matrix (one column per filter)
 * is the output (one row per position, one column per filter), bias aside.
 *
 * Layout: the patch matrix is the transpose of the engine's im2col matrix (kernels/im2col.ts,
 * [C·kh·kw, outH·outW]), made by that same function, so rows are positions oh·outW + ow and
 * columns are taps (c·kh + ki)·kw + kj; the filter matrix is the transpose of the weight
 * [F, C·kh·kw] the engine multiplies by. With groups, one group's channels and filters are shown.
 */
import { im2col } from '../backends/cpu/kernels/im2col';
import type { Window2D } from '../backends/cpu/geometry';

/** A row-major matrix. */
export interface Matrix {
  readonly rows: number;
  readonly columns: number;
  readonly values: Float32Array;
}

export interface ConvMatrices {
  readonly window: Window2D;
  /** The group shown, its first input channel and its first filter. */
  readonly group: number;
  readonly firstChannel: number;
  readonly firstFilter: number;
  /** [outH·outW, C/groups·kh·kw]. */
  readonly patches: Matrix;
  /** [C/groups·kh·kw, F/groups]. */
  readonly filters: Matrix;
  /** patches · filters: [outH·outW, F/groups]. */
  readonly product: Matrix;
}

export interface ConvMatricesInput {
  readonly window: Window2D;
  readonly groups: number;
  readonly filters: number;
  /** One sample's input to the layer, [C, inH, inW]. */
  readonly input: ArrayLike<number>;
  /** PyTorch's layout [F, C/groups, kh, kw]. */
  readonly weight: ArrayLike<number>;
  readonly group?: number;
}

/** "784 × 25 · 25 × 6 = 784 × 6". */
export const productSizes = ({ patches, filters, product }: ConvMatrices): string =>
  `${patches.rows} × ${patches.columns} · ${filters.rows} × ${filters.columns} = ${product.rows} × ${product.columns}`;

/** Builds the three matrices; throws saying what is wrong when the sizes do not agree. */
export const convMatrices = ({ window, groups, filters, input, weight, group = 0 }: ConvMatricesInput): ConvMatrices => {
  const { channels, inH, inW, outH, outW, kernelH, kernelW } = window;
  if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0 || filters % groups !== 0)
    throw new Error(`groups ${groups} must divide the ${channels} input channels and the ${filters} filters`);
  if (!Number.isInteger(group) || group < 0 || group >= groups) throw new Error(`group ${group} is not one of the ${groups} groups`);
  if (input.length !== channels * inH * inW)
    throw new Error(`the input has ${input.length} values; a ${channels}×${inH}×${inW} input needs ${channels * inH * inW}`);
  const groupChannels = channels / groups;
  const groupFilters = filters / groups;
  const taps = groupChannels * kernelH * kernelW;
  if (weight.length !== filters * taps)
    throw new Error(`the weight has ${weight.length} values; ${filters}×${groupChannels}×${kernelH}×${kernelW} needs ${filters * taps}`);
  const positions = outH * outW;
  const firstChannel = group * groupChannels;
  const firstFilter = group * groupFilters;

  const source = Float32Array.from(input);
  const columns = new Float32Array(taps * positions);
  im2col(source, firstChannel * inH * inW, groupChannels, window, columns, 0);
  const patches = new Float32Array(positions * taps);
  for (let t = 0; t < taps; t++) for (let p = 0; p < positions; p++) patches[p * taps + t] = columns[t * positions + p];

  const filterMatrix = new Float32Array(taps * groupFilters);
  for (let f = 0; f < groupFilters; f++)
    for (let t = 0; t < taps; t++) filterMatrix[t * groupFilters + f] = weight[(firstFilter + f) * taps + t];

  const product = new Float32Array(positions * groupFilters);
  for (let p = 0; p < positions; p++)
    for (let f = 0; f < groupFilters; f++) {
      let sum = 0;
      for (let t = 0; t < taps; t++) sum += patches[p * taps + t] * filterMatrix[t * groupFilters + f];
      product[p * groupFilters + f] = sum;
    }
  return {
    window,
    group,
    firstChannel,
    firstFilter,
    patches: { rows: positions, columns: taps, values: patches },
    filters: { rows: taps, columns: groupFilters, values: filterMatrix },
    product: { rows: positions, columns: groupFilters, values: product },
  };
};

/** One tap of a window: the patch-matrix column it fills and where it reads the input. */
export interface WindowTap {
  /** Column of the patch matrix (and row of the filter matrix). */
  readonly tap: number;
  /** Input channel (within the whole input), row and column; row or column may lie in the padding. */
  readonly channel: number;
  readonly y: number;
  readonly x: number;
  /** False where the tap reads the padding (the value is 0). */
  readonly inside: boolean;
}

/** The input coordinates of the window at output position `position` (oh·outW + ow), tap by tap. */
export const windowTaps = (window: Window2D, position: number, firstChannel = 0, groupChannels = window.channels): WindowTap[] => {
  const { inH, inW, outW, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = window;
  const oh = Math.floor(position / outW);
  const ow = position % outW;
  const taps: WindowTap[] = [];
  for (let c = 0; c < groupChannels; c++)
    for (let ki = 0; ki < kernelH; ki++)
      for (let kj = 0; kj < kernelW; kj++) {
        const y = oh * strideH - padTop + ki * dilationH;
        const x = ow * strideW - padLeft + kj * dilationW;
        taps.push({
          tap: (c * kernelH + ki) * kernelW + kj,
          channel: firstChannel + c,
          y,
          x,
          inside: y >= 0 && y < inH && x >= 0 && x < inW,
        });
      }
  return taps;
};
