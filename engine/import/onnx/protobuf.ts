/**
 * A protocol-buffers reader and the ONNX messages that the importer needs, in pure TypeScript.
 *
 * The reader is written for files from anywhere: every length and every count is checked against
 * the bytes that are really there before anything is read or allocated, so a truncated, corrupt
 * or hostile file gives an `OnnxFormatError` that says where and what is wrong, never a crash, a
 * hang or an allocation larger than the file. Nothing recurses on the file's content (nested
 * graphs of control-flow operators are not decoded), so deep nesting cannot exhaust the stack.
 *
 * Wire format (https://protobuf.dev/programming-guides/encoding/): every field is a key, the varint
 * `field << 3 | wireType`, then its value: a varint (wire type 0), 8 bytes (1), a varint length and
 * that many bytes (2: strings, bytes, messages, packed repeated numbers) or 4 bytes (5). Field
 * numbers are those of onnx/onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto),
 * written beside each message below; engine/export/onnx/protobuf.ts writes the same ones. onnx.proto
 * is proto2, so repeated numbers may come packed or one per field: both are read. Unknown fields
 * are skipped, as protobuf requires.
 */

export class OnnxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxFormatError';
  }
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;

const WIRE_NAMES: Record<number, string> = {
  0: 'varint',
  1: '64-bit',
  2: 'length-delimited',
  3: 'group start',
  4: 'group end',
  5: '32-bit',
  6: 'invalid (6)',
  7: 'invalid (7)',
};

/** One field of a message: its number, wire type, and either its varint or where its bytes lie. */
interface Field {
  readonly number: number;
  readonly wire: number;
  /** The varint's value (wire type 0), read as a signed 64-bit integer; beyond ±2^53 it is rounded. */
  readonly value: number;
  /** The payload's bytes [start, end) for wire types 1, 2 and 5. */
  readonly start: number;
  readonly end: number;
}

const TWO_32 = 4294967296;

/** Reads the fields of one message, bytes [start, end) of `bytes`, checking every length against what is there. */
class MessageReader {
  private pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
    /** Where the message sits, for errors: "graph.node[3]". */
    readonly where: string,
  ) {
    this.pos = start;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string): never {
    throw new OnnxFormatError(`${this.where}: ${message}`);
  }

  /** A varint as a signed 64-bit integer (protobuf's int64 and int32), at most 10 bytes. */
  varint(): number {
    const { bytes, end } = this;
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) this.fail(`truncated: a number runs past the end of its message (byte ${this.pos})`);
      const byte = bytes[this.pos++];
      const bits = byte & 0x7f;
      if (i < 4) low |= bits << (7 * i);
      else if (i === 4) {
        low |= (bits & 0x0f) << 28;
        high = bits >> 4;
      } else high |= bits << (7 * i - 32);
      if (byte < 0x80) return (high | 0) * TWO_32 + (low >>> 0);
    }
    return this.fail(`corrupt: a number is longer than 10 bytes (byte ${this.pos})`);
  }

  /** The next field, or null at the end of the message. */
  next(): Field | null {
    if (this.pos >= this.end) return null;
    const at = this.pos;
    const key = this.varint();
    const number = Math.floor(key / 8);
    const wire = key - number * 8;
    if (key < 0 || number === 0 || number > 536_870_911) this.fail(`corrupt: field number ${number} at byte ${at}`);
    switch (wire) {
      case WIRE_VARINT:
        return { number, wire, value: this.varint(), start: 0, end: 0 };
      case WIRE_FIXED64:
        return this.payload(number, wire, 8);
      case WIRE_FIXED32:
        return this.payload(number, wire, 4);
      case WIRE_LENGTH: {
        const length = this.varint();
        const remaining = this.end - this.pos;
        if (length < 0 || length > remaining) {
          this.fail(`truncated or corrupt: field ${number} declares ${length} bytes but only ${remaining} remain (byte ${at})`);
        }
        return this.payload(number, wire, length);
      }
      default:
        return this.fail(`corrupt: field ${number} has wire type ${WIRE_NAMES[wire]}, which ONNX files do not use (byte ${at})`);
    }
  }

  private payload(number: number, wire: number, length: number): Field {
    if (this.end - this.pos < length) this.fail(`truncated: field ${number} needs ${length} bytes (byte ${this.pos})`);
    const field = { number, wire, value: 0, start: this.pos, end: this.pos + length };
    this.pos += length;
    return field;
  }
}

