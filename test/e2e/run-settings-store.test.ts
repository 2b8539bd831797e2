// The training panel's settings without a browser: typed values checked with a message, edits
// of the epochs, batch size, rate, optimiser and its parameters, schedule, seed, initialisation
// and augmentation, their undo and redo with the
// graph's, what the document given to a run carries (checked by the real project schema), and
// the settings the host's run start takes from it.
import { describe, expect, it } from 'vitest';
import { trainingSettings } from '../../electron/host/server/start-run';
import { lenet5 } from '../../engine/graph/templates/classic';
import { newProject, parseProject, type RunRecord } from '../../engine/project/schema';
import { EditorStore } from '../../renderer/editor/editor-store';
import { runRows } from '../../renderer/training/run-history';
import {
  DEFAULT_RUN_SETTINGS,
  EPOCHS_RULE,
  LEARNING_RATE_RULE,
  OPTIMIZER_FIELDS,
  OPTIMIZER_KINDS,
  SCHEDULE_FIELDS,
  SCHEDULE_KINDS,
  SEED_RULE,
  defaultSchedule,
  describeRunSettings,
  parseMilestones,
  parseNumber,
  parseScheduleField,
  runSettingsOf,
  optimizerProblem,
  setAugment,
  setEpochs,
  setInitKind,
  setInitScale,
  setOptimizerKind,
  setOptimizerParam,
  setScheduleKind,
  setScheduleParam,
  setSeed,
  setWarmUp,
  withRunSettings,
  type RunSettings,
} from '../../renderer/training/run-settings';

describe('typed values', () => {
  it('accept numbers within their rule and say what is expected otherwise', () => {
    expect(parseNumber(' 7 ', SEED_RULE)).toEqual({ ok: true, value: 7 });
    expect(parseNumber('-1', SEED_RULE)).toEqual({ ok: false, problem: 'enter a whole number from 0 to 4294967295' });
    expect(parseNumber('1.5', SEED_RULE)).toEqual({ ok: false, problem: 'enter a whole number from 0 to 4294967295' });
    expect(parseNumber('', SEED_RULE).ok).toBe(false);
    expect(parseNumber('', { min: 0, optional: true })).toEqual({ ok: true, value: undefined });
    expect(parseNumber('abc', { above: 0 })).toEqual({ ok: false, problem: 'enter a number above 0' });
    expect(parseNumber('1', { above: 0, below: 1 })).toEqual({ ok: false, problem: 'enter a number above 0 below 1' });
    expect(parseNumber('0.5', { above: 0, below: 1 })).toEqual({ ok: true, value: 0.5 });
  });

  it('read milestones as increasing epochs', () => {
    expect(parseMilestones('5, 10 15')).toEqual({ ok: true, value: [5, 10, 15] });
    expect(parseMilestones('10, 5')).toEqual({ ok: false, problem: 'list the epochs in increasing order' });
    expect(parseMilestones('0')).toEqual({ ok: false, problem: 'enter epochs from 1, such as 5, 10' });
    expect(parseMilestones('')).toEqual({ ok: false, problem: 'enter epochs from 1, such as 5, 10' });
  });

  it("check each schedule's fields as the project schema does", () => {
    const project = newProject(lenet5());
    for (const { kind } of SCHEDULE_KINDS) {
      const schedule = defaultSchedule(kind, 10);
      // Every default schedule is one the project file accepts.
      const parsed = parseProject(JSON.parse(JSON.stringify({ ...project, training: { ...project.training, schedule } })));
      expect(parsed.ok, `${kind}: ${parsed.ok ? '' : parsed.errors.join('; ')}`).toBe(true);
      for (const field of SCHEDULE_FIELDS[kind]) expect(parseScheduleField(field, 'nonsense').ok).toBe(false);
    }
    const factor = SCHEDULE_FIELDS.plateau.find((field) => field.name === 'factor')!;
    expect(parseScheduleField(factor, '1').ok).toBe(false);
    expect(parseScheduleField(factor, '0.5')).toEqual({ ok: true, value: 0.5 });
  });
});

