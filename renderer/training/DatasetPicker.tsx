/**
 * The dataset picker: choose a built-in dataset or one on disk, preview a grid of its samples
 * with their labels and the number of samples in each class, and make it the project's.
 */
import { useEffect, useRef, useState } from 'react';
import type { DatasetPreview, DatasetPreviewSample } from '../../electron/api';
import { useStore } from '../app/hooks';
import { app } from '../app/state';
import { DATASET_KINDS, choiceOf, specOf, type DatasetChoice } from './dataset-choice';

const PREVIEW_COUNT = 32;

/** One sample drawn at its own size (CSS scales it up): grey, or RGB from planar channels. */
const SampleImage = ({ sample }: { sample: DatasetPreviewSample }) => {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [channels, height, width] = sample.shape;
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    const image = context.createImageData(width, height);
    const plane = width * height;
    const byte = (value: number) => Math.max(0, Math.min(255, Math.round(value * 255)));
    for (let i = 0; i < plane; i++) {
      const r = sample.pixels[i];
      const g = channels >= 3 ? sample.pixels[plane + i] : r;
      const b = channels >= 3 ? sample.pixels[2 * plane + i] : r;
      image.data.set([byte(r), byte(g), byte(b), 255], i * 4);
    }
    context.putImageData(image, 0, 0);
  }, [sample, channels, height, width]);
  return <canvas ref={canvas} width={width} height={height} />;
};

const ClassCounts = ({ preview }: { preview: DatasetPreview }) => {
  const counts = preview.classCounts;
  if (!counts) return null;
  const most = Math.max(1, ...counts);
  return (
    <ul className="class-counts" data-testid="class-counts" aria-label="Samples per class">
      {counts.map((count, label) => (
        <li key={label} data-testid="class-count">
          <span className="class-name">{preview.classes?.[label] ?? String(label)}</span>
          <span className="class-bar" style={{ width: `${(count / most) * 100}%` }} />
          <span className="class-number">{count.toLocaleString('en-US')}</span>
        </li>
      ))}
    </ul>
  );
};

export const DatasetPicker = () => {
  const api = useStore(app, (s) => s.api);
  const project = useStore(app, (s) => s.project);
  const [choice, setChoice] = useState<DatasetChoice>(() => choiceOf(project?.dataset));
  const [preview, setPreview] = useState<DatasetPreview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const spec = specOf(choice, project?.dataset);
  const isCurrent = typeof spec !== 'string' && JSON.stringify(spec) === JSON.stringify(project?.dataset);
  const field = (name: keyof DatasetChoice) => ({
    value: choice[name],
    onChange: (event: { target: { value: string } }) => {
      setChoice({ ...choice, [name]: event.target.value });
      setPreview(null);
      setProblem(null);
    },
  });

  const showPreview = async () => {
    if (typeof spec === 'string') return setProblem(spec);
    if (!api) return;
    setBusy(true);
    setProblem(null);
    try {
      setPreview(await api.previewDataset({ dataset: spec, ...(project?.split ? { split: project.split } : {}), count: PREVIEW_COUNT }));
    } catch (error) {
      setPreview(null);
      setProblem(`Could not open the dataset: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setBusy(false);
    }
  };

  // Something other than the graph changed: the save keeps it (see AppState.unsavedResults).
  const use = () => {
    if (typeof spec === 'string') return setProblem(spec);
    app.update((state) => (state.project ? { project: { ...state.project, dataset: spec }, unsavedResults: true } : {}));
  };

  const onDisk = choice.kind === 'folder' || choice.kind === 'idx' || choice.kind === 'csv';
  return (
    <div className="dataset-picker" data-testid="dataset-picker">
      <div className="dataset-choice">
        <select {...field('kind')} aria-label="Dataset kind">
          {DATASET_KINDS.map((option) => (
            <option key={option.kind} value={option.kind}>
              {option.label}
            </option>
          ))}
        </select>
        {onDisk && (
          <input
            {...field('path')}
            size={28}
            aria-label={choice.kind === 'idx' ? 'Images file' : choice.kind === 'folder' ? 'Image folder' : 'CSV file'}
            placeholder={choice.kind === 'idx' ? 'images file (relative to the project)' : 'path (relative to the project)'}
          />
        )}
        {choice.kind === 'idx' && <input {...field('labels')} size={24} aria-label="Labels file" placeholder="labels file" />}
        {(choice.kind === 'folder' || choice.kind === 'csv') && (
          <>
            <label>
              Size <input {...field('size')} size={3} aria-label="Image size" placeholder={choice.kind === 'csv' ? 'auto' : ''} />
            </label>
            <select {...field('channels')} aria-label="Channels">
              <option value="1">grey</option>
              <option value="3">colour</option>
            </select>
          </>
        )}
        <button type="button" onClick={() => void showPreview()} disabled={busy}>
          {busy ? 'Opening…' : 'Preview'}
        </button>
        <button type="button" onClick={use} disabled={isCurrent} title="train the project on this dataset">
          {isCurrent ? 'In use' : 'Use this dataset'}
        </button>
      </div>
      {problem && (
        <div className="training-failure" role="alert" data-testid="dataset-error">
          {problem}
        </div>
      )}
      {preview && (
        <div className="dataset-preview" data-testid="dataset-preview">
          <div className="muted">
            {preview.size.toLocaleString('en-US')} training samples of {preview.sampleShape.join('×')}
            {preview.classes ? ` in ${preview.classes.length} classes` : ''}
          </div>
          <div className="preview-body">
            <div className="sample-grid">
              {preview.samples.map((sample) => (
                <figure key={sample.index} data-testid="preview-sample">
                  <SampleImage sample={sample} />
                  <figcaption>{sample.className ?? sample.label ?? ''}</figcaption>
                </figure>
              ))}
            </div>
            <ClassCounts preview={preview} />
          </div>
          {preview.problems.length > 0 && (
            <details className="dataset-problems">
              <summary>⚠ {preview.problems.length} files or rows were left out</summary>
              <ul>
                {preview.problems.map((text, index) => (
                  <li key={index}>{text}</li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
    </div>
  );
};
