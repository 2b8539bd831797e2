/**
 * `StudioApi`: the one contract between the renderer and a host. The Electron preload exposes it
 * as `window.studio`; the Node host (`cnn-studio serve`) speaks it over a WebSocket. Both carry
 * only JSON-serialisable values, so a host can be swapped without the renderer knowing.
 *
 * This file holds types and two runtime lists (the request methods, for proxies and for the
 * arguments' validation on arrival). It imports types only, so the renderer may import it.
 *
 * Versioned: `STUDIO_API_VERSION` changes whenever a method or a message changes in a way an
 * older peer would misread; `hello()` tells the renderer which version the host speaks.
 */
import type { DatasetSpec, PreprocessSpec, SplitSpec } from '../engine/data/spec';
import type { EpochRecord, ProjectDocument, RunRecord } from '../engine/project/schema';
import type { EpochStats } from '../engine/viz/training-stats';
import type { OptimizerKind } from '../engine/train/optimizers';
import type { AnalysisKind, VisualAnalysis } from '../engine/viz/analysis';
import type { FilterGradients } from '../engine/viz/filter-gradients';

export const STUDIO_API_VERSION = 5;

/** An error as it crosses a process boundary: its class name (a title) and its message. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
}

/** Who answers: the host kind and the version it speaks. */
export interface HostInfo {
  /** STUDIO_API_VERSION of the host. */
  readonly apiVersion: number;
  /** `node`: served to a browser by `cnn-studio serve`; `electron`: the desktop app. */
  readonly host: 'node' | 'electron';
  /** The application and its version, e.g. `CNN Studio 0.1.0`. */
  readonly application: string;
  /** A folder to suggest for new project files (the folder the host was started in). */
  readonly defaultFolder: string;
  /** The host's path separator, for building suggested paths. */
  readonly pathSeparator: '/' | '\\';
}

/** A graph template a new project can start from. */
export interface TemplateInfo {
  /** The name to pass to `newProject`, e.g. `lenet5`. */
  readonly name: string;
  /** For people, e.g. `LeNet-5`. */
  readonly title: string;
  readonly description: string;
  /** How many layers the template has. */
  readonly layers: number;
}

/** The project the host holds for this window, as the renderer sees it. */
export interface OpenedProject {
  /** Absolute path of its file, or null for a new project not yet saved. */
  readonly path: string | null;
  /** The document; its `runs` and `weights` are the host's record (see `saveProject`). */
  readonly document: ProjectDocument;
  /** Whether the host holds trained weights that fit the document's graph. */
  readonly hasWeights: boolean;
  /** Set when the file was made by an older version and upgraded on opening. */
  readonly migratedFrom?: number;
  /** Set by `restoreProject`: the document is unsaved changes from a recovery entry. */
  readonly restored?: RestoredFrom;
}

/** Where a restored document came from. */
export interface RestoredFrom {
  /** When its changes were written, ISO 8601. */
  readonly savedAt: string;
  /** The file it was an edit of (null: a new project); `path` is null when that file could not be opened. */
  readonly originalPath: string | null;
  /** Why the original file could not be opened, when it could not (the changes are restored as a new project). */
  readonly problem?: string;
  /**
   * The original file was saved over since these changes were made (by another window or
   * program): saving the restored project replaces that version only when forced.
   */
  readonly fileChanged?: boolean;
}

/** Unsaved changes left by a window that closed or crashed without saving. */
export interface RecoverableProject {
  /** The entry, for `restoreProject` and `discardRecoverable`. */
  readonly id: string;
  /** The project's name. */
  readonly name: string;
  /** The file it was an edit of, or null for a project never saved. */
  readonly originalPath: string | null;
  /** When the changes were written, ISO 8601. */
  readonly savedAt: string;
}

export interface RecoverableProjects {
  /** Newest first. */
  readonly entries: RecoverableProject[];
  /** Entries that could not be read, naming their files; they are left alone. */
  readonly problems: string[];
}

