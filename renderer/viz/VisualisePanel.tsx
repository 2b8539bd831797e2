/**
 * The Visualise panel, beside the training panel: the filters of a convolution (and their
 * histogram) and one sample's feature maps at any layer, for the run in the training panel; and
 * the analysis tabs (AnalysisViews.tsx): attribution, deconvnet and confusion. It follows the layer clicked on
 * the canvas, refreshes every few seconds while the run trains, and keeps showing the run's final
 * weights once it has ended.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from '../app/hooks';
import { app, editor } from '../app/state';
import { training } from '../training/training-store';
import { AttributionView, ClassPicker, ConfusionView, DeconvnetView } from './AnalysisViews';
import { ExplainView } from './ExplainView';
import { analysis, TAB_REFRESH_MS, type VizTab } from './analysis-store';
import { history } from './history-store';
import { HistoryView } from './HistoryView';
import { FiltersView, HistogramView, MapsView, SampleView } from './VizViews';
import { LIVE_REFRESH_MS, viz, visualisableNodes } from './viz-store';
import './visualise.css';

const Status = () => {
  const state = useStore(viz, (s) => s);
  const analysisLoading = useStore(analysis, (s) => s.loading);
  const reply = state.activations ?? state.filters;
  return (
    <span className="muted viz-status" data-testid="viz-status" data-source={reply?.source ?? ''}>
      {reply && `${reply.source === 'live' ? 'live' : 'final weights'} · epoch ${reply.epoch} · step ${reply.globalStep}`}
      {(state.loading || analysisLoading) && ' · updating…'}
    </span>
  );
};

const TABS: readonly [VizTab, string][] = [
  ['features', 'Features'],
  ['attribution', 'Attribution'],
  ['deconvnet', 'Deconvnet'],
  ['confusion', 'Confusion'],
  ['history', 'History'],
  ['explain', 'Explain'],
];

const Tabs = ({ tab }: { tab: VizTab }) => (
  <div className="viz-tabs" role="tablist" aria-label="Views">
    {TABS.map(([id, label]) => (
      <button
        key={id}
        role="tab"
        aria-selected={tab === id}
        className={tab === id ? 'active' : undefined}
        onClick={() => analysis.setTab(id)}
      >
        {label}
      </button>
    ))}
  </div>
);

/** The left column's width (filters and sample), and the room the maps leave for their caption. */
const LEFT_COLUMN = 200;
const MAPS_HEIGHT = 300;

/** A callback ref and the width of the element it is given, kept up to date as it resizes. */
const useWidth = (): [(element: HTMLDivElement | null) => void, number] => {
  const [width, setWidth] = useState(400);
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((element: HTMLDivElement | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!element) return;
    observer.current = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.current.observe(element);
  }, []);
  return [ref, width];
};

