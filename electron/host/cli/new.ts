/** `cnn-studio new --template NAME [-o FILE] [--force]` and `cnn-studio new --list`. */
import { TEMPLATES, findTemplate } from '../../../engine/graph/templates';
import { CliError } from './errors';
import { writeFileAtomic } from './files';
import type { CommandOutput } from './inspect';

export const listTemplates = (): CommandOutput => ({
  stdout: TEMPLATES.map((template) => `${template.name}\n`).join(''),
  stderr: '',
  exitCode: 0,
});

export const newFromTemplate = (name: string | undefined, output: string | undefined, force: boolean): CommandOutput => {
  if (!name) throw new CliError('cnn-studio new needs --template NAME (see cnn-studio new --list)');
  const template = findTemplate(name);
  if (!template) {
    throw new CliError(`unknown template '${name}'; the templates are: ${TEMPLATES.map((t) => t.name).join(', ')}`);
  }
  const text = `${JSON.stringify(template.build(), null, 2)}\n`;
  if (!output) return { stdout: text, stderr: '', exitCode: 0 };
  writeFileAtomic(output, text, { overwrite: force });
  return { stdout: '', stderr: `wrote ${output} (template ${name})\n`, exitCode: 0 };
};
