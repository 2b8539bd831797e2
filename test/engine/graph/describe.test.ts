import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../engine/graph/catalogue';
import { catalogueMarkdown } from '../../../engine/graph/describe';
import { LAYER_TYPES } from '../../../engine/graph/layer-types';

describe('the layer documentation', () => {
  it('docs/LAYERS.md is current (run `npm run docs` after changing a layer)', () => {
    expect(readFileSync('docs/LAYERS.md', 'utf8')).toBe(catalogueMarkdown());
  });

  it('explains every layer and every parameter', () => {
    for (const type of LAYER_TYPES) {
      const layer = CATALOGUE[type];
      expect(layer.type).toBe(type);
      expect(layer.summary.length, type).toBeGreaterThan(15);
      expect(layer.help.length, type).toBeGreaterThan(60);
      for (const [name, spec] of Object.entries(layer.params as Record<string, { help: string; label: string }>)) {
        expect(spec.help.length, `${type}.${name}`).toBeGreaterThan(10);
        expect(spec.label.length, `${type}.${name}`).toBeGreaterThan(0);
      }
    }
  });
});
