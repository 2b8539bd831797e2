/**
 * The IDX format of MNIST (LeCun's "THE MNIST DATABASE"): a magic number whose third byte is the
 * element type and fourth the number of dimensions, the dimensions as big-endian uint32, then
 * the data. Only unsigned bytes (type 0x08) are read; that is what image and label files use.
 */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

export class IdxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdxFormatError';
  }
}

export const parseIdx = (bytes: Uint8Array, what = 'IDX data'): IdxArray => {
  if (bytes.length < 4) throw new IdxFormatError(`${what} is too short to be an IDX file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0) throw new IdxFormatError(`${what} is not an IDX file: it does not start with two zero bytes`);
  const type = bytes[2];
  const rank = bytes[3];
  if (type !== 0x08)
    throw new IdxFormatError(`${what} holds element type 0x${type.toString(16)}; only unsigned bytes (0x08) are supported`);
  if (rank < 1 || rank > 4) throw new IdxFormatError(`${what} has ${rank} dimensions; expected 1 to 4`);
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new IdxFormatError(`${what} is truncated inside its header`);
  const dims = Array.from({ length: rank }, (_, axis) => view.getUint32(4 + 4 * axis));
  const size = dims.reduce((product, dim) => product * dim, 1);
  if (bytes.length - header < size) {
    throw new IdxFormatError(
      `${what} is truncated: its header promises ${dims.join('×')} = ${size} values but ${bytes.length - header} bytes follow`,
    );
  }
  return { dims, data: bytes.subarray(header, header + size) };
};
