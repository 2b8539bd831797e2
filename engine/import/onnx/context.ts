/**
 * What an operator's import sees (ops.ts) and what the importer (import.ts) provides: the tensors
 * as activations of the new graph or as constants, attribute readers, and the way to add a layer.
 */
import type { LayerType } from '../../graph/layer-types';
import type { Shape } from '../../graph/shape';
import type { OnnxAttributeProto, OnnxNodeProto } from './protobuf';

/** Thrown by an operator's import: the node cannot be imported, for this reason (in words, without the node's name). */
export class NotImportable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'NotImportable';
  }
}

/** A value known while importing: a constant of the file, or a shape worked out from the known shapes. */
export interface StaticValue {
  readonly dims: readonly number[];
  /** TensorProto.DataType: 1 float32, 7 int64, 6 int32, … */
  readonly dataType: number;
  /** float32 values. */
  readonly floats: Float32Array | null;
  /** Integer values; a null entry stands for the batch size, which is symbolic. */
  readonly ints: readonly (number | null)[] | null;
  /** True when the file keeps the data in another file. */
  readonly external?: boolean;
}

/** A Pad folded into the convolution or pooling that follows it: [top, bottom, left, right] and the value padded with. */
export interface PendingPad {
  readonly sides: readonly [number, number, number, number];
  readonly value: number;
  readonly from: OnnxNodeProto;
}

/** A tensor of the network that a layer of the new graph writes. */
export interface Act {
  /** The node of the new graph that writes it. */
  readonly node: string;
  readonly type: LayerType;
  /** Its shape in the new graph, per sample: [C, H, W] or [F]. */
  readonly shape: Shape;
  /** Its shape in the ONNX file, per sample; [C, 1, 1] where global pooling's vector stands for ONNX's [N, C, 1, 1]. */
  readonly onnx: readonly number[];
  /** A Pad waiting to be folded into the next layer. */
  readonly pad?: PendingPad;
}

export interface LayerSpec {
  readonly type: LayerType;
  /** Parameters in any form the catalogue accepts; defaults may be left out. */
  readonly params: Record<string, unknown>;
  readonly inputs: readonly Act[];
  /** Weights by their state_dict suffix (`weight`, `bias`, `depthwise.weight`, …), in the engine's layouts. */
  readonly weights?: Readonly<Record<string, Float32Array>>;
  /** The ONNX nodes it is made of, the main one first: their names give the node id. */
  readonly from: readonly OnnxNodeProto[];
  /** A name for the node id instead of the nodes' names. */
  readonly name?: string;
  /** The ONNX tensor the layer writes (null for the output head, which the file does not have). */
  readonly output: string | null;
  /** The ONNX shape of that tensor when it differs from the layer's (see Act.onnx). */
  readonly onnx?: readonly number[];
}

export interface Consumer {
  readonly node: OnnxNodeProto;
  readonly index: number;
}

export interface OpContext {
  /** The version of the default ONNX operator set. */
  readonly opset: number;
  readonly node: OnnxNodeProto;
  readonly index: number;
  /** The batch size when the file fixes it (no symbolic batch dimension), else null. */
  readonly fixedBatch: number | null;
  /** Whether input `i` is given (not left out as ''). */
  hasInput(i: number): boolean;
  /** Whether input `i` is an activation (a layer's output) rather than a constant. */
  isAct(i: number): boolean;
  /** The activation at input `i`; a pending Pad only when `allowPad`. Throws NotImportable otherwise. */
  act(i: number, allowPad?: boolean): Act;
  /** The constant at input `i`, or null when it is not known while importing. */
  constant(i: number): StaticValue | null;
  /** The constant called `name`, or null. */
  constantNamed(name: string): StaticValue | null;
  /** float32 weights at input `i`; throws NotImportable saying why not (computed at run time, another type, external data). */
  weights(i: number, what: string): { readonly dims: readonly number[]; readonly data: Float32Array };
  /** An integer constant at input `i` (null entries: the batch size). */
  integers(i: number, what: string): readonly (number | null)[];
  /** The nodes on the way to the output that read a tensor. */
  consumers(tensor: string): readonly Consumer[];
  /** The only node that reads a tensor, when there is exactly one and the tensor is not the network's output. */
  soleConsumer(tensor: string): Consumer | null;
  /** Marks a later node as imported as part of this one. */
  fold(index: number): void;
  addLayer(spec: LayerSpec): Act;
  /** The ONNX tensor `output` is `act` (Identity, Dropout, a Flatten of a vector, …). */
  alias(output: string, act: Act): void;
  setConstant(output: string, value: StaticValue): void;
  note(text: string): void;
  /** Records this node as dropped, with why (Dropout and Identity do nothing at inference). */
  dropped(reason: string): void;
}