export const VisualisePanel = () => {
  const [body, width] = useWidth();
  const state = useStore(viz, (s) => s);
  const api = useStore(app, (s) => s.api);
  const report = useStore(editor, (s) => s.report);
  const selected = useStore(editor, (s) => s.selectedNodes);
  const jobId = useStore(training, (s) => s.jobId);
  const jobState = useStore(training, (s) => s.state);
  const nodes = useMemo(() => visualisableNodes(report), [report]);
  const node = nodes.find((candidate) => candidate.id === state.nodeId);
  const withFilters = node?.filters ?? false;
  const answerable = jobId !== null && jobState !== 'idle' && jobState !== 'queued';
  const study = useStore(analysis, (s) => s);
  const classes = state.activations?.sample?.output.shape[0] ?? 0;
  const problem = study.tab === 'features' || study.tab === 'explain' ? state.problem : (study.problem ?? state.problem);

  // A new project (this panel is keyed by it) starts afresh.
  useEffect(() => {
    viz.reset();
    analysis.forget();
    history.reset();
  }, []);
  useEffect(() => analysis.forget(), [jobId]);
  // Follow the layer clicked on the canvas (when it is clicked: the layer list may choose another since).
  useEffect(() => {
    if (selected.length === 1 && nodes.some((candidate) => candidate.id === selected[0])) viz.setNode(selected[0]);
  }, [selected]);
  // Keep a layer that exists: the first convolution by default.
  useEffect(() => {
    if (!node) viz.setNode(nodes.find((candidate) => candidate.filters)?.id ?? nodes[0]?.id ?? null);
  }, [nodes, node]);
  // Ask again whenever the question changes, and every few seconds while the run trains.
  useEffect(() => {
    if (!state.open || !api || !answerable) return;
    void viz.refresh(api, jobId, withFilters, true);
    if (jobState !== 'running') return;
    const timer = setInterval(() => void viz.refresh(api, jobId, withFilters), LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [state.open, api, answerable, jobId, jobState, state.nodeId, state.sample, state.subset, withFilters, state.showGradients]);
  // The open analysis tab asks likewise (the confusion matrix does not depend on the layer or sample).
  useEffect(() => {
    if (!state.open || !api || !answerable || study.tab === 'features' || study.tab === 'history' || study.tab === 'explain') return;
    const context = { nodeId: state.nodeId, sample: state.sample, subset: state.subset };
    void analysis.refresh(api, jobId, context, true);
    if (jobState !== 'running') return;
    const timer = setInterval(() => void analysis.refresh(api, jobId, context), TAB_REFRESH_MS[study.tab]);
    return () => clearInterval(timer);
  }, [state.open, api, answerable, jobId, jobState, study.tab, study.classIndex, study.channel, state.nodeId, state.sample, state.subset]);

  if (!state.open)
    return (
      <button className="visualise-toggle" onClick={() => viz.setOpen(true)} title="See the filters and feature maps of the network">
        Visualise
      </button>
    );
  return (
    <section className="visualise-panel" aria-label="Visualise">
      <div className="viz-header">
        <span className="panel-heading">Visualise</span>
        <select aria-label="Layer to visualise" value={state.nodeId ?? ''} onChange={(e) => viz.setNode(e.target.value)}>
          {nodes.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.id} ({candidate.type})
            </option>
          ))}
        </select>
        <Status />
        <button className="viz-close" aria-label="Close the Visualise panel" onClick={() => viz.setOpen(false)}>
          ×
        </button>
      </div>
      <Tabs tab={study.tab} />
      {study.tab === 'explain' ? (
        <div className={answerable ? 'viz-body' : 'viz-wide'}>
          {answerable && (
            <div className="viz-left">
              <SampleView reply={state.activations} index={state.sample} subset={state.subset} />
            </div>
          )}
          <div className="viz-wide">
            <ExplainView nodeId={state.nodeId} answerable={answerable} />
          </div>
          {answerable && problem && (
            <div className="viz-problem" role="status" data-testid="viz-problem">
              {problem}
            </div>
          )}
        </div>
      ) : !answerable ? (
        <p className="muted">Train the network, then click a convolution on the canvas to see its filters and what it makes of a sample.</p>
      ) : (
        <>
          {study.tab === 'history' ? (
            <div className="viz-wide">
              <HistoryView />
            </div>
          ) : study.tab === 'confusion' ? (
            <div className="viz-wide">
              {study.replies.confusion?.analysis?.kind === 'confusion' && (
                <ConfusionView report={study.replies.confusion.analysis} cell={study.cell} />
              )}
            </div>
          ) : (
            <div className="viz-body" ref={body}>
              <div className="viz-left">
                {study.tab === 'features' && withFilters && <FiltersView reply={state.filters} showGradients={state.showGradients} />}
                {study.tab === 'features' && withFilters && <HistogramView reply={state.filters} />}
                <SampleView reply={state.activations} index={state.sample} subset={state.subset} />
                {study.tab === 'attribution' && <ClassPicker classes={classes} value={study.classIndex} />}
              </div>
              {study.tab === 'features' && (
                <MapsView reply={state.activations} width={Math.max(120, width - LEFT_COLUMN - 20)} height={MAPS_HEIGHT} />
              )}
              {study.tab === 'attribution' && <AttributionView replies={study.replies} />}
              {study.tab === 'deconvnet' && <DeconvnetView replies={study.replies} channel={study.channel} />}
            </div>
          )}
          {problem && (
            <div className="viz-problem" role="status" data-testid="viz-problem">
              {problem}
            </div>
          )}
        </>
      )}
    </section>
  );
};
