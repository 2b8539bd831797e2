// The filter editor's logic without a browser: edits of the filter settings, their undo and redo
// with the graph's, what the saved document carries, and the preview of the starting filters.
import { describe, expect, it } from 'vitest';
import { convnet } from '../../engine/graph/templates/classic';
import { previewFilters } from '../../engine/train/filter-preview';
import type { TrainingConfig } from '../../engine/train/trainer';
import { EditorStore } from '../../renderer/editor/editor-store';
import {
  clearLayer,
  defaultPreset,
  setFrozen,
  setPreset,
  setStart,
  setValue,
  settingsForGraph,
  valueAt,
} from '../../renderer/inspector/filter-edits';

const TRAINING: Omit<TrainingConfig, 'frozen'> = { epochs: 1, batchSize: 8, learningRate: 0.01, optimizer: { kind: 'adam' }, seed: 9 };

describe('filter setting edits', () => {
  it('add, change and remove settings, leaving no empty entries', () => {
    let inits = setPreset({}, 'conv1', 2, { kind: 'sobel-y' });
    inits = setFrozen(inits, 'conv1', 2, true);
    inits = setFrozen(inits, 'conv1', 0, true);
    expect(inits).toEqual({
      conv1: {
        filters: [
          { filter: 0, frozen: true },
          { filter: 2, preset: { kind: 'sobel-y' }, frozen: true },
        ],
      },
    });
    inits = setPreset(setFrozen(inits, 'conv1', 2, false), 'conv1', 2, undefined);
    inits = setStart(inits, 'conv1', { kind: 'kmeans' });
    expect(inits).toEqual({ conv1: { start: { kind: 'kmeans' }, filters: [{ filter: 0, frozen: true }] } });
    expect(setStart(setFrozen(inits, 'conv1', 0, false), 'conv1', undefined)).toEqual({});
    expect(clearLayer({ ...inits, conv2: { start: { kind: 'kmeans' } } }, 'conv1')).toEqual({ conv2: { start: { kind: 'kmeans' } } });
  });

  it('turn a typed value into a matrix of the shown kernel with that value', () => {
    const shown = [
      [1, 2],
      [3, 4],
    ];
    expect(setValue({}, 'c', 0, shown, 1, 0, -7)).toEqual({
      c: {
        filters: [
          {
            filter: 0,
            preset: {
              kind: 'custom',
              matrix: [
                [1, 2],
                [-7, 4],
              ],
            },
          },
        ],
      },
    });
    expect(shown[1][0]).toBe(3);
    expect(defaultPreset('gabor', 5, 5, shown)).toMatchObject({ kind: 'gabor', orientation: 0, phase: 0 });
  });

  it('leave out layers that are gone or no longer Conv2D, and filters past the count', () => {
    const store = new EditorStore(convnet());
    const inits = setFrozen(setFrozen(setPreset({}, 'conv1', 40, { kind: 'laplacian' }), 'conv1', 3, true), 'relu1', 0, true);
    expect(settingsForGraph(inits, store.getState().report.nodes)).toEqual({ conv1: { filters: [{ filter: 3, frozen: true }] } });
  });
});

