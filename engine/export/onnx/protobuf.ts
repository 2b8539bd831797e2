/**
 * A minimal protocol-buffers writer and the ONNX messages that the exporter needs, so that an
 * ONNX file can be written in pure TypeScript without a protobuf library.
 *
 * Wire format (https://protobuf.dev/programming-guides/encoding/): every field is a key, the
 * varint `field << 3 | wireType`, followed by its value: a varint (wire type 0: int32, int64,
 * enums), four little-endian bytes (wire type 5: float), or a varint length and that many bytes
 * (wire type 2: strings, bytes, nested messages, packed repeated numbers).
 *
 * Field numbers are those of onnx/onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto),
 * written beside each message below. Tensors carry their values in `raw_data`: fixed-width,
 * little-endian, as onnx.proto requires of that field.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;

const UTF8 = new TextEncoder();
const BLOCK_SIZE = 1024;

/**
 * Appends protobuf fields. Small values go into a scratch block; large byte arrays (tensor data)
 * and nested messages are kept by reference as chunks, so that weights are copied once, into
 * the final buffer, however deeply their message is nested.
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private chunkBytes = 0;
  private block = new Uint8Array(BLOCK_SIZE);
  private used = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.chunkBytes + this.used;
  }

  private closeBlock(): void {
    if (this.used === 0) return;
    this.chunks.push(this.block.subarray(0, this.used));
    this.chunkBytes += this.used;
    this.block = new Uint8Array(BLOCK_SIZE);
    this.used = 0;
  }

  private reserve(bytes: number): void {
    if (this.used + bytes > this.block.length) this.closeBlock();
  }

  private appendChunk(bytes: Uint8Array): void {
    if (bytes.length <= 64) {
      this.reserve(bytes.length);
      this.block.set(bytes, this.used);
      this.used += bytes.length;
      return;
    }
    this.closeBlock();
    this.chunks.push(bytes);
    this.chunkBytes += bytes.length;
  }

  /** An unsigned varint; negative int64 values become their 64-bit two's complement (ten bytes), as protobuf encodes them. */
  private rawVarint(value: number | bigint): void {
    this.reserve(10);
    if (typeof value === 'number' && value >= 0) {
      if (!Number.isSafeInteger(value)) throw new RangeError(`protobuf: ${value} is not a whole number that can be written exactly`);
      let rest = value;
      while (rest >= 0x80) {
        this.block[this.used++] = (rest % 0x80) | 0x80;
        rest = Math.floor(rest / 0x80);
      }
      this.block[this.used++] = rest;
      return;
    }
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest >= 0x80n) {
      this.block[this.used++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.block[this.used++] = Number(rest);
  }

  private key(field: number, wireType: number): void {
    this.rawVarint(field * 8 + wireType);
  }

  /** int32, int64, enum or bool (wire type 0). */
  varint(field: number, value: number | bigint): this {
    this.key(field, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  /** A float (wire type 5, little-endian IEEE 754). */
  float(field: number, value: number): this {
    this.key(field, WIRE_FIXED32);
    this.reserve(4);
    new DataView(this.block.buffer).setFloat32(this.used, value, true);
    this.used += 4;
    return this;
  }

  /** Bytes (wire type 2). Large arrays are kept by reference until `finish`: do not change them before. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, WIRE_LENGTH);
    this.rawVarint(value.length);
    this.appendChunk(value);
    return this;
  }

  /** A UTF-8 string (wire type 2). */
  string(field: number, value: string): this {
    return this.bytes(field, UTF8.encode(value));
  }

  /** A nested message, written by `write` into its own writer (wire type 2). */
  message(field: number, write: (writer: ProtoWriter) => void): this {
    const nested = new ProtoWriter();
    write(nested);
    nested.closeBlock();
    this.key(field, WIRE_LENGTH);
    this.rawVarint(nested.length);
    for (const chunk of nested.chunks) this.appendChunk(chunk);
    return this;
  }

  /** Packed repeated varints: one length-delimited field holding every value. */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const packed = new ProtoWriter();
    for (const value of values) packed.rawVarint(value);
    return this.bytes(field, packed.finish());
  }

  /** Packed repeated floats: one length-delimited field of little-endian float32 values. */
  packedFloats(field: number, values: readonly number[]): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    values.forEach((value, i) => view.setFloat32(i * 4, value, true));
    return this.bytes(field, bytes);
  }

  /** Everything written, in one array. */
  finish(): Uint8Array {
    this.closeBlock();
    const out = new Uint8Array(this.chunkBytes);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

// ---------------------------------------------------------------- ONNX messages

/** TensorProto.DataType (onnx.proto): FLOAT = 1, INT64 = 7. */
export const DATA_TYPE = { float: 1, int64: 7 } as const;

/** onnx.proto's Version enum: IR version 8 (ONNX 1.12) is the one that goes with opset 17. */
export const IR_VERSION = 8;

/** A tensor stored in the model: a float32 or int64 array, row-major, with its dims. */
export type OnnxTensor = {
  readonly name: string;
  readonly dims: readonly number[];
  readonly docString?: string;
} & ({ readonly dataType: 'float'; readonly values: Float32Array } | { readonly dataType: 'int64'; readonly values: readonly number[] });

export type OnnxAttribute =
  | { readonly name: string; readonly kind: 'int'; readonly value: number }
  | { readonly name: string; readonly kind: 'float'; readonly value: number }
  | { readonly name: string; readonly kind: 'string'; readonly value: string }
  | { readonly name: string; readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly name: string; readonly kind: 'floats'; readonly value: readonly number[] };

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  /** Tensor names; '' for an optional input left out. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly OnnxAttribute[];
  readonly docString?: string;
}

/** A float tensor's name and shape; a string dimension is symbolic (the batch, "N"). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly shape: readonly (number | string)[];
  readonly docString?: string;
}

export interface OnnxGraph {
  readonly name: string;
  readonly docString?: string;
  /** In topological order. */
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly valueInfo?: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly irVersion: number;
  /** Domain '' is the default ONNX operator set. */
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly graph: OnnxGraph;
}

/** AttributeProto.AttributeType (onnx.proto). */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Float32 values as little-endian bytes: a view of the same memory on little-endian machines (nearly all), else a swapped copy. */
const floatBytes = (values: Float32Array): Uint8Array => {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return bytes;
};

const int64Bytes = (values: readonly number[]): Uint8Array => {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setBigInt64(i * 8, BigInt(value), true));
  return bytes;
};

