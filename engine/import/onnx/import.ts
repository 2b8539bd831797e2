/**
 * Opens an ONNX model made elsewhere (PyTorch, Keras through tf2onnx, CNN Studio's own export) as
 * an editable CNN Studio graph with its weights: the inverse of engine/export/onnx.
 *
 * `importOnnx(bytes)` reads the file (protobuf.ts), walks its nodes in order and turns each
 * operator into a layer (ops.ts), folding the patterns that exporters spread over several
 * operators. Constants and the shape arithmetic exporters write around Reshape are worked out on
 * the way (static.ts). The result is checked before it is returned: every layer is inferred by the
 * catalogue as it is added, its output shape is compared with the shape the file declares, its
 * weights with the CPU layer's state_dict, and the whole graph is analysed at the end.
 *
 * What cannot be imported is never approximated:
 * - an operator with no CNN Studio layer, or with settings the layer cannot reproduce, is listed
 *   with its node name and the reason; if anything after it needs its output (it sits in the
 *   middle of the network), the import fails with that list;
 * - operators that only end the network (a LogSoftmax, an ArgMax) are left out and listed in
 *   `skipped` when CNN Studio has no layer for them and they have no weights; the head then takes
 *   the tensor before them (a layer whose settings cannot be imported is never left out);
 * - Dropout and Identity do nothing at inference and are dropped, listed in `skipped` too.
 *
 * The graph gets an Input from the graph input's [N, C, H, W] (fixed C, H and W; any batch), node
 * ids from the ONNX node names (PyTorch's `/layer1/layer1.0/conv1/Conv` becomes `layer1_0_conv1`;
 * made unique), weights under the new state_dict names (`${id}.weight`, …), and an output head
 * chosen from the output's shape: a classification head for a vector of K ≥ 2 scores, an image
 * head for an image, a regression head otherwise; `notes` says which, and what to change.
 *
 * A final Softmax of a classifier is kept as a Softmax layer, so the imported network computes
 * exactly what the file does; the classification head warns that it applies softmax in its loss
 * (and `notes` repeats it): remove the layer before training.
 */
import { CPU_LAYERS } from '../../backends/cpu/layers';
import { analyzeGraph } from '../../graph/analyze';
import { CATALOGUE } from '../../graph/catalogue';
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDocument, type GraphEdge, type GraphNode } from '../../graph/document';
import type { LayerType } from '../../graph/layer-types';
import { compactParam, normaliseParam, type ParamSpec } from '../../graph/params';
import { elementCount, formatShape, type Shape } from '../../graph/shape';
import type { NamedTensor } from '../../train/state-dict';
import { NotImportable, formatDims, type Act, type Consumer, type LayerSpec, type OpContext, type StaticValue } from './context';
import { OPS, UNSUPPORTED_REASONS, matchGelu, type GeluMatch } from './ops';
import { DATA_FLOAT, OnnxFormatError, dataTypeName, decodeModel, type OnnxDim, type OnnxModelProto, type OnnxNodeProto } from './protobuf';
import { STATIC_OPS, constantValue, evaluateStatic, staticFromTensor } from './static';

/** A node of the file that is not in the graph, and why. */
export interface SkippedNode {
  /** The ONNX node's name (or `#index` when it has none). */
  readonly node: string;
  readonly op: string;
  readonly reason: string;
}

export type OnnxImportResult =
  | {
      readonly ok: true;
      readonly graph: GraphDocument;
      /** The weights, named as the graph's state_dict (`conv1.weight`, `bn1.running_var`), in state_dict order. */
      readonly tensors: NamedTensor[];
      /** Nodes left out: dropped (Dropout, Identity), unused, or unsupported ops that only end the network. */
      readonly skipped: SkippedNode[];
      /** What the import decided, in sentences: the input, the head, what was folded. */
      readonly notes: string[];
    }
  | {
      readonly ok: false;
      /** What is wrong, in sentences; names every unsupported operator. */
      readonly error: string;
      /** The operators that stop the import. */
      readonly unsupported: SkippedNode[];
    };

export interface OnnxImportOptions {
  /** The graph's name when the file's graph has none or a generic one such as PyTorch's "main_graph" (e.g. the file name). */
  readonly name?: string;
}

/** Opsets the importer reads: 7 (ONNX 1.2, when BatchNormalization lost `spatial` tricks and broadcasting became numpy's) and later. */
export const MIN_OPSET = 7;
/** The newest opset whose operators the importer has been written against. */
export const MAX_KNOWN_OPSET = 22;

const DEFAULT_DOMAINS = ['', 'ai.onnx'];
/** Operators that do nothing at inference: after an unsupported one they pass its output on without blocking the import. */
const NEUTRAL_OPS = ['Identity', 'Dropout'];
/** Graph names exporters give every model (PyTorch's): the file's name, when given, says more. */
const GENERIC_GRAPH_NAMES = ['', 'torch_jit', 'torch-jit-export', 'main_graph'];
/** Parameters written to the graph even at their default, because they say what the layer is. */
const ALWAYS_WRITTEN = new Set(['channels', 'height', 'width', 'filters', 'kernel', 'units', 'classes', 'outputs', 'scale']);

