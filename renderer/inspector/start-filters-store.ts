/**
 * The k-means filters of a layer before any run: the inspector asks the host
 * (`previewStartFilters`), which has the training images, and keeps the answer for the
 * document it was asked about. An edit that changes what the run would start from (the graph's
 * layers, the training settings, the dataset, the panel's sample limit) makes the answer stale,
 * and it is not shown. While the host works (in a thread of its own) its progress is kept for a
 * progress bar; Cancel, or a question about another layer, stops the host's work
 * (`cancelStartFilters`) and drops its answer. Framework-free.
 */
import type { StartFiltersProgress, StudioApi } from '../../electron/api';
import { graphVersion, type ProjectDocument } from '../../engine/project/schema';
import { decodeFloat32 } from '../../engine/viz/encoding';
import { Store } from '../editor/store-core';

/** What the filters of `nodeId` depend on in `document` with the run's sample limit: equal keys, equal filters. */
export const startFiltersKey = (document: ProjectDocument, nodeId: string, limit: number | null): string =>
  JSON.stringify([
    nodeId,
    limit,
    graphVersion(document.graph),
    // The weights start from the seed, the initialisation and the filter settings alone: a change of
    // the epochs, the rate or the optimiser (project settings the panel edits) keeps the answer.
    document.training.seed,
    document.training.init ?? null,
    document.training.filters ?? null,
    document.dataset ?? null,
    document.split ?? null,
    document.preprocess ?? null,
  ]);

export interface StartFiltersState {
  /** The question asked or answered. */
  readonly key: string | null;
  readonly computing: boolean;
  /** While computing: how far the host has got (null until it says). */
  readonly progress: StartFiltersProgress | null;
  readonly weight: Float32Array | null;
  readonly shape: readonly number[];
  /** How many training images k-means read. */
  readonly images: number;
  readonly problem: string | null;
}

const IDLE: StartFiltersState = { key: null, computing: false, progress: null, weight: null, shape: [], images: 0, problem: null };

const messageOf = (reason: unknown): string =>
  reason instanceof Error
    ? reason.message
    : typeof reason === 'object' && reason && 'message' in reason
      ? String(reason.message)
      : String(reason);

export class StartFiltersStore extends Store<StartFiltersState> {
  /** Counts questions: an answer to an older one (or one cancelled) is dropped. */
  private question = 0;
  /** The question the host is working on, to stop it. */
  private asked: { readonly api: StudioApi; readonly nodeId: string } | null = null;

  constructor() {
    super(IDLE);
  }

  async compute(api: StudioApi, document: ProjectDocument, nodeId: string, limit: number | null): Promise<void> {
    // the host replaces a preview of the same layer itself; one of another layer is stopped here
    if (this.asked && this.asked.nodeId !== nodeId) this.stopHost();
    const question = ++this.question;
    this.asked = { api, nodeId };
    const key = startFiltersKey(document, nodeId, limit);
    this.set({ ...IDLE, key, computing: true });
    try {
      const answer = await api.previewStartFilters(document, nodeId, limit === null ? {} : { limit }, (progress) => {
        if (question === this.question) this.set({ ...this.state, progress });
      });
      if (question !== this.question) return;
      this.asked = null;
      this.set({ ...IDLE, key, weight: decodeFloat32(answer.tensor.data), shape: answer.tensor.shape, images: answer.images });
    } catch (error) {
      if (question !== this.question) return;
      this.asked = null;
      this.set({ ...IDLE, key, problem: messageOf(error) });
    }
  }

  /** Stops the question being answered (the host's work too) and forgets it. */
  cancel(): void {
    this.stopHost();
    this.question++;
    this.set(IDLE);
  }

  private stopHost(): void {
    const asked = this.asked;
    this.asked = null;
    // the preview's own promise says what came of it; a failure to cancel changes nothing here
    if (asked) void asked.api.cancelStartFilters(asked.nodeId).catch(() => undefined);
  }

  /** The answer for `key`, if it is the one held. */
  answerFor(key: string): StartFiltersState | null {
    return this.state.key === key ? this.state : null;
  }
}

export const startFilters = new StartFiltersStore();
