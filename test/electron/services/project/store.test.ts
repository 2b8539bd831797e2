import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lenet5 } from '../../../../engine/graph/templates/classic';
import { packProject } from '../../../../engine/project/container';
import type { ProjectDocument } from '../../../../engine/project/schema';
import { writeZip } from '../../../../engine/project/zip';
import { expectedTensorsFromCatalogue } from '../../../../electron/services/project/expected-tensors';
import {
  createProject,
  nodeFileSystem,
  openProject,
  ProjectStore,
  saveProject,
  type StoreFileSystem,
} from '../../../../electron/services/project/store';
import { craftZip, olderGraph, options, sampleProject } from '../../../engine/project/helpers';

let folder: string;
let count = 0;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'cnn-studio-store-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** A fresh subfolder per test, so listings show only that test's files. */
const place = async (): Promise<string> => {
  const path = join(folder, `case-${++count}`);
  await mkdir(path);
  return path;
};

const listing = async (path: string): Promise<string[]> => (await readdir(path)).sort();

const packedBytes = (project: ProjectDocument, tensors: Parameters<typeof packProject>[1]): Uint8Array => {
  const packed = packProject(project, tensors, options);
  if (!packed.ok) throw new Error(packed.error.message);
  return packed.bytes;
};

/** Node's file system, with chosen operations failing. */
const failing = (overrides: Partial<StoreFileSystem>): StoreFileSystem => ({ ...nodeFileSystem, ...overrides });

const enospc = () => Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });

