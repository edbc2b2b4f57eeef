/**
 * One watch connection: opens the stream, parses each line as it arrives, and enforces
 * the idle deadline (no byte from the server for `idleTimeout` ms closes the
 * connection). Ends cleanly only when the server ends the stream at an event boundary.
 */
import { KubexError } from "../errors.js";
import { abortError } from "./backoff.js";
import { MalformedWatchEvent, WatchDisconnected } from "./errors.js";
import { parseWatchEvent, type WatchEvent } from "./events.js";
import { LineSplitter } from "./lines.js";
import type { ListWatchSource } from "./source.js";

export interface ConnectionOptions {
  signal?: AbortSignal;
  /** Milliseconds until the response headers arrive. */
  timeout?: number;
  /** Milliseconds the server may stay silent (while we wait for it) before the connection is dropped. */
  idleTimeout?: number;
}

/**
 * Yields the events of one watch connection. Throws {@link MalformedWatchEvent} for a bad
 * line, {@link WatchDisconnected} when the connection is lost, cut inside an event or
 * idle too long, `RequestAborted` when `signal` aborts, and the transport's typed error
 * when the server refuses the watch. The connection is closed however the iteration ends.
 */
export async function* watchConnection<T>(
  source: ListWatchSource<T>,
  query: URLSearchParams,
  options: ConnectionOptions,
): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const { signal, idleTimeout } = options;
  if (signal?.aborted) throw abortError(signal);
  let response;
  try {
    response = await source.openWatch(query, { signal, timeout: options.timeout });
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    throw error;
  }
  let idled = false;
  let waiting = false;
  let timer: NodeJS.Timeout | undefined;
  if (idleTimeout !== undefined && idleTimeout > 0 && Number.isFinite(idleTimeout)) {
    timer = setTimeout(() => {
      // Only time spent waiting for the server counts; a slow consumer is not the server's fault.
      if (!waiting) return;
      idled = true;
      response.close();
    }, idleTimeout);
  }
  const iterator = response.body[Symbol.asyncIterator]();
  const splitter = new LineSplitter();
  try {
    for (;;) {
      waiting = true;
      timer?.refresh();
      const next = await iterator.next();
      waiting = false;
      if (next.done === true) break;
      // Every line the chunk completes is parsed now; each event is yielded as soon as it is parsed.
      for (const line of splitter.push(next.value)) yield parseWatchEvent(line, source.decode);
    }
    splitter.end();
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    if (idled) throw idleError(idleTimeout!);
    if (error instanceof MalformedWatchEvent) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new WatchDisconnected("connection-lost", `watch connection lost: ${message}`, {
      cause: error instanceof KubexError || error instanceof Error ? error : undefined,
    });
  } finally {
    waiting = false;
    clearTimeout(timer);
    timer = undefined;
    response.close();
    await iterator.return?.().catch(() => undefined);
  }
  const state = { pending: splitter.pending };
  if (signal?.aborted) throw abortError(signal);
  if (idled) throw idleError(idleTimeout!);
  if (state.pending.trim() !== "") {
    throw new WatchDisconnected(
      "ended-mid-event",
      `watch stream ended inside an event (${state.pending.length} characters after the last complete line)`,
    );
  }
}

function idleError(idleTimeout: number): WatchDisconnected {
  return new WatchDisconnected("idle-timeout", `watch connection idle: nothing received for ${idleTimeout} ms`);
}
