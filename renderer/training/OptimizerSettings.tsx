/**
 * The optimiser's own parameters in the training panel's "Advanced" section: momentum, betas,
 * epsilon, weight decay… as the engine's optimisers take them (blank: PyTorch's default), and
 * SGD's Nesterov switch. A value that would make the parameters contradict each other (Nesterov
 * without momentum) is refused beside its field.
 */
import type { OptimizerConfig } from '../../engine/train/optimizers';
import { editor } from '../app/state';
import { OPTIMIZER_FIELDS, optimizerProblem, parseNumber, setOptimizerParam, type Parsed, type RunSettings } from './run-settings';
import { TextSetting } from './TextSetting';

const valueOf = (optimizer: OptimizerConfig, name: string): unknown => (optimizer as Record<string, unknown>)[name];

export const OptimizerSettings = ({ run }: { run: RunSettings }) => {
  const optimizer = run.optimizer;
  const nesterovAllowed = optimizer.kind === 'sgd' && optimizerProblem({ ...optimizer, nesterov: true }) === null;
  return (
    <fieldset data-testid="optimizer-settings">
      <legend>Optimiser: {optimizer.kind}</legend>
      {OPTIMIZER_FIELDS[optimizer.kind].map((field) => {
        const stored = valueOf(optimizer, field.name);
        const parse = (text: string): Parsed<number | undefined> => {
          const parsed = parseNumber(text, field.rule);
          if (!parsed.ok) return parsed;
          const problem = optimizerProblem(setOptimizerParam(editor.run, field.name, parsed.value).optimizer);
          return problem ? { ok: false, problem } : parsed;
        };
        return (
          <TextSetting
            key={`${optimizer.kind}.${field.name}`}
            name={`optimizer-${field.name}`}
            label={field.label}
            help={field.help}
            stored={stored}
            shown={stored === undefined ? '' : String(stored)}
            parse={parse}
            apply={(current, value: number | undefined) => setOptimizerParam(current, field.name, value)}
            placeholder={field.placeholder}
          />
        );
      })}
      {optimizer.kind === 'sgd' && (
        <label
          title={nesterovAllowed ? 'look ahead along the momentum before taking the gradient' : 'needs a momentum above 0 and no dampening'}
        >
          <input
            type="checkbox"
            checked={optimizer.nesterov === true}
            disabled={!nesterovAllowed && optimizer.nesterov !== true}
            aria-label="Nesterov"
            onChange={(event) => editor.setRunSettings(setOptimizerParam(editor.run, 'nesterov', event.target.checked))}
          />{' '}
          Nesterov
        </label>
      )}
    </fieldset>
  );
};