/** What `saveProject` did. */
export interface SavedProject extends OpenedProject {
  /** The path written (absolute). */
  readonly path: string;
  /**
   * True when the host's trained weights no longer fitted the edited graph and were left out of
   * the file (the run records and each run's own weights are kept).
   */
  readonly droppedWeights: boolean;
}

export interface SaveOptions {
  /** Overwrite a file that changed on disk, or that this host never opened. */
  readonly force?: boolean;
}

/** A project file the host opened or saved lately. */
export interface RecentProject {
  readonly path: string;
  readonly name: string;
  /** ISO 8601. */
  readonly openedAt: string;
}

/** What a training run may change from the project's own settings. */
export interface TrainingOverrides {
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly optimizer?: OptimizerKind;
  /** Train on the first N training samples only (validation on N/6). */
  readonly limit?: number;
  readonly seed?: number;
  /** Start from the host's current weights instead of a fresh initialisation. */
  readonly continueFromWeights?: boolean;
  /**
   * Where to train: 'auto' (the default: the GPU when there is a fast one), 'cpu' or 'webgpu'.
   * The desktop app trains WebGPU jobs in a hidden window, which reads file datasets from a data server process.
   */
  readonly backend?: 'auto' | 'cpu' | 'webgpu';
}

export type JobState = 'queued' | 'running' | 'paused' | 'completed' | 'stopped' | 'failed';

/** A job as `startTraining` returns it. */
export interface JobInfo {
  readonly jobId: string;
  readonly state: JobState;
  /** The run record the job will add to the project when it ends. */
  readonly runId: string;
  /** Estimated memory of the run, in bytes. */
  readonly memoryBytes: number;
}

/** One event of a job's stream, in order. A new watcher first receives the events so far. */
export type StudioJobEvent =
  | { readonly type: 'state'; readonly state: JobState }
  | {
      readonly type: 'started';
      readonly backend: string;
      /** Why that backend was chosen, for people. */
      readonly backendReason: string;
      readonly trainSamples: number;
      readonly validationSamples: number;
      readonly stepsPerEpoch: number;
      readonly epochs: number;
    }
  | {
      readonly type: 'progress';
      /** From 1. */
      readonly epoch: number;
      readonly stepInEpoch: number;
      readonly stepsPerEpoch: number;
      readonly globalStep: number;
      /** The loss of the latest step. */
      readonly loss: number;
      readonly learningRate: number;
      readonly imagesPerSecond: number;
      readonly etaSeconds: number;
    }
  /**
   * Files and folders the run's dataset skipped (unreadable or corrupt images, files that are
   * not images, class folders without images): those met on opening it, before `started`, then
   * any met while training. `problems` lists at most 200 of them; `total` counts them all.
   */
  | {
      readonly type: 'dataset-problems';
      readonly problems: { readonly path: string; readonly reason: string; readonly line?: number }[];
      readonly total: number;
    }
  | { readonly type: 'epoch'; readonly summary: EpochRecord }
  /**
   * Right after `epoch`: every weighted layer's weight and last-step gradient histograms and norms
   * (no gradients from a GPU run), every ReLU's units that never fired on the probe batch (the
   * training set's first 32 samples, or a batch if smaller), and a snapshot of the first convolution: its filters
   * (`name` the state_dict name) and its output for the training set's sample 0 (`name` the node
   * id). Warnings and thresholds: engine/viz/training-stats.ts. The host keeps the snapshots of
   * the last 200 epochs for late watchers (older events lose theirs).
   */
  | { readonly type: 'epoch-stats'; readonly stats: EpochStats; readonly snapshot?: EpochSnapshotWire }
  /** Weights were kept after an epoch (they stay in the host). */
  | { readonly type: 'checkpoint'; readonly epoch: number; readonly globalStep: number }
  | { readonly type: 'failed'; readonly kind: string; readonly reason: string }
  /**
   * The last event: the job is over. `run` is the record added to the host's project (null when
   * the window opened another project meanwhile); `weightsKept` says whether the host now holds
   * the run's weights as the project's current ones (unsaved until `saveProject`).
   */
  | {
      readonly type: 'finished';
      readonly state: 'completed' | 'stopped' | 'failed';
      readonly run: RunRecord | null;
      readonly weightsKept: boolean;
    };

