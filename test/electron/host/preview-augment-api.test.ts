// Dataset previews over the real host and dataset service show the samples as stored (normalised
// when the project normalises), never a random augmentation: the training panel's grid and the
// explainer's sample are the data itself, while a run augments what it trains on.
import { describe, expect, it } from 'vitest';
import type { DatasetPreview, DatasetPreviewRequest } from '../../../electron/api';
import { openDataset, previewSamples } from '../../../electron/services/datasets';
import type { DatasetSpec, PreprocessSpec } from '../../../engine/data/spec';
import { useHostClient } from './server-harness';

const host = useHostClient();

const dataset: DatasetSpec = { kind: 'shapes', task: 'classify', size: 16, samples: 40 };
const split = { validation: 0.25, test: 0, seed: 3 };
const augment: NonNullable<PreprocessSpec['augment']> = { flipHorizontal: true, flipVertical: true, shift: 3, rotate: 30, noise: 0.3 };

const preview = (preprocess?: PreprocessSpec, seed = 0) =>
  host.client.call<DatasetPreview>('previewDataset', {
    dataset,
    split,
    ...(preprocess ? { preprocess } : {}),
    count: 6,
    seed,
  } satisfies DatasetPreviewRequest);

describe('dataset previews of a project that augments', () => {
  it('the same training samples, augmented, differ from the stored ones (what a preview must not show)', () => {
    const stored = previewSamples(openDataset(dataset, host.harness.folder, split).train, 6);
    const augmented = previewSamples(openDataset(dataset, host.harness.folder, split, { normalise: false, augment }).train, 6);
    expect(augmented.map((sample) => sample.index)).toEqual(stored.map((sample) => sample.index));
    expect(augmented.map((sample) => sample.pixels)).not.toEqual(stored.map((sample) => sample.pixels));
  });

  it('shows the training samples as stored, whatever the augmentation', async () => {
    const stored = await preview();
    for (const seed of [0, 1]) expect(await preview({ normalise: false, augment }, seed)).toEqual(await preview(undefined, seed));
    expect(stored.samples).toHaveLength(6);
  });

  it('normalises them when the project normalises, without augmenting them', async () => {
    const normalised = await preview({ normalise: true });
    expect(await preview({ normalise: true, augment })).toEqual(normalised);
    expect(normalised.samples.map((sample) => sample.pixels)).not.toEqual((await preview()).samples.map((sample) => sample.pixels));
  });
});
