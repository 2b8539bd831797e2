/**
 * `requestVisual` on the host: a running (or paused) job's worker answers between its training
 * steps; a job that has ended is answered here, from the weights it ended with (its final
 * weights, else its last checkpoint), through the same code the worker runs (visual-compute.ts).
 * Tensors leave as base64 float32 (see `WireTensor` in api.ts).
 */
import type { VisualReply, VisualRequest, WireTensor } from '../../api';
import { convertAnalysis } from '../../../engine/viz/analysis';
import { convertFilterGradients } from '../../../engine/viz/filter-gradients';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { compileModel } from '../../../engine/train/plan';
import type { Job } from '../../services/jobs/job-manager';
import { PROTOCOL_VERSION } from '../../worker/protocol';
import { openTrainingData } from '../../worker/training-data';
import { computeVisual, visualFailure, type VisualSource } from '../../worker/visual-compute';
import {
  checkVisualRequest,
  type VisualReplyMessage,
  type VisualRequestMessage,
  type VisualTensorMessage,
} from '../../worker/visual-protocol';
import { RequestError, VisualError } from './errors';

/** How long a worker may take to answer. */
export const VISUAL_TIMEOUT_MS = 30_000;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 256;

/** Checks a request's argument as it arrives; throws RequestError saying what is wrong. */
export const checkVisualArgument = (value: unknown): VisualRequest => {
  if (!isRecord(value)) throw new RequestError('the visual request must be an object such as { kind: "filters", nodeId: "conv1" }');
  const { sample } = value;
  // the worker protocol's own check, less the fields the host adds
  const problem = checkVisualRequest({ ...value, requestId: 0 });
  if (problem) throw new RequestError(`the visual request: ${problem}`);
  if (value.nodeId !== undefined && !isId(value.nodeId)) throw new RequestError('nodeId must be a layer id');
  if (sample !== undefined && !(typeof sample === 'number' && sample < 2 ** 31))
    throw new RequestError(`the sample must be a whole number from 0, not ${JSON.stringify(sample)}`);
  return value as unknown as VisualRequest;
};

const wire = (tensor: VisualTensorMessage): WireTensor => ({
  nodeId: tensor.nodeId,
  name: tensor.name,
  shape: tensor.shape,
  data: Buffer.from(tensor.values.buffer, tensor.values.byteOffset, tensor.values.byteLength).toString('base64'),
});

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

export const toVisualReply = (message: VisualReplyMessage, source: VisualReply['source']): VisualReply => {
  if (message.error !== undefined) throw new VisualError(message.error);
  const sample = message.sample;
  return {
    kind: message.kind,
    source,
    epoch: message.epoch,
    globalStep: message.globalStep,
    tensors: message.tensors.map(wire),
    ...(sample ? { sample: { ...sample, input: wire(sample.input), output: wire(sample.output) } } : {}),
    ...(message.analysis
      ? {
          analysis: convertAnalysis(message.analysis, base64),
        }
      : {}),
    ...(message.gradients ? { gradients: convertFilterGradients(message.gradients, base64) } : {}),
  };
};

/** How far an ended job got, for the reply (the host keeps no step count of its own). */
export interface JobProgress {
  readonly epoch: number;
  readonly globalStep: number;
}

export class VisualRequests {
  private nextId = 1;
  /** The model and data of the last ended job asked about (compiling and opening them takes a moment). */
  private ended: { job: Job; source: VisualSource } | null = null;

  async ask(job: Job, request: VisualRequest, progress: () => JobProgress): Promise<VisualReply> {
    if (job.state === 'queued') throw new VisualError('the run is waiting for another to finish; ask again once it trains');
    const message: VisualRequestMessage = { type: 'visual', requestId: this.nextId++, ...request };
    if (!job.isOver && job.worker) {
      const answer = await this.fromWorker(job, message);
      if (answer) return toVisualReply(answer, 'live');
    }
    const source = this.endedSource(job, progress());
    let answer: VisualReplyMessage;
    try {
      answer = computeVisual(source, message);
    } catch (error) {
      // as the worker does: whatever stops an answer (a class, channel or layer that does not fit) is said in the reply
      answer = visualFailure(message, error, source.globalStep, source.epoch);
    }
    return toVisualReply(answer, 'final');
  }

  /** The worker's answer, or null when the job ended first (the caller then answers it here). */
  private fromWorker(job: Job, message: VisualRequestMessage): Promise<VisualReplyMessage | null> {
    return new Promise((resolve, reject) => {
      const finish = (action: () => void) => {
        clearTimeout(timer);
        stop();
        action();
      };
      const timer = setTimeout(
        () => finish(() => reject(new VisualError(`the training worker did not answer in ${VISUAL_TIMEOUT_MS / 1000} s`))),
        VISUAL_TIMEOUT_MS,
      );
      const stop = job.subscribe((event) => {
        if (event.type === 'visual' && event.requestId === message.requestId) finish(() => resolve(event));
      });
      void job.whenEnded().then(() => finish(() => resolve(null)));
      job.worker!.send(message);
    });
  }

  private endedSource(job: Job, progress: JobProgress): VisualSource {
    if (this.ended?.job === job) return this.ended.source;
    const weights = job.finalWeights ?? job.lastCheckpoint?.weights;
    if (!weights) throw new VisualError(`the run ${job.state} before it had trained any weights; there is nothing to show`);
    const model = compileModel(job.request.graph, CPU_LAYERS);
    for (const [name, values] of weights) model.weights.get(name)?.set(values);
    const data = openTrainingData({ type: 'start', protocol: PROTOCOL_VERSION, jobId: job.id, ...job.request });
    const checkpoint = job.finalWeights ? null : job.lastCheckpoint!;
    const at = checkpoint ? { epoch: checkpoint.epoch, globalStep: checkpoint.globalStep } : progress;
    const gradientNote = 'the run has ended: gradients are shown only while it trains';
    this.ended = { job, source: { model, ...data, ...at, gradientNote } };
    return this.ended.source;
  }
}