/** Which samples to preview. */
export interface DatasetPreviewRequest {
  readonly dataset: DatasetSpec;
  readonly split?: SplitSpec;
  /** Its normalisation is applied; its augmentation never is: a preview shows the samples as stored. */
  readonly preprocess?: PreprocessSpec;
  /** Default `train`. */
  readonly subset?: 'train' | 'validation' | 'test';
  /** How many samples, spread over the subset (at most 64). */
  readonly count: number;
  readonly seed?: number;
}

export interface DatasetPreviewSample {
  readonly index: number;
  /** [C, H, W]. */
  readonly shape: number[];
  /** Planar values (0–1 unless normalised). */
  readonly pixels: number[];
  readonly label?: number;
  readonly className?: string;
  readonly target?: number[];
}

export interface DatasetPreview {
  /** Samples in the subset. */
  readonly size: number;
  readonly sampleShape: number[];
  readonly classes?: string[];
  /** How many samples of the subset each class has (datasets of classes only). */
  readonly classCounts?: number[];
  readonly samples: DatasetPreviewSample[];
  /** Files and rows left out, and similar things to know, for people. */
  readonly problems: string[];
}

/** Ends a subscription. */
export type Unsubscribe = () => void;

/** What `requestVisual` asks of a training job's network. */
export interface VisualRequest {
  /**
   * `filters`: a layer's weight tensors; `activations`: layer outputs for one sample; the
   * analyses (`saliency`, `gradcam`, `occlusion`, `deconvnet` for one sample, `top-patches` of a
   * feature and `confusion` over the first samples of the subset) answer in `analysis`.
   */
  readonly kind: VisualKind;
  /**
   * filters: the layer (required). activations: the one layer to send (see `nodes`). gradcam:
   * the layer (default the last convolution or activation with image output). deconvnet and
   * top-patches: the feature's layer (required).
   */
  readonly nodeId?: string;
  /** activations: the layers to send; default `nodeId`, else every convolution, pooling and activation layer with image output. */
  readonly nodes?: readonly string[];
  /** activations: the sample, an index into `subset` (default 0). */
  readonly sample?: number;
  /** Default the run's validation set, or its training set when it has none. */
  readonly subset?: 'validation' | 'train';
  /** saliency, gradcam, occlusion: the class (default the one predicted for the sample). */
  readonly classIndex?: number;
  /** deconvnet, top-patches: the feature's channel (default 0). */
  readonly channel?: number;
  /** occlusion: the grey square's side and step in pixels (defaults: a quarter of the image, half that). */
  readonly size?: number;
  readonly stride?: number;
  /** top-patches, confusion: how many of the subset's first samples to read (defaults 500 and 2000). */
  readonly samples?: number;
  /**
   * filters: also answer the last training step's gradient (∂L/∂w) of each filter tensor, in
   * `gradients`, or a note saying why there are none (before the first step, after the run ended).
   */
  readonly withGradients?: boolean;
}

export type VisualKind = 'filters' | 'activations' | AnalysisKind;

/**
 * A tensor on the wire. `data` is its float32 values, little-endian, in standard base64 (exact,
 * and half the size of JSON numbers); `decodeFloat32` in engine/viz/encoding.ts reads it.
 */
export interface WireTensor {
  readonly nodeId: string;
  /** filters: the state_dict name (`conv1.weight`); activations: the node id. */
  readonly name: string;
  /** filters: PyTorch's layout [out, in/groups, kh, kw]; activations: per sample, [C, H, W] or [F]. */
  readonly shape: number[];
  readonly data: string;
}

/** The first convolution after one epoch, as `epoch-stats` carries it. */
export interface EpochSnapshotWire {
  readonly sampleIndex: number;
  readonly filters: WireTensor;
  readonly activation: WireTensor;
}

