/**
 * Exports a compiled model with its current weights to ONNX (opset 17), in pure TypeScript.
 *
 * The file's contract, which tests hold it to:
 * - one graph input "input" [N, C, H, W] and one output "output" [N, …the head's shape], float32,
 *   with a symbolic batch dimension "N";
 * - every layer but the Input becomes one or more operators; the operator that produces the
 *   layer's output is named by the graph node id, inner stages `${id}/${stage}` (ids cannot hold
 *   '/', so the names never clash); each carries a doc_string with the layer's type and parameters
 *   in words;
 * - a layer's output tensor is named by its node id (the head's is "output"), with its shape in
 *   value_info;
 * - every tensor of the state_dict is an initializer under its state_dict name (`conv1.weight`,
 *   `bn1.running_var`), in state_dict order; the few constants operators need follow, named
 *   `${id}/${name}` (Resize scales, Pad widths, GELU's √2).
 */
import { CATALOGUE } from '../../graph/catalogue';
import type { Padding, ParamSpec } from '../../graph/params';
import { formatShape } from '../../graph/shape';
import type { Model, ModelNode } from '../../train/plan';
import { ONNX_OPS, type ExportContext } from './ops';
import { encodeModel, IR_VERSION, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './protobuf';

export const ONNX_OPSET = 17;
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'output';
/** The symbolic batch dimension of the input and output. */
export const ONNX_BATCH = 'N';

export interface OnnxExportOptions {
  /** The graph's name (default "cnn-studio"). */
  readonly name?: string;
  /** The model's doc_string, e.g. the project's description. */
  readonly docString?: string;
  /** Written as producer_version (default "0.1.0"). */
  readonly producerVersion?: string;
}

const describePadding = (padding: Padding): string => {
  if (padding.mode === 'valid') return 'valid (none)';
  if (padding.mode === 'same') return "same (TensorFlow's rule, any odd pixel at the bottom and right)";
  const { top, bottom, left, right } = padding;
  if (top === bottom && left === right)
    return top === left ? `${top} px on every side` : `${top} px top and bottom, ${left} px left and right`;
  return `top ${top}, bottom ${bottom}, left ${left}, right ${right} px`;
};

const describeValue = (spec: ParamSpec, value: unknown): string => {
  if (spec.kind === 'pair') return (value as readonly number[]).join('×');
  if (spec.kind === 'bool') return value ? 'yes' : 'no';
  if (spec.kind === 'padding') return describePadding(value as Padding);
  return String(value);
};

/** In words: "Convolution (Conv2D) conv1: filters 6, kernel size 5×5, …; 1×28×28 → 6×28×28." */
export const describeNode = (node: ModelNode): string => {
  const definition = CATALOGUE[node.type];
  const specs = definition.params as Record<string, ParamSpec>;
  const params = Object.entries(specs).map(([key, spec]) => `${spec.label.toLowerCase()} ${describeValue(spec, node.params[key])}`);
  const inputs = node.inputShapes.map(formatShape).join(' + ');
  return (
    `${definition.title} (${node.type}) ${node.id}` +
    (params.length ? `: ${params.join(', ')}` : '') +
    `; ${inputs ? `${inputs} → ` : ''}${formatShape(node.outputShape)}.`
  );
};

/** The tensor a layer writes: its id, "input"/"output" for the graph's ends, and never another layer's name. */
const tensorNames = (model: Model): Map<string, string> => {
  const names = new Map<string, string>();
  for (const node of model.nodes) {
    if (node === model.input) names.set(node.id, ONNX_INPUT);
    else if (node === model.head) names.set(node.id, ONNX_OUTPUT);
    else names.set(node.id, node.id === ONNX_INPUT || node.id === ONNX_OUTPUT ? `${node.id}/output` : node.id);
  }
  return names;
};

/** The model and its current weights as the bytes of an .onnx file. */
export const exportOnnx = (model: Model, options: OnnxExportOptions = {}): Uint8Array => {
  const names = tensorNames(model);
  const nodes: OnnxNode[] = [];
  const constants: OnnxTensor[] = [];
  const valueInfo: OnnxValueInfo[] = [];
  for (const node of model.nodes) {
    const doc = describeNode(node);
    const weightNames = new Set(node.weightSpecs.map((spec) => spec.name));
    const optionalWeight = (suffix: string): string | null => (weightNames.has(suffix) ? `${node.id}.${suffix}` : null);
    const context: ExportContext = {
      node,
      params: node.params,
      inputs: node.inputIds.map((id) => names.get(id)!),
      output: names.get(node.id)!,
      optionalWeight,
      weight: (suffix) => {
        const name = optionalWeight(suffix);
        if (!name) throw new Error(`ONNX export: ${node.id} (${node.type}) has no weight "${suffix}"`);
        return name;
      },
      constant: (suffix, dims, values, dataType = 'float') => {
        const name = `${node.id}/${suffix}`;
        constants.push(
          dataType === 'float'
            ? { name, dims, dataType, values: Float32Array.from(values) }
            : { name, dims, dataType, values: [...values] },
        );
        return name;
      },
      tensor: (stage) => `${node.id}/${stage}`,
      op: (opType, inputs, outputs, attributes = [], stage) => {
        // Optional inputs left out at the end are dropped; one in the middle stays as ''.
        const named = inputs.map((input) => input ?? '');
        while (named.length && named[named.length - 1] === '') named.pop();
        return {
          name: stage ? `${node.id}/${stage}` : node.id,
          opType,
          inputs: named,
          outputs,
          attributes,
          docString: stage ? `${doc} Stage: ${stage}.` : doc,
        };
      },
    };
    nodes.push(...ONNX_OPS[node.type](context));
    if (node !== model.input && node !== model.head) {
      valueInfo.push({ name: context.output, shape: [ONNX_BATCH, ...node.outputShape], docString: doc });
    }
  }
  const initializers: OnnxTensor[] = [...model.weights].map(([name, values]) => ({
    name,
    dims: model.specs.get(name)!.shape,
    dataType: 'float',
    values,
  }));
  return encodeModel({
    irVersion: IR_VERSION,
    opsets: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'CNN Studio',
    producerVersion: options.producerVersion ?? '0.1.0',
    docString: options.docString,
    graph: {
      name: options.name ?? 'cnn-studio',
      nodes,
      initializers: [...initializers, ...constants],
      inputs: [{ name: ONNX_INPUT, shape: [ONNX_BATCH, ...model.input.outputShape], docString: describeNode(model.input) }],
      outputs: [{ name: ONNX_OUTPUT, shape: [ONNX_BATCH, ...model.head.outputShape], docString: describeNode(model.head) }],
      valueInfo,
    },
  });
};
