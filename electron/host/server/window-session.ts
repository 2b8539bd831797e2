/**
 * `StudioApi` for one window (one browser tab of `serve`, later one Electron window): the
 * project it has open, with the tensors the renderer never sees (trained weights, each run's
 * weights) and the run records. The services do the work: ProjectStore, the job manager
 * (through TrainingJobs), the dataset readers.
 */
import { dirname, sep } from 'node:path';
import type {
  DatasetPreview,
  DatasetPreviewRequest,
  HostInfo,
  JobInfo,
  OpenedProject,
  RecentProject,
  RecoverableProjects,
  RestoredFrom,
  SavedProject,
  SaveOptions,
  StartFiltersPreview,
  StartFiltersProgress,
  StudioApi,
  StudioJobEvent,
  TemplateInfo,
  TrainedNetwork,
  TrainingOverrides,
  Unsubscribe,
  VisualReply,
  VisualRequest,
} from '../../api';
import { STUDIO_API_VERSION } from '../../api';
import type { DatasetSpec } from '../../../engine/data/spec';
import { countClasses } from '../../../engine/data/dataset';
import type { GraphDocument } from '../../../engine/graph/document';
import { TEMPLATES, findTemplate } from '../../../engine/graph/templates';
import { tensorMismatches } from '../../../engine/project/container';
import {
  CURRENT_WEIGHTS_FILE,
  graphVersion,
  newProject,
  parseProject,
  runWeightsFile,
  type ProjectDocument,
  type RunRecord,
  type WeightsReference,
} from '../../../engine/project/schema';
import type { NamedTensor } from '../../../engine/train/state-dict';
import { openDataset, previewSamples } from '../../services/datasets';
import { ProjectStore } from '../../services/project/store';
import { newRecoveryId, type RecoveryStore } from '../../services/recovery/recovery-store';
import { expectedTensorsFromCatalogue } from '../../services/project/expected-tensors';
import { DatasetError, ProjectError, RecoveryError } from './errors';
import type { RecentProjects } from './recent';
import { StartFilterPreviews } from './start-filter-previews';
import { startRun } from './start-run';
import type { TrainingJobs } from './training-jobs';

/** What every window of a host shares. */
export interface HostServices {
  readonly jobs: TrainingJobs;
  readonly recent: RecentProjects;
  /** Where windows keep their unsaved documents until saved (the recovery folder). */
  readonly recovery: RecoveryStore;
  /** e.g. `CNN Studio 0.1.0`. */
  readonly application: string;
  /** Relative paths and unsaved projects' datasets are resolved against it. */
  readonly defaultFolder: string;
}

/** A dataset a template can train on out of the box: digits for classifiers, denoising for image outputs. */
export const defaultDataset = (graph: GraphDocument): DatasetSpec => {
  const head = graph.nodes.find((node) => node.type.endsWith('Head'));
  return head?.type === 'ImageHead' ? { kind: 'denoise', size: 28, channels: 1 } : { kind: 'mnist' };
};

const checkDocument = (value: unknown, what: string): ProjectDocument => {
  const parsed = parseProject(value);
  if (!parsed.ok) throw new ProjectError(`${what} is not a valid project: ${parsed.errors.slice(0, 3).join('; ')}`);
  return parsed.project;
};

/** Whether weights fit a graph exactly (names and shapes). */
const fits = (graph: GraphDocument, tensors: readonly NamedTensor[] | undefined): boolean => {
  if (!tensors) return false;
  const expected = expectedTensorsFromCatalogue(graph);
  return expected !== null && tensorMismatches(expected, tensors).length === 0;
};

export class WindowSession implements StudioApi {
  private path: string | null = null;
  private runs: RunRecord[] = [];
  private current: readonly NamedTensor[] | undefined;
  private weightsReference: WeightsReference | undefined;
  private runTensors = new Map<string, readonly NamedTensor[]>();
  /** Changes with every project opened or made: a job that ends after it leaves this one alone. */
  private generation = 0;
  private readonly watching = new Set<Unsubscribe>();
  /** `trainedNetwork`'s dataset facts for the settings in `key` (see datasetFacts). */
  private keptDatasetFacts: { key: string; facts: Pick<TrainedNetwork, 'normalisation' | 'classes'> } | null = null;
  /** Run ids of jobs still going, so that two runs never share an id. */
  private readonly pendingRuns = new Set<string>();
  /** `previewStartFilters` in flight, each in its own thread. */
  private readonly startFilterPreviews = new StartFilterPreviews();

