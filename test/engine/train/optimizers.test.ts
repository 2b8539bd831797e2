// Optimisers and learning-rate schedules against PyTorch (test/fixtures/optimizers.json, made by
// make_optimizer_fixtures.py), plus gradient clipping and frozen elements.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clipGradientNorm, clipGradientValue, createOptimizer, type OptimizerConfig } from '../../../engine/train/optimizers';
import { learningRateAt, PlateauTracker, type Schedule } from '../../../engine/train/schedules';

interface OptimizerCase {
  name: string;
  config: OptimizerConfig;
  learningRate: number;
  start: number[];
  gradients: number[][];
  after: number[][];
}
interface ScheduleCase {
  name: string;
  schedule: Schedule;
  base: number;
  rates: number[];
  losses?: number[];
}

const fixture: { torch: string; optimizers: OptimizerCase[]; schedules: ScheduleCase[] } = JSON.parse(
  readFileSync('test/fixtures/optimizers.json', 'utf8'),
);

describe(`optimisers against PyTorch ${fixture.torch}`, () => {
  it.each(fixture.optimizers.map((c) => [c.name, c] as const))('%s: five steps', (_name, c) => {
    const values = Float32Array.from(c.start);
    const gradient = new Float32Array(values.length);
    const optimizer = createOptimizer(c.config, [{ name: 'p', values, gradient }]);
    c.gradients.forEach((step, index) => {
      gradient.set(step);
      optimizer.step(c.learningRate);
      c.after[index].forEach((expected, i) =>
        expect(Math.abs(values[i] - expected), `step ${index + 1}, element ${i}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected))),
      );
    });
    expect(optimizer.stepCount).toBe(5);
  });

  it('leaves frozen elements untouched, momentum and weight decay included', () => {
    for (const config of fixture.optimizers.map((c) => c.config)) {
      const values = Float32Array.from([1, 2, 3, 4]);
      const gradient = Float32Array.from([0.5, -0.5, 0.25, 1]);
      const frozen = Uint8Array.from([0, 1, 0, 1]);
      const optimizer = createOptimizer({ ...config, weightDecay: 0.1 } as OptimizerConfig, [{ name: 'p', values, gradient, frozen }]);
      for (let i = 0; i < 3; i++) optimizer.step(0.1);
      expect([values[1], values[3]]).toEqual([2, 4]);
      expect(values[0]).not.toBe(1);
    }
  });

  it('exposes its state by parameter name, for checkpoints', () => {
    const slot = { name: 'conv1.weight', values: new Float32Array(3), gradient: Float32Array.from([1, 2, 3]) };
    const adam = createOptimizer({ kind: 'adam' }, [slot]);
    adam.step(0.1);
    expect(Object.keys(adam.state()).sort()).toEqual(['conv1.weight.exp_avg', 'conv1.weight.exp_avg_sq']);
    expect(adam.state()['conv1.weight.exp_avg'][2]).toBeCloseTo(0.3, 6);
  });
});

describe('gradient clipping', () => {
  it('scales by the joint norm like clip_grad_norm_, and returns the norm before', () => {
    const a = { name: 'a', values: new Float32Array(2), gradient: Float32Array.from([3, 0]) };
    const b = { name: 'b', values: new Float32Array(1), gradient: Float32Array.from([4]) };
    expect(clipGradientNorm([a, b], 1)).toBeCloseTo(5, 6);
    const norm = Math.hypot(a.gradient[0], a.gradient[1], b.gradient[0]);
    expect(norm).toBeCloseTo(5 / (5 + 1e-6), 5);
    expect(clipGradientNorm([a, b], 10)).toBeCloseTo(norm, 6);
    expect(a.gradient[0] / b.gradient[0]).toBeCloseTo(0.75, 6);
  });

  it('clamps each value like clip_grad_value_', () => {
    const slot = { name: 'a', values: new Float32Array(3), gradient: Float32Array.from([-5, 0.2, 7]) };
    clipGradientValue([slot], 1);
    expect([...slot.gradient]).toEqual([-1, Math.fround(0.2), 1]);
  });
});

describe(`learning-rate schedules against PyTorch ${fixture.torch}`, () => {
  for (const c of fixture.schedules.filter((s) => s.schedule.kind !== 'plateau')) {
    it(`${c.name}: twelve steps, one step per epoch`, () => {
      // Past its last epoch PyTorch's cosine rises again (half a period further); ours stays at the minimum.
      const last = c.schedule.kind === 'cosine' ? c.schedule.totalEpochs : c.rates.length - 1;
      c.rates.slice(0, last + 1).forEach((expected, step) => expect(learningRateAt(c.schedule, c.base, step, 1)).toBeCloseTo(expected, 12));
      if (c.schedule.kind === 'cosine') expect(learningRateAt(c.schedule, c.base, last + 5, 1)).toBe(c.schedule.minimum);
    });
  }

  it('reduce on plateau follows ReduceLROnPlateau', () => {
    const c = fixture.schedules.find((s) => s.schedule.kind === 'plateau')!;
    const tracker = new PlateauTracker(c.schedule as Extract<Schedule, { kind: 'plateau' }>);
    c.losses!.forEach((loss, epoch) => {
      tracker.observe(loss);
      expect(tracker.apply(c.base), `after epoch ${epoch}`).toBeCloseTo(c.rates[epoch], 12);
    });
  });

  it('warms up linearly over the first steps, then follows the schedule', () => {
    const rates = Array.from({ length: 6 }, (_, step) => learningRateAt({ kind: 'constant' }, 0.1, step, 10, { steps: 4 }));
    rates.forEach((rate, step) => expect(rate).toBeCloseTo(step < 4 ? (0.1 * (step + 1)) / 4 : 0.1, 12));
  });

  it('cosine decays within epochs, step by step', () => {
    const rates = Array.from({ length: 21 }, (_, step) => learningRateAt({ kind: 'cosine', totalEpochs: 2 }, 1, step, 10));
    expect(rates[0]).toBe(1);
    expect(rates[10]).toBeCloseTo(0.5, 12);
    expect(rates[20]).toBeCloseTo(0, 12);
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThan(rates[i - 1]);
  });
});
