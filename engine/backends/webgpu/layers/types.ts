/**
 * The contract between the GPU plan (../plan.ts) and the WebGPU backend's layers, mirroring the
 * CPU's (engine/backends/cpu/types.ts): a layer records its kernels into the plan's runner,
 * with GPUBuffers where the CPU has typed arrays; forward overwrites its output, backward ADDS
 * into its input and weight gradients.
 *
 * A GPU layer has no `weights()`: the CPU layer's WeightSpecs are the one definition of weight
 * names, shapes and initialisation, so a model compiled with the CPU table trains on either
 * engine, and checkpoints and exports do not care which one trained it.
 *
 * Memory, all allocated by the plan on first use and kept for the plan's life (a step allocates
 * nothing after the first): `scratch` is the layer's own (argmax, batch-norm statistics,
 * dropout masks, a separable convolution's intermediate), kept from forward to backward;
 * `temporary` is shared by every layer of the plan and valid only within one forward or
 * backward call (im2col columns, an intermediate gradient), since layers run one after another;
 * `constant` is uploaded once (upsampling tables).
 */
import type { Shape } from '../../../graph/shape';
import type { GpuRunner } from '../run';
import type { GpuData } from '../types';

export interface GpuForwardContext<P = Record<string, unknown>> {
  readonly runner: GpuRunner;
  /** The node's canonical parameters. */
  readonly params: P;
  readonly batch: number;
  /** Per-sample shapes (no batch axis). */
  readonly inputShapes: readonly Shape[];
  readonly outputShape: Shape;
  /** One buffer per input port, `batch × elements(inputShape)` values. */
  readonly inputs: readonly GPUBuffer[];
  /** `batch × elements(outputShape)` values; the layer overwrites all of them. */
  readonly output: GPUBuffer;
  /** The node's weights, by WeightSpec name. */
  readonly weights: Readonly<Record<string, GPUBuffer>>;
  /** Training mode: batch statistics, dropout on. Inference: running statistics, dropout off. */
  readonly training: boolean;
  /** This layer's key for random draws in the current step (dropout). */
  readonly randomKey: number;
  /** The layer's own buffer of at least `length` 32-bit values, kept from forward to backward and across steps. */
  scratch(name: string, length: number): GPUBuffer;
  /** A buffer of at least `length` values shared by all layers, valid only within the current call. */
  temporary(name: string, length: number): GPUBuffer;
  /** A read-only table, made and uploaded on first use. */
  constant(name: string, make: () => GpuData): GPUBuffer;
}

export interface GpuBackwardContext<P = Record<string, unknown>> extends GpuForwardContext<P> {
  /** Gradient of the loss with respect to `output`. */
  readonly gradOutput: GPUBuffer;
  /** Gradients of the inputs: ADD into them. Null when not needed (the graph's Input). */
  readonly gradInputs: readonly (GPUBuffer | null)[];
  /** Gradients of the trainable weights, by name: ADD into them. */
  readonly gradWeights: Readonly<Record<string, GPUBuffer>>;
}

export interface GpuLayer<P = Record<string, unknown>> {
  forward(context: GpuForwardContext<P>): void;
  /** Runs after `forward` of the same step, with the same buffers and scratch. */
  backward(context: GpuBackwardContext<P>): void;
}

/** A layer with its params type erased, for tables of all layers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyGpuLayer = GpuLayer<any>;

/** A layer written against its own params type, as the plain `GpuLayer` the table holds. */
export const gpuLayer = <P>(layer: GpuLayer<P>): GpuLayer => layer as unknown as GpuLayer;
