/**
 * Closing a window that has something to lose. The page refuses to unload (its `beforeunload`,
 * renderer/app/page-guards.ts) while its project has unsaved changes or a run is going; Electron
 * then emits `will-prevent-unload` and, instead of the page's prompt, main asks with a native
 * dialog made here, and lets the window close (and stops or keeps its jobs) as the person chose.
 * Quitting goes through the same question for each window. No electron import.
 */

export type CloseChoice = 'cancel' | 'close-and-stop' | 'close-and-keep';

export interface ClosePrompt {
  readonly type: 'question' | 'warning';
  readonly title: string;
  readonly message: string;
  readonly detail: string;
  readonly buttons: string[];
  readonly defaultId: number;
  readonly cancelId: number;
  /** The choice each button means, by index. */
  readonly choices: readonly CloseChoice[];
}

/**
 * The question for a window whose page asked to stay; `runningJobs` counts its jobs still going.
 * `canKeepRunning`: the app goes on after this window closes (another window is open, or this is
 * macOS), so its runs may be left to finish; otherwise closing it quits, which stops them.
 */
export const closePrompt = (projectName: string | null, runningJobs: number, canKeepRunning: boolean): ClosePrompt => {
  const what = projectName ? `“${projectName}”` : 'this window';
  if (runningJobs > 0 && !canKeepRunning) {
    const runs = runningJobs === 1 ? 'a training run' : `${runningJobs} training runs`;
    return {
      type: 'warning',
      title: 'Close window',
      message: `${what} has ${runs} in progress.`,
      detail: 'Closing the last window quits CNN Studio and stops its training. Unsaved changes to the project are lost.',
      buttons: ['Cancel', 'Stop and Close'],
      defaultId: 0,
      cancelId: 0,
      choices: ['cancel', 'close-and-stop'],
    };
  }
  if (runningJobs > 0) {
    const runs = runningJobs === 1 ? 'a training run' : `${runningJobs} training runs`;
    return {
      type: 'warning',
      title: 'Close window',
      message: `${what} has ${runs} in progress.`,
      detail:
        'Stopping keeps no weights in the project unless you save first. A run left going finishes in the background, but its ' +
        'weights are not saved to any project. Unsaved changes to the project are lost either way.',
      buttons: ['Cancel', 'Stop and Close', 'Close and Let It Finish'],
      defaultId: 0,
      cancelId: 0,
      choices: ['cancel', 'close-and-stop', 'close-and-keep'],
    };
  }
  return {
    type: 'question',
    title: 'Close window',
    message: `${what} has unsaved changes.`,
    detail: 'If you close the window without saving, the changes are lost.',
    buttons: ['Cancel', 'Close Without Saving'],
    defaultId: 0,
    cancelId: 0,
    choices: ['cancel', 'close-and-stop'],
  };
};

/** What the answer (a button index; anything unknown cancels) means. */
export const closeChoice = (prompt: ClosePrompt, answer: number): CloseChoice => prompt.choices[answer] ?? 'cancel';
