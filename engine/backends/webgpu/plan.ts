/**
 * The GPU twin of engine/train/plan.ts: a compiled `Model` (the CPU's, with its state_dict
 * names and WeightSpecs) run with every tensor on the device.
 *
 * - `GpuModelState` holds the model's weights, their gradients and the optimiser's state as
 *   GPU buffers, by state_dict name, shared by the plans of every batch size. Weights move only
 *   on request: `upload` from `Model.weights`, `download` back into it (checkpoints, epoch ends,
 *   exports, snapshots), so the CPU trainer, checkpoints and exports see the same tensors.
 * - `GpuPlan` holds each node's output and output gradient for one batch size, allocated once,
 *   and the layers' scratch (allocated on first use: after the first step, a step allocates
 *   nothing). `forward` and `backward` only RECORD kernels into the runner; the trainer decides
 *   when to submit, so a whole training step is one submission.
 * - Shapes are uniforms: the plan of the last, partial batch reuses every pipeline.
 * - Dropout keys: each layer's key for a step is a hash of the step's seed (the same per-step
 *   stream the CPU trainer seeds its dropout generator from) and the layer's position.
 */
import { elementCount } from '../../graph/shape';
import type { Model, ModelNode } from '../../train/plan';
import { createStorage, uploadStorage } from './buffers';
import { dropoutKey } from './kernels/normalisation';
import { GPU_LAYERS, type GpuLayerTable } from './layers';
import type { AnyGpuLayer, GpuBackwardContext, GpuForwardContext } from './layers/types';
import type { GpuRunner } from './run';
import type { GpuData } from './types';

/** Whether a state or plan is for training (gradients too) or for inference only (outputs only). */
export type GpuPurpose = 'training' | 'inference';

/** The model's tensors on the GPU, by state_dict name. */
export class GpuModelState {
  readonly weights = new Map<string, GPUBuffer>();
  /** Gradients of the trainable tensors (none for inference). */
  readonly gradients = new Map<string, GPUBuffer>();

  constructor(
    readonly runner: GpuRunner,
    readonly model: Model,
    readonly purpose: GpuPurpose = 'training',
  ) {
    const { device } = runner;
    for (const [name, values] of model.weights) {
      this.weights.set(name, createStorage(device, values.length, name));
      if (purpose === 'training' && model.gradients.has(name))
        this.gradients.set(name, createStorage(device, values.length, `gradient of ${name}`));
    }
    this.upload();
  }

  /** Copies `Model.weights` (all of them, or those named) to the GPU, in order with recorded work. */
  upload(names: Iterable<string> = this.model.weights.keys()): void {
    for (const name of names) this.runner.write(this.buffer(name), this.model.weights.get(name)!);
  }

  /** Copies the GPU's weights (all of them, or those named) back into `Model.weights`. */
  async download(names: Iterable<string> = this.model.weights.keys()): Promise<void> {
    for (const name of names) {
      const values = this.model.weights.get(name)!;
      values.set(await this.runner.readFloats(this.buffer(name), values.length));
    }
  }

  private buffer(name: string): GPUBuffer {
    const buffer = this.weights.get(name);
    if (!buffer) throw new Error(`the model has no tensor named ${name}`);
    return buffer;
  }

  destroy(): void {
    for (const buffer of [...this.weights.values(), ...this.gradients.values()]) buffer.destroy();
  }
}

/** A node's weights (or gradients), by WeightSpec name. */
const nodeTensors = (node: ModelNode, source: Map<string, GPUBuffer>): Record<string, GPUBuffer> => {
  const tensors: Record<string, GPUBuffer> = {};
  for (const spec of node.weightSpecs) {
    const tensor = source.get(`${node.id}.${spec.name}`);
    if (tensor) tensors[spec.name] = tensor;
  }
  return tensors;
};

interface NodeBuffers {
  readonly node: ModelNode;
  readonly output: GPUBuffer;
  /** Null for the Input, whose gradient nothing needs. */
  readonly gradOutput: GPUBuffer | null;
  readonly forward: GpuForwardContext;
  readonly backward: GpuBackwardContext;
}

/**
 * The GPU buffers of one batch size; forward and backward record kernels over them. A plan for
 * inference holds the nodes' outputs only (no output gradients), and cannot run backward.
 */
export class GpuPlan {
  private readonly buffers: NodeBuffers[] = [];
  /** The GPU layer of each node (the model's nodes hold their CPU layers). */
  private readonly layers: AnyGpuLayer[];
  private readonly byId = new Map<string, NodeBuffers>();
  private readonly owned: GPUBuffer[] = [];
  private readonly temporaries = new Map<string, GPUBuffer>();
  private readonly mode = { training: false, stepSeed: 0 };

