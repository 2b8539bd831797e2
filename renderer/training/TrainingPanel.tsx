/**
 * The training panel: the project's training settings (epochs, batch size, learning rate,
 * optimiser: edited through the editor's history like the advanced ones, and saved), a sample
 * limit and the backend for this run only, start, pause, resume and stop, a progress bar with the ETA, and live loss and accuracy
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
import {
  BATCH_SIZE_RULE,
  EPOCHS_RULE,
  LEARNING_RATE_RULE,
  OPTIMIZER_KINDS,
  describeRunSettings,
  setBatchSize,
  setEpochs,
  setLearningRate,
  setOptimizerKind,
} from './run-settings';
import { NumberSetting } from './TextSetting';
import { fractionDone, isActive, sampleLimit, training } from './training-store';

const LOSS_SERIES: ChartSeries[] = [{ label: 'loss', stroke: '#4fc1ff' }];
const ACCURACY_SERIES: ChartSeries[] = [
  { label: 'train', stroke: '#4fc1ff' },
  { label: 'validation', stroke: '#f0a35e' },
];
const ACCURACY_RANGE: [number, number] = [0, 1];

/** What this run alone uses; the rest of the settings are the project's. */
interface Settings {
  limit: string;
  backend: Backend;
}

type Backend = NonNullable<TrainingOverrides['backend']>;
type Section = 'advanced' | 'dataset' | 'runs';
const BACKENDS: Backend[] = ['auto', 'cpu', 'webgpu'];

/** The run's own overrides for some settings text, or the problem. */
const overridesOf = (settings: Settings): TrainingOverrides | string => {
  const limit = settings.limit.trim() ? Number(settings.limit) : undefined;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) return 'Limit must be a whole number from 1';
  return {
    ...(limit !== undefined ? { limit } : {}),
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
  const [settings, setSettings] = useState<Settings>({ limit: '', backend: 'auto' });
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const limit = Number(settings.limit);
    sampleLimit.update({ limit: settings.limit.trim() && Number.isInteger(limit) && limit >= 1 ? limit : null });
  }, [settings.limit]);
  const [shown, setShown] = useState<Section | null>(null);
  const toggleShown = (section: Section) => setShown(shown === section ? null : section);
  const form = useRef<HTMLFormElement>(null);
  // A changed setting answers the last refusal (say "Fix Epochs before training"); Train checks again.
  useEffect(() => setProblem(null), [run]);
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
    // A setting whose typed text was refused would train with its last good value: say so instead.
    const refused = form.current?.querySelector('[aria-invalid="true"]')?.getAttribute('aria-label');
    if (refused) return setProblem(`Fix ${refused} before training`);
    const overrides = overridesOf(settings);
    if (typeof overrides === 'string') return setProblem(overrides);
    setProblem(null);
    const document = currentDocument();
    if (api && document) void training.start(api, document, overrides);
  };

  return (
    <section className="training-panel" aria-label="Training">
      <form className="training-settings" onSubmit={start} ref={form}>
        <NumberSetting
          name="epochs"
          label="Epochs"
          help="passes over the training data"
          value={run.epochs}
          rule={EPOCHS_RULE}
          apply={setEpochs}
          size={4}
        />
        <NumberSetting
          name="batch-size"
          label="Batch size"
          help="samples per optimiser step"
          value={run.batchSize}
          rule={BATCH_SIZE_RULE}
          apply={setBatchSize}
          size={4}
        />
        <NumberSetting
          name="learning-rate"
          label="Learning rate"
          help="the base step size (the schedule in advanced changes it over the run)"
          value={run.learningRate}
          rule={LEARNING_RATE_RULE}
          apply={setLearningRate}
          size={7}
        />
        <label title="its own parameters are in advanced">
          Optimiser{' '}
          <select
            value={run.optimizer.kind}
            aria-label="Optimiser"
            onChange={(event) => editor.setRunSettings(setOptimizerKind(editor.run, event.target.value as OptimizerKind))}
          >
            {OPTIMIZER_KINDS.map((kind) => (
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
          title="the optimiser's parameters, learning-rate schedule, seed, initialisation and augmentation"
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
      {shown === 'advanced' && <AdvancedSettings />}
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
