/** `cnn-studio inspect FILE [--json]`: every node's shape, cost and problems, and the totals. */
import { analyzeGraph, type GraphReport, type NodeReport } from '../../../engine/graph/analyze';
import { formatShape } from '../../../engine/graph/shape';
import { readJsonFile } from './files';
import { openProjectFile } from './project-files';
import { formatBytes, formatCompact, formatCount, formatTable } from './format';

export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const nodeNote = (node: NodeReport): string => {
  const errors = node.issues.filter((issue) => issue.severity === 'error').length;
  const warnings = node.issues.length - errors;
  const notes: string[] = [];
  if (errors) notes.push(`${errors} error${errors > 1 ? 's' : ''}`);
  if (warnings) notes.push(`${warnings} warning${warnings > 1 ? 's' : ''}`);
  if (node.comparison) {
    const { macRatio, paramRatio } = node.comparison;
    notes.push(
      `${(macRatio * 100).toFixed(1)}% of the multiply-adds, ${(paramRatio * 100).toFixed(1)}% of the weights of a ${node.comparison.replaces}`,
    );
  }
  return notes.join('; ');
};

export const renderReport = (report: GraphReport): string => {
  const byId = new Map(report.nodes.map((node) => [node.id, node]));
  const ordered = [...report.order.map((id) => byId.get(id)!), ...report.nodes.filter((node) => !report.order.includes(node.id))];
  const rows = ordered.map((node) => [
    node.id,
    node.type,
    node.outputShape ? formatShape(node.outputShape) : '?',
    formatCount(node.paramCount),
    formatCount(node.macs),
    nodeNote(node),
  ]);
  const table = formatTable(['node', 'type', 'output', 'params', 'mult-adds', 'notes'], rows, [false, false, false, true, true, false]);
  const { params, buffers, macs, activations } = report.totals;
  const totals = [
    `parameters: ${formatCount(params)} (${formatBytes(params * 4)} as float32)` +
      (buffers ? `, plus ${formatCount(buffers)} running statistics` : ''),
    `multiply-adds per image: ${formatCount(macs)} (${formatCompact(macs)})`,
    `activations per image: ${formatCount(activations)} values (${formatBytes(activations * 4)})`,
    `status: ${report.valid ? 'valid' : `invalid, ${report.issues.filter((issue) => issue.severity === 'error').length} error(s)`}`,
  ];
  return `${table}\n\n${totals.join('\n')}\n`;
};

const toJson = (file: string, report: GraphReport) => ({
  file,
  valid: report.valid,
  inputShape: report.inputShape,
  outputShape: report.outputShape,
  totals: report.totals,
  nodes: report.nodes.map((node) => ({
    id: node.id,
    type: node.type,
    label: node.label,
    outputShape: node.outputShape,
    params: node.paramCount,
    buffers: node.bufferCount,
    macs: node.macs,
    formulas: node.formulas,
    ...(node.comparison ? { comparison: node.comparison } : {}),
    issues: node.issues,
  })),
  order: report.order,
  issues: report.issues,
});

/** The graph of a graph file, or of a project file. */
const readGraph = async (file: string): Promise<unknown> => {
  if (!file.endsWith('.cnnproj')) return readJsonFile(file);
  return (await openProjectFile(file)).project.graph;
};

export const inspect = async (file: string, { json }: { json: boolean }): Promise<CommandOutput> => {
  const report = analyzeGraph(await readGraph(file));
  const stdout = json ? `${JSON.stringify(toJson(file, report), null, 2)}\n` : renderReport(report);
  const stderr = report.issues.map((issue) => `${issue.severity}: ${issue.message}\n`).join('');
  return { stdout, stderr, exitCode: report.valid ? 0 : 1 };
};
