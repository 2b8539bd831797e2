/**
 * The CPU backend's WebAssembly heap: the one memory that the float32 kernels of
 * kernels/wasm/sgemm.wat work in, and an allocator over it.
 *
 * Where the runtime has SharedArrayBuffer (Node, cross-origin-isolated pages) the memory is
 * shared: growing it never detaches the views made before, so the plan's activations and
 * gradients can live in it for good (`heapFloats`), the kernels then run on them in place with no
 * copying, and helper threads (parallel.ts) instantiate the same module over the same memory.
 * Elsewhere the memory is private and `heapFloats` hands out ordinary arrays; the kernels then
 * stage their operands (gemm-wasm.ts) or run in JavaScript.
 *
 * The module (~11 KB) is compiled synchronously on first use: workers allow that at any size, and
 * a page's main thread too since Chromium 114 lifted its old 4 KB limit. It comes in two builds of
 * one source (scripts/build-wasm.mjs): where the runtime validates relaxed SIMD (Chromium, Electron;
 * Node 20 only with the V8 flag --experimental-wasm-relaxed-simd, which our Node hosts set) the FMA
 * build, whose micro-kernel uses f32x4.relaxed_madd; elsewhere the plain one. Every thread runs the
 * build the heap was made with, so a computation gives the same bits whatever the thread count.
 *
 * Layout: the first CONTROL_BYTES hold parallel.ts's control block; the rest is handed out in
 * 64-byte-aligned blocks, first fit, freed blocks merged with their neighbours. A block behind a
 * `heapFloats` array is freed when the array is garbage-collected (a FinalizationRegistry), so
 * keep the array itself, not only a subarray of it, for as long as you use its memory.
 */
import { SGEMM_FMA_WASM_BASE64, SGEMM_WASM_BASE64 } from './kernels/gemm-wasm.generated';

export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}

/** The part of the WebAssembly JS API used here (the engine's type libraries have no DOM). */
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  validate(bytes: Uint8Array): boolean;
}

/** The module's exports: byte addresses, element counts and strides (see sgemm.wat). */
export interface Kernels {
  scale(c: number, ldc: number, m: number, n: number, beta: number): void;
  pack_a(trans: number, a: number, lda: number, mc: number, kc: number, dst: number): void;
  pack_b(trans: number, b: number, ldb: number, kc: number, nc: number, dst: number): void;
  block(mc: number, nc: number, kc: number, pa: number, pb: number, c: number, ldc: number, alpha: number, tile: number): void;
  zero(dst: number, n: number): void;
  add(dst: number, src: number, n: number): void;
  copy2d(src: number, sld: number, dst: number, dld: number, rows: number, cols: number, bias: number): void;
  row_sums(src: number, ld: number, rows: number, cols: number, dst: number): void;
  relu(x: number, y: number, n: number): void;
  relu_grad(x: number, g: number, gi: number, n: number): void;
  // prettier-ignore
  im2col(back: number, x: number, channels: number, inH: number, inW: number, outH: number, outW: number, kh: number, kw: number,
    sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, col: number, ldc: number): void;
  // prettier-ignore
  maxpool(x: number, y: number, arg: number, planes: number, inH: number, inW: number, outH: number, outW: number, kh: number, kw: number,
    sh: number, sw: number, pt: number, pl: number): void;
  maxpool_grad(g: number, gi: number, arg: number, planes: number, inPlane: number, outPlane: number): void;
  // prettier-ignore
  dw_forward(x: number, channels: number, inH: number, inW: number, m: number, w: number, bias: number, y: number, outH: number,
    outW: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, xp: number, H: number,
    W: number): void;
  // prettier-ignore
  dw_backward(x: number, dy: number, dx: number, acc: number, channels: number, inH: number, inW: number, m: number, w: number,
    outH: number, outW: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number,
    xp: number, dxp: number, H: number, W: number, wf: number, dyp: number, tmp: number, T: number, L: number, H2: number, W2: number): void;
  // prettier-ignore
  wino_in(x: number, channels: number, inH: number, inW: number, pt: number, pl: number, tilesH: number, tilesW: number, v: number,
    ldv: number, ldm: number, scratch: number): void;
  // prettier-ignore
  wino_out(m: number, ldv: number, ldm: number, rows: number, tilesH: number, tilesW: number, y: number, outH: number, outW: number,
    bias: number, acc: number, scratch: number): void;
  // prettier-ignore
  wino_dy(dy: number, channels: number, outH: number, outW: number, tilesH: number, tilesW: number, w: number, ldv: number, ldm: number,
    scratch: number): void;
}

