/**
 * `watch(source, options)`: the events of a collection as an async iterator, and with
 * `resume` a watcher that keeps going across disconnects, server timeouts and expired
 * resource versions without losing an event.
 *
 * Resume, in short:
 * - the position is the `resourceVersion` of the last event (bookmarks advance it);
 *   each reconnect watches from there, so nothing is missed and nothing repeated;
 * - with no position yet (no `resourceVersion` given, or `"0"`), or when the server
 *   says the position is too old (410 Gone), the watcher lists the collection (paged)
 *   and yields one synthetic `RELIST` event with the complete state, then watches from
 *   the list's `resourceVersion`. One relist at a time: the watcher is a single loop;
 * - a `sendInitialEvents` stream cut before its end bookmark is completed by a relist too
 *   (the consumer replaces what it has with `items`);
 * - reconnects after failures wait an exponential backoff with full jitter, and every
 *   restart takes a token from a bucket (burst, then a sustained rate);
 * - failures are yielded as `ERROR` events (with the typed error) for information;
 *   errors no retry can fix (400, 401, 403, 404, 405, 406, 415, 422) end the watch.
 *
 * The resuming watcher is a state machine (watcher-state.ts: a state type and one pure
 * `step` function, tested without sockets); `watchResuming` below only runs its effects.
 *
 * Throughput: the loops below yield one batch per chunk received (the events its lines
 * complete); `watch()` hands them out one by one without an async step per event, and
 * the informer applies whole batches. A chunk is read only when the previous batch has
 * been consumed, so a slow consumer holds the server back instead of filling memory.
 */
import { InvalidRequest, KubexClientError } from "../errors.js";
import { abortError, Backoff, RestartLimiter, sleep, type ResumePacing } from "./backoff.js";
import { openWatchConnection } from "./connection.js";
import { FlatIterator } from "./flatten.js";
import { MalformedWatchEvent } from "./errors.js";
import { parseWatchEvent, type ErrorEvent, type ResumableWatchEvent, type WatchStreamEvent } from "./events.js";
import { listPageQuery, watchQuery, type WatchQueryOptions } from "./query.js";
import type { ListWatchSource } from "./source.js";
import { initialWatcherState, step, type WatcherConfig, type WatcherInput, type WatcherState } from "./watcher-state.js";

/** How a resuming watcher behaves; every field optional. */
export interface ResumeOptions extends ResumePacing {
  /** Page size of relists (default 500). */
  pageSize?: number;
}

export interface WatchOptions extends WatchQueryOptions {
  signal?: AbortSignal;
  /** Milliseconds until each connection's response headers arrive (and, on relist, each list page). */
  timeout?: number;
  /**
   * Milliseconds the server may stay silent before the connection is treated as dead.
   * Default: `timeoutSeconds` plus 30 s when `timeoutSeconds` is set; with bookmarks on,
   * at most 120 s (the server sends bookmarks only when its version moves, so a quiet
   * collection costs one cheap reconnect from the same version every 2 minutes; a dead
   * connection is noticed within that time); otherwise none.
   */
  idleTimeout?: number;
  /**
   * Largest watch event (one line of the stream) in bytes, default 16 MiB (client-go's
   * limit too). A longer one fails with `ResponseTooLarge` once its bytes pass the limit;
   * with `resume` that is an `ERROR` event and a paced reconnect.
   */
  maxEventBytes?: number;
  /**
   * Keep watching across disconnects (see the module description). `true` or pacing
   * options. With resume, `allowWatchBookmarks` defaults to true and each connection
   * asks for a server timeout of 5-10 minutes unless `timeoutSeconds` is given.
   */
  resume?: boolean | ResumeOptions;
}

/** The events of a watch. `RELIST` only appears with `resume`. */
export function watch<T>(
  source: ListWatchSource<T>,
  options: WatchOptions & { resume: true | ResumeOptions },
): AsyncGenerator<ResumableWatchEvent<T>, void, undefined>;
export function watch<T>(
  source: ListWatchSource<T>,
  options?: WatchOptions & { resume?: false | undefined },
): AsyncGenerator<WatchStreamEvent<T>, void, undefined>;
export function watch<T>(source: ListWatchSource<T>, options?: WatchOptions): AsyncGenerator<ResumableWatchEvent<T>, void, undefined>;
export function watch<T>(source: ListWatchSource<T>, options: WatchOptions = {}): AsyncGenerator<ResumableWatchEvent<T>, void, undefined> {
  return new FlatIterator(watchBatches(source, options), options.signal);
}

