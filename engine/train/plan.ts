/**
 * From a graph to something that runs: `compileModel` checks the graph, orders its layers and
 * creates their weights (named as PyTorch's state_dict names them); a `Plan` holds every buffer
 * one batch size needs, allocated once, and runs forward and backward passes over them.
 */
import { analyzeGraph, type GraphReport } from '../graph/analyze';
import type { LayerType } from '../graph/layer-types';
import { IssueList, parseGraph } from '../graph/parse';
import { elementCount, type Shape } from '../graph/shape';
import { heapFloats, heapInts } from '../backends/cpu/heap';
import type { AnyCpuLayer, BackwardContext, Floats, ForwardContext, WeightSpec } from '../backends/cpu/types';

export class InvalidGraphError extends Error {
  constructor(readonly report: GraphReport) {
    const errors = report.issues.filter((issue) => issue.severity === 'error');
    super(`the graph is not valid: ${errors.map((issue) => issue.message).join('; ')}`);
    this.name = 'InvalidGraphError';
  }
}

export interface ModelNode {
  readonly id: string;
  readonly type: LayerType;
  readonly layer: AnyCpuLayer;
  readonly params: Record<string, unknown>;
  /** Source node ids, in port order. */
  readonly inputIds: readonly string[];
  readonly inputShapes: readonly Shape[];
  readonly outputShape: Shape;
  readonly weightSpecs: readonly WeightSpec[];
}

export interface Model {
  /** In execution order: the Input first, the head last. */
  readonly nodes: readonly ModelNode[];
  readonly input: ModelNode;
  readonly head: ModelNode;
  /** Every tensor of the state_dict, by its full name (`conv1.weight`), in state_dict order. */
  readonly weights: Map<string, Float32Array>;
  /** Gradients of the trainable tensors, by the same names. */
  readonly gradients: Map<string, Float32Array>;
  readonly specs: Map<string, WeightSpec>;
  readonly report: GraphReport;
}

export type LayerTable = Readonly<Record<LayerType, AnyCpuLayer>>;

/** Checks the graph and creates its layers and zeroed weights. Throws InvalidGraphError for an invalid graph. */
export const compileModel = (document: unknown, layers: LayerTable): Model => {
  const report = analyzeGraph(document);
  if (!report.valid) throw new InvalidGraphError(report);
  const wiring = parseGraph(document, new IssueList())!;
  const byId = new Map(report.nodes.map((node) => [node.id, node]));
  const nodes: ModelNode[] = report.order.map((id) => {
    const node = byId.get(id)!;
    const type = node.type as LayerType;
    const ports = wiring.incoming.get(id)!;
    const inputIds = [...ports.keys()].sort((a, b) => a - b).map((port) => ports.get(port)![0].source);
    const inputShapes = inputIds.map((source) => byId.get(source)!.outputShape!);
    const params = node.params!;
    const layer = layers[type];
    return {
      id,
      type,
      layer,
      params,
      inputIds,
      inputShapes,
      outputShape: node.outputShape!,
      weightSpecs: layer.weights(params, inputShapes, node.outputShape!),
    };
  });
  const weights = new Map<string, Float32Array>();
  const gradients = new Map<string, Float32Array>();
  const specs = new Map<string, WeightSpec>();
  for (const node of nodes) {
    for (const spec of node.weightSpecs) {
      const name = `${node.id}.${spec.name}`;
      weights.set(name, new Float32Array(elementCount(spec.shape)));
      specs.set(name, spec);
      if (spec.trainable) gradients.set(name, new Float32Array(elementCount(spec.shape)));
    }
  }
  const input = nodes.find((node) => node.type === 'Input')!;
  const head = nodes[nodes.length - 1];
  return { nodes, input, head, weights, gradients, specs, report };
};

/** Named views of one node's weights, by WeightSpec name. */
const nodeTensors = (model: Model, node: ModelNode, source: Map<string, Float32Array>): Record<string, Float32Array> => {
  const tensors: Record<string, Float32Array> = {};
  for (const spec of node.weightSpecs) {
    const tensor = source.get(`${node.id}.${spec.name}`);
    if (tensor) tensors[spec.name] = tensor;
  }
  return tensors;
};

export interface PlanOptions {
  /**
   * Also compute the gradient with respect to the input (the Input node's `activationGradient`),
   * which training never needs: saliency maps do.
   */
  readonly inputGradient?: boolean;
}

interface NodeBuffers {
  readonly node: ModelNode;
  readonly output: Float32Array;
  readonly gradOutput: Float32Array;
  readonly forward: ForwardContext;
  readonly backward: BackwardContext;
}

/**
 * The buffers of one batch size. Forward and backward reuse them every step and allocate nothing.
 * They live in the CPU backend's WebAssembly heap where it can hold them (heap.ts), so that its
 * kernels run on them in place.
 */
