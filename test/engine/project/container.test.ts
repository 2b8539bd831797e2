import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { lenet5 } from '../../../engine/graph/templates/classic';
import {
  packProject,
  readProjectFile,
  unpackProject,
  type ProjectErrorCode,
  type ProjectTensors,
  type UnpackedProject,
} from '../../../engine/project/container';
import { writeSafetensors } from '../../../engine/project/safetensors';
import { graphVersion, PROJECT_FORMAT_VERSION, type ProjectDocument } from '../../../engine/project/schema';
import { readZipDirectory, writeZip } from '../../../engine/project/zip';
import type { NamedTensor } from '../../../engine/train/state-dict';
import { concat, craftZip, deflateBomb, olderGraph, options, randomTensors, sampleProject, type CraftEntry } from './helpers';

const encoder = new TextEncoder();
const jsonBytes = (value: unknown) => encoder.encode(JSON.stringify(value, null, 2));

const pack = (project: ProjectDocument, tensors: ProjectTensors): Uint8Array => {
  const packed = packProject(project, tensors, options);
  if (!packed.ok) throw new Error(`${packed.error.code}: ${packed.error.message}`);
  return packed.bytes;
};

const opened = (bytes: Uint8Array): UnpackedProject => {
  const result = unpackProject(bytes, options);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result;
};

const refused = (bytes: Uint8Array, code: ProjectErrorCode, message?: RegExp): string => {
  const result = readProjectFile(bytes, options);
  expect(result.ok).toBe(false);
  if (result.ok) return '';
  expect(result.error.code, result.error.message).toBe(code);
  if (message) expect(result.error.message).toMatch(message);
  return result.error.message;
};

