// The IPC surface: one channel per StudioApi method (from the contract's runtime list), the
// messages the preload trusts, and the generic dispatch to a window's DesktopSession.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STUDIO_REQUEST_METHODS, type StudioApi } from '../../../electron/api';
import {
  CHANNEL_PREFIX,
  INVOKE_CHANNELS,
  JOB_PORT_CHANNEL,
  MENU_CHANNEL,
  channelOf,
  isInvokeChannel,
  isMenuCommandMessage,
  isNonce,
} from '../../../electron/main/channels';
import { DesktopSession, dispatchRequest } from '../../../electron/main/desktop-session';
import { RecentProjects } from '../../../electron/host/server/recent';
import { TrainingJobs } from '../../../electron/host/server/training-jobs';
import { JobManager } from '../../../electron/services/jobs/job-manager';
import { RecoveryStore } from '../../../electron/services/recovery/recovery-store';
import type { WorkerHost } from '../../../electron/services/jobs/worker-host';

describe('the IPC channels', () => {
  it('are one per request method plus the job stream’s two, all studio:-prefixed and distinct', () => {
    expect(INVOKE_CHANNELS).toEqual([
      ...STUDIO_REQUEST_METHODS.map((method) => `studio:${method}`),
      'studio:watchJob',
      'studio:unwatchJob',
    ]);
    expect(new Set(INVOKE_CHANNELS).size).toBe(INVOKE_CHANNELS.length);
    for (const channel of [...INVOKE_CHANNELS, JOB_PORT_CHANNEL, MENU_CHANNEL]) expect(channel.startsWith(CHANNEL_PREFIX)).toBe(true);
    expect(INVOKE_CHANNELS).not.toContain(JOB_PORT_CHANNEL);
    expect(INVOKE_CHANNELS).not.toContain(MENU_CHANNEL);
  });

  it('cover every method of StudioApi, watchJob included', () => {
    const session = new DesktopSession(services());
    const methods = new Set<string>();
    for (let proto = Object.getPrototypeOf(session); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto))
      for (const name of Object.getOwnPropertyNames(proto)) methods.add(name);
    for (const method of [...STUDIO_REQUEST_METHODS, 'watchJob']) expect(methods.has(method)).toBe(true);
    expect(isInvokeChannel(channelOf('hello'))).toBe(true);
    expect(isInvokeChannel('studio:dispose')).toBe(false);
    expect(isInvokeChannel('hello')).toBe(false);
    expect(isInvokeChannel(42)).toBe(false);
  });

  it('accept only well-formed nonces and menu commands', () => {
    expect(isNonce('0123456789abcdef0123456789abcdef')).toBe(true);
    for (const bad of ['0123', '0123456789ABCDEF0123456789ABCDEF', `${'a'.repeat(32)}\n`, 7, null]) expect(isNonce(bad)).toBe(false);
    expect(isMenuCommandMessage({ command: 'save' })).toBe(true);
    expect(isMenuCommandMessage({ command: 'open', path: '/home/me/a.cnnproj' })).toBe(true);
    expect(isMenuCommandMessage({ command: 'format-disk' })).toBe(false);
    expect(isMenuCommandMessage({ command: 'open', path: 7 })).toBe(false);
    expect(isMenuCommandMessage('save')).toBe(false);
  });
});

const noWorkers: WorkerHost = {
  spawn: () => {
    throw new Error('no worker in this test');
  },
};

function services() {
  return {
    jobs: new TrainingJobs(new JobManager(noWorkers, { maxConcurrent: 1 })),
    recent: new RecentProjects(mkdtempSync(join(tmpdir(), 'cnn-studio-recent-'))),
    recovery: new RecoveryStore(mkdtempSync(join(tmpdir(), 'cnn-studio-recovery-'))),
    application: 'CNN Studio test',
    defaultFolder: tmpdir(),
  };
}

describe('dispatching a request to a window’s session', () => {
  it('says it is the Electron host, in the contract’s version', async () => {
    const answer = await dispatchRequest(new DesktopSession(services()), 'hello', []);
    expect(answer).toEqual({
      ok: true,
      value: expect.objectContaining({ host: 'electron', apiVersion: 5, application: 'CNN Studio test' }),
    });
  });

  it('runs a method with checked arguments and answers its value (undefined as null)', async () => {
    const session = new DesktopSession(services());
    const templates = await dispatchRequest(session, 'listTemplates', []);
    expect(templates.ok && (templates.value as { name: string }[]).map((t) => t.name)).toContain('lenet5');
    const created = await dispatchRequest(session, 'newProject', ['lenet5']);
    expect(created.ok).toBe(true);
    expect(session.projectPath).toBeNull();
  });

  it('remembers the path of a saved project, for the Save As dialog', async () => {
    const session = new DesktopSession(services());
    const created = await session.newProject('lenet5');
    const path = join(mkdtempSync(join(tmpdir(), 'cnn-studio-save-')), 'net.cnnproj');
    const saved = await dispatchRequest(session, 'saveProject', [path, created.document]);
    expect(saved).toEqual({ ok: true, value: expect.objectContaining({ path }) });
    expect(session.projectPath).toBe(path);
  });

  it('refuses unknown methods and bad arguments as RequestErrors, without calling anything', async () => {
    const calls: string[] = [];
    const api = new Proxy({} as StudioApi, { get: (_target, name) => () => calls.push(String(name)) });
    expect(await dispatchRequest(api, 'dispose', [])).toEqual({
      ok: false,
      error: { name: 'RequestError', message: "there is no method 'dispose'" },
    });
    expect(await dispatchRequest(api, 'watchJob', ['job-1'])).toMatchObject({ ok: false, error: { name: 'RequestError' } });
    expect(await dispatchRequest(api, 'openProject', [42])).toEqual({
      ok: false,
      error: { name: 'RequestError', message: 'the path must be non-empty text' },
    });
    expect(await dispatchRequest(api, 'hello', ['extra'])).toMatchObject({
      ok: false,
      error: { message: 'hello takes 0 arguments, not 1' },
    });
    expect(await dispatchRequest(api, 'startTraining', [{}, { backend: 'tpu' }])).toMatchObject({
      ok: false,
      error: { name: 'RequestError', message: 'the backend must be one of auto, cpu, webgpu, not "tpu"' },
    });
    expect(calls).toEqual([]);
  });

  it('answers the services’ errors with their titles, and hides a bug’s details behind InternalError', async () => {
    const session = new DesktopSession(services());
    expect(await dispatchRequest(session, 'newProject', ['no-such-template'])).toMatchObject({
      ok: false,
      error: { name: 'ProjectError', message: expect.stringContaining("there is no template 'no-such-template'") },
    });
    const logged: string[] = [];
    const broken = { hello: () => Promise.reject(new TypeError('boom')) } as unknown as StudioApi;
    expect(await dispatchRequest(broken, 'hello', [], (line) => logged.push(line))).toEqual({
      ok: false,
      error: { name: 'InternalError', message: 'something went wrong in the CNN Studio host: boom' },
    });
    expect(logged[0]).toMatch(/^hello failed: TypeError: boom/);
  });
});
