/** What the playground shows of an answer: the class probabilities as bars, and every layer's output as a grid of maps. */
import { useMemo } from 'react';
import { featureMapGrid, mapShape } from '../../engine/viz/feature-maps';
import { RgbaCanvas } from '../viz/RgbaCanvas';
import type { LayerOutput, PlaygroundAnswer } from './playground-network';

/** Bars show at most this many outputs (the largest first beyond it). */
const MOST_BARS = 20;

const percent = (value: number) => `${(100 * value).toFixed(value >= 0.995 || value < 0.001 ? 0 : 1)}%`;

export const Probabilities = ({ answer, classes }: { answer: PlaygroundAnswer; classes?: readonly string[] }) => {
  const values = answer.probabilities ?? answer.outputs;
  const rows = Array.from(values, (value, index) => ({ index, value, name: classes?.[index] ?? String(index) }));
  const top = rows.reduce((best, row) => (row.value > best.value ? row : best), rows[0]);
  const shown = rows.length > MOST_BARS ? [...rows].sort((a, b) => b.value - a.value).slice(0, MOST_BARS) : rows;
  const largest = Math.max(...shown.map((row) => Math.abs(row.value)), 1e-12);
  return (
    <div className="playground-classes">
      <div className="playground-prediction" data-testid="playground-prediction" data-class={top.name}>
        {answer.probabilities ? (
          <>
            Prediction: <strong>{top.name}</strong> ({percent(top.value)})
          </>
        ) : (
          <>Outputs (this head gives values, not probabilities)</>
        )}
      </div>
      <table className="playground-bars" aria-label={answer.probabilities ? 'Class probabilities' : 'Outputs'}>
        <tbody>
          {shown.map((row) => (
            <tr key={row.index} className={row === top ? 'top' : undefined} data-testid={`playground-class-${row.index}`}>
              <th scope="row">{row.name}</th>
              <td>
                <div className="playground-bar" style={{ width: `${(100 * Math.abs(row.value)) / largest}%` }} />
              </td>
              <td className="playground-value">{answer.probabilities ? percent(row.value) : row.value.toPrecision(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

/** Each map about this many pixels across, in whole pixels per value. */
const MAP_PIXELS = 36;

const LayerMap = ({ layer }: { layer: LayerOutput }) => {
  const grid = useMemo(() => {
    const [channels, height, width] = mapShape(layer.shape);
    const scale =
      height === 1 ? Math.min(8, Math.max(2, Math.floor(240 / width))) : Math.max(1, Math.floor(MAP_PIXELS / Math.max(height, width)));
    return featureMapGrid(layer.values, layer.shape, { scale, columns: Math.min(channels, 8), maxChannels: 64 });
  }, [layer]);
  return (
    <figure className="playground-layer" data-testid={`playground-layer-${layer.id}`}>
      <figcaption>
        {layer.id}{' '}
        <span className="muted">
          {layer.type} · {layer.shape.join('×')}
          {grid.totalChannels > grid.channels ? ` · first ${grid.channels} maps` : ''}
        </span>
      </figcaption>
      <RgbaCanvas image={grid} label={`${layer.id}'s output`} />
    </figure>
  );
};

export const LayerMaps = ({ layers }: { layers: readonly LayerOutput[] }) => (
  <div className="playground-layers" aria-label="Every layer's output">
    {layers.map((layer) => (
      <LayerMap key={layer.id} layer={layer} />
    ))}
  </div>
);
