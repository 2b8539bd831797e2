/**
 * Synthetic shapes, made on the fly: a circle, square, triangle or cross of random size, position
 * and colour on a plain background, with Gaussian noise. Nothing is stored: sample i is painted
 * in fill() from hash(seed, i), so the same seed gives the same pictures on every machine, in any
 * order and batch. Two tasks: classify the shape (4 classes; sample i shows shape i mod 4, so
 * the classes are balanced), or regress its size (the side of its bounding box as a fraction of
 * the image side; one value in [SHAPE_EXTENT.min, SHAPE_EXTENT.max]).
 */
import type { Dataset, TargetKind } from './dataset';
import { elementCount, type Shape } from '../graph/shape';
import { hashSeed, SeededStream } from './seeded';

export const SHAPE_CLASSES: readonly string[] = ['circle', 'square', 'triangle', 'cross'];

/** The smallest and largest shape, as a fraction of the image side. */
export const SHAPE_EXTENT = { min: 0.25, max: 0.8 } as const;

const SQRT3_2 = Math.sqrt(3) / 2;

/** Paints shapes into planar [C, H, W] float images, drawing every choice from one per-sample stream. */
export class ShapePainter {
  readonly random = new SeededStream();
  /** The class and extent (fraction of the side) of the last shape painted. */
  kind = 0;
  extent = 0;
  private readonly background = new Float64Array(3);
  private readonly colour = new Float64Array(3);
  private lightOnDark = true;

  constructor(
    readonly size: number,
    readonly channels: 1 | 3,
  ) {
    if (!Number.isInteger(size) || size < 8) throw new RangeError(`a shapes image must be at least 8 pixels wide, not ${size}`);
    if (channels !== 1 && channels !== 3) throw new RangeError(`shapes images have 1 or 3 channels, not ${String(channels)}`);
  }

  /** Positions the stream at sample `index` of the data made from `seed`. */
  begin(seed: number, index: number): void {
    this.random.reseed(hashSeed(seed, index));
  }

  /**
   * Paints a background and `shapes` shapes into out[offset ..]: the first of kind `kind` (−1: a
   * random kind), the others random. `kind` and `extent` then describe the first shape.
   */
  paint(out: Float32Array, offset: number, kind: number, shapes = 1): void {
    const random = this.random;
    const plane = this.size * this.size;
    if (this.channels === 1) {
      this.lightOnDark = true;
      this.background[0] = random.between(0, 0.2);
    } else {
      this.lightOnDark = random.uniform() < 0.5;
      for (let c = 0; c < 3; c++) this.background[c] = this.lightOnDark ? random.between(0, 0.45) : random.between(0.55, 1);
    }
    for (let c = 0; c < this.channels; c++) out.fill(this.background[c], offset + c * plane, offset + (c + 1) * plane);
    for (let shape = 0; shape < shapes; shape++) {
      const shapeKind = shape === 0 && kind >= 0 ? kind : random.below(SHAPE_CLASSES.length);
      const extent = random.between(SHAPE_EXTENT.min, SHAPE_EXTENT.max);
      if (shape === 0) {
        this.kind = shapeKind;
        this.extent = extent;
      }
      this.drawShape(out, offset, shapeKind, extent);
    }
  }

  /** Adds Gaussian noise of deviation `sigma` to `count` values, clamped to [0, 1]: target[j] = source[j] + noise. */
  addNoise(source: Float32Array, sourceOffset: number, target: Float32Array, targetOffset: number, count: number, sigma: number): void {
    const random = this.random;
    for (let j = 0; j < count; j++) {
      const value = source[sourceOffset + j] + (sigma > 0 ? sigma * random.normal() : 0);
      target[targetOffset + j] = value < 0 ? 0 : value > 1 ? 1 : value;
    }
  }

