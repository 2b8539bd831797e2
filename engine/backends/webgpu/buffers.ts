/**
 * GPU memory: storage buffers, uploads, read-backs and a simple pool.
 *
 * Every buffer the kernels touch is a storage buffer that can also be copied to and from
 * (STORAGE | COPY_SRC | COPY_DST), so any of them can be uploaded, read back or cleared.
 * Sizes are rounded up to whole 4-byte words, and to at least one word: WebGPU rejects empty
 * bindings, and an empty tensor still needs something to bind.
 */
import { BufferUsage, MapMode, type GpuData } from './types';

export const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/** Bytes rounded up to whole 32-bit words, at least one. */
export const storageBytes = (bytes: number): number => Math.max(4, Math.ceil(bytes / 4) * 4);

/** An uninitialised (zeroed, as WebGPU guarantees) storage buffer of `elements` 32-bit values. */
export const createStorage = (device: GPUDevice, elements: number, label: string): GPUBuffer =>
  device.createBuffer({ label, size: storageBytes(elements * 4), usage: STORAGE_USAGE });

/** A storage buffer holding a copy of `data`, filled through a mapping at creation (no staging copy). */
export const uploadStorage = (device: GPUDevice, data: GpuData, label: string): GPUBuffer => {
  const buffer = device.createBuffer({ label, size: storageBytes(data.byteLength), usage: STORAGE_USAGE, mappedAtCreation: true });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  buffer.unmap();
  return buffer;
};

/** Writes `data` into `buffer` starting at element `elementOffset` (through the queue, in order with submitted work). */
export const writeStorage = (device: GPUDevice, buffer: GPUBuffer, data: GpuData, elementOffset = 0): void => {
  device.queue.writeBuffer(buffer, elementOffset * 4, data.buffer, data.byteOffset, data.byteLength);
};

/**
 * Copies `byteLength` bytes of `buffer` from `byteOffset` back to the CPU: a copy into a
 * mappable staging buffer, submitted after all work already queued, then mapAsync. The
 * returned ArrayBuffer is the caller's.
 */
export const readBack = async (device: GPUDevice, buffer: GPUBuffer, byteLength = buffer.size, byteOffset = 0): Promise<ArrayBuffer> => {
  const size = storageBytes(byteLength);
  const staging = device.createBuffer({ label: `read back ${buffer.label}`, size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  try {
    const encoder = device.createCommandEncoder({ label: `read back ${buffer.label}` });
    encoder.copyBufferToBuffer(buffer, byteOffset, staging, 0, size);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(MapMode.READ);
    const copy = staging.getMappedRange(0, size).slice(0, byteLength);
    staging.unmap();
    return copy;
  } finally {
    staging.destroy();
  }
};

/** The first `length` float32 values of `buffer` (all of it by default). */
export const readFloats = async (device: GPUDevice, buffer: GPUBuffer, length = buffer.size / 4, offset = 0): Promise<Float32Array> =>
  new Float32Array(await readBack(device, buffer, length * 4, offset * 4));

/** The first `length` int32 values of `buffer`. */
export const readInts = async (device: GPUDevice, buffer: GPUBuffer, length = buffer.size / 4, offset = 0): Promise<Int32Array> =>
  new Int32Array(await readBack(device, buffer, length * 4, offset * 4));

/**
 * Storage buffers for reuse, in power-of-two size classes (at least 256 bytes), so that plans
 * of different batch sizes and the scratch of one step can share memory. A buffer from
 * `acquire` may be larger than asked and holds whatever its last user left in it.
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly owned = new Set<GPUBuffer>();

  constructor(private readonly device: GPUDevice) {}

  /** The size class that `bytes` falls in. */
  static sizeClass(bytes: number): number {
    let size = 256;
    while (size < bytes) size *= 2;
    return size;
  }

  /** A storage buffer of at least `elements` 32-bit values. */
  acquire(elements: number, label: string): GPUBuffer {
    const size = BufferPool.sizeClass(elements * 4);
    const reused = this.free.get(size)?.pop();
    if (reused) return reused;
    const buffer = this.device.createBuffer({ label, size, usage: STORAGE_USAGE });
    this.owned.add(buffer);
    return buffer;
  }

  /** Gives a buffer back for reuse. Work already queued that uses it is unaffected (the queue is ordered). */
  release(buffer: GPUBuffer): void {
    if (!this.owned.has(buffer)) throw new Error(`the buffer ${buffer.label} does not belong to this pool`);
    const list = this.free.get(buffer.size) ?? [];
    if (list.includes(buffer)) throw new Error(`the buffer ${buffer.label} was released twice`);
    list.push(buffer);
    this.free.set(buffer.size, list);
  }

  /** Buffers waiting for reuse, for tests and memory reports. */
  get idle(): number {
    let count = 0;
    for (const list of this.free.values()) count += list.length;
    return count;
  }

  /** Bytes of every buffer the pool has made. */
  get bytes(): number {
    let total = 0;
    for (const buffer of this.owned) total += buffer.size;
    return total;
  }

  destroy(): void {
    for (const buffer of this.owned) buffer.destroy();
    this.owned.clear();
    this.free.clear();
  }
}
