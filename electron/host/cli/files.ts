/** Reading and writing the CLI's files, with errors that name the file and the problem. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CliError } from './errors';

const reason = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
};

export const readJsonFile = (path: string): unknown => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${reason(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
};

/** Writes through a temporary file and a rename, so a crash never leaves half a file. */
export const writeFileAtomic = (path: string, contents: string | Uint8Array, { overwrite }: { overwrite: boolean }): void => {
  if (!overwrite && existsSync(path)) throw new CliError(`${path} already exists; choose another name or pass --force to replace it`);
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, contents, { flush: true });
    renameSync(temporary, path);
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${reason(error)}`);
  }
};
