/**
 * Getting a WebGPU device, and deciding whether to use it.
 *
 * The `GPU` object is injected: in a browser it is `navigator.gpu`; under Node the training
 * worker passes the `webgpu` package's (electron/worker/gpu-node.ts). The engine never looks
 * for one itself, so it stays free of Node and of DOM globals.
 *
 * `chooseBackend` is the rule of the `auto` backend: a hardware GPU when there is one,
 * otherwise the CPU, and a sentence that says why. A software adapter (SwiftShader, llvmpipe,
 * WARP) counts as none: it runs WebGPU on the CPU, more slowly than the CPU engine does.
 * `openBackend` applies it (or an explicit `webgpu`) to a GPU object and opens the device; the
 * training worker (electron/worker/gpu-node.ts) and inference (inference.ts) both go through it.
 */
import type {} from './types';

export type BackendName = 'cpu' | 'webgpu';

/** What the adapter says about itself, for the `auto` choice and for the run's log. */
export interface AdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** The adapter's own flag: the browser's or Dawn's fallback (software) adapter. */
  readonly isFallbackAdapter: boolean;
  /** A CPU implementation of WebGPU: the fallback flag, or a known software renderer's name. */
  readonly software: boolean;
}

export interface BackendChoice {
  readonly backend: BackendName;
  /** One sentence for the user: which device, or why not the GPU. */
  readonly reason: string;
}

/** Names that software renderers give themselves in their adapter info. */
const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

export const isSoftwareAdapter = (info: Omit<AdapterSummary, 'software'>): boolean =>
  info.isFallbackAdapter || SOFTWARE_RENDERERS.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);

/** The adapter's info, with `isFallbackAdapter` read from the info (current spec) or the adapter (older implementations). */
export const summariseAdapter = (adapter: GPUAdapter): AdapterSummary => {
  const info = adapter.info as Partial<GPUAdapterInfo> | undefined;
  const legacy = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const summary = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: Boolean(info?.isFallbackAdapter ?? legacy ?? false),
  };
  return { ...summary, software: isSoftwareAdapter(summary) };
};

/** A short name for logs: "nvidia ampere", "google swiftshader". */
export const adapterName = (adapter: AdapterSummary): string =>
  [adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || adapter.description || 'an unnamed adapter';

/** What the backend is chosen for: the reasons say "training on the CPU" or "inference on the CPU". */
export type BackendTask = 'training' | 'inference';

/**
 * The `auto` backend: WebGPU on a hardware adapter, otherwise the CPU. `unavailable` says why
 * there is no adapter (no WebGPU in this environment, no driver, …) when `adapter` is null.
 */
export const chooseBackend = (
  adapter: AdapterSummary | null,
  unavailable = 'no WebGPU adapter was found',
  task: BackendTask = 'training',
): BackendChoice => {
  if (!adapter) return { backend: 'cpu', reason: `${unavailable}; ${task} on the CPU` };
  if (adapter.software) {
    return {
      backend: 'cpu',
      reason: `the only GPU adapter is ${adapterName(adapter)}, a software renderer that is slower than the CPU engine; ${task} on the CPU`,
    };
  }
  return { backend: 'webgpu', reason: `${task} on the GPU: ${adapterName(adapter)}` };
};

/** Thrown when no device can be had; the message says why. */
export class GpuUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuUnavailableError';
  }
}

/** The rejection of `GpuContext.lost`: the device is gone and every buffer on it with it. */
export class DeviceLostError extends Error {
  constructor(
    readonly reason: GPUDeviceLostReason,
    detail: string,
  ) {
    super(
      reason === 'destroyed'
        ? `the GPU device was closed${detail ? ` (${detail})` : ''}`
        : `the GPU device was lost${detail ? `: ${detail}` : ''}; the driver may have crashed or reset. ` +
            'Training on the GPU cannot go on: restart the run, or train on the CPU',
    );
    this.name = 'DeviceLostError';
  }
}

export interface GpuContext {
  /**
   * The GPU object the device came from, held for as long as the device is used: Dawn for
   * Node frees its instance when that object is garbage-collected, and a device whose instance
   * is gone crashes the process at its next event (seen under vitest; the fix is to keep it).
   */
  readonly gpu: GPU;
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  /**
   * Rejects with a DeviceLostError when the device is lost or destroyed; never resolves. Race
   * it against a step's work to stop a run with a clear message rather than hang.
   */
  readonly lost: Promise<never>;
  /** Destroys the device (`lost` then rejects with reason 'destroyed'). */
  destroy(): void;
}

/**
 * Races waits on the GPU against the device's loss, so a wait on a lost device rejects with
 * its DeviceLostError instead of hanging. One listener on `lost` serves every wait, so a long
 * run does not pile reactions (and the results they would hold) on a promise that never settles.
 */
