/**
 * Values worked out while importing: constants of the file, and the small integer computations
 * exporters write to build shapes at run time (PyTorch's `x.view(x.size(0), -1)` becomes Shape →
 * Gather → Unsqueeze → Concat → Reshape). The batch size is symbolic, so it is carried as null;
 * anything computed from it other than by moving it around is unknown, and an operator that needs
 * it says so.
 */
import { NotImportable, checkAttributes, findAttribute, intAttribute, intsAttribute, type StaticValue } from './context';
import { DATA_FLOAT, DATA_INT32, DATA_INT64, dataTypeName, type OnnxNodeProto, type OnnxTensorProto } from './protobuf';

/** Computed values larger than this are not worked out (ConstantOfShape could otherwise ask for any size). */
const MAX_COMPUTED = 1 << 20;

export const staticFromTensor = (tensor: OnnxTensorProto): StaticValue => ({
  dims: tensor.dims,
  dataType: tensor.dataType,
  floats: tensor.floats,
  ints: tensor.ints,
  external: tensor.external,
});

const isInteger = (value: StaticValue): boolean => value.ints !== null;

const count = (dims: readonly number[]): number => dims.reduce((product, dim) => product * dim, 1);

/** The values as plain numbers (null: the batch size); throws when they are not known. */
const valuesOf = (value: StaticValue, what: string): (number | null)[] => {
  if (value.floats) return Array.from(value.floats);
  if (value.ints) return [...value.ints];
  if (value.external) throw new NotImportable(`its ${what} is kept in an external data file`);
  throw new NotImportable(`its ${what} is ${dataTypeName(value.dataType)}, which the importer does not compute with`);
};

const make = (dims: readonly number[], dataType: number, values: readonly (number | null)[]): StaticValue => {
  if (values.length > MAX_COMPUTED) throw new NotImportable(`it computes ${values.length} values while importing, too many`);
  if (dataType === DATA_FLOAT) {
    if (values.some((value) => value === null)) throw new NotImportable('it turns the symbolic batch size into a float');
    return { dims, dataType, floats: Float32Array.from(values as number[]), ints: null };
  }
  return { dims, dataType, floats: null, ints: values };
};

/** Negative axes count from the end, as ONNX allows. */
const axis = (value: number, rank: number): number => {
  const normalised = value < 0 ? value + rank : value;
  if (normalised < 0 || normalised >= rank) throw new NotImportable(`axis ${value} is out of range for rank ${rank}`);
  return normalised;
};

/** Integer list from an attribute (older opsets) or an input (newer ones). */
const listArgument = (
  node: OnnxNodeProto,
  inputs: readonly (StaticValue | null)[],
  attribute: string,
  input: number,
): (number | null)[] | null => {
  const fromAttribute = intsAttribute(node, attribute);
  if (fromAttribute) return [...fromAttribute];
  if (!node.inputs[input]) return null;
  const value = inputs[input];
  if (!value) throw new NotImportable(`its ${attribute} are computed at run time`);
  return valuesOf(value, attribute);
};

const known = (values: readonly (number | null)[], what: string): number[] => {
  if (values.some((value) => value === null)) throw new NotImportable(`its ${what} depend on the batch size`);
  return values as number[];
};

const broadcast = (a: StaticValue, b: StaticValue, op: (x: number, y: number) => number, integer: boolean, name: string): StaticValue => {
  const x = valuesOf(a, 'first input');
  const y = valuesOf(b, 'second input');
  let dims: readonly number[];
  if (x.length === y.length && a.dims.length === b.dims.length) dims = a.dims;
  else if (y.length === 1) dims = a.dims;
  else if (x.length === 1) dims = b.dims;
  else throw new NotImportable(`${name} of constants of shapes [${a.dims.join(', ')}] and [${b.dims.join(', ')}] is not worked out`);
  const length = Math.max(x.length, y.length);
  const values: (number | null)[] = [];
  for (let i = 0; i < length; i++) {
    const left = x[x.length === 1 ? 0 : i];
    const right = y[y.length === 1 ? 0 : i];
    if (left === null || right === null) values.push(null);
    else {
      const result = op(left, right);
      values.push(integer ? Math.trunc(result) : result);
    }
  }
  return make(dims, a.dataType, values);
};

