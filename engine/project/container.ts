/**
 * The `.cnnproj` file, in memory: a zip holding `project.json` (pretty-printed, so versions diff
 * well), `weights/current.safetensors` (the weights the canvas shows) and
 * `weights/runs/<runId>.safetensors` (each kept run's final weights). Documented in
 * docs/FILE_FORMAT.md.
 *
 * Packing writes only what unpacking accepts; unpacking checks everything (entry names, sizes,
 * checksums, the document, and that the weights fit the graph) and returns errors as values.
 * Which tensors a graph has is the caller's knowledge (it needs a backend's layer table), given
 * as `expectedTensors`; electron/services/project supplies the CPU backend's.
 */
import type { GraphDocument } from '../graph/document';
import type { NamedTensor } from '../train/state-dict';
import { readSafetensors, readSafetensorsHeader, SafetensorsError, writeSafetensors, type TensorInfo } from './safetensors';
import {
  CURRENT_WEIGHTS_FILE,
  graphVersion,
  parseProject,
  runWeightsFile,
  serializeProject,
  type ProjectDocument,
  type RunRecord,
} from './schema';
import { extractZipEntry, readZipDirectory, writeZip, type ZipEntry, type ZipErrorCode, type ZipInput, type ZipLimits } from './zip';

export const PROJECT_ENTRY = 'project.json';
export const PROJECT_EXTENSION = '.cnnproj';

export type ProjectErrorCode =
  | ZipErrorCode
  /** Neither a zip nor JSON. */
  | 'not-a-project'
  /** A well-formed entry name that is no part of a project. */
  | 'unexpected-entry'
  /** project.json, or weights it lists, absent. */
  | 'missing-entry'
  /** project.json is not JSON, or not a valid project: `details` lists every problem. */
  | 'invalid-project'
  /** Made by a newer CNN Studio. */
  | 'too-new'
  /** A weights file that is not valid safetensors, or holds NaN or infinite values. */
  | 'invalid-weights'
  /** Weights whose tensor names or shapes are not those of the graph. */
  | 'weights-mismatch'
  /** A bug: something threw that should not have. */
  | 'internal';

export interface ProjectError {
  readonly code: ProjectErrorCode;
  readonly message: string;
  /** Every problem, when there are several (the message shows the first few). */
  readonly details?: readonly string[];
}

export type Outcome<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly error: ProjectError };

export interface ProjectTensors {
  /** The weights the project's graph has now; they must fit it. */
  readonly current?: readonly NamedTensor[];
  /** Final weights of runs, by run id. */
  readonly runs: ReadonlyMap<string, readonly NamedTensor[]>;
}

/**
 * The state_dict a graph has, name → shape in PyTorch's layout, or null when the graph cannot
 * be built (it has errors).
 */
export type ExpectedTensors = (graph: GraphDocument) => ReadonlyMap<string, readonly number[]> | null;

