/**
 * WebGPU for the training worker under Node: the `webgpu` package (Dawn), whose `GPU` object
 * the worker injects into the engine (engine/backends/webgpu/device.ts) in place of a
 * browser's `navigator.gpu`.
 *
 * On Linux Dawn reaches the GPU through Vulkan: it opens the Vulkan loader (`libvulkan.so.1`),
 * which finds the drivers from their ICD manifests. Two things can be missing:
 *
 * - No hardware driver: a software one can stand in. Debian's chromium ships SwiftShader
 *   (`vk_swiftshader_icd.json`); pointing `VK_ICD_FILENAMES` at it makes it the only driver.
 *   The loader reads that variable when Dawn creates its Vulkan instance, so assigning
 *   `process.env` at run time, before `create`, is enough (checked: an instance created before
 *   the assignment finds no driver, one created after it finds SwiftShader, in one process).
 * - No system loader (Debian without `libvulkan1`): Dawn then only warns "Couldn't load
 *   Vulkan". Chromium ships a loader beside SwiftShader. `LD_LIBRARY_PATH` cannot be changed
 *   once a process runs, so we load that file ourselves first, with RTLD_NODELETE so it stays:
 *   glibc then answers Dawn's `dlopen("libvulkan.so.1")` with the library already loaded
 *   under that soname (dlopen(3): "if a library with the same soname is already loaded, that
 *   library is used"). `process.dlopen` is Node's only door to dlopen; it throws "did not
 *   self-register" because the loader is not a Node addon, after the library was loaded.
 *
 * A software adapter reports `isFallbackAdapter: true`, and `chooseBackend` picks the CPU
 * engine over it; tests use it to check the GPU kernels on machines without a GPU.
 *
 * `openGpuBackend` is the worker's backend choice: `auto` follows `chooseBackend` (a hardware
 * GPU, else the CPU, with the reason), `webgpu` takes whatever adapter answers, SwiftShader
 * included (tests, and users who insist), and says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { openBackend, type OpenedBackend } from '../../engine/backends/webgpu/device';

export interface NodeGpu {
  /** The GPU object to hand to `acquireDevice`, or null when none answers. */
  readonly gpu: GPU | null;
  /** How it was found ("system Vulkan driver", "SwiftShader from …"), or why there is none. */
  readonly how: string;
}

export interface NodeGpuOptions {
  /** Fall back to a software Vulkan driver when no hardware one answers (default true). */
  readonly allowSoftware?: boolean;
  /** ICD manifests of software drivers to try, in order (default: chromium's SwiftShader). */
  readonly softwareIcds?: readonly string[];
}

/** Where Debian's chromium puts SwiftShader's Vulkan driver manifest. */
export const DEFAULT_SOFTWARE_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json'];

// glibc's value; Node's os.constants.dlopen lacks it.
const RTLD_NODELETE = 0x1000;

/**
 * Loads a shared library into the process for good. Returns false when it cannot be opened;
 * "did not self-register" (it is not a Node addon) means it was loaded, and counts as success.
 */
const preloadLibrary = (path: string): boolean => {
  const { RTLD_NOW, RTLD_GLOBAL } = constants.dlopen as Record<string, number>;
  try {
    process.dlopen({ exports: {} }, path, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);
    return true;
  } catch (error) {
    return /did not self-register/.test((error as Error).message);
  }
};

type WebGpuModule = { create(options: string[]): GPU; globals: Record<string, unknown> };

/** Installs the WebGPU classes and flag objects (GPUBufferUsage, …) that are missing from globalThis. */
const installGlobals = (globals: Record<string, unknown>): void => {
  for (const [name, value] of Object.entries(globals)) if (!(name in globalThis)) Object.assign(globalThis, { [name]: value });
};

const hasAdapter = async (gpu: GPU): Promise<boolean> => {
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
};

/** The directory of the driver library that an ICD manifest names. */
const icdLibraryDirectory = (icd: string): string | null => {
  try {
    const manifest = JSON.parse(readFileSync(icd, 'utf8')) as { ICD?: { library_path?: string } };
    const library = manifest.ICD?.library_path;
    if (!library) return null;
    return dirname(isAbsolute(library) ? library : join(dirname(icd), library));
  } catch {
    return null;
  }
};