const ARITHMETIC: Record<string, (x: number, y: number) => number> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  Div: (x, y) => x / y,
};

/** The value of a Constant node. */
export const constantValue = (node: OnnxNodeProto): StaticValue => {
  const attribute = node.attributes[0];
  if (node.attributes.length !== 1 || !attribute) throw new NotImportable('a Constant should have exactly one attribute');
  switch (attribute.name) {
    case 'value':
      if (attribute.kind !== 'tensor') break;
      return staticFromTensor(attribute.value);
    case 'value_float':
      if (attribute.kind !== 'float') break;
      return make([], DATA_FLOAT, [attribute.value]);
    case 'value_floats':
      if (attribute.kind !== 'floats') break;
      return make([attribute.value.length], DATA_FLOAT, attribute.value);
    case 'value_int':
      if (attribute.kind !== 'int') break;
      return make([], DATA_INT64, [attribute.value]);
    case 'value_ints':
      if (attribute.kind !== 'ints') break;
      return make([attribute.value.length], DATA_INT64, attribute.value);
  }
  throw new NotImportable(`a Constant given as "${attribute.name}" is not understood by the importer`);
};

/** Operators that are worked out while importing when all their inputs are known. */
export const STATIC_OPS = new Set([
  'Constant',
  'Identity',
  'Cast',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Slice',
  'Reshape',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'ConstantOfShape',
]);

/**
 * Works out a node whose inputs are all known. Throws NotImportable when it cannot (an
 * unsupported case, a value that depends on the batch size where a number is needed).
 */
