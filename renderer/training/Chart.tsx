/** A live line chart (uPlot): made once, then fed new data with setData as the run goes. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useResolvedTheme } from '../app/theme';

export interface ChartSeries {
  readonly label: string;
  readonly stroke: string;
}

interface ChartProps {
  readonly title: string;
  readonly xLabel: string;
  readonly series: readonly ChartSeries[];
  /** x values, then one list per series (null for gaps). */
  readonly data: uPlot.AlignedData;
  /** Changes whenever `data` has new points. */
  readonly revision: number;
  readonly yRange?: [number, number];
  /** x counts whole things (epochs): ticks only at whole numbers. */
  readonly wholeX?: boolean;
  readonly testId: string;
}

const WHOLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

const HEIGHT = 170;

/** uPlot draws on a canvas, which CSS variables do not reach: the axis and grid colours of each theme. */
const AXES = { dark: { axis: '#aaa', grid: '#333' }, light: { axis: '#555', grid: '#ddd' } } as const;

export const Chart = ({ title, xLabel, series, data, revision, yRange, wholeX, testId }: ChartProps) => {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const colours = AXES[useResolvedTheme()];

  useEffect(() => {
    const element = container.current!;
    const options: uPlot.Options = {
      title,
      width: Math.max(200, element.clientWidth),
      height: HEIGHT,
      scales: { x: { time: false }, ...(yRange ? { y: { range: yRange } } : {}) },
      axes: [
        { label: xLabel, stroke: colours.axis, grid: { stroke: colours.grid }, ...(wholeX ? { incrs: WHOLE_STEPS } : {}) },
        { stroke: colours.axis, grid: { stroke: colours.grid } },
      ],
      series: [
        { label: xLabel },
        ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 1.5, points: { show: true, size: 4 } })),
      ],
      legend: { show: true },
    };
    plot.current = new uPlot(options, data, element);
    const observer = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, element.clientWidth), height: HEIGHT }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // The chart is made once per set of series (and theme); data arrives through the effect below.
  }, [title, xLabel, series, yRange, wholeX, colours]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data, revision]);

  return <div className="chart" ref={container} data-testid={testId} data-points={data[0].length} data-series={series.length} />;
};
