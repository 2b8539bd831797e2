// The desktop app's bundles (build/build-electron.mjs), checked without Electron: the preload
// requires nothing but electron; the main bundle loads electron only as an external; and the
// training worker bundle, run with a stand-in for `process.parentPort`, trains a real job for the
// job manager through the UtilityWorker handle; the filter preview's thread bundle, run in a
// worker_threads thread as the host runs it, previews k-means filters with progress.
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTemplate } from '../../../engine/graph/templates';
import { newProject } from '../../../engine/project/schema';
import type { StartFiltersTask, StartFiltersThreadMessage } from '../../../electron/worker/start-filters-thread';
import { UtilityWorker, type UtilityChild } from '../../../electron/main/utility-worker';
import { JobManager, type JobEvent, type JobRequest } from '../../../electron/services/jobs/job-manager';
import type { WorkerHost } from '../../../electron/services/jobs/worker-host';

const ROOT = resolve(import.meta.dirname, '../../..');
// Inside the repository, so the bundles' external dependencies resolve from its node_modules.
const OUT = join(ROOT, '.tmp', `electron-bundles-${process.pid}`);
const SHIM = join(import.meta.dirname, 'parent-port-shim.mjs');

beforeAll(async () => {
  const { buildElectron } = await import('../../../build/build-electron.mjs');
  await buildElectron({ outDir: OUT });
}, 120_000);

afterAll(() => {
  for (const child of children) child.kill();
  rmSync(OUT, { recursive: true, force: true });
});

describe('the bundles', () => {
  it('give the hidden GPU window a preload that requires only electron and exposes nothing', () => {
    const preload = readFileSync(join(OUT, 'preload', 'gpu.cjs'), 'utf8');
    expect([...preload.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1])).toEqual(['electron']);
    expect(preload).toContain('studio:gpu-port');
    expect(preload).not.toContain('exposeInMainWorld');
  });

  it('give the sandboxed preload no require but electron', () => {
    const preload = readFileSync(join(OUT, 'preload', 'index.cjs'), 'utf8');
    expect([...preload.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1])).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld("studio"');
    expect(preload).not.toMatch(/\bimport\s/);
  });

  it('keep electron external in the main bundle, and the worker and the data server free of it', () => {
    const main = readFileSync(join(OUT, 'main', 'index.mjs'), 'utf8');
    expect(main).toMatch(/from "electron"/);
    const worker = readFileSync(join(OUT, 'main', 'worker.mjs'), 'utf8');
    expect(worker).not.toMatch(/from "electron"/);
    const dataServer = readFileSync(join(OUT, 'main', 'data-server.mjs'), 'utf8');
    expect(dataServer).not.toMatch(/from "electron"/);
    expect(dataServer).toContain('the data server runs in an Electron utility process');
  });

  it('ship the filter preview thread beside main, free of electron, and it previews k-means filters with progress', async () => {
    const program = join(OUT, 'main', 'start-filters.mjs');
    expect(readFileSync(program, 'utf8')).not.toMatch(/from "electron"/);
    const project = newProject(findTemplate('lenet5')!.build(), { dataset: { kind: 'mnist' } });
    const task: StartFiltersTask = {
      project: { ...project, training: { ...project.training, filters: { conv1: { start: { kind: 'kmeans' } } } } },
      overrides: { limit: 100 },
      nodeId: 'conv1',
      baseFolder: ROOT,
    };
    const messages: StartFiltersThreadMessage[] = [];
    const thread = new Worker(program, { workerData: task });
    thread.on('message', (message: StartFiltersThreadMessage) => messages.push(message));
    await new Promise((ended) => thread.once('exit', ended));
    expect(messages.at(-1)).toMatchObject({ type: 'done', preview: { images: 100, tensor: { shape: [6, 1, 5, 5] } } });
    expect(messages.at(-2)).toEqual({ type: 'progress', progress: { stage: 'kmeans', fraction: 1 } });
  }, 60_000);
});

/** A Node child process running the worker bundle, shaped like Electron's UtilityProcess. */
class NodeUtilityChild extends EventEmitter implements UtilityChild {
  private readonly child = fork(SHIM, [join(OUT, 'main', 'worker.mjs')], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  readonly stderr = this.child.stderr;

  constructor() {
    super();
    this.child.on('message', (message) => this.emit('message', message));
    this.child.on('exit', (code) => this.emit('exit', code ?? 1));
  }
  get pid() {
    return this.child.pid;
  }
  postMessage(message: unknown): void {
    this.child.send(message as object);
  }
  kill(): boolean {
    return this.child.kill();
  }
}

const children: NodeUtilityChild[] = [];
const host: WorkerHost = {
  spawn: () => {
    const child = new NodeUtilityChild();
    children.push(child);
    return new UtilityWorker(child, { settleMs: 5 });
  },
};

const request = (backend: JobRequest['backend']): JobRequest => ({
  graph: findTemplate('lenet5')!.build(),
  dataset: { kind: 'mnist' },
  baseFolder: ROOT,
  limit: 128,
  training: { epochs: 1, batchSize: 32, learningRate: 0.003, optimizer: { kind: 'adam' }, seed: 1 },
  backend,
  progressIntervalMs: 10,
});

describe('the training worker bundle in a (stand-in) utility process', () => {
  it('trains a job to the end on the CPU when asked for auto, saying why, and exits normally', async () => {
    const manager = new JobManager(host, { maxConcurrent: 1 });
    const job = manager.submit(request('auto'));
    const events: JobEvent[] = [];
    job.subscribe((event) => events.push(event));
    const exited = new Promise((resolve) => {
      const wait = () => (job.worker ? job.worker.onExit(resolve) : setTimeout(wait, 5));
      wait();
    });
    await job.whenEnded();
    expect(job.state).toBe('completed');
    expect(events.find((event) => event.type === 'started')).toMatchObject({
      backend: 'cpu',
      backendReason: expect.stringContaining('CPU'),
    });
    expect(job.finalWeights!.map(([name]) => name)).toContain('conv1.weight');
    expect(await exited).toMatchObject({ reason: 'normal' });
  });

  it('fails a WebGPU job with the reason and what to do instead', async () => {
    const manager = new JobManager(host, { maxConcurrent: 1 });
    const job = manager.submit(request('webgpu'));
    await job.whenEnded();
    expect(job.state).toBe('failed');
    expect(job.failure!.reason).toMatch(
      /a utility process has no WebGPU: the desktop app trains WebGPU jobs in its GPU window.*choose the CPU backend/,
    );
  });
});
