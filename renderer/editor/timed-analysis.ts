/**
 * `analyzeGraph` with its duration recorded as a User Timing measure, `cnn-studio:analyze`
 * (only the latest is kept), so that the editor benchmark can read how long shape inference
 * took after an edit in the real page (electron/host/bench/editor-ui.ts).
 */
import { analyzeGraph, type GraphReport } from '../../engine/graph/analyze';
import type { GraphDocument } from '../../engine/graph/document';

export const ANALYZE_MEASURE = 'cnn-studio:analyze';

export const analyzeTimed = (graph: GraphDocument): GraphReport => {
  const start = performance.now();
  const report = analyzeGraph(graph);
  performance.clearMeasures(ANALYZE_MEASURE);
  performance.measure(ANALYZE_MEASURE, { start, end: performance.now() });
  return report;
};