const UTF8 = new TextDecoder('utf-8');

/** What a message's field must be, or an error naming it. */
const expectWire = (reader: MessageReader, field: Field, wire: number, what: string): void => {
  if (field.wire !== wire) {
    reader.fail(`corrupt: ${what} (field ${field.number}) should be ${WIRE_NAMES[wire]} but is ${WIRE_NAMES[field.wire]}`);
  }
};

const readString = (reader: MessageReader, field: Field, what: string): string => {
  expectWire(reader, field, WIRE_LENGTH, what);
  return UTF8.decode(reader.bytes.subarray(field.start, field.end));
};

const readInt = (reader: MessageReader, field: Field, what: string): number => {
  expectWire(reader, field, WIRE_VARINT, what);
  return field.value;
};

const readFloat32 = (bytes: Uint8Array, at: number): number => {
  // Assembled by hand: a DataView per value would allocate, and `at` need not be aligned.
  const bits = (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
  SCRATCH_U32[0] = bits;
  return SCRATCH_F32[0];
};
const SCRATCH_F32 = new Float32Array(1);
const SCRATCH_U32 = new Uint32Array(SCRATCH_F32.buffer);

/** Appends a repeated integer field's values, packed or one per field. */
const readInts = (reader: MessageReader, field: Field, into: number[], what: string): void => {
  if (field.wire === WIRE_VARINT) {
    into.push(field.value);
    return;
  }
  expectWire(reader, field, WIRE_LENGTH, what);
  const packed = new MessageReader(reader.bytes, field.start, field.end, `${reader.where}.${what}`);
  // Each varint takes at least one byte, so the array grows no larger than the field.
  while (!packed.atEnd()) into.push(packed.varint());
};

/** Appends a repeated float field's values, packed or one per field. */
const readFloats = (reader: MessageReader, field: Field, into: number[], what: string): void => {
  if (field.wire === WIRE_FIXED32) {
    into.push(readFloat32(reader.bytes, field.start));
    return;
  }
  expectWire(reader, field, WIRE_LENGTH, what);
  if ((field.end - field.start) % 4 !== 0) reader.fail(`corrupt: packed ${what} is ${field.end - field.start} bytes, not a multiple of 4`);
  for (let at = field.start; at < field.end; at += 4) into.push(readFloat32(reader.bytes, at));
};

// ---------------------------------------------------------------- ONNX messages

/** TensorProto.DataType (onnx.proto). */
export const ONNX_DATA_TYPES: Readonly<Record<number, string>> = {
  0: 'undefined',
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
};

export const DATA_FLOAT = 1;
export const DATA_INT32 = 6;
export const DATA_INT64 = 7;

export const dataTypeName = (type: number): string => ONNX_DATA_TYPES[type] ?? `data type ${type}`;

/** Tensors beyond this many elements are refused (the engine holds at most 2^31 − 1 values in one array). */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

export interface OnnxTensorProto {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
  /** The values of a float32 tensor, row-major; null for other types and for data kept outside the file. */
  readonly floats: Float32Array | null;
  /** The values of an int64 or int32 tensor; null otherwise. Beyond ±2^53 they are rounded (INT64_MAX sentinels stay huge). */
  readonly ints: readonly number[] | null;
  /** True when the data lives in a separate file (data_location = EXTERNAL), which the importer cannot read. */
  readonly external: boolean;
}

export type OnnxAttributeProto = { readonly name: string } & (
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: OnnxTensorProto }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  /** A graph, sparse tensor, type or a list of them: kept by kind only, never decoded. */
  | { readonly kind: 'other'; readonly type: number }
);

