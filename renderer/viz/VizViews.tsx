/** The Visualise panel's three views: a layer's filters, the sample with its picker, and the layer's feature maps of it. */
import { memo, useCallback, useMemo, useState } from 'react';
import type { VisualReply, WireTensor } from '../../electron/api';
import { decodeFloat32 } from '../../engine/viz/encoding';
import { RgbaCanvas } from './RgbaCanvas';
import { weightHistogram } from './analysis-pictures';
import { TILE_GAP } from './grid-window';
import {
  filterTileImage,
  filterTiles,
  filterTileScale,
  gradientTiles,
  mapTileImage,
  mapTiles,
  mapTileSide,
  predictionOf,
  samplePicture,
  type FilterTiles,
  type GradientTiles,
  type MapTiles,
} from './pictures';
import { TileGrid } from './TileGrid';
import { viz, type Subset } from './viz-store';

/** One filter's numbers (its first input channel), the filter picked by number. */
const FilterValues = ({ tensor }: { tensor: WireTensor }) => {
  const [picked, setPicked] = useState(0);
  const values = useMemo(() => decodeFloat32(tensor.data), [tensor]);
  const [filters, channels, height, width] = tensor.shape;
  const filter = Math.max(0, Math.min(filters - 1, picked));
  const base = filter * channels * height * width;
  return (
    <details className="filter-readout">
      <summary>Values</summary>
      <label>
        Filter{' '}
        <input
          type="number"
          min={0}
          max={filters - 1}
          value={filter}
          aria-label={`Filter of ${tensor.name} to read`}
          onChange={(event) => setPicked(Number(event.target.value) || 0)}
        />
        {channels > 1 && <span className="muted"> (input channel 0 of {channels})</span>}
      </label>
      <table data-testid="filter-readout" data-filter={filter}>
        <tbody>
          {Array.from({ length: height }, (_, r) => (
            <tr key={r}>
              {Array.from({ length: width }, (_, c) => (
                <td key={c}>{Number(values[base + r * width + c].toPrecision(4))}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
};

/** The room for a layer's filters in the panel's left column, in CSS pixels. */
const FILTERS_WIDTH = 200;
const FILTERS_HEIGHT = 200;

/** One filter's tile, drawn when it comes into view; with its gradient's tile under it when given. */
const FilterTile = memo(({ tiles, gradients, filter }: { tiles: FilterTiles; gradients: GradientTiles | null; filter: number }) => {
  const image = useMemo(() => filterTileImage(tiles, filter), [tiles, filter]);
  const gradient = useMemo(() => (gradients ? filterTileImage(gradients, filter) : null), [gradients, filter]);
  const canvas = <RgbaCanvas image={image} label={`filter ${filter}`} testId="filter-tile" />;
  if (!gradient) return canvas;
  return (
    <div className="filter-pair">
      {canvas}
      <RgbaCanvas image={gradient} label={`gradient of filter ${filter}`} testId="gradient-tile" />
    </div>
  );
});
FilterTile.displayName = 'FilterTile';

/** Pixels between a filter and its gradient. */
const PAIR_GAP = 2;

const shortNumber = (value: number): string => (value === 0 ? '0' : value.toExponential(2));

/** One tensor's filters: as large as lets them all fit in the left column, else scrolling, only those in view drawn. */
const FilterTileGrid = ({ tiles, gradients }: { tiles: FilterTiles; gradients: GradientTiles | null }) => {
  const count = tiles.shape[0];
  // with gradients a tile is a filter over its gradient: twice as high, and a gap between
  const unitHeight = gradients ? tiles.unitHeight * 2 + 1 : tiles.unitHeight;
  const scale = filterTileScale(count, tiles.unitWidth, unitHeight, FILTERS_WIDTH, FILTERS_HEIGHT, TILE_GAP);
  const tile = useCallback((filter: number) => <FilterTile tiles={tiles} gradients={gradients} filter={filter} />, [tiles, gradients]);
  const titleOf = useCallback(
    (filter: number) =>
      gradients ? `filter ${filter}; its gradient (below) up to ±${shortNumber(gradients.magnitudes[filter])}` : `filter ${filter}`,
    [gradients],
  );
  return (
    <TileGrid
      count={count}
      tileWidth={tiles.unitWidth * scale}
      tileHeight={gradients ? tiles.unitHeight * scale * 2 + PAIR_GAP : tiles.unitHeight * scale}
      maxHeight={FILTERS_HEIGHT}
      tile={tile}
      titleOf={titleOf}
      label={`filters of ${tiles.name}`}
      testId="filter-grid"
    />
  );
};

/** What the gradients' colours stand for, or why there are none. */
const GradientCaption = ({ reply, gradients }: { reply: VisualReply; gradients: GradientTiles | null }) => {
  const note = reply.gradients?.note;
  if (!gradients)
    return (
      <div className="muted" data-testid="gradient-note">
        {note ?? (reply.gradients ? 'no gradients for this tensor' : 'asking for the gradients…')}
      </div>
    );
  return (
    <div className="muted" data-testid="gradient-scale" data-step={reply.gradients?.step ?? ''}>
      Under each filter its gradient ∂L/∂w of step {reply.gradients?.step}, to its own largest |value| (up to ±
      {shortNumber(Math.max(...gradients.magnitudes))}; hover a tile for its own).
    </div>
  );
};

export const FiltersView = ({ reply, showGradients }: { reply: VisualReply | null; showGradients: boolean }) => {
  const pictures = useMemo(() => (reply ? filterTiles(reply.tensors) : []), [reply]);
  return (
    <div className="viz-block" data-testid="viz-filters" data-node={reply?.tensors[0]?.nodeId ?? ''}>
      <h4>
        Filters
        <label className="viz-gradient-toggle">
          <input type="checkbox" checked={showGradients} onChange={(event) => viz.setShowGradients(event.target.checked)} /> show gradients
        </label>
      </h4>
      {!reply && <div className="muted">…</div>}
      {reply && pictures.length === 0 && <div className="muted">1×1 kernels: nothing spatial to draw.</div>}
      {reply && pictures.map((tiles) => <FilterFigure key={tiles.name} reply={reply} tiles={tiles} showGradients={showGradients} />)}
    </div>
  );
};

const FilterFigure = ({ reply, tiles, showGradients }: { reply: VisualReply; tiles: FilterTiles; showGradients: boolean }) => {
  const gradients = useMemo(() => (showGradients ? gradientTiles(reply, tiles) : null), [showGradients, reply, tiles]);
  return (
    <figure>
      <FilterTileGrid tiles={tiles} gradients={gradients} />
      <figcaption className="muted">
        {tiles.name} {tiles.shape.join('×')}
        {tiles.channels > 1 && tiles.channels < tiles.totalChannels && ` (first ${tiles.channels} input channels)`}
      </figcaption>
      {showGradients && <GradientCaption reply={reply} gradients={gradients} />}
      <FilterValues tensor={reply.tensors.find((tensor) => tensor.name === tiles.name)!} />
    </figure>
  );
};

/** The spread of a layer's weights: one histogram of all its filter tensors. */
export const HistogramView = ({ reply }: { reply: VisualReply | null }) => {
  const chart = useMemo(() => (reply ? weightHistogram(reply.tensors) : null), [reply]);
  if (!chart) return null;
  const { histogram } = chart;
  return (
    <div className="viz-block" data-testid="viz-histogram">
      <h4>Weights</h4>
      <RgbaCanvas image={chart.image} label="histogram of the weights" testId="weight-histogram" />
      <div className="muted">
        {histogram.min.toFixed(3)} to {histogram.max.toFixed(3)}, {histogram.counts.reduce((a, b) => a + b, 0)} weights
      </div>
    </div>
  );
};

export const SampleView = ({ reply, index, subset }: { reply: VisualReply | null; index: number; subset: Subset }) => {
  const sample = reply?.sample;
  const picture = useMemo(() => (sample ? samplePicture(sample) : null), [sample]);
  const prediction = useMemo(() => (sample ? predictionOf(sample) : null), [sample]);
  const count = sample?.count ?? 0;
  return (
    <div className="viz-block viz-sample" data-testid="viz-sample" data-sample={sample?.index ?? ''}>
      <h4>Sample</h4>
      <div className="viz-sample-row">
        <div className="viz-preview">
          {picture && <RgbaCanvas image={picture} label={`sample ${sample!.index}`} testId="sample-preview" />}
        </div>
        {sample && (
          <div className="muted" data-testid="sample-facts">
            {sample.index + 1} of {count}
            {sample.label !== undefined && ` · label ${sample.label}`}
            {prediction && ` · predicted ${prediction.index} (${(prediction.probability * 100).toFixed(0)}%)`}
          </div>
        )}
      </div>
      <div className="viz-picker">
        <button aria-label="Previous sample" disabled={index <= 0} onClick={() => viz.setSample(index - 1)}>
          ◀
        </button>
        <input
          type="number"
          aria-label="Sample"
          min={0}
          max={Math.max(0, count - 1)}
          value={index}
          onChange={(e) => viz.setSample(Number(e.target.value))}
        />
        <button aria-label="Next sample" disabled={count > 0 && index >= count - 1} onClick={() => viz.setSample(index + 1)}>
          ▶
        </button>
        <button disabled={count === 0} onClick={() => viz.setSample(Math.floor(Math.random() * count))}>
          Random
        </button>
      </div>
      <select aria-label="Sample set" value={subset} onChange={(e) => viz.setSample(0, e.target.value as Subset)}>
        <option value="validation">validation set</option>
        <option value="train">training set</option>
      </select>
    </div>
  );
};

/** One channel's map, drawn when its tile comes into view. */
const MapTile = memo(({ maps, channel }: { maps: MapTiles; channel: number }) => {
  const image = useMemo(() => mapTileImage(maps, channel), [maps, channel]);
  return <RgbaCanvas image={image} label={`channel ${channel}`} testId="activation-tile" />;
});
MapTile.displayName = 'MapTile';

const channelTitle = (channel: number): string => `channel ${channel}`;

/** `width` and `height`: the room for the maps, in pixels; more maps than fit scroll, and only those in view are drawn. */
export const MapsView = ({ reply, width, height }: { reply: VisualReply | null; width: number; height: number }) => {
  const tensor = reply?.tensors[0];
  const maps = useMemo(() => (tensor ? mapTiles(tensor) : null), [tensor]);
  const side = maps ? mapTileSide(maps, width, height, TILE_GAP) : 0;
  const tile = useCallback((channel: number) => maps && <MapTile maps={maps} channel={channel} />, [maps]);
  if (!tensor || !maps) return null;
  return (
    <div className="viz-block" data-testid="viz-maps" data-node={tensor.nodeId}>
      <h4>
        Feature maps of {tensor.nodeId} for sample {reply.sample?.index}
      </h4>
      <TileGrid
        count={maps.channels}
        tileWidth={side}
        tileHeight={side}
        maxHeight={height}
        tile={tile}
        titleOf={channelTitle}
        label={`feature maps of ${tensor.nodeId}`}
        testId="activation-grid"
      />
      <div className="muted">
        {tensor.shape.join('×')}, each map stretched from its own minimum (black) to its maximum (white)
        {maps.constant > 0 && ` · ${maps.constant} of ${maps.channels} maps are constant (dead?)`}
      </div>
    </div>
  );
};
