/**
 * One typed training setting: its field, and the problem beside it while the text is not
 * acceptable (the project keeps the last good value). Each accepted change goes through the
 * editor's history; typing into one field is one undo step.
 */
import { useEffect, useState } from 'react';
import { editor } from '../app/state';
import { parseNumber, type NumberRule, type Parsed, type RunSettings } from './run-settings';

export interface TextSettingProps<T> {
  /** Names the field: its test id is `run-setting-<name>` and its undo merge key `run.<name>`. */
  readonly name: string;
  readonly label: string;
  readonly help: string;
  /** The stored value, and as text. */
  readonly stored: unknown;
  readonly shown: string;
  readonly parse: (text: string) => Parsed<T>;
  readonly apply: (run: RunSettings, value: T) => RunSettings;
  readonly size?: number;
  readonly placeholder?: string;
}

export const TextSetting = <T,>({ name, label, help, stored, shown, parse, apply, size = 5, placeholder }: TextSettingProps<T>) => {
  const [text, setText] = useState(shown);
  const [problem, setProblem] = useState<string | null>(null);
  // When the value changes from elsewhere (undo, another project), show it.
  useEffect(() => {
    const parsed = parse(text);
    if (!parsed.ok || JSON.stringify(parsed.value) !== JSON.stringify(stored)) {
      setText(shown);
      setProblem(null);
    }
  }, [JSON.stringify(stored)]);
  const change = (value: string) => {
    setText(value);
    const parsed = parse(value);
    if (!parsed.ok) return setProblem(parsed.problem);
    setProblem(null);
    editor.setRunSettings(apply(editor.run, parsed.value), `run.${name}`);
  };
  return (
    <span className="run-setting" data-testid={`run-setting-${name}`}>
      <label title={help}>
        {label}{' '}
        <input
          value={text}
          style={{ width: `${size + 2}ch` }}
          placeholder={placeholder}
          aria-label={label === '×' ? `${name} factor` : label}
          aria-invalid={problem ? true : undefined}
          onChange={(event) => change(event.target.value)}
          onBlur={() => editor.endMerge()}
          spellCheck={false}
        />
      </label>
      {problem && (
        <span className="param-problem" role="alert">
          {problem}
        </span>
      )}
    </span>
  );
};

/** A TextSetting for a number that must be given, checked by `rule` (which is not optional). */
export const NumberSetting = ({
  value,
  rule,
  ...setting
}: Omit<TextSettingProps<number>, 'stored' | 'shown' | 'parse'> & { readonly value: number; readonly rule: NumberRule }) => (
  <TextSetting {...setting} stored={value} shown={String(value)} parse={(text) => parseNumber(text, rule) as Parsed<number>} />
);
