/**
 * The state of the Visualise panel's analysis tabs: which tab is open, the class and feature
 * asked about, and the latest answers (saliency, Grad-CAM and occlusion for the Attribution tab;
 * deconvnet and top-9 patches for the Deconvnet tab; the confusion report). The sample and layer
 * are the Features tab's (viz-store.ts). Answers to an older question are dropped.
 */
import type { StudioApi, VisualReply, VisualRequest } from '../../electron/api';
import type { AnalysisKind } from '../../engine/viz/analysis';
import { Store } from '../editor/store-core';

export type VizTab = 'features' | 'attribution' | 'deconvnet' | 'confusion' | 'history' | 'explain';

export const TAB_KINDS: Readonly<Record<VizTab, readonly AnalysisKind[]>> = {
  features: [],
  attribution: ['saliency', 'gradcam', 'occlusion'],
  deconvnet: ['deconvnet', 'top-patches'],
  confusion: ['confusion'],
  history: [],
  explain: [],
};

/**
 * How often a running job's analyses are fetched again. The surveys read hundreds of samples
 * (the confusion matrix of a VGG-style net on 2,000 samples takes seconds of the worker's time on
 * two cores), so they are asked for less often than one sample's.
 */
export const TAB_REFRESH_MS: Readonly<Record<Exclude<VizTab, 'features' | 'history' | 'explain'>, number>> = {
  attribution: 5_000,
  deconvnet: 15_000,
  confusion: 30_000,
};

export interface AnalysisState {
  readonly tab: VizTab;
  /** The class asked about; null: the one predicted for the sample. */
  readonly classIndex: number | null;
  /** The feature's channel in the chosen layer (Deconvnet tab). */
  readonly channel: number;
  /** The confusion matrix's chosen cell (true class, predicted class): its samples fill the gallery. */
  readonly cell: readonly [number, number] | null;
  readonly replies: Partial<Record<AnalysisKind, VisualReply>>;
  readonly problem: string | null;
  readonly loading: boolean;
}

/** What the Features tab has chosen, which the analyses use. */
export interface AnalysisContext {
  readonly nodeId: string | null;
  readonly sample: number;
  readonly subset: 'validation' | 'train';
}

const INITIAL: AnalysisState = { tab: 'features', classIndex: null, channel: 0, cell: null, replies: {}, problem: null, loading: false };

const messageOf = (reason: unknown): string => (reason instanceof Error ? reason.message : String(reason));

/** The request for one analysis kind. */
export const analysisRequest = (kind: AnalysisKind, state: AnalysisState, context: AnalysisContext): VisualRequest => {
  const classIndex = state.classIndex ?? undefined;
  switch (kind) {
    case 'saliency':
    case 'gradcam':
    case 'occlusion':
      return { kind, sample: context.sample, subset: context.subset, classIndex };
    case 'deconvnet':
      return { kind, nodeId: context.nodeId ?? undefined, channel: state.channel, sample: context.sample, subset: context.subset };
    case 'top-patches':
      return { kind, nodeId: context.nodeId ?? undefined, channel: state.channel, subset: context.subset };
    case 'confusion':
      return { kind, subset: context.subset };
  }
};

export class AnalysisStore extends Store<AnalysisState> {
  private question = 0;
  private pending: number | null = null;

  constructor() {
    super(INITIAL);
  }

  setTab(tab: VizTab): void {
    if (tab === this.state.tab) return;
    this.question++;
    this.set({ ...this.state, tab, problem: null });
  }

  setClass(classIndex: number | null): void {
    this.question++;
    this.set({ ...this.state, classIndex });
  }

  setChannel(channel: number): void {
    this.question++;
    this.set({ ...this.state, channel: Math.max(0, Math.floor(channel) || 0) });
  }

  setCell(cell: readonly [number, number] | null): void {
    this.set({ ...this.state, cell });
  }

  /**
   * Asks for the open tab's analyses. Skipped while one is under way unless `force` is set (a new
   * question). Failures leave the earlier answers and say why in `problem`.
   */
  async refresh(api: StudioApi, jobId: string | null, context: AnalysisContext, force = false): Promise<void> {
    const kinds = TAB_KINDS[this.state.tab];
    if (!jobId || kinds.length === 0 || (this.pending !== null && !force)) return;
    const question = ++this.question;
    this.pending = question;
    this.set({ ...this.state, loading: true });
    const results = await Promise.allSettled(kinds.map((kind) => api.requestVisual(jobId, analysisRequest(kind, this.state, context))));
    if (this.pending === question) this.pending = null;
    if (question !== this.question) return;
    const replies = { ...this.state.replies };
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') replies[kinds[i]] = result.value;
      else delete replies[kinds[i]];
    });
    const failed = results.find((result) => result.status === 'rejected');
    this.set({ ...this.state, loading: false, replies, problem: failed ? messageOf(failed.reason) : null });
  }

  /** A new project or run: the answers are forgotten, the choices kept. */
  forget(): void {
    this.question++;
    this.pending = null;
    this.set({ ...this.state, replies: {}, cell: null, problem: null, loading: false });
  }
}

export const analysis = new AnalysisStore();
