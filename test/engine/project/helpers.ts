// Shared by the project-file tests: sample projects with real weights, a hand-made zip writer
// (for archives no honest tool writes) and a deflate bomb.
import { deflateSync } from 'fflate';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import type { GraphDocument } from '../../../engine/graph/document';
import { lenet5 } from '../../../engine/graph/templates/classic';
import type { ExpectedTensors, ProjectTensors } from '../../../engine/project/container';
import { graphVersion, newProject, type ProjectDocument, type RunRecord } from '../../../engine/project/schema';
import { crc32 } from '../../../engine/project/zip';
import { compileModel } from '../../../engine/train/plan';
import { Random } from '../../../engine/train/random';
import type { NamedTensor } from '../../../engine/train/state-dict';

/** The CPU backend's tensors, as electron/services/project supplies them to the app. */
export const cpuExpected: ExpectedTensors = (graph) => {
  try {
    const model = compileModel(graph, CPU_LAYERS);
    return new Map([...model.specs].map(([name, spec]) => [name, [...spec.shape]]));
  } catch {
    return null;
  }
};

export const options = { expectedTensors: cpuExpected };

/** Seeded random weights with the graph's names and shapes. */
export const randomTensors = (graph: GraphDocument, seed: number): NamedTensor[] => {
  const random = new Random(seed);
  return [...cpuExpected(graph)!].map(([name, shape]) => {
    const data = new Float32Array(shape.reduce((product, dim) => product * dim, 1));
    for (let i = 0; i < data.length; i++) data[i] = random.normal() * 0.1;
    return { name, shape, data };
  });
};

/** LeNet-5 with a wider first dense layer: an earlier version of the sample's graph. */
export const olderGraph = (): GraphDocument => {
  const graph = lenet5();
  return { ...graph, nodes: graph.nodes.map((node) => (node.id === 'fc1' ? { ...node, params: { units: 64 } } : node)) };
};

const run = (id: string, graph: GraphDocument, status: RunRecord['status'], epochs: number): RunRecord => ({
  id,
  startedAt: '2025-03-01T10:00:00Z',
  finishedAt: '2025-03-01T10:05:30.250Z',
  status,
  graphVersion: graphVersion(graph),
  training: { epochs: 3, batchSize: 64, learningRate: 0.01, optimizer: { kind: 'sgd', momentum: 0.9 }, seed: 7 },
  dataset: { kind: 'mnist' },
  split: { validation: 0.1, test: 0, seed: 1 },
  epochs: Array.from({ length: epochs }, (_, index) => ({
    epoch: index + 1,
    trainLoss: 1 / (index + 2),
    trainAccuracy: 0.9 + index / 100,
    validationLoss: 1 / (index + 3),
    validationAccuracy: 0.91 + index / 100,
    learningRate: 0.01,
    seconds: 12.5,
  })),
});

/** LeNet-5 with current weights and two runs: one on this graph, one on an older version of it. */
export const sampleProject = (): { project: ProjectDocument; tensors: ProjectTensors } => {
  const graph = lenet5();
  const base = newProject(graph, {
    name: 'Digits',
    createdWith: 'CNN Studio test',
    dataset: { kind: 'mnist' },
    split: { validation: 0.1, test: 0, seed: 3 },
    preprocess: { normalise: true, augment: { shift: 2 } },
    layout: { x: -40, y: 12.5, zoom: 0.75 },
    training: { epochs: 3, schedule: { kind: 'cosine', totalEpochs: 3 } },
  });
  const project: ProjectDocument = { ...base, runs: [run('run-1', olderGraph(), 'stopped', 1), run('run-2', graph, 'completed', 3)] };
  const tensors: ProjectTensors = {
    current: randomTensors(graph, 1),
    runs: new Map([
      ['run-1', randomTensors(olderGraph(), 2)],
      ['run-2', randomTensors(graph, 3)],
    ]),
  };
  return { project, tensors };
};

