/**
 * Problems found in a graph. Every issue is a value with a place (the node, and the parameter
 * or edge where that applies) and a message that says what is wrong and how to fix it.
 * Messages about a node begin with the node's id, so they read well on their own
 * (in the CLI, a log, or a tooltip).
 */
/** Every kind of problem, as a list that exists at run time; `IssueCode` is derived from it. */
export const ISSUE_CODES = [
  // the document as a whole
  'graph-malformed',
  'graph-version',
  'no-input',
  'multiple-inputs',
  'no-head',
  'multiple-heads',
  // nodes
  'node-malformed',
  'node-id-invalid',
  'node-id-duplicate',
  'node-type-unknown',
  'param-invalid',
  'param-unknown',
  // edges and ports
  'edge-malformed',
  'edge-unknown-node',
  'edge-into-input',
  'edge-from-head',
  'edge-port-invalid',
  'edge-duplicate',
  'port-unconnected',
  'port-overconnected',
  'cycle',
  'unused-output',
  // shapes and sizes
  'rank-mismatch',
  'shape-mismatch',
  'kernel-too-large',
  'output-empty',
  'groups-mismatch',
  'padding-too-large',
  'output-padding-invalid',
  'head-mismatch',
  'tensor-too-large',
  // warnings: legal, but probably not what was meant
  'double-activation',
  'stride-skips-pixels',
] as const;

export type IssueCode = (typeof ISSUE_CODES)[number];

export type Severity = 'error' | 'warning';

export interface Issue {
  readonly code: IssueCode;
  readonly severity: Severity;
  /** Says what is wrong and how to fix it; starts with the node id when there is one. */
  readonly message: string;
  readonly nodeId?: string;
  readonly param?: string;
  /** Index into the graph's `edges` array. */
  readonly edgeIndex?: number;
}

const WARNINGS: ReadonlySet<IssueCode> = new Set<IssueCode>(['param-unknown', 'double-activation', 'stride-skips-pixels']);

export const severityOf = (code: IssueCode): Severity => (WARNINGS.has(code) ? 'warning' : 'error');

export interface IssuePlace {
  nodeId?: string;
  param?: string;
  edgeIndex?: number;
}

export const makeIssue = (code: IssueCode, message: string, place: IssuePlace = {}): Issue => ({
  code,
  severity: severityOf(code),
  message,
  ...place,
});

export const isError = (issue: Issue): boolean => issue.severity === 'error';
