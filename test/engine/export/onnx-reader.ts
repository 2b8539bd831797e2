/**
 * A small protobuf reader for the tests: enough of ModelProto to check what the exporter
 * promises (names, shapes, opsets, attributes, initializers), read independently of the writer.
 * Field numbers from onnx/onnx.proto.
 */

type Field = { wire: 0; value: bigint } | { wire: 2; bytes: Uint8Array } | { wire: 5; bytes: Uint8Array } | { wire: 1; bytes: Uint8Array };

/** A varint at `at.offset`, which moves past it. */
const readVarint = (bytes: Uint8Array, at: { offset: number }): bigint => {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (at.offset >= bytes.length) throw new Error('protobuf: truncated varint');
    const byte = bytes[at.offset++];
    result |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return result;
    shift += 7n;
  }
};

/** Every field of one message, by field number, in order. */
export const readFields = (bytes: Uint8Array): Map<number, Field[]> => {
  const fields = new Map<number, Field[]>();
  const at = { offset: 0 };
  while (at.offset < bytes.length) {
    const key = Number(readVarint(bytes, at));
    const number = key >> 3;
    const wire = key & 7;
    let field: Field;
    if (wire === 0) field = { wire, value: readVarint(bytes, at) };
    else if (wire === 2 || wire === 5 || wire === 1) {
      const length = wire === 2 ? Number(readVarint(bytes, at)) : wire === 5 ? 4 : 8;
      if (at.offset + length > bytes.length) throw new Error('protobuf: truncated field');
      field = { wire, bytes: bytes.subarray(at.offset, at.offset + length) };
      at.offset += length;
    } else throw new Error(`protobuf: unexpected wire type ${wire}`);
    if (!fields.has(number)) fields.set(number, []);
    fields.get(number)!.push(field);
  }
  return fields;
};

const decoder = new TextDecoder();
const all = (fields: Map<number, Field[]>, number: number): Field[] => fields.get(number) ?? [];
const bytesOf = (field: Field): Uint8Array => {
  if (field.wire === 0) throw new Error('protobuf: expected a length-delimited field');
  return field.bytes;
};
const str = (fields: Map<number, Field[]>, number: number): string => {
  const list = all(fields, number);
  return list.length ? decoder.decode(bytesOf(list[list.length - 1])) : '';
};
const num = (fields: Map<number, Field[]>, number: number): number => {
  const list = all(fields, number);
  const last = list[list.length - 1];
  return last && last.wire === 0 ? Number(BigInt.asIntN(64, last.value)) : 0;
};
const messages = (fields: Map<number, Field[]>, number: number): Map<number, Field[]>[] =>
  all(fields, number).map((field) => readFields(bytesOf(field)));

/** Repeated int64, packed or not. */
const int64s = (fields: Map<number, Field[]>, number: number): number[] => {
  const values: number[] = [];
  for (const field of all(fields, number)) {
    if (field.wire === 0) {
      values.push(Number(BigInt.asIntN(64, field.value)));
      continue;
    }
    const at = { offset: 0 };
    while (at.offset < field.bytes.length) values.push(Number(BigInt.asIntN(64, readVarint(field.bytes, at))));
  }
  return values;
};

export interface ReadValueInfo {
  name: string;
  elemType: number;
  shape: (number | string)[];
}

export interface ReadAttribute {
  name: string;
  type: number;
  value: number | string | number[];
}

export interface ReadNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  docString: string;
  attributes: ReadAttribute[];
}

export interface ReadTensor {
  name: string;
  dims: number[];
  dataType: number;
  raw: Uint8Array;
}

export interface ReadModel {
  irVersion: number;
  producerName: string;
  docString: string;
  opsets: { domain: string; version: number }[];
  graphName: string;
  nodes: ReadNode[];
  initializers: ReadTensor[];
  inputs: ReadValueInfo[];
  outputs: ReadValueInfo[];
  valueInfo: ReadValueInfo[];
}

const readValueInfo = (fields: Map<number, Field[]>): ReadValueInfo => {
  const tensor = messages(messages(fields, 2)[0], 1)[0];
  const shape = messages(tensor, 2)[0];
  return {
    name: str(fields, 1),
    elemType: num(tensor, 1),
    shape: messages(shape, 1).map((dim) => (dim.has(2) ? str(dim, 2) : num(dim, 1))),
  };
};

const readAttribute = (fields: Map<number, Field[]>): ReadAttribute => {
  const type = num(fields, 20);
  const name = str(fields, 1);
  switch (type) {
    case 1:
      return { name, type, value: new DataView(bytesOf(all(fields, 2)[0]).slice().buffer).getFloat32(0, true) };
    case 2:
      return { name, type, value: num(fields, 3) };
    case 3:
      return { name, type, value: str(fields, 4) };
    case 7:
      return { name, type, value: int64s(fields, 8) };
    default:
      return { name, type, value: [] };
  }
};

export const readModel = (bytes: Uint8Array): ReadModel => {
  const model = readFields(bytes);
  const graph = messages(model, 7)[0];
  return {
    irVersion: num(model, 1),
    producerName: str(model, 2),
    docString: str(model, 6),
    opsets: messages(model, 8).map((opset) => ({ domain: str(opset, 1), version: num(opset, 2) })),
    graphName: str(graph, 2),
    nodes: messages(graph, 1).map((node) => ({
      name: str(node, 3),
      opType: str(node, 4),
      inputs: all(node, 1).map((field) => decoder.decode(bytesOf(field))),
      outputs: all(node, 2).map((field) => decoder.decode(bytesOf(field))),
      docString: str(node, 6),
      attributes: messages(node, 5).map(readAttribute),
    })),
    initializers: messages(graph, 5).map((tensor) => ({
      name: str(tensor, 8),
      dims: int64s(tensor, 1),
      dataType: num(tensor, 2),
      raw: bytesOf(all(tensor, 9)[0]),
    })),
    inputs: messages(graph, 11).map(readValueInfo),
    outputs: messages(graph, 12).map(readValueInfo),
    valueInfo: messages(graph, 13).map(readValueInfo),
  };
};
