// The worker's `visual` requests in real worker processes (JobManager + ForkWorkerHost) on MNIST:
// filters and activations asked for while LeNet-5 trains, checked against the checkpoint they
// started from and against a convolution computed here; filters pushed while watched; refusals.
import { describe, expect, it } from 'vitest';
import { JobManager, type Job, type JobEvent } from '../../../electron/services/jobs/job-manager';
import { ForkWorkerHost } from '../../../electron/services/jobs/worker-host';
import { ProtocolError, validateHostMessage, type CheckpointMessage } from '../../../electron/worker/protocol';
import type { VisualReplyMessage } from '../../../electron/worker/visual-protocol';
import { askVisual, lenetRequest, nextEvent, PausedHost } from './visual-jobs';

const snapshot = async (job: Job, tensor: string): Promise<Float32Array> => {
  const reply = nextEvent(job, (event) => event.type === 'snapshot' && event.tensor === tensor);
  job.worker!.send({ type: 'snapshot', requestId: 999, tensor });
  return ((await reply) as Extract<JobEvent, { type: 'snapshot' }>).values!;
};

const weightOf = (checkpoint: CheckpointMessage, name: string): Float32Array => checkpoint.weights.find(([n]) => n === name)![1];

/** LeNet's conv1 by hand: 5×5, padding 2, one input channel, 28×28. */
const conv1 = (input: Float32Array, weight: Float32Array, bias: Float32Array): Float32Array => {
  const out = new Float32Array(6 * 28 * 28);
  for (let f = 0; f < 6; f++)
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        let sum = bias[f];
        for (let i = 0; i < 5; i++)
          for (let j = 0; j < 5; j++) {
            const yy = y + i - 2;
            const xx = x + j - 2;
            if (yy >= 0 && yy < 28 && xx >= 0 && xx < 28) sum += weight[f * 25 + i * 5 + j] * input[yy * 28 + xx];
          }
        out[(f * 28 + y) * 28 + x] = sum;
      }
  return out;
};