class ImportError extends Error {
  constructor(
    message: string,
    readonly unsupported: SkippedNode[] = [],
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

const describeNode = (node: OnnxNodeProto, index: number): string => node.name || `#${index}`;

const listSkipped = (nodes: readonly SkippedNode[]): string =>
  nodes.map((node) => `"${node.node}" (${node.op}): ${node.reason}`).join('; ');

/** Readable, valid node ids from ONNX node names. */
const sanitise = (name: string): string =>
  name
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, 56);

/**
 * The name an ONNX node suggests. PyTorch names a node by its module scope and op type:
 * `/layer1/layer1.0/conv1/Conv` is module `layer1.0.conv1` (a scope repeats its parent's path or
 * adds to it), `/Relu_1` a functional op at the top.
 */
const baseName = (node: OnnxNodeProto): string => {
  if (!node.name.startsWith('/')) return node.name;
  const parts = node.name.split('/').filter(Boolean);
  const last = parts[parts.length - 1] ?? '';
  const suffix = last.slice(node.opType.length);
  if (parts.length > 1 && last.startsWith(node.opType) && (suffix === '' || /^_\d+$/.test(suffix))) parts.pop();
  let path = '';
  for (const part of parts) path = path && !part.startsWith(`${path}.`) ? `${path}.${part}` : part;
  return path;
};

/** The name of a layer made of several nodes: the one the others are stages of (`gap` for `gap/pool`), else the main node's. */
const groupName = (nodes: readonly OnnxNodeProto[]): string => {
  for (const candidate of nodes.length > 1 ? nodes : []) {
    if (candidate.name && nodes.every((node) => node === candidate || node.name.startsWith(`${candidate.name}/`))) return candidate.name;
  }
  return baseName(nodes[0]);
};

const sameDims = (declared: readonly OnnxDim[], shape: readonly number[]): boolean =>
  declared.length === shape.length + 1 &&
  shape.every((dim, i) => declared[i + 1] === null || typeof declared[i + 1] === 'string' || declared[i + 1] === dim);

class Importer {
  private readonly graph: OnnxModelProto['graph'];
  private readonly nodes: readonly OnnxNodeProto[];
  private readonly opset: number;
  /** Activations by ONNX tensor name. */
  private readonly acts = new Map<string, Act>();
  private readonly statics = new Map<string, StaticValue>();
  /** Tensors computed from constants that the importer cannot work out, with why. */
  private readonly unknown = new Map<string, string>();
  /** Tensors downstream of an unsupported node, with that node. */
  private readonly poisoned = new Map<string, SkippedNode>();
  private readonly producers = new Map<string, number>();
  private readonly consumerIndex = new Map<string, Consumer[]>();
  private readonly live = new Set<number>();
  private readonly folded = new Set<number>();
  private readonly gelus = new Map<number, GeluMatch>();
  private readonly declared = new Map<string, readonly OnnxDim[]>();
  private readonly sparse = new Set<string>();
  private readonly ids = new Set<string>();

  private readonly docNodes: GraphNode[] = [];
  private readonly edges: GraphEdge[] = [];
  private readonly tensors: NamedTensor[] = [];
  private readonly skipped: SkippedNode[] = [];
  private readonly unsupported: SkippedNode[] = [];
  /** The node index of each entry of `unsupported`. */
  private readonly unsupportedAt: number[] = [];
  /** Importable nodes that an unsupported node before them keeps from being imported. */
  private readonly blocked: SkippedNode[] = [];
  private readonly notes: string[] = [];

  private input!: Act;
  private inputShape!: Shape;
  private fixedBatch: number | null = null;
  private output!: string;

  constructor(
    private readonly model: OnnxModelProto,
    private readonly options: OnnxImportOptions,
  ) {
    this.graph = model.graph;
    this.nodes = model.graph.nodes;
    this.opset = this.checkOpsets();
  }