export interface Heap {
  readonly kernels: Kernels;
  readonly memory: WasmMemory;
  /** True where the memory is a shared one: views survive growth, and threads can share it. */
  readonly shared: boolean;
  /** True where the kernels are the FMA build (f32x4.relaxed_madd in the micro-kernel). */
  readonly fma: boolean;
}

const PAGE = 65536;
/** 2 GiB: every byte address fits a signed 32-bit integer. */
const MAX_PAGES = 32768;
/** parallel.ts's control block at the bottom of the memory. */
export const CONTROL_BYTES = 4096;
const ALIGN = 64;

/** undefined: not tried yet; null: unavailable here (no WebAssembly, or no SIMD). */
let current: Heap | null | undefined;
let f32: Float32Array = new Float32Array(0);
let i32: Int32Array = new Int32Array(0);
/** Every buffer object the memory has had (a shared memory gets a new one each time it grows). */
let buffers = new WeakSet<ArrayBufferLike>();

const wasmApi = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** `(func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd …))`: valid only with relaxed SIMD. */
// prettier-ignore
const RELAXED_SIMD_PROBE = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
];

/** Whether this runtime validates relaxed SIMD, so that the FMA build can run. */
export const relaxedSimdAvailable = (): boolean => {
  try {
    return wasmApi()?.validate(new Uint8Array(RELAXED_SIMD_PROBE)) ?? false;
  } catch {
    return false;
  }
};

/**
 * The module's bytes (the FMA build with `fma`), with its memory import marked shared when
 * `shared` (see sgemm.wat's header).
 */
