// Float32 tensors as base64 for the JSON wire: exact, and the same text as Node's Buffer writes.
import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeFloat32, encodeBase64, encodeFloat32 } from '../../../engine/viz/encoding';
import { softmax, topClasses } from '../../../engine/viz/predictions';

describe('base64 float32', () => {
  it('writes what Buffer writes, for every padding', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 6, 7, 300]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 255);
      const text = encodeBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(decodeBase64(text)).toEqual(bytes);
    }
  });

  it('round-trips float32 values bit for bit, little-endian', () => {
    const values = Float32Array.of(0, -0, 1.5, -3.25e-8, 65504, Infinity, -Infinity, NaN, Math.fround(Math.PI));
    const text = encodeFloat32(values);
    expect(text).toBe(Buffer.from(values.buffer).toString('base64'));
    const back = decodeFloat32(text);
    expect(new Uint8Array(back.buffer)).toEqual(new Uint8Array(values.buffer));
    expect(decodeFloat32(Buffer.from(Float32Array.of(2, 4).buffer).toString('base64'))).toEqual(Float32Array.of(2, 4));
  });

  it('refuses text that is not base64 float32', () => {
    expect(() => decodeBase64('abc')).toThrow(/groups of 4/);
    expect(() => decodeBase64('ab!d')).toThrow(/'!' at 2 is not base64/);
    expect(() => decodeFloat32(encodeBase64(Uint8Array.of(1, 2, 3)))).toThrow(/4-byte values/);
  });
});

describe('predictions', () => {
  it('turns logits into probabilities, best first', () => {
    const probabilities = softmax([0, Math.log(3)]);
    expect(probabilities[0]).toBeCloseTo(0.25, 12);
    expect(probabilities[1]).toBeCloseTo(0.75, 12);
    expect(softmax([1000, 1000])).toEqual([0.5, 0.5]);
    expect(topClasses([1, 3, 3, 0], 2).map((c) => c.index)).toEqual([1, 2]);
  });
});
