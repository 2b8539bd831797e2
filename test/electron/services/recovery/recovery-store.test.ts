// The recovery folder on real files: entries written atomically, listed newest first (not those
// a running window holds), read back whole, removed, and unreadable ones left alone and reported.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lenet5 } from '../../../../engine/graph/templates/classic';
import { newProject, type ProjectDocument } from '../../../../engine/project/schema';
import { newRecoveryId, RECOVERY_FORMAT, RecoveryError, RecoveryStore } from '../../../../electron/services/recovery/recovery-store';

let root: string;
let count = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cnn-studio-recovery-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A folder that does not exist yet: the store makes it on the first write. */
const folder = (): string => join(root, `case-${++count}`, 'recovery');

const edited = (filters: number): ProjectDocument => {
  const document = newProject(lenet5(), { dataset: { kind: 'mnist' } });
  return {
    ...document,
    graph: {
      ...document.graph,
      nodes: document.graph.nodes.map((node) => (node.id === 'conv1' ? { ...node, params: { ...node.params, filters } } : node)),
    },
    weights: { file: 'weights/current.safetensors', graphVersion: 'x' },
    runs: [],
  };
};

/** A clock that moves on a minute at each call. */
const clock = () => {
  let minutes = 0;
  return () => new Date(Date.UTC(2026, 10, 26, 1, minutes++));
};

describe('RecoveryStore', () => {
  it('writes an entry atomically, with its path and time, and reads the document back without weights', async () => {
    const store = new RecoveryStore(folder(), { application: 'CNN Studio test', now: clock() });
    const id = newRecoveryId();
    const stamp = { mtimeMs: 1764118923456.5, size: 4096, ino: 77 };
    const summary = await store.write(id, '/projects/lenet.cnnproj', edited(8), stamp);
    expect(summary).toEqual({ id, name: 'LeNet-5', originalPath: '/projects/lenet.cnnproj', savedAt: '2026-11-26T01:00:00.000Z' });
    expect(await readdir(store.folder)).toEqual([`${id}.json`]);
    const raw = JSON.parse(await readFile(join(store.folder, `${id}.json`), 'utf8')) as Record<string, unknown>;
    expect(raw).toMatchObject({ format: RECOVERY_FORMAT, version: 1, id, application: 'CNN Studio test' });
    const entry = await store.read(id);
    expect(entry.originalPath).toBe('/projects/lenet.cnnproj');
    expect(entry.originalStamp).toEqual(stamp);
    expect(entry.document.graph.nodes.find((node) => node.id === 'conv1')?.params?.filters).toBe(8);
    expect(entry.document.weights).toBeUndefined();
  });

  it('replaces an entry on the next write, and lists entries newest first', async () => {
    const store = new RecoveryStore(folder(), { now: clock() });
    const first = newRecoveryId();
    const second = newRecoveryId();
    await store.write(first, null, edited(7));
    await store.write(second, '/b.cnnproj', edited(9));
    await store.write(first, null, edited(10));
    expect(await readdir(store.folder)).toHaveLength(2);
    const listing = await store.list();
    expect(listing.problems).toEqual([]);
    expect(listing.entries.map((entry) => [entry.id, entry.originalPath, entry.savedAt])).toEqual([
      [first, null, '2026-11-26T01:02:00.000Z'],
      [second, '/b.cnnproj', '2026-11-26T01:01:00.000Z'],
    ]);
    expect((await store.read(first)).document.graph.nodes.find((node) => node.id === 'conv1')?.params?.filters).toBe(10);
  });

  it('does not list an entry a running window holds, nor let two windows hold one', async () => {
    const store = new RecoveryStore(folder());
    const id = newRecoveryId();
    await store.write(id, null, edited(8));
    store.hold(id);
    expect((await store.list()).entries).toEqual([]);
    expect(() => store.hold(id)).toThrow(RecoveryError);
    store.release(id);
    expect((await store.list()).entries.map((entry) => entry.id)).toEqual([id]);
  });

  it('removes an entry, and removing one that is gone is no error', async () => {
    const store = new RecoveryStore(folder());
    const id = newRecoveryId();
    await store.write(id, null, edited(8));
    await store.remove(id);
    await store.remove(id);
    expect(await readdir(store.folder)).toEqual([]);
    await expect(store.read(id)).rejects.toThrow(/no unsaved changes/);
  });

  it('leaves unreadable entries where they are and says which and why', async () => {
    const store = new RecoveryStore(folder());
    const good = newRecoveryId();
    await store.write(good, null, edited(8));
    const truncated = (await readFile(join(store.folder, `${good}.json`), 'utf8')).slice(0, 100);
    await writeFile(join(store.folder, 'aaaaaaaa-1.json'), truncated);
    await writeFile(
      join(store.folder, 'bbbbbbbb-2.json'),
      JSON.stringify({ format: RECOVERY_FORMAT, version: 1, id: 'bbbbbbbb-2', savedAt: 'x' }),
    );
    await writeFile(
      join(store.folder, 'cccccccc-3.json'),
      JSON.stringify({
        format: RECOVERY_FORMAT,
        version: 1,
        id: 'cccccccc-3',
        savedAt: new Date().toISOString(),
        originalPath: null,
        document: { kind: 'nonsense' },
      }),
    );
    await writeFile(join(store.folder, 'Not An Entry.json'), '{}');
    await writeFile(join(store.folder, `.${good}.0000.tmp`), 'half written');
    const listing = await store.list();
    expect(listing.entries.map((entry) => entry.id)).toEqual([good]);
    expect(listing.problems).toHaveLength(4);
    const about = (name: string) => listing.problems.find((problem) => problem.includes(name));
    expect(about('aaaaaaaa-1')).toMatch(/aaaaaaaa-1\.json is not valid JSON .*left as it is/);
    expect(about('bbbbbbbb-2')).toMatch(/bbbbbbbb-2\.json has no valid savedAt time/);
    expect(about('cccccccc-3')).toMatch(/cccccccc-3\.json holds no valid project/);
    expect(about('Not An Entry')).toMatch(/Not An Entry\.json is not named like a recovery entry/);
    await expect(store.read('aaaaaaaa-1')).rejects.toThrow(/aaaaaaaa-1\.json is not valid JSON/);
    expect(await readdir(store.folder)).toHaveLength(6);
  });

  it('refuses ids that could name a file outside the folder', async () => {
    const store = new RecoveryStore(folder());
    await expect(store.read('../../etc/passwd')).rejects.toThrow(RecoveryError);
    expect(() => store.hold('../x')).toThrow(/not a recovery entry id/);
  });

  it('lists nothing, without problems, before anything was written', async () => {
    expect(await new RecoveryStore(folder()).list()).toEqual({ entries: [], problems: [] });
  });
});
