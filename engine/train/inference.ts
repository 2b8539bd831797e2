/**
 * Inference on the CPU engine: a trained network's outputs for a batch of images, and what the
 * head's outputs mean as probabilities. The GPU twin is engine/backends/webgpu/inference.ts,
 * which also chooses between the two (`openInference`).
 *
 * Images are given as the engine holds them: float32, sample after sample, each in the Input's
 * [channels, height, width] layout, already normalised as the network was trained.
 */
import { elementCount } from '../graph/shape';
import { Plan, type Model } from './plan';

/** The head's outputs for `count` samples, and their probabilities where the head has them. */
export interface Prediction {
  readonly count: number;
  /** Values per sample: classes, outputs, or an image's values. */
  readonly outputSize: number;
  /** count × outputSize raw outputs (logits for a classification or binary head). */
  readonly outputs: Float32Array;
  /**
   * count × outputSize probabilities: softmax over each sample's classes for a classification
   * head, sigmoid of each output for a binary head or an image head trained with bce; null for
   * heads whose outputs are values (regression, mse images).
   */
  readonly probabilities: Float32Array | null;
}

/** Values per input sample. */
export const sampleSize = (model: Model): number => elementCount(model.input.outputShape);

/** Throws a RangeError saying what is wrong when `images` does not hold `count` samples for the model's Input. */
export const checkImages = (model: Model, images: Float32Array, count: number): void => {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`inference needs a whole number of images, at least 1 (got ${count})`);
  const size = sampleSize(model);
  if (images.length !== count * size) {
    throw new RangeError(
      `${count} images of ${model.input.outputShape.join('×')} (the graph's Input) are ${count * size} values, but ${images.length} were given`,
    );
  }
};

const sigmoid = (value: number): number => 1 / (1 + Math.exp(-value));

/** The head's outputs as probabilities (see Prediction.probabilities), or null when they are not any. */
export const headProbabilities = (model: Model, outputs: Float32Array, count: number): Float32Array | null => {
  const { head } = model;
  const size = outputs.length / count;
  if (head.type === 'ClassificationHead') {
    const probabilities = new Float32Array(outputs.length);
    for (let sample = 0; sample < count; sample++) {
      const row = outputs.subarray(sample * size, (sample + 1) * size);
      let largest = -Infinity;
      for (const value of row) largest = Math.max(largest, value);
      let sum = 0;
      for (let i = 0; i < size; i++) sum += Math.exp(row[i] - largest);
      for (let i = 0; i < size; i++) probabilities[sample * size + i] = Math.exp(row[i] - largest) / sum;
    }
    return probabilities;
  }
  if (head.type === 'BinaryHead' || (head.type === 'ImageHead' && head.params.loss === 'bce')) return outputs.map(sigmoid);
  return null;
};

/** The Prediction of `count` samples from the head's raw outputs. */
export const toPrediction = (model: Model, outputs: Float32Array, count: number): Prediction => ({
  count,
  outputSize: outputs.length / count,
  outputs,
  probabilities: headProbabilities(model, outputs, count),
});

/** The largest batch one plan runs; more images run in several batches. */
export const DEFAULT_INFERENCE_BATCH = 64;

/**
 * A model's forward pass in inference mode (batch norm's running statistics, no dropout), on
 * the CPU. Plans are made per batch size on first use and kept. The model's weights are read
 * when each batch runs, so weights set later are used.
 */
export class CpuInference {
  private readonly plans = new Map<number, Plan>();

  constructor(
    readonly model: Model,
    readonly maxBatch = DEFAULT_INFERENCE_BATCH,
  ) {}

  /** The head's outputs for `count` images (a new array, count × output size). */
  run(images: Float32Array, count: number): Float32Array {
    checkImages(this.model, images, count);
    const inSize = sampleSize(this.model);
    const outSize = elementCount(this.model.head.outputShape);
    const outputs = new Float32Array(count * outSize);
    for (let start = 0; start < count; start += this.maxBatch) {
      const batch = Math.min(this.maxBatch, count - start);
      const plan = this.plan(batch);
      plan.input.set(images.subarray(start * inSize, (start + batch) * inSize));
      outputs.set(plan.forward(false).subarray(0, batch * outSize), start * outSize);
    }
    return outputs;
  }

  predict(images: Float32Array, count: number): Prediction {
    return toPrediction(this.model, this.run(images, count), count);
  }

  private plan(batch: number): Plan {
    let plan = this.plans.get(batch);
    if (!plan) {
      // Inference draws no random numbers (dropout is off); the generator is never called.
      plan = new Plan(this.model, batch, () => 0.5);
      this.plans.set(batch, plan);
    }
    return plan;
  }
}
