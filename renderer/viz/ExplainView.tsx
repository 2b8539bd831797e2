/**
 * The Visualise panel's Explain tab: how the chosen convolution computes. A convolution or
 * transposed convolution shows its matrices, a factorised convolution its two stages, their cost
 * and each stage's matrices. Before any run the weights are those a run would start from and the
 * input a training sample (explain-initial.ts); once a run exists, the run's current weights and
 * the Features tab's sample (explain-network.ts), run in this page; when the host has no weights
 * for the graph as it is now (it was edited since the run), the starting ones again.
 */
import { useCallback } from 'react';
import type { Model } from '../../engine/train/plan';
import { EXPLAINABLE_TYPES, explainNode } from '../../engine/viz/explain-node';
import { layerInput } from '../../engine/viz/layer-input';
import { useStore } from '../app/hooks';
import { app, editor } from '../app/state';
import { training } from '../training/training-store';
import { useInitialSource } from './explain-initial';
import { useTrainedSource, type ExplainSource } from './explain-network';
import { SeparableExplainer } from './SeparableExplainer';
import { SourcedExplainer } from './SourcedExplainer';
import { viz } from './viz-store';

/**
 * The weights and sample to explain with: a run's while `answerable` and the host has weights for
 * the graph, else the starting ones (also once the graph changed since the run); fetched only while `active`.
 */
const useExplainSource = (active: boolean, answerable: boolean): ExplainSource => {
  const api = useStore(app, (s) => s.api);
  const reply = useStore(viz, (s) => s.activations);
  const jobState = useStore(training, (s) => s.state);
  const runGraph = useStore(training, (s) => s.graph);
  const graph = useStore(editor, (s) => s.graph);
  const finished = jobState === 'completed' || jobState === 'stopped' || jobState === 'failed';
  const trained = useTrainedSource(api, active && answerable, reply, finished);
  const fallback = answerable && trained.kind === 'untrained';
  const weightsName = !fallback
    ? 'initial weights (before training)'
    : runGraph !== graph
      ? 'the graph changed since the last run: initial weights'
      : 'the run has no weights yet: initial weights';
  const initial = useInitialSource(api, active && (!answerable || fallback), weightsName);
  return answerable && !fallback ? trained : initial;
};

const MatrixExplainer = ({ nodeId, source }: { nodeId: string; source: ExplainSource }) => {
  const explain = useCallback(
    (model: Model, sample: Float32Array, group: number) => ({
      explanation: explainNode(model, nodeId, layerInput(model, nodeId, sample), group),
      bias: model.weights.get(`${nodeId}.bias`) ?? null,
    }),
    [nodeId],
  );
  return <SourcedExplainer source={source} explain={explain} id={nodeId} />;
};

/** The Explain tab for `nodeId`; `answerable`: a run's weights and samples can be had. */
export const ExplainView = ({ nodeId, answerable }: { nodeId: string | null; answerable: boolean }) => {
  const report = useStore(editor, (s) => s.report);
  const type = report.nodes.find((node) => node.id === nodeId)?.type;
  const explainable = !!nodeId && !!type && EXPLAINABLE_TYPES.includes(type);
  const source = useExplainSource(explainable, answerable);
  if (!nodeId || !explainable)
    return (
      <p className="muted" data-testid="explain-none">
        The explainer shows how a convolution computes: choose a Conv2D, depthwise, transposed or separable convolution.
      </p>
    );
  if (type === 'SeparableConv2D' || type === 'SpatiallySeparableConv2D')
    return <SeparableExplainer key={nodeId} nodeId={nodeId} source={source} />;
  return <MatrixExplainer key={nodeId} nodeId={nodeId} source={source} />;
};
