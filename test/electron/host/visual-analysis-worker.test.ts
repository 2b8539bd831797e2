// The analysis kinds of the worker's `visual` request, in a real worker process holding LeNet-5
// trained for an epoch on an MNIST subset: each answer is checked against the engine run here on
// the same weights and samples (maps to within their 8-bit step), and malformed requests are refused.
import { describe, expect, it } from 'vitest';
import { JobManager } from '../../../electron/services/jobs/job-manager';
import { ForkWorkerHost } from '../../../electron/services/jobs/worker-host';
import { PROTOCOL_VERSION, validateHostMessage } from '../../../electron/worker/protocol';
import { openTrainingData } from '../../../electron/worker/training-data';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { compileModel, Plan } from '../../../engine/train/plan';
import { confusionReport } from '../../../engine/viz/confusion';
import { deconvnetProjection } from '../../../engine/viz/deconvnet';
import { occlusion } from '../../../engine/viz/occlusion';
import { dequantise, type QuantisedMap } from '../../../engine/viz/quantise';
import { gradCam, saliency } from '../../../engine/viz/saliency';
import { topActivations } from '../../../engine/viz/top-patches';
import { askVisual, lenetRequest, nextEvent, PausedHost } from './visual-jobs';

/** A map equals `expected` to within half its 8-bit step (plus float noise). */
const expectMap = (map: QuantisedMap, expected: ArrayLike<number>, shape: number[]) => {
  expect(map.shape).toEqual(shape);
  const values = dequantise(map);
  let largest = 0;
  for (let i = 0; i < expected.length; i++) largest = Math.max(largest, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(values[i] - expected[i])).toBeLessThanOrEqual(map.scale / 2 + 1e-4 * largest + 1e-6);
};