/**
 * The same events in batches, one per chunk received (never empty). For consumers that
 * handle events synchronously (the informer): no async step per event.
 */
export function watchBatches<T>(
  source: ListWatchSource<T>,
  options: WatchOptions = {},
): AsyncGenerator<ResumableWatchEvent<T>[], void, undefined> {
  // Validate now, so bad options throw at the call rather than on first iteration.
  watchQuery(options);
  const limit = options.maxEventBytes;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw new InvalidRequest(`watch option maxEventBytes must be a positive integer (bytes), got ${String(limit)}`);
  }
  if (options.resume === undefined || options.resume === false) return watchOnce(source, options);
  return watchResuming(source, options, options.resume === true ? {} : options.resume);
}

const SECOND = 1000;

function defaultIdleTimeout(options: WatchOptions, bookmarks: boolean | undefined, timeoutSeconds: number | undefined): number | undefined {
  if (options.idleTimeout !== undefined) return options.idleTimeout;
  let idle: number | undefined;
  if (timeoutSeconds !== undefined) idle = timeoutSeconds * SECOND + 30 * SECOND;
  if (bookmarks === true) idle = Math.min(idle ?? Infinity, 120 * SECOND);
  return idle;
}

/**
 * Parses the lines of one chunk up to the first that ends the connection: a malformed
 * line, or an ERROR event. The events before it are still delivered.
 */
function parseLines<T>(
  lines: readonly string[],
  decode: (raw: unknown) => T,
): { events: WatchStreamEvent<T>[]; stop?: MalformedWatchEvent | ErrorEvent } {
  const events: WatchStreamEvent<T>[] = [];
  for (const line of lines) {
    let event;
    try {
      event = parseWatchEvent(line, decode);
    } catch (error) {
      if (error instanceof MalformedWatchEvent) return { events, stop: error };
      throw error;
    }
    if (event.type === "ERROR") return { events, stop: event };
    events.push(event);
  }
  return { events };
}

async function* watchOnce<T>(source: ListWatchSource<T>, options: WatchOptions): AsyncGenerator<WatchStreamEvent<T>[], void, undefined> {
  const bookmarks = options.allowWatchBookmarks ?? (options.sendInitialEvents === true ? true : undefined);
  const connection = await openWatchConnection(source, watchQuery(options), {
    signal: options.signal,
    timeout: options.timeout,
    idleTimeout: defaultIdleTimeout(options, bookmarks, options.timeoutSeconds),
    maxEventBytes: options.maxEventBytes,
  });
  try {
    for (let lines = await connection.read(); lines !== undefined; lines = await connection.read()) {
      const { events, stop } = parseLines(lines, source.decode);
      if (events.length > 0) yield events;
      if (stop !== undefined) throw stop instanceof MalformedWatchEvent ? stop : stop.error;
    }
  } finally {
    await connection.close();
  }
}

/**
 * Runs the watcher state machine (watcher-state.ts): performs what each state asks for
 * (pace, list, watch), feeds what happened back to `step`, and yields what it emits.
 * Backoff and the restart bucket live here, outside the pure transitions.
 */
