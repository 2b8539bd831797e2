/**
 * The contract between the training plan and the CPU backend's layers.
 *
 * Every layer type has one `CpuLayer` (engine/backends/cpu/layers/, gathered in
 * layers/index.ts as a `Record<LayerType, CpuLayer>`). The plan gives each layer its input and
 * output buffers for a whole batch, its weights by name, and scratch memory that lives as long
 * as the plan (allocated once per batch size, so a training step makes no garbage).
 *
 * Buffers are NCHW, batch first, row-major. Kernels accept Float64Array as well as
 * Float32Array so that gradient checks can run in double precision; training uses float32.
 */
import type { Shape } from '../../graph/shape';

export type Floats = Float32Array | Float64Array;

/** How a weight is initialised at random (engine/train/init.ts reads this). */
export type WeightRole = 'weight' | 'bias' | 'gamma' | 'beta' | 'running_mean' | 'running_var';

export interface WeightSpec {
  /**
   * The suffix of the PyTorch state_dict name: the full name is `${nodeId}.${name}`, e.g.
   * `conv1.weight`, `sep.depthwise.weight`, `bn1.running_var`.
   */
  readonly name: string;
  /** PyTorch's layout: Conv2d [out, in/groups, kh, kw]; ConvTranspose2d [in, out/groups, kh, kw]; Linear [out, in]. */
  readonly shape: readonly number[];
  readonly role: WeightRole;
  /** False for running statistics: saved with the weights, never updated by the optimiser. */
  readonly trainable: boolean;
  /** Inputs and outputs that one weight connects, for He and Glorot initialisation. */
  readonly fanIn: number;
  readonly fanOut: number;
}

export interface ForwardContext<P = Record<string, unknown>> {
  /** The node's canonical parameters, as analysis normalised them. */
  readonly params: P;
  readonly batch: number;
  /** Per-sample shapes (no batch axis). */
  readonly inputShapes: readonly Shape[];
  readonly outputShape: Shape;
  /** One buffer per input port, `batch × elements(inputShape)` long. */
  readonly inputs: readonly Floats[];
  /** `batch × elements(outputShape)`; the layer overwrites all of it. */
  readonly output: Floats;
  /** The node's weights, by WeightSpec name. */
  readonly weights: Readonly<Record<string, Floats>>;
  /** Training mode: batch statistics, dropout on. Inference: running statistics, dropout off. */
  readonly training: boolean;
  /** Scratch kept from forward to backward and across steps; same name, same buffer. */
  scratch(name: string, length: number): Floats;
  scratchInt(name: string, length: number): Int32Array;
  /** Uniform in [0, 1), from the run's seeded generator (dropout). */
  random(): number;
}

export interface BackwardContext<P = Record<string, unknown>> extends ForwardContext<P> {
  /** Gradient of the loss with respect to `output`. */
  readonly gradOutput: Floats;
  /** Gradients of the inputs: ADD into them (a tensor may feed several layers). Null when not needed. */
  readonly gradInputs: readonly (Floats | null)[];
  /** Gradients of the trainable weights, by name: ADD into them. */
  readonly gradWeights: Readonly<Record<string, Floats>>;
}

export interface CpuLayer<P = Record<string, unknown>> {
  /** The weights the layer owns, in state_dict order; [] for none. */
  weights(params: P, inputShapes: readonly Shape[], outputShape: Shape): WeightSpec[];
  forward(context: ForwardContext<P>): void;
  /** Runs after `forward` of the same step, with the same buffers and scratch. */
  backward(context: BackwardContext<P>): void;
}

/** A layer with its params type erased, for tables of all layers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCpuLayer = CpuLayer<any>;
