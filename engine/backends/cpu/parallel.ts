/**
 * More cores for the float32 kernels: a fork-join over numbered work items, run by the calling
 * thread and by helper threads that share the heap (heap.ts) with it.
 *
 * The engine starts no threads itself: a host that can (electron/worker/thread-pool-node.ts with
 * worker_threads; Web Workers later) passes a `ThreadSpawner` to `useThreads`, and each helper
 * thread it starts calls `serveHelper` and stays there. Without one, or where the memory cannot
 * be shared, everything runs on the calling thread, item after item.
 *
 * Results never depend on the number of threads: a job's items write disjoint outputs, each
 * computed by one thread in a fixed order, and whatever crosses items (a weight gradient summed
 * over the batch) goes into per-item partial sums that the caller adds up in item order. Which
 * thread runs an item changes nothing but the time.
 *
 * The handshake lives in the heap's control block (Int32 slots). The caller writes the job (its
 * id, item count, arguments), then NEXT = (generation, item 0), then each helper's TASK slot =
 * generation, and wakes them. Every thread claims items by compare-and-swap on NEXT, which only
 * succeeds while NEXT still holds that generation and items are left, and counts each finished
 * item in DONE; the caller returns when DONE reaches the count. So the caller never waits for a
 * helper that is slow to wake (it simply does more items itself), and a helper that wakes late
 * reads arguments that are still the job's whenever its claim succeeds: the caller only writes the
 * next job once every item is claimed. Waits spin a little before they sleep (Atomics.wait), since
 * the next job usually follows within microseconds.
 */
import { attachHeap, CONTROL_BYTES, heap, heapI32, Region, type WasmMemory } from './heap';

/** What a host hands the engine so that it can use more cores. */
export interface ThreadSpawner {
  /** Starts a thread that calls `serveHelper(start)` (the message is structured-clonable) and stays in it. */
  spawn(start: HelperStart): HelperThread;
}

export interface HelperThread {
  terminate(): void;
}

export interface HelperStart {
  /** The heap's shared WebAssembly.Memory. */
  readonly memory: WasmMemory;
  /** Whether the heap runs the FMA build of the kernels: the helper instantiates the same one. */
  readonly fma: boolean;
  /** The helper's thread number, from 1 (the calling thread is 0). */
  readonly index: number;
}

/** One kind of work item: `run(args, item, thread)`, with the arguments its caller passed. */
export interface Job {
  readonly id: number;
  readonly name: string;
  readonly run: (args: Float64Array, item: number, thread: number) => void;
}

/** Threads at most, the calling one included. */
export const MAX_THREADS = 64;
/** Numeric arguments a job can take. */
export const MAX_ARGS = 192;
/** Items a job can have: NEXT holds the item in its low 16 bits and the generation above. */
const MAX_ITEMS = 0xffff;
const GENERATIONS = 0x7fff;

// Int32 slots of the control block.
const NEXT = 0;
const DONE = 1;
const COUNT = 2;
const JOB = 3;
const FAILED = 4;
const TASK = 64;
const READY = TASK + MAX_THREADS;
const PACK = READY + MAX_THREADS;
const WORK = PACK + MAX_THREADS;
/** Float64 arguments after the slots. */
const ARGS_BYTE = 4 * (WORK + MAX_THREADS);
if (ARGS_BYTE + 8 * MAX_ARGS > CONTROL_BYTES) throw new Error('parallel.ts: the control block is too small');

/**
 * Loads of a slot before a waiting thread goes to sleep: a helper waits for the next job some
 * tens of microseconds (it usually follows at once); the caller waits for the last items only a
 * few, so that on a busy machine it does not spin away the time slice a helper needs.
 */
const HELPER_SPIN = 1 << 15;
const CALLER_SPIN = 1 << 11;

const jobs = new Map<number, Job>();

/** Declares a kind of work item; every thread must define the same jobs (module load does it). */
export const defineJob = (name: string, run: Job['run']): Job => {
  let id = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < name.length; i++) id = Math.imul(id ^ name.charCodeAt(i), 0x01000193);
  const clash = jobs.get(id);
  if (clash && clash.name !== name) throw new Error(`jobs '${name}' and '${clash.name}' have the same id`);
  const job = { id, name, run };
  jobs.set(id, job);
  return job;
};

