// The training settings' per-layer filter settings in the project file: they round-trip through
// save and open, files without them (format 1 and bare graphs of format 0) still open, and a bad
// entry is named by its path.
import { describe, expect, it } from 'vitest';
import { lenet5 } from '../../../engine/graph/templates/classic';
import type { ConvFilterInits } from '../../../engine/train/filter-init';
import { parseProject, serializeProject } from '../../../engine/project/schema';
import { sampleProject } from './helpers';

const FILTERS: ConvFilterInits = {
  conv1: {
    start: { kind: 'kmeans', patches: 2000, iterations: 5 },
    filters: [
      { filter: 0, preset: { kind: 'sobel-x' }, frozen: true },
      { filter: 1, preset: { kind: 'gabor', orientation: 0.5, wavelength: 3, sigma: 1.5, phase: 0 } },
      {
        filter: 2,
        preset: {
          kind: 'custom',
          matrix: [
            [1, 0, -1, 0, 1],
            [0, 0, 0, 0, 0],
            [1, 2, 3, 4, 5],
            [0, 0, 0, 0, 0],
            [-1, 0, 1, 0, -1],
          ],
        },
      },
      { filter: 3, frozen: true },
    ],
  },
  conv2: { start: { kind: 'random', init: { kind: 'he-normal' } }, filters: [{ filter: 7, preset: { kind: 'gaussian', sigma: 1 } }] },
};

const withFilters = (filters: unknown) => {
  const { project } = sampleProject();
  return JSON.parse(JSON.stringify({ ...project, training: { ...project.training, filters } })) as Record<string, unknown>;
};

const errorsOf = (value: unknown): string[] => {
  const result = parseProject(value);
  if (result.ok) throw new Error('expected the project to be refused');
  return result.errors;
};

describe('filter settings in the project file', () => {
  it('round-trip through save and open unchanged', () => {
    const opened = parseProject(withFilters(FILTERS));
    if (!opened.ok) throw new Error(opened.errors.join('; '));
    const again = parseProject(JSON.parse(serializeProject(opened.project)));
    if (!again.ok) throw new Error(again.errors.join('; '));
    expect(again.project.training.filters).toEqual(FILTERS);
    expect(again.migratedFrom).toBeUndefined();
  });

  it('are optional: a format 1 file without them and a bare graph (format 0) open with none', () => {
    const { project } = sampleProject();
    const plain = parseProject(JSON.parse(JSON.stringify(project)));
    expect(plain.ok && plain.project.training.filters).toBeUndefined();
    const graph = parseProject(JSON.parse(JSON.stringify(lenet5())));
    expect(graph.ok && graph.migratedFrom).toBe(0);
    expect(graph.ok && graph.project.training.filters).toBeUndefined();
  });

  it('name the field of every bad entry', () => {
    expect(errorsOf(withFilters([]))).toEqual(['training.filters must be an object of filter settings by layer id, not []']);
    expect(
      errorsOf(
        withFilters({
          conv1: {
            start: { kind: 'pca' },
            filters: [
              { filter: -1 },
              { filter: 0, preset: { kind: 'gabor', orientation: 0, wavelength: 0, sigma: 1 } },
              { filter: 1, preset: { kind: 'custom', matrix: [[1, 'x']] }, frozen: 'yes' },
            ],
          },
        }),
      ),
    ).toEqual([
      "training.filters.conv1.start.kind must be one of 'random' or 'kmeans', not 'pca'",
      'training.filters.conv1.filters[0].filter must be a whole number from 0, not -1',
      'training.filters.conv1.filters[1].preset.wavelength must be a number above 0, not 0',
      'training.filters.conv1.filters[1].preset.phase is missing; it must be a number',
      "training.filters.conv1.filters[2].preset.matrix[0][1] must be a number, not 'x'",
      "training.filters.conv1.filters[2].frozen must be true or false, not 'yes'",
    ]);
  });
});
