/**
 * The WebGPU backend: training and inference with every tensor on the GPU.
 *
 * - device.ts: getting a device from an injected `GPU` object, and the `auto` choice
 *   (`chooseBackend`: a hardware GPU, else the CPU, with the reason).
 * - buffers.ts, compile.ts, run.ts: storage buffers, WGSL programs and their pipeline cache,
 *   and the runner that records dispatches into one command encoder.
 * - kernels/: every kernel the layers, losses and optimisers need, each checked against the
 *   CPU kernel of the same name (test/engine/backends/webgpu/).
 * - layers/: the GPU layer table, `Record<LayerType, GpuLayer>`, twin of the CPU's.
 * - plan.ts: `GpuModelState` (weights, gradients by state_dict name) and `GpuPlan` (one batch
 *   size's activations and gradients), twins of engine/train/plan.ts.
 * - trainer.ts: `GpuTrainer`, the CPU Trainer's surface made asynchronous; one submission per
 *   training step, the loss the only read-back.
 * - inference.ts: `GpuInference` (forward passes through plans made for inference) and
 *   `openInference` (graph + weights + a GPU object → a predictor on WebGPU or the CPU, with the
 *   reason), which the renderer uses with `navigator.gpu` (renderer/inference/).
 *
 * Not done yet (the rest of the WebGPU issue):
 * - Memory: a batch whose im2col columns pass maxStorageBufferBindingSize should run its
 *   convolutions in slices of samples; today the plan allocates the whole batch's columns.
 * - Speed on hardware: the step's dispatches (bind groups, uniforms) are rebuilt each step
 *   rather than recorded once per plan; reduced GEMMs of thin layers loop over the batch in few
 *   workgroups; no timing on a hardware GPU has been taken (CI has none).
 * - Visual snapshots of activations during a run read single buffers on request; the IDE's
 *   snapshot stream does not ask for them yet.
 * - The worker's 'started' message types its backend as 'cpu' (electron/worker/protocol.ts),
 *   and the bench's usage line in electron/host/cli/main.ts still says `--backend cpu`.
 */
export {
  acquireDevice,
  chooseBackend,
  DeviceLostError,
  GpuUnavailableError,
  openBackend,
  type BackendChoice,
  type BackendTask,
  type GpuContext,
  type OpenedBackend,
} from './device';
export { GpuInference, openInference, type InferenceOptions, type OpenedInference } from './inference';
export { GPU_LAYERS, type GpuLayerTable } from './layers';
export { GpuModelState, GpuPlan } from './plan';
export { GpuTrainer, type GpuStepReport, type GpuTrainerOptions } from './trainer';