  private drawShape(out: Float32Array, offset: number, kind: number, extent: number): void {
    const random = this.random;
    const size = this.size;
    const plane = size * size;
    const side = extent * size;
    const half = side / 2;
    const cx = random.between(half, size - half);
    const cy = random.between(half, size - half);
    for (let c = 0; c < this.channels; c++) {
      this.colour[c] = this.channels === 1 ? random.between(0.7, 1) : this.lightOnDark ? random.between(0.55, 1) : random.between(0, 0.45);
    }
    const height = side * SQRT3_2;
    const apexY = cy - height / 2;
    const baseY = cy + height / 2;
    const thickness = side / 6;
    const top = Math.max(0, Math.floor(cy - half - 1));
    const bottom = Math.min(size - 1, Math.ceil(cy + half + 1));
    const left = Math.max(0, Math.floor(cx - half - 1));
    const right = Math.min(size - 1, Math.ceil(cx + half + 1));
    for (let row = top; row <= bottom; row++) {
      const py = row + 0.5;
      for (let column = left; column <= right; column++) {
        const px = column + 0.5;
        const dx = Math.abs(px - cx);
        const dy = Math.abs(py - cy);
        // A signed distance in pixels (negative inside); 0.5 − distance is the pixel's coverage.
        let distance: number;
        if (kind === 0) distance = Math.hypot(px - cx, py - cy) - half;
        else if (kind === 1) distance = Math.max(dx, dy) - half;
        else if (kind === 2) {
          const along = (py - apexY) * 0.5;
          distance = Math.max(py - baseY, (px - cx) * SQRT3_2 - along, (cx - px) * SQRT3_2 - along);
        } else distance = Math.min(Math.max(dx - half, dy - thickness), Math.max(dx - thickness, dy - half));
        const coverage = 0.5 - distance;
        if (coverage <= 0) continue;
        const alpha = coverage >= 1 ? 1 : coverage;
        const pixel = offset + row * size + column;
        for (let c = 0; c < this.channels; c++) {
          const at = pixel + c * plane;
          out[at] += alpha * (this.colour[c] - out[at]);
        }
      }
    }
  }
}

export interface ShapesOptions {
  /** Classify the shape (4 classes) or regress its size (one value). Default: classify. */
  readonly task?: 'classify' | 'size';
  /** Image side in pixels; default 28. */
  readonly size?: number;
  /** 1 (grey) or 3 (random colours); default 1. */
  readonly channels?: 1 | 3;
  /** How many samples; default 10,000. */
  readonly samples?: number;
  /** Standard deviation of the Gaussian pixel noise (pixels are in [0, 1]); default 0.05. */
  readonly noise?: number;
  readonly seed?: number;
}

export const SHAPES_DEFAULTS = { task: 'classify', size: 28, channels: 1, samples: 10_000, noise: 0.05, seed: 1 } as const;

export const checkSampleCount = (samples: number, what: string): void => {
  if (!Number.isInteger(samples) || samples < 1)
    throw new RangeError(`${what} needs a whole number of samples of at least 1, not ${samples}`);
};

export class SyntheticShapesDataset implements Dataset {
  readonly name: string;
  readonly size: number;
  readonly sampleShape: Shape;
  readonly target: TargetKind;
  readonly task: 'classify' | 'size';
  readonly seed: number;
  readonly noise: number;
  private readonly painter: ShapePainter;
  private readonly sampleSize: number;

  constructor(options: ShapesOptions = {}) {
    const { task, size, channels, samples, noise, seed } = { ...SHAPES_DEFAULTS, ...options };
    checkSampleCount(samples, 'the shapes dataset');
    if (!(noise >= 0)) throw new RangeError(`the shapes noise must be 0 or more, not ${noise}`);
    this.painter = new ShapePainter(size, channels);
    this.task = task;
    this.seed = seed;
    this.noise = noise;
    this.size = samples;
    this.sampleShape = [channels, size, size];
    this.sampleSize = elementCount(this.sampleShape);
    this.target = task === 'classify' ? { kind: 'class', classes: SHAPE_CLASSES.length } : { kind: 'values', shape: [1] };
    this.name = `shapes (${task === 'classify' ? 'classes' : 'size'}, ${channels}×${size}×${size}, seed ${seed})`;
  }

  /** The class sample `index` shows: index mod 4, or, for the size task, the one drawn for it. */
  classOf(index: number): number {
    if (this.task === 'classify') return index % SHAPE_CLASSES.length;
    this.painter.begin(this.seed, index);
    return this.painter.random.below(SHAPE_CLASSES.length);
  }

  fill(indices: Int32Array, start: number, count: number, x: Float32Array, y: Int32Array | Float32Array): void {
    const n = this.sampleSize;
    for (let i = 0; i < count; i++) {
      const index = indices[start + i];
      if (!(index >= 0 && index < this.size)) throw new RangeError(`${this.name} has no sample ${index}`);
      const painter = this.painter;
      painter.begin(this.seed, index);
      const kind = this.task === 'classify' ? index % SHAPE_CLASSES.length : painter.random.below(SHAPE_CLASSES.length);
      painter.paint(x, i * n, kind);
      if (this.noise > 0) painter.addNoise(x, i * n, x, i * n, n, this.noise);
      y[i] = this.task === 'classify' ? kind : painter.extent;
    }
  }
}