describe('the project store', () => {
  it('creates, opens and saves a project with weights and runs', async () => {
    const dir = await place();
    const path = join(dir, 'digits.cnnproj');
    const store = new ProjectStore({ createdWith: 'CNN Studio 0.1.0' });
    const created = await store.create(path, lenet5(), { name: 'Digits', dataset: { kind: 'mnist' } });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.project).toMatchObject({ name: 'Digits', createdWith: 'CNN Studio 0.1.0', runs: [] });
    expect(created.stamp.size).toBe((await stat(path)).size);
    expect(await listing(dir)).toEqual(['digits.cnnproj']);

    const { project, tensors } = sampleProject();
    const saved = await store.save(path, project, tensors);
    expect(saved.ok).toBe(true);
    const reopened = await new ProjectStore().open(path);
    expect(reopened.ok).toBe(true);
    if (!reopened.ok) return;
    expect(reopened.project.runs.map((run) => run.id)).toEqual(['run-1', 'run-2']);
    expect(reopened.tensors.current?.map((tensor) => tensor.name)).toEqual(tensors.current!.map((tensor) => tensor.name));
    expect(Buffer.from(reopened.tensors.current![0].data.buffer).equals(Buffer.from(tensors.current![0].data.buffer))).toBe(true);
    expect(reopened.tensors.runs.size).toBe(2);
    expect(await listing(dir)).toEqual(['digits.cnnproj', 'digits.cnnproj.bak']);
  });

  it('keeps the previous version as .bak', async () => {
    const dir = await place();
    const path = join(dir, 'p.cnnproj');
    const store = new ProjectStore();
    const { project, tensors } = sampleProject();
    expect((await store.create(path, lenet5())).ok).toBe(true);
    const first = await readFile(path);
    expect((await store.save(path, { ...project, name: 'second' }, tensors)).ok).toBe(true);
    expect((await readFile(`${path}.bak`)).equals(first)).toBe(true);
    const second = await readFile(path);
    expect((await store.save(path, { ...project, name: 'third' }, tensors)).ok).toBe(true);
    expect((await readFile(`${path}.bak`)).equals(second)).toBe(true);
    const backup = await new ProjectStore().open(`${path}.bak`);
    expect(backup.ok && backup.project.name).toBe('second');
    const current = await store.open(path);
    expect(current.ok && current.project.name).toBe('third');
  });

  it('refuses to overwrite a file changed on disk since it was opened, unless forced', async () => {
    const dir = await place();
    const path = join(dir, 'shared.cnnproj');
    const { project, tensors } = sampleProject();
    const mine = new ProjectStore();
    const theirs = new ProjectStore();
    expect((await mine.create(path, lenet5())).ok).toBe(true);
    expect((await theirs.open(path)).ok).toBe(true);
    // Another window saves first.
    expect((await theirs.save(path, { ...project, name: 'theirs' }, tensors)).ok).toBe(true);
    const theirBytes = await readFile(path);
    const refused = await mine.save(path, { ...project, name: 'mine' }, tensors);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('changed-on-disk');
      expect(refused.error.message).toMatch(/changed on disk since it was opened/);
    }
    expect((await readFile(path)).equals(theirBytes)).toBe(true);
    expect((await mine.save(path, { ...project, name: 'mine' }, tensors, { force: true })).ok).toBe(true);
    const now = await mine.open(path);
    expect(now.ok && now.project.name).toBe('mine');
  });

  it('notices a change of the modification time alone, and of the size alone', async () => {
    const dir = await place();
    const path = join(dir, 'touched.cnnproj');
    const store = new ProjectStore();
    const { project, tensors } = sampleProject();
    expect((await store.create(path, lenet5())).ok).toBe(true);
    const later = new Date(Date.now() + 60_000);
    await utimes(path, later, later);
    const touched = await store.save(path, project, tensors);
    expect(!touched.ok && touched.error.code).toBe('changed-on-disk');
    expect((await store.open(path)).ok).toBe(true);
    const bytes = await readFile(path);
    const { mtime } = await stat(path);
    await writeFile(path, Buffer.concat([bytes, Buffer.from([0])]));
    await utimes(path, mtime, mtime);
    const grown = await store.save(path, project, tensors);
    expect(!grown.ok && grown.error.code).toBe('changed-on-disk');
  });

  it('refuses to overwrite a file it never opened, and a new project over an existing file', async () => {
    const dir = await place();
    const path = join(dir, 'other.cnnproj');
    await writeFile(path, 'someone else’s file');
    const store = new ProjectStore();
    const { project, tensors } = sampleProject();
    const saved = await store.save(path, project, tensors);
    expect(!saved.ok && saved.error.code).toBe('exists');
    const created = await store.create(path, lenet5());
    expect(!created.ok && created.error.code).toBe('exists');
    expect(await readFile(path, 'utf8')).toBe('someone else’s file');
    expect(await listing(dir)).toEqual(['other.cnnproj']);
    expect((await store.create(path, lenet5(), { force: true })).ok).toBe(true);
    expect(await readFile(`${path}.bak`, 'utf8')).toBe('someone else’s file');
  });

  it('takes saves of one file in turn', async () => {
    const dir = await place();
    const path = join(dir, 'busy.cnnproj');
    const store = new ProjectStore();
    const { project, tensors } = sampleProject();
    expect((await store.create(path, lenet5())).ok).toBe(true);
    const results = await Promise.all(['a', 'b', 'c'].map((name) => store.save(path, { ...project, name }, tensors)));
    expect(results.map((result) => result.ok)).toEqual([true, true, true]);
    const [reopened] = await Promise.all([store.open(path), store.save(path, { ...project, name: 'd' }, tensors)]);
    expect(reopened.ok && reopened.project.name).toBe('c');
    const last = await store.open(path);
    expect(last.ok && last.project.name).toBe('d');
    expect(await listing(dir)).toEqual(['busy.cnnproj', 'busy.cnnproj.bak']);
  });

  it('writes a file that was deleted since it was opened', async () => {
    const dir = await place();
    const path = join(dir, 'gone.cnnproj');
    const store = new ProjectStore();
    const { project, tensors } = sampleProject();
    expect((await store.create(path, lenet5())).ok).toBe(true);
    await rm(path);
    expect((await store.save(path, project, tensors)).ok).toBe(true);
    expect(await listing(dir)).toEqual(['gone.cnnproj']);
  });

  it('leaves no partial file when writing fails half way, and changes nothing', async () => {
    const dir = await place();
    const path = join(dir, 'full-disk.cnnproj');
    const { project, tensors } = sampleProject();
    expect((await new ProjectStore().create(path, lenet5())).ok).toBe(true);
    const before = await readFile(path);
    const store = new ProjectStore({
      fileSystem: failing({
        async writeNew(target, bytes) {
          await writeFile(target, bytes.subarray(0, bytes.length >> 1), { flag: 'wx' });
          throw enospc();
        },
      }),
    });
    expect((await store.open(path)).ok).toBe(true);
    const saved = await store.save(path, project, tensors);
    expect(saved.ok).toBe(false);
    if (!saved.ok) {
      expect(saved.error.code).toBe('io');
      expect(saved.error.message).toMatch(/the disk is full \(ENOSPC\); the file on disk is unchanged/);
    }
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(await listing(dir)).toEqual(['full-disk.cnnproj']);
  });

  it('leaves the file as it was when the final rename fails', async () => {
    const dir = await place();
    const path = join(dir, 'rename.cnnproj');
    const { project, tensors } = sampleProject();
    const store = new ProjectStore({
      fileSystem: failing({
        async rename(from, to) {
          if (to === path) throw Object.assign(new Error('busy'), { code: 'EBUSY' });
          return nodeFileSystem.rename(from, to);
        },
      }),
    });
    expect((await new ProjectStore().create(path, lenet5())).ok).toBe(true);
    const before = await readFile(path);
    expect((await store.open(path)).ok).toBe(true);
    const saved = await store.save(path, project, tensors);
    expect(!saved.ok && saved.error.message).toMatch(/the file is in use \(EBUSY\)/);
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(await listing(dir)).toEqual(['rename.cnnproj', 'rename.cnnproj.bak']);
    expect((await readFile(`${path}.bak`)).equals(before)).toBe(true);
  });

  it('fails cleanly when a folder stands where the backup goes', async () => {
    const dir = await place();
    const path = join(dir, 'blocked.cnnproj');
    const store = new ProjectStore();
    const { project, tensors } = sampleProject();
    expect((await store.create(path, lenet5())).ok).toBe(true);
    const before = await readFile(path);
    await mkdir(`${path}.bak`);
    await writeFile(join(`${path}.bak`, 'inside'), 'x');
    const saved = await store.save(path, project, tensors);
    expect(!saved.ok && saved.error.code).toBe('io');
    expect(!saved.ok && saved.error.message).toMatch(/a folder is in the way/);
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(await listing(dir)).toEqual(['blocked.cnnproj', 'blocked.cnnproj.bak']);
    expect(await listing(`${path}.bak`)).toEqual(['inside']);
  });

  it('copies the backup where hard links fail', async () => {
    const dir = await place();
    const path = join(dir, 'fat32.cnnproj');
    const store = new ProjectStore({
      fileSystem: failing({
        link: async () => {
          throw Object.assign(new Error('not supported'), { code: 'EPERM' });
        },
      }),
    });
    const { project, tensors } = sampleProject();
    expect((await store.create(path, lenet5())).ok).toBe(true);
    const before = await readFile(path);
    expect((await store.save(path, project, tensors)).ok).toBe(true);
    expect((await readFile(`${path}.bak`)).equals(before)).toBe(true);
    expect(await listing(dir)).toEqual(['fat32.cnnproj', 'fat32.cnnproj.bak']);
  });

  it('refuses to save a folder, or a project it could not open again', async () => {
    const dir = await place();
    const store = new ProjectStore();
    const { project, tensors } = sampleProject();
    const folderSave = await store.save(dir, project, tensors, { force: true });
    expect(!folderSave.ok && folderSave.error.code).toBe('not-a-file');
    const path = join(dir, 'bad.cnnproj');
    const invalid = await store.save(path, { ...project, training: { ...project.training, batchSize: 0 } }, tensors);
    expect(!invalid.ok && invalid.error.code).toBe('invalid-project');
    expect(!invalid.ok && invalid.error.details).toEqual(['training.batchSize must be a whole number from 1, not 0']);
    const mismatched = await store.save(path, { ...project, graph: olderGraph() }, tensors);
    expect(!mismatched.ok && mismatched.error.code).toBe('weights-mismatch');
    expect(await listing(dir)).toEqual([]);
  });
});

