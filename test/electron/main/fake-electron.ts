/**
 * A stand-in for the `electron` module, for running the main process (electron/main/index.ts)
 * under plain Node where the Electron binary cannot be had: the APIs it calls, recorded, with
 * MessageChannelMain made of Node's MessageChannel and utilityProcess.fork made of a Node child
 * running the worker's TypeScript entry with a stand-in for `process.parentPort`. It checks our
 * use of Electron's API shapes, not Electron itself.
 */
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';

const ROOT = resolve(import.meta.dirname, '../../..');
const SHIM = join(import.meta.dirname, 'parent-port-shim.mjs');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

type Listener = (...args: never[]) => unknown;

export class FakeWebContents extends EventEmitter {
  private static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly posted: { channel: string; message: unknown; ports: FakePortMain[] }[] = [];
  readonly sent: { channel: string; args: unknown[] }[] = [];
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  postMessage(channel: string, message: unknown, ports: FakePortMain[] = []): void {
    this.posted.push({ channel, message, ports });
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return false;
  }
  getOSProcessId(): number {
    return 5000 + this.id;
  }
  reloads = 0;
  reload(): void {
    this.reloads++;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly all: FakeBrowserWindow[] = [];
  static focused: FakeBrowserWindow | null = null;
  readonly webContents = new FakeWebContents();
  url: string | null = null;
  constructor(readonly options: Record<string, unknown>) {
    super();
    const { x, y, width, height } = options as Record<string, number | undefined>;
    this.bounds = { x: x ?? 100, y: y ?? 100, width: width ?? 800, height: height ?? 600 };
    this.on('closed', () => (this.destroyed = true));
    FakeBrowserWindow.all.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  static getFocusedWindow(): FakeBrowserWindow | null {
    return FakeBrowserWindow.focused;
  }
  /** Set to make the next loadURL fail, as a page that cannot be found does. */
  static nextLoadFailure: string | null = null;
  loadURL(url: string): Promise<void> {
    this.url = url;
    const failure = FakeBrowserWindow.nextLoadFailure;
    FakeBrowserWindow.nextLoadFailure = null;
    return failure ? Promise.reject(new Error(failure)) : Promise.resolve();
  }
  title = '';
  representedFilename = '';
  maximized = false;
  destroyed = false;
  focusCalls = 0;
  /** Where the window is; it starts where it was asked to be, as Electron's does. */
  bounds: { x: number; y: number; width: number; height: number };
  show(): void {}
  focus(): void {
    this.focusCalls++;
  }
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setRepresentedFilename(path: string): void {
    this.representedFilename = path;
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  maximize(): void {
    this.maximized = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('closed');
  }
  /** Closes as Electron does once the page lets it: `close`, then `closed`. */
  close(): void {
    this.emit('close', { preventDefault: () => undefined });
    this.destroyed = true;
    this.emit('closed');
  }
}

/** A message with MessagePorts, as it crosses Node's MessageChannel (which has no ports list). */
interface WithPorts {
  readonly fakeData: unknown;
  readonly fakePorts: MessagePort[];
}

const isWithPorts = (data: unknown): data is WithPorts => typeof data === 'object' && data !== null && 'fakePorts' in data;

/**
 * Electron's MessagePortMain over one end of Node's MessageChannel; it transfers ports as
 * Electron's does, and holds what arrives while nothing listens (as Electron's holds it until
 * the port is started, possibly in another process it is sent to).
 */
export class FakePortMain extends EventEmitter {
  private readonly held: { data: unknown; ports: FakePortMain[] }[] = [];
  constructor(readonly port: MessagePort) {
    super();
    const arrive = (event: { data: unknown; ports: FakePortMain[] }) =>
      this.listenerCount('message') > 0 ? this.emit('message', event) : this.held.push(event);
    port.on('message', (data: unknown) =>
      isWithPorts(data)
        ? arrive({ data: data.fakeData, ports: data.fakePorts.map((each) => new FakePortMain(each)) })
        : arrive({ data, ports: [] }),
    );
    this.on('newListener', (event: string) => {
      if (event === 'message' && this.held.length) queueMicrotask(() => this.held.splice(0).forEach((held) => this.emit('message', held)));
    });
    port.on('close', () => this.emit('close'));
  }
  postMessage(message: unknown, transfer: FakePortMain[] = []): void {
    if (transfer.length === 0) return this.port.postMessage(message);
    const ports = transfer.map((each) => each.port);
    this.port.postMessage({ fakeData: message, fakePorts: ports } satisfies WithPorts, ports);
  }
  start(): void {}
  close(): void {
    this.port.close();
  }
}

class FakeMessageChannelMain {
  readonly port1: FakePortMain;
  readonly port2: FakePortMain;
  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port1 = new FakePortMain(port1);
    this.port2 = new FakePortMain(port2);
  }
}

let nextPortId = 0;

/** The TypeScript entry of each bundled utility-process program. */
const UTILITY_ENTRIES: Record<string, string> = {
  'worker.mjs': join(ROOT, 'electron', 'worker', 'utility-entry.ts'),
  'data-server.mjs': join(ROOT, 'electron', 'worker', 'data-entry.ts'),
};

/**
 * A Node child shaped like Electron's UtilityProcess, running the TypeScript entry of the program
 * asked for. A MessagePortMain transferred to it stays here and stands in for the child's end:
 * what the child posts on its stand-in (parent-port-shim.mjs) is posted on this port, to the
 * window's end, and what arrives on this port is delivered to the stand-in.
 */
class FakeUtilityProcess extends EventEmitter {
  private readonly ports = new Map<number, FakePortMain>();
  private readonly child;
  readonly stderr;
  constructor(modulePath: string) {
    super();
    const entry = UTILITY_ENTRIES[basename(modulePath)];
    if (!entry) throw new Error(`the stand-in has no entry for ${modulePath}`);
    this.child = fork(SHIM, [entry], {
      execArgv: ['--import', TSX],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    this.stderr = this.child.stderr;
    this.child.on('message', (message: Record<string, unknown>) => {
      if (typeof message.fakePortMessage === 'number') this.ports.get(message.fakePortMessage)?.postMessage(message.data);
      else if (typeof message.fakePortClose === 'number') this.ports.get(message.fakePortClose)?.close();
      else this.emit('message', message);
    });
    this.child.on('exit', (code) => this.emit('exit', code ?? 1));
  }
  get pid(): number | undefined {
    return this.child.pid;
  }
  postMessage(message: unknown, transfer: FakePortMain[] = []): void {
    if (transfer.length === 0) return void this.child.send(message as object);
    const portIds = transfer.map((port) => {
      const id = nextPortId++;
      this.ports.set(id, port);
      port.on('close', () => {
        this.ports.delete(id);
        this.tell({ fakePortClosed: id });
      });
      port.on('message', ({ data }: { data: unknown }) => {
        this.tell({ fakePortDeliver: id, data });
      });
      return id;
    });
    this.child.send({ fakePortsFor: message, portIds });
  }
  kill(): boolean {
    return this.child.kill();
  }
  /** About a port, while the child is there: it may have just been killed, so a failed send is no error. */
  private tell(message: object): void {
    if (this.child.connected) this.child.send(message, () => undefined);
  }
}

const userData = mkdtempSync(join(tmpdir(), 'cnn-studio-fake-electron-'));

export const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  name: 'Electron',
  paths: {} as Record<string, string>,
  quitCalls: 0,
  sandboxed: false,
  enableSandbox() {
    this.sandboxed = true;
  },
  setName(name: string) {
    this.name = name;
  },
  setPath(name: string, path: string) {
    this.paths[name] = path;
  },
  getPath(name: string) {
    return this.paths[name] ?? join(userData, name);
  },
  getVersion: () => '41.7.1',
  commandLine: {
    switches: [] as string[],
    appendSwitch(name: string) {
      this.switches.push(name);
    },
  },
  setAppLogsPath(path?: string) {
    this.paths.logs = path ?? join(this.getPath('userData'), 'logs');
  },
  recentDocuments: [] as string[],
  addRecentDocument(path: string) {
    this.recentDocuments.push(path);
  },
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  quit() {
    this.quitCalls++;
  },
  exit(code: number) {
    throw new Error(`app.exit(${code})`);
  },
});

export const protocol = {
  privileged: [] as unknown[],
  registerSchemesAsPrivileged: (schemes: unknown[]) => protocol.privileged.push(...schemes),
};

export const session = {
  defaultSession: {
    protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
    permissionRequestHandler: null as Listener | null,
    permissionCheckHandler: null as Listener | null,
    headersHandler: null as Listener | null,
    protocol: {
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) =>
        session.defaultSession.protocolHandlers.set(scheme, handler),
    },
    setPermissionRequestHandler: (handler: Listener) => (session.defaultSession.permissionRequestHandler = handler),
    setPermissionCheckHandler: (handler: Listener) => (session.defaultSession.permissionCheckHandler = handler),
    webRequest: { onHeadersReceived: (handler: Listener) => (session.defaultSession.headersHandler = handler) },
  },
};

export const ipcMain = {
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  handle(channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  },
};

export const Menu = {
  current: null as unknown,
  buildFromTemplate: (template: unknown[]) => ({ template }),
  setApplicationMenu: (menu: unknown) => (Menu.current = menu),
};

export const dialog = {
  /** The button each next message box answers with (cancel, 0, when none is queued). */
  messageBoxAnswers: [] as number[],
  messageBoxes: [] as Record<string, unknown>[],
  errorBoxes: [] as { title: string; content: string }[],
  showMessageBoxSync(_window: unknown, options: Record<string, unknown>) {
    dialog.messageBoxes.push(options);
    return dialog.messageBoxAnswers.shift() ?? 0;
  },
  showErrorBox: (title: string, content: string) => void dialog.errorBoxes.push({ title, content }),
  nextOpen: [] as string[],
  nextSave: undefined as string | undefined,
  showOpenDialog: async () => ({ canceled: dialog.nextOpen.length === 0, filePaths: dialog.nextOpen }),
  showSaveDialog: async () => ({ canceled: dialog.nextSave === undefined, filePath: dialog.nextSave }),
};

export const shell = {
  opened: [] as string[],
  openedPaths: [] as string[],
  openExternal: async (url: string) => void shell.opened.push(url),
  openPath: async (path: string) => {
    shell.openedPaths.push(path);
    return '';
  },
};

export const screen = {
  displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
  getAllDisplays: () => screen.displays,
};

export const utilityProcess = {
  forks: [] as { modulePath: string; options: Record<string, unknown> }[],
  children: [] as FakeUtilityProcess[],
  fork(modulePath: string, _args: string[], options: Record<string, unknown>) {
    utilityProcess.forks.push({ modulePath, options });
    const child = new FakeUtilityProcess(modulePath);
    utilityProcess.children.push(child);
    return child;
  },
};

export const BrowserWindow = FakeBrowserWindow;
export const MessageChannelMain = FakeMessageChannelMain;
