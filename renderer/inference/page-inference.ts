/**
 * Inference in the renderer: the engine's `openInference` on the page's own WebGPU,
 * `navigator.gpu`, or on the CPU engine when the page has no usable GPU (no WebGPU, or only a
 * software adapter such as SwiftShader, which is slower than the CPU engine).
 *
 * WebGPU exists only in secure contexts: the app's own scheme in the desktop app, and
 * `http://127.0.0.1` for `cnn-studio serve`, both count.
 */
import { chooseBackend, requestAdapter, summariseAdapter, type BackendChoice } from '../../engine/backends/webgpu/device';
import { openInference, type InferenceOptions, type OpenedInference } from '../../engine/backends/webgpu/inference';
import type { NamedTensor } from '../../engine/train/state-dict';

/** The page's GPU object, or null with the reason. (Read through globalThis: the engine's type libraries have no DOM.) */
export const pageGpu = (): { gpu: GPU | null; unavailable: string } => {
  const scope = globalThis as { navigator?: { gpu?: GPU }; isSecureContext?: boolean };
  const gpu = scope.navigator?.gpu ?? null;
  if (gpu) return { gpu, unavailable: '' };
  const why = scope.isSecureContext === false ? 'the page is not a secure context' : 'the browser does not offer it';
  return { gpu: null, unavailable: `this page has no WebGPU (navigator.gpu): ${why}` };
};

/** What `auto` would run inference on here, and why, without opening a device. */
export const pageBackendChoice = async (): Promise<BackendChoice> => {
  const { gpu, unavailable } = pageGpu();
  if (!gpu) return chooseBackend(null, unavailable, 'inference');
  const { adapter, reason } = await requestAdapter(gpu);
  return chooseBackend(adapter ? summariseAdapter(adapter) : null, reason, 'inference');
};

/** A trained network (graph and state_dict tensors) ready to predict in this page; see openInference. */
export const openPageInference = (
  graph: unknown,
  weights: readonly NamedTensor[],
  options: InferenceOptions = {},
): Promise<OpenedInference> => {
  const { gpu, unavailable } = pageGpu();
  return openInference(gpu, graph, weights, { unavailable, ...options });
};
