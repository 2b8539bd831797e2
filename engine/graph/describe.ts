/**
 * The layer catalogue as Markdown: docs/LAYERS.md is this text, and a test keeps it current.
 * Shared by the docs and, later, the IDE's help panel.
 */
import { CATALOGUE, CATEGORY_TITLES } from './catalogue';
import type { LayerCategory } from './layer';
import { LAYER_TYPES } from './layer-types';
import { compactParam, type ParamSpec } from './params';

const range = (spec: ParamSpec): string => {
  switch (spec.kind) {
    case 'int':
    case 'pair':
      return `${spec.min} – ${spec.max}`;
    case 'float':
      return `${spec.minExclusive ? '(' : '['}${spec.min}, ${spec.max}${spec.maxExclusive ? ')' : ']'}`;
    case 'enum':
      return spec.values.join(' \\| ');
    case 'bool':
      return 'true \\| false';
    case 'padding':
      return `valid \\| same \\| 0 – ${spec.max} px`;
  }
};

const KIND_NAMES: Record<ParamSpec['kind'], string> = {
  int: 'whole number',
  float: 'number',
  bool: 'true/false',
  enum: 'one of',
  pair: 'n or [h, w]',
  padding: 'padding',
};

export const catalogueMarkdown = (): string => {
  const lines: string[] = [
    '# The layer catalogue',
    '',
    'Generated from `engine/graph/layers/` by `npm run docs`; a test checks that it is current.',
    'Shapes are per sample, without the batch: images are channels × height × width, vectors a length.',
    '',
  ];
  const categories = [...new Set(LAYER_TYPES.map((type) => CATALOGUE[type].category))] as LayerCategory[];
  for (const category of categories) {
    lines.push(`## ${CATEGORY_TITLES[category]}`, '');
    for (const type of LAYER_TYPES.filter((t) => CATALOGUE[t].category === category)) {
      const layer = CATALOGUE[type];
      const inputs =
        layer.inputs.max === 0 ? 'no inputs' : layer.inputs.max === 1 ? 'one input' : `${layer.inputs.min} to ${layer.inputs.max} inputs`;
      lines.push(`### ${layer.title} (\`${type}\`)`, '', `*${layer.summary}* (${inputs})`, '', layer.help, '');
      const specs = Object.entries(layer.params as Record<string, ParamSpec>);
      if (specs.length) {
        lines.push('| parameter | kind | default | range | meaning |', '| --- | --- | --- | --- | --- |');
        for (const [name, spec] of specs) {
          const fallback = JSON.stringify(compactParam(spec, spec.default));
          lines.push(`| \`${name}\` | ${KIND_NAMES[spec.kind]} | \`${fallback}\` | ${range(spec)} | ${spec.help.replaceAll('|', '\\|')} |`);
        }
        lines.push('');
      }
    }
  }
  return lines.join('\n');
};
