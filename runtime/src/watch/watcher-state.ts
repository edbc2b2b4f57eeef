/**
 * The resuming watcher as a state machine: a {@link WatcherState}, the
 * {@link WatcherInput}s the outside world feeds it (a list answered, a batch of
 * events, a connection that ended, an abort) and one pure {@link step} function from
 * (state, input) to the next state and the events to hand out. No I/O, no clock, no
 * randomness here: `watch.ts` runs the effects each state asks for (list, open a watch,
 * sleep for the {@link Pace}) and feeds back what happened; backoff delays are computed
 * there from the pace, as kube-rs's watcher applies backoff from outside its `step`.
 *
 *     Relist --Listed--> Watch --Events--> Watching --Events--> Watching
 *       ^  \--Failed (retryable)--> Relist (paced)               |
 *       |                                                       Ended
 *       +---- Ended: 410 Gone, or initial events cut short ------+
 *                    Watch (paced, from the last resourceVersion) <-- Ended: anything else retryable
 *     any --Aborted, or an error no retry can fix--> Done
 */
import { ClientClosed, KubexApiError, KubexClientError } from "../errors.js";
import { serverRequestedDelayMs } from "../transport/retry.js";
import { resourceVersionOf, type ErrorEvent, type ResumableWatchEvent, type WatchStreamEvent } from "./events.js";

/** Where the next watch starts. */
export interface WatchPosition {
  /** The last `resourceVersion` seen (an event's, a bookmark's, or a list's); unset before any. */
  readonly resourceVersion: string | undefined;
  /** Watching with `sendInitialEvents` until the server's end-of-initial-events bookmark. */
  readonly initialEvents: boolean;
  /** No connection attempted yet: the caller's `resourceVersionMatch` still applies. */
  readonly firstConnection: boolean;
}

/** How long to wait before the state's next request; the driver turns it into a delay. */
export type Pace =
  /** The very first request: take a restart token, do not wait. */
  | { readonly kind: "first" }
  /** Right after a successful list: watch at once. */
  | { readonly kind: "now" }
  /**
   * A restart: wait for a restart token, and also for the backoff when the last attempt
   * `failed`, and at least `retryAfterMs` (a server's Retry-After, already capped).
   */
  | { readonly kind: "restart"; readonly failed: boolean; readonly retryAfterMs: number };

export type WatcherState =
  /** List the collection (paged), hand out a `RELIST`, then watch from the list's version. */
  | { readonly phase: "Relist"; readonly position: WatchPosition; readonly pace: Pace }
  /** Open a watch from `position`. */
  | { readonly phase: "Watch"; readonly position: WatchPosition; readonly pace: Pace }
  /** A connection is open and has delivered `delivered` events. */
  | { readonly phase: "Watching"; readonly position: WatchPosition; readonly delivered: number }
  /** Finished: the watch was aborted (`error` is the abort) or failed for good. */
  | { readonly phase: "Done"; readonly error: unknown };

export type WatcherInput<T> =
  /** The relist finished. */
  | { readonly type: "Listed"; readonly items: T[]; readonly resourceVersion: string }
  /** The relist failed. */
  | { readonly type: "ListFailed"; readonly error: unknown }
  /** A batch of events arrived on the open connection (no ERROR among them). */
  | { readonly type: "Events"; readonly events: readonly WatchStreamEvent<T>[] }
  /**
   * The connection ended, or could not be opened: cleanly (a server timeout) without
   * `error`; otherwise with the in-stream ERROR's typed error, a malformed line, a cut
   * connection or the open's failure. `elapsedMs`: how long it was up.
   */
  | { readonly type: "Ended"; readonly error?: unknown; readonly elapsedMs: number }
  /** The caller's signal aborted; `error` is what the watch ends with. */
  | { readonly type: "Aborted"; readonly error: unknown };

export interface WatcherConfig {
  /** A connection up this long resets the backoff even if it delivered nothing. */
  readonly healthyAfterMs: number;
  /** Cap of every delay, Retry-After included. */
  readonly maxDelayMs: number;
}

export interface Transition<T> {
  readonly state: WatcherState;
  /** Events to hand out, in order (may be empty). */
  readonly emit: ResumableWatchEvent<T>[];
  /** The backoff starts over (the connection was healthy). */
  readonly resetBackoff: boolean;
}

/** HTTP codes no retry can fix: they end the watch. */
export const PERMANENT_CODES: ReadonlySet<number> = new Set([400, 401, 403, 404, 405, 406, 415, 422]);

/** Where a watcher starts, from its options. */
export function initialWatcherState(options: {
  resourceVersion?: string | undefined;
  sendInitialEvents?: boolean | undefined;
}): WatcherState {
  const resourceVersion = options.resourceVersion === "" || options.resourceVersion === "0" ? undefined : options.resourceVersion;
  const initialEvents = options.sendInitialEvents === true;
  const position: WatchPosition = { resourceVersion, initialEvents, firstConnection: true };
  const pace: Pace = { kind: "first" };
  // Without a position there is nothing to watch from: list first (unless the server streams the initial state).
  return resourceVersion === undefined && !initialEvents ? { phase: "Relist", position, pace } : { phase: "Watch", position, pace };
}

/** What a failure means for the watcher. */
export type FailureVerdict =
  | { readonly kind: "fatal"; readonly error: unknown }
  | { readonly kind: "retry"; readonly event: ErrorEvent; readonly relist: boolean; readonly retryAfterMs: number };

