/**
 * The Visualise panel's state: which layer and which sample it shows, and the latest answers of
 * `requestVisual` for them (filters, and that layer's feature maps of the sample). Framework-free;
 * the panel calls `refresh` when something changes and every few seconds while a run trains.
 * Answers to an older question (another layer, sample or run) are dropped.
 */
import type { StudioApi, VisualReply, VisualRequest } from '../../electron/api';
import type { GraphReport } from '../../engine/graph/analyze';
import { CATALOGUE } from '../../engine/graph/catalogue';
import { isLayerType } from '../../engine/graph/layer-types';
import { Store } from '../editor/store-core';

/** How often a running job's pictures are fetched again. */
export const LIVE_REFRESH_MS = 2500;

export type Subset = NonNullable<VisualRequest['subset']>;

export interface VisualisableNode {
  readonly id: string;
  readonly type: string;
  /** A convolution: it has filters to show. */
  readonly filters: boolean;
}

/** The layers the panel can show: convolutions, pooling and activations whose output is an image. */
export const visualisableNodes = (report: GraphReport): VisualisableNode[] =>
  report.nodes.flatMap((node) => {
    if (!isLayerType(node.type) || node.outputShape?.length !== 3) return [];
    const category = CATALOGUE[node.type].category;
    if (category !== 'convolution' && category !== 'pooling' && category !== 'activation') return [];
    return [{ id: node.id, type: node.type, filters: category === 'convolution' }];
  });

export interface VizState {
  readonly open: boolean;
  readonly nodeId: string | null;
  readonly sample: number;
  readonly subset: Subset;
  /** The job the answers come from. */
  readonly jobId: string | null;
  readonly filters: VisualReply | null;
  /** Ask for the filters' gradients too, and draw them under the filters. */
  readonly showGradients: boolean;
  readonly activations: VisualReply | null;
  /** Why the last refresh showed nothing new (for people). */
  readonly problem: string | null;
  readonly loading: boolean;
}

const INITIAL: VizState = {
  open: false,
  nodeId: null,
  sample: 0,
  subset: 'validation',
  jobId: null,
  filters: null,
  showGradients: false,
  activations: null,
  problem: null,
  loading: false,
};

const messageOf = (reason: unknown): string => (reason instanceof Error ? reason.message : String(reason));

export class VizStore extends Store<VizState> {
  /** Counts questions: an answer to an older one is dropped. */
  private question = 0;
  /** The question being answered, if any. */
  private pending: number | null = null;

  constructor() {
    super(INITIAL);
  }

  setOpen(open: boolean): void {
    this.set({ ...this.state, open });
  }

  /** Shows another layer; its pictures come with the next refresh. */
  setNode(nodeId: string | null): void {
    if (nodeId === this.state.nodeId) return;
    this.question++;
    this.set({ ...this.state, nodeId, filters: null, activations: null, problem: null });
  }

  /** Shows or hides the filters' gradients; they come with the next refresh. */
  setShowGradients(showGradients: boolean): void {
    if (showGradients === this.state.showGradients) return;
    this.question++;
    this.set({ ...this.state, showGradients });
  }

  setSample(sample: number, subset: Subset = this.state.subset): void {
    const count = this.state.activations?.sample?.subset === subset ? this.state.activations.sample.count : Infinity;
    const index = Math.max(0, Math.min(Math.floor(sample) || 0, count - 1));
    if (index === this.state.sample && subset === this.state.subset) return;
    this.question++;
    this.set({ ...this.state, sample: index, subset });
  }

  /** Forgets the answers of another job (a new run started). */
  private forJob(jobId: string | null): void {
    if (jobId === this.state.jobId) return;
    this.question++;
    this.set({ ...this.state, jobId, filters: null, activations: null, problem: null });
  }

  /**
   * Asks the host for the current layer's filters (a convolution's) and its feature maps of the
   * current sample. A refresh while one is under way is skipped unless `force` is set (a new
   * question), so a slow answer never piles requests up.
   */
  async refresh(api: StudioApi, jobId: string | null, withFilters: boolean, force = false): Promise<void> {
    this.forJob(jobId);
    const { nodeId, sample, subset, showGradients } = this.state;
    if (!jobId || !nodeId || (this.pending !== null && !force)) return;
    const question = ++this.question;
    this.pending = question;
    this.set({ ...this.state, loading: true });
    const [filters, activations] = await Promise.allSettled([
      withFilters
        ? api.requestVisual(jobId, { kind: 'filters', nodeId, ...(showGradients ? { withGradients: true } : {}) })
        : Promise.resolve(null),
      api.requestVisual(jobId, { kind: 'activations', nodeId, sample, subset }),
    ]);
    if (this.pending === question) this.pending = null;
    if (question !== this.question) return;
    const failed = [filters, activations].find((result) => result.status === 'rejected');
    this.set({
      ...this.state,
      loading: false,
      filters: filters.status === 'fulfilled' ? filters.value : this.state.filters,
      activations: activations.status === 'fulfilled' ? activations.value : this.state.activations,
      problem: failed ? messageOf(failed.reason) : null,
    });
  }

  /** A new project: everything starts over. */
  reset(): void {
    this.question++;
    this.pending = null;
    this.set({ ...INITIAL, open: this.state.open, showGradients: this.state.showGradients });
  }
}

export const viz = new VizStore();
