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

/**
 * The `auto` backend: WebGPU on a hardware adapter, otherwise the CPU. `unavailable` says why
 * there is no adapter (no WebGPU in this environment, no driver, …) when `adapter` is null.
 */
export const chooseBackend = (adapter: AdapterSummary | null, unavailable = 'no WebGPU adapter was found'): BackendChoice => {
  if (!adapter) return { backend: 'cpu', reason: `${unavailable}; training on the CPU` };
  if (adapter.software) {
    return {
      backend: 'cpu',
      reason: `the only GPU adapter is ${adapterName(adapter)}, a software renderer that is slower than the CPU engine; training on the CPU`,
    };
  }
  return { backend: 'webgpu', reason: `training on the GPU: ${adapterName(adapter)}` };
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