describe('the editor store with filter settings', () => {
  it('undoes and redoes them with the graph, merging typing into one step', () => {
    const store = new EditorStore(convnet());
    store.setFilters(setFrozen({}, 'conv1', 0, true));
    store.setParam('conv2', 'filters', 8);
    store.setFilters(
      setValue(
        store.filters,
        'conv1',
        1,
        [
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
        0,
        0,
        1,
      ),
      'conv1.1.values',
    );
    store.setFilters(
      setValue(
        store.filters,
        'conv1',
        1,
        [
          [1, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
        0,
        1,
        2,
      ),
      'conv1.1.values',
    );
    expect(store.filters.conv1.filters).toHaveLength(2);
    store.undo();
    expect(store.filters).toEqual({ conv1: { filters: [{ filter: 0, frozen: true }] } });
    store.undo();
    expect(store.graph.nodes.find((node) => node.id === 'conv2')!.params!.filters).toBe(64);
    expect(store.filters).toEqual({ conv1: { filters: [{ filter: 0, frozen: true }] } });
    store.undo();
    expect(store.filters).toEqual({});
    store.redo();
    expect(store.filters).toEqual({ conv1: { filters: [{ filter: 0, frozen: true }] } });
    const revision = store.getState().revision;
    store.setFilters(setFrozen(store.filters, 'conv1', 0, false));
    expect(store.getState().revision).toBe(revision + 1);
    store.load(convnet(), { conv2: { start: { kind: 'kmeans' } } });
    expect(store.filters).toEqual({ conv2: { start: { kind: 'kmeans' } } });
    expect(store.getState().canUndo).toBe(false);
  });
});

describe('painting a filter', () => {
  const ZEROS = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  /** Paints `cells` with `value` as the inspector does: every cell of a stroke from the same picture, one merge key. */
  const stroke = (store: EditorStore, number: number, cells: [number, number][], value: number, shown = ZEROS) => {
    for (const [row, column] of cells) {
      if (valueAt(store.filters, 'conv1', 1, shown, row, column) === value) continue;
      store.setFilters(setValue(store.filters, 'conv1', 1, shown, row, column, value), `conv1.1.paint.${number}`);
    }
    store.endMerge();
  };
  const matrix = (store: EditorStore) => {
    const preset = store.filters.conv1?.filters?.[0]?.preset;
    return preset?.kind === 'custom' ? preset.matrix : null;
  };

  it('keeps every cell of a stroke painted faster than the picture follows, and makes each stroke one undo step', () => {
    const store = new EditorStore(convnet());
    // the picture still shows zeros for the whole stroke: the cells painted before must stay
    stroke(
      store,
      1,
      [
        [0, 0],
        [1, 1],
        [2, 2],
      ],
      0.5,
    );
    expect(matrix(store)).toEqual([
      [0.5, 0, 0],
      [0, 0.5, 0],
      [0, 0, 0.5],
    ]);
    // erasing the middle, then painting the corner: two more strokes
    stroke(store, 2, [[1, 1]], 0);
    stroke(
      store,
      3,
      [
        [0, 2],
        [0, 0],
      ],
      0.5,
    );
    expect(matrix(store)).toEqual([
      [0.5, 0, 0.5],
      [0, 0, 0],
      [0, 0, 0.5],
    ]);
    store.undo();
    expect(matrix(store)![0][2]).toBe(0);
    store.undo();
    expect(matrix(store)![1][1]).toBe(0.5);
    store.undo();
    expect(store.filters).toEqual({});
    expect(store.getState().canUndo).toBe(false);
  });

  it('reads the filter’s own matrix only when it fits the kernel shown', () => {
    const inits = setValue({}, 'conv1', 1, ZEROS, 0, 0, 0.1);
    expect(valueAt(inits, 'conv1', 1, ZEROS, 0, 0)).toBe(0.1);
    // the kernel became 2×2: the shown values are the base again
    const small = [
      [7, 7],
      [7, 7],
    ];
    expect(valueAt(inits, 'conv1', 1, small, 0, 0)).toBe(7);
    expect(setValue(inits, 'conv1', 1, small, 1, 1, 3).conv1.filters![0].preset).toEqual({
      kind: 'custom',
      matrix: [
        [7, 7],
        [7, 3],
      ],
    });
  });
});

describe('the preview of the starting filters', () => {
  it('shows presets on the random draw of the run, and says when k-means waits for the data', () => {
    const plain = previewFilters(convnet(), TRAINING, 'conv1');
    const set = previewFilters(convnet(), { ...TRAINING, filters: setPreset({}, 'conv1', 0, { kind: 'sobel-x' }) }, 'conv1');
    if (!plain.ok || !set.ok) throw new Error('no preview');
    expect(set.preview.shape).toEqual([32, 1, 3, 3]);
    expect([...set.preview.weight.subarray(0, 9)]).toEqual([-1, 0, 1, -2, 0, 2, -1, 0, 1]);
    expect(set.preview.weight.subarray(9)).toEqual(plain.preview.weight.subarray(9));
    expect(set.preview.awaitsData).toBe(false);
    const kmeans = previewFilters(convnet(), { ...TRAINING, filters: { conv1: { start: { kind: 'kmeans' } } } }, 'conv1');
    expect(kmeans.ok && kmeans.preview.awaitsData).toBe(true);
    expect(previewFilters(convnet(), TRAINING, 'relu1')).toEqual({ ok: false, problem: "'relu1' is not a Conv2D layer" });
  });
});
