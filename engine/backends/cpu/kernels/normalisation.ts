/**
 * Batch normalisation over the channels of NCHW images, and inverted dropout.
 *
 * Batch norm follows PyTorch's BatchNorm2d: in training it normalises with the batch's mean and
 * biased variance over (N, H, W) and moves the running statistics towards the batch's mean and
 * UNBIASED variance, new = (1 − momentum)·old + momentum·batch; at inference it normalises with
 * the running statistics.
 */
import type { Floats } from '../types';

export interface BatchNormShape {
  readonly batch: number;
  readonly channels: number;
  /** H·W: the pixels of one feature map. */
  readonly size: number;
}

export interface BatchNormBuffers {
  readonly gamma: Floats;
  readonly beta: Floats;
  readonly runningMean: Floats;
  readonly runningVar: Floats;
  /** Scratch of C: the mean used for normalising (the batch's in training, the running one at inference). */
  readonly mean: Floats;
  /** Scratch of C: 1/√(variance + eps) used for normalising. */
  readonly invStd: Floats;
}

/**
 * Forward pass; in training also updates the running statistics in place. With a single value
 * per channel (N·H·W = 1) the unbiased variance is undefined (PyTorch refuses to train); the
 * running variance then moves towards 0, the biased variance.
 */
export const batchNormForward = (
  input: Floats,
  output: Floats,
  s: BatchNormShape,
  b: BatchNormBuffers,
  training: boolean,
  eps: number,
  momentum: number,
): void => {
  const { batch, channels, size } = s;
  const { gamma, beta, runningMean, runningVar, mean, invStd } = b;
  const stride = channels * size;
  const count = batch * size;
  for (let c = 0; c < channels; c++) {
    if (training) {
      let sum = 0;
      for (let n = 0; n < batch; n++) {
        const base = n * stride + c * size;
        for (let i = 0; i < size; i++) sum += input[base + i];
      }
      const mu = sum / count;
      let squares = 0;
      for (let n = 0; n < batch; n++) {
        const base = n * stride + c * size;
        for (let i = 0; i < size; i++) {
          const d = input[base + i] - mu;
          squares += d * d;
        }
      }
      const variance = squares / count;
      const unbiased = count > 1 ? squares / (count - 1) : variance;
      mean[c] = mu;
      invStd[c] = 1 / Math.sqrt(variance + eps);
      runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mu;
      runningVar[c] = (1 - momentum) * runningVar[c] + momentum * unbiased;
    } else {
      mean[c] = runningMean[c];
      invStd[c] = 1 / Math.sqrt(runningVar[c] + eps);
    }
    const mu = mean[c];
    const scale = gamma[c] * invStd[c];
    const shift = beta[c];
    for (let n = 0; n < batch; n++) {
      const base = n * stride + c * size;
      for (let i = 0; i < size; i++) output[base + i] = (input[base + i] - mu) * scale + shift;
    }
  }
};

/**
 * Backward pass from the statistics the forward pass left in `mean` and `invStd`, with
 * x̂ = (x − mean)·invStd: dγ += Σ dy·x̂, dβ += Σ dy, and
 * training:  dx += γ·invStd/M · (M·dy − Σ dy − x̂·Σ dy·x̂)   (M = N·H·W; the statistics depend on x)
 * inference: dx += γ·invStd·dy.
 */
export const batchNormBackward = (
  input: Floats,
  gradOutput: Floats,
  gradInput: Floats | null,
  gradGamma: Floats | null,
  gradBeta: Floats | null,
  s: BatchNormShape,
  b: Pick<BatchNormBuffers, 'gamma' | 'mean' | 'invStd'>,
  training: boolean,
): void => {
  const { batch, channels, size } = s;
  const { gamma, mean, invStd } = b;
  const stride = channels * size;
  const count = batch * size;
  for (let c = 0; c < channels; c++) {
    const mu = mean[c];
    const inv = invStd[c];
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let n = 0; n < batch; n++) {
      const base = n * stride + c * size;
      for (let i = 0; i < size; i++) {
        const dy = gradOutput[base + i];
        sumDy += dy;
        sumDyXhat += dy * (input[base + i] - mu) * inv;
      }
    }
    if (gradGamma) gradGamma[c] += sumDyXhat;
    if (gradBeta) gradBeta[c] += sumDy;
    if (!gradInput) continue;
    const scale = gamma[c] * inv;
    if (training) {
      const meanDy = sumDy / count;
      const meanDyXhat = sumDyXhat / count;
      for (let n = 0; n < batch; n++) {
        const base = n * stride + c * size;
        for (let i = 0; i < size; i++) {
          const xhat = (input[base + i] - mu) * inv;
          gradInput[base + i] += scale * (gradOutput[base + i] - meanDy - xhat * meanDyXhat);
        }
      }
    } else {
      for (let n = 0; n < batch; n++) {
        const base = n * stride + c * size;
        for (let i = 0; i < size; i++) gradInput[base + i] += scale * gradOutput[base + i];
      }
    }
  }
};

/**
 * Inverted dropout in training: each value is kept with probability 1 − rate (a uniform draw
 * below 1 − rate) and scaled by 1/(1 − rate), else zeroed. `mask` receives each
 * value's factor (0 or 1/(1 − rate)) for the backward pass. Draws one number per element, in order,
 * from `source.random()` (the forward context itself).
 */
export const dropoutForward = (
  input: Floats,
  output: Floats,
  mask: Floats,
  count: number,
  rate: number,
  source: { random(): number },
): void => {
  const keep = 1 - rate;
  const scale = 1 / keep;
  for (let i = 0; i < count; i++) {
    const factor = source.random() < keep ? scale : 0;
    mask[i] = factor;
    output[i] = input[i] * factor;
  }
};

export const dropoutBackward = (gradOutput: Floats, gradInput: Floats, mask: Floats, count: number): void => {
  for (let i = 0; i < count; i++) gradInput[i] += gradOutput[i] * mask[i];
};