  constructor(
    readonly model: Model,
    readonly batch: number,
    readonly state: GpuModelState,
    layers: GpuLayerTable = GPU_LAYERS,
    readonly purpose: GpuPurpose = 'training',
  ) {
    const { runner } = state;
    const { device } = runner;
    const mode = this.mode;
    model.nodes.forEach((node, position) => {
      const length = batch * elementCount(node.outputShape);
      const output = this.own(createStorage(device, length, `${node.id} output`));
      const gradOutput =
        node.id === model.input.id || purpose === 'inference'
          ? null
          : this.own(createStorage(device, length, `${node.id} output gradient`));
      const scratch = new Map<string, GPUBuffer>();
      const constants = new Map<string, GPUBuffer>();
      const shared = {
        runner,
        params: node.params,
        batch,
        inputShapes: node.inputShapes,
        outputShape: node.outputShape,
        inputs: node.inputIds.map((id) => this.byId.get(id)!.output),
        output,
        weights: nodeTensors(node, state.weights),
        scratch: (name: string, size: number) => this.sized(scratch, name, size, `${node.id} ${name}`, true),
        temporary: (name: string, size: number) => this.sized(this.temporaries, name, size, name, false),
        constant: (name: string, make: () => GpuData) => {
          let buffer = constants.get(name);
          if (!buffer) {
            buffer = this.own(uploadStorage(device, make(), `${node.id} ${name}`));
            constants.set(name, buffer);
          }
          return buffer;
        },
      };
      // `training` and `randomKey` are read when a layer runs, so one context serves every step.
      const forward: GpuForwardContext = {
        ...shared,
        get training() {
          return mode.training;
        },
        get randomKey() {
          return dropoutKey(mode.stepSeed, position);
        },
      };
      const backward: GpuBackwardContext = {
        ...shared,
        get training() {
          return mode.training;
        },
        get randomKey() {
          return dropoutKey(mode.stepSeed, position);
        },
        gradOutput: gradOutput ?? output,
        gradInputs: node.inputIds.map((id) => this.byId.get(id)!.gradOutput),
        gradWeights: nodeTensors(node, state.gradients),
      };
      const entry = { node, output, gradOutput, forward, backward };
      this.buffers.push(entry);
      this.byId.set(node.id, entry);
    });
    this.layers = model.nodes.map((node) => layers[node.type]);
  }

  /** The Input node's buffer: upload a batch of images here before `forward`. */
  get input(): GPUBuffer {
    return this.byId.get(this.model.input.id)!.output;
  }

  /** The head's output (the predictions) after `forward`. */
  get output(): GPUBuffer {
    return this.buffers[this.buffers.length - 1].output;
  }

  /** Records every layer's forward pass; `stepSeed` keys the step's dropout masks. Returns the head's output. */
  forward(training: boolean, stepSeed = 0): GPUBuffer {
    if (training && this.purpose === 'inference') throw new Error('this GPU plan was made for inference: it cannot run a training pass');
    this.mode.training = training;
    this.mode.stepSeed = stepSeed >>> 0;
    this.buffers.forEach(({ forward }, i) => this.layers[i].forward(forward));
    return this.output;
  }

  /** The gradient of the loss w.r.t. the head's output: the loss kernel writes it before `backward`. */
  get headGradient(): GPUBuffer {
    const gradient = this.buffers[this.buffers.length - 1].gradOutput;
    if (!gradient) throw new Error('this GPU plan was made for inference: it has no gradients');
    return gradient;
  }

  /** Records zeroing the gradients, then every layer's backward pass from the head. */
  backward(): void {
    if (this.purpose === 'inference') throw new Error('this GPU plan was made for inference: it has no gradients to run backward');
    const { runner } = this.state;
    for (const gradient of this.state.gradients.values()) runner.clear(gradient);
    for (let i = 0; i < this.buffers.length - 1; i++) {
      const gradOutput = this.buffers[i].gradOutput;
      if (gradOutput) runner.clear(gradOutput);
    }
    for (let i = this.buffers.length - 1; i >= 0; i--) {
      const { node, backward } = this.buffers[i];
      if (node.type !== 'Input') this.layers[i].backward(backward);
    }
  }

  /** A node's output buffer (read it with the runner after the work that fills it). */
  activation(id: string): GPUBuffer | undefined {
    return this.byId.get(id)?.output;
  }

  /** A node's output gradient buffer (undefined for the Input). */
  activationGradient(id: string): GPUBuffer | undefined {
    return this.byId.get(id)?.gradOutput ?? undefined;
  }

  /** Bytes of GPU memory the plan holds (outputs, gradients, scratch), without the model's tensors. */
  get bytes(): number {
    return this.owned.reduce((sum, buffer) => sum + buffer.size, 0);
  }

  destroy(): void {
    for (const buffer of this.owned) buffer.destroy();
    this.owned.length = 0;
  }

  private own(buffer: GPUBuffer): GPUBuffer {
    this.owned.push(buffer);
    return buffer;
  }

  /**
   * The buffer named `name` of at least `length` values, made on first use. A larger request
   * replaces a shared temporary (work already recorded keeps the old one; it is freed with the plan).
   */
  private sized(store: Map<string, GPUBuffer>, name: string, length: number, label: string, exact: boolean): GPUBuffer {
    const bytes = Math.max(4, length * 4);
    const existing = store.get(name);
    if (existing && (exact ? existing.size === Math.ceil(bytes / 4) * 4 : existing.size >= bytes)) return existing;
    if (existing && exact) throw new Error(`${label}: asked for ${length} values, but it holds ${existing.size / 4}`);
    const buffer = this.own(createStorage(this.state.runner.device, length, label));
    store.set(name, buffer);
    return buffer;
  }
}
