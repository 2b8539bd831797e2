/**
 * The training panel's "Advanced" section: the optimiser's own parameters, the learning-rate
 * schedule with its own parameters and warm-up, the seed and the initialisation, and augmentation. Every change goes through the
 * editor's history (one undo step; typing into one field is one step) and into the project.
 * A typed value that is not acceptable stays in its field with the problem beside it, and the
 * project keeps the last good value.
 */
import type { RandomInit } from '../../engine/train/init';
import type { Schedule } from '../../engine/train/schedules';
import { useStore } from '../app/hooks';
import { editor } from '../app/state';
import {
  AUGMENT_RULES,
  INIT_KINDS,
  SCHEDULE_FIELDS,
  SCHEDULE_KINDS,
  SEED_RULE,
  WARM_UP_RULE,
  parseNumber,
  parseScheduleField,
  scheduleFieldText,
  setAugment,
  setInitKind,
  setInitScale,
  setScheduleKind,
  setScheduleParam,
  setSeed,
  setWarmUp,
  type RunSettings,
} from './run-settings';
import { OptimizerSettings } from './OptimizerSettings';
import { NumberSetting, TextSetting } from './TextSetting';

const ScheduleGroup = ({ run }: { run: RunSettings }) => {
  const kind = run.schedule?.kind ?? 'constant';
  return (
    <fieldset>
      <legend>Learning-rate schedule</legend>
      <select
        value={kind}
        aria-label="Schedule"
        onChange={(event) => editor.setRunSettings(setScheduleKind(editor.run, event.target.value as Schedule['kind'], editor.run.epochs))}
      >
        {SCHEDULE_KINDS.map((option) => (
          <option key={option.kind} value={option.kind}>
            {option.label}
          </option>
        ))}
      </select>
      {SCHEDULE_FIELDS[kind].map((field) => (
        <TextSetting
          key={`${kind}.${field.name}`}
          name={`${kind}-${field.name}`}
          label={field.label}
          help={field.help}
          stored={(run.schedule as Record<string, unknown> | undefined)?.[field.name]}
          shown={scheduleFieldText(run.schedule, field.name)}
          parse={(text) => parseScheduleField(field, text)}
          apply={(current, value: number | number[] | undefined) => setScheduleParam(current, field.name, value)}
          size={field.rule ? 5 : 8}
          {...(field.rule?.optional ? { placeholder: '0' } : {})}
        />
      ))}
      <TextSetting
        name="warm-up"
        label="Warm-up steps"
        help="raise the rate linearly from near 0 over this many steps (blank: none)"
        stored={run.warmUpSteps}
        shown={run.warmUpSteps ? String(run.warmUpSteps) : ''}
        parse={(text) => parseNumber(text, WARM_UP_RULE)}
        apply={setWarmUp}
        size={4}
        placeholder="0"
      />
    </fieldset>
  );
};

const StartGroup = ({ run }: { run: RunSettings }) => {
  const init = run.init;
  const scale = init?.kind === 'normal' ? init.std : init?.kind === 'uniform' ? init.limit : undefined;
  return (
    <fieldset>
      <legend>Start</legend>
      <NumberSetting
        name="seed"
        label="Seed"
        help="the same seed gives the same starting weights, batch order and dropout"
        value={run.seed}
        rule={SEED_RULE}
        apply={setSeed}
        size={8}
      />
      <label title="how the weights start">
        Initialisation{' '}
        <select
          value={init?.kind ?? 'pytorch-default'}
          aria-label="Initialisation"
          onChange={(event) => editor.setRunSettings(setInitKind(editor.run, event.target.value as RandomInit['kind']))}
        >
          {INIT_KINDS.map((option) => (
            <option key={option.kind} value={option.kind}>
              {option.label}
            </option>
          ))}
        </select>
      </label>
      {scale !== undefined && (
        <NumberSetting
          key={init!.kind}
          name={`init-${init!.kind}`}
          label={init!.kind === 'normal' ? 'std' : 'limit'}
          help={init!.kind === 'normal' ? 'the standard deviation of the weights' : 'the weights are drawn from −limit to +limit'}
          value={scale}
          rule={{ above: 0 }}
          apply={setInitScale}
        />
      )}
    </fieldset>
  );
};

const AugmentGroup = ({ run }: { run: RunSettings }) => {
  const augment = run.augment ?? {};
  const flip = (option: 'flipHorizontal' | 'flipVertical', label: string) => (
    <label>
      <input
        type="checkbox"
        checked={augment[option] === true}
        aria-label={label}
        onChange={(event) => editor.setRunSettings(setAugment(editor.run, option, event.target.checked))}
      />{' '}
      {label}
    </label>
  );
  const amount = (option: 'shift' | 'rotate' | 'noise', label: string, help: string) => (
    <TextSetting
      name={`augment-${option}`}
      label={label}
      help={help}
      stored={augment[option]}
      shown={augment[option] ? String(augment[option]) : ''}
      parse={(text) => parseNumber(text, AUGMENT_RULES[option])}
      apply={(current, value: number | undefined) => setAugment(current, option, value)}
      size={4}
      placeholder="0"
    />
  );
  return (
    <fieldset>
      <legend title="random changes to each training image as it is read (validation and test are left as they are)">Augmentation</legend>
      {flip('flipHorizontal', 'Flip horizontally')}
      {flip('flipVertical', 'Flip vertically')}
      {amount('shift', 'Shift px', 'the largest shift each way, in whole pixels')}
      {amount('rotate', 'Rotate °', 'the largest rotation each way, in degrees (up to 180)')}
      {amount('noise', 'Noise σ', 'the standard deviation of Gaussian noise added to the pixels')}
    </fieldset>
  );
};

export const AdvancedSettings = () => {
  const run = useStore(editor, (s) => s.run);
  return (
    <div className="advanced-settings" data-testid="advanced-settings">
      <OptimizerSettings run={run} />
      <ScheduleGroup run={run} />
      <StartGroup run={run} />
      <AugmentGroup run={run} />
    </div>
  );
};