  run(): OnnxImportResult {
    const { model, graph } = this;
    this.notes.push(
      `Read an ONNX model${model.producerName ? ` made by ${model.producerName}${model.producerVersion ? ` ${model.producerVersion}` : ''}` : ''} ` +
        `(IR version ${model.irVersion}, opset ${this.opset}): ${this.nodes.length} operators, ${graph.initializers.length} initializers.`,
    );
    for (const info of [...graph.valueInfo, ...graph.outputs]) if (info.shape) this.declared.set(info.name, info.shape);
    for (const tensor of graph.initializers) this.statics.set(tensor.name, staticFromTensor(tensor));
    for (const name of graph.sparseInitializers) this.sparse.add(name);
    this.addInput();
    this.indexNodes();
    this.findGelus();
    this.walk();
    this.addHead();
    if (this.tensors.length) {
      this.notes.push(`Weights are renamed to the graph's state_dict names (${this.tensors[0].name}, …): ${this.tensors.length} tensors.`);
    }
    const document: GraphDocument = {
      format: GRAPH_FORMAT,
      version: GRAPH_VERSION,
      name: (GENERIC_GRAPH_NAMES.includes(graph.name) ? null : graph.name) ?? this.options.name ?? (graph.name || 'imported'),
      description:
        (model.docString ? `${model.docString.trim()}\n\n` : '') +
        `Imported from ONNX${model.producerName ? ` (made by ${model.producerName})` : ''}, opset ${this.opset}.`,
      nodes: this.layout(),
      edges: this.edges,
    };
    const report = analyzeGraph(document);
    const errors = report.issues.filter((issue) => issue.severity === 'error');
    if (errors.length) throw new Error(`the imported graph does not check: ${errors.map((issue) => issue.message).join('; ')}`);
    for (const issue of report.issues) this.notes.push(`Check: ${issue.message}.`);
    return { ok: true, graph: document, tensors: this.tensors, skipped: this.skipped, notes: this.notes };
  }

  // ---------------------------------------------------------------- the file's frame

  private checkOpsets(): number {
    const opset = this.model.opsets.find((entry) => DEFAULT_DOMAINS.includes(entry.domain));
    if (!opset) throw new ImportError('The file does not say which version of the ONNX operators it uses (no default opset_import).');
    if (opset.version < MIN_OPSET) {
      throw new ImportError(
        `The file uses ONNX opset ${opset.version}; the importer reads opset ${MIN_OPSET} and later. Export it again with a newer opset.`,
      );
    }
    return opset.version;
  }

  private addInput(): void {
    const initializers = new Set(this.graph.initializers.map((tensor) => tensor.name));
    const inputs = this.graph.inputs.filter((input) => !initializers.has(input.name));
    if (inputs.length !== 1) {
      throw new ImportError(
        inputs.length === 0
          ? 'The network has no input.'
          : `The network has ${inputs.length} inputs (${inputs.map((input) => `"${input.name}"`).join(', ')}); a CNN Studio network takes one image.`,
      );
    }
    const [input] = inputs;
    if (input.elemType !== DATA_FLOAT && input.elemType !== 0) {
      throw new ImportError(
        `The input "${input.name}" is ${input.elemType < 0 ? 'not a tensor' : dataTypeName(input.elemType)}; CNN Studio takes float32 images.`,
      );
    }
    if (!input.shape)
      throw new ImportError(`The file does not give the shape of the input "${input.name}"; CNN Studio needs [N, C, H, W].`);
    if (input.shape.length !== 4) {
      throw new ImportError(`The input "${input.name}" is ${formatDims(input.shape)}; CNN Studio takes images [N, C, H, W].`);
    }
    const [batch, ...sizes] = input.shape;
    const names = ['channels', 'height', 'width'];
    sizes.forEach((size, i) => {
      if (typeof size !== 'number' || size < 1) {
        throw new ImportError(
          `The input's ${names[i]} is ${size === null ? 'unknown' : `"${size}"`} in ${formatDims(input.shape!)}; CNN Studio needs a fixed size. Export the model with a fixed input size.`,
        );
      }
    });
    const [channels, height, width] = sizes as number[];
    for (const [i, value] of [channels, height, width].entries()) {
      const result = normaliseParam(CATALOGUE.Input.params[names[i] as 'channels'], value);
      if (!result.ok) throw new ImportError(`The input's ${names[i]} ${result.problem}.`);
    }
    if (typeof batch === 'number') {
      this.fixedBatch = batch;
      this.notes.push(`The file fixes the batch size at ${batch}; the imported network takes any batch size.`);
    }
    const id = this.claimId(sanitise(input.name) || 'input', 'input');
    this.inputShape = [channels, height, width];
    this.docNodes.push({ id, type: 'Input', params: { channels, height, width } });
    this.input = { node: id, type: 'Input', shape: this.inputShape, onnx: this.inputShape };
    this.acts.set(input.name, this.input);
    this.notes.push(`Input ${id}: ${formatShape(this.inputShape)} images, from the graph input "${input.name}".`);
  }