/** TensorProto: dims = 1 (packed int64), data_type = 2, name = 8, raw_data = 9, doc_string = 12. */
export const writeTensor = (w: ProtoWriter, tensor: OnnxTensor): void => {
  const count = tensor.dims.reduce((product, dim) => product * dim, 1);
  if (count !== tensor.values.length) {
    throw new RangeError(`ONNX tensor ${tensor.name}: dims [${tensor.dims.join(', ')}] hold ${count} values, not ${tensor.values.length}`);
  }
  w.packedVarints(1, tensor.dims);
  w.varint(2, DATA_TYPE[tensor.dataType]);
  w.string(8, tensor.name);
  if (tensor.docString) w.string(12, tensor.docString);
  w.bytes(9, tensor.dataType === 'float' ? floatBytes(tensor.values) : int64Bytes(tensor.values));
};

/**
 * AttributeProto: name = 1, f = 2, i = 3, s = 4, floats = 7, ints = 8 (both packed), type = 20.
 * The type discriminator is required from IR version 2 on.
 */
const writeAttribute = (w: ProtoWriter, attribute: OnnxAttribute): void => {
  w.string(1, attribute.name);
  w.varint(20, ATTRIBUTE_TYPE[attribute.kind]);
  switch (attribute.kind) {
    case 'float':
      w.float(2, attribute.value);
      return;
    case 'int':
      w.varint(3, attribute.value);
      return;
    case 'string':
      w.string(4, attribute.value);
      return;
    case 'floats':
      w.packedFloats(7, attribute.value);
      return;
    case 'ints':
      w.packedVarints(8, attribute.value);
      return;
  }
};

/** NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, doc_string = 6, domain = 7. */
const writeNode = (w: ProtoWriter, node: OnnxNode): void => {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name);
  w.string(4, node.opType);
  for (const attribute of node.attributes ?? []) w.message(5, (a) => writeAttribute(a, attribute));
  if (node.docString) w.string(6, node.docString);
};

/**
 * ValueInfoProto: name = 1, type = 2, doc_string = 3. TypeProto: tensor_type = 1.
 * TypeProto.Tensor: elem_type = 1, shape = 2. TensorShapeProto: dim = 1.
 * TensorShapeProto.Dimension: dim_value = 1, dim_param = 2.
 */
const writeValueInfo = (w: ProtoWriter, info: OnnxValueInfo): void => {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.varint(1, DATA_TYPE.float);
      tensor.message(2, (shape) => {
        for (const dim of info.shape) shape.message(1, (d) => (typeof dim === 'string' ? d.string(2, dim) : d.varint(1, dim)));
      });
    }),
  );
  if (info.docString) w.string(3, info.docString);
};

/** GraphProto: node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12, value_info = 13. */
const writeGraph = (w: ProtoWriter, graph: OnnxGraph): void => {
  for (const node of graph.nodes) w.message(1, (n) => writeNode(n, node));
  w.string(2, graph.name);
  for (const tensor of graph.initializers) w.message(5, (t) => writeTensor(t, tensor));
  if (graph.docString) w.string(10, graph.docString);
  for (const input of graph.inputs) w.message(11, (v) => writeValueInfo(v, input));
  for (const output of graph.outputs) w.message(12, (v) => writeValueInfo(v, output));
  for (const info of graph.valueInfo ?? []) w.message(13, (v) => writeValueInfo(v, info));
};

/**
 * ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6, graph = 7,
 * opset_import = 8, metadata_props = 14. OperatorSetIdProto: domain = 1, version = 2.
 * StringStringEntryProto: key = 1, value = 2.
 */
export const encodeModel = (model: OnnxModel): Uint8Array => {
  const w = new ProtoWriter();
  w.varint(1, model.irVersion);
  w.string(2, model.producerName);
  w.string(3, model.producerVersion);
  if (model.docString) w.string(6, model.docString);
  w.message(7, (g) => writeGraph(g, model.graph));
  for (const opset of model.opsets) w.message(8, (o) => o.string(1, opset.domain).varint(2, opset.version));
  for (const [key, value] of Object.entries(model.metadata ?? {})) w.message(14, (e) => e.string(1, key).string(2, value));
  return w.finish();
};
