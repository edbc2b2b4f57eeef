/**
 * Pacing of reconnects: exponential backoff with full jitter, and a token bucket that
 * bounds the restart rate whatever the backoff says (a server that accepts, sends one
 * event and drops the connection must not be hit in a tight loop).
 */
import { RequestAborted } from "../errors.js";
import { followAbort } from "../transport/abort.js";
import { MAX_TIMER_MS } from "../transport/retry.js";

/** How a resuming watcher paces its reconnects. All durations in milliseconds. */
export interface ResumePacing {
  /** First backoff ceiling after a failure (default 500). */
  initialDelay?: number;
  /** Largest backoff ceiling, and the longest wait a server's `Retry-After` gets (default 30_000). */
  maxDelay?: number;
  /** Restarts allowed back to back (default 5). */
  burst?: number;
  /** Sustained restarts per second once the burst is spent (default 1). */
  restartsPerSecond?: number;
  /** A connection that lived this long, or delivered an event, resets the backoff (default 30_000). */
  healthyAfter?: number;
  /** Source of randomness in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

/** Exponential backoff with full jitter: the n-th delay is uniform in [0, min(max, initial * 2^n)). */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly initialDelay: number,
    private readonly maxDelay: number,
    private readonly random: () => number,
  ) {}

  /** The next delay; each call doubles the ceiling up to the maximum. */
  next(): number {
    const ceiling = Math.min(this.maxDelay, this.initialDelay * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.floor(this.random() * ceiling);
  }

  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}

/** A token bucket: `take()` says how long to wait before the next restart is allowed. */
export class RestartLimiter {
  private tokens: number;
  private last: number;
  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token; returns the milliseconds to wait until it is really available (0 if now). */
  take(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    return Math.ceil((-this.tokens / this.perSecond) * 1000);
  }
}

/** Waits `ms`, or rejects with {@link RequestAborted} when `signal` aborts. Leaves no timer behind. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => {
        unfollow?.();
        resolve();
      },
      Math.min(ms, MAX_TIMER_MS),
    ); // a longer delay would fire after 1 ms
    // One listener per signal however many watches share it (see followAbort).
    const unfollow =
      signal !== undefined
        ? followAbort(signal, () => {
            clearTimeout(timer);
            reject(abortError(signal));
          })
        : undefined;
  });
}

/** The typed error for an aborted signal (its reason kept as the cause). */
export function abortError(signal: AbortSignal): RequestAborted {
  return new RequestAborted("the watch was aborted", { cause: signal.reason });
}