  /** Producers, the output, which nodes lead to it, and who reads what. */
  private indexNodes(): void {
    this.nodes.forEach((node, index) => {
      for (const output of node.outputs) {
        if (!output) continue;
        if (this.producers.has(output) || this.acts.has(output) || this.statics.has(output)) {
          throw new ImportError(
            `The tensor "${output}" is written twice (by node "${describeNode(node, index)}" and before); the file is not valid ONNX.`,
          );
        }
        this.producers.set(output, index);
      }
    });
    const outputs = this.graph.outputs;
    if (!outputs.length) throw new ImportError('The network has no output.');
    this.output = outputs[0].name;
    if (outputs.length > 1) {
      this.notes.push(
        `The network has ${outputs.length} outputs; the first, "${this.output}", is imported (a CNN Studio network has one). ` +
          `Left out: ${outputs
            .slice(1)
            .map((output) => `"${output.name}"`)
            .join(', ')}.`,
      );
    }
    const pending = [this.output];
    const seen = new Set<string>();
    while (pending.length) {
      const tensor = pending.pop()!;
      if (seen.has(tensor)) continue;
      seen.add(tensor);
      const index = this.producers.get(tensor);
      if (index === undefined || this.live.has(index)) continue;
      this.live.add(index);
      for (const input of this.nodes[index].inputs) if (input) pending.push(input);
    }
    if (!this.producers.has(this.output) && !this.acts.has(this.output)) {
      throw new ImportError(`The output "${this.output}" is ${this.statics.has(this.output) ? 'a constant' : 'written by no node'}.`);
    }
    for (const index of [...this.live].sort((a, b) => a - b)) {
      this.nodes[index].inputs.forEach((input) => {
        if (!input) return;
        const list = this.consumerIndex.get(input) ?? [];
        if (!list.some((consumer) => consumer.index === index)) list.push({ node: this.nodes[index], index });
        this.consumerIndex.set(input, list);
      });
    }
    // Constants first: they have no inputs, and the patterns below need their values.
    this.nodes.forEach((node, index) => {
      if (node.opType !== 'Constant' || !DEFAULT_DOMAINS.includes(node.domain)) return;
      try {
        this.statics.set(node.outputs[0], constantValue(node));
      } catch (error) {
        if (!(error instanceof NotImportable)) throw error;
        this.unknown.set(node.outputs[0], `the Constant "${describeNode(node, index)}": ${error.reason}`);
      }
    });
  }

  private findGelus(): void {
    const lookup = {
      producer: (tensor: string) => {
        const index = this.producers.get(tensor);
        return index === undefined ? null : { node: this.nodes[index], index };
      },
      soleConsumer: (tensor: string) => this.soleConsumer(tensor),
      scalar: (tensor: string) => {
        const value = this.statics.get(tensor);
        return value?.floats && value.floats.length === 1 ? value.floats[0] : null;
      },
    };
    this.nodes.forEach((node, index) => {
      if (node.opType !== 'Erf' || !this.live.has(index)) return;
      const match = matchGelu(index, node, lookup);
      if (!match || match.indices.some((i) => this.folded.has(i) || this.gelus.has(i))) return;
      this.gelus.set(match.indices[0], match);
      for (const i of match.indices.slice(1)) this.folded.add(i);
    });
  }

  private consumers(tensor: string): readonly Consumer[] {
    return this.consumerIndex.get(tensor) ?? [];
  }

  private soleConsumer(tensor: string): Consumer | null {
    const consumers = this.consumers(tensor);
    return consumers.length === 1 && tensor !== this.output ? consumers[0] : null;
  }

  // ---------------------------------------------------------------- the walk

  private defined(tensor: string): boolean {
    return (
      this.acts.has(tensor) || this.statics.has(tensor) || this.unknown.has(tensor) || this.poisoned.has(tensor) || this.sparse.has(tensor)
    );
  }

  private walk(): void {
    this.nodes.forEach((node, index) => {
      if (this.folded.has(index) || (node.opType === 'Constant' && DEFAULT_DOMAINS.includes(node.domain))) return;
      const name = describeNode(node, index);
      if (!this.live.has(index)) {
        this.skipped.push({ node: name, op: node.opType, reason: 'its result does not reach the imported output' });
        return;
      }
      const inputs = node.inputs.filter(Boolean);
      for (const input of inputs) {
        if (this.defined(input)) continue;
        const producer = this.producers.get(input);
        throw new ImportError(
          producer !== undefined
            ? `The nodes are not in order: "${name}" reads "${input}" before "${describeNode(this.nodes[producer], producer)}" writes it.`
            : `"${name}" (${node.opType}) reads "${input}", which is not an input, an initializer or any node's output.`,
        );
      }
      const culprit = inputs.map((input) => this.poisoned.get(input)).find(Boolean);
      if (culprit) {
        this.poison(node, index, culprit);
        return;
      }
      if (!DEFAULT_DOMAINS.includes(node.domain)) {
        this.reject(node, index, `it is a custom operator of the "${node.domain}" domain`);
        return;
      }
      const gelu = this.gelus.get(index);
      if (gelu) {
        this.importGelu(node, index, gelu);
        return;
      }
      if (inputs.length && inputs.every((input) => this.statics.has(input) || this.unknown.has(input))) {
        this.evaluate(node, index);
        return;
      }
      const handler = OPS[node.opType];
      if (!handler) {
        this.reject(node, index, UNSUPPORTED_REASONS[node.opType] ?? `${node.opType} has no CNN Studio layer`);
        return;
      }
      // Nodes folded into this one count as imported only if it is.
      const folds: number[] = [];
      try {
        handler(this.context(node, index, folds));
        for (const fold of folds) this.folded.add(fold);
      } catch (error) {
        if (!(error instanceof NotImportable)) throw error;
        this.reject(node, index, error.reason);
      }
    });
    if (this.blocked.length) {
      const [first] = this.unsupported;
      throw new ImportError(
        `Cannot import: ${this.unsupported.length === 1 ? 'an operator' : `${this.unsupported.length} operators`} in the middle of the network ` +
          `cannot be imported: ${listSkipped(this.unsupported)}. ` +
          `The layers after ${this.unsupported.length === 1 ? `"${first.node}"` : 'them'} need ${this.unsupported.length === 1 ? 'its' : 'their'} output ` +
          `(${this.blocked
            .slice(0, 5)
            .map((node) => `"${node.node}" (${node.op})`)
            .join(', ')}${this.blocked.length > 5 ? `, and ${this.blocked.length - 5} more` : ''}).`,
        this.unsupported,
      );
    }
  }

