import { followAbort } from "./abort.js";
import { MAX_TIMER_MS } from "./retry.js";

/** A caller's abort reason may be anything; a cancel function takes an Error. */
function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** Why a request was cut short by its {@link Deadline}. */
export type EndReason = "caller" | "timeout" | "closed";

/**
 * One request's cancellation: the caller's `signal`, a `timeout`, and the client closing,
 * merged into one end, handed to what sends the request (its cancel function, see
 * {@link follow}) and to waits between retries and WebSocket opens (`signal`). The
 * caller's signal is followed through {@link followAbort}: one listener per signal, however
 * many requests share it.
 */
export class Deadline {
  #aborted = false;
  #reason: unknown = undefined;
  /** The cancel function of the exchange in flight (see {@link follow}). */
  #cancel: ((reason: Error) => void) | undefined;
  /** The `AbortSignal` view, made on first use of `signal`. */
  #controller: AbortController | undefined;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #timeoutMs: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ended: EndReason | undefined;
  #unfollow: (() => void) | undefined;

  constructor(callerSignal: AbortSignal | undefined, timeoutMs: number | undefined) {
    this.#callerSignal = callerSignal;
    this.#timeoutMs = timeoutMs;
    if (callerSignal !== undefined) this.#unfollow = followAbort(callerSignal, () => this.#end("caller", callerSignal.reason));
    if (timeoutMs !== undefined && !this.#aborted) {
      this.#timer = setTimeout(() => this.#end("timeout", new Error(`timed out after ${timeoutMs} ms`)), Math.min(timeoutMs, MAX_TIMER_MS));
    }
  }

  #end(reason: EndReason, cause: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = cause;
    this.#ended = reason;
    this.#cancel?.(asError(cause));
    this.#controller?.abort(cause);
  }

  /**
   * Hands the deadline the cancel function of the attempt now in flight (one per attempt: a
   * retry replaces it). Called at once when the deadline has already ended.
   */
  follow(cancel: (reason: Error) => void): void {
    if (this.#aborted) {
      cancel(asError(this.#reason));
      return;
    }
    this.#cancel = cancel;
  }

  /** Ends the request because its client is closing. */
  close(): void {
    this.#end("closed", new Error("the client was closed"));
  }

  /** What ended the request, once it was ended. */
  get ended(): EndReason | undefined {
    return this.#ended;
  }

  /** An `AbortSignal` that aborts when the request ends early (for waits between retries, WebSocket opens). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** True when the timeout (not the caller) ended the request. */
  get timedOut(): boolean {
    return this.#ended === "timeout";
  }

  get timeoutMs(): number | undefined {
    return this.#timeoutMs;
  }

  /** The caller's abort reason, when the caller aborted. */
  get callerReason(): unknown {
    return this.#ended === "caller" ? this.#callerSignal?.reason : undefined;
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
    this.#unfollow?.();
    this.#unfollow = undefined;
    this.#cancel = undefined;
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
    const timer = setTimeout(
      () => {
        unfollow?.();
        resolve();
      },
      Math.min(ms, MAX_TIMER_MS),
    ); // a longer delay would fire after 1 ms
    const unfollow =
      signal !== undefined
        ? followAbort(signal, () => {
            clearTimeout(timer);
            reject(signal.reason);
          })
        : undefined;
  });
}
