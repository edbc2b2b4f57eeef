/**
 * One watch connection: opens the stream, hands out the lines of each chunk as it
 * arrives, and enforces the idle deadline (no byte from the server for `idleTimeout` ms
 * while we wait for it closes the connection). Ends cleanly only when the server ends the
 * stream at an event boundary.
 *
 * Pull-based, for throughput and backpressure: the watcher asks for the next chunk only
 * once it has handed out every event of the previous one, so a slow consumer leaves the
 * bytes in the socket (the server stops sending) instead of in our memory. At most one
 * chunk's lines are held at a time.
 */
import { ClientClosed, KubexError } from "../errors.js";
import type { StreamingResponse } from "../transport/types.js";
import { abortError } from "./backoff.js";
import { WatchDisconnected } from "./errors.js";
import { LineSplitter } from "./lines.js";
import type { ListWatchSource } from "./source.js";

export interface ConnectionOptions {
  signal?: AbortSignal;
  /** Milliseconds until the response headers arrive. */
  timeout?: number;
  /** Milliseconds the server may stay silent (while we wait for it) before the connection is dropped. */
  idleTimeout?: number;
  /** Largest event (one line) in bytes; default 16 MiB. */
  maxEventBytes?: number;
}

/**
 * Opens a watch connection. Throws `RequestAborted` when `signal` aborts and the
 * transport's typed error when the server refuses the watch.
 */
export async function openWatchConnection<T>(
  source: ListWatchSource<T>,
  query: URLSearchParams,
  options: ConnectionOptions,
): Promise<WatchConnection> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  let response: StreamingResponse;
  try {
    response = await source.openWatch(query, { signal, timeout: options.timeout });
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    throw error;
  }
  return new WatchConnection(response, options);
}

export class WatchConnection {
  private readonly chunks: AsyncIterator<Uint8Array>;
  private readonly splitter: LineSplitter;
  private readonly signal: AbortSignal | undefined;
  private readonly idleTimeout: number | undefined;
  /** `performance.now()` when the current read began; -1 while not reading (a slow consumer is not the server's fault). */
  private readingSince = -1;
  private idled = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly response: StreamingResponse,
    options: ConnectionOptions,
  ) {
    this.chunks = response.body[Symbol.asyncIterator]();
    this.splitter = new LineSplitter(options.maxEventBytes);
    this.signal = options.signal;
    const idle = options.idleTimeout;
    if (idle !== undefined && idle > 0 && Number.isFinite(idle)) {
      this.idleTimeout = idle;
      // One coarse timer per connection, re-armed only when it fires; reads just note the time.
      this.idleTimer = setTimeout(this.checkIdle, idle);
    }
  }

  /**
   * The lines completed by the next chunk (possibly none), or `undefined` once the server
   * has ended the stream cleanly. Throws {@link WatchDisconnected} when the connection is
   * lost, cut inside an event or idle too long, `ResponseTooLarge` for an event past
   * `maxEventBytes`, and `RequestAborted` when `signal` aborts.
   */
  async read(): Promise<string[] | undefined> {
    // An event past maxEventBytes: the lines before it were handed out, now the connection ends.
    if (this.splitter.overflow !== undefined) throw this.splitter.overflow;
    let next: IteratorResult<Uint8Array>;
    this.readingSince = performance.now();
    try {
      next = await this.chunks.next();
    } catch (error) {
      throw this.failure(error);
    } finally {
      this.readingSince = -1;
    }
    if (this.signal?.aborted) throw abortError(this.signal);
    if (next.done !== true) return this.splitter.push(next.value);
    if (this.idled) throw idleError(this.idleTimeout!);
    const pending = this.splitter.pending;
    if (pending.trim() !== "") {
      throw new WatchDisconnected(
        "ended-mid-event",
        `watch stream ended inside an event (${pending.length} characters after the last complete line)`,
      );
    }
    return undefined;
  }

  /** Closes the connection and stops the idle timer. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.response.close();
    await this.chunks.return?.().catch(() => undefined);
  }

  private readonly checkIdle = (): void => {
    if (this.closed) return;
    const timeout = this.idleTimeout!;
    const silent = this.readingSince < 0 ? 0 : performance.now() - this.readingSince;
    if (silent >= timeout) {
      this.idled = true;
      this.idleTimer = undefined;
      this.response.close();
      return;
    }
    this.idleTimer = setTimeout(this.checkIdle, timeout - silent);
  };

  private failure(error: unknown): Error {
    if (this.signal?.aborted) return abortError(this.signal);
    if (this.idled) return idleError(this.idleTimeout!);
    if (error instanceof ClientClosed) return error; // not a lost connection: nothing to reconnect to
    const message = error instanceof Error ? error.message : String(error);
    return new WatchDisconnected("connection-lost", `watch connection lost: ${message}`, {
      cause: error instanceof KubexError || error instanceof Error ? error : undefined,
    });
  }
}

function idleError(idleTimeout: number): WatchDisconnected {
  return new WatchDisconnected("idle-timeout", `watch connection idle: nothing received for ${idleTimeout} ms`);
}
