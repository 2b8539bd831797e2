/**
 * Random numbers for data that is made, or changed, per sample: a hash of (seed, index) gives each
 * sample its own stream, so sample i is the same whichever batch, order or worker asks for it.
 * The stream is mulberry32 with Box–Muller normals (as engine/train/random.ts), but it can be
 * reseeded in place, so generating a batch allocates nothing.
 */

/** murmur3's 32-bit finaliser. */
const mix = (value: number): number => {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/** A well-mixed 32-bit seed for sample `index` of the data made from `seed`. */
export const hashSeed = (seed: number, index: number): number => mix(mix(seed ^ 0x9e3779b9) + Math.imul(index >>> 0, 0x7feb352d) + 1);

export class SeededStream {
  private state = 0;
  private spareNormal = 0;
  private hasSpare = false;

  constructor(seed = 0) {
    this.reseed(seed);
  }

  reseed(seed: number): void {
    this.state = seed >>> 0;
    this.hasSpare = false;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [low, high). */
  between(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal. */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return radius * Math.cos(2 * Math.PI * v);
  }
}
