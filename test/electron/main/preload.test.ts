// The preload (electron/preload/index.ts) against a stand-in for electron's contextBridge and
// ipcRenderer: what it exposes, how requests and errors cross, how a job stream's port is
// matched by its nonce, how a filter preview's progress reaches its listener by nonce, and how
// menu commands reach the page.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { STUDIO_REQUEST_METHODS, type StartFiltersProgress, type StudioApi, type StudioJobEvent } from '../../../electron/api';
import { JOB_PORT_CHANNEL, MENU_CHANNEL, START_FILTERS_PROGRESS_CHANNEL, type Envelope } from '../../../electron/main/channels';

type Handler = (event: { ports: FakePort[] }, ...args: unknown[]) => void;

class FakePort {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  closed = false;
  close(): void {
    this.closed = true;
  }
}

const bridge = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  listeners: new Map<string, (...args: never[]) => void>(),
  invoked: [] as { channel: string; args: unknown[] }[],
  answer: (_channel: string, _args: unknown[]): unknown => ({ ok: true, value: null }),
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, api: unknown) => bridge.exposed.set(name, api) },
  ipcRenderer: {
    invoke: async (channel: string, ...args: unknown[]) => {
      bridge.invoked.push({ channel, args });
      return bridge.answer(channel, args);
    },
    on: (channel: string, listener: (...args: never[]) => void) => bridge.listeners.set(channel, listener),
  },
}));

const pagePosts: unknown[] = [];
let studio: StudioApi;

beforeAll(async () => {
  (globalThis as unknown as { postMessage: (message: unknown) => void }).postMessage = (message) => pagePosts.push(message);
  await import('../../../electron/preload/index');
  studio = bridge.exposed.get('studio') as StudioApi;
});

const deliver = (channel: string, info: unknown, ports: FakePort[] = []) =>
  (bridge.listeners.get(channel) as unknown as Handler)({ ports }, info);

