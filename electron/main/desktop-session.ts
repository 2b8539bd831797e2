/**
 * One window's StudioApi in the desktop app: the Node host's WindowSession (reused as it is), which
 * says it is the Electron host, remembers its project and its file (for the native dialogs, the
 * title and the OS's recent documents, through `onProjectFile`) and the jobs it started (for the
 * question asked when the window closes); and
 * the generic dispatch of one IPC request to it, with the same argument checks and error values as
 * the Node host's WebSocket (electron/host/server/socket-window.ts). No electron import.
 */
import {
  STUDIO_REQUEST_METHODS,
  type HostInfo,
  type JobInfo,
  type JobState,
  type TrainingOverrides,
  type OpenedProject,
  type SavedProject,
  type SaveOptions,
  type StudioApi,
  type StudioRequestMethod,
} from '../api';
import type { ProjectDocument } from '../../engine/project/schema';
import { ARGUMENT_CHECKS } from '../host/server/arguments';
import { RequestError, serializeError } from '../host/server/errors';
import { WindowSession, type HostServices } from '../host/server/window-session';
import type { Envelope } from './channels';

const ACTIVE: readonly JobState[] = ['queued', 'running', 'paused'];

export class DesktopSession extends WindowSession {
  /** The project's file, once opened or saved (null for a new project); for dialogs and titles. */
  projectPath: string | null = null;
  /** The project's name, once one is open or made (null on the start page). */
  projectName: string | null = null;
  private readonly started: string[] = [];

  /** `onProjectFile` hears of every file opened or saved here. */
  constructor(
    private readonly jobServices: HostServices,
    private readonly onProjectFile: (path: string, name: string) => void = () => {},
  ) {
    super(jobServices);
  }

  override async hello(): Promise<HostInfo> {
    return { ...(await super.hello()), host: 'electron' };
  }

  override async newProject(template: string): Promise<OpenedProject> {
    const opened = await super.newProject(template);
    this.projectPath = opened.path;
    this.projectName = opened.document.name;
    return opened;
  }

  override async openProject(path: string): Promise<OpenedProject> {
    const opened = await super.openProject(path);
    this.projectPath = opened.path;
    this.projectName = opened.document.name;
    if (opened.path) this.onProjectFile(opened.path, opened.document.name);
    return opened;
  }

  override async restoreProject(id: string): Promise<OpenedProject> {
    const opened = await super.restoreProject(id);
    this.projectPath = opened.path;
    return opened;
  }

  override async saveProject(path: string, document: ProjectDocument, options?: SaveOptions): Promise<SavedProject> {
    const saved = await super.saveProject(path, document, options);
    this.projectPath = saved.path;
    this.projectName = saved.document.name;
    if (saved.path) this.onProjectFile(saved.path, saved.document.name);
    return saved;
  }

  override async startTraining(document: ProjectDocument, overrides: TrainingOverrides): Promise<JobInfo> {
    const info = await super.startTraining(document, overrides);
    this.started.push(info.jobId);
    return info;
  }

  /** The jobs this window started that are still queued, running or paused. */
  runningJobs(): string[] {
    return this.started.filter((jobId) => {
      try {
        return ACTIVE.includes(this.jobServices.jobs.state(jobId));
      } catch {
        return false;
      }
    });
  }

  /** Stops every job this window started (it closes and the person chose to stop them). */
  stopJobs(): void {
    for (const jobId of this.runningJobs()) this.jobServices.jobs.stop(jobId);
  }
}

const METHODS = new Set<string>(STUDIO_REQUEST_METHODS);

/**
 * Runs one request method with arguments that arrived over IPC (checked here: types vanish at run
 * time) and answers an Envelope; never throws. Bugs (InternalError) are told to `log`. `local`
 * are arguments made in main, after the checked ones (a `previewStartFilters`'s progress listener).
 */
export const dispatchRequest = async (
  api: StudioApi,
  method: string,
  params: unknown[],
  log: (line: string) => void = () => {},
  local: unknown[] = [],
): Promise<Envelope> => {
  try {
    if (!METHODS.has(method)) throw new RequestError(`there is no method '${method}'`);
    const name = method as StudioRequestMethod;
    const args = [...ARGUMENT_CHECKS[name](params), ...local];
    const call = api[name] as (...values: unknown[]) => Promise<unknown>;
    const value = await call.apply(api, args);
    return { ok: true, value: value === undefined ? null : value };
  } catch (error) {
    const serialized = serializeError(error);
    if (serialized.name === 'InternalError') log(`${method} failed: ${error instanceof Error ? error.stack : String(error)}`);
    return { ok: false, error: serialized };
  }
};
