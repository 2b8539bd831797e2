/**
 * A transposed convolution as a matrix: the convolution it transposes maps its output z
 * [F, Ho, Wo] to its input's shape [Cin, H, W] as z ↦ C z, with C a sparse matrix whose entries are the
 * kernel's weights; the transposed convolution is y = Cᵀ x, each input pixel scattered over a
 * kernel-sized patch of the output (col2im). C is built block by block, one block per
 * (input channel, output channel) pair: rows are the H·W input positions, columns the Ho·Wo
 * output positions.
 *
 * The window is the engine's (kernels/transposed.ts): window.channels = F, window.inH × inW =
 * Ho × Wo, window.outH × outW = H × W; the weight is PyTorch's [Cin, F/groups, kh, kw].
 */
import type { Window2D } from '../backends/cpu/geometry';
import type { Matrix } from './conv-matrices';

export interface TransposedBlockInput {
  readonly window: Window2D;
  readonly inChannels: number;
  readonly groups: number;
  readonly weight: ArrayLike<number>;
  /** The input channel (row block) and output channel (column block). */
  readonly inChannel: number;
  readonly outChannel: number;
}

/** Where input position `position` (of H·W) scatters to: the output positions (of Ho·Wo) and the kernel taps ki·kw + kj. */
export const scatterTargets = (window: Window2D, position: number): { output: number; tap: number }[] => {
  const { inH, inW, outW, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = window;
  const oh = Math.floor(position / outW);
  const ow = position % outW;
  const targets: { output: number; tap: number }[] = [];
  for (let ki = 0; ki < kernelH; ki++)
    for (let kj = 0; kj < kernelW; kj++) {
      const y = oh * strideH - padTop + ki * dilationH;
      const x = ow * strideW - padLeft + kj * dilationW;
      if (y >= 0 && y < inH && x >= 0 && x < inW) targets.push({ output: y * inW + x, tap: ki * kernelW + kj });
    }
  return targets;
};

/**
 * The block of C for one channel pair, [H·W, Ho·Wo]; zero when the pair lies in different groups.
 * Throws saying what is wrong for channels out of range or a weight of the wrong size.
 */
export const transposedBlock = ({ window, inChannels, groups, weight, inChannel, outChannel }: TransposedBlockInput): Matrix => {
  const { channels: outChannels, inH, inW, outH, outW, kernelH, kernelW } = window;
  if (inChannels % groups !== 0 || outChannels % groups !== 0)
    throw new Error(`groups ${groups} must divide the ${inChannels} input and ${outChannels} output channels`);
  if (inChannel < 0 || inChannel >= inChannels) throw new Error(`input channel ${inChannel} is not one of 0 to ${inChannels - 1}`);
  if (outChannel < 0 || outChannel >= outChannels) throw new Error(`output channel ${outChannel} is not one of 0 to ${outChannels - 1}`);
  const groupOut = outChannels / groups;
  const taps = kernelH * kernelW;
  if (weight.length !== inChannels * groupOut * taps)
    throw new Error(
      `the weight has ${weight.length} values; ${inChannels}×${groupOut}×${kernelH}×${kernelW} needs ${inChannels * groupOut * taps}`,
    );
  const rows = outH * outW;
  const columns = inH * inW;
  const values = new Float32Array(rows * columns);
  const sameGroup = Math.floor(inChannel / (inChannels / groups)) === Math.floor(outChannel / groupOut);
  if (!sameGroup) return { rows, columns, values };
  const kernel = (inChannel * groupOut + (outChannel % groupOut)) * taps;
  for (let position = 0; position < rows; position++)
    for (const { output, tap } of scatterTargets(window, position)) values[position * columns + output] += weight[kernel + tap];
  return { rows, columns, values };
};

/** Cᵀ x for one channel pair: block [H·W, Ho·Wo] transposed, times x's channel (H·W values), as Ho·Wo values. */
export const transposedTimes = (block: Matrix, x: ArrayLike<number>, xOffset = 0): Float64Array => {
  const out = new Float64Array(block.columns);
  for (let r = 0; r < block.rows; r++) {
    const value = x[xOffset + r];
    if (value === 0) continue;
    for (let c = 0; c < block.columns; c++) out[c] += block.values[r * block.columns + c] * value;
  }
  return out;
};