export const moduleBytes = (shared: boolean, fma = false): Uint8Array => {
  const binary = atob(fma ? SGEMM_FMA_WASM_BASE64 : SGEMM_WASM_BASE64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  if (shared) bytes[memoryLimitsFlag(bytes)] |= 2;
  return bytes;
};

/** The offset of the limits flag of the module's one import, the memory (in the import section, id 2). */
const memoryLimitsFlag = (bytes: Uint8Array): number => {
  let at = 8; // past the magic number and the version
  const leb = (): number => {
    let value = 0;
    for (let shift = 0; at < bytes.length; shift += 7) {
      const byte = bytes[at++];
      value |= (byte & 0x7f) << shift;
      if (!(byte & 0x80)) return value;
    }
    throw new Error('sgemm.wat: the module ends inside a number');
  };
  const skip = (): void => {
    const length = leb();
    at += length;
  };
  while (at < bytes.length && bytes[at] !== 2) {
    at++; // a section before the imports: its id, then its size and contents
    skip();
  }
  if (at >= bytes.length) throw new Error('sgemm.wat: the module has no imports');
  at++;
  leb(); // the section's size
  if (leb() !== 1) throw new Error('sgemm.wat: its one import must be the memory');
  skip(); // the module name
  skip(); // the field name
  if (bytes[at] !== 2) throw new Error('sgemm.wat: its one import must be the memory');
  return at + 1;
};

const instantiate = (api: WasmApi, memory: WasmMemory, shared: boolean, fma: boolean): Kernels =>
  new api.Instance(new api.Module(moduleBytes(shared, fma)), { env: { memory } }).exports as Kernels;

const create = (): Heap | null => {
  const api = wasmApi();
  if (!api) return null;
  const builds = relaxedSimdAvailable() ? [true, false] : [false];
  for (const shared of typeof SharedArrayBuffer === 'function' ? [true, false] : [false]) {
    for (const fma of builds) {
      try {
        const memory = new api.Memory({ initial: 1, maximum: MAX_PAGES, shared });
        return { kernels: instantiate(api, memory, shared, fma), memory, shared, fma };
      } catch {
        // no SIMD, no relaxed SIMD after all, or no shared memory here: try the next, or give up
      }
    }
  }
  return null;
};

/** The heap, created on first use; null where WebAssembly SIMD is missing. */
export const heap = (): Heap | null => {
  if (current === undefined) {
    current = create();
    if (current) refresh();
  }
  return current;
};

/**
 * On a helper thread: instantiates the main thread's build of the module (the FMA one with `fma`)
 * over its shared memory.
 */
export const attachHeap = (memory: WasmMemory, fma: boolean): Heap => {
  const api = wasmApi();
  if (!api) throw new Error('no WebAssembly on this thread');
  if (fma && !relaxedSimdAvailable()) {
    throw new Error('the main thread runs the FMA build of the CPU kernels, but this thread has no relaxed SIMD');
  }
  current = { kernels: instantiate(api, memory, true, fma), memory, shared: true, fma };
  buffers = new WeakSet();
  refresh();
  return current;
};

/** Remakes the views after the memory grew (here or, when shared, on another thread). */
const refresh = (): void => {
  const buffer = current!.memory.buffer;
  if (f32.buffer === buffer) return;
  buffers.add(buffer);
  f32 = new Float32Array(buffer);
  i32 = new Int32Array(buffer);
};

/** The whole memory as float32 values (index = byte address / 4); call again after anything that may grow it. */
export const heapF32 = (): Float32Array => {
  if (f32.byteLength !== current!.memory.buffer.byteLength) refresh();
  return f32;
};

export const heapI32 = (): Int32Array => {
  if (i32.byteLength !== current!.memory.buffer.byteLength) refresh();
  return i32;
};

/** The byte address of an array that lives in the heap, or −1 for any other array. */
export const heapAddress = (array: ArrayBufferView): number => (buffers.has(array.buffer) ? array.byteOffset : -1);

// ---------------------------------------------------------------- the allocator

/** The first byte never handed out; everything above it is free. */
let top = CONTROL_BYTES;
/** Freed blocks below top, sorted by address, never adjacent: [start, bytes, start, bytes, …]. */
const free: number[] = [];

/** A block of at least `bytes` (64-byte aligned), or −1 when the memory cannot grow to hold it. */
export const allocate = (bytes: number): number => {
  const h = heap();
  if (!h) return -1;
  const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  for (let i = 0; i < free.length; i += 2) {
    if (free[i + 1] < size) continue;
    const at = free[i];
    if (free[i + 1] === size) free.splice(i, 2);
    else {
      free[i] += size;
      free[i + 1] -= size;
    }
    return at;
  }
  const end = top + size;
  const have = h.memory.buffer.byteLength;
  if (end > have) {
    // Grow by a quarter more than asked, so a slowly rising size does not grow it every time.
    const pages = Math.min(MAX_PAGES, Math.ceil((end + (end >> 2)) / PAGE)) - have / PAGE;
    if (end > MAX_PAGES * PAGE) return -1;
    try {
      h.memory.grow(Math.max(pages, Math.ceil(end / PAGE) - have / PAGE));
    } catch {
      return -1;
    }
    refresh();
  }
  top = end;
  return end - size;
};

/** Returns a block from `allocate` (of the same `bytes`). */
export const release = (at: number, bytes: number): void => {
  const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  let i = 0;
  while (i < free.length && free[i] < at) i += 2;
  free.splice(i, 0, at, size);
  // Merge with the next block, then with the previous one: [start, a, next, b] → [start, a + b].
  if (i + 2 < free.length && free[i] + free[i + 1] === free[i + 2]) free.splice(i + 1, 3, free[i + 1] + free[i + 3]);
  if (i >= 2 && free[i - 2] + free[i - 1] === free[i]) free.splice(i - 1, 3, free[i - 1] + free[i + 1]);
  // A free block at the top gives its space back to the top.
  const last = free.length - 2;
  if (last >= 0 && free[last] + free[last + 1] === top) {
    top = free[last];
    free.length = last;
  }
};

const reclaim = new FinalizationRegistry<readonly [number, number]>(([at, bytes]) => release(at, bytes));

const resident = <T extends Float32Array | Int32Array>(
  length: number,
  Kind: new (buffer: ArrayBufferLike, at: number, length: number) => T,
) => {
  const h = heap();
  if (!h?.shared) return null;
  const bytes = Math.max(4, length * 4);
  const at = allocate(bytes);
  if (at < 0) return null;
  const array = new Kind(heapF32().buffer, at, length); // a buffer object that heapAddress knows
  reclaim.register(array, [at, bytes]);
  return array;
};

/**
 * A zeroed float32 array that lives in the heap where it can for good (a shared memory), or an
 * ordinary one. The plan allocates its buffers here, so that the kernels run on them in place.
 */
export const heapFloats = (length: number): Float32Array => {
  const array = resident(length, Float32Array);
  if (!array) return new Float32Array(length);
  array.fill(0);
  return array;
};

export const heapInts = (length: number): Int32Array => {
  const array = resident(length, Int32Array);
  if (!array) return new Int32Array(length);
  array.fill(0);
  return array;
};

/**
 * A scratch block that grows on demand and never shrinks, for data that lives within one call
 * (staged operands, a thread's workspace). Only the main thread reserves.
 */
export class Region {
  private at = -1;
  private bytes = 0;

  /** The block's address, at least `bytes` long (its old contents are lost when it moves), or −1. */
  reserve(bytes: number): number {
    if (bytes <= this.bytes) return this.at;
    if (this.at >= 0) release(this.at, this.bytes);
    const want = Math.ceil((bytes + (bytes >> 2)) / ALIGN) * ALIGN;
    this.at = allocate(want);
    this.bytes = this.at < 0 ? 0 : want;
    return this.at;
  }

  /** The address of the block (−1 before the first reserve). */
  get address(): number {
    return this.at;
  }
}