describe('opening files that are not good projects', () => {
  it('says what is wrong, and changes nothing on disk', async () => {
    const dir = await place();
    const { project, tensors } = sampleProject();
    const good = packedBytes(project, tensors);
    const tooNew = writeZip([
      {
        name: 'project.json',
        data: new TextEncoder().encode(JSON.stringify({ formatVersion: 7, kind: 'cnn-studio/project' })),
        compress: true,
      },
    ]);
    const cases: [string, Uint8Array | string, string, RegExp][] = [
      ['truncated.cnnproj', good.subarray(0, good.length - 10), 'truncated', /truncated/],
      ['noise.cnnproj', new Uint8Array(4096).map((_, i) => (i * 31) % 256), 'not-a-project', /not a CNN Studio project/],
      ['empty.cnnproj', new Uint8Array(0), 'not-a-project', /empty/],
      ['new.cnnproj', tooNew, 'too-new', /made by a newer CNN Studio/],
      [
        'slip.cnnproj',
        craftZip([
          { name: 'project.json', data: new TextEncoder().encode('{}') },
          { name: '../../evil', data: new Uint8Array(1) },
        ]),
        'unsafe-entry',
        /climbs out/,
      ],
      ['text.cnnproj', '{ "formatVersion": 1, ', 'invalid-project', /not valid JSON/],
    ];
    for (const [name, content] of cases) await writeFile(join(dir, name), content);
    const before = await listing(dir);
    const stamps = await Promise.all(before.map(async (name) => (await stat(join(dir, name))).mtimeMs));
    const store = new ProjectStore();
    for (const [name, , code, message] of cases) {
      const result = await store.open(join(dir, name));
      expect(result.ok, name).toBe(false);
      if (result.ok) continue;
      expect(result.error.code, name).toBe(code);
      expect(result.error.message, name).toMatch(message);
      expect(result.error.message.startsWith(join(dir, name)), name).toBe(true);
      // A failed open is not remembered, so it cannot be saved over without force.
      expect(store.stampOf(join(dir, name))).toBeUndefined();
    }
    expect(await listing(dir)).toEqual(before);
    expect(await Promise.all(before.map(async (name) => (await stat(join(dir, name))).mtimeMs))).toEqual(stamps);
    const missing = await store.open(join(dir, 'nothing.cnnproj'));
    expect(!missing.ok && missing.error.code).toBe('not-found');
    const folderOpen = await store.open(dir);
    expect(!folderOpen.ok && folderOpen.error.code).toBe('not-a-file');
  });

  it('refuses a file larger than any project before reading it', async () => {
    const dir = await place();
    const path = join(dir, 'big.cnnproj');
    await writeFile(path, new Uint8Array(4096 + 2 * 1024 * 1024));
    const result = await new ProjectStore({ limits: { maxTotalBytes: 4096 } }).open(path);
    expect(!result.ok && result.error.code).toBe('too-large');
  });

  it('opens a graph file as a new project', async () => {
    const dir = await place();
    const path = join(dir, 'lenet.json');
    await writeFile(path, JSON.stringify(lenet5(), null, 2));
    const result = await new ProjectStore().open(path);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.migratedFrom).toBe(0);
    expect(result.project.name).toBe('LeNet-5');
    expect(result.project.training.batchSize).toBe(32);
  });
});

