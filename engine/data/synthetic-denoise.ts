/**
 * Synthetic pairs for denoising: the target is a clean picture of one to three shapes (as in
 * synthetic-shapes.ts), the input the same picture with Gaussian noise, clamped to [0, 1]. Made on
 * the fly from hash(seed, index), like the shapes set; the target is 'values' of the sample's shape.
 */
import type { Dataset, TargetKind } from './dataset';
import { elementCount, type Shape } from '../graph/shape';
import { checkSampleCount, ShapePainter } from './synthetic-shapes';

export interface DenoiseOptions {
  /** Image side in pixels; default 28. */
  readonly size?: number;
  /** 1 (grey) or 3 (random colours); default 1. */
  readonly channels?: 1 | 3;
  /** How many pairs; default 10,000. */
  readonly samples?: number;
  /** Standard deviation of the noise added to the input; default 0.25. */
  readonly noise?: number;
  readonly seed?: number;
}

export const DENOISE_DEFAULTS = { size: 28, channels: 1, samples: 10_000, noise: 0.25, seed: 1 } as const;

export class SyntheticDenoiseDataset implements Dataset {
  readonly name: string;
  readonly size: number;
  readonly sampleShape: Shape;
  readonly target: TargetKind;
  readonly seed: number;
  readonly noise: number;
  private readonly painter: ShapePainter;
  private readonly sampleSize: number;

  constructor(options: DenoiseOptions = {}) {
    const { size, channels, samples, noise, seed } = { ...DENOISE_DEFAULTS, ...options };
    checkSampleCount(samples, 'the denoising dataset');
    if (!(noise >= 0)) throw new RangeError(`the denoising noise must be 0 or more, not ${noise}`);
    this.painter = new ShapePainter(size, channels);
    this.seed = seed;
    this.noise = noise;
    this.size = samples;
    this.sampleShape = [channels, size, size];
    this.sampleSize = elementCount(this.sampleShape);
    this.target = { kind: 'values', shape: this.sampleShape };
    this.name = `denoise (${channels}×${size}×${size}, noise ${noise}, seed ${seed})`;
  }

  fill(indices: Int32Array, start: number, count: number, x: Float32Array, y: Int32Array | Float32Array): void {
    if (!(y instanceof Float32Array)) throw new TypeError(`${this.name} has image targets: fill it with a Float32Array y`);
    const n = this.sampleSize;
    const painter = this.painter;
    for (let i = 0; i < count; i++) {
      const index = indices[start + i];
      if (!(index >= 0 && index < this.size)) throw new RangeError(`${this.name} has no sample ${index}`);
      painter.begin(this.seed, index);
      painter.paint(y, i * n, -1, 1 + painter.random.below(3));
      painter.addNoise(y, i * n, x, i * n, n, this.noise);
    }
  }
}
