/**
 * Inference on WebGPU, and the choice between it and the CPU engine, for any host that has a
 * `GPU` object: a browser page or Electron's renderer (`navigator.gpu`), or Node (the `webgpu`
 * package). Nothing here looks for the GPU itself; the caller passes it in.
 *
 * - `GpuInference`: a model's forward pass in inference mode on a device, through GpuPlans made
 *   for inference (outputs only, no gradients), one per batch size, sharing the weights and
 *   the pipelines. One submission per batch; what comes back is the head's output.
 * - `openInference`: graph + named weights + GPU object → something that predicts. `auto`
 *   follows `chooseBackend` (a hardware adapter runs WebGPU; a software or fallback adapter, or
 *   none, runs the CPU engine, and `reason` says why); `webgpu` insists on the GPU (any
 *   adapter, SwiftShader included); `cpu` runs the CPU engine.
 */
import { CPU_LAYERS } from '../cpu/layers';
import { elementCount } from '../../graph/shape';
import { checkImages, CpuInference, DEFAULT_INFERENCE_BATCH, sampleSize, toPrediction, type Prediction } from '../../train/inference';
import { compileModel, type Model } from '../../train/plan';
import { loadStateDict, type NamedTensor } from '../../train/state-dict';
import { DeviceLossGuard, openBackend, type AdapterSummary, type BackendName, type GpuContext, type OpenBackendOptions } from './device';
import { GPU_LAYERS } from './layers';
import { GpuModelState, GpuPlan } from './plan';
import { GpuRunner } from './run';

export class GpuInference {
  readonly runner: GpuRunner;
  readonly state: GpuModelState;
  private readonly plans = new Map<number, GpuPlan>();
  private readonly lossGuard: DeviceLossGuard;
  private destroyed = false;

  /**
   * Uploads `model.weights` as they are now (call `uploadWeights` after changing them). The
   * kernels compile on first use; a WGSL error surfaces from the first `run`, naming its kernel.
   */
  constructor(
    readonly context: GpuContext,
    readonly model: Model,
    readonly maxBatch = DEFAULT_INFERENCE_BATCH,
  ) {
    this.lossGuard = new DeviceLossGuard(context.lost);
    this.runner = new GpuRunner(context.device, undefined, { software: context.adapter.software });
    this.state = new GpuModelState(this.runner, model, 'inference');
  }

  uploadWeights(): void {
    this.state.upload();
  }

  /** The head's outputs for `count` images (count × output size), in batches of at most `maxBatch`. */
  async run(images: Float32Array, count: number): Promise<Float32Array> {
    if (this.destroyed) throw new Error('this GPU inference was closed');
    checkImages(this.model, images, count);
    const inSize = sampleSize(this.model);
    const outSize = elementCount(this.model.head.outputShape);
    const outputs = new Float32Array(count * outSize);
    for (let start = 0; start < count; start += this.maxBatch) {
      const batch = Math.min(this.maxBatch, count - start);
      const plan = this.plan(batch);
      this.runner.write(plan.input, images.subarray(start * inSize, (start + batch) * inSize));
      const head = plan.forward(false);
      outputs.set(await this.lossGuard.guard(this.runner.readFloats(head, batch * outSize)), start * outSize);
    }
    return outputs;
  }

  async predict(images: Float32Array, count: number): Promise<Prediction> {
    return toPrediction(this.model, await this.run(images, count), count);
  }

  /** Frees the GPU buffers (not the device). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const plan of this.plans.values()) plan.destroy();
    this.state.destroy();
    this.runner.destroy();
  }

  private plan(batch: number): GpuPlan {
    let plan = this.plans.get(batch);
    if (!plan) {
      plan = new GpuPlan(this.model, batch, this.state, GPU_LAYERS, 'inference');
      this.plans.set(batch, plan);
    }
    return plan;
  }
}

/** What `openInference` opened: a predictor on one backend, and why that one. */
export interface OpenedInference {
  readonly backend: BackendName;
  /** One sentence for the user: which device, or why not the GPU. */
  readonly reason: string;
  /** The adapter that runs it, when the backend is 'webgpu'. */
  readonly adapter: AdapterSummary | null;
  readonly model: Model;
  predict(images: Float32Array, count: number): Promise<Prediction>;
  /** Frees the GPU buffers and the device it opened (nothing for the CPU). */
  close(): void;
}

export interface InferenceOptions extends Omit<OpenBackendOptions, 'task'> {
  /** `auto` (the default), `webgpu` or `cpu`. */
  readonly backend?: BackendName | 'auto';
  /** The largest batch one plan runs. */
  readonly maxBatch?: number;
}

/**
 * A trained network ready to predict. `graph` is the graph document, `weights` every tensor of
 * it by state_dict name (checked: a missing, extra or misshapen tensor throws StateDictError,
 * an invalid graph InvalidGraphError). `gpu` is `navigator.gpu` in a page, or null.
 */
export const openInference = async (
  gpu: GPU | null | undefined,
  graph: unknown,
  weights: readonly NamedTensor[],
  options: InferenceOptions = {},
): Promise<OpenedInference> => {
  const model = compileModel(graph, CPU_LAYERS);
  loadStateDict(model, weights);
  const maxBatch = options.maxBatch ?? DEFAULT_INFERENCE_BATCH;
  const requested = options.backend ?? 'auto';
  const choice =
    requested === 'cpu'
      ? { backend: 'cpu' as const, reason: 'the CPU backend was asked for', context: null }
      : await openBackend(gpu, requested, { ...options, task: 'inference' });
  if (!choice.context) {
    const cpu = new CpuInference(model, maxBatch);
    return {
      backend: 'cpu',
      reason: choice.reason,
      adapter: null,
      model,
      predict: async (images, count) => cpu.predict(images, count),
      close: () => undefined,
    };
  }
  const { context } = choice;
  const inference = new GpuInference(context, model, maxBatch);
  return {
    backend: 'webgpu',
    reason: choice.reason,
    adapter: context.adapter,
    model,
    predict: (images, count) => inference.predict(images, count),
    close: () => {
      inference.destroy();
      context.destroy();
    },
  };
};
