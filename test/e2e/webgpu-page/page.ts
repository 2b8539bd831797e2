// The browser side of test/e2e/webgpu-inference.test.ts, bundled by Vite: the renderer's
// inference module (renderer/inference/page-inference.ts) on this page's navigator.gpu, exposed
// to the test as `cnnStudioInference`. Tensors arrive as plain arrays of float32 values.
import { openPageInference, pageBackendChoice } from '../../../renderer/inference/page-inference';

export interface PageRequest {
  readonly graph: unknown;
  readonly weights: readonly { readonly name: string; readonly shape: readonly number[]; readonly data: readonly number[] }[];
  readonly images: readonly number[];
  readonly count: number;
  readonly backend: 'auto' | 'webgpu' | 'cpu';
  readonly maxBatch?: number;
}

export interface PageAnswer {
  readonly backend: string;
  readonly reason: string;
  readonly adapter: { readonly architecture: string; readonly isFallbackAdapter: boolean; readonly software: boolean } | null;
  readonly outputs: number[];
  readonly probabilities: number[] | null;
  /** WebGPU errors that no error scope caught. */
  readonly uncaptured: string[];
}

const run = async (request: PageRequest): Promise<PageAnswer> => {
  const uncaptured: string[] = [];
  const weights = request.weights.map((tensor) => ({ ...tensor, data: Float32Array.from(tensor.data) }));
  const inference = await openPageInference(request.graph, weights, {
    backend: request.backend,
    maxBatch: request.maxBatch,
    onUncapturedError: (message) => uncaptured.push(message),
  });
  try {
    const prediction = await inference.predict(Float32Array.from(request.images), request.count);
    const { adapter } = inference;
    return {
      backend: inference.backend,
      reason: inference.reason,
      adapter: adapter && { architecture: adapter.architecture, isFallbackAdapter: adapter.isFallbackAdapter, software: adapter.software },
      outputs: Array.from(prediction.outputs),
      probabilities: prediction.probabilities && Array.from(prediction.probabilities),
      uncaptured,
    };
  } finally {
    inference.close();
  }
};

Object.assign(globalThis, { cnnStudioInference: { run, choice: pageBackendChoice } });