describe('run setting edits', () => {
  it('change the schedule kind with starting parameters, and one parameter at a time', () => {
    let run = setScheduleKind(DEFAULT_RUN_SETTINGS, 'cosine', 6);
    expect(run.schedule).toEqual({ kind: 'cosine', totalEpochs: 6 });
    run = setScheduleParam(run, 'minimum', 0.0001);
    expect(run.schedule).toEqual({ kind: 'cosine', totalEpochs: 6, minimum: 0.0001 });
    run = setScheduleParam(run, 'minimum', undefined);
    expect(run.schedule).toEqual({ kind: 'cosine', totalEpochs: 6 });
    // Choosing the same kind again keeps its parameters; constant stores no schedule.
    expect(setScheduleKind(setScheduleParam(run, 'totalEpochs', 3), 'cosine', 6).schedule).toEqual({ kind: 'cosine', totalEpochs: 3 });
    expect(setScheduleKind(run, 'constant', 6)).toEqual(DEFAULT_RUN_SETTINGS);
    expect(setScheduleKind(DEFAULT_RUN_SETTINGS, 'multi-step', 8).schedule).toEqual({ kind: 'multi-step', milestones: [4, 6], gamma: 0.1 });
    expect(setScheduleParam(DEFAULT_RUN_SETTINGS, 'gamma', 0.5)).toEqual(DEFAULT_RUN_SETTINGS);
  });

  it('set warm-up, seed and initialisation, leaving defaults out', () => {
    expect(setWarmUp(DEFAULT_RUN_SETTINGS, 100).warmUpSteps).toBe(100);
    expect(setWarmUp(setWarmUp(DEFAULT_RUN_SETTINGS, 100), 0)).toEqual(DEFAULT_RUN_SETTINGS);
    expect(setSeed(DEFAULT_RUN_SETTINGS, 7).seed).toBe(7);
    expect(setInitKind(DEFAULT_RUN_SETTINGS, 'he-normal').init).toEqual({ kind: 'he-normal' });
    expect(setInitKind(setInitKind(DEFAULT_RUN_SETTINGS, 'he-normal'), 'pytorch-default')).toEqual(DEFAULT_RUN_SETTINGS);
    const normal = setInitKind(DEFAULT_RUN_SETTINGS, 'normal');
    expect(normal.init).toEqual({ kind: 'normal', std: 0.01 });
    expect(setInitScale(normal, 0.2).init).toEqual({ kind: 'normal', std: 0.2 });
    expect(setInitScale(setInitKind(DEFAULT_RUN_SETTINGS, 'uniform'), 0.3).init).toEqual({ kind: 'uniform', limit: 0.3 });
    expect(setInitScale(setInitKind(DEFAULT_RUN_SETTINGS, 'glorot-uniform'), 0.3).init).toEqual({ kind: 'glorot-uniform' });
  });

  it('turn augmentation options on and off, with none on meaning no augmentation', () => {
    let run = setAugment(DEFAULT_RUN_SETTINGS, 'flipHorizontal', true);
    run = setAugment(run, 'shift', 2);
    expect(run.augment).toEqual({ flipHorizontal: true, shift: 2 });
    run = setAugment(setAugment(run, 'shift', undefined), 'flipHorizontal', false);
    expect(run).toEqual(DEFAULT_RUN_SETTINGS);
    // A seed of the project's own does not count as an option.
    expect(setAugment({ ...DEFAULT_RUN_SETTINGS, augment: { seed: 3, noise: 0.1 } }, 'noise', 0)).toEqual(DEFAULT_RUN_SETTINGS);
  });

  it("check the basic settings and each optimiser's parameters as the project schema does", () => {
    expect(parseNumber('0', EPOCHS_RULE)).toEqual({ ok: false, problem: 'enter a whole number from 1 to 100000' });
    expect(parseNumber('0', LEARNING_RATE_RULE)).toEqual({ ok: false, problem: 'enter a number above 0' });
    expect(parseNumber('1e-3', LEARNING_RATE_RULE)).toEqual({ ok: true, value: 0.001 });
    const project = newProject(lenet5());
    const accepts = (run: RunSettings) => {
      const parsed = parseProject(JSON.parse(JSON.stringify(withRunSettings(project, run))));
      return parsed.ok ? 'ok' : parsed.errors.join('; ');
    };
    for (const kind of OPTIMIZER_KINDS) {
      const run = setOptimizerKind(DEFAULT_RUN_SETTINGS, kind);
      expect(accepts(run), kind).toBe('ok');
      for (const field of OPTIMIZER_FIELDS[kind]) {
        // The default shown as the placeholder is accepted by the field and by the file.
        const parsed = parseNumber(field.placeholder, field.rule);
        if (!parsed.ok) throw new Error(`${kind}.${field.name}: ${parsed.problem}`);
        expect(accepts(setOptimizerParam(run, field.name, parsed.value)), `${kind}.${field.name}`).toBe('ok');
        // A value the field refuses, the file refuses too.
        expect(parseNumber('-1', field.rule).ok).toBe(false);
        expect(accepts(setOptimizerParam(run, field.name, -1))).toContain(`training.optimizer.${field.name}`);
      }
    }
  });

  it('switch the optimiser with its defaults and keep the parameters of the same one', () => {
    const sgd = setOptimizerKind(DEFAULT_RUN_SETTINGS, 'sgd');
    expect(sgd.optimizer).toEqual({ kind: 'sgd', momentum: 0.9 });
    const tuned = setOptimizerParam(setOptimizerParam(sgd, 'nesterov', true), 'weightDecay', 0.0005);
    expect(tuned.optimizer).toEqual({ kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.0005 });
    expect(setOptimizerKind(tuned, 'sgd')).toBe(tuned);
    expect(setOptimizerKind(tuned, 'adamw').optimizer).toEqual({ kind: 'adamw' });
    // Blank and unticked leave the default.
    expect(setOptimizerParam(setOptimizerParam(tuned, 'nesterov', false), 'weightDecay', undefined).optimizer).toEqual({
      kind: 'sgd',
      momentum: 0.9,
    });
    // Nesterov without momentum, or with dampening, is what the schema refuses.
    expect(optimizerProblem(tuned.optimizer)).toBeNull();
    expect(optimizerProblem(setOptimizerParam(tuned, 'momentum', undefined).optimizer)).toBe(
      'Nesterov needs a momentum above 0 and no dampening',
    );
    expect(optimizerProblem(setOptimizerParam(tuned, 'dampening', 0.1).optimizer)).not.toBeNull();
    const refused = parseProject(
      JSON.parse(JSON.stringify(withRunSettings(newProject(lenet5()), setOptimizerParam(tuned, 'momentum', undefined)))),
    );
    expect(refused.ok).toBe(false);
  });

  it("let a cosine schedule over the run's epochs follow the epochs, and one set otherwise keep its length", () => {
    const run = setScheduleKind(setEpochs(DEFAULT_RUN_SETTINGS, 6), 'cosine', 6);
    expect(run.schedule).toEqual({ kind: 'cosine', totalEpochs: 6 });
    const longer = setEpochs(run, 20);
    expect(longer).toMatchObject({ epochs: 20, schedule: { kind: 'cosine', totalEpochs: 20 } });
    const own = setEpochs(setScheduleParam(run, 'totalEpochs', 4), 20);
    expect(own).toMatchObject({ epochs: 20, schedule: { kind: 'cosine', totalEpochs: 4 } });
    expect(setEpochs(setScheduleKind(run, 'step', 6), 20).schedule).toEqual(defaultSchedule('step', 6));
  });

  it('describe themselves in a few words', () => {
    let run: RunSettings = setScheduleKind(setSeed(DEFAULT_RUN_SETTINGS, 7), 'plateau', 5);
    run = setAugment(setAugment(setWarmUp(run, 50), 'flipHorizontal', true), 'rotate', 10);
    expect(describeRunSettings(run)).toBe('reduce on plateau · warm-up 50 · seed 7 · flip ↔ · rotate 10°');
    expect(describeRunSettings(setInitKind(DEFAULT_RUN_SETTINGS, 'glorot-normal'))).toBe('seed 42 · Glorot normal');
  });
});