/** The sample an `activations` answer ran. */
export interface VisualSample {
  readonly index: number;
  readonly subset: 'validation' | 'train';
  /** How many samples the subset has (valid indices are 0 to count - 1). */
  readonly count: number;
  /** Its class, for datasets of classes. */
  readonly label?: number;
  /** The sample as the network sees it (after preprocessing). */
  readonly input: WireTensor;
  /** The head's output for it (a classifier's logits). */
  readonly output: WireTensor;
}

export interface VisualReply {
  readonly kind: VisualKind;
  /** `live`: the running job's weights as they are now; `final`: the weights it ended with. */
  readonly source: 'live' | 'final';
  /** The weights' age: epochs begun and training steps taken. */
  readonly epoch: number;
  readonly globalStep: number;
  readonly tensors: WireTensor[];
  /** For `activations` and the analyses of one sample. */
  readonly sample?: VisualSample;
  /**
   * For the analysis kinds: its numbers, and its maps as 8-bit images with their scale
   * (value = min + byte × scale), the bytes in standard base64 (`decodeBase64`, engine/viz/encoding.ts).
   */
  readonly analysis?: VisualAnalysis<string>;
  /**
   * For `filters` asked `withGradients`: one per tensor of `tensors`, 8-bit with one scale per
   * filter (value = mins[f] + byte × scales[f]), the bytes in standard base64; or a `note`.
   */
  readonly gradients?: FilterGradients<string>;
}

/** A convolution's filters as the next run will start them (see `previewStartFilters`). */
export interface StartFiltersPreview {
  /** `${nodeId}.weight` in PyTorch's layout [filters, channels, kernel height, kernel width]. */
  readonly tensor: WireTensor;
  /** How many training images the run (and so k-means) would read. */
  readonly images: number;
}

/**
 * How far a `previewStartFilters` has got, in order: `dataset` while the training images are
 * opened, then `kmeans` as k-means goes (over every layer of the run that starts from k-means);
 * the last one before the answer has `fraction` 1.
 */
export interface StartFiltersProgress {
  readonly stage: 'dataset' | 'kmeans';
  /** Of the whole preview, 0–1, never decreasing. */
  readonly fraction: number;
}

/** The project's trained network, for inference in the page (see `trainedNetwork`). */
export interface TrainedNetwork {
  /** The host's current weights as the state_dict: `name` is `conv1.weight`, `nodeId` its layer. */
  readonly tensors: WireTensor[];
  /**
   * The per-channel mean and standard deviation the inputs were normalised with (measured on
   * the dataset's training split), or null when the project does not normalise.
   */
  readonly normalisation: { readonly mean: number[]; readonly std: number[] } | null;
  /** The dataset's class names, when it has them and it could be opened. */
  readonly classes?: string[];
}

/**
 * Everything the renderer may ask of its host. Every method may reject with an Error whose
 * `name` is a title (`ProjectError`, `TrainingError`, …) and whose message says what went wrong
 * and how to fix it.
 */
export interface StudioApi {
  /** Who the host is and which version it speaks; the first call a renderer makes. */
  hello(): Promise<HostInfo>;

  /** The templates `newProject` accepts, in the order to show them. */
  listTemplates(): Promise<TemplateInfo[]>;

  /**
   * Makes a new project in memory from a template (with a dataset it can train on) and makes it
   * this window's project; nothing is written until `saveProject`.
   */
  newProject(template: string): Promise<OpenedProject>;

  /** Opens a `.cnnproj` file and makes it this window's project, with its weights. */
  openProject(path: string): Promise<OpenedProject>;

  /**
   * Saves the window's project to `path` atomically (the previous file is kept as `.bak`).
   * The document is the renderer's (graph, settings, dataset); its `runs` and `weights` are
   * replaced by the host's record, and the host's current weights are written only when they
   * still fit the document's graph (else they are dropped: see `droppedWeights`). Refuses to
   * overwrite a file that changed on disk or was never opened here unless `force` is set.
   */
  saveProject(path: string, document: ProjectDocument, options?: SaveOptions): Promise<SavedProject>;

