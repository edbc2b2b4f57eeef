import { MAX_TIMER_MS } from "./retry.js";

/**
 * One request's cancellation: the caller's `signal` and a `timeout`, merged into the one
 * signal undici sees. Made only when the call has either, so the common path allocates nothing.
 */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  readonly #timeoutMs: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  readonly #onCallerAbort = (): void => {
    this.#controller.abort(this.#callerSignal?.reason);
  };

  constructor(callerSignal: AbortSignal | undefined, timeoutMs: number | undefined) {
    this.#callerSignal = callerSignal;
    this.#timeoutMs = timeoutMs;
    if (callerSignal !== undefined) {
      if (callerSignal.aborted) this.#controller.abort(callerSignal.reason);
      else callerSignal.addEventListener("abort", this.#onCallerAbort, { once: true });
    }
    if (timeoutMs !== undefined && !this.#controller.signal.aborted) {
      this.#timer = setTimeout(() => {
        this.#timedOut = true;
        this.#controller.abort(new Error(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    }
  }

  /** The signal to hand to undici and to waits between retries. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#controller.signal.aborted;
  }

  /** True when the timeout (not the caller) ended the request. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  get timeoutMs(): number | undefined {
    return this.#timeoutMs;
  }

  /** The caller's abort reason, when the caller aborted. */
  get callerReason(): unknown {
    return this.#timedOut ? undefined : this.#callerSignal?.reason;
  }

  /** Stops the timer; the caller's signal still cancels (a stream's body after its headers). */
  stopTimer(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Releases the timer and the listener on the caller's signal. */
  dispose(): void {
    this.stopTimer();
    this.#callerSignal?.removeEventListener("abort", this.#onCallerAbort);
  }
}


/**
 * A timeout as a `Deadline` takes it: `undefined` for none. `0`, a negative or non-finite
 * value, or one longer than a timer can wait, means no timeout.
 */
export function effectiveTimeout(ms: number | undefined): number | undefined {
  return ms !== undefined && Number.isFinite(ms) && ms > 0 && ms <= MAX_TIMER_MS ? ms : undefined;
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 && signal === undefined) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.min(ms, MAX_TIMER_MS)); // a longer delay would fire after 1 ms
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
