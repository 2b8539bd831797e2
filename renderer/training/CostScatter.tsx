/**
 * Every run as a point: final error against the multiply-adds of the graph it trained (on a log
 * axis), as Sony's Neural Network Console draws its trade-off chart. Hovering a point names the run.
 */
import { useState } from 'react';
import { formatShort } from '../app/format';
import { axisRange, type CostScatter as Scatter } from './run-history';

const WIDTH = 420;
const HEIGHT = 180;
const MARGIN = { left: 46, right: 12, top: 10, bottom: 30 };

export const CostScatter = ({ scatter, selected }: { scatter: Scatter; selected: ReadonlySet<string> }) => {
  const [hovered, setHovered] = useState<string | null>(null);
  const { points, leftOut } = scatter;
  const [xLow, xHigh] = axisRange(points.map((point) => Math.log10(Math.max(1, point.multiplyAdds))));
  const [yLow, yHigh] = axisRange(points.map((point) => point.error));
  const x = (macs: number) =>
    MARGIN.left + ((Math.log10(Math.max(1, macs)) - xLow) / (xHigh - xLow)) * (WIDTH - MARGIN.left - MARGIN.right);
  const y = (error: number) => HEIGHT - MARGIN.bottom - ((error - yLow) / (yHigh - yLow)) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const kinds = [...new Set(points.map((point) => point.errorKind))];
  const shown = points.find((point) => point.id === hovered);
  // Runs of one graph that ended with the same error lie on one spot: name them all.
  const together = shown ? points.filter((point) => point.multiplyAdds === shown.multiplyAdds && point.error === shown.error) : [];
  return (
    <figure className="cost-scatter" data-testid="cost-scatter">
      <figcaption>
        Error against cost{' '}
        <span className="muted">({kinds.join(', ') || 'error'} after the last epoch; multiply-adds per sample, log scale)</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Error against multiply-adds of every run">
        <line className="axis" x1={MARGIN.left} y1={HEIGHT - MARGIN.bottom} x2={WIDTH - MARGIN.right} y2={HEIGHT - MARGIN.bottom} />
        <line className="axis" x1={MARGIN.left} y1={MARGIN.top} x2={MARGIN.left} y2={HEIGHT - MARGIN.bottom} />
        <text x={MARGIN.left} y={HEIGHT - 8}>
          {formatShort(10 ** xLow)}
        </text>
        <text x={WIDTH - MARGIN.right} y={HEIGHT - 8} textAnchor="end">
          {formatShort(10 ** xHigh)} multiply-adds
        </text>
        <text x={MARGIN.left - 4} y={HEIGHT - MARGIN.bottom} textAnchor="end">
          {yLow.toFixed(3)}
        </text>
        <text x={MARGIN.left - 4} y={MARGIN.top + 8} textAnchor="end">
          {yHigh.toFixed(3)}
        </text>
        {points.map((point) => (
          <circle
            key={point.id}
            data-testid="cost-point"
            data-run={point.id}
            className={selected.has(point.id) ? 'selected' : ''}
            cx={x(point.multiplyAdds)}
            cy={y(point.error)}
            r={hovered === point.id ? 6 : 4.5}
            onMouseEnter={() => setHovered(point.id)}
            onMouseLeave={() => setHovered((current) => (current === point.id ? null : current))}
          >
            <title>{`${point.id}: ${point.errorKind} ${point.error.toFixed(4)}, ${formatShort(point.multiplyAdds)} multiply-adds`}</title>
          </circle>
        ))}
      </svg>
      <div className="cost-hover muted" data-testid="cost-hover">
        {shown
          ? `${shown.id}: ${shown.errorKind} ${shown.error.toFixed(4)} · ${formatShort(shown.multiplyAdds)} multiply-adds · ${shown.summary}` +
            (together.length > 1 ? ` (on the same spot: ${together.map((point) => point.id).join(', ')})` : '')
          : points.length
            ? 'hover a point to see its run'
            : 'no finished runs yet'}
        {leftOut.length > 0 && ` · not drawn (no finished epoch or unknown cost): ${leftOut.join(', ')}`}
      </div>
    </figure>
  );
};