/** Loads the Vulkan loader that sits beside an ICD's driver library, if there is one. */
const preloadBeside = (icd: string): boolean => {
  const directory = icdLibraryDirectory(icd);
  return directory !== null && preloadLibrary(join(directory, 'libvulkan.so.1'));
};

/** One answer per set of options for the life of the process (see loadNodeGpu). */
const loaded = new Map<string, Promise<NodeGpu>>();

/**
 * The `webgpu` package's GPU, with a hardware driver when one answers, otherwise (on Linux,
 * unless `allowSoftware` is false) a software Vulkan driver. Sets `VK_ICD_FILENAMES` in this
 * process when it falls back. Never throws: `how` says what happened.
 *
 * The answer is kept for the life of the process, and every caller shares its GPU object: Dawn
 * frees an instance when its object is garbage-collected, and one freed while the process
 * still uses (or has just destroyed) a device of it aborts the process (`std::system_error`,
 * seen under vitest when each job made its own instance). One instance per process is also
 * what Dawn expects.
 */
export const loadNodeGpu = (options: NodeGpuOptions = {}): Promise<NodeGpu> => {
  const key = JSON.stringify([options.allowSoftware ?? true, options.softwareIcds ?? DEFAULT_SOFTWARE_ICDS]);
  let answer = loaded.get(key);
  if (!answer) {
    answer = findNodeGpu(options);
    loaded.set(key, answer);
  }
  return answer;
};

const findNodeGpu = async (options: NodeGpuOptions): Promise<NodeGpu> => {
  let webgpu: WebGpuModule;
  try {
    webgpu = (await import('webgpu')) as unknown as WebGpuModule;
  } catch (error) {
    return { gpu: null, how: `the webgpu package could not be loaded: ${(error as Error).message}` };
  }
  installGlobals(webgpu.globals);
  const linux = process.platform === 'linux';
  const userIcds = process.env.VK_ICD_FILENAMES;
  // Without a loader Dawn would only print a warning; look for one first.
  const systemLoader = !linux || preloadLibrary('libvulkan.so.1');
  // Drivers named by the user may ship their own loader beside them, as chromium's SwiftShader does.
  const userLoader = !systemLoader && userIcds ? preloadBeside(userIcds.split(':')[0]) : false;
  if (systemLoader || userLoader) {
    const gpu = webgpu.create([]);
    if (await hasAdapter(gpu)) return { gpu, how: userIcds ? `Vulkan drivers from VK_ICD_FILENAMES=${userIcds}` : 'the system GPU driver' };
  }
  if (userIcds) {
    const why = systemLoader || userLoader ? 'no adapter' : 'no Vulkan loader (libvulkan.so.1)';
    return { gpu: null, how: `${why} for VK_ICD_FILENAMES=${userIcds}` };
  }
  if (!linux || options.allowSoftware === false) return { gpu: null, how: 'no GPU driver answered' };
  for (const icd of options.softwareIcds ?? DEFAULT_SOFTWARE_ICDS) {
    if (!existsSync(icd)) continue;
    if (!systemLoader && !preloadBeside(icd)) continue;
    process.env.VK_ICD_FILENAMES = icd;
    const gpu = webgpu.create([]);
    if (await hasAdapter(gpu)) return { gpu, how: `the software Vulkan driver ${icd}` };
    delete process.env.VK_ICD_FILENAMES;
  }
  return {
    gpu: null,
    how: systemLoader
      ? 'no GPU driver answered, and no software Vulkan driver (chromium’s SwiftShader) was found'
      : 'no Vulkan loader (libvulkan.so.1) is installed, and no software Vulkan driver (chromium’s SwiftShader) was found',
  };
};

/** The worker's backend: which one, why, and the device when it is 'webgpu'. */
export type GpuBackendChoice = OpenedBackend;

/** `openBackend` (engine/backends/webgpu/device.ts) on the `webgpu` package's GPU. */
export const openGpuBackend = async (
  requested: 'webgpu' | 'auto',
  load: () => Promise<NodeGpu> = loadNodeGpu,
): Promise<GpuBackendChoice> => {
  const { gpu, how } = await load();
  return openBackend(gpu, requested, { task: 'training', unavailable: how });
};
