// Whether the project has unsaved changes, without a browser: the editor's version names a place
// in the undo history, and the app compares it with the version saved, as VS Code does. Undoing
// back to the save is clean, redoing is dirty again, and an edit made after undoing past the save
// stays dirty whatever is undone or redone until the next save.
import { describe, expect, it } from 'vitest';
import { lenet5 } from '../../engine/graph/templates/classic';
import { newProject } from '../../engine/project/schema';
import { EditorStore } from '../../renderer/editor/editor-store';
import { app, hasUnsavedEdits, isDirty, type AppState } from '../../renderer/app/state';
import { setSeed } from '../../renderer/training/run-settings';

/** The app as it is after a project was opened from (or saved to) a file at `savedVersion`. */
const savedAt = (savedVersion: number): AppState => ({
  ...app.getState(),
  screen: 'editor',
  project: newProject(lenet5()),
  path: '/tmp/project.cnnproj',
  savedVersion,
  unsavedResults: false,
});

describe('the unsaved mark follows the place in the undo history', () => {
  it('is clean after undoing back to the save, and dirty again after redo', () => {
    const store = new EditorStore();
    store.load(lenet5());
    store.setParam('conv1', 'filters', 8);
    const saved = savedAt(store.getState().version);
    const dirty = () => isDirty(saved, store.getState().version);
    expect(dirty()).toBe(false);
    store.setParam('conv2', 'filters', 20);
    store.endMerge();
    store.setRunSettings(setSeed(store.run, 7));
    expect(dirty()).toBe(true);
    store.undo();
    expect(dirty()).toBe(true);
    store.undo();
    expect(dirty()).toBe(false);
    expect(hasUnsavedEdits(saved, store.getState().version)).toBe(false);
    store.redo();
    expect(dirty()).toBe(true);
    store.undo();
    // Undoing past the save is a change too.
    store.undo();
    expect(dirty()).toBe(true);
    store.redo();
    expect(dirty()).toBe(false);
  });

  it('stays dirty after an edit made past the save, whatever is undone or redone', () => {
    const store = new EditorStore();
    store.load(lenet5());
    store.setParam('conv1', 'filters', 8);
    const saved = savedAt(store.getState().version);
    const dirty = () => isDirty(saved, store.getState().version);
    store.undo();
    store.setParam('conv1', 'filters', 8);
    // The same graph as saved, but reached by another edit: VS Code marks it dirty too.
    expect(dirty()).toBe(true);
    const seen = new Set<number>();
    for (let i = 0; i < 3; i++) {
      store.undo();
      seen.add(store.getState().version);
      store.redo();
      seen.add(store.getState().version);
    }
    expect(seen.has(saved.savedVersion)).toBe(false);
    expect(dirty()).toBe(true);
  });

  it('gives typing merged into one step a new version each time, and a drag one at its end', () => {
    const store = new EditorStore();
    store.load(lenet5());
    const start = store.getState().version;
    store.setParam('conv1', 'filters', 1);
    const first = store.getState().version;
    store.setParam('conv1', 'filters', 12);
    // Saved in the middle of typing: more typing is a change; undo goes to before the whole step.
    const saved = savedAt(store.getState().version);
    expect(first).not.toBe(start);
    expect(saved.savedVersion).not.toBe(first);
    store.setParam('conv1', 'filters', 128);
    expect(isDirty(saved, store.getState().version)).toBe(true);
    store.undo();
    expect(store.getState().version).toBe(start);

    const beforeDrag = store.getState().version;
    store.dragNodes(new Map([['conv1', { x: 10, y: 10 }]]), false);
    store.dragNodes(new Map([['conv1', { x: 40, y: 10 }]]), false);
    expect(store.getState().version).toBe(beforeDrag);
    store.dragNodes(new Map([['conv1', { x: 80, y: 10 }]]), true);
    expect(store.getState().version).not.toBe(beforeDrag);
    store.undo();
    expect(store.getState().version).toBe(beforeDrag);
  });

  it('gives every document loaded a version of its own, so a project opened again is not the one saved before', () => {
    const store = new EditorStore();
    store.load(lenet5());
    const first = store.getState().version;
    store.load(lenet5());
    expect(store.getState().version).not.toBe(first);
    // A setting put back as it was is no edit at all.
    const version = store.getState().version;
    store.setRunSettings(store.run);
    expect(store.getState().version).toBe(version);
  });

  it('keeps a new project unsaved, and results not in the history dirty until saved', () => {
    const store = new EditorStore();
    store.load(lenet5());
    const version = store.getState().version;
    expect(isDirty({ ...savedAt(version), path: null }, version)).toBe(true);
    expect(isDirty({ ...savedAt(version), unsavedResults: true }, version)).toBe(true);
  });
});
