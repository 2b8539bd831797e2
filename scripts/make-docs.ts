// `npm run docs`: writes docs/LAYERS.md from the layer catalogue.
import { writeFileSync } from 'node:fs';
import { catalogueMarkdown } from '../engine/graph/describe';

writeFileSync('docs/LAYERS.md', catalogueMarkdown());
console.log('wrote docs/LAYERS.md');
