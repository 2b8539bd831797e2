/**
 * Encoding and dispatching kernels.
 *
 * A `GpuRunner` records dispatches into one command encoder, one compute pass after another,
 * and submits them together. Each dispatch gets its uniforms (shapes, strides, scalars) in its
 * own 256-byte slot of a uniform buffer; the slots are written with the queue just before the
 * submit, so recording allocates no GPU memory once the slots exist, and a new batch size
 * costs new uniform values, never a new pipeline.
 *
 * Dispatches in one compute pass see each other's writes in order (WebGPU orders the usage
 * scopes of a pass), so a kernel can read what the previous one wrote.
 *
 * Errors: everything between two `flush` calls runs inside one validation error scope; `flush`
 * reports a failed compile (kernel, WGSL line) before any other error, then a validation error
 * with the kernels that were recorded. One runner per device: error scopes are per device.
 */
import { readBack } from './buffers';
import { PipelineCache, type CompiledProgram, type WgslProgram } from './compile';
import { BufferUsage, type GpuData } from './types';

/** Workgroup counts, [x, y, z]. */
export type Grid = readonly [number, number, number];

/** The most workgroups along one dimension that every WebGPU device accepts. */
export const MAX_WORKGROUPS = 65535;

/**
 * A grid for `count` invocations of a one-dimensional workgroup of `size` threads, folded into
 * y when x would pass 65,535 workgroups. The program's `index` undoes the fold; invocations
 * past `count` must return early.
 */
export const grid1D = (count: number, size = 256, z = 1): Grid => {
  const groups = Math.max(1, Math.ceil(count / size));
  if (groups <= MAX_WORKGROUPS) return [groups, 1, z];
  const y = Math.ceil(groups / MAX_WORKGROUPS);
  return [Math.ceil(groups / y), y, z];
};

/** Folds `count` workgroups (one per item, as for reductions) into x and y: the item is wid.x + wid.y·nwg.x. */
export const gridOfGroups = (count: number): Grid => grid1D(count, 1);

/** A validation error from recorded work, with the kernels that were recorded. */
export class GpuRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuRunError';
  }
}

const SLOT = 256;
const CHUNK = 64 * 1024;

interface UniformChunk {
  readonly buffer: GPUBuffer;
  readonly staging: ArrayBuffer;
  used: number;
}

export interface RunnerOptions {
  /**
   * The adapter runs WebGPU on the CPU (SwiftShader and the like, device.ts's `software`):
   * kernels that have a barrier-free variant use it (the GEMM), since workgroup barriers are
   * what costs most there.
   */
  readonly software?: boolean;
}

export class GpuRunner {
  readonly cache: PipelineCache;
  /** See RunnerOptions. */
  readonly software: boolean;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly chunks: UniformChunk[] = [];
  private chunkIndex = 0;
  private readonly pending: CompiledProgram[] = [];
  private readonly recorded: string[] = [];
  private scopeOpen = false;
  private empty: GPUBuffer | null = null;
  /** Dispatches recorded since the runner was made (for tests and timings). */
  dispatches = 0;

  constructor(
    readonly device: GPUDevice,
    cache?: PipelineCache,
    options: RunnerOptions = {},
  ) {
    this.cache = cache ?? new PipelineCache(device);
    this.software = options.software ?? false;
  }

  /** A small storage buffer to bind where a kernel's optional input is absent (its uniforms say so). */
  get placeholder(): GPUBuffer {
    this.empty ??= this.device.createBuffer({ label: 'placeholder', size: 16, usage: BufferUsage.STORAGE });
    return this.empty;
  }

  /** Compiles programs ahead of use; throws the first WgslCompileError. */
  async prepare(...programs: WgslProgram[]): Promise<void> {
    await Promise.all(programs.map((program) => this.cache.compile(program)));
  }

