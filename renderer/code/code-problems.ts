/**
 * What the code view lists and marks: the code's own mistakes (which keep the graph as it was)
 * and the analysis's issues about the graph the code describes, each on its layer's line.
 */
import type { GraphReport } from '../../engine/graph/analyze';
import type { CodeProblem } from '../../engine/graph/model-code/parse';

export interface ListedProblem {
  readonly severity: 'error' | 'warning';
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  /** 0: to the end of the line. */
  readonly endColumn: number;
  readonly message: string;
  /** True for a mistake in the code; false for an issue of the graph. */
  readonly syntax: boolean;
}

export const codeProblems = (problems: readonly CodeProblem[]): ListedProblem[] =>
  problems.map((problem) => ({ ...problem, severity: 'error', syntax: true }));

/** The analysis's issues, on the line of the layer they are about (graph-wide ones on line 1). */
export const graphProblems = (report: GraphReport, lines: ReadonlyMap<string, number>): ListedProblem[] =>
  report.issues.map((issue) => {
    const line = (issue.nodeId !== undefined ? lines.get(issue.nodeId) : undefined) ?? 1;
    return { severity: issue.severity, line, column: 1, endLine: line, endColumn: 0, message: issue.message, syntax: false };
  });
