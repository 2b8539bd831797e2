/**
 * `cnn-studio import MODEL.onnx -o FILE.cnnproj [--force]`: an ONNX model made elsewhere as an
 * editable project with its weights; what could not be imported is listed.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { importOnnx } from '../../../engine/import/onnx/import';
import type { DatasetSpec } from '../../../engine/data/spec';
import { CURRENT_WEIGHTS_FILE, graphVersion, type ProjectDocument } from '../../../engine/project/schema';
import { CliError } from './errors';
import type { CommandOutput } from './inspect';
import { store } from './project-files';

const BUILT_IN: Record<string, DatasetSpec> = {
  mnist: { kind: 'mnist' },
  shapes: { kind: 'shapes', task: 'classify' },
  denoise: { kind: 'denoise' },
};

export const runImport = async (model: string, output: string | undefined, force: boolean, dataset?: string): Promise<CommandOutput> => {
  if (!output?.endsWith('.cnnproj')) throw new CliError('cnn-studio import needs -o FILE.cnnproj');
  if (dataset !== undefined && !Object.hasOwn(BUILT_IN, dataset))
    throw new CliError(`--dataset must be one of ${Object.keys(BUILT_IN).join(', ')}, not '${dataset}'`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(model));
  } catch (error) {
    throw new CliError(
      `cannot read ${model}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  const imported = importOnnx(bytes, { name: basename(model, extname(model)) });
  if (!imported.ok) {
    const details = imported.unsupported.map((node) => `\n  ${node.node} (${node.op}): ${node.reason}`).join('');
    throw new CliError(`cannot import ${model}: ${imported.error}${details}`, 1);
  }
  const created = await store.create(output, imported.graph, { force, ...(dataset ? { dataset: BUILT_IN[dataset] } : {}) });
  if (!created.ok) throw new CliError(`cannot create ${output}: ${created.error.message}`);
  const project: ProjectDocument = {
    ...created.project,
    weights: { file: CURRENT_WEIGHTS_FILE, graphVersion: graphVersion(imported.graph) },
  };
  const saved = await store.save(output, project, { current: imported.tensors, runs: new Map() });
  if (!saved.ok) throw new CliError(`cannot save ${output}: ${saved.error.message}`);
  const lines = [
    `imported ${model} into ${output}: ${imported.graph.nodes.length} layers, ${imported.tensors.length} weight tensors`,
    ...imported.skipped.map((node) => `left out ${node.node} (${node.op}): ${node.reason}`),
    ...imported.notes.map((note) => `note: ${note}`),
    ...(dataset ? [] : ['set a dataset in the project (or import with --dataset mnist|shapes|denoise) before training or evaluating it']),
  ];
  return { stdout: '', stderr: `${lines.join('\n')}\n`, exitCode: 0 };
};
