/** Training progress in a terminal: a bar with the ETA that redraws in place, and a line per epoch. */
import type { JobEvent } from '../../services/jobs/job-manager';

export interface Terminal {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns: number;
}

/** At most this many dataset problems are printed for each report; the rest are counted. */
export const MAX_PRINTED_PROBLEMS = 10;

const formatDuration = (seconds: number): string => {
  if (!Number.isFinite(seconds) || seconds <= 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
};

export const percent = (value: number | undefined): string => (value === undefined ? '–' : `${(value * 100).toFixed(2)}%`);

/** Renders job events for a person; `--json` prints the events themselves instead. */
export class ProgressView {
  private barShown = false;
  private epochs = 0;

  constructor(private readonly terminal: Terminal) {}

  show(event: JobEvent): void {
    switch (event.type) {
      case 'started':
        this.epochs = event.epochs;
        this.line(
          `training on ${event.trainSamples} samples` +
            (event.validationSamples ? `, validating on ${event.validationSamples}` : '') +
            `, ${event.stepsPerEpoch} steps per epoch, backend ${event.backend} (${event.backendReason})`,
        );
        return;
      case 'progress': {
        if (!this.terminal.isTTY) return;
        const fraction = event.stepInEpoch / event.stepsPerEpoch;
        const label = `epoch ${event.epoch}/${this.epochs} `;
        const tail = ` ${event.stepInEpoch}/${event.stepsPerEpoch} loss ${event.loss.toFixed(4)} ${event.imagesPerSecond.toFixed(0)} img/s ETA ${formatDuration(event.etaSeconds)}`;
        const width = Math.max(10, Math.min(40, this.terminal.columns - label.length - tail.length - 3));
        const filled = Math.round(fraction * width);
        this.terminal.write(`\r${label}[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]${tail}\x1b[K`);
        this.barShown = true;
        return;
      }
      case 'dataset-problems': {
        const what = event.total === 1 ? '1 problem' : `${event.total} problems`;
        this.line(`the dataset has ${what} (skipped files and folders):`);
        const shown = event.problems.slice(0, MAX_PRINTED_PROBLEMS);
        for (const problem of shown) this.line(`  ${problem.path}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`);
        if (event.total > shown.length) this.line(`  … and ${event.total - shown.length} more (--json lists up to 200)`);
        return;
      }
      case 'epoch': {
        const s = event.summary;
        const validation =
          s.validationLoss !== undefined
            ? `, validation loss ${s.validationLoss.toFixed(4)} accuracy ${percent(s.validationAccuracy)}`
            : '';
        this.line(
          `epoch ${s.epoch}: loss ${s.trainLoss.toFixed(4)} accuracy ${percent(s.trainAccuracy)}${validation} (${s.seconds.toFixed(1)} s)`,
        );
        return;
      }
      case 'failed':
        this.line(`training failed: ${event.reason}`);
        return;
      default:
        return;
    }
  }

  /** A finished line, clearing the bar first. */
  line(text: string): void {
    if (this.barShown) this.terminal.write('\r\x1b[K');
    this.barShown = false;
    this.terminal.write(`${text}\n`);
  }
}
