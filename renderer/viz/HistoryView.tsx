/**
 * The Visualise panel's History tab: an epoch scrubber over the run's kept snapshots (the first
 * convolution's filters and its feature maps of the training set's sample 0), another run's
 * filters beside them at the same epoch, a layer's weight and gradient histograms over the epochs
 * (epoch × bin strips), the gradient norms of every layer, and the epoch's warnings. A past run
 * of the project is loaded from its run record (statistics only: records keep no snapshots).
 */
import { useMemo } from 'react';
import { useStore } from '../app/hooks';
import { histogramStrip } from '../../engine/viz/history-strip';
import { STATS_BINS, statsWarnings } from '../../engine/viz/training-stats';
import { RgbaCanvas } from './RgbaCanvas';
import type { RunRecord } from '../../engine/project/schema';
import { app } from '../app/state';
import { atEpoch, history, isSavedRun, savedRunId, shownRun, type EpochStatsEvent, type RunHistory } from './history-store';
import { filterPictures, mapPicture } from './pictures';

const FilterSnapshot = ({ run, event, testId }: { run: RunHistory; event: EpochStatsEvent | undefined; testId: string }) => {
  const caption = run.label;
  const pictures = useMemo(() => (event?.snapshot ? filterPictures([event.snapshot.filters], 180, 160) : []), [event]);
  return (
    <figure className="viz-block" data-testid={testId} data-epoch={event?.stats.epoch ?? ''}>
      <h4>{caption}</h4>
      {!event && <div className="muted">no epoch yet</div>}
      {event && !event.snapshot && (
        <div className="muted">{isSavedRun(run.jobId) ? 'no snapshot (run records keep none)' : 'no snapshot (no small convolution)'}</div>
      )}
      {pictures.map(({ name, grid }) => (
        <RgbaCanvas key={name} image={grid} label={`${caption}: filters of ${name}`} testId={`${testId}-grid`} />
      ))}
      {event?.snapshot && (
        <figcaption className="muted">
          {event.snapshot.filters.name} · epoch {event.stats.epoch}
        </figcaption>
      )}
    </figure>
  );
};

const NORM_WIDTH = 260;
const NORM_HEIGHT = 110;
const LINE_COLOURS = ['#6aa9ff', '#ff9f43', '#7bd389', '#e15b64', '#c792ea', '#f6d55c', '#4fd1c5', '#f78fb3'];

/** Each layer's gradient norm per epoch, on a log scale. */
const NormChart = ({ run, epoch }: { run: RunHistory; epoch: number }) => {
  const layers = run.epochs[0]?.stats.layers.map((layer) => layer.nodeId) ?? [];
  const series = layers.map((nodeId) =>
    run.epochs.map((event) => ({ epoch: event.stats.epoch, norm: event.stats.layers.find((l) => l.nodeId === nodeId)?.gradientNorm })),
  );
  const logs = series.flat().flatMap((point) => (point.norm !== undefined && point.norm > 0 ? [Math.log10(point.norm)] : []));
  if (logs.length === 0) return <div className="muted">No gradients recorded (runs on the GPU keep them there).</div>;
  const low = Math.floor(Math.min(...logs));
  const high = Math.max(low + 1, Math.ceil(Math.max(...logs)));
  const first = run.epochs[0].stats.epoch;
  const last = run.epochs[run.epochs.length - 1].stats.epoch;
  const x = (e: number) => (last > first ? ((e - first) / (last - first)) * (NORM_WIDTH - 40) + 30 : NORM_WIDTH / 2);
  const y = (norm: number) => NORM_HEIGHT - 12 - ((Math.log10(Math.max(norm, 10 ** low)) - low) / (high - low)) * (NORM_HEIGHT - 20);
  return (
    <svg width={NORM_WIDTH} height={NORM_HEIGHT} className="history-norms" role="img" aria-label="gradient norms per epoch">
      <text x={2} y={12} className="history-axis">
        1e{high}
      </text>
      <text x={2} y={NORM_HEIGHT - 12} className="history-axis">
        1e{low}
      </text>
      <line x1={x(epoch)} x2={x(epoch)} y1={4} y2={NORM_HEIGHT - 8} className="history-cursor" />
      {series.map((points, i) => (
        <g key={layers[i]} stroke={LINE_COLOURS[i % LINE_COLOURS.length]} fill={LINE_COLOURS[i % LINE_COLOURS.length]}>
          <polyline fill="none" points={points.flatMap((p) => (p.norm !== undefined ? [`${x(p.epoch)},${y(p.norm)}`] : [])).join(' ')} />
          <text x={NORM_WIDTH - 36} y={12 + i * 11} stroke="none" className="history-axis">
            {layers[i]}
          </text>
        </g>
      ))}
    </svg>
  );
};