/**
 * Sorts a failure: 410 Gone means relist; codes no retry can fix, and anything that is
 * not a kubex error (a bug), end the watch; the rest is retried (with the server's
 * Retry-After, capped at `maxDelayMs`). Client-side failures (a cut connection, a
 * malformed line, a transport timeout) are retried, except the client being closed.
 */
export function judgeFailure(error: unknown, maxDelayMs: number): FailureVerdict {
  if (error instanceof KubexApiError) {
    if (error.code === 410) return { kind: "retry", event: errorEvent(error), relist: true, retryAfterMs: 0 };
    if (PERMANENT_CODES.has(error.code)) return { kind: "fatal", error };
    const retryAfterMs = serverRequestedDelayMs((error.retryAfterSeconds ?? 0) * 1000, maxDelayMs);
    return { kind: "retry", event: errorEvent(error), relist: false, retryAfterMs };
  }
  if (error instanceof ClientClosed) return { kind: "fatal", error }; // no reconnect can succeed
  if (error instanceof KubexClientError) return { kind: "retry", event: errorEvent(error), relist: false, retryAfterMs: 0 };
  return { kind: "fatal", error };
}

/** The `ERROR` event a failure is reported as (for information: the watcher carries on). */
export function errorEvent(error: KubexClientError | KubexApiError): ErrorEvent {
  if (error instanceof KubexApiError) return { type: "ERROR", object: error.status, error };
  return {
    type: "ERROR",
    object: { kind: "Status", apiVersion: "v1", status: "Failure", message: error.message, reason: error.name },
    error,
  };
}

const noEvents: never[] = [];

/** The one transition function. Pure: same state and input, same result. */
export function step<T>(state: WatcherState, input: WatcherInput<T>, config: WatcherConfig): Transition<T> {
  if (state.phase === "Done") return { state, emit: noEvents, resetBackoff: false };
  if (input.type === "Aborted") return { state: { phase: "Done", error: input.error }, emit: noEvents, resetBackoff: false };

  switch (state.phase) {
    case "Relist":
      if (input.type === "Listed") {
        const position: WatchPosition = { ...state.position, resourceVersion: input.resourceVersion, initialEvents: false };
        return {
          state: { phase: "Watch", position, pace: { kind: "now" } },
          emit: [{ type: "RELIST", items: input.items, resourceVersion: input.resourceVersion }],
          resetBackoff: false,
        };
      }
      if (input.type === "ListFailed") {
        const verdict = judgeFailure(input.error, config.maxDelayMs);
        if (verdict.kind === "fatal") return { state: { phase: "Done", error: verdict.error }, emit: noEvents, resetBackoff: false };
        return {
          state: { phase: "Relist", position: state.position, pace: { kind: "restart", failed: true, retryAfterMs: verdict.retryAfterMs } },
          emit: [verdict.event],
          resetBackoff: false,
        };
      }
      return unexpected(state, input);

    case "Watch":
    case "Watching": {
      const delivered = state.phase === "Watching" ? state.delivered : 0;
      if (input.type === "Events") {
        return {
          state: { phase: "Watching", position: advance(state.position, input.events), delivered: delivered + input.events.length },
          emit: [...input.events],
          resetBackoff: false,
        };
      }
      if (input.type === "Ended") return ended(state.position, delivered, input, config);
      return unexpected(state, input);
    }
  }
}

/** The position after `events`: each event's (or bookmark's) version; in initial-events mode only the end bookmark's. */
function advance<T>(position: WatchPosition, events: readonly WatchStreamEvent<T>[]): WatchPosition {
  let { resourceVersion, initialEvents } = position;
  for (const event of events) {
    if (initialEvents) {
      if (event.type === "BOOKMARK" && event.initialEventsEnd) {
        initialEvents = false;
        resourceVersion = event.resourceVersion;
      }
    } else {
      resourceVersion = resourceVersionOf(event) ?? resourceVersion;
    }
  }
  return resourceVersion === position.resourceVersion && initialEvents === position.initialEvents
    ? position
    : { ...position, resourceVersion, initialEvents };
}

function ended<T>(
  position: WatchPosition,
  delivered: number,
  input: { error?: unknown; elapsedMs: number },
  config: WatcherConfig,
): Transition<T> {
  const verdict = input.error === undefined ? undefined : judgeFailure(input.error, config.maxDelayMs);
  if (verdict?.kind === "fatal") return { state: { phase: "Done", error: verdict.error }, emit: noEvents, resetBackoff: false };
  // Initial events cut short: the consumer gets the complete state from a list instead.
  const cutInitialState = position.initialEvents && delivered > 0;
  const relist = cutInitialState || verdict?.relist === true;
  const next: WatchPosition = { ...position, firstConnection: false, ...(relist ? { initialEvents: false } : {}) };
  const pace: Pace = { kind: "restart", failed: verdict !== undefined, retryAfterMs: verdict?.retryAfterMs ?? 0 };
  return {
    state: relist ? { phase: "Relist", position: next, pace } : { phase: "Watch", position: next, pace },
    emit: verdict !== undefined ? [verdict.event] : noEvents,
    resetBackoff: delivered > 0 || input.elapsedMs >= config.healthyAfterMs,
  };
}

function unexpected(state: WatcherState, input: WatcherInput<unknown>): never {
  throw new Error(`watcher: input ${input.type} cannot happen in state ${state.phase} (a bug in watch.ts)`);
}
