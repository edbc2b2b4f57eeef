/**
 * Time for the controller machinery (work queue delays, rate limiters, leader election),
 * injectable so tests can drive it: `realClock` uses the platform's timers, `FakeClock`
 * moves only when told to.
 */

/** A timer started by {@link Clock.setTimeout}; pass it to {@link Clock.clearTimeout}. */
export type ClockTimer = { readonly __clockTimer: true } | NodeJS.Timeout;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Calls `callback` once, `ms` milliseconds from now. A pending timer keeps the process
   * alive, as `setTimeout` does, unless `keepAlive: false` (housekeeping timers).
   */
  setTimeout(callback: () => void, ms: number, options?: { keepAlive?: boolean }): ClockTimer;
  clearTimeout(timer: ClockTimer): void;
}

/** The platform's clock. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms, options) {
    const timer = setTimeout(callback, Math.max(0, ms));
    if (options?.keepAlive === false) timer.unref();
    return timer;
  },
  clearTimeout(timer) {
    clearTimeout(timer as NodeJS.Timeout);
  },
};

/** Resolves after `ms` on `clock`, or rejects with the signal's reason when `signal` aborts first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

interface FakeTimer {
  readonly __clockTimer: true;
  at: number;
  seq: number;
  callback: () => void;
}

/** Lets pending promise callbacks and I/O callbacks run (one macrotask turn, a few times). */
async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A clock for tests: time stands still until `advance(ms)`, which fires the timers that
 * fall due in order, letting promise callbacks run after each one, so code that awaits
 * between timers (an API call, then a sleep) behaves as it would in real time.
 */
export class FakeClock implements Clock {
  private current: number;
  private readonly timers = new Set<FakeTimer>();
  private seq = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): ClockTimer {
    const timer: FakeTimer = { __clockTimer: true, at: this.current + Math.max(0, ms), seq: this.seq++, callback };
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(timer: ClockTimer): void {
    this.timers.delete(timer as FakeTimer);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  /** When the next timer fires, if any. */
  nextTimerAt(): number | undefined {
    let next: number | undefined;
    for (const timer of this.timers) if (next === undefined || timer.at < next) next = timer.at;
    return next;
  }

  /** Moves time forward by `ms`, firing due timers in order (promise callbacks run between them). */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      let due: FakeTimer | undefined;
      for (const timer of this.timers) {
        if (timer.at <= target && (due === undefined || timer.at < due.at || (timer.at === due.at && timer.seq < due.seq))) due = timer;
      }
      if (due === undefined) break;
      this.timers.delete(due);
      this.current = Math.max(this.current, due.at);
      due.callback();
      await settle();
    }
    this.current = target;
    await settle();
  }
}
