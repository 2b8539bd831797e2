/**
 * A Gabor filter: a cosine wave under a Gaussian envelope, the shape of many first-layer filters a
 * CNN learns on natural images. On the kernel's grid, centred at ((w − 1)/2, (h − 1)/2) with y
 * pointing down the rows:
 *
 *   x′ = x·cos θ + y·sin θ,   y′ = −x·sin θ + y·cos θ
 *   g(x, y) = exp(−(x′² + y′²) / (2σ²)) · cos(2π·x′/λ + ψ)
 *
 * θ is the orientation of the wave's direction (radians; 0: the wave runs along x, so the stripes
 * are vertical), λ its wavelength in pixels, σ the envelope's spread in pixels and ψ its phase
 * (0: even, a bar detector; π/2: odd, an edge detector). The envelope is round (aspect ratio 1).
 */
export interface GaborParams {
  /** θ, radians. */
  readonly orientation: number;
  /** λ, pixels, above 0. */
  readonly wavelength: number;
  /** σ, pixels, above 0. */
  readonly sigma: number;
  /** ψ, radians. */
  readonly phase: number;
}

/** The Gabor kernel of the given size, or why the parameters cannot make one. */
export const gaborKernel = (
  height: number,
  width: number,
  params: GaborParams,
): { ok: true; kernel: number[][] } | { ok: false; problem: string } => {
  const { orientation, wavelength, sigma, phase } = params;
  if (!Number.isFinite(orientation)) return { ok: false, problem: `a Gabor filter's orientation must be a number, not ${orientation}` };
  if (!Number.isFinite(phase)) return { ok: false, problem: `a Gabor filter's phase must be a number, not ${phase}` };
  if (!(wavelength > 0) || !Number.isFinite(wavelength))
    return { ok: false, problem: `a Gabor filter's wavelength must be above 0 pixels, not ${wavelength}` };
  if (!(sigma > 0) || !Number.isFinite(sigma)) return { ok: false, problem: `a Gabor filter's sigma must be above 0 pixels, not ${sigma}` };
  const cos = Math.cos(orientation);
  const sin = Math.sin(orientation);
  const kernel = Array.from({ length: height }, (_, row) =>
    Array.from({ length: width }, (_, column) => {
      const x = column - (width - 1) / 2;
      const y = row - (height - 1) / 2;
      const along = x * cos + y * sin;
      const across = -x * sin + y * cos;
      return Math.exp(-(along * along + across * across) / (2 * sigma * sigma)) * Math.cos((2 * Math.PI * along) / wavelength + phase);
    }),
  );
  return { ok: true, kernel };
};