  /** A node whose inputs are all constants: worked out now, or marked unknown with why. */
  private evaluate(node: OnnxNodeProto, index: number): void {
    const inputs = node.inputs.map((input) => (input ? (this.statics.get(input) ?? null) : null));
    const unknown = node.inputs.map((input) => this.unknown.get(input)).find(Boolean);
    try {
      if (unknown) throw new NotImportable(unknown);
      if (!STATIC_OPS.has(node.opType)) throw new NotImportable(`${node.opType} is not worked out while importing`);
      this.statics.set(node.outputs[0], evaluateStatic(node, inputs, this.opset));
    } catch (error) {
      if (!(error instanceof NotImportable)) throw error;
      const reason = unknown ?? `"${describeNode(node, index)}" (${node.opType}): ${error.reason}`;
      for (const output of node.outputs) if (output) this.unknown.set(output, reason);
    }
  }

  private importGelu(node: OnnxNodeProto, index: number, match: GeluMatch): void {
    const from = match.indices.map((i) => this.nodes[i]);
    const erf = from.find((candidate) => candidate.opType === 'Erf')!;
    try {
      const x = this.acts.get(match.input);
      if (!x || x.pad) throw new NotImportable("its input is not a layer's output");
      const act = this.addLayer({
        type: 'GELU',
        params: {},
        inputs: [x],
        from: [erf, ...from.filter((n) => n !== erf)],
        output: match.output,
        onnx: x.onnx,
      });
      this.notes.push(
        `The operators ${from.map((n) => `"${n.name}"`).join(', ')} compute 0.5·x·(1 + erf(x/√2)): imported as one GELU layer (${act.node}).`,
      );
    } catch (error) {
      if (!(error instanceof NotImportable)) throw error;
      this.reject(node, index, `it is the start of a GELU, which cannot be imported: ${error.reason}`);
    }
  }

  private reject(node: OnnxNodeProto, index: number, reason: string): void {
    const entry = { node: describeNode(node, index), op: node.opType, reason };
    this.unsupported.push(entry);
    this.unsupportedAt.push(index);
    this.poisonOutputs(node, index, entry);
  }

  /** A node after an unsupported one: it cannot be imported either; if it could have been, the unsupported one is in the middle. */
  private poison(node: OnnxNodeProto, index: number, culprit: SkippedNode): void {
    const name = describeNode(node, index);
    if (NEUTRAL_OPS.includes(node.opType)) {
      this.skipped.push({ node: name, op: node.opType, reason: `it passes on the output of "${culprit.node}", which is left out` });
    } else if (OPS[node.opType] || STATIC_OPS.has(node.opType) || this.gelus.has(index)) {
      this.blocked.push({ node: name, op: node.opType, reason: `it needs the output of "${culprit.node}" (${culprit.op})` });
    } else {
      this.unsupported.push({
        node: name,
        op: node.opType,
        reason: UNSUPPORTED_REASONS[node.opType] ?? `${node.opType} has no CNN Studio layer`,
      });
      this.unsupportedAt.push(index);
    }
    this.poisonOutputs(node, index, culprit);
  }

  /** Marks what a node writes as unavailable; for the start of a GELU, what the whole pattern writes. */
  private poisonOutputs(node: OnnxNodeProto, index: number, culprit: SkippedNode): void {
    for (const output of node.outputs) if (output) this.poisoned.set(output, culprit);
    const gelu = this.gelus.get(index);
    if (gelu) this.poisoned.set(gelu.output, culprit);
  }

  // ---------------------------------------------------------------- what an operator's import sees

