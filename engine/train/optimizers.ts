/**
 * Optimisers, with PyTorch's update rules (torch.optim, 1.13) so that one step here equals one
 * step there on the same weights and gradients. State is allocated once, when the optimiser is
 * made; a step allocates nothing.
 */
export type OptimizerConfig =
  | {
      readonly kind: 'sgd';
      readonly momentum?: number;
      readonly nesterov?: boolean;
      readonly weightDecay?: number;
      readonly dampening?: number;
    }
  | {
      readonly kind: 'adam' | 'adamw';
      readonly beta1?: number;
      readonly beta2?: number;
      readonly epsilon?: number;
      readonly weightDecay?: number;
    }
  | {
      readonly kind: 'rmsprop';
      readonly alpha?: number;
      readonly epsilon?: number;
      readonly momentum?: number;
      readonly weightDecay?: number;
    };

export type OptimizerKind = OptimizerConfig['kind'];

/** One trainable tensor and its gradient; `frozen` marks elements that must not change (frozen filters). */
export interface ParamSlot {
  readonly name: string;
  readonly values: Float32Array;
  readonly gradient: Float32Array;
  readonly frozen?: Uint8Array;
}

export interface Optimizer {
  step(learningRate: number): void;
  /** State tensors by `${paramName}.${stateName}`, for checkpoints (live views, not copies). */
  state(): Record<string, Float32Array>;
  /** Restores a checkpoint's state and step count; throws naming a missing or mis-sized tensor. */
  loadState(state: Readonly<Record<string, Float32Array>>, stepCount: number): void;
  readonly stepCount: number;
}

const zerosLike = (slots: readonly ParamSlot[]) => slots.map((slot) => new Float32Array(slot.values.length));

const stateRecord = (slots: readonly ParamSlot[], named: Record<string, Float32Array[]>): Record<string, Float32Array> => {
  const record: Record<string, Float32Array> = {};
  for (const [stateName, buffers] of Object.entries(named))
    slots.forEach((slot, index) => (record[`${slot.name}.${stateName}`] = buffers[index]));
  return record;
};

/** Copies saved state into the live buffers, after checking every one is there with its size. */
const restore = (live: Record<string, Float32Array>, saved: Readonly<Record<string, Float32Array>>): void => {
  for (const [name, buffer] of Object.entries(live)) {
    const values = saved[name];
    if (!values) throw new Error(`the optimiser state has no ${name}; the checkpoint belongs to another optimiser or graph`);
    if (values.length !== buffer.length) throw new Error(`the optimiser state ${name} holds ${values.length} values, not ${buffer.length}`);
  }
  for (const [name, buffer] of Object.entries(live)) buffer.set(saved[name]);
};

class Sgd implements Optimizer {
  stepCount = 0;
  private readonly momentumBuffers: Float32Array[];
  constructor(
    private readonly slots: readonly ParamSlot[],
    private readonly config: Extract<OptimizerConfig, { kind: 'sgd' }>,
  ) {
    this.momentumBuffers = zerosLike(slots);
  }
  step(learningRate: number): void {
    const { momentum = 0, nesterov = false, weightDecay = 0, dampening = 0 } = this.config;
    const first = this.stepCount === 0;
    this.slots.forEach(({ values, gradient, frozen }, index) => {
      const buffer = this.momentumBuffers[index];
      for (let i = 0; i < values.length; i++) {
        if (frozen?.[i]) continue;
        let g = gradient[i] + weightDecay * values[i];
        if (momentum !== 0) {
          buffer[i] = first ? g : momentum * buffer[i] + (1 - dampening) * g;
          g = nesterov ? g + momentum * buffer[i] : buffer[i];
        }
        values[i] -= learningRate * g;
      }
    });
    this.stepCount++;
  }
  state() {
    return stateRecord(this.slots, { momentum_buffer: this.momentumBuffers });
  }
  loadState(state: Readonly<Record<string, Float32Array>>, stepCount: number): void {
    restore(this.state(), state);
    this.stepCount = stepCount;
  }
}

