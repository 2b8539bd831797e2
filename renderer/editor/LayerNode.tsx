/**
 * One layer on the canvas: type, id, output shape, parameters and multiply-adds; red with its
 * message when it has an error, amber with the graph's warning or else the latest run's (a dead
 * ReLU, a vanishing or exploding gradient: renderer/viz/history-store.ts).
 */
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { formatShape } from '../../engine/graph/shape';
import { formatShort } from '../app/format';
import { useStore } from '../app/hooks';
import { history } from '../viz/history-store';
import type { LayerFlowNode } from './flow-model';

const LayerNodeView = ({ data, selected }: NodeProps<LayerFlowNode>) => {
  const report = data.report;
  const errors = report?.issues.filter((issue) => issue.severity === 'error') ?? [];
  const runWarnings = useStore(history, (s) => s.warnings.get(data.id));
  const warnings = [
    ...(report?.issues.filter((issue) => issue.severity === 'warning') ?? []),
    ...(runWarnings ?? []).map(({ message }) => ({ message })),
  ];
  const status = errors.length ? 'has-error' : warnings.length ? 'has-warning' : '';
  const shape = report?.outputShape ? formatShape(report.outputShape) : '?';
  return (
    <div
      className={`layer-node category-${data.category} ${status} ${selected ? 'selected' : ''}`}
      data-testid={`node-${data.id}`}
      data-status={errors.length ? 'error' : warnings.length ? 'warning' : 'ok'}
    >
      {data.hasInput && <Handle type="target" position={Position.Top} />}
      <div className="layer-node-title">
        <span className="layer-node-type">{data.title}</span>
        <span className="layer-node-id">{data.label}</span>
      </div>
      <div className="layer-node-facts">
        <span className="layer-node-shape" title="output shape per sample">
          → {shape}
        </span>
        {report && report.paramCount > 0 && <span title="trainable parameters">{formatShort(report.paramCount)} params</span>}
        {report && report.macs > 0 && <span title="multiply-adds per sample">{formatShort(report.macs)} MACs</span>}
      </div>
      {errors.length > 0 && (
        <div className="layer-node-message error" role="alert">
          {errors[0].message}
        </div>
      )}
      {!errors.length && warnings.length > 0 && (
        <div className="layer-node-message warning" data-testid={`node-warning-${data.id}`}>
          {warnings[0].message}
        </div>
      )}
      {data.hasOutput && <Handle type="source" position={Position.Bottom} />}
    </div>
  );
};

export const LayerNode = memo(LayerNodeView);