  private context(node: OnnxNodeProto, index: number, folds: number[]): OpContext {
    const tensorAt = (i: number): string => node.inputs[i] ?? '';
    const describeInput = (i: number, what: string): string => `its ${what} ("${tensorAt(i)}")`;
    const constantAt = (i: number): StaticValue | null => this.statics.get(tensorAt(i)) ?? null;
    const whyUnknown = (i: number, what: string): never => {
      const tensor = tensorAt(i);
      if (!tensor) throw new NotImportable(`${what} is missing`);
      if (this.sparse.has(tensor))
        throw new NotImportable(`${describeInput(i, what)} is a sparse tensor, which the importer does not read`);
      if (this.acts.has(tensor)) throw new NotImportable(`${describeInput(i, what)} is computed by the network, not a constant`);
      const reason = this.unknown.get(tensor);
      throw new NotImportable(
        `${describeInput(i, what)} is computed at run time and cannot be worked out while importing${reason ? ` (${reason})` : ''}`,
      );
    };
    return {
      opset: this.opset,
      node,
      index,
      fixedBatch: this.fixedBatch,
      hasInput: (i) => Boolean(tensorAt(i)),
      isAct: (i) => this.acts.has(tensorAt(i)),
      act: (i, allowPad = false) => {
        const act = this.acts.get(tensorAt(i));
        if (!act) {
          if (!tensorAt(i)) throw new NotImportable(`its input ${i + 1} is missing`);
          throw new NotImportable(`its input ${i + 1} ("${tensorAt(i)}") is a constant where CNN Studio's layer takes a layer's output`);
        }
        if (act.pad && !allowPad) {
          throw new NotImportable(`it follows the Pad "${act.pad.from.name}", which can only be folded into a convolution or pooling`);
        }
        return act;
      },
      constant: constantAt,
      constantNamed: (name) => this.statics.get(name) ?? null,
      weights: (i, what) => {
        const value = constantAt(i);
        if (!value) return whyUnknown(i, what);
        if (value.external)
          throw new NotImportable(`${describeInput(i, what)} is kept in an external data file; save the model with its weights inside`);
        if (value.dataType !== DATA_FLOAT || !value.floats) {
          throw new NotImportable(`${describeInput(i, what)} is ${dataTypeName(value.dataType)}; the importer takes float32 weights only`);
        }
        return { dims: value.dims, data: value.floats };
      },
      integers: (i, what) => {
        const value = constantAt(i);
        if (!value) return whyUnknown(i, what);
        if (!value.ints) throw new NotImportable(`${describeInput(i, what)} is ${dataTypeName(value.dataType)}, not integers`);
        return value.ints;
      },
      consumers: (tensor) => this.consumers(tensor),
      soleConsumer: (tensor) => this.soleConsumer(tensor),
      fold: (i) => {
        if (i <= index || this.folded.has(i) || folds.includes(i))
          throw new Error(`internal: node ${i} cannot be folded into node ${index}`);
        folds.push(i);
      },
      addLayer: (spec) => this.addLayer(spec),
      alias: (output, act) => this.setAct(output, act),
      setConstant: (output, value) => this.statics.set(output, value),
      note: (text) => this.notes.push(text),
      dropped: (reason) => this.skipped.push({ node: describeNode(node, index), op: node.opType, reason }),
    };
  }

  private setAct(output: string, act: Act): void {
    if (this.acts.has(output)) throw new Error(`internal: tensor "${output}" is imported twice`);
    this.checkDeclared(output, act.onnx, 'CNN Studio');
    this.acts.set(output, act);
  }

  /** The shape the file declares for a tensor (value_info, outputs) must be the imported one. */
  private checkDeclared(tensor: string, onnx: readonly number[], who: string): void {
    const declared = this.declared.get(tensor);
    if (declared && !sameDims(declared, onnx)) {
      throw new NotImportable(`the file says its output is ${formatDims(declared)} but ${who} computes ${formatDims(['N', ...onnx])}`);
    }
  }

  private claimId(base: string, fallback: string): string {
    let stem = base && /^[A-Za-z_]/.test(base) ? base : `${fallback}${base ? `_${base}` : ''}`;
    stem = stem.slice(0, 56);
    let id = stem;
    for (let n = 2; this.ids.has(id); n++) id = `${stem}_${n}`;
    this.ids.add(id);
    return id;
  }

