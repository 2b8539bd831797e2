// The renderer's autosave timing: a write a quiet spell after the last edit, never two closer
// than the minimum interval, and a discard once the document is clean again.
import { describe, expect, it } from 'vitest';
import { AutosaveScheduler, type AutosaveTimers } from '../../renderer/app/autosave';

/** A clock moved by hand, running the timers that fall due. */
class ManualTimers implements AutosaveTimers {
  time = 0;
  private next = 1;
  private readonly due = new Map<number, { at: number; run: () => void }>();
  now = () => this.time;
  set = (run: () => void, ms: number) => {
    const handle = this.next++;
    this.due.set(handle, { at: this.time + ms, run });
    return handle;
  };
  clear = (handle: unknown) => void this.due.delete(handle as number);
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const [handle, timer] = [...this.due.entries()].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
      if (!timer || timer.at > end) break;
      this.due.delete(handle!);
      this.time = timer.at;
      timer.run();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    this.time = end;
  }
}

const setUp = () => {
  const timers = new ManualTimers();
  const log: string[] = [];
  const scheduler = new AutosaveScheduler(
    async () => void log.push(`write@${timers.time}`),
    async () => void log.push(`discard@${timers.time}`),
    { quietMs: 2000, minIntervalMs: 5000, timers },
  );
  return { timers, log, scheduler };
};

describe('AutosaveScheduler', () => {
  it('writes a quiet spell after the last edit, each edit restarting the wait', async () => {
    const { timers, log, scheduler } = setUp();
    scheduler.changed(true);
    await timers.advance(1500);
    scheduler.changed(true);
    await timers.advance(1500);
    expect(log).toEqual([]);
    await timers.advance(500);
    expect(log).toEqual(['write@3500']);
  });

  it('never writes twice within the minimum interval', async () => {
    const { timers, log, scheduler } = setUp();
    scheduler.changed(true);
    await timers.advance(2000);
    scheduler.changed(true);
    await timers.advance(2000);
    expect(log).toEqual(['write@2000']);
    await timers.advance(2999);
    expect(log).toEqual(['write@2000']);
    await timers.advance(1);
    expect(log).toEqual(['write@2000', 'write@7000']);
  });

  it('drops the autosave when the document becomes clean, and only if one was written', async () => {
    const { timers, log, scheduler } = setUp();
    scheduler.changed(true);
    await timers.advance(1000);
    scheduler.changed(false);
    await timers.advance(10_000);
    expect(log).toEqual([]);
    scheduler.changed(true);
    await timers.advance(2000);
    scheduler.changed(false);
    await timers.advance(10_000);
    expect(log).toEqual(['write@13000', 'discard@13000']);
  });
});
