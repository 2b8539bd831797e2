/**
 * The Explain tab's network: the project's current weights (StudioApi.trainedNetwork) compiled on
 * the CPU engine in this page, as the playground does, fetched again when the run's weights move
 * on. With it and the sample the Features tab shows, the explainer runs the network to the chosen
 * convolution and takes that layer's input.
 */
import { useEffect, useState } from 'react';
import type { StudioApi } from '../../electron/api';
import { explainNode, type NodeExplanation } from '../../engine/viz/explain-node';
import { currentDocument } from '../app/state';
import { PlaygroundNetwork } from '../playground/playground-network';

export type ExplainNetwork =
  | { readonly kind: 'loading' }
  | { readonly kind: 'untrained' }
  | { readonly kind: 'problem'; readonly message: string }
  | { readonly kind: 'ready'; readonly network: PlaygroundNetwork };

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The network, fetched while `active`, again whenever `version` (the weights' age) changes. */
export const useExplainNetwork = (api: StudioApi | null, active: boolean, version: string): ExplainNetwork => {
  const [network, setNetwork] = useState<ExplainNetwork>({ kind: 'loading' });
  useEffect(() => {
    const document = currentDocument();
    if (!active || !api || !document) return;
    let current = true;
    api
      .trainedNetwork(document)
      .then((trained) => {
        if (!current) return;
        setNetwork(trained ? { kind: 'ready', network: new PlaygroundNetwork(document.graph, trained) } : { kind: 'untrained' });
      })
      .catch((error: unknown) => current && setNetwork({ kind: 'problem', message: messageOf(error) }));
    return () => {
      current = false;
    };
  }, [api, active, version]);
  return network;
};

/** Runs `sample` (the network's input) through the network and explains `nodeId` with its input there. */
export const explainSample = (network: PlaygroundNetwork, nodeId: string, sample: Float32Array, group: number): NodeExplanation => {
  const node = network.model.nodes.find((candidate) => candidate.id === nodeId);
  if (!node) throw new Error(`the trained network has no layer '${nodeId}'; train the graph as it is now`);
  const sourceId = node.inputIds[0];
  const input = sourceId === network.model.input.id ? sample : network.run(sample).layers.find((layer) => layer.id === sourceId)?.values;
  if (!input) throw new Error(`${nodeId}: the output of ${sourceId}, its input, was not kept`);
  return explainNode(network.model, nodeId, input, group);
};