  /**
   * Each window has its own store: it remembers which files this window opened or saved, so a
   * window never overwrites a file another one changed (nor one it never opened) unasked.
   */
  private readonly store: ProjectStore;

  /** This window's entry in the recovery folder (held while the window is open). */
  private recoveryId: string;

  constructor(private readonly services: HostServices) {
    this.store = new ProjectStore({ createdWith: services.application });
    this.recoveryId = newRecoveryId();
    services.recovery.hold(this.recoveryId);
  }

  /** Moves this window to another recovery entry (a new document, or a restored one). */
  private adoptRecoveryEntry(id: string): void {
    if (id === this.recoveryId) return;
    this.services.recovery.hold(id);
    this.services.recovery.release(this.recoveryId);
    this.recoveryId = id;
  }

  async hello(): Promise<HostInfo> {
    return {
      apiVersion: STUDIO_API_VERSION,
      host: 'node',
      application: this.services.application,
      defaultFolder: this.services.defaultFolder,
      pathSeparator: sep === '\\' ? '\\' : '/',
    };
  }

  async listTemplates(): Promise<TemplateInfo[]> {
    return TEMPLATES.map((template) => {
      const graph = template.build();
      return { name: template.name, title: graph.name ?? template.name, description: graph.description ?? '', layers: graph.nodes.length };
    });
  }

  private reset(
    path: string | null,
    document: ProjectDocument,
    current?: readonly NamedTensor[],
    runs?: Map<string, readonly NamedTensor[]>,
    recoveryId: string = newRecoveryId(),
  ) {
    // The old document's autosave, if any, stays: its changes were left, not discarded.
    this.adoptRecoveryEntry(recoveryId);
    this.generation++;
    this.keptDatasetFacts = null;
    this.path = path;
    this.runs = [...document.runs];
    this.current = current;
    this.weightsReference = current ? document.weights : undefined;
    this.runTensors = runs ?? new Map();
  }

  private opened(document: ProjectDocument, migratedFrom?: number, restored?: RestoredFrom): OpenedProject {
    const project: ProjectDocument = this.withHostRecord(document);
    return {
      path: this.path,
      document: project,
      hasWeights: fits(project.graph, this.current),
      ...(migratedFrom !== undefined ? { migratedFrom } : {}),
      ...(restored ? { restored } : {}),
    };
  }

  /** The document with the host's runs and weights reference in place of the renderer's. */
  private withHostRecord(document: ProjectDocument): ProjectDocument {
    const { weights: _, runs: __, ...rest } = document;
    const runs = this.runs.map((run) => {
      const { weightsFile: _file, ...record } = run;
      return this.runTensors.has(run.id) ? { ...record, weightsFile: runWeightsFile(run.id) } : record;
    });
    const keep = this.weightsReference && fits(document.graph, this.current);
    return { ...rest, runs, ...(keep ? { weights: this.weightsReference } : {}) };
  }

  async newProject(template: string): Promise<OpenedProject> {
    const found = findTemplate(template);
    if (!found) throw new ProjectError(`there is no template '${template}'; choose one of ${TEMPLATES.map((t) => t.name).join(', ')}`);
    const graph = found.build();
    const document = newProject(graph, { dataset: defaultDataset(graph), createdWith: this.services.application });
    this.reset(null, document);
    return this.opened(document);
  }

  async openProject(path: string): Promise<OpenedProject> {
    const opened = await this.store.open(path);
    if (!opened.ok) throw new ProjectError(opened.error.message);
    const runs = new Map(opened.tensors.runs);
    this.reset(opened.path, opened.project, opened.tensors.current, runs);
    await this.services.recent.remember(opened.path, opened.project.name);
    return this.opened(opened.project, opened.migratedFrom);
  }

  async saveProject(path: string, document: ProjectDocument, options: SaveOptions = {}): Promise<SavedProject> {
    if (!path.endsWith('.cnnproj')) throw new ProjectError(`${path} is not a project file name; end it with .cnnproj`);
    const edited = checkDocument(document, 'the document to save');
    const weightsFit = fits(edited.graph, this.current);
    const final = this.withHostRecord(edited);
    const tensors = { ...(weightsFit ? { current: this.current } : {}), runs: this.runTensors };
    const saved = await this.store.save(path, final, tensors, { force: Boolean(options.force) });
    if (!saved.ok) throw new ProjectError(saved.error.message);
    const droppedWeights = this.current !== undefined && !weightsFit;
    if (droppedWeights) {
      this.current = undefined;
      this.weightsReference = undefined;
    }
    this.path = saved.path;
    await this.services.recovery.remove(this.recoveryId).catch(() => undefined);
    await this.services.recent.remember(saved.path, final.name);
    return { ...this.opened(final), path: saved.path, droppedWeights };
  }