/** Helper threads to run (thread numbers 1 … planned), and those started so far. */
let planned = 0;
let spawn: ThreadSpawner | null = null;
let helpers: HelperThread[] = [];
/** This thread's number: 0 on the calling thread, from 1 on helpers. */
let self = 0;
let generation = 0;
let running = false;

/** Threads that take work items (helpers not yet started or still starting included), the calling one counted. */
export const threadCount = (): number => 1 + planned;

/** Threads ready to take work items now, the calling one counted: threadCount() once every helper has started. */
export const readyThreads = (): number => {
  if (!helpers.length) return 1;
  const ctl = heapI32();
  let ready = 1;
  for (let index = 1; index <= helpers.length; index++) ready += Atomics.load(ctl, READY + index);
  return ready;
};

/** Whether a parallelFor from here would use other threads: not inside another's items, nor on a helper. */
export const canFork = (): boolean => !running && planned > 0;

/**
 * Runs the float32 kernels on `threads` threads (the calling one and threads − 1 helpers that
 * `spawner` starts), or on the calling thread alone for 1 or without a spawner. Returns the number
 * it will use: 1 where the memory cannot be shared. The helpers start with the first work that
 * can use them (or at `startHelpers`), so a process that never runs the CPU kernels never pays
 * for them; each joins the work once it has started.
 */
export const useThreads = (threads: number, spawner?: ThreadSpawner): number => {
  stopHelpers();
  const h = heap();
  const count = Math.max(1, Math.min(MAX_THREADS, Math.floor(threads)));
  if (!spawner || count === 1 || !h?.shared) return 1;
  const ctl = heapI32();
  for (let index = 1; index < count; index++) {
    Atomics.store(ctl, TASK + index, 0);
    Atomics.store(ctl, READY + index, 0);
    prepareThread(index, 0);
  }
  planned = count - 1;
  spawn = spawner;
  return count;
};

/** Starts the helpers that useThreads planned, if they have not started yet. */
export const startHelpers = (): void => {
  const h = heap();
  while (spawn && h && helpers.length < planned) helpers.push(spawn.spawn({ memory: h.memory, fma: h.fma, index: helpers.length + 1 }));
};

const stopHelpers = (): void => {
  for (let index = 1; index <= helpers.length; index++) {
    Atomics.store(heapI32(), TASK + index, -1);
    Atomics.notify(heapI32(), TASK + index);
  }
  for (const helper of helpers) helper.terminate();
  helpers = [];
  planned = 0;
  spawn = null;
};

// ---------------------------------------------------------------- per-thread memory

/** Bytes of a thread's GEMM packing area: a 4×8 tile, then packed A (MC×KC) and packed B (KC×NC). */
export const PACK_BYTES = 256 + 128 * 256 * 4 + 256 * 1024 * 4;
const packs: Region[] = [];
const works: Region[] = [];

const prepareThread = (thread: number, workBytes: number): void => {
  packs[thread] ??= new Region();
  works[thread] ??= new Region();
  const pack = packs[thread].reserve(PACK_BYTES);
  const work = works[thread].reserve(Math.max(workBytes, 64));
  if (pack < 0 || work < 0) throw new Error('the WebAssembly heap cannot grow any further');
  const ctl = heapI32(); // after reserve, which may have grown the memory
  ctl[PACK + thread] = pack;
  ctl[WORK + thread] = work;
};

/** Makes every thread's workspace at least `bytes` long (call before a job that uses it). */
export const prepareWorkspaces = (bytes: number): void => {
  for (let thread = 0; thread < threadCount(); thread++) prepareThread(thread, bytes);
};

/** The byte address of a thread's GEMM packing area (PACK_BYTES). */
export const packArea = (thread: number): number => {
  if (thread === 0 && !packs[0]) prepareThread(0, 0);
  return heapI32()[PACK + thread];
};

/** The byte address of a thread's workspace, as long as the last prepareWorkspaces asked. */
export const workspace = (thread: number): number => heapI32()[WORK + thread];

// ---------------------------------------------------------------- fork and join

let argsView: Float64Array = new Float64Array(0);

const sharedArgs = (): Float64Array => {
  const buffer = heapI32().buffer;
  if (argsView.buffer !== buffer) argsView = new Float64Array(buffer, ARGS_BYTE, MAX_ARGS);
  return argsView;
};

