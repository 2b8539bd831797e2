/** The bottom bar: the graph's totals (parameters, multiply-adds, training memory) and its problems. */
import { estimateTrainingMemory } from '../../engine/train/memory';
import { formatBytes, formatCount, formatShort } from './format';
import { useStore } from './hooks';
import { app, editor, isDirty } from './state';

export const StatusBar = () => {
  const report = useStore(editor, (state) => state.report);
  const version = useStore(editor, (state) => state.version);
  const project = useStore(app, (state) => state.project);
  const appState = useStore(app, (state) => state);
  const errors = report.issues.filter((issue) => issue.severity === 'error').length;
  const warnings = report.issues.length - errors;
  const training = project?.training;
  const memory = training ? estimateTrainingMemory(report, training.batchSize, training.optimizer) : null;
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span data-testid="total-params" title="trainable parameters">
        {formatCount(report.totals.params)} parameters
      </span>
      <span data-testid="total-macs" title="multiply-adds of one forward pass over one sample">
        {formatShort(report.totals.macs)} multiply-adds
      </span>
      {memory && (
        <span title={`weights, gradients, optimiser state and activations for a batch of ${training!.batchSize}`}>
          ~{formatBytes(memory.totalBytes)} to train
        </span>
      )}
      <span className={errors ? 'status-errors' : 'status-ok'} data-testid="error-count">
        {errors === 1 ? '1 error' : `${errors} errors`}
      </span>
      {warnings > 0 && <span className="status-warnings">{warnings === 1 ? '1 warning' : `${warnings} warnings`}</span>}
      <span className="status-spacer" />
      <span data-testid="save-state">{isDirty(appState, version) ? 'unsaved changes' : 'saved'}</span>
      {appState.hasWeights && <span title="the project holds trained weights">trained</span>}
    </footer>
  );
};
