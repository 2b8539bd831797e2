// Every template as a whole network against PyTorch: each node's output shape, parameters,
// buffers and multiply-adds, and the totals, through the fixtures that
// test/fixtures/make_template_fixtures.py made by running each template graph in Debian's python3-torch.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../../engine/graph/analyze';
import { TEMPLATES } from '../../../engine/graph/templates';

interface Measured {
  shape: number[];
  params: number;
  buffers: number;
  macs: number;
}

interface TemplateFixture {
  nodes: Record<string, Measured>;
  totals: { params: number; buffers: number; macs: number };
}

const fixtures: { torch: string; templates: Record<string, TemplateFixture> } = JSON.parse(
  readFileSync('test/fixtures/templates.json', 'utf8'),
);
const REGENERATE = 'run `npm run fixtures` to regenerate test/fixtures/templates.json';

describe(`templates against PyTorch ${fixtures.torch}`, () => {
  it('has fixtures for exactly the templates there are', () => {
    const names = TEMPLATES.map((template) => template.name);
    const missing = names.filter((name) => !(name in fixtures.templates));
    const stale = Object.keys(fixtures.templates).filter((name) => !names.includes(name));
    expect(missing, `no PyTorch fixtures for ${missing.join(', ')}: ${REGENERATE}`).toEqual([]);
    expect(stale, `fixtures for templates that no longer exist (${stale.join(', ')}): ${REGENERATE}`).toEqual([]);
  });

  it.each(TEMPLATES.filter((template) => template.name in fixtures.templates).map((template) => [template.name, template] as const))(
    '%s',
    (name, template) => {
      const report = analyzeGraph(template.build());
      expect(report.issues.filter((issue) => issue.severity === 'error')).toEqual([]);
      const fixture = fixtures.templates[name];
      const ids = report.nodes.map((node) => node.id);
      expect(ids, `${name}: its nodes differ from the fixture's; if the template changed, ${REGENERATE}`).toEqual(
        Object.keys(fixture.nodes),
      );
      for (const node of report.nodes) {
        const ours = { shape: node.outputShape, params: node.paramCount, buffers: node.bufferCount, macs: node.macs };
        expect(ours, `${name}/${node.id} (${node.type}): engine vs PyTorch`).toEqual(fixture.nodes[node.id]);
      }
      const { params, buffers, macs } = report.totals;
      expect({ params, buffers, macs }, `${name}: totals, engine vs PyTorch`).toEqual(fixture.totals);
    },
  );
});