async function* watchResuming<T>(
  source: ListWatchSource<T>,
  options: WatchOptions,
  resume: ResumeOptions,
): AsyncGenerator<ResumableWatchEvent<T>[], void, undefined> {
  const { signal } = options;
  const random = resume.random ?? Math.random;
  const config: WatcherConfig = { maxDelayMs: resume.maxDelay ?? 30_000, healthyAfterMs: resume.healthyAfter ?? 30_000 };
  const backoff = new Backoff(resume.initialDelay ?? 500, config.maxDelayMs, random);
  const limiter = new RestartLimiter(resume.burst ?? 5, resume.restartsPerSecond ?? 1);
  const pageSize = resume.pageSize ?? 500;
  const bookmarks = options.allowWatchBookmarks ?? true;
  const selectors = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };

  let state: WatcherState = initialWatcherState(options);
  /** Applies one transition; answers the events to yield. */
  const feed = (input: WatcherInput<T>): ResumableWatchEvent<T>[] => {
    const transition = step(state, input, config);
    if (transition.resetBackoff) backoff.reset();
    state = transition.state;
    return transition.emit;
  };
  /** A failure, unless the caller aborted (then the abort, which ends the watch). */
  const failure = (error: unknown, make: (error: unknown) => WatcherInput<T>): WatcherInput<T> =>
    signal?.aborted ? { type: "Aborted", error: abortError(signal) } : make(error);

  for (;;) {
    if (state.phase === "Done") throw state.error;
    if (state.phase === "Watching") throw new Error("watcher: a connection outlived its loop (a bug in watch.ts)");
    const { pace } = state;
    if (pace.kind === "first") limiter.take();
    else if (pace.kind === "restart") await sleep(Math.max(pace.failed ? backoff.next() : 0, limiter.take(), pace.retryAfterMs), signal);

    if (state.phase === "Relist") {
      let input: WatcherInput<T>;
      try {
        input = { type: "Listed", ...(await relist(source, selectors, pageSize, options)) };
      } catch (error) {
        input = failure(error, (e) => ({ type: "ListFailed", error: e }));
      }
      const emit = feed(input);
      if (emit.length > 0) yield emit;
      continue;
    }

    const { position } = state;
    const timeoutSeconds = options.timeoutSeconds ?? 300 + Math.floor(random() * 300);
    const query = watchQuery(
      position.initialEvents
        ? { ...selectors, sendInitialEvents: true, resourceVersion: position.resourceVersion, timeoutSeconds }
        : {
            ...selectors,
            resourceVersion: position.resourceVersion,
            resourceVersionMatch: position.firstConnection ? options.resourceVersionMatch : undefined,
            allowWatchBookmarks: bookmarks,
            timeoutSeconds,
          },
    );
    const started = performance.now();
    let end: WatcherInput<T> | undefined;
    try {
      const connection = await openWatchConnection(source, query, {
        signal,
        timeout: options.timeout,
        idleTimeout: defaultIdleTimeout(options, position.initialEvents || bookmarks, timeoutSeconds),
        maxEventBytes: options.maxEventBytes,
      });
      try {
        for (let lines = await connection.read(); lines !== undefined; lines = await connection.read()) {
          const { events, stop } = parseLines(lines, source.decode);
          if (events.length > 0) {
            const emit = feed({ type: "Events", events });
            if (emit.length > 0) yield emit;
          }
          if (stop !== undefined) {
            end = { type: "Ended", error: stop instanceof MalformedWatchEvent ? stop : stop.error, elapsedMs: performance.now() - started };
            break;
          }
        }
      } finally {
        await connection.close();
      }
    } catch (error) {
      end = failure(error, (e) => ({ type: "Ended", error: e, elapsedMs: performance.now() - started }));
    }
    const emit = feed(end ?? { type: "Ended", elapsedMs: performance.now() - started });
    if (emit.length > 0) yield emit;
  }
}

/** Lists the whole collection page by page. */
async function relist<T>(
  source: ListWatchSource<T>,
  selectors: Pick<WatchQueryOptions, "labelSelector" | "fieldSelector">,
  pageSize: number,
  options: WatchOptions,
): Promise<{ items: T[]; resourceVersion: string }> {
  const items: T[] = [];
  let continueToken: string | undefined;
  let resourceVersion: string | undefined;
  do {
    const page = await source.listPage(listPageQuery({ ...selectors, limit: pageSize, continue: continueToken }), {
      signal: options.signal,
      timeout: options.timeout,
    });
    for (const raw of page.items ?? []) items.push(source.decode(raw));
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    continueToken = page.metadata?.continue;
  } while (continueToken !== undefined && continueToken !== "");
  if (resourceVersion === undefined || resourceVersion === "") {
    throw new KubexClientError("list response without metadata.resourceVersion: cannot watch from it");
  }
  return { items, resourceVersion };
}
