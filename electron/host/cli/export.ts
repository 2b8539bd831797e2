/**
 * `cnn-studio export FILE.cnnproj --format onnx|pytorch|safetensors -o OUT [--force]`: the
 * trained model as an ONNX file, a PyTorch folder (model.py, weights, loader, train.py), or
 * its weights alone as safetensors.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { exportOnnx } from '../../../engine/export/onnx/export';
import { exportPytorch } from '../../../engine/export/pytorch/export';
import { writeSafetensors } from '../../../engine/project/safetensors';
import { compileModel } from '../../../engine/train/plan';
import { loadStateDict, saveStateDict } from '../../../engine/train/state-dict';
import { CliError } from './errors';
import { writeFileAtomic } from './files';
import type { CommandOutput } from './inspect';
import { openProjectFile } from './project-files';

export const EXPORT_FORMATS = ['onnx', 'pytorch', 'safetensors'] as const;

export const runExport = async (
  file: string,
  format: string | undefined,
  output: string | undefined,
  force: boolean,
): Promise<CommandOutput> => {
  if (!format || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new CliError(`cnn-studio export needs --format ${EXPORT_FORMATS.join('|')}${format ? `, not '${format}'` : ''}`);
  }
  if (!output) throw new CliError('cnn-studio export needs -o OUT (a file for onnx and safetensors, a folder for pytorch)');
  const { project, tensors } = await openProjectFile(file);
  if (!tensors.current) throw new CliError(`${file} has no trained weights to export; run cnn-studio train ${file} first`);
  const model = compileModel(project.graph, CPU_LAYERS);
  loadStateDict(model, tensors.current);
  const metadata = { producer: 'CNN Studio 0.1.0', project: project.name };
  if (format === 'onnx') {
    writeFileAtomic(output, exportOnnx(model, { name: project.name }), { overwrite: force });
  } else if (format === 'safetensors') {
    writeFileAtomic(output, writeSafetensors(saveStateDict(model), metadata), { overwrite: force });
  } else {
    if (existsSync(output) && readdirSync(output).length > 0 && !force) {
      throw new CliError(
        `${output} is a folder with files in it; choose an empty or new folder, or pass --force to overwrite the export's files`,
      );
    }
    mkdirSync(output, { recursive: true });
    const files = exportPytorch(model, {
      name: project.name,
      ...(project.graph.description ? { description: project.graph.description } : {}),
      training: project.training,
      ...(project.dataset ? { dataset: project.dataset } : {}),
      ...(project.split ? { split: project.split } : {}),
      ...(project.preprocess ? { preprocess: project.preprocess } : {}),
    });
    for (const [name, contents] of files) writeFileAtomic(join(output, name), contents, { overwrite: true });
  }
  return { stdout: '', stderr: `exported ${file} as ${format} to ${output}\n`, exitCode: 0 };
};
