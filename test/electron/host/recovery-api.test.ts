// Unsaved changes through StudioApi over the Node host's socket, with the real recovery folder:
// a window's autosave is hidden from other windows while it is open and offered once it is gone,
// a clean save removes it, a restore brings back the edit on top of the original file, and
// discarding deletes it.
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedProject, RecoverableProjects, SavedProject } from '../../../electron/api';
import type { ProjectDocument } from '../../../engine/project/schema';
import { RpcClient, startHarness, type Harness } from './server-harness';

let harness: Harness;
let recoveryFolder: string;

beforeAll(async () => {
  harness = await startHarness();
  recoveryFolder = join(harness.folder, 'config', 'recovery');
});
afterAll(async () => {
  await harness.server.close();
});

const withConv1Filters = (document: ProjectDocument, filters: number): ProjectDocument => ({
  ...document,
  graph: {
    ...document.graph,
    nodes: document.graph.nodes.map((node) => (node.id === 'conv1' ? { ...node, params: { ...node.params, filters } } : node)),
  },
});

const conv1Filters = (document: ProjectDocument): unknown => document.graph.nodes.find((node) => node.id === 'conv1')?.params?.filters;

const entries = (): string[] => (existsSync(recoveryFolder) ? readdirSync(recoveryFolder).filter((name) => name.endsWith('.json')) : []);

/** Closes a window's socket and waits until the host has let its entry go. */
const closeWindow = async (client: RpcClient, observer: RpcClient, count: number): Promise<RecoverableProjects> => {
  client.close();
  for (let tries = 0; tries < 100; tries++) {
    const listing = await observer.call<RecoverableProjects>('recoverableProjects');
    if (listing.entries.length === count) return listing;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the closed window's entry was never offered`);
};

describe('unsaved changes', () => {
  it('keeps an open window’s autosave from other windows, and offers it once that window is gone', async () => {
    const observer = await RpcClient.connect(harness.server.port);
    const window = await RpcClient.connect(harness.server.port);
    const opened = await window.call<OpenedProject>('newProject', 'lenet5');
    await window.call('autosaveProject', withConv1Filters(opened.document, 11));
    expect(entries()).toHaveLength(1);
    expect((await observer.call<RecoverableProjects>('recoverableProjects')).entries).toEqual([]);
    const listing = await closeWindow(window, observer, 1);
    expect(listing.entries[0]).toMatchObject({ name: 'LeNet-5', originalPath: null });
    expect(Date.parse(listing.entries[0]!.savedAt)).toBeGreaterThan(Date.now() - 60_000);

    // Restored: a new project (it never had a file) with the edit, and the entry is now this window's.
    const restored = await observer.call<OpenedProject>('restoreProject', listing.entries[0]!.id);
    expect(restored).toMatchObject({ path: null, restored: { originalPath: null, savedAt: listing.entries[0]!.savedAt } });
    expect(conv1Filters(restored.document)).toBe(11);
    const other = await RpcClient.connect(harness.server.port);
    expect((await other.call<RecoverableProjects>('recoverableProjects')).entries).toEqual([]);
    await expect(other.call('restoreProject', listing.entries[0]!.id)).rejects.toMatchObject({ name: 'RecoveryError' });
    // Discarded by its window (the changes were thrown away): gone for good.
    await observer.call('discardAutosave');
    expect(entries()).toEqual([]);
    observer.close();
    other.close();
  });

  it('restores an edit on top of its original file, and a clean save removes the entry', async () => {
    const path = join(harness.folder, 'recover-me.cnnproj');
    const first = await RpcClient.connect(harness.server.port);
    const made = await first.call<OpenedProject>('newProject', 'lenet5');
    await first.call<SavedProject>('saveProject', path, made.document);
    await first.call('autosaveProject', withConv1Filters(made.document, 9));
    const observer = await RpcClient.connect(harness.server.port);
    const listing = await closeWindow(first, observer, 1);
    expect(listing.entries[0]).toMatchObject({ originalPath: path });

    const restored = await observer.call<OpenedProject>('restoreProject', listing.entries[0]!.id);
    expect(restored).toMatchObject({ path, restored: { originalPath: path } });
    expect(restored.restored?.problem).toBeUndefined();
    expect(restored.restored?.fileChanged).toBeUndefined();
    expect(conv1Filters(restored.document)).toBe(9);
    // The window opened the file, so it may save over it; the save removes the entry.
    const saved = await observer.call<SavedProject>('saveProject', path, restored.document);
    expect(conv1Filters(saved.document)).toBe(9);
    expect(entries()).toEqual([]);
    observer.close();
  });

  it('says when the file was saved over since, and then saves over it only when forced', async () => {
    const path = join(harness.folder, 'saved-over.cnnproj');
    const first = await RpcClient.connect(harness.server.port);
    const made = await first.call<OpenedProject>('newProject', 'lenet5');
    await first.call('saveProject', path, made.document);
    await first.call('autosaveProject', withConv1Filters(made.document, 7));
    const observer = await RpcClient.connect(harness.server.port);
    const listing = await closeWindow(first, observer, 1);
    // Another window saves a newer version of the file meanwhile.
    const other = await RpcClient.connect(harness.server.port);
    await other.call('saveProject', path, withConv1Filters(made.document, 3), { force: true });
    other.close();

    const restored = await observer.call<OpenedProject>('restoreProject', listing.entries[0]!.id);
    expect(restored.restored).toMatchObject({ originalPath: path, fileChanged: true });
    await expect(observer.call('saveProject', path, restored.document)).rejects.toMatchObject({ name: 'ProjectError' });
    await observer.call('saveProject', path, restored.document, { force: true });
    expect(entries()).toEqual([]);
    observer.close();
  });

  it('restores changes as a new project when their file is gone, saying so', async () => {
    const path = join(harness.folder, 'deleted-later.cnnproj');
    const first = await RpcClient.connect(harness.server.port);
    const made = await first.call<OpenedProject>('newProject', 'lenet5');
    await first.call('saveProject', path, made.document);
    await first.call('autosaveProject', withConv1Filters(made.document, 5));
    const observer = await RpcClient.connect(harness.server.port);
    const listing = await closeWindow(first, observer, 1);
    await rm(path);
    const restored = await observer.call<OpenedProject>('restoreProject', listing.entries[0]!.id);
    expect(restored.path).toBeNull();
    expect(restored.restored).toMatchObject({ originalPath: path, problem: expect.stringContaining(`${path} does not exist`) });
    expect(conv1Filters(restored.document)).toBe(5);
    await observer.call('discardAutosave');
    observer.close();
  });

  it('discards another window’s leftovers for good, and says when an entry is gone', async () => {
    const first = await RpcClient.connect(harness.server.port);
    const made = await first.call<OpenedProject>('newProject', 'lenet5');
    await first.call('autosaveProject', withConv1Filters(made.document, 4));
    const observer = await RpcClient.connect(harness.server.port);
    const listing = await closeWindow(first, observer, 1);
    await observer.call('discardRecoverable', listing.entries[0]!.id);
    expect(entries()).toEqual([]);
    await expect(observer.call('restoreProject', listing.entries[0]!.id)).rejects.toMatchObject({
      name: 'RecoveryError',
      message: expect.stringContaining('no unsaved changes'),
    });
    await expect(observer.call('restoreProject', '../../secret')).rejects.toMatchObject({ name: 'RecoveryError' });
    await expect(observer.call('autosaveProject', { kind: 'nonsense' })).rejects.toMatchObject({ name: 'ProjectError' });
    observer.close();
  });
});
