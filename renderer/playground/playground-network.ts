/**
 * The playground's network: the project's graph with the host's trained weights on the CPU
 * engine in this page, one sample at a time, keeping every layer's output of the last run.
 * LeNet-sized networks take a few milliseconds, so the playground can run on every frame a
 * stroke changes.
 */
import type { TrainedNetwork } from '../../electron/api';
import { CPU_LAYERS } from '../../engine/backends/cpu/layers';
import { headProbabilities } from '../../engine/train/inference';
import { compileModel, Plan, type Model } from '../../engine/train/plan';
import { loadStateDict } from '../../engine/train/state-dict';
import { decodeFloat32 } from '../../engine/viz/encoding';

export interface LayerOutput {
  readonly id: string;
  readonly type: string;
  /** Per sample: [C, H, W] or [F]. */
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export interface PlaygroundAnswer {
  /** The head's raw outputs. */
  readonly outputs: Float32Array;
  /** Softmax (or sigmoid) of the outputs where the head has probabilities, else null. */
  readonly probabilities: Float32Array | null;
  /** Every layer after the Input, in execution order (copies). */
  readonly layers: readonly LayerOutput[];
}

export class PlaygroundNetwork {
  readonly model: Model;
  private readonly plan: Plan;

  /** Throws (InvalidGraphError, StateDictError) saying why when the graph or weights cannot run. */
  constructor(graph: unknown, network: TrainedNetwork) {
    this.model = compileModel(graph, CPU_LAYERS);
    loadStateDict(
      this.model,
      network.tensors.map((tensor) => ({ name: tensor.name, shape: tensor.shape, data: decodeFloat32(tensor.data) })),
    );
    // inference draws no random numbers (dropout is off)
    this.plan = new Plan(this.model, 1, () => 0.5);
  }

  /** The Input's [channels, height, width] (or other shape). */
  get inputShape(): readonly number[] {
    return this.model.input.outputShape;
  }

  run(input: Float32Array): PlaygroundAnswer {
    this.plan.input.set(input);
    const outputs = this.plan.forward(false).slice();
    const layers = this.model.nodes
      .filter((node) => node.type !== 'Input')
      .map((node) => ({ id: node.id, type: node.type, shape: node.outputShape, values: this.plan.activation(node.id)!.slice() }));
    return { outputs, probabilities: headProbabilities(this.model, outputs, 1), layers };
  }
}
