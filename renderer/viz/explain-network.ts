/**
 * The Explain tab's weights and sample once a run exists: the project's current weights
 * (StudioApi.trainedNetwork) compiled on the CPU engine in this page, as the playground does,
 * fetched again when the run's weights move on, with the sample the Features tab shows.
 */
import { useEffect, useMemo, useState } from 'react';
import type { StudioApi, VisualReply } from '../../electron/api';
import type { Model } from '../../engine/train/plan';
import { decodeFloat32 } from '../../engine/viz/encoding';
import { useStore } from '../app/hooks';
import { currentDocument, editor } from '../app/state';
import { PlaygroundNetwork } from '../playground/playground-network';

/** The weights and the sample the explainer computes with, and what to call them. */
export type ExplainSource =
  | { readonly kind: 'loading' }
  | { readonly kind: 'untrained' }
  | { readonly kind: 'problem'; readonly message: string }
  | {
      readonly kind: 'ready';
      readonly model: Model;
      /** The network's input. */
      readonly sample: Float32Array;
      /** e.g. "initial weights (before training)", "after epoch 2". */
      readonly weights: string;
      /** e.g. "training sample 123 (7)". */
      readonly sampleName: string;
      /** Shows another sample, where the source picks its own (before training). */
      readonly another?: () => void;
    };

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What the host answered for `graph`. */
type Fetched = ({ readonly kind: 'ready'; readonly model: Model } | Exclude<ExplainSource, { kind: 'ready' }>) & {
  readonly graph?: unknown;
};

/** What the weights of a run's reply are: `finished`, the run is over. */
const weightsName = (reply: VisualReply, finished: boolean) =>
  finished ? `after epoch ${reply.epoch}` : `during epoch ${reply.epoch}, step ${reply.globalStep}`;

/**
 * The run's weights, fetched while `active`, again whenever the reply's weights are newer or the
 * graph is edited (the host may have no weights for the edited one: 'untrained'); the reply's sample.
 */
export const useTrainedSource = (api: StudioApi | null, active: boolean, reply: VisualReply | null, finished: boolean): ExplainSource => {
  const graph = useStore(editor, (s) => s.graph);
  const [fetched, setFetched] = useState<Fetched>({ kind: 'loading' });
  const version = `${reply?.epoch ?? ''}.${reply?.globalStep ?? ''}`;
  useEffect(() => {
    const document = currentDocument();
    if (!active || !api || !document) return;
    let current = true;
    api
      .trainedNetwork(document)
      .then((trained) => {
        if (!current) return;
        const { graph } = document;
        setFetched(trained ? { kind: 'ready', model: new PlaygroundNetwork(graph, trained).model, graph } : { kind: 'untrained', graph });
      })
      .catch((error: unknown) => current && setFetched({ kind: 'problem', message: messageOf(error), graph: document.graph }));
    return () => {
      current = false;
    };
  }, [api, active, version, graph]);
  const sample = useMemo(() => (reply?.sample ? decodeFloat32(reply.sample.input.data) : null), [reply]);
  return useMemo((): ExplainSource => {
    // an answer for the graph before an edit is no answer for this one
    if (fetched.graph !== graph) return { kind: 'loading' };
    if (fetched.kind !== 'ready') return fetched;
    if (!reply?.sample || !sample) return { kind: 'loading' };
    const { index, subset, label } = reply.sample;
    const sampleName = `${subset === 'train' ? 'training' : 'validation'} sample ${index}${label === undefined ? '' : ` (class ${label})`}`;
    return { kind: 'ready', model: fetched.model, sample, weights: weightsName(reply, finished), sampleName };
  }, [fetched, graph, reply, sample, finished]);
};