export class Plan {
  private readonly buffers: NodeBuffers[];
  private readonly byId = new Map<string, NodeBuffers>();
  /** Read by the layers' contexts when they run, so one context serves training and inference. */
  private readonly mode = { training: false };
  /** Whether backward passes fill the Input node's `activationGradient` (PlanOptions). */
  readonly inputGradient: boolean;

  constructor(
    readonly model: Model,
    readonly batch: number,
    random: () => number,
    options: PlanOptions = {},
  ) {
    const mode = this.mode;
    this.inputGradient = options.inputGradient ?? false;
    this.buffers = [];
    for (const node of model.nodes) {
      const output = heapFloats(batch * elementCount(node.outputShape));
      const gradOutput = heapFloats(output.length);
      const scratch = new Map<string, Float32Array | Int32Array>();
      const inputs = node.inputIds.map((id) => this.byId.get(id)!.output);
      const gradInputs = node.inputIds.map((id) =>
        id === model.input.id && !options.inputGradient ? null : this.byId.get(id)!.gradOutput,
      );
      const shared = {
        params: node.params,
        batch,
        inputShapes: node.inputShapes,
        outputShape: node.outputShape,
        inputs,
        output,
        weights: nodeTensors(model, node, model.weights),
        scratch: (name: string, length: number) => reuse(scratch, name, length, Float32Array, heapFloats) as Floats,
        scratchInt: (name: string, length: number) => reuse(scratch, `int:${name}`, length, Int32Array, heapInts) as Int32Array,
        random,
      };
      // `training` is read when a layer runs, so one context serves both modes.
      const forward: ForwardContext = {
        ...shared,
        get training() {
          return mode.training;
        },
      };
      const backward: BackwardContext = {
        ...shared,
        get training() {
          return mode.training;
        },
        gradOutput,
        gradInputs,
        gradWeights: nodeTensors(model, node, model.gradients),
      };
      const entry = { node, output, gradOutput, forward, backward };
      this.buffers.push(entry);
      this.byId.set(node.id, entry);
    }
  }

  /** The Input node's buffer: write a batch of images here before `forward`. */
  get input(): Float32Array {
    return this.byId.get(this.model.input.id)!.output;
  }

  /** Runs every layer; returns the head's output (the predictions). */
  forward(training: boolean): Float32Array {
    this.mode.training = training;
    for (const { node, forward } of this.buffers) node.layer.forward(forward);
    return this.buffers[this.buffers.length - 1].output;
  }

  /** The gradient of the loss w.r.t. the head's output: write it here before `backward`. */
  get headGradient(): Float32Array {
    return this.buffers[this.buffers.length - 1].gradOutput;
  }

  /** Zeroes the gradients, then runs every layer backwards from the head. */
  backward(): void {
    for (const gradient of this.model.gradients.values()) gradient.fill(0);
    for (let i = 0; i < this.buffers.length - 1; i++) this.buffers[i].gradOutput.fill(0);
    for (let i = this.buffers.length - 1; i >= 0; i--) {
      const { node, backward } = this.buffers[i];
      if (node.type !== 'Input') node.layer.backward(backward);
    }
  }

  /**
   * Runs the layers from node `id` back to the input, starting from the gradient the caller
   * wrote into `activationGradient(id)` (the gradients of earlier nodes and of the weights are
   * zeroed first; later nodes are not run). `instead`, where given, is asked first for each node
   * and runs in place of the layer's own backward when it returns true: the deconvnet replaces
   * ReLU's backward this way.
   */
  backwardFrom(id: string, instead?: (node: ModelNode, context: BackwardContext) => boolean): void {
    const last = this.buffers.findIndex((entry) => entry.node.id === id);
    if (last < 0) throw new Error(`there is no layer '${id}' in the network`);
    for (const gradient of this.model.gradients.values()) gradient.fill(0);
    for (let i = 0; i < last; i++) this.buffers[i].gradOutput.fill(0);
    for (let i = last; i >= 0; i--) {
      const { node, backward } = this.buffers[i];
      if (node.type === 'Input' || instead?.(node, backward)) continue;
      node.layer.backward(backward);
    }
  }

  /** A node's output from the last forward pass (for visualisation and tests). */
  activation(id: string): Float32Array | undefined {
    return this.byId.get(id)?.output;
  }

  /** A node's output gradient from the last backward pass. */
  activationGradient(id: string): Float32Array | undefined {
    return this.byId.get(id)?.gradOutput;
  }
}

const reuse = <T extends Float32Array | Int32Array>(
  store: Map<string, Float32Array | Int32Array>,
  name: string,
  length: number,
  Kind: abstract new (...args: never[]) => T,
  create: (length: number) => T,
): T => {
  const existing = store.get(name);
  if (existing instanceof Kind && existing.length === length) return existing as T;
  const created = create(length);
  store.set(name, created);
  return created;
};