describe('visual requests to a training worker', () => {
  it('answers with the checkpoint weights while paused, and activations that agree with them', async () => {
    const first = new JobManager(new ForkWorkerHost(), { maxConcurrent: 1 }).submit(lenetRequest(1, 256));
    await first.whenEnded();
    const checkpoint = first.lastCheckpoint!;
    expect(checkpoint.epoch).toBe(1);

    const job = new JobManager(new PausedHost(), { maxConcurrent: 1 }).submit({ ...lenetRequest(2, 256), resume: checkpoint });
    await nextEvent(job, (event) => event.type === 'started');
    expect(job.state).toBe('paused');
    const filters = await askVisual(job, { kind: 'filters', nodeId: 'conv1' });
    expect(filters.error).toBeUndefined();
    // Epoch 2 has begun (its first step not yet taken).
    expect(filters).toMatchObject({ kind: 'filters', epoch: 2, globalStep: checkpoint.globalStep });
    expect(filters.tensors.map(({ nodeId, name, shape }) => ({ nodeId, name, shape }))).toEqual([
      { nodeId: 'conv1', name: 'conv1.weight', shape: [6, 1, 5, 5] },
    ]);
    expect(filters.tensors[0].values).toEqual(weightOf(checkpoint, 'conv1.weight'));
    const conv2 = await askVisual(job, { kind: 'filters', nodeId: 'conv2' });
    expect(conv2.tensors[0].shape).toEqual([16, 6, 5, 5]);
    expect(conv2.tensors[0].values).toEqual(weightOf(checkpoint, 'conv2.weight'));

    const all = await askVisual(job, { kind: 'activations', sample: 7 });
    expect(all.tensors.map((t) => [t.nodeId, t.shape.join('×')])).toEqual([
      ['conv1', '6×28×28'],
      ['relu1', '6×28×28'],
      ['pool1', '6×14×14'],
      ['conv2', '16×10×10'],
      ['relu2', '16×10×10'],
      ['pool2', '16×5×5'],
    ]);
    const sample = all.sample!;
    expect(sample).toMatchObject({ index: 7, subset: 'validation', count: Math.ceil(256 / 6) });
    expect(sample.label).toBeGreaterThanOrEqual(0);
    expect(sample.label).toBeLessThan(10);
    expect(sample.input.shape).toEqual([1, 28, 28]);
    expect(sample.output).toMatchObject({ nodeId: 'output', shape: [10] });
    expect(Math.max(...sample.input.values)).toBeLessThanOrEqual(1);

    const [c1, r1, p1] = all.tensors.map((t) => t.values);
    const expected = conv1(sample.input.values, filters.tensors[0].values, await snapshot(job, 'conv1.bias'));
    for (let i = 0; i < c1.length; i++) expect(Math.abs(c1[i] - expected[i])).toBeLessThan(1e-4);
    expect(r1).toEqual(c1.map((v) => Math.max(v, 0)));
    for (let c = 0; c < 6; c++)
      for (let y = 0; y < 14; y++)
        for (let x = 0; x < 14; x++) {
          const at = (yy: number, xx: number) => r1[(c * 28 + yy) * 28 + xx];
          const max = Math.max(at(2 * y, 2 * x), at(2 * y, 2 * x + 1), at(2 * y + 1, 2 * x), at(2 * y + 1, 2 * x + 1));
          expect(p1[(c * 14 + y) * 14 + x]).toBe(max);
        }

    // One layer only, a training sample, and the same sample again gives the same maps.
    const one = await askVisual(job, { kind: 'activations', nodeId: 'pool1', sample: 7 });
    expect(one.tensors.map((t) => t.nodeId)).toEqual(['pool1']);
    expect(one.tensors[0].values).toEqual(p1);
    const train = await askVisual(job, { kind: 'activations', nodes: ['input', 'fc3'], sample: 255, subset: 'train' });
    expect(train.sample).toMatchObject({ index: 255, subset: 'train', count: 256 });
    expect(train.tensors[0].values).toEqual(train.sample!.input.values);
    expect(train.tensors[1].values).toEqual(train.sample!.output.values);

    job.resume();
    await job.whenEnded();
    expect(job.state).toBe('completed');
  });

  it('answers between steps while it trains, and pushes filters every N steps while watched', async () => {
    const job = new JobManager(new ForkWorkerHost(), { maxConcurrent: 1 }).submit(lenetRequest(3, 1024));
    const pushed: VisualReplyMessage[] = [];
    job.subscribe((event) => event.type === 'visual' && event.requestId === 0 && pushed.push(event));
    await nextEvent(job, (event) => event.type === 'progress');
    job.worker!.send({ type: 'watch', everySteps: 10 });
    const early = await askVisual(job, { kind: 'filters', nodeId: 'conv1' });
    await nextEvent(job, (event) => event.type === 'progress' && event.globalStep > early.globalStep + 20);
    const later = await askVisual(job, { kind: 'filters', nodeId: 'conv1' });
    expect(later.globalStep).toBeGreaterThan(early.globalStep);
    expect(later.tensors[0].values).not.toEqual(early.tensors[0].values);
    expect(later.tensors[0].values.every(Number.isFinite)).toBe(true);
    const maps = await askVisual(job, { kind: 'activations', sample: 0 });
    expect(maps.tensors).toHaveLength(6);
    await nextEvent(job, (event) => event.type === 'visual' && event.requestId === 0 && pushed.length >= 3);
    job.worker!.send({ type: 'watch', everySteps: 0 });
    job.stop();
    await job.whenEnded();
    expect(pushed.every((reply) => reply.kind === 'filters' && reply.tensors[0].name === 'conv1.weight')).toBe(true);
    const steps = pushed.map((reply) => reply.globalStep);
    for (let i = 1; i < steps.length; i++) expect(steps[i] - steps[i - 1]).toBeGreaterThanOrEqual(10);
  });

  it('says why it cannot answer, and the protocol refuses malformed requests', async () => {
    const job = new JobManager(new PausedHost(), { maxConcurrent: 1 }).submit(lenetRequest(1, 64));
    await nextEvent(job, (event) => event.type === 'started');
    expect((await askVisual(job, { kind: 'filters', nodeId: 'pool1' })).error).toBe(
      'pool1 is a MaxPool2D layer: it has no filters; choose a convolution',
    );
    expect((await askVisual(job, { kind: 'filters', nodeId: 'nope' })).error).toBe("there is no layer 'nope' in the trained network");
    expect((await askVisual(job, { kind: 'activations', sample: 11 })).error).toBe(
      'there is no sample 11: the validation set has 11 (0 to 10)',
    );
    expect((await askVisual(job, { kind: 'activations', nodes: ['conv1', 'x'] })).error).toMatch(/no layer 'x'/);
    job.stop();
    await job.whenEnded();

    const bad = (message: unknown) => () => validateHostMessage(message);
    expect(bad({ type: 'visual', requestId: 1, kind: 'weights' })).toThrow(ProtocolError);
    expect(bad({ type: 'visual', requestId: 1, kind: 'filters' })).toThrow(/needs the nodeId/);
    expect(bad({ type: 'visual', requestId: -1, kind: 'activations' })).toThrow(/requestId/);
    expect(bad({ type: 'visual', requestId: 1, kind: 'activations', sample: 1.5 })).toThrow(/sample/);
    expect(bad({ type: 'visual', requestId: 1, kind: 'activations', subset: 'test' })).toThrow(/subset/);
    expect(bad({ type: 'watch', everySteps: -1 })).toThrow(/everySteps/);
    expect(validateHostMessage({ type: 'visual', requestId: 1, kind: 'activations', nodes: ['conv1'], sample: 3 })).toBeTruthy();
  });
});
