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
  mapTileImage,
  mapTiles,
  mapTileSide,
  predictionOf,
  samplePicture,
  type FilterTiles,
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

/** One filter's tile, drawn when it comes into view. */
const FilterTile = memo(({ tiles, filter }: { tiles: FilterTiles; filter: number }) => {
  const image = useMemo(() => filterTileImage(tiles, filter), [tiles, filter]);
  return <RgbaCanvas image={image} label={`filter ${filter}`} testId="filter-tile" />;
});
FilterTile.displayName = 'FilterTile';

const filterTitle = (filter: number): string => `filter ${filter}`;

/** One tensor's filters: as large as lets them all fit in the left column, else scrolling, only those in view drawn. */
const FilterTileGrid = ({ tiles }: { tiles: FilterTiles }) => {
  const count = tiles.shape[0];
  const scale = filterTileScale(count, tiles.unitWidth, tiles.unitHeight, FILTERS_WIDTH, FILTERS_HEIGHT, TILE_GAP);
  const tile = useCallback((filter: number) => <FilterTile tiles={tiles} filter={filter} />, [tiles]);
  return (
    <TileGrid
      count={count}
      tileWidth={tiles.unitWidth * scale}
      tileHeight={tiles.unitHeight * scale}
      maxHeight={FILTERS_HEIGHT}
      tile={tile}
      titleOf={filterTitle}
      label={`filters of ${tiles.name}`}
      testId="filter-grid"
    />
  );
};

export const FiltersView = ({ reply }: { reply: VisualReply | null }) => {
  const pictures = useMemo(() => (reply ? filterTiles(reply.tensors) : []), [reply]);
  return (
    <div className="viz-block" data-testid="viz-filters" data-node={reply?.tensors[0]?.nodeId ?? ''}>
      <h4>Filters</h4>
      {!reply && <div className="muted">…</div>}
      {reply && pictures.length === 0 && <div className="muted">1×1 kernels: nothing spatial to draw.</div>}
      {pictures.map((tiles) => (
        <figure key={tiles.name}>
          <FilterTileGrid tiles={tiles} />
          <figcaption className="muted">
            {tiles.name} {tiles.shape.join('×')}
            {tiles.channels > 1 && tiles.channels < tiles.totalChannels && ` (first ${tiles.channels} input channels)`}
          </figcaption>
          {reply && <FilterValues tensor={reply.tensors.find((tensor) => tensor.name === tiles.name)!} />}
        </figure>
      ))}
    </div>
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
