/**
 * Hand-written ONNX models for the import tests: any operator, attribute and initializer type
 * (float16, external data, Constant nodes), written with the export's ProtoWriter but without its
 * restrictions, so the tests can build what other exporters write and what no exporter should.
 * Field numbers from onnx/onnx.proto.
 */
import { ProtoWriter } from '../../../engine/export/onnx/protobuf';

export interface TensorSpec {
  readonly name: string;
  readonly dims: readonly number[];
  /** TensorProto.DataType; 1 (float32) unless given. */
  readonly type?: number;
  /** float32 or int64 values, written as raw_data. */
  readonly values?: readonly number[];
  /** Written as float_data (field 4) instead of raw_data. */
  readonly asFloatData?: boolean;
  /** Bytes written as raw_data as they are (other data types, corrupt lengths). */
  readonly raw?: Uint8Array;
  /** Marks the data as kept in an external file. */
  readonly external?: boolean;
}

export type AttributeValue =
  | { readonly i: number }
  | { readonly f: number }
  | { readonly s: string }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly t: TensorSpec };

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface ValueSpec {
  readonly name: string;
  /** Numbers, or strings for symbolic dimensions; null leaves the shape out. */
  readonly shape: readonly (number | string)[] | null;
  readonly elemType?: number;
}

export interface ModelSpec {
  readonly nodes: readonly NodeSpec[];
  readonly initializers?: readonly TensorSpec[];
  /** Written as sparse_initializer (field 15), each tensor as the values of a SparseTensorProto. */
  readonly sparseInitializers?: readonly TensorSpec[];
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly valueInfo?: readonly ValueSpec[];
  readonly opset?: number;
  readonly producer?: string;
}

const writeTensor = (w: ProtoWriter, tensor: TensorSpec): void => {
  w.packedVarints(1, tensor.dims);
  const type = tensor.type ?? 1;
  w.varint(2, type);
  w.string(8, tensor.name);
  if (tensor.external) {
    w.message(13, (entry) => entry.string(1, 'location').string(2, `${tensor.name}.bin`));
    w.varint(14, 1);
    return;
  }
  if (tensor.raw) {
    w.bytes(9, tensor.raw);
    return;
  }
  const values = tensor.values ?? [];
  if (type === 1 && tensor.asFloatData) {
    w.packedFloats(4, values);
    return;
  }
  if (type === 1) {
    w.bytes(9, new Uint8Array(Float32Array.from(values).buffer));
    return;
  }
  if (type === 7) {
    w.bytes(9, new Uint8Array(BigInt64Array.from(values.map((value) => BigInt(value))).buffer));
    return;
  }
  throw new Error(`onnx-builder: give raw bytes for data type ${type}`);
};

/** AttributeProto: name = 1, f = 2, i = 3, s = 4, t = 5, floats = 7, ints = 8, type = 20. */
const writeAttribute = (w: ProtoWriter, name: string, value: AttributeValue): void => {
  w.string(1, name);
  if ('f' in value) w.varint(20, 1).float(2, value.f);
  else if ('i' in value) w.varint(20, 2).varint(3, value.i);
  else if ('s' in value) w.varint(20, 3).string(4, value.s);
  else if ('t' in value) w.varint(20, 4).message(5, (t) => writeTensor(t, value.t));
  else if ('floats' in value) w.varint(20, 6).packedFloats(7, value.floats);
  else w.varint(20, 7).packedVarints(8, value.ints);
};

const writeValueInfo = (w: ProtoWriter, info: ValueSpec): void => {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.varint(1, info.elemType ?? 1);
      if (info.shape) {
        tensor.message(2, (shape) => {
          for (const dim of info.shape!) shape.message(1, (d) => (typeof dim === 'string' ? d.string(2, dim) : d.varint(1, dim)));
        });
      }
    }),
  );
};

export const buildModel = (spec: ModelSpec): Uint8Array => {
  const w = new ProtoWriter();
  w.varint(1, 8);
  w.string(2, spec.producer ?? 'onnx-builder');
  w.message(7, (g) => {
    spec.nodes.forEach((node, index) =>
      g.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, node.name ?? `${node.op.toLowerCase()}_${index}`);
        n.string(4, node.op);
        for (const [name, value] of Object.entries(node.attributes ?? {})) n.message(5, (a) => writeAttribute(a, name, value));
        if (node.domain) n.string(7, node.domain);
      }),
    );
    g.string(2, 'built');
    for (const tensor of spec.initializers ?? []) g.message(5, (t) => writeTensor(t, tensor));
    for (const tensor of spec.sparseInitializers ?? []) g.message(15, (sparse) => sparse.message(1, (t) => writeTensor(t, tensor)));
    for (const input of spec.inputs) g.message(11, (v) => writeValueInfo(v, input));
    for (const output of spec.outputs) g.message(12, (v) => writeValueInfo(v, output));
    for (const info of spec.valueInfo ?? []) g.message(13, (v) => writeValueInfo(v, info));
  });
  w.message(8, (o) => o.string(1, '').varint(2, spec.opset ?? 17));
  return w.finish();
};

/** Seeded values in [-1, 1): mulberry32, so the models are the same on every run. */
export const seeded = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
};

export const randomTensor = (name: string, dims: readonly number[], random: () => number, scale = 0.5): TensorSpec => ({
  name,
  dims,
  values: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => random() * scale),
});
