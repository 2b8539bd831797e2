/**
 * The GPU window page's training data when the dataset is read from files: a Dataset whose
 * samples come from the data server process over the data port (../data-protocol.ts). `fetchSamples`
 * fetches samples before `fill` reads them (the GPU trainer loads each batch, and asks for the
 * next one while the GPU works on this one); fetched samples are kept, up to `cacheBytes`, the
 * oldest dropped first, so later epochs of a dataset that fits read nothing more. A split whose
 * samples differ at each read (augmentation) fetches a sample again once it has been read.
 */
import type { Dataset, TargetKind } from '../../../engine/data/dataset';
import type { DatasetProblem } from '../../../engine/data/problems';
import { elementCount, type Shape } from '../../../engine/graph/shape';
import {
  MAX_SAMPLES_PER_REQUEST,
  validateDataReply,
  type DataReply,
  type DataRequest,
  type DataSplit,
  type SplitMeta,
} from '../data-protocol';

/** A browser MessagePort (Node's worker_threads ports have the same surface), the parts used. */
export interface DataPort {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown, transfer?: unknown[]): void;
}

/** What the page keeps of fetched samples, at most (512 MiB). */
export const DEFAULT_CACHE_BYTES = 512 * 1024 * 1024;

type Ask = { type: 'open' } | { type: 'samples'; split: DataSplit; indices: Int32Array };
type Answer<T extends DataReply['type']> = Extract<DataReply, { type: T }>;

/** Requests and their answers over one data port; `problems` grows with what the server reports. */
export class DataPortClient {
  readonly problems: DatasetProblem[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: DataReply) => void; reject: (error: Error) => void }>();

  constructor(private readonly port: DataPort) {
    port.onmessage = (event) => this.receive(event.data);
  }

  async ask<T extends DataReply['type']>(request: Ask, expected: T): Promise<Answer<T>> {
    const requestId = this.nextId++;
    const reply = await new Promise<DataReply>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      const message: DataRequest = { ...request, requestId };
      this.port.postMessage(message);
    });
    if (reply.type === 'error') throw new Error(reply.reason);
    if (reply.type !== expected) throw new Error(`the data server answered ${reply.type} to ${request.type}`);
    return reply as Answer<T>;
  }

  private receive(raw: unknown): void {
    let reply: DataReply;
    try {
      reply = validateDataReply(raw);
    } catch (error) {
      // A reply that cannot be read cannot be matched to its request: every waiting request fails.
      for (const waiting of this.pending.values()) waiting.reject(error as Error);
      this.pending.clear();
      return;
    }
    if (reply.type !== 'error') this.problems.push(...reply.problems);
    const waiting = this.pending.get(reply.requestId);
    this.pending.delete(reply.requestId);
    waiting?.resolve(reply);
  }
}

/** Samples kept by the page, oldest first, within a byte budget shared by the splits. */
class SampleCache {
  private bytes = 0;
  private readonly samples = new Map<string, { x: Float32Array; y: Int32Array | Float32Array }>();

  constructor(readonly limit: number) {}

  get(key: string) {
    return this.samples.get(key);
  }

  delete(key: string): void {
    const sample = this.samples.get(key);
    if (!sample) return;
    this.samples.delete(key);
    this.bytes -= sample.x.byteLength + sample.y.byteLength;
  }

  put(key: string, x: Float32Array, y: Int32Array | Float32Array): void {
    this.delete(key);
    this.samples.set(key, { x, y });
    this.bytes += x.byteLength + y.byteLength;
    for (const [oldest, sample] of this.samples) {
      if (this.bytes <= this.limit) break;
      this.samples.delete(oldest);
      this.bytes -= sample.x.byteLength + sample.y.byteLength;
    }
  }
}

export class RemoteDataset implements Dataset {
  readonly name: string;
  readonly size: number;
  readonly sampleShape: Shape;
  readonly target: TargetKind;
  private readonly sampleSize: number;
  private readonly targetSize: number;
  private readonly varies: boolean;
  /** Of a split that varies: the samples read since they were fetched. */
  private readonly read = new Set<number>();
  private readonly inFlight = new Map<number, Promise<void>>();

