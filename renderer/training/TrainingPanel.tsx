/**
 * The training panel: settings for a run (epochs, batch size, learning rate, optimiser, a sample
 * limit), start, pause, resume and stop, a progress bar with the ETA, and live loss and accuracy
 * curves fed by the job's event stream. Three toggles in the settings row open the advanced
 * settings (schedule, seed, initialisation, augmentation), the dataset picker and the run history
 * (kept out of the row so that it stays one line).
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type uPlot from 'uplot';
import type { TrainingOverrides } from '../../electron/api';
import type { OptimizerKind } from '../../engine/train/optimizers';
import { showError } from '../app/actions';
import { formatDuration } from '../app/format';
import { useStore } from '../app/hooks';
import { app, currentDocument, editor } from '../app/state';
import { AdvancedSettings } from './AdvancedSettings';
import { Chart, type ChartSeries } from './Chart';
import { DatasetPicker } from './DatasetPicker';
import { RunHistory } from './RunHistory';
import { describeRunSettings } from './run-settings';
import { fractionDone, isActive, sampleLimit, training } from './training-store';

const LOSS_SERIES: ChartSeries[] = [{ label: 'loss', stroke: '#4fc1ff' }];
const ACCURACY_SERIES: ChartSeries[] = [
  { label: 'train', stroke: '#4fc1ff' },
  { label: 'validation', stroke: '#f0a35e' },
];
const ACCURACY_RANGE: [number, number] = [0, 1];
const OPTIMIZERS: OptimizerKind[] = ['adam', 'adamw', 'sgd', 'rmsprop'];

interface Settings {
  epochs: string;
  batchSize: string;
  learningRate: string;
  optimizer: OptimizerKind;
  limit: string;
  backend: Backend;
}

type Backend = NonNullable<TrainingOverrides['backend']>;
type Section = 'advanced' | 'dataset' | 'runs';
const BACKENDS: Backend[] = ['auto', 'cpu', 'webgpu'];

/** The overrides for some settings text, or the first problem. */
const overridesOf = (settings: Settings): TrainingOverrides | string => {
  const whole = (text: string, what: string): number | string => {
    const value = Number(text);
    return Number.isInteger(value) && value >= 1 ? value : `${what} must be a whole number from 1`;
  };
  const epochs = whole(settings.epochs, 'Epochs');
  const batchSize = whole(settings.batchSize, 'Batch size');
  const limit = settings.limit.trim() ? whole(settings.limit, 'Limit') : undefined;
  const learningRate = Number(settings.learningRate);
  for (const value of [epochs, batchSize, limit]) if (typeof value === 'string') return value;
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) return 'Learning rate must be a positive number';
  return {
    epochs: epochs as number,
    batchSize: batchSize as number,
    learningRate,
    optimizer: settings.optimizer,
    ...(limit !== undefined ? { limit: limit as number } : {}),
    ...(settings.backend !== 'auto' ? { backend: settings.backend } : {}),
  };
};

const Controls = () => {
  const state = useStore(training, (s) => s);
  const api = useStore(app, (s) => s.api);
  const togglePause = () => api && training.togglePause(api).catch(showError);
  const stop = () => api && training.stop(api).catch(showError);
  if (!state.jobId || !isActive(state)) return null;
  return (
    <>
      <button type="button" onClick={togglePause}>
        {state.state === 'paused' ? 'Resume' : 'Pause'}
      </button>
      <button type="button" onClick={stop}>
        Stop
      </button>
    </>
  );
};

const ProgressLine = () => {
  const state = useStore(training, (s) => s);
  const progress = state.progress;
  const epochs = state.started?.epochs;
  const fraction = fractionDone(state);
  return (
    <div className="training-progress">
      <progress max={1} value={fraction} aria-label="Training progress" data-testid="training-progress" />
      <span data-testid="training-status">
        {state.starting && 'starting…'}
        {!state.starting && state.state !== 'idle' && `${state.state}`}
        {progress &&
          ` · epoch ${progress.epoch}/${epochs ?? '?'} · step ${progress.stepInEpoch}/${progress.stepsPerEpoch}` +
            ` · loss ${progress.loss.toFixed(4)} · ${progress.imagesPerSecond.toFixed(0)} img/s` +
            (isActive(state) ? ` · ETA ${formatDuration(progress.etaSeconds)}` : '')}
      </span>
      {state.started && (
        <span className="muted" data-testid="training-backend" title={state.started.backendReason}>
          on {state.started.backend} ({state.started.backendReason})
        </span>
      )}
    </div>
  );
};

/** What the run's dataset skipped: a warning, opened to list each file with its reason. */
const DatasetProblems = () => {
  const problems = useStore(training, (s) => s.datasetProblems);
  const count = useStore(training, (s) => s.datasetProblemCount);
  if (count === 0) return null;
  return (
    <details className="dataset-problems" data-testid="dataset-problems">
      <summary>
        ⚠ The dataset skipped {count === 1 ? '1 file or folder' : `${count} files or folders`}; training goes on without{' '}
        {count === 1 ? 'it' : 'them'}
      </summary>
      <ul>
        {problems.map((problem, index) => (
          <li key={index}>
            <code>
              {problem.path}
              {problem.line ? `:${problem.line}` : ''}
            </code>
            : {problem.reason}
          </li>
        ))}
        {count > problems.length && <li className="muted">… and {count - problems.length} more</li>}
      </ul>
    </details>
  );
};

