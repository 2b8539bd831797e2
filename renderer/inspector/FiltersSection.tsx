/**
 * The inspector's Filters section for a Conv2D layer: how its filters start (the run's random
 * scheme, a scheme of its own, or k-means on the training images), each filter previewed as a
 * small image as the run will start it, a preset and a freeze box per filter, and the chosen
 * filter's values as a grid to type into. Every change is an editor edit, undone like the graph's.
 */
import { useEffect, useMemo, useState } from 'react';
import type { GraphNode } from '../../engine/graph/document';
import { PRESET_KINDS, presetKernel, type ConvFilterInits, type FilterPreset, type FilterStart } from '../../engine/train/filter-init';
import { previewFilters, type FilterPreview } from '../../engine/train/filter-preview';
import type { RandomInit } from '../../engine/train/init';
import { filterGrid } from '../../engine/viz/filters';
import { describeRank, kernelRank } from '../../engine/viz/kernel-rank';
import { useStore } from '../app/hooks';
import { app, currentDocument, editor } from '../app/state';
import { withRunSettings } from '../training/run-settings';
import { sampleLimit } from '../training/training-store';
import { RgbaCanvas } from '../viz/RgbaCanvas';
import { clearLayer, defaultPreset, setFrozen, setPreset, setStart, setValue, settingOf, settingsForGraph, valueAt } from './filter-edits';
import { KmeansPreview } from './KmeansPreview';
import { PaintControls, PaintGrid } from './PaintGrid';
import { startFilters, startFiltersKey } from './start-filters-store';

/** At most this many filters get a card (the rest keep the layer's start). */
const MAX_CARDS = 64;

const PRESET_LABELS: Record<FilterPreset['kind'], string> = {
  'sobel-x': 'Sobel x',
  'sobel-y': 'Sobel y',
  'prewitt-x': 'Prewitt x',
  'prewitt-y': 'Prewitt y',
  laplacian: 'Laplacian',
  gaussian: 'Gaussian',
  gabor: 'Gabor',
  identity: 'identity',
  custom: 'typed values',
};

const STARTS: readonly { readonly value: string; readonly label: string; readonly start: FilterStart | undefined }[] = [
  { value: 'run', label: "at random, by the run's scheme", start: undefined },
  ...(['he-normal', 'he-uniform', 'glorot-normal', 'glorot-uniform', 'pytorch-default'] as const).map((kind) => ({
    value: kind,
    label: `at random, ${kind}`,
    start: { kind: 'random' as const, init: { kind } as RandomInit },
  })),
  { value: 'kmeans', label: 'k-means on the training images', start: { kind: 'kmeans' } },
];

const startValue = (start: FilterStart | undefined): string =>
  !start ? 'run' : start.kind === 'kmeans' ? 'kmeans' : (start.init?.kind ?? 'run');

/** Filter `filter`'s first input channel as rows. */
const kernelOf = (preview: FilterPreview, filter: number): number[][] => {
  const [, channels, height, width] = preview.shape;
  const base = filter * channels * height * width;
  return Array.from({ length: height }, (_, r) => Array.from(preview.weight.subarray(base + r * width, base + (r + 1) * width)));
};