class Adam implements Optimizer {
  stepCount = 0;
  private readonly firstMoments: Float32Array[];
  private readonly secondMoments: Float32Array[];
  constructor(
    private readonly slots: readonly ParamSlot[],
    private readonly config: Extract<OptimizerConfig, { kind: 'adam' | 'adamw' }>,
  ) {
    this.firstMoments = zerosLike(slots);
    this.secondMoments = zerosLike(slots);
  }
  step(learningRate: number): void {
    const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = this.config.kind === 'adamw' ? 0.01 : 0 } = this.config;
    const decoupled = this.config.kind === 'adamw';
    const t = ++this.stepCount;
    const correction1 = 1 - beta1 ** t;
    const correction2Root = Math.sqrt(1 - beta2 ** t);
    const stepSize = learningRate / correction1;
    const decay = decoupled ? 1 - learningRate * weightDecay : 1;
    const l2 = decoupled ? 0 : weightDecay;
    this.slots.forEach(({ values, gradient, frozen }, index) => {
      const m = this.firstMoments[index];
      const v = this.secondMoments[index];
      for (let i = 0; i < values.length; i++) {
        if (frozen?.[i]) continue;
        const g = gradient[i] + l2 * values[i];
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        values[i] = values[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) / correction2Root + epsilon);
      }
    });
  }
  state() {
    return stateRecord(this.slots, { exp_avg: this.firstMoments, exp_avg_sq: this.secondMoments });
  }
  loadState(state: Readonly<Record<string, Float32Array>>, stepCount: number): void {
    restore(this.state(), state);
    this.stepCount = stepCount;
  }
}

class RmsProp implements Optimizer {
  stepCount = 0;
  private readonly squareAverages: Float32Array[];
  private readonly momentumBuffers: Float32Array[];
  constructor(
    private readonly slots: readonly ParamSlot[],
    private readonly config: Extract<OptimizerConfig, { kind: 'rmsprop' }>,
  ) {
    this.squareAverages = zerosLike(slots);
    this.momentumBuffers = zerosLike(slots);
  }
  step(learningRate: number): void {
    const { alpha = 0.99, epsilon = 1e-8, momentum = 0, weightDecay = 0 } = this.config;
    this.slots.forEach(({ values, gradient, frozen }, index) => {
      const square = this.squareAverages[index];
      const buffer = this.momentumBuffers[index];
      for (let i = 0; i < values.length; i++) {
        if (frozen?.[i]) continue;
        const g = gradient[i] + weightDecay * values[i];
        square[i] = alpha * square[i] + (1 - alpha) * g * g;
        const scaled = g / (Math.sqrt(square[i]) + epsilon);
        if (momentum > 0) {
          buffer[i] = momentum * buffer[i] + scaled;
          values[i] -= learningRate * buffer[i];
        } else values[i] -= learningRate * scaled;
      }
    });
    this.stepCount++;
  }
  state() {
    return stateRecord(this.slots, { square_avg: this.squareAverages, momentum_buffer: this.momentumBuffers });
  }
  loadState(state: Readonly<Record<string, Float32Array>>, stepCount: number): void {
    restore(this.state(), state);
    this.stepCount = stepCount;
  }
}

export const createOptimizer = (config: OptimizerConfig, slots: readonly ParamSlot[]): Optimizer => {
  switch (config.kind) {
    case 'sgd':
      return new Sgd(slots, config);
    case 'adam':
    case 'adamw':
      return new Adam(slots, config);
    case 'rmsprop':
      return new RmsProp(slots, config);
  }
};

/** Scales all gradients so their joint L2 norm is at most `maxNorm` (PyTorch's clip_grad_norm_). Returns the norm before clipping. */
export const clipGradientNorm = (slots: readonly ParamSlot[], maxNorm: number): number => {
  let sumOfSquares = 0;
  for (const { gradient } of slots) for (let i = 0; i < gradient.length; i++) sumOfSquares += gradient[i] * gradient[i];
  const norm = Math.sqrt(sumOfSquares);
  const coefficient = maxNorm / (norm + 1e-6);
  if (coefficient < 1) for (const { gradient } of slots) for (let i = 0; i < gradient.length; i++) gradient[i] *= coefficient;
  return norm;
};

/** Clamps every gradient element to [−limit, limit] (PyTorch's clip_grad_value_). */
export const clipGradientValue = (slots: readonly ParamSlot[], limit: number): void => {
  for (const { gradient } of slots) for (let i = 0; i < gradient.length; i++) gradient[i] = Math.min(limit, Math.max(-limit, gradient[i]));
};