describe('the application store', () => {
  it('opens, saves and creates through the module functions', async () => {
    const dir = await place();
    const path = join(dir, 'app.cnnproj');
    expect((await createProject(path, lenet5(), { name: 'App' })).ok).toBe(true);
    const { project, tensors } = sampleProject();
    const opened = await openProject(path);
    expect(opened.ok && opened.project.name).toBe('App');
    expect((await saveProject(path, project, tensors)).ok).toBe(true);
    const again = await openProject(path);
    expect(again.ok && again.project.name).toBe('Digits');
  });
});

describe('expected tensors from the CPU backend', () => {
  it('lists the state_dict of a graph, and nothing for a broken one', () => {
    const expected = expectedTensorsFromCatalogue(lenet5());
    expect(expected && [...expected]).toEqual([
      ['conv1.weight', [6, 1, 5, 5]],
      ['conv1.bias', [6]],
      ['conv2.weight', [16, 6, 5, 5]],
      ['conv2.bias', [16]],
      ['fc1.weight', [120, 400]],
      ['fc1.bias', [120]],
      ['fc2.weight', [84, 120]],
      ['fc2.bias', [84]],
      ['fc3.weight', [10, 84]],
      ['fc3.bias', [10]],
    ]);
    expect(expectedTensorsFromCatalogue({ ...lenet5(), edges: [] })).toBeNull();
  });
});