  /** Project files opened or saved lately, newest first. */
  recentProjects(): Promise<RecentProject[]>;

  /**
   * Keeps the window's unsaved document (graph with its layout, settings, dataset, run records;
   * not weights) in the host's recovery folder, replacing what it kept before. The renderer
   * calls it a few seconds after an edit while there are unsaved changes; a successful
   * `saveProject` or `discardAutosave` removes it.
   */
  autosaveProject(document: ProjectDocument): Promise<void>;

  /** Removes the window's autosaved document (its changes were discarded, or undone). */
  discardAutosave(): Promise<void>;

  /** Unsaved changes that windows left behind (closed or crashed), other than the open windows' own. */
  recoverableProjects(): Promise<RecoverableProjects>;

  /**
   * Makes a recoverable document this window's project: with its original file's weights and
   * runs when that file still opens, else as a new project. The entry becomes this window's
   * autosave (removed by the next save). Rejects with a RecoveryError when it is gone or unreadable.
   */
  restoreProject(id: string): Promise<OpenedProject>;

  /** Deletes a recoverable document for good. */
  discardRecoverable(id: string): Promise<void>;

  /**
   * Starts training the document (the renderer's current one) in a worker process, with the
   * project's dataset and settings changed by `overrides`. Rejects when the graph has errors,
   * the project has no dataset, or the run would not fit in memory.
   */
  startTraining(document: ProjectDocument, overrides: TrainingOverrides): Promise<JobInfo>;

  /** Pauses a running job after its current step. */
  pauseTraining(jobId: string): Promise<void>;

  /** Resumes a paused job. */
  resumeTraining(jobId: string): Promise<void>;

  /** Stops a job after its current step; its weights so far are kept (see `finished`). */
  stopTraining(jobId: string): Promise<void>;

  /**
   * Streams a job's events to `listener`: first those so far, then each as it comes, ending
   * with `finished`. Resolves once subscribed, with the function that ends the subscription.
   */
  watchJob(jobId: string, listener: (event: StudioJobEvent) => void): Promise<Unsubscribe>;

  /** Draws a few samples of a dataset (paths relative to the project's folder). */
  previewDataset(request: DatasetPreviewRequest): Promise<DatasetPreview>;

  /**
   * The filters Conv2D `nodeId` of the document would start a run with (`overrides`: the run's
   * seed and sample limit), including a start by k-means on the training images, which only the
   * host can read: the same data and code as the run's worker, so the same filters. Rejects with
   * a `DatasetError` when the dataset cannot be opened, a `TrainingError` when the filters cannot
   * be made (not a Conv2D, k-means that does not fit the layer or finds too few patches).
   *
   * The host works in a worker of its own, so it answers other calls meanwhile; `onProgress`
   * hears how far it has got. A newer preview of the same layer in this window, or
   * `cancelStartFilters`, stops the work: this one then rejects with a `CancelledError`.
   */
  previewStartFilters(
    document: ProjectDocument,
    nodeId: string,
    overrides: TrainingOverrides,
    onProgress?: (progress: StartFiltersProgress) => void,
  ): Promise<StartFiltersPreview>;

  /** Stops this window's preview of layer `nodeId`, if one is going (its worker ends; nothing else changes). */
  cancelStartFilters(nodeId: string): Promise<void>;

  /**
   * A training job's filters or activations: from its worker between training steps while it
   * runs (or is paused), from the weights it ended with once it is over. Rejects with a
   * `VisualError` saying why when there is nothing to show (a layer without filters, a sample
   * out of range, a run that never started).
   */
  requestVisual(jobId: string, request: VisualRequest): Promise<VisualReply>;