const Curves = () => {
  const steps = useStore(training, (s) => s.steps);
  const losses = useStore(training, (s) => s.losses);
  const points = useStore(training, (s) => s.points);
  const epochs = useStore(training, (s) => s.epochs);
  const lossData = useMemo((): uPlot.AlignedData => [steps, losses], [steps, losses]);
  const accuracyData = useMemo(
    (): uPlot.AlignedData => [
      epochs.map((epoch) => epoch.epoch),
      epochs.map((epoch) => epoch.trainAccuracy ?? null),
      epochs.map((epoch) => epoch.validationAccuracy ?? null),
    ],
    [epochs],
  );
  return (
    <div className="curves">
      <Chart title="Loss per step" xLabel="step" series={LOSS_SERIES} data={lossData} revision={points} testId="loss-chart" />
      <Chart
        title="Accuracy per epoch"
        xLabel="epoch"
        series={ACCURACY_SERIES}
        data={accuracyData}
        revision={epochs.length}
        yRange={ACCURACY_RANGE}
        wholeX
        testId="accuracy-chart"
      />
    </div>
  );
};

export const TrainingPanel = () => {
  const project = useStore(app, (s) => s.project);
  const api = useStore(app, (s) => s.api);
  const valid = useStore(editor, (s) => s.report.valid);
  const state = useStore(training, (s) => s);
  const run = useStore(editor, (s) => s.run);
  const base = project?.training;
  const [settings, setSettings] = useState<Settings>(() => ({
    epochs: String(base?.epochs ?? 1),
    batchSize: String(base?.batchSize ?? 32),
    learningRate: String(base?.learningRate ?? 0.001),
    optimizer: base?.optimizer.kind ?? 'adam',
    limit: '',
    backend: 'auto',
  }));
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const limit = Number(settings.limit);
    sampleLimit.update({ limit: settings.limit.trim() && Number.isInteger(limit) && limit >= 1 ? limit : null });
  }, [settings.limit]);
  const [shown, setShown] = useState<Section | null>(null);
  const toggleShown = (section: Section) => setShown(shown === section ? null : section);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const requestStart = () => form.current?.requestSubmit();
    training.requestStart = requestStart;
    return () => {
      if (training.requestStart === requestStart) training.requestStart = null;
    };
  }, []);
  const field = (name: keyof Settings) => ({
    value: settings[name],
    onChange: (event: { target: { value: string } }) => setSettings({ ...settings, [name]: event.target.value }),
  });

  const start = (event: FormEvent) => {
    event.preventDefault();
    // The menu's Train ▸ Start submits the form even when its button is disabled.
    if (isActive(training.getState())) return;
    if (!valid) return setProblem('Fix the errors in the graph before training');
    const overrides = overridesOf(settings);
    if (typeof overrides === 'string') return setProblem(overrides);
    setProblem(null);
    const document = currentDocument();
    if (api && document) void training.start(api, document, overrides);
  };

  return (
    <section className="training-panel" aria-label="Training">
      <form className="training-settings" onSubmit={start} ref={form}>
        <label>
          Epochs <input {...field('epochs')} size={4} aria-label="Epochs" />
        </label>
        <label>
          Batch size <input {...field('batchSize')} size={4} aria-label="Batch size" />
        </label>
        <label>
          Learning rate <input {...field('learningRate')} size={7} aria-label="Learning rate" />
        </label>
        <label>
          Optimiser{' '}
          <select {...field('optimizer')} aria-label="Optimiser">
            {OPTIMIZERS.map((kind) => (
              <option key={kind}>{kind}</option>
            ))}
          </select>
        </label>
        <select {...field('backend')} aria-label="Backend" title="Where to train. auto: the GPU when there is a fast one, else the CPU">
          {BACKENDS.map((backend) => (
            <option key={backend}>{backend}</option>
          ))}
        </select>
        <label title="train on the first N samples only (blank: all)">
          Limit <input {...field('limit')} size={7} placeholder="all" aria-label="Sample limit" />
        </label>
        <button type="submit" disabled={!valid || isActive(state)} title={valid ? '' : 'fix the graph first'}>
          Train
        </button>
        <Controls />
        <button
          type="button"
          className={`link-button${shown === 'advanced' ? ' open' : ''}`}
          onClick={() => toggleShown('advanced')}
          aria-expanded={shown === 'advanced'}
          title="learning-rate schedule, seed, initialisation and augmentation"
        >
          advanced: {describeRunSettings(run)}
        </button>
        <button
          type="button"
          className={`link-button${shown === 'dataset' ? ' open' : ''}`}
          onClick={() => toggleShown('dataset')}
          aria-expanded={shown === 'dataset'}
          title="choose the dataset and preview it"
        >
          dataset: {project?.dataset?.kind ?? 'none'}
        </button>
        <button
          type="button"
          className={`link-button${shown === 'runs' ? ' open' : ''}`}
          onClick={() => toggleShown('runs')}
          aria-expanded={shown === 'runs'}
          title="the project's runs: compare them, and their error against cost"
        >
          runs: {project?.runs.length ?? 0}
        </button>
      </form>
      {shown === 'advanced' && <AdvancedSettings epochs={Number(settings.epochs) || 1} />}
      {shown === 'dataset' && <DatasetPicker />}
      {shown === 'runs' && <RunHistory />}
      {problem && <div className="training-failure">{problem}</div>}
      <ProgressLine />
      <DatasetProblems />
      {state.failure && (
        <div className="training-failure" role="alert" data-testid="training-failure">
          Training failed: {state.failure}
        </div>
      )}
      {state.finished && state.finished.state !== 'failed' && (
        <div className="training-finished" data-testid="training-finished">
          Run {state.finished.run?.id ?? ''} {state.finished.state}.
          {state.finished.weightsKept ? ' Its weights are now the project’s (save to keep them).' : ''}
        </div>
      )}
      {(state.state !== 'idle' || state.starting) && <Curves />}
    </section>
  );
};