export type OpImport = (ctx: OpContext) => void;

// ---------------------------------------------------------------- attributes

const kindName = (attribute: OnnxAttributeProto): string =>
  attribute.kind === 'other' ? `of attribute type ${attribute.type}` : attribute.kind;

export const findAttribute = (node: OnnxNodeProto, name: string): OnnxAttributeProto | undefined =>
  node.attributes.find((attribute) => attribute.name === name);

/** Refuses attributes the import does not know: what they mean could change the result. */
export const checkAttributes = (node: OnnxNodeProto, known: readonly string[]): void => {
  for (const attribute of node.attributes) {
    if (!known.includes(attribute.name)) throw new NotImportable(`its attribute "${attribute.name}" is not understood by the importer`);
  }
};

export const intAttribute = (node: OnnxNodeProto, name: string, fallback: number): number => {
  const attribute = findAttribute(node, name);
  if (!attribute) return fallback;
  if (attribute.kind !== 'int') throw new NotImportable(`its attribute "${name}" should be an integer, not ${kindName(attribute)}`);
  return attribute.value;
};

export const floatAttribute = (node: OnnxNodeProto, name: string, fallback: number): number => {
  const attribute = findAttribute(node, name);
  if (!attribute) return fallback;
  if (attribute.kind !== 'float' && attribute.kind !== 'int') {
    throw new NotImportable(`its attribute "${name}" should be a number, not ${kindName(attribute)}`);
  }
  return attribute.value;
};

export const stringAttribute = (node: OnnxNodeProto, name: string, fallback: string): string => {
  const attribute = findAttribute(node, name);
  if (!attribute) return fallback;
  if (attribute.kind !== 'string') throw new NotImportable(`its attribute "${name}" should be a string, not ${kindName(attribute)}`);
  return attribute.value;
};

export const intsAttribute = (node: OnnxNodeProto, name: string): readonly number[] | null => {
  const attribute = findAttribute(node, name);
  if (!attribute) return null;
  if (attribute.kind !== 'ints')
    throw new NotImportable(`its attribute "${name}" should be a list of integers, not ${kindName(attribute)}`);
  return attribute.value;
};

export const floatsAttribute = (node: OnnxNodeProto, name: string): readonly number[] | null => {
  const attribute = findAttribute(node, name);
  if (!attribute) return null;
  if (attribute.kind !== 'floats')
    throw new NotImportable(`its attribute "${name}" should be a list of numbers, not ${kindName(attribute)}`);
  return attribute.value;
};

/** A list attribute of exactly `length` values, or `fallback` when absent. */
export const pairAttribute = (node: OnnxNodeProto, name: string, length: number, fallback: readonly number[]): number[] => {
  const values = intsAttribute(node, name) ?? fallback;
  if (values.length !== length) {
    throw new NotImportable(`its attribute "${name}" has ${values.length} values where a 2-D operator needs ${length}`);
  }
  return [...values];
};

/** The shortest decimal that is the same float32: 1e-5 rather than 9.999999747378752e-6. */
export const cleanFloat32 = (value: number): number => {
  if (!Number.isFinite(value)) return value;
  const target = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === target) return candidate;
  }
  return target;
};

export const formatDims = (dims: readonly (number | string | null)[]): string => `[${dims.map((dim) => dim ?? '?').join(', ')}]`;