  /**
   * Adds a layer: its parameters checked by the catalogue, its shape inferred and compared with
   * the file's, its weights with the CPU layer's state_dict. Throws NotImportable before adding
   * anything if the layer cannot take the operator's settings.
   */
  private addLayer(spec: LayerSpec): Act {
    const definition = CATALOGUE[spec.type];
    const specs = definition.params as Record<string, ParamSpec>;
    for (const key of Object.keys(spec.params)) if (!(key in specs)) throw new Error(`internal: ${spec.type} has no parameter "${key}"`);
    const params: Record<string, unknown> = {};
    const written: Record<string, unknown> = {};
    for (const [key, paramSpec] of Object.entries(specs)) {
      const result = normaliseParam(paramSpec, spec.params[key]);
      if (!result.ok) throw new NotImportable(`as CNN Studio's ${definition.title} its ${paramSpec.label.toLowerCase()} ${result.problem}`);
      params[key] = result.value;
      const value = JSON.stringify(result.value);
      // A stride is written unless it is 1, whatever the layer's default (pooling's is 2).
      if (ALWAYS_WRITTEN.has(key) || value !== JSON.stringify(paramSpec.default) || (key === 'stride' && value !== '[1,1]')) {
        written[key] = compactParam(paramSpec, result.value);
      }
    }
    const inputShapes = spec.inputs.map((input) => input.shape);
    const problems: string[] = [];
    const result = definition.infer({
      nodeId: 'layer',
      params,
      inputs: inputShapes,
      inputTypes: spec.inputs.map((input) => input.type),
      graphInput: this.inputShape,
      error: (_code, message) => problems.push(message),
      warn: () => undefined,
    });
    if (!result || problems.length) {
      throw new NotImportable(`CNN Studio's ${definition.title} cannot take it: ${problems.join('; ') || 'its shapes do not fit'}`);
    }
    const onnx = spec.onnx ?? result.shape;
    if (spec.output !== null) this.checkDeclared(spec.output, onnx, `CNN Studio's ${definition.title}`);
    const weightSpecs = CPU_LAYERS[spec.type].weights(params, inputShapes, result.shape);
    const given = spec.weights ?? {};
    for (const weight of weightSpecs) {
      const data = given[weight.name];
      if (!data || data.length !== elementCount(weight.shape)) {
        throw new Error(
          `internal: ${spec.type} weight "${weight.name}" [${weight.shape.join(', ')}] is ${data ? `${data.length} values` : 'missing'}`,
        );
      }
    }
    for (const name of Object.keys(given)) {
      if (!weightSpecs.some((weight) => weight.name === name)) throw new Error(`internal: ${spec.type} has no weight "${name}"`);
    }
    if (spec.output !== null && this.acts.has(spec.output)) throw new Error(`internal: tensor "${spec.output}" is imported twice`);
    const id = this.claimId(sanitise(spec.name ?? groupName(spec.from)), spec.type.toLowerCase());
    this.docNodes.push(Object.keys(written).length ? { id, type: spec.type, params: written } : { id, type: spec.type });
    spec.inputs.forEach((input, port) =>
      this.edges.push(spec.inputs.length > 1 ? { source: input.node, target: id, targetPort: port } : { source: input.node, target: id }),
    );
    for (const weight of weightSpecs)
      this.tensors.push({ name: `${id}.${weight.name}`, shape: [...weight.shape], data: given[weight.name] });
    const act: Act = { node: id, type: spec.type, shape: result.shape, onnx };
    if (spec.output !== null) this.acts.set(spec.output, act);
    return act;
  }

  // ---------------------------------------------------------------- the end

  /** The tensor the head takes: the output, or the one before the unsupported operators that end the network. */
  private headInput(): Act {
    const direct = this.acts.get(this.output);
    if (direct) {
      if (this.unsupported.length) throw new ImportError(`Cannot import: ${listSkipped(this.unsupported)}.`, this.unsupported);
      return direct;
    }
    const culprit = this.poisoned.get(this.output);
    if (!culprit) throw new ImportError(`The output "${this.output}" is not computed from the input.`);
    // Everything unsupported ends the network (nothing importable needs it): the head takes what feeds those operators.
    const feeding = new Map<string, Act>();
    for (const index of this.unsupportedAt) {
      for (const input of this.nodes[index].inputs) {
        const act = input ? this.acts.get(input) : undefined;
        if (act) feeding.set(act.node, act);
      }
    }
    // Only operators CNN Studio has no layer for are left out; a layer whose settings cannot be imported is not dropped.
    const importable = this.unsupportedAt.filter(
      (index) => DEFAULT_DOMAINS.includes(this.nodes[index].domain) && OPS[this.nodes[index].opType],
    );
    if (importable.length) {
      throw new ImportError(
        `Cannot import: the network ends in operators whose settings CNN Studio cannot reproduce: ${listSkipped(this.unsupported)}.`,
        this.unsupported,
      );
    }
    const weighted = this.unsupportedAt.filter((index) =>
      this.nodes[index].inputs.some((input) => {
        const value = this.statics.get(input);
        return value !== undefined && value.dataType === DATA_FLOAT && elementCount(value.dims) > 1;
      }),
    );
    if (weighted.length) {
      throw new ImportError(
        `Cannot import: the network ends in operators that cannot be imported (${listSkipped(this.unsupported)}), ` +
          `and ${weighted.map((index) => `"${describeNode(this.nodes[index], index)}"`).join(', ')} ${weighted.length === 1 ? 'has' : 'have'} weights, so leaving ${weighted.length === 1 ? 'it' : 'them'} out would change the network.`,
        this.unsupported,
      );
    }
    const [only] = feeding.values();
    if (feeding.size === 1 && (only.node === this.input.node || only.pad)) {
      throw new ImportError(`Cannot import: nothing in the network can be imported (${listSkipped(this.unsupported)}).`, this.unsupported);
    }
    if (feeding.size !== 1) {
      throw new ImportError(
        `Cannot import: the network ends in operators that cannot be imported (${listSkipped(this.unsupported)}), ` +
          `and they take ${feeding.size === 0 ? "no layer's output" : `several layers' outputs (${[...feeding.keys()].join(', ')})`}, so no output head can replace them.`,
        this.unsupported,
      );
    }
    for (const entry of this.unsupported) {
      this.skipped.push({
        ...entry,
        reason: `${entry.reason}; it ends the network, so it is left out and the head takes the tensor before it`,
      });
    }
    const [act] = feeding.values();
    this.notes.push(
      `Left out at the end: ${this.unsupported.map((entry) => `"${entry.node}" (${entry.op})`).join(', ')}; the output head takes ${act.node} instead.`,
    );
    return act;
  }