describe('run settings in the project', () => {
  const base = newProject(lenet5(), { preprocess: { normalise: true } });
  const chosen: RunSettings = {
    epochs: 2,
    batchSize: 16,
    learningRate: 0.05,
    optimizer: { kind: 'sgd', momentum: 0.8, nesterov: true, weightDecay: 0.0001 },
    seed: 1234,
    schedule: { kind: 'cosine', totalEpochs: 2, minimum: 0.0001 },
    warmUpSteps: 10,
    init: { kind: 'he-uniform' },
    augment: { flipHorizontal: true, noise: 0.05 },
  };

  it('go into the document the project schema accepts, and come back out unchanged', () => {
    const document = withRunSettings(base, chosen);
    expect(document.training).toMatchObject({
      epochs: 2,
      batchSize: 16,
      learningRate: 0.05,
      optimizer: chosen.optimizer,
      seed: 1234,
      schedule: chosen.schedule,
      warmUpSteps: 10,
      init: chosen.init,
    });
    expect(document.preprocess).toEqual({ normalise: true, augment: chosen.augment });
    const parsed = parseProject(JSON.parse(JSON.stringify(document)));
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(runSettingsOf(parsed.project)).toEqual(chosen);
    // Back to the defaults: nothing of them is left in the document, and normalisation stays.
    const cleared = withRunSettings(document, DEFAULT_RUN_SETTINGS);
    expect(cleared.training).toEqual(base.training);
    expect(cleared.preprocess).toEqual({ normalise: true });
    // A project without preprocessing gets augmentation without normalisation.
    const plain = withRunSettings(newProject(lenet5()), chosen);
    expect(plain.preprocess).toEqual({ normalise: false, augment: chosen.augment });
    expect('preprocess' in withRunSettings(newProject(lenet5()), DEFAULT_RUN_SETTINGS)).toBe(false);
  });

  it('are what the host trains with, and what the run history shows', () => {
    const document = withRunSettings(base, chosen);
    // The IDE sends no overrides of them: the run takes the project's.
    expect(trainingSettings(document.training, { limit: 64 })).toEqual(document.training);
    // The CLI's flags override them; another optimiser starts from its defaults, the same one keeps its parameters.
    expect(trainingSettings(document.training, { optimizer: 'sgd' }).optimizer).toEqual(chosen.optimizer);
    expect(trainingSettings(document.training, { optimizer: 'adam' }).optimizer).toEqual({ kind: 'adam' });
    const training = trainingSettings(document.training, { epochs: 3, learningRate: 0.01 });
    expect(training).toMatchObject({
      epochs: 3,
      batchSize: 16,
      learningRate: 0.01,
      seed: 1234,
      schedule: chosen.schedule,
      init: chosen.init,
      warmUpSteps: 10,
    });
    const run: RunRecord = {
      id: 'run-1',
      startedAt: '2026-11-26T01:00:00.000Z',
      status: 'completed',
      graphVersion: 'aaaaaaaaaaaaaaaa',
      training,
      dataset: { kind: 'mnist' },
      preprocess: document.preprocess!,
      epochs: [],
    };
    expect(runRows([run], 'aaaaaaaaaaaaaaaa')[0].settings).toBe('cosine · warm-up 10 · seed 1234 · He uniform · flip ↔ · noise 0.05');
  });
});

