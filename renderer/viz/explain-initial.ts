/**
 * The Explain tab's weights and sample before any run: the weights a run of the project would
 * start from (its seed, initialisation and hand-set filters, engine/train/initial-model.ts) and
 * one sample of its training set as the training panel's dataset preview gives it (as stored,
 * normalised when training normalises; a preview is never augmented).
 */
import { useEffect, useMemo, useState } from 'react';
import type { DatasetPreviewSample, StudioApi } from '../../electron/api';
import { initialModel } from '../../engine/train/initial-model';
import { useStore } from '../app/hooks';
import { app, currentDocument, editor } from '../app/state';
import { messageOf, type ExplainSource } from './explain-network';

type Sample =
  | { readonly kind: 'ready'; readonly sample: DatasetPreviewSample }
  | { readonly kind: 'loading' }
  | { readonly kind: 'problem'; readonly message: string };

/** The sample the dataset preview picks from the training set with `seed`, fetched while `active`. */
const useTrainingSample = (api: StudioApi | null, active: boolean, seed: number): Sample => {
  const project = useStore(app, (s) => s.project);
  const [sample, setSample] = useState<Sample>({ kind: 'loading' });
  const { dataset, split, preprocess } = project ?? {};
  useEffect(() => {
    if (!active || !api) return;
    if (!dataset) {
      setSample({ kind: 'problem', message: 'the project has no dataset; choose one in the Training panel' });
      return;
    }
    let current = true;
    api
      .previewDataset({ dataset, ...(split ? { split } : {}), ...(preprocess ? { preprocess } : {}), count: 1, seed })
      .then((preview) => {
        if (!current) return;
        const first = preview.samples[0];
        setSample(first ? { kind: 'ready', sample: first } : { kind: 'problem', message: 'the training set has no samples' });
      })
      .catch((error: unknown) => current && setSample({ kind: 'problem', message: `its dataset cannot be opened: ${messageOf(error)}` }));
    return () => {
      current = false;
    };
  }, [api, active, dataset, split, preprocess, seed]);
  return sample;
};

/** The project's starting weights and a training sample, while `active`; `weightsName` says what the weights are. */
export const useInitialSource = (api: StudioApi | null, active: boolean, weightsName: string): ExplainSource => {
  const graph = useStore(editor, (s) => s.graph);
  const filters = useStore(editor, (s) => s.filters);
  const training = useStore(app, (s) => s.project?.training);
  const [seed, setSeed] = useState(0);
  const sample = useTrainingSample(api, active, seed);
  // currentDocument() reads the graph, the filter settings and the training settings named below
  const initial = useMemo(() => {
    const document = active && training ? currentDocument() : null;
    if (!document) return null;
    try {
      return { ok: true as const, ...initialModel(document.graph, document.training) };
    } catch (error) {
      return { ok: false as const, message: messageOf(error) };
    }
  }, [active, graph, filters, training]);
  const pixels = useMemo(() => (sample.kind === 'ready' ? Float32Array.from(sample.sample.pixels) : null), [sample]);
  return useMemo((): ExplainSource => {
    if (!initial) return { kind: 'loading' };
    if (!initial.ok) return { kind: 'problem', message: initial.message };
    if (sample.kind === 'problem') return sample;
    if (sample.kind === 'loading' || !pixels) return { kind: 'loading' };
    const { index, className, label } = sample.sample;
    const classText = className ?? (label === undefined ? null : `class ${label}`);
    const random = initial.awaitingData.length
      ? `; ${initial.awaitingData.join(', ')} start${initial.awaitingData.length > 1 ? '' : 's'} from k-means on the training images once a run begins, shown here as the random draw underneath`
      : '';
    return {
      kind: 'ready',
      model: initial.model,
      sample: pixels,
      weights: `${weightsName}${random}`,
      sampleName: `training sample ${index}${classText ? ` (${classText})` : ''}`,
      another: () => setSeed((previous) => previous + 1),
    };
  }, [initial, sample, pixels, weightsName]);
};