  private addHead(): Act {
    const input = this.headInput();
    if (input.node === this.input.node) throw new ImportError('The network has no layers: its output is its input.');
    const shape = input.shape;
    let type: LayerType;
    let params: Record<string, unknown>;
    let why: string;
    if (shape.length === 3) {
      const matchInputSize = shape[1] === this.inputShape[1] && shape[2] === this.inputShape[2];
      type = 'ImageHead';
      params = { matchInputSize };
      why =
        `its output is an image (${formatShape(shape)}): an image output (ImageHead) with the mean squared error is added; ` +
        'choose binary cross-entropy for masks';
    } else if (shape[0] >= 2) {
      type = 'ClassificationHead';
      params = { classes: shape[0] };
      why =
        `its output is a vector of ${shape[0]} scores: a classification output (ClassificationHead) for ${shape[0]} classes is added; ` +
        'change it to a regression or binary output if the numbers are not class scores';
    } else {
      type = 'RegressionHead';
      params = { outputs: shape[0] };
      why = 'its output is one number: a regression output (RegressionHead) is added; change it to a binary output for a yes/no score';
    }
    // CNN Studio's export writes its head as an Identity named by the head's id: that name comes back.
    const producer = this.producers.get(this.output);
    const final = producer === undefined ? null : this.nodes[producer];
    const named = final !== null && final.opType === 'Identity' && final.name !== '';
    const name = named ? final.name : this.output || 'output';
    if (named) {
      const at = this.skipped.findIndex((entry) => entry.node === final.name && entry.op === 'Identity');
      if (at >= 0) this.skipped.splice(at, 1);
    }
    const head = this.addLayer({ type, params, inputs: [input], from: [], name, output: null });
    this.notes.push(`Output ${head.node}: ${why}.`);
    if (input.onnx.length !== input.shape.length) {
      this.notes.push(
        `The file's output is ${formatDims(['N', ...input.onnx])}; CNN Studio's global pooling gives the same values as a vector ${formatDims(['N', ...input.shape])}.`,
      );
    }
    if (type === 'ClassificationHead' && input.type === 'Sigmoid') {
      this.notes.push(
        `The network ends in a sigmoid (${input.node}): if its outputs are independent yes/no scores, use a binary output (BinaryHead) ` +
          'and remove the Sigmoid layer, which that head applies inside its loss.',
      );
    }
    if (type === 'ClassificationHead' && input.type === 'Softmax') {
      this.notes.push(
        `The network ends in a softmax (${input.node}); it is kept, so the imported network outputs probabilities as the file does. ` +
          'The classification head applies softmax inside its loss: remove that layer before training.',
      );
    }
    return head;
  }

  /** Rows by depth from the input, as the templates are laid out. */
  private layout(): GraphNode[] {
    const sources = new Map<string, string[]>();
    for (const edge of this.edges) sources.set(edge.target, [...(sources.get(edge.target) ?? []), edge.source]);
    const depth = new Map<string, number>();
    for (const node of this.docNodes) {
      const parents = (sources.get(node.id) ?? []).map((source) => depth.get(source) ?? 0);
      depth.set(node.id, parents.length ? Math.max(...parents) + 1 : 0);
    }
    const columns = new Map<number, number>();
    return this.docNodes.map((node) => {
      const row = depth.get(node.id)!;
      const column = columns.get(row) ?? 0;
      columns.set(row, column + 1);
      return { ...node, position: { x: column * 240, y: row * 110 } };
    });
  }
}

/**
 * Imports an ONNX model. Never throws: a file that cannot be read or imported gives `ok: false`
 * with the reason (and the operators that stop it).
 */
export const importOnnx = (bytes: Uint8Array, options: OnnxImportOptions = {}): OnnxImportResult => {
  try {
    return new Importer(decodeModel(bytes), options).run();
  } catch (error) {
    if (error instanceof OnnxFormatError) return { ok: false, error: `Not a readable ONNX file: ${error.message}.`, unsupported: [] };
    if (error instanceof ImportError) return { ok: false, error: error.message, unsupported: error.unsupported };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `The import failed unexpectedly: ${message}.`, unsupported: [] };
  }
};