export interface ContainerLimits extends ZipLimits {
  /** project.json's size. */
  readonly maxProjectBytes: number;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Far above any project CNN Studio can train, far below what would exhaust a desktop's memory. */
export const DEFAULT_LIMITS: ContainerLimits = {
  maxEntries: 4096,
  maxEntryBytes: 1 * GiB,
  maxTotalBytes: 2 * GiB,
  maxProjectBytes: 64 * MiB,
};

export interface ContainerOptions {
  readonly expectedTensors: ExpectedTensors;
  readonly limits?: Partial<ContainerLimits>;
}

export interface UnpackedProject {
  readonly project: ProjectDocument;
  readonly tensors: ProjectTensors;
  /** The format version the file had, when it was older and has been upgraded. */
  readonly migratedFrom?: number;
}

const RUN_ENTRY = /^weights\/runs\/([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.safetensors$/;
const FOLDERS = new Set(['weights/', 'weights/runs/']);

const error = (code: ProjectErrorCode, message: string, details?: readonly string[]): { ok: false; error: ProjectError } => ({
  ok: false,
  error: details ? { code, message, details } : { code, message },
});

const summarise = (problems: readonly string[], shown = 3): string =>
  problems.slice(0, shown).join('; ') + (problems.length > shown ? `; and ${problems.length - shown} more` : '');

const formatBytes = (bytes: number): string =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${bytes} bytes`;

const shapeText = (shape: readonly number[]): string => (shape.length ? shape.join('×') : 'a scalar');

/**
 * What is wrong with tensors for a graph that expects `expected`, as loadStateDict would see it:
 * missing, extra or misshapen tensors. Empty when they fit.
 */
export const tensorMismatches = (expected: ReadonlyMap<string, readonly number[]>, tensors: readonly TensorInfo[]): string[] => {
  const problems: string[] = [];
  const given = new Map<string, TensorInfo>();
  for (const tensor of tensors) {
    if (given.has(tensor.name)) problems.push(`${tensor.name} is given twice`);
    given.set(tensor.name, tensor);
  }
  for (const [name, shape] of expected) {
    const tensor = given.get(name);
    if (!tensor) problems.push(`${name} is missing`);
    else if (tensor.shape.length !== shape.length || tensor.shape.some((dim, i) => dim !== shape[i]))
      problems.push(`${name} is ${shapeText(tensor.shape)} but the graph needs ${shapeText(shape)}`);
  }
  for (const name of given.keys()) if (!expected.has(name)) problems.push(`${name} is not a tensor of this graph`);
  return problems;
};

/** The first tensor holding NaN or an infinity, if any. */
const nonFinite = (tensors: readonly NamedTensor[]): string | undefined => {
  for (const { name, data } of tensors) for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return name;
  return undefined;
};

/** The largest a safetensors header for these tensors can honestly be, generously. */
const headerBound = (expected: ReadonlyMap<string, readonly number[]>): number => {
  let bound = 64 * 1024;
  for (const name of expected.keys()) bound += 256 + 8 * name.length;
  return bound;
};

/** Calls the caller's expectedTensors, which may throw; a throw counts as "cannot be built". */
const expectedFor = (expectedTensors: ExpectedTensors, graph: GraphDocument): ReadonlyMap<string, readonly number[]> | null => {
  try {
    return expectedTensors(graph);
  } catch {
    return null;
  }
};

const limitsOf = (options: ContainerOptions): ContainerLimits => ({ ...DEFAULT_LIMITS, ...options.limits });

// ---------------------------------------------------------------------------------------------
// Packing.

const packUnsafe = (project: ProjectDocument, tensors: ProjectTensors, options: ContainerOptions): Outcome<{ bytes: Uint8Array }> => {
  const limits = limitsOf(options);
  const parsed = parseProject(project);
  if (!parsed.ok) return error('invalid-project', `the project is not valid: ${summarise(parsed.errors)}`, parsed.errors);
  const document = parsed.project;
  const runIds = new Set(document.runs.map((run) => run.id));
  for (const id of tensors.runs.keys())
    if (!runIds.has(id)) return error('invalid-project', `weights were given for run '${id}', which the project does not record`);

  // project.json lists exactly the weights written beside it.
  const version = graphVersion(document.graph);
  const runs = document.runs.map((run): RunRecord => {
    const { weightsFile: _, ...rest } = run;
    return tensors.runs.has(run.id) ? { ...rest, weightsFile: runWeightsFile(run.id) } : rest;
  });
  const { weights: previous, ...withoutWeights } = document;
  const final: ProjectDocument = tensors.current
    ? { ...withoutWeights, weights: { file: CURRENT_WEIGHTS_FILE, graphVersion: previous?.graphVersion ?? version }, runs }
    : { ...withoutWeights, runs };

  const needsExpected =
    tensors.current !== undefined || document.runs.some((run) => tensors.runs.has(run.id) && run.graphVersion === version);
  const expected = needsExpected ? expectedFor(options.expectedTensors, document.graph) : null;
  const check = (label: string, list: readonly NamedTensor[], mustFit: boolean): { ok: false; error: ProjectError } | null => {
    if (mustFit && !expected)
      return error('weights-mismatch', `${label}: the graph has errors, so no weights can fit it; fix the graph, or leave the weights out`);
    if (expected && mustFit) {
      const problems = tensorMismatches(expected, list);
      if (problems.length) return error('weights-mismatch', `${label} do not fit the graph: ${summarise(problems)}`, problems);
    }
    const bad = nonFinite(list);
    if (bad !== undefined) return error('invalid-weights', `${label}: ${bad} holds NaN or infinite values`);
    return null;
  };
  if (tensors.current) {
    const problem = check('the current weights', tensors.current, true);
    if (problem) return problem;
  }
  for (const run of document.runs) {
    const list = tensors.runs.get(run.id);
    if (!list) continue;
    const problem = check(`the weights of run '${run.id}'`, list, run.graphVersion === version && expected !== null);
    if (problem) return problem;
  }

  const inputs: ZipInput[] = [{ name: PROJECT_ENTRY, data: new TextEncoder().encode(serializeProject(final)), compress: true }];
  if (inputs[0].data.length > limits.maxProjectBytes)
    return error(
      'too-large',
      `project.json would be ${formatBytes(inputs[0].data.length)}, more than the ${formatBytes(limits.maxProjectBytes)} allowed`,
    );
  if (tensors.current)
    inputs.push({
      name: CURRENT_WEIGHTS_FILE,
      data: writeSafetensors(tensors.current, { format: 'pt', graphVersion: final.weights!.graphVersion }),
      compress: false,
    });
  for (const run of document.runs) {
    const list = tensors.runs.get(run.id);
    if (list)
      inputs.push({
        name: runWeightsFile(run.id),
        data: writeSafetensors(list, { format: 'pt', graphVersion: run.graphVersion }),
        compress: false,
      });
  }
  let total = 0;
  for (const input of inputs) {
    total += input.data.length;
    if (input.data.length > limits.maxEntryBytes)
      return error(
        'too-large',
        `${input.name} would be ${formatBytes(input.data.length)}, more than the ${formatBytes(limits.maxEntryBytes)} allowed for one entry`,
      );
  }
  if (total > limits.maxTotalBytes)
    return error('too-large', `the project would be ${formatBytes(total)}, more than the ${formatBytes(limits.maxTotalBytes)} allowed`);
  if (inputs.length > limits.maxEntries)
    return error('too-large', `the project would have ${inputs.length} entries, more than the ${limits.maxEntries} allowed`);
  return { ok: true, bytes: writeZip(inputs) };
};

/**
 * Packs a project and its tensors into `.cnnproj` bytes. project.json is rewritten to list
 * exactly the weights given (`weights`, and each run's `weightsFile`); `weights.graphVersion` is
 * kept when the project has one (set it when training replaces the weights), else it is the
 * current graph's. Refuses, as an error
 * value, anything that unpackProject would refuse: an invalid document, weights that do not fit
 * the graph, sizes past the limits.
 */
export const packProject = (
  project: ProjectDocument,
  tensors: ProjectTensors,
  options: ContainerOptions,
): Outcome<{ bytes: Uint8Array }> => {
  try {
    return packUnsafe(project, tensors, options);
  } catch (caught) {
    if (caught instanceof SafetensorsError) return error('invalid-weights', caught.message);
    return error('internal', `the project could not be packed: ${caught instanceof Error ? caught.message : String(caught)}`);
  }
};

// ---------------------------------------------------------------------------------------------
// Unpacking.

const decodeJson = (bytes: Uint8Array, what: string): { ok: true; value: unknown } | { ok: false; error: ProjectError } => {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return error('invalid-project', `${what} is not UTF-8 text`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (caught) {
    return error('invalid-project', `${what} is not valid JSON: ${caught instanceof Error ? caught.message : String(caught)}`);
  }
};

const checkDocument = (json: unknown, what: string): Outcome<{ project: ProjectDocument; migratedFrom?: number }> => {
  const parsed = parseProject(json);
  if (parsed.ok)
    return parsed.migratedFrom === undefined
      ? { ok: true, project: parsed.project }
      : { ok: true, project: parsed.project, migratedFrom: parsed.migratedFrom };
  if (parsed.tooNew) return error('too-new', parsed.errors[0], parsed.errors);
  return error('invalid-project', `${what} is not a valid project: ${summarise(parsed.errors)}`, parsed.errors);
};

const readWeights = (
  bytes: Uint8Array,
  entry: ZipEntry,
  expected: ReadonlyMap<string, readonly number[]> | null,
): { ok: true; tensors: NamedTensor[] } | { ok: false; error: ProjectError } => {
  // The header is checked as soon as it is unpacked: a file that is not safetensors, or not of
  // this graph, is refused before its data is. A header that describes the graph's tensors
  // exactly also fixes the file's size, so nothing larger is ever inflated.
  const maxHeaderBytes = expected ? headerBound(expected) : undefined;
  const inspect = (head: Uint8Array, size: number): 'more' | null | ProjectError => {
    const header = readSafetensorsHeader(head, size, maxHeaderBytes);
    if (header.status === 'more') return 'more';
    if (header.status === 'error') return { code: 'invalid-weights', message: `${entry.name}: ${header.error}` };
    const problems = expected ? tensorMismatches(expected, header.tensors) : [];
    return problems.length
      ? { code: 'weights-mismatch', message: `${entry.name} does not fit the graph: ${summarise(problems)}`, details: problems }
      : null;
  };
  const extracted = extractZipEntry(bytes, entry, inspect);
  if (!extracted.ok) return { ok: false, error: extracted.error ?? extracted.rejected };
  const read = readSafetensors(extracted.value);
  if (!read.ok) return error('invalid-weights', `${entry.name}: ${read.error}`);
  const tensors = read.file.tensors;
  if (expected) {
    const problems = tensorMismatches(expected, tensors);
    if (problems.length) return error('weights-mismatch', `${entry.name} does not fit the graph: ${summarise(problems)}`, problems);
  }
  const bad = nonFinite(tensors);
  if (bad !== undefined) return error('invalid-weights', `${entry.name}: ${bad} holds NaN or infinite values`);
  return { ok: true, tensors };
};

const unpackUnsafe = (bytes: Uint8Array, options: ContainerOptions): Outcome<UnpackedProject> => {
  const limits = limitsOf(options);
  const directory = readZipDirectory(bytes, limits);
  if (!directory.ok) return directory;
  let projectEntry: ZipEntry | undefined;
  let currentEntry: ZipEntry | undefined;
  const runEntries = new Map<string, ZipEntry>();
  for (const entry of directory.value) {
    const run = RUN_ENTRY.exec(entry.name);
    if (entry.name === PROJECT_ENTRY) projectEntry = entry;
    else if (entry.name === CURRENT_WEIGHTS_FILE) currentEntry = entry;
    else if (run) runEntries.set(run[1], entry);
    else if (!FOLDERS.has(entry.name))
      return error(
        'unexpected-entry',
        `the archive holds ${JSON.stringify(entry.name)}, which is no part of a CNN Studio project (only project.json and weights/ are)`,
      );
  }
  if (!projectEntry) return error('missing-entry', 'project.json is missing: this zip is not a CNN Studio project');
  if (projectEntry.size > limits.maxProjectBytes)
    return error(
      'too-large',
      `project.json would unpack to ${formatBytes(projectEntry.size)}, more than the ${formatBytes(limits.maxProjectBytes)} allowed`,
    );
  const projectBytes = extractZipEntry(bytes, projectEntry);
  if (!projectBytes.ok) return { ok: false, error: projectBytes.error! };
  const json = decodeJson(projectBytes.value, 'project.json');
  if (!json.ok) return json;
  const checked = checkDocument(json.value, 'project.json');
  if (!checked.ok) return checked;
  const { project } = checked;

  // The archive holds exactly the weights project.json lists.
  if (project.weights && !currentEntry)
    return error('missing-entry', `project.json lists ${CURRENT_WEIGHTS_FILE}, but the archive lacks it`);
  if (!project.weights && currentEntry)
    return error('unexpected-entry', `the archive holds ${CURRENT_WEIGHTS_FILE}, but project.json does not list it`);
  const runsById = new Map(project.runs.map((run) => [run.id, run]));
  for (const run of project.runs)
    if (run.weightsFile && !runEntries.has(run.id))
      return error('missing-entry', `run '${run.id}' lists ${run.weightsFile}, but the archive lacks it`);
  for (const id of runEntries.keys())
    if (!runsById.get(id)?.weightsFile)
      return error('unexpected-entry', `the archive holds ${runWeightsFile(id)}, but no run in project.json lists it`);

  const version = graphVersion(project.graph);
  const needsExpected = currentEntry !== undefined || [...runEntries.keys()].some((id) => runsById.get(id)!.graphVersion === version);
  const expected = needsExpected ? expectedFor(options.expectedTensors, project.graph) : null;
  let current: NamedTensor[] | undefined;
  if (currentEntry) {
    if (!expected)
      return error(
        'weights-mismatch',
        `the project has weights, but its graph has errors, so no weights can fit it; fix the graph in project.json`,
      );
    const read = readWeights(bytes, currentEntry, expected);
    if (!read.ok) return read;
    current = read.tensors;
  }
  const runs = new Map<string, readonly NamedTensor[]>();
  for (const run of project.runs) {
    const entry = runEntries.get(run.id);
    if (!entry) continue;
    // A run of an earlier version of the graph has that graph's tensors, which cannot be checked here.
    const read = readWeights(bytes, entry, run.graphVersion === version ? expected : null);
    if (!read.ok) return read;
    runs.set(run.id, read.tensors);
  }
  const tensors: ProjectTensors = current ? { current, runs } : { runs };
  return checked.migratedFrom === undefined
    ? { ok: true, project, tensors }
    : { ok: true, project, tensors, migratedFrom: checked.migratedFrom };
};

/** Unpacks `.cnnproj` bytes. Never throws: every problem is an error value naming it. */
export const unpackProject = (bytes: Uint8Array, options: ContainerOptions): Outcome<UnpackedProject> => {
  try {
    return unpackUnsafe(bytes, options);
  } catch (caught) {
    return error('internal', `the project could not be read: ${caught instanceof Error ? caught.message : String(caught)}`);
  }
};

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean => prefix.every((byte, i) => bytes[i] === byte);

/**
 * Reads a project file of either form: a `.cnnproj` zip, or plain JSON (a graph document, which
 * opens as a new project, or a project.json without weights). Never throws.
 */
export const readProjectFile = (bytes: Uint8Array, options: ContainerOptions): Outcome<UnpackedProject> => {
  try {
    if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return unpackProject(bytes, options);
    let first = 0;
    if (startsWith(bytes, [0xef, 0xbb, 0xbf])) first = 3;
    while (first < bytes.length && (bytes[first] === 0x20 || bytes[first] === 0x0a || bytes[first] === 0x0d || bytes[first] === 0x09))
      first++;
    if (bytes[first] !== 0x7b)
      return error(
        'not-a-project',
        bytes.length === 0
          ? 'the file is empty'
          : 'the file is not a CNN Studio project: a .cnnproj is a zip archive, and a graph is JSON; this is neither',
      );
    const limits = limitsOf(options);
    if (bytes.length > limits.maxProjectBytes)
      return error(
        'too-large',
        `the JSON file is ${formatBytes(bytes.length)}, more than the ${formatBytes(limits.maxProjectBytes)} allowed`,
      );
    const json = decodeJson(bytes, 'the file');
    if (!json.ok) return json;
    const checked = checkDocument(json.value, 'the file');
    if (!checked.ok) return checked;
    const { project } = checked;
    if (project.weights || project.runs.some((run) => run.weightsFile))
      return error('missing-entry', 'the JSON file lists weights, but only a .cnnproj archive can hold them');
    const tensors: ProjectTensors = { runs: new Map() };
    return checked.migratedFrom === undefined
      ? { ok: true, project, tensors }
      : { ok: true, project, tensors, migratedFrom: checked.migratedFrom };
  } catch (caught) {
    return error('internal', `the project could not be read: ${caught instanceof Error ? caught.message : String(caught)}`);
  }
};
