/**
 * Learning-rate schedules. `learningRateAt(schedule, base, step, stepsPerEpoch)` is pure; reduce
 * on plateau needs the validation history and lives in its own small class.
 * Steps count optimiser updates from 0; epochs are whole passes over the training data.
 */
export type Schedule =
  | { readonly kind: 'constant' }
  /** Multiply by `gamma` every `everyEpochs` epochs. */
  | { readonly kind: 'step'; readonly everyEpochs: number; readonly gamma: number }
  /** Multiply by `gamma` at each listed epoch. */
  | { readonly kind: 'multi-step'; readonly milestones: readonly number[]; readonly gamma: number }
  /** Multiply by `gamma` every epoch. */
  | { readonly kind: 'exponential'; readonly gamma: number }
  /** Cosine from the base rate down to `minimum` over `totalEpochs`. */
  | { readonly kind: 'cosine'; readonly totalEpochs: number; readonly minimum?: number }
  /** Reduce by `factor` when the watched metric has not improved for `patience` epochs. */
  | { readonly kind: 'plateau'; readonly factor: number; readonly patience: number; readonly minimum?: number };

export interface WarmUp {
  /** Linear warm-up from base/steps to base over this many steps; 0 for none. */
  readonly steps: number;
}

/** The rate for one step, from the schedule alone (plateau's reductions are applied by the trainer). */
export const learningRateAt = (
  schedule: Schedule,
  base: number,
  step: number,
  stepsPerEpoch: number,
  warmUp: WarmUp = { steps: 0 },
): number => {
  const epoch = Math.floor(step / Math.max(1, stepsPerEpoch));
  let rate: number;
  switch (schedule.kind) {
    case 'constant':
    case 'plateau':
      rate = base;
      break;
    case 'step':
      rate = base * schedule.gamma ** Math.floor(epoch / schedule.everyEpochs);
      break;
    case 'multi-step':
      rate = base * schedule.gamma ** schedule.milestones.filter((milestone) => epoch >= milestone).length;
      break;
    case 'exponential':
      rate = base * schedule.gamma ** epoch;
      break;
    case 'cosine': {
      const minimum = schedule.minimum ?? 0;
      const progress = Math.min(1, step / Math.max(1, schedule.totalEpochs * stepsPerEpoch));
      rate = minimum + ((base - minimum) * (1 + Math.cos(Math.PI * progress))) / 2;
      break;
    }
  }
  if (warmUp.steps > 0 && step < warmUp.steps) rate *= (step + 1) / warmUp.steps;
  return rate;
};

/** PyTorch's ReduceLROnPlateau in 'min' mode with a relative threshold of 0. */
export class PlateauTracker {
  private best = Infinity;
  private badEpochs = 0;
  private currentScale = 1;

  constructor(private readonly schedule: Extract<Schedule, { kind: 'plateau' }>) {}

  /** Records an epoch's validation loss (lower is better); returns the factor to apply to the base rate. */
  observe(loss: number): number {
    if (loss < this.best) {
      this.best = loss;
      this.badEpochs = 0;
    } else if (++this.badEpochs > this.schedule.patience) {
      this.currentScale *= this.schedule.factor;
      this.badEpochs = 0;
    }
    return this.currentScale;
  }

  /** The base rate after the reductions so far, never below the minimum. */
  apply(base: number): number {
    return Math.max(base * this.currentScale, this.schedule.minimum ?? 0);
  }

  /** The product of the reductions so far (for checkpoints). */
  get scale(): number {
    return this.currentScale;
  }

  restore(scale: number): void {
    this.currentScale = scale;
  }
}
