/**
 * Edits of the filter settings (engine/train/filter-init.ts) as pure functions, each giving new
 * settings: a layer's start, a filter's preset, frozen flag or one typed value. Settings left
 * empty are removed, so a layer nobody touched has no entry in the project file.
 */
import type { NodeReport } from '../../engine/graph/analyze';
import type { ConvFilterInit, ConvFilterInits, FilterPreset, FilterSetting, FilterStart } from '../../engine/train/filter-init';

const withLayer = (inits: ConvFilterInits, nodeId: string, init: ConvFilterInit): ConvFilterInits => {
  const rest = Object.fromEntries(Object.entries(inits).filter(([id]) => id !== nodeId));
  const empty = !init.start && (init.filters ?? []).length === 0;
  return empty ? rest : { ...rest, [nodeId]: init };
};

const withSetting = (inits: ConvFilterInits, nodeId: string, setting: FilterSetting): ConvFilterInits => {
  const layer = inits[nodeId] ?? {};
  const others = (layer.filters ?? []).filter((entry) => entry.filter !== setting.filter);
  const keep = setting.preset !== undefined || setting.frozen === true;
  const filters = (keep ? [...others, setting] : others).sort((a, b) => a.filter - b.filter);
  const { filters: _old, ...start } = layer;
  return withLayer(inits, nodeId, filters.length ? { ...start, filters } : start);
};

export const settingOf = (inits: ConvFilterInits, nodeId: string, filter: number): FilterSetting =>
  inits[nodeId]?.filters?.find((entry) => entry.filter === filter) ?? { filter };

/** The layer's start; undefined: at random by the run's scheme. */
export const setStart = (inits: ConvFilterInits, nodeId: string, start: FilterStart | undefined): ConvFilterInits => {
  const { start: _old, ...layer } = inits[nodeId] ?? {};
  return withLayer(inits, nodeId, start ? { ...layer, start } : layer);
};

/** Forgets every setting of the layer (a kernel size change can leave presets that no longer fit). */
export const clearLayer = (inits: ConvFilterInits, nodeId: string): ConvFilterInits => withLayer(inits, nodeId, {});

/** A filter's preset; undefined: back to the layer's start. */
export const setPreset = (inits: ConvFilterInits, nodeId: string, filter: number, preset: FilterPreset | undefined): ConvFilterInits => {
  const { preset: _old, ...setting } = settingOf(inits, nodeId, filter);
  return withSetting(inits, nodeId, preset ? { ...setting, preset } : setting);
};

export const setFrozen = (inits: ConvFilterInits, nodeId: string, filter: number, frozen: boolean): ConvFilterInits => {
  const { frozen: _old, ...setting } = settingOf(inits, nodeId, filter);
  return withSetting(inits, nodeId, frozen ? { ...setting, frozen: true } : setting);
};

/** The filter's own matrix when it has one of the shown kernel's size, else the kernel shown. */
const matrixOf = (inits: ConvFilterInits, nodeId: string, filter: number, shown: readonly (readonly number[])[]) => {
  const preset = settingOf(inits, nodeId, filter).preset;
  const fits =
    preset?.kind === 'custom' &&
    preset.matrix.length === shown.length &&
    preset.matrix.every((values, r) => values.length === shown[r].length);
  return fits ? preset.matrix : shown;
};

/**
 * One typed (or painted) value: the filter becomes a custom matrix, its own matrix (else the
 * kernel it shows now) with that value changed. Its own matrix is read from `inits`, not from
 * the picture, so values painted in quick succession before the picture follows all stay, and
 * they keep their exact numbers (the picture is float32).
 */
export const setValue = (
  inits: ConvFilterInits,
  nodeId: string,
  filter: number,
  shown: readonly (readonly number[])[],
  row: number,
  column: number,
  value: number,
): ConvFilterInits => {
  const matrix = matrixOf(inits, nodeId, filter, shown).map((values, r) =>
    values.map((old, c) => (r === row && c === column ? value : old)),
  );
  return setPreset(inits, nodeId, filter, { kind: 'custom', matrix });
};

/** The value at `row`, `column` of the filter as the next edit would see it (see `setValue`). */
export const valueAt = (
  inits: ConvFilterInits,
  nodeId: string,
  filter: number,
  shown: readonly (readonly number[])[],
  row: number,
  column: number,
): number => matrixOf(inits, nodeId, filter, shown)[row][column];

/** A preset of this kind with starting parameters that suit a kernel of this size. */
export const defaultPreset = (
  kind: FilterPreset['kind'],
  height: number,
  width: number,
  shown: readonly (readonly number[])[],
): FilterPreset => {
  switch (kind) {
    case 'gabor':
      return {
        kind,
        orientation: 0,
        wavelength: Math.max(2, Math.max(height, width) / 1.5),
        sigma: Math.max(0.5, Math.max(height, width) / 4),
        phase: 0,
      };
    case 'custom':
      return { kind, matrix: shown.map((row) => [...row]) };
    case 'gaussian':
      return { kind };
    default:
      return { kind };
  }
};

/**
 * The settings a run can take for this graph: layers that are no longer Conv2D (or gone) and
 * filters beyond a layer's count are left out (they stay in the history, so undo brings them back).
 */
export const settingsForGraph = (inits: ConvFilterInits, nodes: readonly NodeReport[]): ConvFilterInits => {
  const result: Record<string, ConvFilterInit> = {};
  for (const [nodeId, init] of Object.entries(inits)) {
    const node = nodes.find((candidate) => candidate.id === nodeId);
    if (node?.type !== 'Conv2D') continue;
    const count = typeof node.params?.filters === 'number' ? node.params.filters : Infinity;
    const filters = (init.filters ?? []).filter((setting) => setting.filter < count);
    const { filters: _old, ...start } = init;
    if (start.start || filters.length) result[nodeId] = filters.length ? { ...start, filters } : start;
  }
  return result;
};
