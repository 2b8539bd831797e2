import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensors, readSafetensorsHeader, SafetensorsError, writeSafetensors } from '../../../engine/project/safetensors';
import type { NamedTensor } from '../../../engine/train/state-dict';

const FIXTURES = join(import.meta.dirname, 'fixtures');

const encoder = new TextEncoder();

/** A file with the given header text (padded to 8) and data bytes, written by hand. */
const handMade = (header: string | object, data: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): Uint8Array => {
  let text = encoder.encode(typeof header === 'string' ? header : JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(text.length / 8) * 8).fill(0x20);
  padded.set(text);
  text = padded;
  const bytes = new Uint8Array(8 + text.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, lengthOverride ?? BigInt(text.length), true);
  bytes.set(text, 8);
  bytes.set(data, 8 + text.length);
  return bytes;
};

const floats = (...values: number[]) => new Uint8Array(new Float32Array(values).buffer);

const failure = (bytes: Uint8Array): string => {
  const result = readSafetensors(bytes);
  if (result.ok) throw new Error('expected the file to be refused');
  return result.error;
};

describe('safetensors', () => {
  it('round-trips tensors and metadata, bit for bit', () => {
    const tensors: NamedTensor[] = [
      { name: 'conv1.weight', shape: [2, 1, 2, 2], data: new Float32Array([1, -2, 3.5, -0, 1e-45, 3.4e38, -7, 0.1]) },
      { name: 'conv1.bias', shape: [2], data: new Float32Array([NaN, Infinity]) },
      { name: 'scalar', shape: [], data: new Float32Array([42]) },
      { name: 'empty', shape: [0, 4], data: new Float32Array(0) },
      { name: 'bn.running_var', shape: [3], data: new Float32Array([1, 1, 1]) },
    ];
    const bytes = writeSafetensors(tensors, { format: 'pt', note: 'ünïcode ✓' });
    const result = readSafetensors(bytes);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.file.metadata).toEqual({ format: 'pt', note: 'ünïcode ✓' });
    expect(result.file.tensors.map((tensor) => [tensor.name, tensor.shape])).toEqual(tensors.map((tensor) => [tensor.name, tensor.shape]));
    result.file.tensors.forEach((tensor, index) => {
      expect(new Uint8Array(tensor.data.buffer)).toEqual(new Uint8Array(tensors[index].data.buffer));
    });
  });

  it('lays the bytes out as the specification says', () => {
    const bytes = writeSafetensors([{ name: 'w', shape: [2], data: new Float32Array([1, -2]) }], { format: 'pt' });
    const header = '{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const paddedLength = Math.ceil(header.length / 8) * 8;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getBigUint64(0, true)).toBe(BigInt(paddedLength));
    expect(new TextDecoder().decode(bytes.subarray(8, 8 + paddedLength))).toBe(header.padEnd(paddedLength, ' '));
    expect((8 + paddedLength) % 8).toBe(0);
    expect([...bytes.subarray(8 + paddedLength)]).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    expect(bytes.length).toBe(8 + paddedLength + 8);
  });

  it('reads a file made from PyTorch tensors, and writes the same bytes', () => {
    const file = new Uint8Array(readFileSync(join(FIXTURES, 'torch-small.safetensors')));
    const listing = JSON.parse(readFileSync(join(FIXTURES, 'torch-small.json'), 'utf8')) as {
      metadata: Record<string, string>;
      tensors: { name: string; shape: number[]; values: number[] }[];
    };
    const result = readSafetensors(file);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.file.metadata).toEqual(listing.metadata);
    expect(result.file.tensors.map((tensor) => tensor.name)).toEqual(listing.tensors.map((tensor) => tensor.name));
    result.file.tensors.forEach((tensor, index) => {
      expect(tensor.shape).toEqual(listing.tensors[index].shape);
      expect([...tensor.data]).toEqual(listing.tensors[index].values);
    });
    // Negative zero survives.
    expect(Object.is(result.file.tensors.find((tensor) => tensor.name === 'fc.bias')!.data[1], -0)).toBe(true);
    expect(writeSafetensors(result.file.tensors, listing.metadata)).toEqual(file);
  });

  it('reads from any byte offset (no alignment assumed)', () => {
    const bytes = writeSafetensors([{ name: 'w', shape: [3], data: new Float32Array([1, 2, 3]) }]);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const result = readSafetensors(shifted.subarray(3));
    expect(result.ok && [...result.file.tensors[0].data]).toEqual([1, 2, 3]);
  });

  it('refuses impossible header lengths before reading anything', () => {
    expect(failure(new Uint8Array(5))).toMatch(/too short/);
    expect(failure(handMade({}, undefined, 2n ** 40n))).toMatch(/header claims .*more than/);
    expect(failure(handMade({}, undefined, 2n ** 64n - 1n))).toMatch(/header claims .*more than/);
    expect(failure(handMade({}, undefined, 200_000_000n))).toMatch(/more than the 100.0 MB/);
    expect(failure(handMade({}, undefined, 5000n))).toMatch(/only 8 follow .*truncated/);
    expect(failure(handMade({}, undefined, 0n))).toMatch(/too few/);
  });

  it('refuses headers that are not a JSON object', () => {
    expect(failure(handMade('{"a": '))).toMatch(/not valid JSON/);
    expect(failure(handMade('[1, 2, 3]'))).toMatch(/must start with "\{"/);
    expect(failure(handMade(' {}'))).toMatch(/must start with "\{"/);
    const invalidUtf8 = handMade('{"a":1}');
    invalidUtf8[10] = 0xff;
    expect(failure(invalidUtf8)).toMatch(/not valid JSON text/);
    expect(failure(handMade({ __metadata__: { format: 3 } }))).toMatch(/__metadata__ must be an object of strings/);
    expect(failure(handMade({ '': { dtype: 'F32', shape: [], data_offsets: [0, 4] } }, floats(1)))).toMatch(/empty name/);
    expect(failure(handMade({ w: 'F32' }))).toMatch(/must be described by an object/);
  });

  it('refuses dtypes other than F32, by name', () => {
    expect(failure(handMade({ w: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)))).toMatch(
      /dtype F16; CNN Studio reads only F32/,
    );
    expect(failure(handMade({ w: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)))).toMatch(/dtype BF16/);
    expect(failure(handMade({ w: { dtype: 'Q4', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)))).toMatch(/unknown dtype 'Q4'/);
    expect(failure(handMade({ w: { shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8)))).toMatch(/no dtype/);
  });

  it('refuses absurd shapes without allocating them', () => {
    const big = 2 ** 31;
    expect(failure(handMade({ w: { dtype: 'F32', shape: [big, big, big], data_offsets: [0, 4] } }, floats(1)))).toMatch(
      /more values than the file holds/,
    );
    expect(failure(handMade({ w: { dtype: 'F32', shape: [2 ** 52, 2], data_offsets: [0, 4] } }, floats(1)))).toMatch(/more values/);
    expect(failure(handMade({ w: { dtype: 'F32', shape: [2 ** 53, 2], data_offsets: [0, 4] } }, floats(1)))).toMatch(/whole number from 0/);
    expect(failure(handMade('{"w":{"dtype":"F32","shape":[1e400],"data_offsets":[0,4]}}', floats(1)))).toMatch(/whole number from 0/);
    expect(failure(handMade({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, floats(1)))).toMatch(/whole number from 0/);
    expect(failure(handMade({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, floats(1)))).toMatch(/whole number from 0/);
    expect(failure(handMade({ w: { dtype: 'F32', shape: '4', data_offsets: [0, 4] } }, floats(1)))).toMatch(/no shape list/);
    expect(failure(handMade({ w: { dtype: 'F32', shape: Array(9).fill(1), data_offsets: [0, 4] } }, floats(1)))).toMatch(/9 axes/);
    // A zero anywhere makes an empty tensor, however large the other sizes.
    const empty = readSafetensors(handMade({ w: { dtype: 'F32', shape: [2 ** 40, 0], data_offsets: [0, 0] } }));
    expect(empty.ok && empty.file.tensors[0].data.length).toBe(0);
  });

  it('refuses offsets out of range, overlapping, with gaps or not matching the shape', () => {
    const data = floats(1, 2, 3, 4);
    const f32 = (shape: number[], data_offsets: unknown) => ({ dtype: 'F32', shape, data_offsets });
    expect(failure(handMade({ w: f32([4], [0, 32]) }, data))).toMatch(/past the end of the data/);
    expect(failure(handMade({ w: f32([4], [8, 0]) }, data))).toMatch(/end before they begin/);
    expect(failure(handMade({ w: f32([4], [0, 2 ** 52]) }, data))).toMatch(/past the end/);
    expect(failure(handMade({ w: f32([4], [0, 2 ** 60]) }, data))).toMatch(/whole numbers from 0/);
    expect(failure(handMade({ w: f32([4], [-4, 12]) }, data))).toMatch(/whole numbers from 0/);
    expect(failure(handMade({ w: f32([4], [0]) }, data))).toMatch(/data_offsets \[begin, end\]/);
    expect(failure(handMade({ w: f32([4], '0-16') }, data))).toMatch(/data_offsets \[begin, end\]/);
    expect(failure(handMade({ w: f32([3], [0, 16]) }, data))).toMatch(/span 16 bytes/);
    expect(failure(handMade({ a: f32([3], [0, 12]), b: f32([3], [4, 16]) }, data))).toMatch(/'a' and 'b' overlap/);
    expect(failure(handMade({ a: f32([1], [0, 4]), b: f32([2], [8, 16]) }, data))).toMatch(/bytes 4–8 of the data belong to no tensor/);
    expect(failure(handMade({ a: f32([2], [0, 8]) }, data))).toMatch(/8 bytes after its last tensor/);
    expect(failure(handMade({ a: f32([2], [4, 12]) }, data))).toMatch(/bytes 0–4/);
  });

  it('checks a header from the start of a file, asking for more until it has it', () => {
    const bytes = writeSafetensors([{ name: 'w', shape: [2, 2], data: new Float32Array(4) }]);
    expect(readSafetensorsHeader(bytes.subarray(0, 4), bytes.length)).toEqual({ status: 'more' });
    expect(readSafetensorsHeader(bytes.subarray(0, 20), bytes.length)).toEqual({ status: 'more' });
    expect(readSafetensorsHeader(bytes.subarray(0, bytes.length - 16), bytes.length)).toEqual({
      status: 'ok',
      tensors: [{ name: 'w', shape: [2, 2] }],
      metadata: {},
    });
    const wrongLength = readSafetensorsHeader(bytes.subarray(0, 20), bytes.length + 4);
    expect(wrongLength.status === 'more' || wrongLength.status === 'error').toBe(true);
    const full = readSafetensorsHeader(bytes, bytes.length + 4);
    expect(full.status === 'error' && full.error).toMatch(/4 bytes after its last tensor/);
  });

  it('refuses to write tensors that are wrong', () => {
    const w = { name: 'w', shape: [2], data: new Float32Array(2) };
    expect(() => writeSafetensors([w, w])).toThrow(SafetensorsError);
    expect(() => writeSafetensors([{ ...w, shape: [3] }])).toThrow(/holds 2 values for a shape of 3/);
    expect(() => writeSafetensors([{ ...w, name: '__metadata__' }])).toThrow(/cannot name a tensor/);
    expect(() => writeSafetensors([{ ...w, data: new Float64Array(2) as unknown as Float32Array }])).toThrow(/Float32Array/);
  });
});