describe('the preload', () => {
  it('exposes window.studio alone, with every StudioApi method', () => {
    expect([...bridge.exposed.keys()]).toEqual(['studio']);
    expect(Object.keys(studio).sort()).toEqual([...STUDIO_REQUEST_METHODS, 'watchJob'].sort());
  });

  it('invokes each method on its studio: channel, and rethrows errors with their title', async () => {
    bridge.answer = (channel) =>
      channel === 'studio:hello'
        ? ({ ok: true, value: { host: 'electron' } } satisfies Envelope)
        : ({ ok: false, error: { name: 'ProjectError', message: 'no such file' } } satisfies Envelope);
    await expect(studio.hello()).resolves.toEqual({ host: 'electron' });
    const failure = await studio.openProject('/nowhere.cnnproj').catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ name: 'ProjectError', message: 'no such file' });
    expect(bridge.invoked.slice(-2)).toEqual([
      { channel: 'studio:hello', args: [] },
      { channel: 'studio:openProject', args: ['/nowhere.cnnproj'] },
    ]);
  });

  it("streams a job from the two ports (main's and the worker's) that carry its nonce, and closes them on unsubscribe", async () => {
    const port = new FakePort();
    const workerPort = new FakePort();
    const stranger = new FakePort();
    bridge.answer = (channel, args) => {
      if (channel === 'studio:watchJob') {
        deliver(JOB_PORT_CHANNEL, { jobId: args[0], nonce: 'f'.repeat(32) }, [stranger]);
        deliver(JOB_PORT_CHANNEL, { jobId: args[0], nonce: args[1] }, [port, workerPort]);
      }
      return { ok: true, value: null };
    };
    const events: StudioJobEvent[] = [];
    const unsubscribe = await studio.watchJob('job-1', (event) => events.push(event));
    const [jobId, nonce] = bridge.invoked.at(-1)!.args as [string, string];
    expect(jobId).toBe('job-1');
    expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(stranger.closed).toBe(true);
    port.onmessage!({ data: { type: 'state', state: 'running' } });
    workerPort.onmessage!({ data: { type: 'epoch', summary: { epoch: 1 } } });
    expect(events).toEqual([
      { type: 'state', state: 'running' },
      { type: 'epoch', summary: { epoch: 1 } },
    ]);
    unsubscribe();
    unsubscribe();
    expect(port.closed).toBe(true);
    expect(workerPort.closed).toBe(true);
    expect(bridge.invoked.filter((call) => call.channel === 'studio:unwatchJob')).toEqual([
      { channel: 'studio:unwatchJob', args: [nonce] },
    ]);
  });

  it('closes ports that come three at a time, and keeps waiting for its own', async () => {
    const ports = [new FakePort(), new FakePort(), new FakePort()];
    const good = new FakePort();
    bridge.answer = (channel, args) => {
      if (channel === 'studio:watchJob') {
        deliver(JOB_PORT_CHANNEL, { jobId: args[0], nonce: args[1] }, ports);
        deliver(JOB_PORT_CHANNEL, { jobId: args[0], nonce: args[1] }, [good]);
      }
      return { ok: true, value: null };
    };
    const unsubscribe = await studio.watchJob('job-2', () => {});
    expect(ports.map((port) => port.closed)).toEqual([true, true, true]);
    expect(good.onmessage).toBeTypeOf('function');
    unsubscribe();
  });

  it('gives up the port when main refuses the stream', async () => {
    bridge.answer = () => ({ ok: false, error: { name: 'RequestError', message: "there is no training job 'job-9'" } });
    await expect(studio.watchJob('job-9', () => {})).rejects.toThrow("there is no training job 'job-9'");
    const late = new FakePort();
    deliver(JOB_PORT_CHANNEL, { jobId: 'job-9', nonce: bridge.invoked.at(-1)!.args[1] }, [late]);
    expect(late.closed).toBe(true);
  });

  it("hands a filter preview's progress to its listener by the nonce it sent, until the answer", async () => {
    let answer: (envelope: Envelope) => void = () => {};
    bridge.answer = () => new Promise((resolve) => (answer = resolve));
    const heard: StartFiltersProgress[] = [];
    const document = { name: 'p' } as never;
    const preview = studio.previewStartFilters(document, 'conv1', { limit: 5 }, (progress) => heard.push(progress));
    const sent = bridge.invoked.at(-1)!;
    expect(sent.channel).toBe('studio:previewStartFilters');
    expect(sent.args.slice(0, 3)).toEqual([document, 'conv1', { limit: 5 }]);
    const nonce = sent.args[3] as string;
    expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    deliver(START_FILTERS_PROGRESS_CHANNEL, { nonce, progress: { stage: 'kmeans', fraction: 0.5 } });
    deliver(START_FILTERS_PROGRESS_CHANNEL, { nonce: 'f'.repeat(32), progress: { stage: 'kmeans', fraction: 0.7 } });
    answer({ ok: true, value: { images: 5 } });
    await expect(preview).resolves.toEqual({ images: 5 });
    deliver(START_FILTERS_PROGRESS_CHANNEL, { nonce, progress: { stage: 'kmeans', fraction: 1 } });
    expect(heard).toEqual([{ stage: 'kmeans', fraction: 0.5 }]);

    // without a listener, no nonce goes
    bridge.answer = () => ({ ok: true, value: null });
    await studio.previewStartFilters(document, 'conv1', {});
    expect(bridge.invoked.at(-1)!.args).toHaveLength(3);
  });

  it('posts valid menu commands to the page, and nothing else', () => {
    deliver(MENU_CHANNEL, { command: 'saveAs', path: '/home/me/net.cnnproj' });
    deliver(MENU_CHANNEL, { command: 'rm -rf' });
    deliver(MENU_CHANNEL, 'save');
    expect(pagePosts).toEqual([{ source: 'cnn-studio', type: 'menu', command: 'saveAs', path: '/home/me/net.cnnproj' }]);
  });
});