/**
 * Claims and runs items of generation `task` until none are left; returns the first error (its
 * items after it are claimed but skipped, so that the job still ends). Item numbers come from NEXT
 * by compare-and-swap, so a claim fails once the job is over.
 */
const runItems = (ctl: Int32Array, task: number, job: Job | undefined, count: number, args: Float64Array, thread: number): unknown => {
  const first = task << 16;
  let failure: unknown = null;
  for (;;) {
    const next = Atomics.load(ctl, NEXT);
    if (next - first < 0 || next - first >= count) return failure;
    if (Atomics.compareExchange(ctl, NEXT, next, next + 1) !== next) continue;
    try {
      if (failure) throw failure;
      if (!job) throw new Error(`unknown job ${Atomics.load(ctl, JOB)}: this thread loads other modules than the caller`);
      job.run(args, next - first, thread);
    } catch (error) {
      failure = error;
      Atomics.store(ctl, FAILED, 1);
    } finally {
      // The last item done wakes the caller, if it went to sleep.
      if (Atomics.add(ctl, DONE, 1) === count - 1 && thread) Atomics.notify(ctl, DONE);
    }
  }
};

/** Waits until ctl[slot] equals `value` (spinning a little first). */
const waitFor = (ctl: Int32Array, slot: number, value: number): void => {
  let seen = Atomics.load(ctl, slot);
  for (let spin = 0; seen !== value && spin < CALLER_SPIN; spin++) seen = Atomics.load(ctl, slot);
  while (seen !== value) {
    Atomics.wait(ctl, slot, seen);
    seen = Atomics.load(ctl, slot);
  }
};

/**
 * Runs job items 0 … count − 1, each once, on this thread and the helpers; returns when all are
 * done. `args` (at most MAX_ARGS values) reach every item. Inside an item, everything runs on its
 * own thread: a nested parallelFor does its items in turn.
 */
export const parallelFor = (job: Job, count: number, args: Float64Array): void => {
  if (count <= 0) return;
  if (!canFork() || count === 1 || count > MAX_ITEMS) {
    for (let item = 0; item < count; item++) job.run(args, item, self);
    return;
  }
  if (helpers.length < planned) startHelpers();
  running = true;
  const ctl = heapI32();
  generation = generation >= GENERATIONS ? 1 : generation + 1;
  sharedArgs().set(args.length > MAX_ARGS ? args.subarray(0, MAX_ARGS) : args);
  Atomics.store(ctl, COUNT, count);
  Atomics.store(ctl, JOB, job.id);
  Atomics.store(ctl, FAILED, 0);
  Atomics.store(ctl, DONE, 0);
  Atomics.store(ctl, NEXT, generation << 16);
  for (let index = 1; index <= helpers.length; index++) {
    Atomics.store(ctl, TASK + index, generation);
    Atomics.notify(ctl, TASK + index);
  }
  const failure = runItems(ctl, generation, job, count, args, 0);
  waitFor(ctl, DONE, count);
  running = false;
  if (failure) throw failure;
  if (Atomics.load(ctl, FAILED)) throw new Error(`a helper thread failed in job '${job.name}' (its error is on its stderr)`);
};

/** A helper thread's life: waits for jobs and runs their items until told to stop. */
export const serveHelper = (start: HelperStart): void => {
  attachHeap(start.memory, start.fma);
  const me = start.index;
  self = me;
  const ctl = heapI32();
  const args = new Float64Array(MAX_ARGS);
  let seen = Atomics.load(ctl, TASK + me);
  Atomics.store(ctl, READY + me, 1);
  for (;;) {
    let task = Atomics.load(ctl, TASK + me);
    for (let spin = 0; task === seen && spin < HELPER_SPIN; spin++) task = Atomics.load(ctl, TASK + me);
    while (task === seen) {
      Atomics.wait(ctl, TASK + me, seen);
      task = Atomics.load(ctl, TASK + me);
    }
    if (task < 0) return;
    seen = task;
    // Read before claiming: a claim of this generation succeeds only while these are still its.
    args.set(sharedArgs());
    const count = Atomics.load(ctl, COUNT);
    const failure = runItems(ctl, task, jobs.get(Atomics.load(ctl, JOB)), count, args, me);
    if (failure) console.error(`helper thread ${me}:`, failure);
  }
};
