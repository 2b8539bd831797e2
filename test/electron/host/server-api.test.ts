// StudioApi over the Node host's socket, end to end with the real services: projects from
// templates, saving (atomic, weights kept or dropped), opening, recent files, training jobs
// with their event streams and failures, dataset previews, and errors as {name, message}.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type {
  DatasetPreview,
  JobInfo,
  OpenedProject,
  RecentProject,
  SavedProject,
  StudioJobEvent,
  TemplateInfo,
} from '../../../electron/api';
import { ProjectStore } from '../../../electron/services/project/store';
import type { ProjectDocument } from '../../../engine/project/schema';
import { RpcClient, useHostClient } from './server-harness';

const host = useHostClient();

const withConv1Filters = (document: ProjectDocument, filters: number): ProjectDocument => ({
  ...document,
  graph: {
    ...document.graph,
    nodes: document.graph.nodes.map((node) => (node.id === 'conv1' ? { ...node, params: { ...node.params, filters } } : node)),
  },
});

describe('projects', () => {
  it('lists the templates and makes a project from one, in memory', async () => {
    const templates = await host.client.call<TemplateInfo[]>('listTemplates');
    expect(templates.map((template) => template.name)).toContain('lenet5');
    expect(templates.find((template) => template.name === 'lenet5')).toMatchObject({ title: 'LeNet-5', layers: 14 });
    const opened = await host.client.call<OpenedProject>('newProject', 'lenet5');
    expect(opened).toMatchObject({ path: null, hasWeights: false });
    expect(opened.document.dataset).toEqual({ kind: 'mnist' });
    expect(opened.document.graph.nodes).toHaveLength(14);
  });

  it('names the templates when one is unknown', async () => {
    await expect(host.client.call('newProject', 'lenet6')).rejects.toEqual({
      name: 'ProjectError',
      message: expect.stringContaining('lenet5'),
    });
  });

  it('saves atomically, refuses to overwrite a file it never opened, and lists it as recent', async () => {
    const opened = await host.client.call<OpenedProject>('newProject', 'lenet5');
    const path = join(host.harness.folder, 'saved.cnnproj');
    const saved = await host.client.call<SavedProject>('saveProject', path, opened.document);
    expect(saved).toMatchObject({ path, droppedWeights: false, hasWeights: false });
    const reopened = await new ProjectStore().open(path);
    expect(reopened.ok && reopened.project.graph.nodes.length).toBe(14);
    // Another window (socket) has not opened it, so it may not overwrite it.
    const other = await RpcClient.connect(host.harness.server.port);
    await expect(other.call('saveProject', path, opened.document)).rejects.toMatchObject({ name: 'ProjectError' });
    await expect(other.call('saveProject', path, opened.document, { force: true })).resolves.toMatchObject({ path });
    other.close();
    const recent = await host.client.call<RecentProject[]>('recentProjects');
    expect(recent[0]).toMatchObject({ path, name: 'LeNet-5' });
  });

  it('refuses invalid documents and paths that are not project files', async () => {
    const opened = await host.client.call<OpenedProject>('newProject', 'lenet5');
    await expect(host.client.call('saveProject', join(host.harness.folder, 'x.json'), opened.document)).rejects.toMatchObject({
      name: 'ProjectError',
      message: expect.stringContaining('.cnnproj'),
    });
    await expect(host.client.call('saveProject', join(host.harness.folder, 'x.cnnproj'), { kind: 'nonsense' })).rejects.toMatchObject({
      name: 'ProjectError',
    });
    expect(existsSync(join(host.harness.folder, 'x.cnnproj'))).toBe(false);
  });

  it('reports a file that cannot be opened as a ProjectError naming it', async () => {
    const path = join(host.harness.folder, 'missing.cnnproj');
    await expect(host.client.call('openProject', path)).rejects.toEqual({ name: 'ProjectError', message: `${path} does not exist` });
  });
});