describe('run settings in the editor history', () => {
  it('are undone and redone with the graph, typing into one field being one step', () => {
    const store = new EditorStore();
    store.load(lenet5(), {}, runSettingsOf(newProject(lenet5())));
    const revision = store.getState().revision;
    store.setRunSettings(setSeed(store.run, 1), 'run.seed');
    store.setRunSettings(setSeed(store.run, 12), 'run.seed');
    store.endMerge();
    store.setRunSettings(setScheduleKind(store.run, 'cosine', 3));
    expect(store.getState().revision).toBe(revision + 3);
    expect(store.run).toEqual({ ...DEFAULT_RUN_SETTINGS, seed: 12, schedule: { kind: 'cosine', totalEpochs: 3 } });
    // Setting what is already there is no step.
    store.setRunSettings(setScheduleKind(store.run, 'cosine', 3));
    expect(store.getState().revision).toBe(revision + 3);
    store.undo();
    expect(store.run).toEqual({ ...DEFAULT_RUN_SETTINGS, seed: 12 });
    store.undo();
    expect(store.run).toEqual(DEFAULT_RUN_SETTINGS);
    expect(store.getState().canUndo).toBe(false);
    store.redo();
    store.redo();
    expect(store.run.schedule?.kind).toBe('cosine');
    // A graph edit after it keeps the settings; undoing it keeps them too.
    store.setParam('conv1', 'filters', 8);
    store.undo();
    expect(store.run).toEqual({ ...DEFAULT_RUN_SETTINGS, seed: 12, schedule: { kind: 'cosine', totalEpochs: 3 } });
    // The epochs, typed, are one step, and the cosine over the same epochs follows them.
    store.setRunSettings(setEpochs(store.run, 3));
    store.setRunSettings(setEpochs(store.run, 1), 'run.epochs');
    store.setRunSettings(setEpochs(store.run, 12), 'run.epochs');
    expect(store.run).toMatchObject({ epochs: 12, schedule: { kind: 'cosine', totalEpochs: 12 } });
    store.undo();
    expect(store.run).toMatchObject({ epochs: 3, schedule: { kind: 'cosine', totalEpochs: 3 } });
  });
});
