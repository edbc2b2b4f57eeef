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
 * Throughput: the loops below yield one batch per chunk received (the events its lines
 * complete); `watch()` hands them out one by one without an async step per event, and
 * the informer applies whole batches. A chunk is read only when the previous batch has
 * been consumed, so a slow consumer holds the server back instead of filling memory.
 */
import { InvalidRequest, KubexApiError, KubexClientError } from "../errors.js";
import { abortError, Backoff, RestartLimiter, sleep, type ResumePacing } from "./backoff.js";
import { openWatchConnection } from "./connection.js";
import { FlatIterator } from "./flatten.js";
import { MalformedWatchEvent, WatchDisconnected } from "./errors.js";
import { parseWatchEvent, resourceVersionOf, type ErrorEvent, type ResumableWatchEvent, type WatchStreamEvent } from "./events.js";
import { listPageQuery, watchQuery, type WatchQueryOptions } from "./query.js";
import { serverRequestedDelayMs } from "../transport/retry.js";
import type { ListWatchSource } from "./source.js";

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
export function watch<T>(source: ListWatchSource<T>, options: WatchOptions & { resume: true | ResumeOptions }): AsyncGenerator<ResumableWatchEvent<T>, void, undefined>;
export function watch<T>(source: ListWatchSource<T>, options?: WatchOptions & { resume?: false | undefined }): AsyncGenerator<WatchStreamEvent<T>, void, undefined>;
export function watch<T>(source: ListWatchSource<T>, options?: WatchOptions): AsyncGenerator<ResumableWatchEvent<T>, void, undefined>;
export function watch<T>(source: ListWatchSource<T>, options: WatchOptions = {}): AsyncGenerator<ResumableWatchEvent<T>, void, undefined> {
  return new FlatIterator(watchBatches(source, options), options.signal);
}

/**
 * The same events in batches, one per chunk received (never empty). For consumers that
 * handle events synchronously (the informer): no async step per event.
 */
export function watchBatches<T>(source: ListWatchSource<T>, options: WatchOptions = {}): AsyncGenerator<ResumableWatchEvent<T>[], void, undefined> {
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
function parseLines<T>(lines: readonly string[], decode: (raw: unknown) => T): { events: WatchStreamEvent<T>[]; stop?: MalformedWatchEvent | ErrorEvent } {
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

/** HTTP codes no retry can fix. */
const PERMANENT = new Set([400, 401, 403, 404, 405, 406, 415, 422]);

function errorEvent(error: KubexClientError | KubexApiError): ErrorEvent {
  if (error instanceof KubexApiError) return { type: "ERROR", object: error.status, error };
  return {
    type: "ERROR",
    object: { kind: "Status", apiVersion: "v1", status: "Failure", message: error.message, reason: error.name },
    error,
  };
}

async function* watchResuming<T>(
  source: ListWatchSource<T>,
  options: WatchOptions,
  resume: ResumeOptions,
): AsyncGenerator<ResumableWatchEvent<T>[], void, undefined> {
  const { signal } = options;
  const random = resume.random ?? Math.random;
  const maxDelay = resume.maxDelay ?? 30_000;
  const backoff = new Backoff(resume.initialDelay ?? 500, maxDelay, random);
  const limiter = new RestartLimiter(resume.burst ?? 5, resume.restartsPerSecond ?? 1);
  const healthyAfter = resume.healthyAfter ?? 30_000;
  const pageSize = resume.pageSize ?? 500;
  const bookmarks = options.allowWatchBookmarks ?? true;
  const selectors = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };

  let resourceVersion = options.resourceVersion === "" || options.resourceVersion === "0" ? undefined : options.resourceVersion;
  let initialEvents = options.sendInitialEvents === true;
  let needList = resourceVersion === undefined && !initialEvents;
  let firstConnection = true;
  let restarts = 0;
  let failed = false;
  let retryAfterMs = 0;

  const classify = (error: unknown): ErrorEvent => {
    if (signal?.aborted) throw abortError(signal);
    // Past here a RequestAborted is a transport timeout (the signal did not abort): retried.
    if (error instanceof KubexApiError) {
      if (error.code === 410) {
        needList = true;
        initialEvents = false;
        return errorEvent(error);
      }
      if (PERMANENT.has(error.code)) throw error;
      // Honoured up to maxDelay, as the transport does: a huge Retry-After neither stalls nor spins.
      retryAfterMs = serverRequestedDelayMs((error.retryAfterSeconds ?? 0) * SECOND, maxDelay);
      return errorEvent(error);
    }
    if (error instanceof KubexClientError) return errorEvent(error);
    throw error;
  };

  for (;;) {
    if (restarts > 0) {
      const delay = Math.max(failed ? backoff.next() : 0, limiter.take(), retryAfterMs);
      retryAfterMs = 0;
      await sleep(delay, signal);
    } else {
      limiter.take();
    }
    restarts += 1;
    failed = true;

    if (needList) {
      let listed: { items: T[]; resourceVersion: string };
      try {
        listed = await relist(source, selectors, pageSize, options);
      } catch (error) {
        yield [classify(error)];
        continue;
      }
      needList = false;
      initialEvents = false;
      resourceVersion = listed.resourceVersion;
      yield [{ type: "RELIST", items: listed.items, resourceVersion: listed.resourceVersion }];
    }

    const timeoutSeconds = options.timeoutSeconds ?? 300 + Math.floor(random() * 300);
    const query = watchQuery(
      initialEvents
        ? {
            ...selectors,
            sendInitialEvents: true,
            resourceVersion,
            timeoutSeconds,
          }
        : {
            ...selectors,
            resourceVersion,
            resourceVersionMatch: firstConnection ? options.resourceVersionMatch : undefined,
            allowWatchBookmarks: bookmarks,
            timeoutSeconds,
          },
    );
    firstConnection = false;
    const started = performance.now();
    let delivered = 0;
    let stopReason: ErrorEvent | undefined;
    try {
      const connection = await openWatchConnection(source, query, {
        signal,
        timeout: options.timeout,
        idleTimeout: defaultIdleTimeout(options, initialEvents || bookmarks, timeoutSeconds),
        maxEventBytes: options.maxEventBytes,
      });
      try {
        for (let lines = await connection.read(); lines !== undefined; lines = await connection.read()) {
          const { events, stop } = parseLines(lines, source.decode);
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
          delivered += events.length;
          if (events.length > 0) yield events;
          if (stop !== undefined) {
            stopReason = stop instanceof MalformedWatchEvent ? errorEvent(stop) : classify(stop.error);
            break;
          }
        }
      } finally {
        await connection.close();
      }
      if (stopReason === undefined) failed = false;
    } catch (error) {
      if (error instanceof MalformedWatchEvent || error instanceof WatchDisconnected) {
        stopReason = errorEvent(error);
      } else {
        stopReason = classify(error);
      }
    }
    if (initialEvents && delivered > 0) {
      // The initial state was cut short: complete it with a list the consumer can replace its state with.
      initialEvents = false;
      needList = true;
    }
    if (delivered > 0 || performance.now() - started >= healthyAfter) backoff.reset();
    if (stopReason !== undefined) yield [stopReason];
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