export const evaluateStatic = (node: OnnxNodeProto, inputs: readonly (StaticValue | null)[], opset: number): StaticValue => {
  const first = inputs[0];
  const need = (value: StaticValue | null | undefined, what: string): StaticValue => {
    if (!value) throw new NotImportable(`its ${what} is not known while importing`);
    return value;
  };
  switch (node.opType) {
    case 'Constant':
      return constantValue(node);
    case 'Identity':
      return need(first, 'input');
    case 'Cast': {
      checkAttributes(node, ['to', 'saturate']);
      const to = intAttribute(node, 'to', 0);
      const value = need(first, 'input');
      if (to === DATA_FLOAT) return make(value.dims, DATA_FLOAT, valuesOf(value, 'input'));
      if (to === DATA_INT64 || to === DATA_INT32) {
        return make(
          value.dims,
          to,
          valuesOf(value, 'input').map((v) => (v === null ? null : Math.trunc(v))),
        );
      }
      throw new NotImportable(`it casts to ${dataTypeName(to)}`);
    }
    case 'Gather': {
      checkAttributes(node, ['axis']);
      const data = need(first, 'data');
      const indices = need(inputs[1], 'indices');
      if (data.dims.length !== 1 || intAttribute(node, 'axis', 0) !== 0)
        throw new NotImportable('it gathers from a constant of more than one axis');
      const values = valuesOf(data, 'data');
      const picked = known(valuesOf(indices, 'indices'), 'indices').map((index) => {
        const at = index < 0 ? index + values.length : index;
        if (at < 0 || at >= values.length) throw new NotImportable(`index ${index} is out of range for ${values.length} values`);
        return values[at];
      });
      return make(indices.dims, data.dataType, picked);
    }
    case 'Unsqueeze': {
      checkAttributes(node, ['axes']);
      const value = need(first, 'input');
      const axes = known(listArgument(node, inputs, 'axes', 1) ?? [], 'axes');
      const rank = value.dims.length + axes.length;
      const inserted = new Set(axes.map((a) => axis(a, rank)));
      const dims: number[] = [];
      let next = 0;
      for (let i = 0; i < rank; i++) dims.push(inserted.has(i) ? 1 : value.dims[next++]);
      return { ...value, dims };
    }
    case 'Squeeze': {
      checkAttributes(node, ['axes']);
      const value = need(first, 'input');
      const given = listArgument(node, inputs, 'axes', 1);
      const axes = given ? new Set(known(given, 'axes').map((a) => axis(a, value.dims.length))) : null;
      const dims = value.dims.filter((dim, i) => (axes ? !axes.has(i) : dim !== 1));
      return { ...value, dims };
    }
    case 'Concat': {
      checkAttributes(node, ['axis']);
      const parts = node.inputs.map((_, i) => need(inputs[i], `input ${i + 1}`));
      if (parts.some((part) => part.dims.length !== 1)) throw new NotImportable('it concatenates constants of more than one axis');
      const values = parts.flatMap((part) => valuesOf(part, 'input'));
      return make([values.length], parts[0].dataType, values);
    }
    case 'Slice': {
      checkAttributes(node, ['starts', 'ends', 'axes']);
      const value = need(first, 'data');
      if (value.dims.length !== 1) throw new NotImportable('it slices a constant of more than one axis');
      const values = valuesOf(value, 'data');
      const starts = known(listArgument(node, inputs, 'starts', 1) ?? [], 'starts');
      const ends = known(listArgument(node, inputs, 'ends', 2) ?? [], 'ends');
      const axes = known(listArgument(node, inputs, 'axes', 3) ?? [0], 'axes');
      const steps = opset >= 10 ? known(listArgument(node, inputs, 'steps', 4) ?? [1], 'steps') : [1];
      if (starts.length !== 1 || ends.length !== 1 || axes.length !== 1 || axis(axes[0], 1) !== 0 || steps.length !== 1 || steps[0] === 0) {
        throw new NotImportable('it slices in a way the importer does not work out');
      }
      const n = values.length;
      const step = steps[0];
      const clamp = (v: number, low: number, high: number): number => Math.min(Math.max(v < 0 ? v + n : v, low), high);
      const sliced: (number | null)[] = [];
      if (step > 0) for (let i = clamp(starts[0], 0, n); i < clamp(ends[0], 0, n); i += step) sliced.push(values[i]);
      else for (let i = clamp(starts[0], -1, n - 1); i > clamp(ends[0], -1, n - 1); i += step) sliced.push(values[i]);
      return make([sliced.length], value.dataType, sliced);
    }
    case 'Reshape': {
      checkAttributes(node, ['allowzero']);
      const value = need(first, 'data');
      const shape = known(valuesOf(need(inputs[1], 'shape'), 'shape'), 'shape');
      const total = count(value.dims);
      const dims = shape.map((dim, i) => (dim === 0 && intAttribute(node, 'allowzero', 0) === 0 ? value.dims[i] : dim));
      const inferred = dims.indexOf(-1);
      if (inferred >= 0) dims[inferred] = total / count(dims.filter((_, i) => i !== inferred));
      if (count(dims) !== total || dims.some((dim) => !Number.isInteger(dim) || dim < 0)) {
        throw new NotImportable(`it reshapes a constant of ${total} values to [${shape.join(', ')}]`);
      }
      return { ...value, dims };
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      checkAttributes(node, []);
      const a = need(first, 'first input');
      const b = need(inputs[1], 'second input');
      return broadcast(a, b, ARITHMETIC[node.opType], isInteger(a) && isInteger(b), node.opType);
    }
    case 'ConstantOfShape': {
      checkAttributes(node, ['value']);
      const dims = known(valuesOf(need(first, 'shape'), 'shape'), 'shape');
      if (dims.some((dim) => !Number.isInteger(dim) || dim < 0) || count(dims) > MAX_COMPUTED) {
        throw new NotImportable(`it makes a constant of shape [${dims.join(', ')}], which the importer does not compute`);
      }
      const attribute = findAttribute(node, 'value');
      const fill = attribute && attribute.kind === 'tensor' ? staticFromTensor(attribute.value) : null;
      const fillValue = fill ? valuesOf(fill, 'value')[0] : 0;
      return make(dims, fill?.dataType ?? DATA_FLOAT, new Array<number | null>(count(dims)).fill(fillValue ?? 0));
    }
  }
  throw new NotImportable(`${node.opType} is not worked out while importing`);
};