export interface OnnxNodeProto {
  readonly name: string;
  readonly opType: string;
  /** '' (or 'ai.onnx') for the standard operators. */
  readonly domain: string;
  /** Tensor names; '' for an optional input left out. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly OnnxAttributeProto[];
  readonly docString: string;
}

/** A dimension: a number, a symbol (`"batch"`), or null when the file leaves it unknown. */
export type OnnxDim = number | string | null;

export interface OnnxValueInfoProto {
  readonly name: string;
  /** The element type of a tensor (1 = float32); 0 when not given; -1 when the value is not a tensor (a sequence or a map). */
  readonly elemType: number;
  /** Null when the file gives no shape (the rank is unknown). */
  readonly shape: readonly OnnxDim[] | null;
}

export interface OnnxGraphProto {
  readonly name: string;
  readonly docString: string;
  /** In the file's order, which ONNX requires to be topological. */
  readonly nodes: readonly OnnxNodeProto[];
  readonly initializers: readonly OnnxTensorProto[];
  /** How many sparse initializers the file has (never decoded: the importer refuses them by name). */
  readonly sparseInitializers: readonly string[];
  readonly inputs: readonly OnnxValueInfoProto[];
  readonly outputs: readonly OnnxValueInfoProto[];
  readonly valueInfo: readonly OnnxValueInfoProto[];
}

export interface OnnxModelProto {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString: string;
  readonly metadata: readonly { readonly key: string; readonly value: string }[];
  /** Names of model-local functions (custom operators defined in the file), never decoded. */
  readonly functions: readonly string[];
  readonly graph: OnnxGraphProto;
}

const elementCount = (reader: MessageReader, dims: readonly number[]): number => {
  let count = 1;
  for (const dim of dims) {
    if (!Number.isSafeInteger(dim) || dim < 0) reader.fail(`corrupt: dimension ${dim} of [${dims.join(', ')}]`);
    count *= dim;
    if (count > MAX_TENSOR_ELEMENTS) reader.fail(`tensor of shape [${dims.join(', ')}] is too large (more than 2^31 − 1 values)`);
  }
  return count;
};

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** float32 values from little-endian bytes, into a fresh (aligned) array. */
const floatsFromBytes = (bytes: Uint8Array): Float32Array => {
  if (LITTLE_ENDIAN) return new Float32Array(bytes.slice().buffer);
  const values = new Float32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
};

const intsFromBytes = (bytes: Uint8Array, size: 4 | 8): number[] => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: number[] = new Array(bytes.length / size);
  for (let i = 0; i < values.length; i++) {
    values[i] = size === 8 ? view.getInt32(i * 8 + 4, true) * TWO_32 + view.getUint32(i * 8, true) : view.getInt32(i * 4, true);
  }
  return values;
};

/**
 * TensorProto: dims = 1, data_type = 2, float_data = 4, int32_data = 5, int64_data = 7, name = 8,
 * raw_data = 9, external_data = 13, data_location = 14 (1 = EXTERNAL).
 */
const decodeTensor = (bytes: Uint8Array, start: number, end: number, where: string): OnnxTensorProto => {
  const reader = new MessageReader(bytes, start, end, where);
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: Field | null = null;
  const floatData: number[] = [];
  const intData: number[] = [];
  let external = false;
  for (let field = reader.next(); field; field = reader.next()) {
    switch (field.number) {
      case 1:
        readInts(reader, field, dims, 'dims');
        break;
      case 2:
        dataType = readInt(reader, field, 'data_type');
        break;
      case 4:
        readFloats(reader, field, floatData, 'float_data');
        break;
      case 5:
      case 7:
        readInts(reader, field, intData, field.number === 5 ? 'int32_data' : 'int64_data');
        break;
      case 8:
        name = readString(reader, field, 'name');
        break;
      case 9:
        expectWire(reader, field, WIRE_LENGTH, 'raw_data');
        raw = field;
        break;
      case 13:
        expectWire(reader, field, WIRE_LENGTH, 'external_data');
        external = true;
        break;
      case 14:
        if (readInt(reader, field, 'data_location') === 1) external = true;
        break;
    }
  }
  const named = new MessageReader(bytes, start, end, `${where} "${name}"`);
  const count = elementCount(named, dims);
  let floats: Float32Array | null = null;
  let ints: number[] | null = null;
  if (!external && (dataType === DATA_FLOAT || dataType === DATA_INT64 || dataType === DATA_INT32)) {
    const size = dataType === DATA_INT64 ? 8 : 4;
    if (raw) {
      const length = raw.end - raw.start;
      if (length !== count * size) {
        named.fail(`corrupt: raw_data holds ${length} bytes but [${dims.join(', ')}] ${dataTypeName(dataType)} needs ${count * size}`);
      }
      const data = bytes.subarray(raw.start, raw.end);
      if (dataType === DATA_FLOAT) floats = floatsFromBytes(data);
      else ints = intsFromBytes(data, size as 4 | 8);
    } else {
      const given = dataType === DATA_FLOAT ? floatData : intData;
      if (given.length !== count) {
        named.fail(`corrupt: it holds ${given.length} values but its shape [${dims.join(', ')}] needs ${count}`);
      }
      if (dataType === DATA_FLOAT) floats = Float32Array.from(given);
      else ints = given;
    }
  }
  return { name, dims, dataType, floats, ints, external };
};