/** Whether a kernel is separable, in words; a kernel with a value that is not a number has no rank. */
const rankOf = (kernel: number[][]): string => {
  try {
    return describeRank(kernelRank(kernel));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};

/** A paint stroke ends: the next edit is a new undo step. */
const endStroke = () => editor.endMerge();

const shown = (value: number): string => String(Number(value.toPrecision(4)));

const ValueCell = ({ value, label, onValue }: { value: number; label: string; onValue: (value: number) => void }) => {
  const [text, setText] = useState(shown(value));
  useEffect(() => {
    // Float32 weights come back rounded: compare at that precision, so typing is not overwritten.
    if (Math.fround(Number(text)) !== Math.fround(value) || text.trim() === '') setText(shown(value));
  }, [value]);
  const valid = text.trim() !== '' && Number.isFinite(Number(text));
  return (
    <input
      type="text"
      className="filter-value"
      aria-label={label}
      value={text}
      aria-invalid={valid ? undefined : true}
      onChange={(event) => {
        setText(event.target.value);
        const parsed = Number(event.target.value);
        if (event.target.value.trim() !== '' && Number.isFinite(parsed)) onValue(parsed);
      }}
      onBlur={() => editor.endMerge()}
      spellCheck={false}
    />
  );
};

const GaborFields = ({
  preset,
  onPreset,
}: {
  preset: Extract<FilterPreset, { kind: 'gabor' }>;
  onPreset: (preset: FilterPreset) => void;
}) => (
  <div className="gabor-fields">
    {(['orientation', 'wavelength', 'sigma', 'phase'] as const).map((name) => (
      <label key={name}>
        {name}
        <ValueCell value={preset[name]} label={`Gabor ${name}`} onValue={(value) => onPreset({ ...preset, [name]: value })} />
      </label>
    ))}
  </div>
);

export const FiltersSection = ({ node }: { node: GraphNode }) => {
  const graph = useStore(editor, (state) => state.graph);
  const stored = useStore(editor, (state) => state.filters);
  const nodes = useStore(editor, (state) => state.report.nodes);
  const project = useStore(app, (state) => state.project);
  const api = useStore(app, (state) => state.api);
  const learnt = useStore(startFilters, (state) => state);
  const limit = useStore(sampleLimit, (state) => state.limit);
  // the run settings (seed, initialisation) are the editor's until saved: the run draws with them
  const run = useStore(editor, (state) => state.run);
  const training = useMemo(() => (project ? withRunSettings(project, run).training : undefined), [project, run]);
  const [chosen, setChosen] = useState(0);
  const [painting, setPainting] = useState(false);
  const [brush, setBrush] = useState(1);
  const filters = useMemo(() => settingsForGraph(stored, nodes), [stored, nodes]);
  const result = useMemo(
    () => (training ? previewFilters(graph, { ...training, filters }, node.id) : null),
    [graph, training, filters, node.id],
  );
  if (!result) return null;
  if (!result.ok) {
    return (
      <section className="filters-section" aria-label="Filters">
        <h3>Filters</h3>
        <p className="muted" data-testid="filters-problem">
          The filters cannot be previewed: {result.problem}
        </p>
        {stored[node.id] && (
          <button onClick={() => editor.setFilters(clearLayer(stored, node.id))}>Clear this layer's filter settings</button>
        )}
      </section>
    );
  }
  const kmeans = result.preview.awaitsData;
  // The k-means filters the host learnt, while they are for the document as it is now.
  const document = kmeans ? currentDocument() : null;
  const answer = document ? startFilters.answerFor(startFiltersKey(document, node.id, limit)) : null;
  const preview =
    answer?.weight && answer.weight.length === result.preview.weight.length
      ? { ...result.preview, weight: answer.weight, awaitsData: false }
      : result.preview;
  const [count, channels, height, width] = preview.shape;
  const edit = (change: (inits: ConvFilterInits) => ConvFilterInits, merge?: string) => editor.setFilters(change(editor.filters), merge);
  const filter = Math.min(chosen, count - 1);
  const setting = settingOf(stored, node.id, filter);
  const kernel = kernelOf(preview, filter);
  const start = stored[node.id]?.start;
  const presetProblem = setting.preset ? presetKernel(setting.preset, height, width) : null;

  return (
    <section className="filters-section" aria-label="Filters" data-testid="filters-section">
      <h3>Filters</h3>
      <label className="filters-start">
        Start
        <select
          aria-label="How the filters start"
          value={startValue(start)}
          onChange={(event) =>
            edit((inits) => setStart(inits, node.id, STARTS.find((option) => option.value === event.target.value)?.start))
          }
        >
          {STARTS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </label>
      {kmeans && <KmeansPreview api={api} nodeId={node.id} limit={limit} state={learnt} current={answer !== null} />}
      <div
        className="filter-cards"
        data-testid="filter-cards"
        data-start={kmeans ? (preview.awaitsData ? 'random' : 'kmeans') : 'settings'}
      >
        {Array.from({ length: Math.min(count, MAX_CARDS) }, (_, index) => {
          const own = settingOf(stored, node.id, index);
          const base = index * channels * height * width;
          const image = filterGrid(preview.weight.subarray(base, base + channels * height * width), [1, channels, height, width], {
            scale: Math.max(2, Math.floor(24 / Math.max(height, width))),
            maxChannels: 3,
          });
          return (
            <div
              key={index}
              className={`filter-card ${index === filter ? 'chosen' : ''} ${own.frozen ? 'frozen' : ''}`}
              data-testid={`filter-card-${index}`}
              onClick={() => setChosen(index)}
            >
              <RgbaCanvas image={image} label={`filter ${index}`} className="filter-preview" />
              <span className="filter-number">{index}</span>
              {own.preset && <span className="filter-preset-tag">{PRESET_LABELS[own.preset.kind]}</span>}
              {own.frozen && <span title="frozen: training leaves it alone">❄</span>}
            </div>
          );
        })}
      </div>
      {count > MAX_CARDS && (
        <p className="muted">
          The first {MAX_CARDS} of {count} filters are shown.
        </p>
      )}
      <div className="filter-editor" data-testid="filter-editor">
        <h4>
          Filter {filter} <span className="muted">{channels > 1 ? `(the same values in each of its ${channels} input channels)` : ''}</span>
        </h4>
        <label>
          Preset
          <select
            aria-label={`Filter ${filter} preset`}
            value={setting.preset?.kind ?? ''}
            onChange={(event) => {
              const kind = event.target.value as FilterPreset['kind'] | '';
              edit((inits) => setPreset(inits, node.id, filter, kind ? defaultPreset(kind, height, width, kernel) : undefined));
            }}
          >
            <option value="">{start?.kind === 'kmeans' ? 'k-means' : 'at random'}</option>
            {PRESET_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {PRESET_LABELS[kind]}
              </option>
            ))}
          </select>
        </label>
        <label className="filter-freeze">
          <input
            type="checkbox"
            aria-label={`Freeze filter ${filter}`}
            checked={setting.frozen === true}
            onChange={(event) => edit((inits) => setFrozen(inits, node.id, filter, event.target.checked))}
          />
          Frozen: training leaves it alone
        </label>
        {setting.preset?.kind === 'gabor' && (
          <GaborFields
            preset={setting.preset}
            onPreset={(preset) => edit((inits) => setPreset(inits, node.id, filter, preset), `${node.id}.${filter}.gabor`)}
          />
        )}
        {presetProblem && !presetProblem.ok && (
          <div className="param-problem" role="alert">
            {presetProblem.problem}
          </div>
        )}
        <PaintControls painting={painting} brush={brush} onPainting={setPainting} onBrush={setBrush} />
        {painting ? (
          <PaintGrid
            key={filter}
            kernel={kernel}
            label={`Filter ${filter}`}
            brush={brush}
            onStrokeEnd={endStroke}
            onPaint={(r, c, value, stroke) => {
              if (valueAt(editor.filters, node.id, filter, kernel, r, c) === value) return;
              edit((inits) => setValue(inits, node.id, filter, kernel, r, c, value), `${node.id}.${filter}.paint.${stroke}`);
            }}
          />
        ) : (
          <div className="filter-values" style={{ gridTemplateColumns: `repeat(${width}, 1fr)` }} data-testid="filter-values">
            {kernel.map((row, r) =>
              row.map((value, c) => (
                <ValueCell
                  key={`${filter}.${r}.${c}`}
                  value={value}
                  label={`Filter ${filter} row ${r} column ${c}`}
                  onValue={(typed) => edit((inits) => setValue(inits, node.id, filter, kernel, r, c, typed), `${node.id}.${filter}.values`)}
                />
              )),
            )}
          </div>
        )}
        <p className="muted" data-testid="kernel-rank">
          {rankOf(kernel)}
        </p>
        {!setting.preset && (
          <p className="muted">
            {painting
              ? 'Drag over the cells to paint the brush value (right button or Shift: 0); this filter then becomes your own matrix.'
              : 'Typing a value makes this filter your own matrix; the rest start as above.'}
          </p>
        )}
      </div>
    </section>
  );
};
