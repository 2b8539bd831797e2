/**
 * The project's runs: a list with each run's hyper-parameters, graph version and final metrics;
 * ticked runs overlaid in one chart; and every run in the error-against-cost scatter.
 */
import { useMemo, useState } from 'react';
import type uPlot from 'uplot';
import { graphVersion } from '../../engine/project/schema';
import { formatShort } from '../app/format';
import { useStore } from '../app/hooks';
import { app, editor } from '../app/state';
import { Chart, type ChartSeries } from './Chart';
import { CostScatter } from './CostScatter';
import { OVERLAY_METRICS, RUN_COLOURS, costScatter, overlay, runRows, type OverlayMetric } from './run-history';

const ACCURACY_RANGE: [number, number] = [0, 1];
const percent = (value: number | undefined) => (value === undefined ? '–' : `${(value * 100).toFixed(1)}%`);

export const RunHistory = () => {
  const runs = useStore(app, (s) => s.project?.runs ?? []);
  const graph = useStore(editor, (s) => s.graph);
  const macs = useStore(editor, (s) => s.report.totals.macs);
  const current = useMemo(() => graphVersion(graph), [graph]);
  const [ticked, setTicked] = useState<ReadonlySet<string>>(new Set());
  const [metric, setMetric] = useState<OverlayMetric>('trainLoss');
  const rows = useMemo(() => runRows(runs, current), [runs, current]);
  const chosen = useMemo(() => runs.filter((run) => ticked.has(run.id)), [runs, ticked]);
  const lines = useMemo(() => overlay(chosen, metric), [chosen, metric]);
  // The same runs keep their chart (Chart makes a new uPlot when its series change).
  const runKey = chosen.map((run) => run.id).join(' ');
  const series = useMemo(
    (): ChartSeries[] => (runKey ? runKey.split(' ').map((label, i) => ({ label, stroke: RUN_COLOURS[i % RUN_COLOURS.length] })) : []),
    [runKey],
  );
  const scatter = useMemo(() => costScatter(runs, current, macs), [runs, current, macs]);
  const toggle = (id: string) => {
    const next = new Set(ticked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setTicked(next);
  };

  if (!runs.length) return <div className="run-history muted">No runs yet: train to record one.</div>;
  return (
    <div className="run-history" data-testid="run-history">
      <table>
        <thead>
          <tr>
            <th title="overlay the ticked runs">overlay</th>
            <th>run</th>
            <th>started</th>
            <th>status</th>
            <th>hyper-parameters</th>
            <th>graph</th>
            <th>epochs</th>
            <th>loss</th>
            <th>val. loss</th>
            <th>val. accuracy</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} data-testid="run-row" data-run={row.id}>
              <td>
                <input type="checkbox" checked={ticked.has(row.id)} onChange={() => toggle(row.id)} aria-label={`Overlay ${row.id}`} />
              </td>
              <td>{row.id}</td>
              <td>{new Date(row.startedAt).toLocaleString()}</td>
              <td>{row.status}</td>
              <td>
                {row.summary}
                <div className="muted" data-testid="run-settings">
                  {row.settings}
                </div>
              </td>
              <td
                className={row.otherGraph ? 'other-graph' : ''}
                data-testid="run-graph"
                title={row.otherGraph ? 'trained an earlier version of the graph' : 'trained the current graph'}
              >
                {row.graphShort}
                {row.otherGraph && ' ≠'}
              </td>
              <td>{row.epochsDone}</td>
              <td>{row.final ? row.final.trainLoss.toFixed(4) : '–'}</td>
              <td>{row.final?.validationLoss?.toFixed(4) ?? '–'}</td>
              <td>{percent(row.final?.validationAccuracy)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="run-compare">
        <div>
          <label>
            Overlay{' '}
            <select value={metric} onChange={(event) => setMetric(event.target.value as OverlayMetric)} aria-label="Overlay metric">
              {OVERLAY_METRICS.map((option) => (
                <option key={option.metric} value={option.metric}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>{' '}
          <span className="muted">{chosen.length < 2 ? 'tick two or more runs to compare them' : `${chosen.length} runs`}</span>
          {chosen.length > 0 && (
            <Chart
              title={OVERLAY_METRICS.find((option) => option.metric === metric)!.label}
              xLabel="epoch"
              series={series}
              data={lines.data as uPlot.AlignedData}
              revision={lines.data[0].length}
              {...(metric.endsWith('Accuracy') ? { yRange: ACCURACY_RANGE } : {})}
              wholeX
              testId="overlay-chart"
            />
          )}
        </div>
        <CostScatter scatter={scatter} selected={ticked} />
      </div>
      <div className="muted">
        Current graph: {current.slice(0, 7)} · {formatShort(macs)} multiply-adds per sample
      </div>
    </div>
  );
};