describe('training', () => {
  it('trains, streams progress, epochs and a closing event, and keeps the weights for the next save', async () => {
    const opened = await host.client.call<OpenedProject>('newProject', 'lenet5');
    const job = await host.client.call<JobInfo>('startTraining', opened.document, { epochs: 1, batchSize: 16, limit: 128 });
    expect(job).toMatchObject({ runId: 'run-1' });
    expect(job.memoryBytes).toBeGreaterThan(0);
    await host.client.call('watchJob', job.jobId);
    const events = await host.client.finished(job.jobId);
    const types = events.map((event) => event.type);
    expect(types).toContain('started');
    expect(types).toContain('progress');
    expect(types).toContain('epoch');
    expect(events.at(-1)).toMatchObject({
      type: 'finished',
      state: 'completed',
      weightsKept: true,
      run: { id: 'run-1', status: 'completed' },
    });
    // The run records the cost of the graph it trained (LeNet-5: about 0.4 million multiply-adds).
    const run = (events.at(-1) as Extract<StudioJobEvent, { type: 'finished' }>).run!;
    expect(run.multiplyAdds).toBeGreaterThan(100_000);
    expect(run.multiplyAdds).toBeLessThan(10_000_000);

    // A late watcher gets the whole stream again.
    const late = await RpcClient.connect(host.harness.server.port);
    await late.call('watchJob', job.jobId);
    expect((await late.finished(job.jobId)).map((event) => event.type)).toEqual(types);
    late.close();

    const path = join(host.harness.folder, 'trained.cnnproj');
    const saved = await host.client.call<SavedProject>('saveProject', path, opened.document);
    expect(saved).toMatchObject({ hasWeights: true, droppedWeights: false });
    expect(saved.document.runs.map((run) => run.id)).toEqual(['run-1']);
    const store = new ProjectStore();
    const reopened = await store.open(path);
    expect(reopened.ok && reopened.tensors.current?.map((tensor) => tensor.name)).toContain('conv1.weight');

    // An edit that changes conv1's weights' shape: they no longer fit and are dropped; the run stays.
    const edited = await host.client.call<SavedProject>('saveProject', path, withConv1Filters(opened.document, 8));
    expect(edited).toMatchObject({ droppedWeights: true, hasWeights: false });
    const after = await store.open(path);
    expect(after.ok && after.tensors.current).toBeUndefined();
    expect(after.ok && after.project.runs.map((run) => run.id)).toEqual(['run-1']);
  });

  it('reports a failing run with its reason', async () => {
    const opened = await host.client.call<OpenedProject>('newProject', 'lenet5');
    const job = await host.client.call<JobInfo>('startTraining', opened.document, {
      epochs: 1,
      limit: 128,
      learningRate: 1e30,
      optimizer: 'sgd',
    });
    await host.client.call('watchJob', job.jobId);
    const events = await host.client.finished(job.jobId);
    expect(events.find((event) => event.type === 'failed')).toMatchObject({
      kind: 'diverged',
      reason: expect.stringContaining('diverged'),
    });
    expect(events.at(-1)).toMatchObject({ type: 'finished', state: 'failed' });
  });

  it('refuses a graph with errors, bad overrides and unknown jobs', async () => {
    const opened = await host.client.call<OpenedProject>('newProject', 'lenet5');
    const broken = {
      ...opened.document,
      graph: { ...opened.document.graph, edges: opened.document.graph.edges.filter((edge) => edge.target !== 'conv2') },
    };
    await expect(host.client.call('startTraining', broken, {})).rejects.toMatchObject({
      name: 'TrainingError',
      message: expect.stringContaining('fix the graph first'),
    });
    await expect(host.client.call('startTraining', opened.document, { epochs: 0 })).rejects.toMatchObject({ name: 'RequestError' });
    await expect(host.client.call('startTraining', opened.document, { optimizer: 'magic' })).rejects.toMatchObject({
      name: 'RequestError',
    });
    await expect(host.client.call('pauseTraining', 'job-999')).rejects.toMatchObject({ name: 'RequestError' });
    await expect(host.client.call('watchJob', 'job-999')).rejects.toMatchObject({ name: 'RequestError' });
  });
});

describe('datasets', () => {
  it('previews samples of a dataset', async () => {
    const preview = await host.client.call<DatasetPreview>('previewDataset', {
      dataset: { kind: 'shapes', task: 'classify', size: 16, samples: 40 },
      count: 4,
    });
    expect(preview.size).toBe(40);
    expect(preview.sampleShape).toEqual([1, 16, 16]);
    expect(preview.samples).toHaveLength(4);
    expect(preview.samples[0].pixels).toHaveLength(256);
    expect(preview.classes?.length).toBeGreaterThan(1);
    expect(preview.classCounts).toHaveLength(preview.classes!.length);
    expect(preview.classCounts!.reduce((a, b) => a + b, 0)).toBe(40);
  });

  it('reports a dataset that cannot be opened', async () => {
    await expect(
      host.client.call('previewDataset', { dataset: { kind: 'folder', path: 'no-such-folder', size: 28, channels: 1 }, count: 2 }),
    ).rejects.toMatchObject({ name: 'DatasetError', message: expect.stringContaining('no-such-folder') });
  });
});
