/**
 * The Visualise panel's Explain tab: how the chosen convolution computes. A factorised
 * convolution shows its two stages and the cost they save (from the graph alone, so before any
 * training); a convolution or transposed convolution shows its matrices for the Features tab's
 * sample, with the project's current weights run in this page (explain-network.ts).
 */
import { useMemo, useState } from 'react';
import type { GraphDocument } from '../../engine/graph/document';
import type { GraphReport } from '../../engine/graph/analyze';
import { EXPLAINABLE_TYPES } from '../../engine/viz/explain-node';
import { decodeFloat32 } from '../../engine/viz/encoding';
import { separableStages } from '../../engine/viz/separable-stages';
import { useStore } from '../app/hooks';
import { app, editor } from '../app/state';
import { ConvExplainer } from './ConvExplainer';
import { explainSample, useExplainNetwork } from './explain-network';
import { TransposedExplainer } from './TransposedExplainer';
import { viz } from './viz-store';

const count = (value: number) => value.toLocaleString('en');
const times = (ratio: number) => `${Number(ratio.toFixed(1))}×`;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const inputShapeOf = (graph: GraphDocument, report: GraphReport, nodeId: string) => {
  const source = graph.edges.find((edge) => edge.target === nodeId)?.source;
  return report.nodes.find((node) => node.id === source)?.outputShape ?? null;
};

const SeparableExplainer = ({ nodeId }: { nodeId: string }) => {
  const graph = useStore(editor, (s) => s.graph);
  const report = useStore(editor, (s) => s.report);
  const result = useMemo(() => {
    const node = graph.nodes.find((candidate) => candidate.id === nodeId);
    const input = inputShapeOf(graph, report, nodeId);
    if (!node || !input) return { problem: `${nodeId}: its input's shape is not known; fix the graph's errors first` };
    try {
      return { stages: separableStages(node, input) };
    } catch (error) {
      return { problem: messageOf(error) };
    }
  }, [graph, report, nodeId]);
  if (!result.stages) return <div className="viz-problem">{result.problem}</div>;
  const { stages } = result;
  return (
    <div className="explain-view" data-testid="explain-stages" data-node={nodeId}>
      <table className="explain-stages">
        <thead>
          <tr>
            <th>stage</th>
            <th>shape</th>
            <th>parameters</th>
            <th>multiply-adds</th>
          </tr>
        </thead>
        <tbody>
          {stages.stages.map((stage, index) => (
            <tr key={stage.id} data-testid={`explain-stage-${index}`}>
              <td>
                {index + 1}. {stage.type === 'DepthwiseConv2D' ? 'depthwise' : 'Conv2D'} {stage.kernel.join('×')}
              </td>
              <td>
                {stage.inputShape.join('×')} → {stage.outputShape.join('×')}
              </td>
              <td>{count(stage.paramCount)}</td>
              <td>{count(stage.macs)}</td>
            </tr>
          ))}
          <tr className="explain-total">
            <td>both stages</td>
            <td />
            <td>{count(stages.params)}</td>
            <td>{count(stages.macs)}</td>
          </tr>
          <tr>
            <td>{stages.replaces}</td>
            <td />
            <td>{count(stages.standardParams)}</td>
            <td>{count(stages.standardMacs)}</td>
          </tr>
        </tbody>
      </table>
      <p data-testid="explain-saving">
        The stages cost {times(stages.macSaving)} fewer multiply-adds and {times(stages.paramSaving)} fewer parameters than the{' '}
        {stages.replaces}.
      </p>
    </div>
  );
};

const MatrixExplainer = ({ nodeId, answerable }: { nodeId: string; answerable: boolean }) => {
  const api = useStore(app, (s) => s.api);
  const reply = useStore(viz, (s) => s.activations);
  const [group, setGroup] = useState(0);
  // the weights move on with the run: fetch them again when the sample's answer is newer
  const network = useExplainNetwork(api, answerable, `${reply?.epoch ?? ''}.${reply?.globalStep ?? ''}`);
  const sample = useMemo(() => (reply?.sample ? decodeFloat32(reply.sample.input.data) : null), [reply]);
  const explained = useMemo(() => {
    if (network.kind !== 'ready' || !sample) return null;
    try {
      return {
        explanation: explainSample(network.network, nodeId, sample, group),
        bias: network.network.model.weights.get(`${nodeId}.bias`) ?? null,
      };
    } catch (error) {
      return { problem: messageOf(error) };
    }
  }, [network, sample, nodeId, group]);

  if (!answerable)
    return <p className="muted">Train the network (or open a run) to see this layer’s matrices with its weights and a sample.</p>;
  if (network.kind === 'untrained') return <p className="muted">This project has no weights for this graph yet; train it first.</p>;
  if (network.kind === 'problem') return <div className="viz-problem">The network cannot run here: {network.message}</div>;
  if (!explained) return <p className="muted">Loading the weights and the sample…</p>;
  if (!explained.explanation) return <div className="viz-problem">{explained.problem}</div>;
  const { explanation } = explained;
  if (explanation.kind === 'conv')
    return <ConvExplainer key={`${nodeId}.${group}`} explanation={explanation} bias={explained.bias} onGroup={setGroup} />;
  if (explanation.kind === 'transposed') return <TransposedExplainer key={nodeId} explanation={explanation} />;
  return null;
};

/** The Explain tab for `nodeId`; `answerable`: a run's weights and samples can be had. */
export const ExplainView = ({ nodeId, answerable }: { nodeId: string | null; answerable: boolean }) => {
  const report = useStore(editor, (s) => s.report);
  const type = report.nodes.find((node) => node.id === nodeId)?.type;
  if (!nodeId || !type || !EXPLAINABLE_TYPES.includes(type))
    return (
      <p className="muted" data-testid="explain-none">
        The explainer shows how a convolution computes: choose a Conv2D, depthwise, transposed or separable convolution.
      </p>
    );
  if (type === 'SeparableConv2D' || type === 'SpatiallySeparableConv2D') return <SeparableExplainer nodeId={nodeId} />;
  return <MatrixExplainer key={nodeId} nodeId={nodeId} answerable={answerable} />;
};
