// The question asked when a window with something to lose closes, and what each answer means.
import { describe, expect, it } from 'vitest';
import { closeChoice, closePrompt } from '../../../electron/main/close-guard';

describe('the close question', () => {
  it('for unsaved changes: close without saving, or cancel (the default)', () => {
    const prompt = closePrompt('LeNet-5', 0, true);
    expect(prompt.message).toBe('“LeNet-5” has unsaved changes.');
    expect(prompt.buttons).toEqual(['Cancel', 'Close Without Saving']);
    expect([prompt.defaultId, prompt.cancelId]).toEqual([0, 0]);
    expect(closeChoice(prompt, 1)).toBe('close-and-stop');
    expect(closeChoice(prompt, 0)).toBe('cancel');
  });

  it('for runs going while the app goes on: stop them, or let them finish', () => {
    const prompt = closePrompt(null, 2, true);
    expect(prompt.message).toBe('this window has 2 training runs in progress.');
    expect(prompt.buttons).toEqual(['Cancel', 'Stop and Close', 'Close and Let It Finish']);
    expect([0, 1, 2].map((answer) => closeChoice(prompt, answer))).toEqual(['cancel', 'close-and-stop', 'close-and-keep']);
  });

  it('for runs in the last window (closing it quits): only stopping is offered', () => {
    const prompt = closePrompt('Net', 1, false);
    expect(prompt.buttons).toEqual(['Cancel', 'Stop and Close']);
    expect(prompt.detail).toContain('quits CNN Studio');
  });

  it('takes an answer it does not know as cancel', () => {
    expect(closeChoice(closePrompt('Net', 0, true), 7)).toBe('cancel');
    expect(closeChoice(closePrompt('Net', 0, true), -1)).toBe('cancel');
  });
});