describe('analysis requests to a training worker', () => {
  it('answers saliency, Grad-CAM, occlusion, deconvnet, top-9 patches and confusion as the engine computes them', async () => {
    const first = new JobManager(new ForkWorkerHost(), { maxConcurrent: 1 }).submit(lenetRequest(1, 1200));
    await first.whenEnded();
    const checkpoint = first.lastCheckpoint!;
    const job = new JobManager(new PausedHost(), { maxConcurrent: 1 }).submit({ ...lenetRequest(2, 1200), resume: checkpoint });
    await nextEvent(job, (event) => event.type === 'started');

    // the same network and data here
    const model = compileModel(lenetRequest(1, 1200).graph, CPU_LAYERS);
    for (const [name, values] of checkpoint.weights) model.weights.get(name)!.set(values);
    const { validation } = openTrainingData({ type: 'start', protocol: PROTOCOL_VERSION, jobId: 'here', ...lenetRequest(1, 1200) });
    const single = new Plan(model, 1, () => 0.5, { inputGradient: true });
    const survey = new Plan(model, 32, () => 0.5);

    const salient = await askVisual(job, { kind: 'saliency', sample: 3, classIndex: 4 });
    if (salient.analysis?.kind !== 'saliency') throw new Error(salient.error);
    const input = salient.sample!.input.values;
    expect(salient.analysis.classIndex).toBe(4);
    expectMap(salient.analysis.map, saliency(single, input, 4).map, [28, 28]);

    const predictedClass = salient.sample!.output.values.indexOf(Math.max(...salient.sample!.output.values));
    const cam = await askVisual(job, { kind: 'gradcam', sample: 3 });
    if (cam.analysis?.kind !== 'gradcam') throw new Error(cam.error);
    expect(cam.analysis).toMatchObject({ layer: 'relu2', classIndex: predictedClass });
    expect(cam.analysis.probability).toBeGreaterThan(0.1);
    const camHere = gradCam(single, input, predictedClass, 'relu2');
    expectMap(cam.analysis.map, camHere.map, [28, 28]);
    expectMap(cam.analysis.coarse, camHere.coarse, [10, 10]);

    const occluded = await askVisual(job, { kind: 'occlusion', sample: 3, classIndex: 2, size: 6, stride: 3 });
    if (occluded.analysis?.kind !== 'occlusion') throw new Error(occluded.error);
    const occlusionHere = occlusion(survey, input, 2, { size: 6, stride: 3 });
    expect(occluded.analysis.baseline).toBeCloseTo(occlusionHere.baseline, 5);
    expectMap(occluded.analysis.map, occlusionHere.drop, [occlusionHere.rows, occlusionHere.columns]);

    const projected = await askVisual(job, { kind: 'deconvnet', sample: 3, nodeId: 'pool2', channel: 5 });
    if (projected.analysis?.kind !== 'deconvnet') throw new Error(projected.error);
    const projectionHere = deconvnetProjection(single, input, 'pool2', 5);
    expect(projected.analysis).toMatchObject({ layer: 'pool2', channel: 5, y: projectionHere.y, x: projectionHere.x });
    expectMap(projected.analysis.map, projectionHere.pixels, [1, 28, 28]);

    const top = await askVisual(job, { kind: 'top-patches', nodeId: 'conv2', channel: 7, samples: 150 });
    if (top.analysis?.kind !== 'top-patches') throw new Error(top.error);
    const topHere = topActivations(survey, validation!, 'conv2', 7, { indices: Int32Array.from({ length: 150 }, (_, i) => i) });
    expect(top.analysis.scanned).toBe(150);
    expect(top.analysis.patches.map(({ sample, y, x, field }) => ({ sample, y, x, field }))).toEqual(
      topHere.map(({ sample, y, x, field }) => ({ sample, y, x, field })),
    );
    for (const patch of top.analysis.patches) {
      const h = patch.field.bottom - patch.field.top + 1;
      const w = patch.field.right - patch.field.left + 1;
      expect(patch.image.shape).toEqual([1, h, w]);
      expect(patch.projection.shape).toEqual([1, h, w]);
      expect(patch.image.scale).toBeGreaterThan(0);
    }

    const confusion = await askVisual(job, { kind: 'confusion' });
    if (confusion.analysis?.kind !== 'confusion') throw new Error(confusion.error);
    const confusionHere = confusionReport(survey, validation!, { limit: 10_000 });
    expect(confusion.analysis.samples).toBe(validation!.size);
    expect(confusion.analysis.counts).toEqual([...confusionHere.counts]);
    expect(confusion.analysis.accuracy).toBeCloseTo(confusionHere.accuracy, 10);
    // the mistakes, most confident first, at most 12 of each (true, predicted) cell
    const taken = new Map<string, number>();
    const expectedMistakes = confusionHere.misclassified.filter((m) => {
      const cell = `${m.label}-${m.predicted}`;
      taken.set(cell, (taken.get(cell) ?? 0) + 1);
      return taken.get(cell)! <= 12;
    });
    expect(confusion.analysis.misclassified.map((m) => m.sample)).toEqual(expectedMistakes.map((m) => m.sample));
    expect(confusion.analysis.misclassified.every((m) => m.image.data.length === 784)).toBe(true);

    // refusals, said as such
    expect((await askVisual(job, { kind: 'saliency', sample: 3, classIndex: 10 })).error).toBe(
      'there is no class 10: the network scores 10 classes (0 to 9)',
    );
    expect((await askVisual(job, { kind: 'deconvnet', nodeId: 'fc1', channel: 0 })).error).toBe(
      'fc1 outputs [120]; a projection starts from a layer whose output is an image',
    );
    expect((await askVisual(job, { kind: 'gradcam', nodeId: 'fc3' })).error).toMatch(/fc3 outputs \[10\]; Grad-CAM needs/);
    job.stop();
    await job.whenEnded();

    const bad = (message: unknown) => () => validateHostMessage(message);
    expect(bad({ type: 'visual', requestId: 1, kind: 'deconvnet' })).toThrow(/deconvnet request needs the nodeId/);
    expect(bad({ type: 'visual', requestId: 1, kind: 'top-patches', nodeId: 'conv1', channel: -1 })).toThrow(/channel/);
    expect(bad({ type: 'visual', requestId: 1, kind: 'occlusion', size: 0 })).toThrow(/size must be a whole number from 1/);
    expect(bad({ type: 'visual', requestId: 1, kind: 'saliency', classIndex: 1.5 })).toThrow(/classIndex/);
    expect(bad({ type: 'visual', requestId: 1, kind: 'heatmap' })).toThrow(/kind must be one of/);
  }, 120_000);
});
