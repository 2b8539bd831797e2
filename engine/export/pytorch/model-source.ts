/**
 * model.py: the network as one readable nn.Module. `__init__` creates one attribute per layer,
 * named by its node id, so `state_dict()` names are the engine's exactly; `forward` computes the
 * layers in the engine's order, one line and one comment (type, output shape) per layer, each
 * output in a variable named after its layer.
 */
import { formatShape } from '../../graph/shape';
import { helperSource, type HelperName } from './helpers';
import { PYTORCH_LAYERS, type LayerCode } from './layers';
import type { ModelOutline, OutlineNode } from './outline';
import { canAddModule, docText, isPlainAttribute, pyString, pyTuple, VariableNames } from './python';

export interface ModelSourceOptions {
  readonly className: string;
  /** The project's name, for the docstring. */
  readonly title: string;
  readonly description?: string;
  /** `CNN Studio 0.1.0`. */
  readonly producer: string;
}

/** Names forward's code uses besides the layer variables. */
const RESERVED_VARIABLES = ['x', 'self', 'F', 'nn', 'torch', 'math'];

const HEAD_OUTPUTS: Record<string, string> = {
  ClassificationHead: 'one score (logit) per class; train.py applies softmax cross-entropy',
  RegressionHead: 'the predicted values; train.py applies mean squared error',
  BinaryHead: 'one raw score (logit) per answer; train.py applies sigmoid binary cross-entropy',
  ImageHead: 'the predicted image',
};

/** Wraps prose at `width` columns, each line starting with `prefix`. */
export const wrap = (text: string, prefix: string, width = 100): string[] => {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(prefix + line);
  return lines;
};

interface Emitted {
  readonly node: OutlineNode;
  readonly code: LayerCode;
  readonly variable: string;
  readonly access: string;
}

const headNote = (node: OutlineNode): string => {
  if (node.type === 'ImageHead')
    return node.params.loss === 'bce'
      ? `${HEAD_OUTPUTS.ImageHead} as raw scores (logits); train.py applies sigmoid binary cross-entropy per pixel`
      : `${HEAD_OUTPUTS.ImageHead}; train.py applies mean squared error per pixel`;
  return HEAD_OUTPUTS[node.type] ?? 'the output';
};

/** model.py from a compiled model (outlineModel) or from the graph alone (outlineGraph): the same text. */
export const writeModelSource = (model: ModelOutline, options: ModelSourceOptions): string => {
  const helpers = new Set<HelperName>();
  const variables = new VariableNames(RESERVED_VARIABLES);
  const variableOf = new Map<string, string>();
  const emitted: Emitted[] = [];
  for (const node of model.nodes) {
    const access = isPlainAttribute(node.id) ? `self.${node.id}` : `self._modules[${pyString(node.id)}]`;
    const code = PYTORCH_LAYERS[node.type]({
      node,
      params: node.params,
      module: access,
      inputs: node.inputIds.map((id) => variableOf.get(id)!),
      use: (helper) => helpers.add(helper),
    });
    const variable = node.type === 'Input' ? 'x' : variables.name(node.id);
    variableOf.set(node.id, variable);
    emitted.push({ node, code, variable, access });
  }

  const { className } = options;
  const input = model.input;
  const head = model.head;
  const result = head.inputShapes[0];
  const lines: string[] = [];
  lines.push(`"""${docText(options.title)}: the network of a CNN Studio project, as a PyTorch module.`);
  lines.push('');
  if (options.description) lines.push(...wrap(docText(options.description), ''), '');
  lines.push(
    ...wrap(
      `Exported by ${options.producer}. Every layer is an attribute named by its node id, so state_dict() ` +
        'names are the ones CNN Studio uses and weights.safetensors loads as it is:',
      '',
    ),
    '',
    '    from model import ' + className,
    '    from load_weights import load_weights',
    `    model = load_weights(${className}(), 'weights.safetensors').eval()`,
    '',
    `Input: a batch of images [N, ${input.outputShape.join(', ')}]. Output: the input of the ${head.type} '${docText(head.id)}',`,
    `[N, ${result.join(', ')}]: ${headNote(head)}.`,
    '"""',
    'import torch',
    'import torch.nn as nn',
    'import torch.nn.functional as F',
    '',
    '# One sample, without the batch axis: channels, height, width.',
    `INPUT_SHAPE = ${pyTuple(input.outputShape)}`,
    `# What forward returns for one sample (the head's input).`,
    `OUTPUT_SHAPE = ${pyTuple(result)}`,
  );
  const helperText = helperSource(helpers);
  if (helperText) lines.push('', '', helperText);

  lines.push('', '', `class ${className}(nn.Module):`);
  const classDoc = [
    `${docText(options.title)}: ${model.nodes.length} layers, ${model.trainableParameters.toLocaleString('en-US')} trainable parameters.`,
  ];
  if (emitted.some((entry) => entry.node.type !== 'Input' && entry.code.module && !isPlainAttribute(entry.node.id))) {
    classDoc.push("Layers whose ids are not plain Python names (or are names nn.Module itself uses) are reached as self._modules['id'].");
  }
  lines.push(...wrap(`"""${classDoc.join(' ')}"""`, '    '));
  lines.push('', '    def __init__(self):', '        super().__init__()');
  for (const { node, code, access } of emitted) {
    if (!code.module) continue;
    const shapes = `${node.inputShapes.map(formatShape).join(' + ')} → ${formatShape(node.outputShape)}`;
    const comment = `  # ${node.type}, ${shapes}`;
    if (isPlainAttribute(node.id)) lines.push(`        ${access} = ${code.module}${comment}`);
    else if (canAddModule(node.id)) lines.push(`        self.add_module(${pyString(node.id)}, ${code.module})${comment}`);
    else
      lines.push(
        `        # '${node.id}' is (or may be) a name nn.Module uses itself, so add_module refuses it: registered directly.`,
        `        self._modules[${pyString(node.id)}] = ${code.module}${comment}`,
      );
  }

  if (emitted.some(({ node, code }) => node.id === 'training' && code.module)) {
    // nn.Module.train() assigns self.training, which __setattr__ would take for the layer of that name.
    lines.push(
      '',
      '    def train(self, mode=True):',
      "        # A layer is called 'training' here: set the flag itself, not through nn.Module.__setattr__, which",
      '        # would take the flag for that layer.',
      "        self.__dict__['training'] = mode",
      '        for module in self.children():',
      '            module.train(mode)',
      '        return self',
    );
  }
  lines.push('', '    def forward(self, x):');
  lines.push(`        """x: [N, ${input.outputShape.join(', ')}] → [N, ${result.join(', ')}], ${headNote(head)}."""`);
  for (const { node, code, variable } of emitted) {
    const title = `${node.type}${variable === node.id || node.type === 'Input' ? '' : ` '${node.id}'`}`;
    if (node.type === 'Input') {
      lines.push(`        # x: ${title} '${node.id}', ${formatShape(node.outputShape)}`);
      continue;
    }
    if (node === head) {
      lines.push(`        return ${code.forward}  # ${title}: returns its input, ${formatShape(result)}`);
      continue;
    }
    const note = code.note ? `; ${code.note}` : '';
    lines.push(`        ${variable} = ${code.forward}  # ${title} → ${formatShape(node.outputShape)}${note}`);
  }
  lines.push('', '', `# The exported network under a fixed name, for scripts that load any export.`, `Model = ${className}`, '');
  return lines.join('\n');
};
