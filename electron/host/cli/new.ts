/** `cnn-studio new --template NAME [-o FILE] [--force]` and `cnn-studio new --list`. */
import type { DatasetSpec } from '../../../engine/data/spec';
import type { GraphDocument } from '../../../engine/graph/document';
import { TEMPLATES, findTemplate } from '../../../engine/graph/templates';
import { CliError } from './errors';
import { writeFileAtomic } from './files';
import type { CommandOutput } from './inspect';
import { store } from './project-files';

export const listTemplates = (): CommandOutput => ({
  stdout: TEMPLATES.map((template) => `${template.name}\n`).join(''),
  stderr: '',
  exitCode: 0,
});

/** A dataset a template can train on out of the box: digits for classifiers, denoising for image outputs. */
const defaultDataset = (graph: GraphDocument): DatasetSpec => {
  const head = graph.nodes.find((node) => node.type.endsWith('Head'));
  return head?.type === 'ImageHead' ? { kind: 'denoise', size: 28, channels: 1 } : { kind: 'mnist' };
};

export const newFromTemplate = async (name: string | undefined, output: string | undefined, force: boolean): Promise<CommandOutput> => {
  if (!name) throw new CliError('cnn-studio new needs --template NAME (see cnn-studio new --list)');
  const template = findTemplate(name);
  if (!template) {
    throw new CliError(`unknown template '${name}'; the templates are: ${TEMPLATES.map((t) => t.name).join(', ')}`);
  }
  const graph = template.build();
  if (output?.endsWith('.cnnproj')) {
    const created = await store.create(output, graph, { dataset: defaultDataset(graph), force });
    if (!created.ok) {
      const hint = created.error.code === 'exists' ? '; choose another name or pass --force to replace it' : '';
      throw new CliError(`cannot create ${output}: ${created.error.message}${hint}`);
    }
    return { stdout: '', stderr: `wrote ${output} (template ${name}, dataset ${created.project.dataset?.kind})\n`, exitCode: 0 };
  }
  const text = `${JSON.stringify(graph, null, 2)}\n`;
  if (!output) return { stdout: text, stderr: '', exitCode: 0 };
  writeFileAtomic(output, text, { overwrite: force });
  return { stdout: '', stderr: `wrote ${output} (template ${name})\n`, exitCode: 0 };
};
