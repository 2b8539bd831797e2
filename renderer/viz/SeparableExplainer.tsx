/**
 * The Explain tab for a factorised convolution: its two stages and the cost they save (from the
 * graph alone), then the chosen stage as a convolution of its own, patch matrix · filter matrix
 * = output, with the layer's weights for that stage and its input there (stage-model.ts).
 */
import { useCallback, useMemo, useState } from 'react';
import type { GraphDocument } from '../../engine/graph/document';
import type { GraphReport } from '../../engine/graph/analyze';
import type { Model } from '../../engine/train/plan';
import { layerInput } from '../../engine/viz/layer-input';
import { separableStages, type SeparableStages } from '../../engine/viz/separable-stages';
import { explainStage, stageModel } from '../../engine/viz/stage-model';
import { useStore } from '../app/hooks';
import { editor } from '../app/state';
import { messageOf, type ExplainSource } from './explain-network';
import { SourcedExplainer } from './SourcedExplainer';

const count = (value: number) => value.toLocaleString('en');
const times = (ratio: number) => `${Number(ratio.toFixed(1))}×`;

const inputShapeOf = (graph: GraphDocument, report: GraphReport, nodeId: string) => {
  const source = graph.edges.find((edge) => edge.target === nodeId)?.source;
  return report.nodes.find((node) => node.id === source)?.outputShape ?? null;
};

const stageName = (stage: SeparableStages['stages'][number], index: number) =>
  `${index + 1}. ${stage.type === 'DepthwiseConv2D' ? 'depthwise' : 'Conv2D'} ${stage.kernel.join('×')}`;

const StageTable = ({ stages }: { stages: SeparableStages }) => (
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
          <td>{stageName(stage, index)}</td>
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
);

export const SeparableExplainer = ({ nodeId, source }: { nodeId: string; source: ExplainSource }) => {
  const graph = useStore(editor, (s) => s.graph);
  const report = useStore(editor, (s) => s.report);
  const [stage, setStage] = useState(0);
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
  const explain = useCallback(
    (model: Model, sample: Float32Array, group: number) => {
      const stages = stageModel(model, nodeId);
      const explanation = explainStage(stages, stage, layerInput(model, nodeId, sample), group);
      return { explanation, bias: stages.model.weights.get(`${stages.stageIds[stage]}.bias`) ?? null };
    },
    [nodeId, stage],
  );
  if (!result.stages) return <div className="viz-problem">{result.problem}</div>;
  const { stages } = result;
  return (
    <div className="explain-view" data-testid="explain-stages" data-node={nodeId}>
      <StageTable stages={stages} />
      <p data-testid="explain-saving">
        The stages cost {times(stages.macSaving)} fewer multiply-adds and {times(stages.paramSaving)} fewer parameters than the{' '}
        {stages.replaces}.
      </p>
      <label className="viz-inline">
        Stage to show as matrices
        <select aria-label="Stage" value={stage} onChange={(e) => setStage(Number(e.target.value))}>
          {stages.stages.map((candidate, index) => (
            <option key={candidate.id} value={index}>
              {stageName(candidate, index)}
            </option>
          ))}
        </select>
      </label>
      <SourcedExplainer key={stage} source={source} explain={explain} id={`${nodeId}.${stage}`} />
    </div>
  );
};
