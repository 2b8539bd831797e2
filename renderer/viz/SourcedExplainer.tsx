/**
 * A convolution's matrices for the explainer's weights and sample (explain-network.ts,
 * explain-initial.ts): the waiting or the reason there are none, else what the weights and the
 * sample are, then the convolution or transposed convolution explainer. `explain` computes the
 * explanation from the source's model and sample for the chosen channel group.
 */
import { useMemo, useState } from 'react';
import type { Model } from '../../engine/train/plan';
import type { NodeExplanation } from '../../engine/viz/explain-node';
import { ConvExplainer } from './ConvExplainer';
import { messageOf, type ExplainSource } from './explain-network';
import { TransposedExplainer } from './TransposedExplainer';

export type Explain = (model: Model, sample: Float32Array, group: number) => { explanation: NodeExplanation; bias: Float32Array | null };

export const SourceLine = ({ source }: { source: Extract<ExplainSource, { kind: 'ready' }> }) => (
  <p className="muted" data-testid="explain-source">
    Weights: {source.weights}; input: {source.sampleName}. {source.another && <button onClick={source.another}>Another sample</button>}
  </p>
);

export const SourcedExplainer = ({ source, explain, id }: { source: ExplainSource; explain: Explain; id: string }) => {
  const [group, setGroup] = useState(0);
  const explained = useMemo(() => {
    if (source.kind !== 'ready') return null;
    try {
      return explain(source.model, source.sample, group);
    } catch (error) {
      return { problem: messageOf(error) };
    }
  }, [source, explain, group]);

  if (source.kind === 'untrained') return <p className="muted">This project has no weights for this graph yet; train it first.</p>;
  if (source.kind === 'problem') return <div className="viz-problem">The network cannot run here: {source.message}</div>;
  if (source.kind === 'loading' || !explained) return <p className="muted">Loading the weights and the sample…</p>;
  if (!('explanation' in explained)) return <div className="viz-problem">{explained.problem}</div>;
  const { explanation, bias } = explained;
  return (
    <>
      <SourceLine source={source} />
      {explanation.kind === 'conv' && <ConvExplainer key={`${id}.${group}`} explanation={explanation} bias={bias} onGroup={setGroup} />}
      {explanation.kind === 'transposed' && <TransposedExplainer key={id} explanation={explanation} />}
    </>
  );
};