  /**
   * The host's current trained weights, when they fit the document's graph, with what preparing
   * an input as in training needs (the normalisation of the document's dataset and preprocess
   * settings, the class names); null when the host holds no weights for this graph. Rejects
   * with a `DatasetError` when the project normalises and its dataset cannot be opened.
   */
  trainedNetwork(document: ProjectDocument): Promise<TrainedNetwork | null>;
}

/** The methods that are plain request and response (all but the subscriptions). */
export type StudioRequestMethod = Exclude<keyof StudioApi, 'watchJob'>;

/** Each request method, once: the compiler fails when one is added to StudioApi and not here. */
const REQUEST_METHODS: Record<StudioRequestMethod, true> = {
  hello: true,
  listTemplates: true,
  newProject: true,
  openProject: true,
  saveProject: true,
  recentProjects: true,
  autosaveProject: true,
  discardAutosave: true,
  recoverableProjects: true,
  restoreProject: true,
  discardRecoverable: true,
  startTraining: true,
  pauseTraining: true,
  resumeTraining: true,
  stopTraining: true,
  previewDataset: true,
  previewStartFilters: true,
  cancelStartFilters: true,
  requestVisual: true,
  trainedNetwork: true,
};

/** The request methods at run time, for proxies and for checking what arrives. */
export const STUDIO_REQUEST_METHODS = Object.keys(REQUEST_METHODS) as StudioRequestMethod[];

// ---------------------------------------------------------------------------------------------
// The wire format of the Node host's WebSocket (the Electron host uses ipc instead).

/** Renderer → host: a request, or a subscription to a job's events (`watch` / `unwatch`). */
export type ClientMessage =
  | { readonly id: number; readonly method: StudioRequestMethod; readonly params: unknown[] }
  | { readonly id: number; readonly method: 'watchJob' | 'unwatchJob'; readonly params: [jobId: string] };

/**
 * Host → renderer: the answer to request `id`, a job event, or the progress of request `id` (a
 * `previewStartFilters`; its listener stays in the page, the request carries its three arguments).
 */
export type HostMessage =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: SerializedError }
  | { readonly event: 'job'; readonly jobId: string; readonly data: StudioJobEvent }
  | { readonly event: 'start-filters'; readonly id: number; readonly data: StartFiltersProgress };

/** The WebSocket's path on the Node host. */
export const WEBSOCKET_PATH = '/studio';

// ---------------------------------------------------------------------------------------------
// The desktop app's menu commands for the page. The main process sends them to the preload,
// which posts them to the page with `window.postMessage` as a PageMenuMessage; the renderer
// carries each out with the same action as its own buttons (renderer/app/menu-commands.ts).

/** Commands of the application menu that the page carries out. */
export const MENU_COMMANDS = [
  'new',
  'open',
  'save',
  'saveAs',
  'undo',
  'redo',
  'trainStart',
  'trainPause',
  'trainStop',
  'toggleTheme',
  'shortcuts',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** A menu command; `path` comes with `open` and `saveAs` (chosen in a native dialog). */
export interface MenuCommandMessage {
  readonly command: MenuCommand;
  readonly path?: string;
}

/** The `source` of every message the preload posts to the page. */
export const PAGE_MESSAGE_SOURCE = 'cnn-studio';

/** What the page receives as a `message` event's data. */
export interface PageMenuMessage extends MenuCommandMessage {
  readonly source: typeof PAGE_MESSAGE_SOURCE;
  readonly type: 'menu';
}

export const isMenuCommandMessage = (value: unknown): value is MenuCommandMessage => {
  if (typeof value !== 'object' || value === null) return false;
  const { command, path } = value as Record<string, unknown>;
  return (MENU_COMMANDS as readonly unknown[]).includes(command) && (path === undefined || typeof path === 'string');
};

/** Whether a page `message` event's data is a menu command from the preload. */
export const isPageMenuMessage = (value: unknown): value is PageMenuMessage =>
  isMenuCommandMessage(value) &&
  (value as unknown as Record<string, unknown>).source === PAGE_MESSAGE_SOURCE &&
  (value as unknown as Record<string, unknown>).type === 'menu';
