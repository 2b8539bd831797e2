/**
 * The data server: reads a job's file dataset with the Node dataset code (training-data.ts, so
 * splits, preprocessing and `limit` are the utility worker's own) and answers the GPU window's
 * page over its data port (data-protocol.ts). It runs in a utility process of its own per GPU window
 * (data-entry.ts, forked by electron/main/data-process.ts), bound to the job's start message as
 * that message goes to the page, so the page opens that dataset only.
 * The dataset is opened on the first `open` request, not before. No electron import: the port is
 * anything shaped like Electron's MessagePortMain (tests pass the stand-in's).
 */
import { elementCount } from '../../engine/graph/shape';
import { augments, targetBuffer } from '../../engine/data/preprocess';
import type { Dataset } from '../../engine/data/dataset';
import { DatasetOpenError, type DatasetProblem } from '../../engine/data/problems';
import { validateDataRequest, type DataReply, type DataRequest, type SplitMeta } from './data-protocol';
import type { StartMessage } from './protocol';
import { openTrainingData } from './training-data';

/** The parts of Electron's MessagePortMain used here. */
export interface DataServerPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

type Opened = ReturnType<typeof openTrainingData>;

const metaOf = (dataset: Dataset, varies: boolean): SplitMeta => ({
  name: dataset.name,
  varies,
  size: dataset.size,
  sampleShape: [...dataset.sampleShape],
  target:
    dataset.target.kind === 'class'
      ? { kind: 'class', classes: dataset.target.classes }
      : { kind: 'values', shape: [...dataset.target.shape] },
});

const copyProblem = (problem: DatasetProblem): DatasetProblem => ({
  path: problem.path,
  reason: problem.reason,
  ...(problem.line !== undefined ? { line: problem.line } : {}),
});

/** An error's message, with the file or folder it is about when the message does not name it. */
const reasonOf = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error);
  return error instanceof DatasetOpenError && !message.includes(error.path) ? `${error.path}: ${message}` : message;
};

export class DataServer {
  private start: StartMessage | null = null;
  private opened: Opened | null = null;
  private problemsSent = 0;

  constructor(private readonly port: DataServerPort) {
    port.on('message', (event) => this.answer(event.data));
    port.start();
  }

  /** The job whose dataset the page may read (the first start message only). */
  bind(start: StartMessage): void {
    this.start ??= start;
  }

  close(): void {
    this.port.close();
  }

  private answer(raw: unknown): void {
    const requestId = typeof (raw as { requestId?: unknown } | null)?.requestId === 'number' ? (raw as { requestId: number }).requestId : 0;
    let reply: DataReply;
    try {
      reply = this.reply(validateDataRequest(raw));
    } catch (error) {
      reply = { type: 'error', requestId, reason: reasonOf(error) };
    }
    this.port.postMessage(reply);
  }

  private reply(request: DataRequest): DataReply {
    const opened = this.open();
    if (request.type === 'open')
      return {
        type: 'meta',
        requestId: request.requestId,
        // Augmentation, on the training split only, draws afresh at each read.
        train: metaOf(opened.train, augments(this.start?.preprocess?.augment)),
        ...(opened.validation ? { validation: metaOf(opened.validation, false) } : {}),
        problems: this.newProblems(),
      };
    const dataset = request.split === 'train' ? opened.train : opened.validation;
    if (!dataset) throw new Error('this dataset has no validation split');
    const { indices } = request;
    for (const index of indices)
      if (index < 0 || index >= dataset.size) throw new Error(`sample ${index} is outside ${dataset.name} (0 to ${dataset.size - 1})`);
    const x = new Float32Array(indices.length * elementCount(dataset.sampleShape));
    const y = targetBuffer(dataset.target, indices.length);
    dataset.fill(indices, 0, indices.length, x, y);
    return { type: 'samples', requestId: request.requestId, x, y, problems: this.newProblems() };
  }

  private open(): Opened {
    if (this.opened) return this.opened;
    if (!this.start) throw new Error('no job has started in this window, so there is no dataset to read');
    this.opened = openTrainingData(this.start);
    return this.opened;
  }

  private newProblems(): DatasetProblem[] {
    const problems = this.opened?.problems ?? [];
    const fresh = problems.slice(this.problemsSent).map(copyProblem);
    this.problemsSent = problems.length;
    return fresh;
  }
}