  recentProjects(): Promise<RecentProject[]> {
    return this.services.recent.list();
  }

  async autosaveProject(document: ProjectDocument): Promise<void> {
    const edited = checkDocument(document, 'the document to autosave');
    try {
      const stamp = this.path ? this.store.stampOf(this.path) : undefined;
      await this.services.recovery.write(this.recoveryId, this.path, edited, stamp);
    } catch (error) {
      throw new RecoveryError(
        `the unsaved changes could not be kept in ${this.services.recovery.folder}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async discardAutosave(): Promise<void> {
    await this.services.recovery.remove(this.recoveryId);
  }

  recoverableProjects(): Promise<RecoverableProjects> {
    return this.services.recovery.list();
  }

  async restoreProject(id: string): Promise<OpenedProject> {
    const entry = await this.services.recovery.read(id);
    const restored = entry.document;
    let problem: string | undefined;
    if (entry.originalPath !== null) {
      const original = await this.store.open(entry.originalPath);
      if (original.ok) {
        // The file's weights and run records, under the restored graph and settings; runs made
        // after the autosave's file was saved keep their records, not their weights.
        const known = new Set(original.project.runs.map((run) => run.id));
        const runs = [...original.project.runs, ...restored.runs.filter((run) => !known.has(run.id))];
        const document = { ...restored, runs, ...(original.project.weights ? { weights: original.project.weights } : {}) };
        this.reset(original.path, document, original.tensors.current, new Map(original.tensors.runs), id);
        const was = entry.originalStamp;
        const changed =
          was !== undefined &&
          (was.mtimeMs !== original.stamp.mtimeMs || was.size !== original.stamp.size || was.ino !== original.stamp.ino);
        // Saved over since these changes were made: a save must not replace that unasked.
        if (changed) this.store.forget(original.path);
        await this.services.recent.remember(original.path, restored.name);
        return this.opened(document, undefined, {
          savedAt: entry.savedAt,
          originalPath: entry.originalPath,
          ...(changed ? { fileChanged: true } : {}),
        });
      }
      problem = `${original.error.message}; the changes are restored as a new project: save them under a name`;
    }
    this.reset(null, restored, undefined, undefined, id);
    return this.opened(restored, undefined, {
      savedAt: entry.savedAt,
      originalPath: entry.originalPath,
      ...(problem ? { problem } : {}),
    });
  }

  async discardRecoverable(id: string): Promise<void> {
    if (id === this.recoveryId) return this.discardAutosave();
    this.services.recovery.hold(id);
    try {
      await this.services.recovery.remove(id);
    } finally {
      this.services.recovery.release(id);
    }
  }

  private get baseFolder(): string {
    return this.path ? dirname(this.path) : this.services.defaultFolder;
  }

  async startTraining(document: ProjectDocument, overrides: TrainingOverrides): Promise<JobInfo> {
    const project = checkDocument(document, 'the project to train');
    const generation = this.generation;
    const info = startRun(this.services.jobs, {
      project,
      overrides,
      baseFolder: this.baseFolder,
      runIds: [...this.runs.map((run) => run.id), ...this.pendingRuns],
      initialWeights: overrides.continueFromWeights && fits(project.graph, this.current) ? this.current : undefined,
      onEnd: (run, weights) => {
        this.pendingRuns.delete(run.id);
        if (generation !== this.generation) return { run: null, weightsKept: false };
        this.runs.push(run);
        if (!weights) return { run, weightsKept: false };
        this.runTensors.set(run.id, weights);
        this.current = weights;
        this.weightsReference = { file: CURRENT_WEIGHTS_FILE, graphVersion: graphVersion(project.graph) };
        return { run, weightsKept: true };
      },
    });
    this.pendingRuns.add(info.runId);
    return info;
  }

  async pauseTraining(jobId: string): Promise<void> {
    this.services.jobs.pause(jobId);
  }

  async resumeTraining(jobId: string): Promise<void> {
    this.services.jobs.resume(jobId);
  }

  async stopTraining(jobId: string): Promise<void> {
    this.services.jobs.stop(jobId);
  }

  async watchJob(jobId: string, listener: (event: StudioJobEvent) => void): Promise<Unsubscribe> {
    const stop = this.services.jobs.watch(jobId, listener);
    this.watching.add(stop);
    return () => {
      stop();
      this.watching.delete(stop);
    };
  }

  async previewDataset(request: DatasetPreviewRequest): Promise<DatasetPreview> {
    // a preview shows the samples as stored (normalised when the project normalises), never a random augmentation
    const preprocess = request.preprocess ? { normalise: request.preprocess.normalise } : undefined;
    let opened;
    try {
      opened = openDataset(request.dataset, this.baseFolder, request.split, preprocess);
    } catch (error) {
      throw new DatasetError(error instanceof Error ? error.message : String(error));
    }
    const subset = request.subset ?? 'train';
    const dataset = opened[subset];
    if (!dataset) throw new DatasetError(`this dataset has no ${subset} split; set a validation or test fraction`);
    const classCounts = countClasses(dataset);
    return {
      size: dataset.size,
      sampleShape: [...dataset.sampleShape],
      ...(opened.classes ? { classes: opened.classes } : {}),
      ...(classCounts ? { classCounts } : {}),
      samples: previewSamples(dataset, Math.min(64, request.count), opened.classes, request.seed ?? 0),
      problems: opened.problems.map((problem) => `${problem.path}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`),
    };
  }

  async previewStartFilters(
    document: ProjectDocument,
    nodeId: string,
    overrides: TrainingOverrides,
    onProgress: (progress: StartFiltersProgress) => void = () => {},
  ): Promise<StartFiltersPreview> {
    const project = checkDocument(document, 'the project');
    return this.startFilterPreviews.run({ project, overrides, nodeId, baseFolder: this.baseFolder }, onProgress);
  }

  cancelStartFilters(nodeId: string): Promise<void> {
    return this.startFilterPreviews.cancel(nodeId);
  }

  requestVisual(jobId: string, request: VisualRequest): Promise<VisualReply> {
    return this.services.jobs.visual(jobId, request);
  }

  async trainedNetwork(document: ProjectDocument): Promise<TrainedNetwork | null> {
    const project = checkDocument(document, 'the document');
    const weights = this.current;
    if (!weights || !fits(project.graph, weights)) return null;
    const tensors = weights.map((tensor) => ({
      // node ids have no dots (NODE_ID_PATTERN); tensor names after the first may
      nodeId: tensor.name.slice(0, tensor.name.indexOf('.')),
      name: tensor.name,
      shape: [...tensor.shape],
      data: Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength).toString('base64'),
    }));
    return { tensors, ...this.datasetFacts(project) };
  }

  /**
   * The normalisation and class names of a project's dataset, kept for the next call with the
   * same settings (measuring the statistics reads the whole training split).
   */
  private datasetFacts(project: ProjectDocument): Pick<TrainedNetwork, 'normalisation' | 'classes'> {
    const normalises = project.preprocess?.normalise === true;
    const key = JSON.stringify([this.baseFolder, project.dataset, project.split, normalises]);
    const kept = this.keptDatasetFacts;
    if (kept?.key === key) return kept.facts;
    let opened;
    try {
      // only the statistics are wanted: augmentation is left out
      opened = project.dataset
        ? openDataset(project.dataset, this.baseFolder, project.split, normalises ? { normalise: true } : undefined)
        : undefined;
    } catch (error) {
      if (normalises)
        throw new DatasetError(`the normalisation of the project's dataset: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (normalises && !opened?.stats) throw new DatasetError('the project normalises its inputs but has no dataset to measure them on');
    const stats = opened?.stats;
    const facts = {
      normalisation: stats ? { mean: [...stats.mean], std: [...stats.std] } : null,
      ...(opened?.classes ? { classes: [...opened.classes] } : {}),
    };
    // a dataset that could not be opened is tried again next time
    if (opened) this.keptDatasetFacts = { key, facts };
    return facts;
  }

  /** The window closed: stop sending it events (its jobs go on) and stop its filter previews. */
  dispose(): void {
    for (const stop of this.watching) stop();
    this.watching.clear();
    this.startFilterPreviews.cancelAll();
    // Its autosave, if any, stays to be offered back: the window may have crashed.
    this.services.recovery.release(this.recoveryId);
  }
}
