// The analysis tabs' state without a browser: what each tab asks the host, with the class and
// feature chosen, dropping answers to an older question and saying why one failed; and the
// pictures made from 8-bit maps.
import { describe, expect, it } from 'vitest';
import type { StudioApi, VisualReply, VisualRequest } from '../../electron/api';
import { encodeBase64, encodeFloat32 } from '../../engine/viz/encoding';
import { quantise } from '../../engine/viz/quantise';
import { mapValues, overlayPicture, weightHistogram } from '../../renderer/viz/analysis-pictures';
import { AnalysisStore } from '../../renderer/viz/analysis-store';

const fakeApi = () => {
  const asked: VisualRequest[] = [];
  const waiting: { answer: (value: VisualReply) => void; fail: (error: Error) => void }[] = [];
  const api = {
    requestVisual: (_jobId: string, request: VisualRequest) =>
      new Promise<VisualReply>((answer, fail) => {
        asked.push(request);
        waiting.push({ answer, fail });
      }),
  } as unknown as StudioApi;
  return { api, asked, waiting };
};

const reply = (kind: VisualReply['kind'], step: number): VisualReply => ({ kind, source: 'live', epoch: 1, globalStep: step, tensors: [] });
const context = { nodeId: 'conv2', sample: 4, subset: 'validation' as const };

describe('the analysis tabs’ state', () => {
  it('asks nothing on the Features tab, and each tab its own analyses with the class and feature chosen', async () => {
    const store = new AnalysisStore();
    const { api, asked, waiting } = fakeApi();
    await store.refresh(api, 'job-1', context);
    expect(asked).toEqual([]);
    store.setTab('attribution');
    const first = store.refresh(api, 'job-1', context);
    expect(asked).toEqual([
      { kind: 'saliency', sample: 4, subset: 'validation', classIndex: undefined },
      { kind: 'gradcam', sample: 4, subset: 'validation', classIndex: undefined },
      { kind: 'occlusion', sample: 4, subset: 'validation', classIndex: undefined },
    ]);
    store.setClass(7);
    const second = store.refresh(api, 'job-1', context, true);
    expect(asked.slice(3).map((request) => request.classIndex)).toEqual([7, 7, 7]);
    waiting.slice(0, 3).forEach(({ answer }, i) => answer(reply(asked[i].kind, 1)));
    await first;
    expect(store.getState().replies).toEqual({});
    waiting[3].answer(reply('saliency', 2));
    waiting[4].fail(new Error('gradcam went wrong'));
    waiting[5].answer(reply('occlusion', 2));
    await second;
    expect(Object.keys(store.getState().replies)).toEqual(['saliency', 'occlusion']);
    expect(store.getState().problem).toBe('gradcam went wrong');

    store.setTab('deconvnet');
    store.setChannel(5);
    void store.refresh(api, 'job-1', context, true);
    expect(asked.slice(6)).toEqual([
      { kind: 'deconvnet', nodeId: 'conv2', channel: 5, sample: 4, subset: 'validation' },
      { kind: 'top-patches', nodeId: 'conv2', channel: 5, subset: 'validation' },
    ]);
    store.setTab('confusion');
    void store.refresh(api, 'job-1', context, true);
    expect(asked.slice(8)).toEqual([{ kind: 'confusion', subset: 'validation' }]);
    store.forget();
    expect(store.getState()).toMatchObject({ replies: {}, tab: 'confusion', channel: 5, classIndex: 7 });
  });
});

describe('analysis pictures', () => {
  it('read 8-bit maps from base64 and lay a heat map over the sample', () => {
    const map = quantise('saliency', Float32Array.of(0, 1, 2, 3), [2, 2]);
    const wire = { ...map, data: encodeBase64(map.data) };
    expect([...mapValues(wire)]).toEqual([0, 1, 2, 3]);
    const input = { nodeId: 'input', name: 'input', shape: [1, 2, 2], data: encodeFloat32(Float32Array.of(0, 0, 0, 0)) };
    const picture = overlayPicture(input, wire, 4);
    expect([picture.width, picture.height]).toEqual([4, 4]);
    // no heat at (0, 0): the black sample; the most at (1, 1): a bright colour
    expect([...picture.data.slice(0, 3)]).toEqual([0, 0, 0]);
    const last = (3 * 4 + 3) * 4;
    expect(picture.data[last]).toBeGreaterThan(150);
    const chart = weightHistogram([input, { ...input, data: encodeFloat32(Float32Array.of(1, 1, 1, 1)) }]);
    expect(chart!.histogram.counts.reduce((a, b) => a + b, 0)).toBe(8);
    expect(weightHistogram([])).toBeNull();
  });
});