/** AttributeProto.AttributeType (onnx.proto). */
const ATTRIBUTE_TYPES: Record<number, OnnxAttributeProto['kind']> = {
  1: 'float',
  2: 'int',
  3: 'string',
  4: 'tensor',
  6: 'floats',
  7: 'ints',
  8: 'strings',
};

/**
 * AttributeProto: name = 1, f = 2, i = 3, s = 4, t = 5, g = 6, floats = 7, ints = 8, strings = 9,
 * tensors = 10, graphs = 11, tp = 14, type = 20, ref_attr_name = 21, sparse_tensor = 22. Files
 * older than IR version 2 may leave out the type: it is then worked out from the field present.
 */
const decodeAttribute = (bytes: Uint8Array, start: number, end: number, where: string): OnnxAttributeProto => {
  const reader = new MessageReader(bytes, start, end, where);
  let name = '';
  let type = 0;
  let float: number | null = null;
  let int: number | null = null;
  let string: string | null = null;
  let tensor: Field | null = null;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  let otherType = 0;
  for (let field = reader.next(); field; field = reader.next()) {
    switch (field.number) {
      case 1:
        name = readString(reader, field, 'name');
        break;
      case 2:
        expectWire(reader, field, WIRE_FIXED32, 'f');
        float = readFloat32(bytes, field.start);
        break;
      case 3:
        int = readInt(reader, field, 'i');
        break;
      case 4:
        string = readString(reader, field, 's');
        break;
      case 5:
        expectWire(reader, field, WIRE_LENGTH, 't');
        tensor = field;
        break;
      case 7:
        readFloats(reader, field, floats, 'floats');
        break;
      case 8:
        readInts(reader, field, ints, 'ints');
        break;
      case 9:
        strings.push(readString(reader, field, 'strings'));
        break;
      case 6:
      case 10:
      case 11:
      case 14:
      case 15:
      case 21:
      case 22:
      case 23:
        otherType = otherType || field.number;
        break;
      case 20:
        type = readInt(reader, field, 'type');
        break;
    }
  }
  let kind: OnnxAttributeProto['kind'] | undefined = ATTRIBUTE_TYPES[type];
  if (type === 0) {
    // IR version 1: no type field; the value's field says what it is.
    if (float !== null) kind = 'float';
    else if (int !== null) kind = 'int';
    else if (string !== null) kind = 'string';
    else if (tensor) kind = 'tensor';
    else if (floats.length) kind = 'floats';
    else if (ints.length) kind = 'ints';
    else if (strings.length) kind = 'strings';
  }
  const named = `${where} "${name}"`;
  switch (kind) {
    case 'float':
      return { name, kind, value: float ?? 0 };
    case 'int':
      return { name, kind, value: int ?? 0 };
    case 'string':
      return { name, kind, value: string ?? '' };
    case 'tensor':
      if (!tensor) throw new OnnxFormatError(`${named}: a tensor attribute without its tensor`);
      return { name, kind, value: decodeTensor(bytes, tensor.start, tensor.end, `${named}.t`) };
    case 'floats':
      return { name, kind, value: floats };
    case 'ints':
      return { name, kind, value: ints };
    case 'strings':
      return { name, kind, value: strings };
    default:
      return { name, kind: 'other', type: type || otherType };
  }
};

/** NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, doc_string = 6, domain = 7. */
const decodeNode = (bytes: Uint8Array, start: number, end: number, where: string): OnnxNodeProto => {
  const reader = new MessageReader(bytes, start, end, where);
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: OnnxAttributeProto[] = [];
  let name = '';
  let opType = '';
  let domain = '';
  let docString = '';
  for (let field = reader.next(); field; field = reader.next()) {
    switch (field.number) {
      case 1:
        inputs.push(readString(reader, field, 'input'));
        break;
      case 2:
        outputs.push(readString(reader, field, 'output'));
        break;
      case 3:
        name = readString(reader, field, 'name');
        break;
      case 4:
        opType = readString(reader, field, 'op_type');
        break;
      case 5:
        expectWire(reader, field, WIRE_LENGTH, 'attribute');
        attributes.push(decodeAttribute(bytes, field.start, field.end, `${where}.attribute[${attributes.length}]`));
        break;
      case 6:
        docString = readString(reader, field, 'doc_string');
        break;
      case 7:
        domain = readString(reader, field, 'domain');
        break;
    }
  }
  return { name, opType, domain, inputs, outputs, attributes, docString };
};

/**
 * ValueInfoProto: name = 1, type = 2. TypeProto: tensor_type = 1 (others: sequence 4, map 5,
 * optional 9, sparse tensor 8). TypeProto.Tensor: elem_type = 1, shape = 2. TensorShapeProto:
 * dim = 1. TensorShapeProto.Dimension: dim_value = 1, dim_param = 2.
 */
const decodeValueInfo = (bytes: Uint8Array, start: number, end: number, where: string): OnnxValueInfoProto => {
  const reader = new MessageReader(bytes, start, end, where);
  let name = '';
  let elemType = 0;
  let shape: OnnxDim[] | null = null;
  for (let field = reader.next(); field; field = reader.next()) {
    if (field.number === 1) name = readString(reader, field, 'name');
    if (field.number !== 2) continue;
    expectWire(reader, field, WIRE_LENGTH, 'type');
    const type = new MessageReader(bytes, field.start, field.end, `${where}.type`);
    for (let typeField = type.next(); typeField; typeField = type.next()) {
      if (typeField.number !== 1) {
        if ([4, 5, 8, 9].includes(typeField.number)) elemType = -1;
        continue;
      }
      expectWire(type, typeField, WIRE_LENGTH, 'tensor_type');
      const tensor = new MessageReader(bytes, typeField.start, typeField.end, `${where}.type.tensor_type`);
      for (let tensorField = tensor.next(); tensorField; tensorField = tensor.next()) {
        if (tensorField.number === 1) elemType = readInt(tensor, tensorField, 'elem_type');
        if (tensorField.number !== 2) continue;
        expectWire(tensor, tensorField, WIRE_LENGTH, 'shape');
        shape = [];
        const dims = new MessageReader(bytes, tensorField.start, tensorField.end, `${where}.shape`);
        for (let dimField = dims.next(); dimField; dimField = dims.next()) {
          if (dimField.number !== 1) continue;
          expectWire(dims, dimField, WIRE_LENGTH, 'dim');
          const dim = new MessageReader(bytes, dimField.start, dimField.end, `${where}.shape.dim[${shape.length}]`);
          let value: OnnxDim = null;
          for (let d = dim.next(); d; d = dim.next()) {
            if (d.number === 1) value = readInt(dim, d, 'dim_value');
            if (d.number === 2) value = readString(dim, d, 'dim_param') || null;
          }
          shape.push(value);
        }
      }
    }
  }
  return { name, elemType, shape };
};

/**
 * GraphProto: node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12,
 * value_info = 13, sparse_initializer = 15.
 */
