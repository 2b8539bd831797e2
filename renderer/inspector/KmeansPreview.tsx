/**
 * Under a layer that starts from k-means: what its filter pictures show (the random draw the
 * k-means filters replace, or the k-means filters themselves once previewed), the Preview button
 * that asks the host to learn them now, and a progress bar with Cancel (which stops the host's
 * work) while it does.
 */
import { currentDocument } from '../app/state';
import type { StudioApi } from '../../electron/api';
import { startFilters, type StartFiltersState } from './start-filters-store';

interface Props {
  readonly api: StudioApi | null;
  readonly nodeId: string;
  /** The training panel's sample limit (null: all the training images). */
  readonly limit: number | null;
  /** The store's state, and whether its answer is for the document as it is now. */
  readonly state: StartFiltersState;
  readonly current: boolean;
}

export const KmeansPreview = ({ api, nodeId, limit, state, current }: Props) => {
  const ready = current && state.weight !== null;
  const computing = current && state.computing;
  const preview = () => {
    const document = currentDocument();
    if (api && document) void startFilters.compute(api, document, nodeId, limit);
  };
  return (
    <div className="kmeans-preview" data-testid="kmeans-note" data-state={ready ? 'ready' : computing ? 'computing' : 'waiting'}>
      <p className="muted">
        {ready
          ? `The k-means filters learnt from ${state.images} training images with the run's seed, as the next run starts them (your presets on top).`
          : 'k-means learns these filters from the training images; below is the random draw it replaces, with your presets, until you preview them (or a run starts).'}
      </p>
      {computing ? (
        <span className="kmeans-preview-actions">
          <span className="muted" role="status">
            {state.progress?.stage === 'kmeans' ? 'Learning the filters from the training images…' : 'Opening the training images…'}
          </span>
          <progress
            aria-label="k-means progress"
            data-testid="kmeans-progress"
            max={1}
            // indeterminate while the images are opened (their reader does not say how far it is)
            {...(state.progress?.stage === 'kmeans' ? { value: state.progress.fraction } : {})}
          />
          <button onClick={() => startFilters.cancel()}>Cancel</button>
        </span>
      ) : (
        !ready && (
          <button disabled={!api} onClick={preview}>
            Preview the k-means filters
          </button>
        )
      )}
      {current && state.problem && (
        <div className="param-problem" role="alert" data-testid="kmeans-problem">
          {state.problem}
        </div>
      )}
    </div>
  );
};