export class DeviceLossGuard {
  private readonly waiting = new Set<(error: unknown) => void>();
  private lostError: unknown = null;

  constructor(lost: Promise<never>) {
    lost.catch((error: unknown) => {
      this.lostError = error;
      for (const reject of this.waiting) reject(error);
      this.waiting.clear();
    });
  }

  /** `work`, or the device's loss if that comes first (a lost device may never finish the work). */
  guard<T>(work: Promise<T>): Promise<T> {
    if (this.lostError) return Promise.reject(this.lostError);
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      work.then(resolve, reject).finally(() => this.waiting.delete(reject));
    });
  }
}

export interface AcquireOptions {
  readonly powerPreference?: GPUPowerPreference;
  /** Called with every error that no error scope caught (a bug in a kernel, usually). */
  readonly onUncapturedError?: (message: string) => void;
}

/** Asks for an adapter; null with the reason when there is none. Never throws. */
export const requestAdapter = async (
  gpu: GPU | null | undefined,
  options: AcquireOptions = {},
): Promise<{ adapter: GPUAdapter | null; reason: string }> => {
  if (!gpu) return { adapter: null, reason: 'this environment has no WebGPU' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
    return adapter ? { adapter, reason: 'found' } : { adapter: null, reason: 'WebGPU found no adapter (no GPU driver answered)' };
  } catch (error) {
    return { adapter: null, reason: `WebGPU failed to look for an adapter: ${(error as Error).message}` };
  }
};

/** The adapter's largest buffers, so big activations fit (the defaults are 128 and 256 MiB). */
const wantedLimits = (adapter: GPUAdapter): Record<string, number> => ({
  maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  maxBufferSize: adapter.limits.maxBufferSize,
});

/** A device on the best adapter of `gpu`. Throws GpuUnavailableError saying why when there is none. */
export const acquireDevice = async (gpu: GPU | null | undefined, options: AcquireOptions = {}): Promise<GpuContext> => {
  const { adapter, reason } = await requestAdapter(gpu, options);
  if (!adapter) throw new GpuUnavailableError(reason);
  const summary = summariseAdapter(adapter);
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ label: 'cnn-studio', requiredLimits: wantedLimits(adapter) });
  } catch (error) {
    throw new GpuUnavailableError(`the GPU adapter ${adapterName(summary)} refused a device: ${(error as Error).message}`);
  }
  const lost = device.lost.then((info) => {
    throw new DeviceLostError(info.reason, info.message);
  });
  // Nobody may be listening when the device is closed on purpose: don't report that as unhandled.
  lost.catch(() => undefined);
  if (options.onUncapturedError) {
    const report = options.onUncapturedError;
    device.addEventListener('uncapturederror', (event) => report((event as GPUUncapturedErrorEvent).error.message));
  }
  return { gpu: gpu!, device, adapter: summary, lost, destroy: () => device.destroy() };
};

export interface OpenedBackend extends BackendChoice {
  /** The device, when `backend` is 'webgpu'. */
  readonly context: GpuContext | null;
}

export interface OpenBackendOptions extends AcquireOptions {
  readonly task?: BackendTask;
  /** Why `gpu` is null, when it is ("no GPU driver answered"); said in the reason. */
  readonly unavailable?: string;
}

/**
 * Resolves `webgpu` or `auto` to a device or to the CPU. `auto` never throws: without a usable
 * hardware adapter it answers the CPU and why. `webgpu` takes whatever adapter answers,
 * software ones included (tests, and users who insist), and says so; it throws
 * GpuUnavailableError saying why when no device can be had at all.
 */
export const openBackend = async (
  gpu: GPU | null | undefined,
  requested: 'webgpu' | 'auto',
  options: OpenBackendOptions = {},
): Promise<OpenedBackend> => {
  const task = options.task ?? 'training';
  const unavailable = options.unavailable ?? 'this environment has no WebGPU';
  if (requested === 'auto') {
    const { adapter, reason } = gpu
      ? await requestAdapter(gpu, options)
      : { adapter: null, reason: `there is no WebGPU here (${unavailable})` };
    const choice = chooseBackend(adapter ? summariseAdapter(adapter) : null, reason, task);
    if (choice.backend === 'cpu') return { ...choice, context: null };
    try {
      return { ...choice, context: await acquireDevice(gpu, options) };
    } catch (error) {
      return { backend: 'cpu', reason: `${(error as Error).message}; ${task} on the CPU`, context: null };
    }
  }
  if (!gpu) throw new GpuUnavailableError(`the WebGPU backend was asked for, but there is no WebGPU here: ${unavailable}`);
  const context = await acquireDevice(gpu, options);
  const software = context.adapter.software ? ', a software renderer that is slower than the CPU engine' : '';
  return { backend: 'webgpu', reason: `the WebGPU backend was asked for: ${task} on ${adapterName(context.adapter)}${software}`, context };
};
