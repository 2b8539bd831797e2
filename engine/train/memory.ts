/**
 * How much memory training a graph needs, estimated before a run starts, so a run that cannot
 * fit is refused with the figure instead of crashing the worker halfway.
 */
import type { GraphReport } from '../graph/analyze';
import type { OptimizerConfig } from './optimizers';

export interface MemoryEstimate {
  readonly weightsBytes: number;
  readonly optimizerBytes: number;
  readonly activationBytes: number;
  readonly totalBytes: number;
}

const OPTIMIZER_STATES: Record<OptimizerConfig['kind'], number> = { sgd: 1, adam: 2, adamw: 2, rmsprop: 2 };

/**
 * Weights and their gradients, the optimiser's state, and every layer's output and output
 * gradient for a batch (plus a third for the layers' scratch, such as im2col columns), in float32.
 */
export const estimateTrainingMemory = (report: GraphReport, batchSize: number, optimizer: OptimizerConfig): MemoryEstimate => {
  const { params, buffers, activations } = report.totals;
  const weightsBytes = (2 * params + buffers) * 4;
  const optimizerBytes = params * 4 * OPTIMIZER_STATES[optimizer.kind];
  const activationBytes = Math.ceil(activations * batchSize * 4 * 3);
  return { weightsBytes, optimizerBytes, activationBytes, totalBytes: weightsBytes + optimizerBytes + activationBytes };
};
