// A filters request `withGradients` to a real training worker (forked, LeNet-5 on MNIST): a note
// before the first step, then the last step's gradients between steps, fresh each time.
// (That they decode to the trainer's ∂L/∂w is checked in test/electron/worker/filter-gradients.test.ts.)
import { describe, expect, it } from 'vitest';
import { JobManager } from '../../../electron/services/jobs/job-manager';
import { validateHostMessage } from '../../../electron/worker/protocol';
import { NO_GRADIENTS_YET } from '../../../electron/worker/visual-compute';
import { dequantiseFilterGradient } from '../../../engine/viz/filter-gradients';
import { askVisual, lenetRequest, nextEvent, PausedHost } from './visual-jobs';

describe('filter gradients from a training worker', () => {
  it('says none before the first step, then sends the last step’s gradients as training goes on', async () => {
    const job = new JobManager(new PausedHost(), { maxConcurrent: 1 }).submit(lenetRequest(3, 1024));
    await nextEvent(job, (event) => event.type === 'started');
    const start = await askVisual(job, { kind: 'filters', nodeId: 'conv2', withGradients: true });
    expect(start.error).toBeUndefined();
    expect(start.gradients).toEqual({ tensors: [], note: NO_GRADIENTS_YET });
    expect((await askVisual(job, { kind: 'filters', nodeId: 'conv2' })).gradients).toBeUndefined();
    expect(() => validateHostMessage({ type: 'visual', requestId: 1, kind: 'activations', withGradients: true })).toThrow(
      /withGradients goes with a filters request only/,
    );

    job.resume();
    await nextEvent(job, (event) => event.type === 'progress' && event.globalStep >= 2);
    const early = await askVisual(job, { kind: 'filters', nodeId: 'conv2', withGradients: true });
    await nextEvent(job, (event) => event.type === 'progress' && event.globalStep > early.globalStep + 5);
    const later = await askVisual(job, { kind: 'filters', nodeId: 'conv2', withGradients: true });
    job.stop();
    await job.whenEnded();

    for (const reply of [early, later]) {
      const gradients = reply.gradients!;
      expect(gradients.note).toBeUndefined();
      expect(gradients.step).toBe(reply.globalStep);
      expect(gradients.tensors).toHaveLength(1);
      expect(gradients.tensors[0]).toMatchObject({ name: 'conv2.weight', shape: [16, 6, 5, 5] });
      expect(gradients.tensors[0].scales.some((scale) => scale > 0)).toBe(true);
    }
    expect(later.globalStep).toBeGreaterThan(early.globalStep);
    const a = dequantiseFilterGradient(early.gradients!.tensors[0]);
    const b = dequantiseFilterGradient(later.gradients!.tensors[0]);
    expect(b).not.toEqual(a);
    expect(b.every(Number.isFinite)).toBe(true);
  });
});