  constructor(
    meta: SplitMeta,
    private readonly split: DataSplit,
    private readonly client: DataPortClient,
    private readonly cache: SampleCache,
  ) {
    this.name = meta.name;
    this.size = meta.size;
    this.sampleShape = meta.sampleShape;
    this.target = meta.target;
    this.varies = meta.varies;
    this.sampleSize = elementCount(meta.sampleShape);
    this.targetSize = meta.target.kind === 'class' ? 1 : elementCount(meta.target.shape);
  }

  /** Fetches samples `indices[start .. start + count)` that the page does not hold yet. */
  async fetchSamples(indices: Int32Array, start: number, count: number): Promise<void> {
    const sampleBytes = 4 * (this.sampleSize + this.targetSize);
    if (count * sampleBytes > this.cache.limit) {
      const mib = (bytes: number) => Math.ceil(bytes / 2 ** 20);
      throw new Error(
        `${count} samples of ${this.name} need ${mib(count * sampleBytes)} MiB, more than the GPU window keeps (${mib(this.cache.limit)} MiB)`,
      );
    }
    const waits = new Set<Promise<void>>();
    const missing: number[] = [];
    for (const index of new Set(indices.subarray(start, start + count))) {
      if (this.cache.get(this.key(index)) && !this.read.has(index)) continue;
      const fetching = this.inFlight.get(index);
      if (fetching) waits.add(fetching);
      else missing.push(index);
    }
    for (let first = 0; first < missing.length; first += MAX_SAMPLES_PER_REQUEST) {
      const chunk = Int32Array.from(missing.slice(first, first + MAX_SAMPLES_PER_REQUEST));
      const fetching = this.fetch(chunk);
      for (const index of chunk) this.inFlight.set(index, fetching);
      void fetching.then(
        () => chunk.forEach((index) => this.inFlight.delete(index)),
        () => chunk.forEach((index) => this.inFlight.delete(index)),
      );
      waits.add(fetching);
    }
    await Promise.all(waits);
  }

  fill(indices: Int32Array, start: number, count: number, x: Float32Array, y: Int32Array | Float32Array): void {
    for (let i = 0; i < count; i++) {
      const index = indices[start + i];
      const sample = this.cache.get(this.key(index));
      if (!sample) throw new Error(`sample ${index} of ${this.name} was read before it was fetched from the data server`);
      x.set(sample.x, i * this.sampleSize);
      y.set(sample.y, i * this.targetSize);
      if (this.varies) this.read.add(index);
    }
  }

  private key(index: number): string {
    return `${this.split}:${index}`;
  }

  private async fetch(indices: Int32Array): Promise<void> {
    const reply = await this.client.ask({ type: 'samples', split: this.split, indices }, 'samples');
    const { sampleSize, targetSize } = this;
    if (reply.x.length !== indices.length * sampleSize || reply.y.length !== indices.length * targetSize)
      throw new Error(
        `the data server sent ${reply.x.length} values for ${indices.length} samples of ${this.name}; expected ${indices.length * sampleSize}`,
      );
    indices.forEach((index, i) => {
      this.read.delete(index);
      this.cache.put(
        this.key(index),
        reply.x.slice(i * sampleSize, (i + 1) * sampleSize),
        reply.y.slice(i * targetSize, (i + 1) * targetSize),
      );
    });
  }
}

/** Opens the job's dataset through the data server: training and validation splits, and the problems list. */
export const openRemoteTrainingData = async (
  port: DataPort,
  cacheBytes = DEFAULT_CACHE_BYTES,
): Promise<{ train: RemoteDataset; validation?: RemoteDataset; problems: DatasetProblem[] }> => {
  const client = new DataPortClient(port);
  const meta = await client.ask({ type: 'open' }, 'meta');
  const cache = new SampleCache(cacheBytes);
  return {
    train: new RemoteDataset(meta.train, 'train', client, cache),
    ...(meta.validation ? { validation: new RemoteDataset(meta.validation, 'validation', client, cache) } : {}),
    problems: client.problems,
  };
};