const sameTensors = (actual: readonly NamedTensor[] | undefined, expected: readonly NamedTensor[] | undefined) => {
  expect(actual?.map((tensor) => [tensor.name, tensor.shape])).toEqual(expected?.map((tensor) => [tensor.name, tensor.shape]));
  // Bit for bit (Buffer comparison: vitest's deep equality is slow on large typed arrays).
  const bits = (data: Float32Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  actual?.forEach((tensor, index) => expect(bits(tensor.data).equals(bits(expected![index].data)), tensor.name).toBe(true));
};

/** The sample's project.json, as packed (with its weights listed). */
const packedDocument = (): Record<string, unknown> => {
  const { project, tensors } = sampleProject();
  return JSON.parse(new TextDecoder().decode(unzipSync(pack(project, tensors))['project.json'])) as Record<string, unknown>;
};

/** A zip of the sample's entries with project.json replaced. */
const withDocument = (document: unknown, extra: CraftEntry[] = []): Uint8Array => {
  const { project, tensors } = sampleProject();
  const files = unzipSync(pack(project, tensors));
  return craftZip([
    { name: 'project.json', data: jsonBytes(document), method: 8 },
    ...Object.entries(files)
      .filter(([name]) => name !== 'project.json')
      .map(([name, data]) => ({ name, data })),
    ...extra,
  ]);
};

describe('packing and unpacking', () => {
  it('round-trips a project with its weights and two runs', () => {
    const { project, tensors } = sampleProject();
    const bytes = pack(project, tensors);
    const result = opened(bytes);
    const version = graphVersion(project.graph);
    expect(result.project).toEqual({
      ...project,
      weights: { file: 'weights/current.safetensors', graphVersion: version },
      runs: project.runs.map((run) => ({ ...run, weightsFile: `weights/runs/${run.id}.safetensors` })),
    });
    sameTensors(result.tensors.current, tensors.current);
    expect([...result.tensors.runs.keys()]).toEqual(['run-1', 'run-2']);
    sameTensors(result.tensors.runs.get('run-1'), tensors.runs.get('run-1'));
    sameTensors(result.tensors.runs.get('run-2'), tensors.runs.get('run-2'));
    // Opening and saving again gives the same bytes.
    expect(Buffer.from(pack(result.project, result.tensors)).equals(bytes)).toBe(true);
  });

  it('writes project.json first and pretty, and stores the weights uncompressed', () => {
    const { project, tensors } = sampleProject();
    const bytes = pack(project, tensors);
    const directory = readZipDirectory(bytes, { maxEntries: 10, maxEntryBytes: 2 ** 30, maxTotalBytes: 2 ** 31 });
    expect(directory.ok).toBe(true);
    if (!directory.ok) return;
    expect(directory.value.map((entry) => [entry.name, entry.method])).toEqual([
      ['project.json', 8],
      ['weights/current.safetensors', 0],
      ['weights/runs/run-1.safetensors', 0],
      ['weights/runs/run-2.safetensors', 0],
    ]);
    const text = new TextDecoder().decode(unzipSync(bytes)['project.json']);
    expect(text.startsWith('{\n  "formatVersion": 1,\n  "kind": "cnn-studio/project",\n')).toBe(true);
  });

  it('lists exactly the weights it writes', () => {
    const { project, tensors } = sampleProject();
    const listed = { ...project, weights: { file: 'weights/current.safetensors' as const, graphVersion: 'abc' } };
    const none = opened(pack(listed, { runs: new Map() }));
    expect(none.project.weights).toBeUndefined();
    expect(none.project.runs.every((run) => run.weightsFile === undefined)).toBe(true);
    expect(none.tensors.current).toBeUndefined();
    // A given graphVersion of the weights is kept (they may come from an earlier graph that fits).
    expect(opened(pack(listed, tensors)).project.weights?.graphVersion).toBe('abc');
  });

  it('refuses to pack what it could not open', () => {
    const { project, tensors } = sampleProject();
    const expectRefused = (result: ReturnType<typeof packProject>, code: ProjectErrorCode, message: RegExp) => {
      expect(result.ok).toBe(false);
      if (!result.ok) expect([result.error.code, result.error.message]).toEqual([code, expect.stringMatching(message)]);
    };
    expectRefused(
      packProject(project, { ...tensors, current: randomTensors(olderGraph(), 1) }, options),
      'weights-mismatch',
      /current weights do not fit the graph: fc1.weight is 64×400 but the graph needs 120×400/,
    );
    expectRefused(
      packProject(project, { ...tensors, current: tensors.current!.slice(1) }, options),
      'weights-mismatch',
      /conv1.weight is missing/,
    );
    expectRefused(
      packProject(project, { ...tensors, runs: new Map([['run-9', tensors.current!]]) }, options),
      'invalid-project',
      /run 'run-9', which the project does not record/,
    );
    expectRefused(packProject({ ...project, name: 5 as unknown as string }, tensors, options), 'invalid-project', /name must be text/);
    const nan = tensors.current!.map((tensor, index) =>
      index === 0 ? { ...tensor, data: tensor.data.map((v, i) => (i ? v : NaN)) } : tensor,
    );
    expectRefused(packProject(project, { ...tensors, current: nan }, options), 'invalid-weights', /conv1.weight holds NaN/);
    const broken = { ...project, graph: { ...project.graph, edges: [] } };
    expectRefused(packProject(broken, { ...tensors, runs: new Map() }, options), 'weights-mismatch', /graph has errors/);
    expectRefused(
      packProject(project, tensors, { ...options, limits: { maxEntryBytes: 100_000 } }),
      'too-large',
      /weights\/current.safetensors would be .* more than/,
    );
    expectRefused(
      packProject(project, { ...tensors, current: [...tensors.current!, tensors.current![0]] }, options),
      'weights-mismatch',
      /conv1.weight is given twice/,
    );
  });

  it('packs a graph with errors, without weights', () => {
    const { project } = sampleProject();
    const broken = { ...project, graph: { ...project.graph, nodes: [...project.graph.nodes, { id: 'x', type: 'Nonsense' }] } };
    expect(opened(pack(broken, { runs: new Map() })).project.graph.nodes).toHaveLength(project.graph.nodes.length + 1);
  });
});

describe('unpacking refuses', () => {
  it('entry names that escape the project (zip slip)', () => {
    const project = { name: 'project.json', data: jsonBytes(lenet5()) };
    for (const [name, reason] of [
      ['../evil.sh', /climbs out of the project/],
      ['weights/../../evil.sh', /climbs out/],
      ['/etc/passwd', /absolute path/],
      ['C:/Windows/evil.dll', /absolute path/],
      ['c:evil', /absolute path/],
      ['weights\\..\\evil', /backslash/],
      ['weights//x.safetensors', /empty or '.' folder/],
      ['./project.json', /empty or '.' folder/],
      ['weights/run\u0000.safetensors', /control characters/],
      ['project.json:stream', /':'/],
      ['x'.repeat(300), /longer than 255/],
    ] as const)
      refused(craftZip([project, { name, data: new Uint8Array(4) }]), 'unsafe-entry', reason);
    refused(craftZip([project, { name: '', data: new Uint8Array(0) }]), 'unsafe-entry', /empty name/);
  });

  it('entries that are no part of a project, and repeated ones', () => {
    const project = { name: 'project.json', data: jsonBytes(lenet5()) };
    for (const name of [
      'evil.sh',
      '__MACOSX/._project.json',
      'weights/model.bin',
      'weights/runs/a/b.safetensors',
      'weights/runs/-x.safetensors',
    ])
      refused(craftZip([project, { name, data: new Uint8Array(4) }]), 'unexpected-entry', /no part of a CNN Studio project/);
    refused(craftZip([project, project]), 'duplicate-entry', /holds "project.json" twice/);
    // Folder entries, as other zip tools add them, are fine.
    const folders = craftZip([{ name: 'weights/' }, { name: 'weights/runs/' }, project]);
    expect(readProjectFile(folders, options).ok).toBe(true);
  });

  it('a small zip that inflates to gigabytes, quickly and without holding them', () => {
    const bombRuns = 15_000_000;
    const bomb = deflateBomb(bombRuns);
    const inflated = 1 + 258 * bombRuns;
    expect(inflated).toBeGreaterThan(3.8e9);
    expect(bomb.length).toBeLessThan(4e6);
    const start = performance.now();
    // Lying: declares a small project.json. Inflation stops just past the declared size.
    refused(
      craftZip([{ name: 'project.json', method: 8, compressed: bomb, size: 1000, crc: 0 }]),
      'corrupt',
      /inflates to more than the 1000 bytes it declares/,
    );
    // Honest: declares its size, which no project.json may have.
    refused(
      craftZip([{ name: 'project.json', method: 8, compressed: bomb, size: inflated, crc: 0 }]),
      'too-large',
      /3.9 GB, more than the 1.1 GB allowed for one entry/,
    );
    refused(
      craftZip([{ name: 'project.json', method: 8, compressed: bomb.subarray(0, 200_000), size: 200_000_000, crc: 0 }]),
      'too-large',
      /more than the 67.1 MB allowed/,
    );
    // Weights of an earlier graph cannot be bounded by shapes: their header is checked as soon as it inflates.
    const document = packedDocument();
    const { weights: _, ...unlisted } = document;
    const runs = (document.runs as Record<string, unknown>[]).map(({ weightsFile, ...run }) =>
      run.id === 'run-1' ? { ...run, weightsFile } : run,
    );
    const oldRun = { name: 'weights/runs/run-1.safetensors', method: 8, compressed: bomb.subarray(0, 900_000), size: 900_000_000, crc: 0 };
    refused(craftOnly({ ...unlisted, runs }, [oldRun]), 'invalid-weights', /run-1.safetensors: the header claims 0 bytes/);
    // So are the current weights'.
    const current = { name: 'weights/current.safetensors', method: 8, compressed: bomb.subarray(0, 900_000), size: 900_000_000, crc: 0 };
    const noRuns = (document.runs as Record<string, unknown>[]).map(({ weightsFile: _, ...run }) => run);
    refused(craftOnly({ ...document, runs: noRuns }, [current]), 'invalid-weights', /current.safetensors: the header claims 0 bytes/);
    // Several entries that together pass the total.
    const many = [1, 2, 3].map((n) => ({
      name: `weights/runs/r${n}.safetensors`,
      method: 8,
      compressed: bomb.subarray(0, 900_000),
      size: 900_000_000,
      crc: 0,
    }));
    refused(craftOnly(document, many), 'too-large', /more than the 2.1 GB allowed for a project/);
    // A declared size that its compressed bytes could never hold.
    refused(
      craftZip([{ name: 'project.json', method: 8, compressed: new Uint8Array(10), size: 5_000_000, crc: 0 }]),
      'corrupt',
      /cannot hold/,
    );
    expect(performance.now() - start).toBeLessThan(5000);
  });

  it('overlapping entries', () => {
    const data = jsonBytes(lenet5());
    const zip = craftZip([
      { name: 'project.json', data },
      { name: 'weights/', offset: 10 },
    ]);
    refused(zip, 'corrupt');
  });

  it('truncated files, at any length', () => {
    const { project, tensors } = sampleProject();
    const bytes = pack(project, tensors);
    const cuts = [0, 1, 3, 4, 10, 30, 100, 1000, bytes.length / 2, bytes.length - 100, bytes.length - 22, bytes.length - 1].map(Math.floor);
    for (const cut of cuts) {
      const result = readProjectFile(bytes.subarray(0, cut), options);
      expect(result.ok, `cut at ${cut}`).toBe(false);
      if (!result.ok) expect(['truncated', 'not-a-project', 'corrupt']).toContain(result.error.code);
    }
    refused(bytes.subarray(0, bytes.length - 1), 'truncated', /truncated/);
  });

  it('damaged data, by its checksum', () => {
    const { project, tensors } = sampleProject();
    const bytes = pack(project, tensors).slice();
    bytes[Math.floor(bytes.length * 0.6)] ^= 0x10;
    refused(bytes, 'corrupt', /fails its checksum/);
  });

  it('weights that do not fit the graph', () => {
    const document = packedDocument();
    const graphOfOld = { ...document, graph: olderGraph() };
    refused(
      withDocument(graphOfOld),
      'weights-mismatch',
      /weights\/current.safetensors does not fit the graph: fc1.weight is 120×400 but the graph needs 64×400/,
    );
    const weights = (list: NamedTensor[]) => ({ name: 'weights/current.safetensors', data: writeSafetensors(list) });
    const current = randomTensors(lenet5(), 5);
    const runFiles = (document.runs as { id: string }[]).map((run) => ({
      name: `weights/runs/${run.id}.safetensors`,
      data: writeSafetensors(randomTensors(run.id === 'run-1' ? olderGraph() : lenet5(), 1)),
    }));
    const zipWith = (list: NamedTensor[]) => craftZip([{ name: 'project.json', data: jsonBytes(document) }, weights(list), ...runFiles]);
    expect(readProjectFile(zipWith(current), options).ok).toBe(true);
    refused(zipWith(current.slice(0, -1)), 'weights-mismatch', /output|fc3.bias is missing/);
    refused(
      zipWith([...current, { name: 'extra', shape: [1], data: new Float32Array(1) }]),
      'weights-mismatch',
      /extra is not a tensor of this graph/,
    );
    refused(
      zipWith(current.map((tensor) => (tensor.name === 'conv1.bias' ? { ...tensor, shape: [3, 2] } : tensor))),
      'weights-mismatch',
      /conv1.bias is 3×2 but the graph needs 6/,
    );
    refused(
      zipWith(current.map((tensor) => (tensor.name === 'fc2.bias' ? { ...tensor, data: tensor.data.slice().fill(Infinity) } : tensor))),
      'invalid-weights',
      /fc2.bias holds NaN or infinite/,
    );
    // A run of the current graph is checked too; one of an earlier graph is not.
    const swapped = craftZip([
      { name: 'project.json', data: jsonBytes(document) },
      weights(current),
      { name: 'weights/runs/run-1.safetensors', data: writeSafetensors(randomTensors(lenet5(), 1)) },
      { name: 'weights/runs/run-2.safetensors', data: writeSafetensors(randomTensors(olderGraph(), 1)) },
    ]);
    refused(swapped, 'weights-mismatch', /run-2.safetensors does not fit the graph/);
    // A broken weights file.
    refused(
      craftZip([
        { name: 'project.json', data: jsonBytes(document) },
        { name: 'weights/current.safetensors', data: new Uint8Array(16) },
        ...runFiles,
      ]),
      'invalid-weights',
      /current.safetensors: the header claims 0 bytes/,
    );
  });

  it('weights the document does not list, and listed weights that are absent', () => {
    const document = packedDocument();
    const { weights: _, ...unlisted } = document;
    refused(withDocument(unlisted), 'unexpected-entry', /holds weights\/current.safetensors, but project.json does not list it/);
    const files = unzipSync(withDocument(document));
    const without = (name: string) =>
      craftZip(
        Object.entries(files)
          .filter(([entry]) => entry !== name)
          .map(([entry, data]) => ({ name: entry, data })),
      );
    refused(without('weights/current.safetensors'), 'missing-entry', /lists weights\/current.safetensors, but the archive lacks it/);
    refused(without('weights/runs/run-2.safetensors'), 'missing-entry', /run 'run-2' lists weights\/runs\/run-2.safetensors/);
    refused(without('project.json'), 'missing-entry', /project.json is missing/);
    const runs = (document.runs as Record<string, unknown>[]).map(({ weightsFile: _, ...run }) => run);
    refused(
      withDocument({ ...document, runs }),
      'unexpected-entry',
      /holds weights\/runs\/run-1.safetensors, but no run in project.json lists it/,
    );
  });

  it('a project from a newer CNN Studio', () => {
    const message = refused(withDocument({ ...packedDocument(), formatVersion: PROJECT_FORMAT_VERSION + 1 }), 'too-new');
    expect(message).toMatch(/made by a newer CNN Studio/);
    refused(
      craftZip([{ name: 'project.json', data: jsonBytes({ formatVersion: 99, kind: 'cnn-studio/project', shiny: true }) }]),
      'too-new',
      /format version 99/,
    );
  });

  it('project.json that is not a valid project', () => {
    refused(craftZip([{ name: 'project.json', data: encoder.encode('{"formatVersion": 1,') }]), 'invalid-project', /not valid JSON/);
    refused(craftZip([{ name: 'project.json', data: new Uint8Array([0x7b, 0xff, 0x7d]) }]), 'invalid-project', /not UTF-8/);
    const result = readProjectFile(withDocument({ ...packedDocument(), training: { epochs: -1 } }), options);
    expect(!result.ok && result.error.code).toBe('invalid-project');
    expect(!result.ok && result.error.details).toContain('training.epochs must be a whole number from 1, not -1');
  });

  it('archives a project never uses', () => {
    const data = jsonBytes(lenet5());
    refused(craftZip([{ name: 'project.json', data, flags: 1 }]), 'unsupported', /encrypted/);
    refused(craftZip([{ name: 'project.json', data, method: 12 }]), 'unsupported', /compression method 12/);
    refused(craftZip([{ name: 'project.json', data, localName: 'other.json' }]), 'corrupt', /disagrees/);
    refused(craftZip([{ name: 'project.json', data }], new Uint8Array(5)), 'truncated', /no end-of-archive record/);
    const zip64 = craftZip([{ name: 'project.json', data }]);
    new DataView(zip64.buffer).setUint16(zip64.length - 22 + 10, 0xffff, true);
    refused(zip64, 'unsupported');
    refused(new Uint8Array(1000).fill(7), 'not-a-project', /neither/);
    refused(new Uint8Array(0), 'not-a-project', /empty/);
    refused(encoder.encode('PK\u0005\u0006'), 'truncated');
  });

  it('too many entries', () => {
    const result = unpackProject(
      craftZip([{ name: 'weights/' }, { name: 'weights/runs/' }, { name: 'project.json', data: jsonBytes(lenet5()) }]),
      {
        ...options,
        limits: { maxEntries: 2 },
      },
    );
    expect(!result.ok && result.error.code).toBe('too-large');
  });
});

/** A zip of just this project.json and these entries. */
function craftOnly(document: unknown, entries: CraftEntry[]): Uint8Array {
  return craftZip([{ name: 'project.json', data: jsonBytes(document) }, ...entries]);
}

describe('plain JSON files', () => {
  it('open a graph document as a new project (format version 0)', () => {
    const result = readProjectFile(concat([new Uint8Array([0xef, 0xbb, 0xbf]), encoder.encode('\n '), jsonBytes(lenet5())]), options);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.migratedFrom).toBe(0);
    expect(result.project.name).toBe('LeNet-5');
    expect(result.tensors).toEqual({ runs: new Map() });
  });

  it('open a zip whose project.json is a bare graph', () => {
    const result = readProjectFile(writeZip([{ name: 'project.json', data: jsonBytes(lenet5()), compress: true }]), options);
    expect(result.ok && result.migratedFrom).toBe(0);
  });

  it('open a project.json without weights, and refuse one that lists some', () => {
    const { project } = sampleProject();
    expect(readProjectFile(jsonBytes(project), options).ok).toBe(true);
    refused(jsonBytes(packedDocument()), 'missing-entry', /only a .cnnproj archive can hold them/);
    refused(encoder.encode('{"nodes": [}'), 'invalid-project', /not valid JSON/);
    const result = readProjectFile(jsonBytes(project), { ...options, limits: { maxProjectBytes: 100 } });
    expect(!result.ok && result.error.code).toBe('too-large');
  });
});
