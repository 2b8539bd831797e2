/**
 * Float32 tensors as text, for the StudioApi's JSON wire: the little-endian bytes of the values
 * in standard base64 (RFC 4648, with padding; what Node's Buffer writes). Exact, and about
 * 5.3 characters a value where JSON numbers take 10 to 12.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

const littleEndianBytes = (values: Float32Array): Uint8Array => {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
};

export const encodeBase64 = (bytes: Uint8Array): string => {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    chunk +=
      ALPHABET[a >> 2] +
      ALPHABET[((a & 3) << 4) | (b >> 4)] +
      (i + 1 < bytes.length ? ALPHABET[((b & 15) << 2) | (c >> 6)] : '=') +
      (i + 2 < bytes.length ? ALPHABET[c & 63] : '=');
    if (chunk.length >= 4096) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
};

export const decodeBase64 = (text: string): Uint8Array => {
  if (text.length % 4 !== 0) throw new Error(`base64 text must come in groups of 4 characters, not ${text.length}`);
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let out = 0;
  for (let i = 0; i < text.length; i += 4) {
    let group = 0;
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j);
      const sextet = code === 61 && i + j >= text.length - padding ? 0 : code < 128 ? LOOKUP[code] : -1;
      if (sextet < 0) throw new Error(`'${text[i + j]}' at ${i + j} is not base64`);
      group = (group << 6) | sextet;
    }
    if (out < bytes.length) bytes[out++] = (group >> 16) & 255;
    if (out < bytes.length) bytes[out++] = (group >> 8) & 255;
    if (out < bytes.length) bytes[out++] = group & 255;
  }
  return bytes;
};

export const encodeFloat32 = (values: Float32Array): string => encodeBase64(littleEndianBytes(values));

export const decodeFloat32 = (text: string): Float32Array => {
  const bytes = decodeBase64(text);
  if (bytes.length % 4 !== 0) throw new Error(`float32 data must be a whole number of 4-byte values, not ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer);
  const values = new Float32Array(bytes.length / 4);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
};