const decodeGraph = (bytes: Uint8Array, start: number, end: number): OnnxGraphProto => {
  const reader = new MessageReader(bytes, start, end, 'graph');
  const nodes: OnnxNodeProto[] = [];
  const initializers: OnnxTensorProto[] = [];
  const sparseInitializers: string[] = [];
  const inputs: OnnxValueInfoProto[] = [];
  const outputs: OnnxValueInfoProto[] = [];
  const valueInfo: OnnxValueInfoProto[] = [];
  let name = '';
  let docString = '';
  const message = (field: Field, what: string): void => expectWire(reader, field, WIRE_LENGTH, what);
  for (let field = reader.next(); field; field = reader.next()) {
    switch (field.number) {
      case 1:
        message(field, 'node');
        nodes.push(decodeNode(bytes, field.start, field.end, `graph.node[${nodes.length}]`));
        break;
      case 2:
        name = readString(reader, field, 'name');
        break;
      case 5:
        message(field, 'initializer');
        initializers.push(decodeTensor(bytes, field.start, field.end, `graph.initializer[${initializers.length}]`));
        break;
      case 10:
        docString = readString(reader, field, 'doc_string');
        break;
      case 11:
        message(field, 'input');
        inputs.push(decodeValueInfo(bytes, field.start, field.end, `graph.input[${inputs.length}]`));
        break;
      case 12:
        message(field, 'output');
        outputs.push(decodeValueInfo(bytes, field.start, field.end, `graph.output[${outputs.length}]`));
        break;
      case 13:
        message(field, 'value_info');
        valueInfo.push(decodeValueInfo(bytes, field.start, field.end, `graph.value_info[${valueInfo.length}]`));
        break;
      case 15: {
        // SparseTensorProto: values = 1 (a TensorProto, whose name is the initializer's).
        message(field, 'sparse_initializer');
        const sparse = new MessageReader(bytes, field.start, field.end, `graph.sparse_initializer[${sparseInitializers.length}]`);
        let sparseName = '';
        for (let part = sparse.next(); part; part = sparse.next()) {
          if (part.number !== 1) continue;
          expectWire(sparse, part, WIRE_LENGTH, 'values');
          const values = new MessageReader(bytes, part.start, part.end, `${sparse.where}.values`);
          for (let v = values.next(); v; v = values.next()) if (v.number === 8) sparseName = readString(values, v, 'name');
        }
        sparseInitializers.push(sparseName);
        break;
      }
    }
  }
  return { name, docString, nodes, initializers, sparseInitializers, inputs, outputs, valueInfo };
};

/**
 * ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6, graph = 7,
 * opset_import = 8, metadata_props = 14, functions = 25. OperatorSetIdProto: domain = 1,
 * version = 2. StringStringEntryProto: key = 1, value = 2. FunctionProto: name = 1.
 */
export const decodeModel = (bytes: Uint8Array): OnnxModelProto => {
  if (bytes.length === 0) throw new OnnxFormatError('the file is empty');
  const reader = new MessageReader(bytes, 0, bytes.length, 'model');
  let irVersion = 0;
  let producerName = '';
  let producerVersion = '';
  let docString = '';
  let graph: OnnxGraphProto | null = null;
  const opsets: { domain: string; version: number }[] = [];
  const metadata: { key: string; value: string }[] = [];
  const functions: string[] = [];
  for (let field = reader.next(); field; field = reader.next()) {
    switch (field.number) {
      case 1:
        irVersion = readInt(reader, field, 'ir_version');
        break;
      case 2:
        producerName = readString(reader, field, 'producer_name');
        break;
      case 3:
        producerVersion = readString(reader, field, 'producer_version');
        break;
      case 6:
        docString = readString(reader, field, 'doc_string');
        break;
      case 7:
        expectWire(reader, field, WIRE_LENGTH, 'graph');
        graph = decodeGraph(bytes, field.start, field.end);
        break;
      case 8: {
        expectWire(reader, field, WIRE_LENGTH, 'opset_import');
        const opset = new MessageReader(bytes, field.start, field.end, `model.opset_import[${opsets.length}]`);
        let domain = '';
        let version = 0;
        for (let part = opset.next(); part; part = opset.next()) {
          if (part.number === 1) domain = readString(opset, part, 'domain');
          if (part.number === 2) version = readInt(opset, part, 'version');
        }
        opsets.push({ domain, version });
        break;
      }
      case 14: {
        expectWire(reader, field, WIRE_LENGTH, 'metadata_props');
        const entry = new MessageReader(bytes, field.start, field.end, `model.metadata_props[${metadata.length}]`);
        let key = '';
        let value = '';
        for (let part = entry.next(); part; part = entry.next()) {
          if (part.number === 1) key = readString(entry, part, 'key');
          if (part.number === 2) value = readString(entry, part, 'value');
        }
        metadata.push({ key, value });
        break;
      }
      case 25: {
        expectWire(reader, field, WIRE_LENGTH, 'functions');
        const fn = new MessageReader(bytes, field.start, field.end, `model.functions[${functions.length}]`);
        let fnName = '';
        for (let part = fn.next(); part; part = fn.next()) if (part.number === 1) fnName = readString(fn, part, 'name');
        functions.push(fnName);
        break;
      }
    }
  }
  if (!graph) throw new OnnxFormatError('not an ONNX model: the file has no graph (ModelProto field 7)');
  return { irVersion, opsets, producerName, producerVersion, docString, metadata, functions, graph };
};