const HistogramStrips = ({ run, nodeId, epoch }: { run: RunHistory; nodeId: string; epoch: number }) => {
  const { weights, gradients, index } = useMemo(() => {
    const layers = run.epochs.map((event) => event.stats.layers.find((layer) => layer.nodeId === nodeId));
    return {
      weights: layers.flatMap((layer) => (layer ? [layer.weights] : [])),
      gradients: layers.flatMap((layer) => (layer?.gradients ? [layer.gradients] : [])),
      index: run.epochs.findIndex((event) => event.stats.epoch === epoch),
    };
  }, [run, nodeId, epoch]);
  const range = (list: typeof weights) =>
    list.length ? `${Math.min(...list.map((h) => h.min)).toPrecision(2)} … ${Math.max(...list.map((h) => h.max)).toPrecision(2)}` : '';
  return (
    <div className="history-strips">
      <figure data-testid="history-weights">
        <RgbaCanvas image={histogramStrip(weights, STATS_BINS, 5, index)} label={`weights of ${nodeId} per epoch`} />
        <figcaption className="muted">weights {range(weights)}</figcaption>
      </figure>
      {gradients.length > 0 && (
        <figure data-testid="history-gradients">
          <RgbaCanvas image={histogramStrip(gradients, STATS_BINS, 5, index)} label={`gradients of ${nodeId} per epoch`} />
          <figcaption className="muted">gradients {range(gradients)}</figcaption>
        </figure>
      )}
    </div>
  );
};

const NO_RUNS: readonly RunRecord[] = [];

/** The project's recorded runs that kept their statistics, to load one into the tab. */
const SavedRunPicker = ({ loaded }: { loaded: readonly RunHistory[] }) => {
  const runs = useStore(app, (s) => s.project?.runs ?? NO_RUNS);
  const saved = runs.filter((run) => run.epochStats?.length);
  if (saved.length === 0) return null;
  return (
    <select
      aria-label="Saved run"
      value=""
      onChange={(e) => {
        const record = saved.find((run) => run.id === e.target.value);
        if (record) history.showSavedRun(record);
      }}
    >
      <option value="">load a saved run…</option>
      {saved.map((record) => (
        <option key={record.id} value={record.id}>
          {record.id} · {record.epochStats!.length} epochs{loaded.some((run) => run.jobId === savedRunId(record.id)) ? ' (loaded)' : ''}
        </option>
      ))}
    </select>
  );
};

export const HistoryView = () => {
  const state = useStore(history, (s) => s);
  const run = shownRun(state);
  if (!run || run.epochs.length === 0)
    return (
      <div className="history-view" data-testid="history-view">
        <p className="muted">Each finished epoch adds its statistics and a snapshot here; train at least one epoch, or load a saved run.</p>
        <SavedRunPicker loaded={state.runs} />
      </div>
    );
  const shown = atEpoch(run, state.epoch)!;
  const epoch = shown.stats.epoch;
  const others = state.runs.filter((other) => other.jobId !== run.jobId);
  const compare = state.runs.find((other) => other.jobId === state.compareJobId && other.jobId !== run.jobId);
  const layers = shown.stats.layers.map((layer) => layer.nodeId);
  const nodeId = state.nodeId !== null && layers.includes(state.nodeId) ? state.nodeId : layers[0];
  const warnings = statsWarnings(shown.stats);
  return (
    <div className="history-view" data-testid="history-view">
      <div className="history-controls">
        <select aria-label="Run" value={run.jobId} onChange={(e) => history.showRun(e.target.value)}>
          {state.runs.map((candidate) => (
            <option key={candidate.jobId} value={candidate.jobId}>
              {candidate.label}
            </option>
          ))}
        </select>
        <label>
          Epoch{' '}
          <input
            type="range"
            aria-label="Epoch"
            data-testid="history-scrubber"
            min={run.epochs[0].stats.epoch}
            max={run.epochs[run.epochs.length - 1].stats.epoch}
            value={epoch}
            onChange={(e) => history.setEpoch(Number(e.target.value))}
          />
          <span data-testid="history-epoch">{epoch}</span>
        </label>
        <select aria-label="Compare with" value={compare?.jobId ?? ''} onChange={(e) => history.compareWith(e.target.value || null)}>
          <option value="">compare with…</option>
          {others.map((other) => (
            <option key={other.jobId} value={other.jobId}>
              {other.label}
            </option>
          ))}
        </select>
        <SavedRunPicker loaded={state.runs} />
      </div>
      <div className="history-snapshots">
        <FilterSnapshot run={run} event={shown} testId="history-filters" />
        {compare && <FilterSnapshot run={compare} event={atEpoch(compare, epoch)} testId="history-compare" />}
        {shown.snapshot && (
          <figure className="viz-block" data-testid="history-maps">
            <h4>Sample {shown.snapshot.sampleIndex}</h4>
            <RgbaCanvas image={mapPicture(shown.snapshot.activation, 260, 140)} label={`feature maps at epoch ${epoch}`} />
            <figcaption className="muted">{shown.snapshot.activation.nodeId} (training set)</figcaption>
          </figure>
        )}
      </div>
      <div className="history-controls">
        <select aria-label="Layer of the histograms" value={nodeId} onChange={(e) => history.setNode(e.target.value)}>
          {layers.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
        <span className="muted">a row per epoch, the current one in orange</span>
      </div>
      <div className="history-charts">
        <HistogramStrips run={run} nodeId={nodeId} epoch={epoch} />
        <NormChart run={run} epoch={epoch} />
      </div>
      <ul className="history-warnings" data-testid="history-warnings">
        {warnings.map((warning) => (
          <li key={`${warning.nodeId}-${warning.kind}`}>{warning.message}</li>
        ))}
        {warnings.length === 0 && <li className="muted">No dead ReLUs or vanishing or exploding gradients at epoch {epoch}.</li>}
      </ul>
    </div>
  );
};