export interface CraftEntry {
  readonly name: string;
  /** The content; deflated when method is 8. */
  readonly data?: Uint8Array;
  readonly method?: number;
  /** Compressed bytes to store instead of deflating `data`. */
  readonly compressed?: Uint8Array;
  /** Declared uncompressed size (default: the data's length). */
  readonly size?: number;
  readonly crc?: number;
  readonly flags?: number;
  /** The name in the local header, when it should differ. */
  readonly localName?: string;
  /** Local header offset to claim in the directory, when it should lie. */
  readonly offset?: number;
}

const encoder = new TextEncoder();

/** Writes a zip by hand, trusting every field it is given. */
export const craftZip = (entries: readonly CraftEntry[], trailing: Uint8Array = new Uint8Array(0)): Uint8Array => {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = entry.data ?? new Uint8Array(0);
    const method = entry.method ?? 0;
    const compressed = entry.compressed ?? (method === 8 ? deflateSync(data) : data);
    const size = entry.size ?? data.length;
    const crc = entry.crc ?? crc32(data);
    const flags = entry.flags ?? 0x0800;
    const name = encoder.encode(entry.name);
    const localName = encoder.encode(entry.localName ?? entry.name);
    const local = new Uint8Array(30 + localName.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, compressed.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, localName.length, true);
    local.set(localName, 30);
    const header = new Uint8Array(46 + name.length);
    const cv = new DataView(header.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, compressed.length, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, entry.offset ?? offset, true);
    header.set(name, 46);
    parts.push(local, compressed);
    central.push(header);
    offset += local.length + compressed.length;
  }
  const directorySize = central.reduce((total, part) => total + part.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, directorySize, true);
  ev.setUint32(16, offset, true);
  return concat([...parts, ...central, end, trailing]);
};

export const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

/**
 * A raw deflate stream of `1 + 258 × runs` zero bytes, at deflate's best ratio (1032:1): one
 * dynamic-Huffman block whose length-258 and distance-1 codes are one bit each, both '0', so
 * the body is all zero bytes. 15 million runs make 3.87 GB from 3.8 MB.
 */
export const deflateBomb = (runs: number): Uint8Array => {
  const bytes = new Uint8Array(Math.ceil((200 + 2 * runs) / 8) + 8);
  let bit = 0;
  const write = (value: number, count: number) => {
    for (let i = 0; i < count; i++, bit++) if ((value >>> i) & 1) bytes[bit >> 3] |= 1 << (bit & 7);
  };
  const code = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) write((value >>> i) & 1, 1);
  };
  write(1, 1); // final block
  write(2, 2); // dynamic Huffman
  write(286 - 257, 5); // literal/length codes 0…285
  write(1 - 1, 5); // one distance code
  write(18 - 4, 4); // code-length codes, in the format's order, up to symbol 1
  const codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
  const codeLengthLengths: Record<number, number> = { 18: 1, 1: 2, 2: 2 };
  for (const symbol of codeLengthOrder) write(codeLengthLengths[symbol] ?? 0, 3);
  // Code-length codes: 18 → '0', 1 → '10', 2 → '11'.
  const length1 = () => code(0b10, 2);
  const length2 = () => code(0b11, 2);
  const zeros = (count: number) => {
    code(0b0, 1);
    write(count - 11, 7);
  };
  length2(); // literal 0: 2 bits
  zeros(138);
  zeros(117); // literals 1…255 unused
  length2(); // 256, end of block: 2 bits
  zeros(28); // lengths 257…284 unused
  length1(); // 285, length 258: 1 bit
  length1(); // distance code 0, distance 1: 1 bit
  // Literal/length codes: 285 → '0', 0 → '10', 256 → '11'. Distance 0 → '0'.
  code(0b10, 2); // one literal zero
  bit += 2 * runs; // each run: '0' (length 258) then '0' (distance 1)
  code(0b11, 2); // end of block
  return bytes.subarray(0, Math.ceil(bit / 8));
};