  /**
   * Records one dispatch of `program` over `grid` workgroups. `buffers` and `uniforms` must name
   * exactly the program's bindings and uniform fields; a missing, extra or ill-typed one throws
   * here, naming the kernel.
   */
  dispatch(
    program: WgslProgram,
    buffers: Readonly<Record<string, GPUBuffer>>,
    uniforms: Readonly<Record<string, number>>,
    grid: Grid,
  ): void {
    const compiled = this.cache.get(program);
    if (!this.pending.includes(compiled)) this.pending.push(compiled);
    const { name } = program;
    checkNames(
      name,
      'buffer',
      Object.keys(buffers),
      program.bindings.map((binding) => binding.name),
    );
    checkNames(name, 'uniform', Object.keys(uniforms), Object.keys(program.uniforms));
    for (const count of grid) {
      if (!Number.isInteger(count) || count < 0 || count > MAX_WORKGROUPS) {
        throw new RangeError(`kernel ${name}: a grid of ${grid.join('×')} workgroups is outside 0…${MAX_WORKGROUPS} per dimension`);
      }
    }
    if (grid[0] * grid[1] * grid[2] === 0) return;
    // Open the error scope before creating the bind group, so its errors are caught too.
    this.begin();
    const entries: GPUBindGroupEntry[] = [];
    if (compiled.uniformBytes > 0) entries.push({ binding: 0, resource: this.writeUniforms(program, uniforms, compiled.uniformBytes) });
    const first = compiled.uniformBytes > 0 ? 1 : 0;
    program.bindings.forEach((binding, i) => entries.push({ binding: first + i, resource: { buffer: buffers[binding.name] } }));
    const bindGroup = this.device.createBindGroup({ label: name, layout: compiled.layout, entries });
    const pass = this.openPass();
    pass.setPipeline(compiled.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    this.recorded.push(name);
    this.dispatches++;
  }

  /** Records a copy of `elements` 32-bit values between buffers (offsets in elements). */
  copy(source: GPUBuffer, sourceOffset: number, target: GPUBuffer, targetOffset: number, elements: number): void {
    if (elements === 0) return;
    this.closePass().copyBufferToBuffer(source, sourceOffset * 4, target, targetOffset * 4, elements * 4);
    this.recorded.push(`copy ${source.label} → ${target.label}`);
  }

  /** Records zeroing `elements` 32-bit values of `buffer` from `offset` (all of it by default). */
  clear(buffer: GPUBuffer, offset = 0, elements?: number): void {
    this.closePass().clearBuffer(buffer, offset * 4, elements === undefined ? undefined : elements * 4);
    this.recorded.push(`clear ${buffer.label}`);
  }

  /** Submits what was recorded, without waiting. */
  submit(): void {
    if (!this.encoder) return;
    this.pass?.end();
    this.pass = null;
    for (let i = 0; i < this.chunkIndex; i++) {
      const chunk = this.chunks[i];
      this.device.queue.writeBuffer(chunk.buffer, 0, chunk.staging, 0, chunk.used);
    }
    const current = this.chunks[this.chunkIndex];
    if (current && current.used > 0) this.device.queue.writeBuffer(current.buffer, 0, current.staging, 0, current.used);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    for (const chunk of this.chunks) chunk.used = 0;
    this.chunkIndex = 0;
  }

  /**
   * Submits, waits for the GPU to finish, and reports what went wrong: a WgslCompileError for a
   * kernel that did not compile, a GpuRunError for any other validation error.
   */
  async flush(): Promise<void> {
    this.submit();
    const pending = this.pending.splice(0);
    const recorded = this.recorded.splice(0);
    const scope = this.scopeOpen ? this.device.popErrorScope() : Promise.resolve(null);
    this.scopeOpen = false;
    await Promise.all(pending.map((compiled) => compiled.ready));
    const error = await scope;
    if (error) throw new GpuRunError(`${error.message}\n(while running: ${summarise(recorded)})`);
    await this.device.queue.onSubmittedWorkDone();
  }

  /** Flushes, then reads `length` 32-bit values of `buffer` from element `offset`. */
  async read(buffer: GPUBuffer, length: number, offset = 0): Promise<ArrayBuffer> {
    await this.flush();
    return readBack(this.device, buffer, length * 4, offset * 4);
  }

  async readFloats(buffer: GPUBuffer, length = buffer.size / 4, offset = 0): Promise<Float32Array> {
    return new Float32Array(await this.read(buffer, length, offset));
  }

  async readInts(buffer: GPUBuffer, length = buffer.size / 4, offset = 0): Promise<Int32Array> {
    return new Int32Array(await this.read(buffer, length, offset));
  }

  /**
   * Writes `data` into `buffer` at element `offset`, in order with recorded work: what was
   * recorded before sees the old contents, what is recorded after sees the new. (A queue write
   * runs when it is called, so the work recorded so far is submitted first.)
   */
  write(buffer: GPUBuffer, data: GpuData, offset = 0): void {
    this.submit();
    this.device.queue.writeBuffer(buffer, offset * 4, data.buffer, data.byteOffset, data.byteLength);
  }

  destroy(): void {
    for (const chunk of this.chunks) chunk.buffer.destroy();
    this.chunks.length = 0;
    this.empty?.destroy();
    this.empty = null;
  }

  private begin(): GPUCommandEncoder {
    if (!this.scopeOpen) {
      this.device.pushErrorScope('validation');
      this.scopeOpen = true;
    }
    this.encoder ??= this.device.createCommandEncoder({ label: 'cnn-studio kernels' });
    return this.encoder;
  }

  private openPass(): GPUComputePassEncoder {
    this.pass ??= this.begin().beginComputePass({ label: 'cnn-studio kernels' });
    return this.pass;
  }

  private closePass(): GPUCommandEncoder {
    this.pass?.end();
    this.pass = null;
    return this.begin();
  }

  /** Packs the uniform values into the next free slot; returns its binding. */
  private writeUniforms(program: WgslProgram, values: Readonly<Record<string, number>>, bytes: number): GPUBufferBinding {
    let chunk = this.chunks[this.chunkIndex];
    if (chunk && chunk.used + bytes > CHUNK) chunk = this.chunks[++this.chunkIndex];
    if (!chunk) {
      chunk = {
        buffer: this.device.createBuffer({ label: 'uniforms', size: CHUNK, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST }),
        staging: new ArrayBuffer(CHUNK),
        used: 0,
      };
      this.chunks[this.chunkIndex] = chunk;
    }
    const offset = chunk.used;
    const view = new DataView(chunk.staging, offset, bytes);
    Object.entries(program.uniforms).forEach(([name, type], i) => {
      const value = values[name];
      if (type === 'f32') view.setFloat32(i * 4, value, true);
      else if (type === 'i32' && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) view.setInt32(i * 4, value, true);
      else if (type === 'u32' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) view.setUint32(i * 4, value, true);
      else throw new RangeError(`kernel ${program.name}: uniform ${name} = ${value} is not a valid ${type}`);
    });
    chunk.used = Math.ceil((offset + bytes) / SLOT) * SLOT;
    return { buffer: chunk.buffer, offset, size: bytes };
  }
}

const checkNames = (kernel: string, what: string, given: readonly string[], wanted: readonly string[]): void => {
  const missing = wanted.filter((name) => !given.includes(name));
  const extra = given.filter((name) => !wanted.includes(name));
  if (missing.length > 0) throw new Error(`kernel ${kernel}: no ${what} given for ${missing.join(', ')}`);
  if (extra.length > 0) throw new Error(`kernel ${kernel}: it has no ${what} named ${extra.join(', ')}`);
};

/** "gemm ×3, im2col, col2im" */
const summarise = (names: readonly string[]): string => {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, count]) => (count > 1 ? `${name} ×${count}` : name)).join(', ') || 'nothing';
};
