/**
 * Two lanes to one API server, picked per request: HTTP/1.1 keep-alive for one-at-a-time
 * requests, HTTP/2 for long-lived streams and for requests that would otherwise open another
 * connection.
 *
 * Why two (measured on this project's bench machine, client CPU per GET, same server):
 * undici over HTTP/1.1 0.20 ms, node:http2 0.40 ms, undici over HTTP/2 0.61-0.71 ms
 * (loaded machine; `bench/h2-lanes.ts` measures it). A request
 * costs least on an idle HTTP/1.1 connection, so sequential traffic stays there. What HTTP/2 is
 * good at is sharing: every watch, log follow and burst of concurrent GETs multiplexed on one
 * connection, instead of a TCP+TLS connection each (a new watch on an open HTTP/2 connection
 * costs one stream, not a handshake). client-go uses HTTP/2 for everything; we keep its
 * connection count and skip its per-request cost where there is nothing to share.
 *
 * Routing:
 * - a client's first requests, writes included, go to the HTTP/2 lane (the warm-up: up to
 *   {@link WARM_UP_REQUESTS} requests or {@link WARM_UP_BODY_BYTES} of response bodies, unless
 *   something sent the HTTP/1.1 lane a request before: a server without h2, a failed probe).
 *   undici's HTTP/1.1 parser is WebAssembly, compiled on the first HTTP/1.1 request: about
 *   140 ms of CPU, most of it on V8's worker threads, which a process also waits for at exit
 *   (measured here: import, createClient and one GET cost 0.32 s of CPU over HTTP/1.1, 0.18 s
 *   over HTTP/2; the tail goes away with `--liftoff-only`, where V8 never optimises
 *   WebAssembly). A CLI or a Job that sends a few dozen requests (a few MB) never pays it; a
 *   long-running program pays it once, after which one-at-a-time requests take HTTP/1.1 again;
 * - after that, a request goes to the HTTP/2 lane when it is a GET and either a stream (the
 *   transport sets `bodyTimeout: 0` for watches and follows) or sent while the HTTP/1.1 lane is
 *   busy; writes stay on HTTP/1.1;
 * - the server's answer to ALPN decides whether that lane exists: the first request for it
 *   opens a TLS connection offering h2 and http/1.1, and requests for the lane wait for the
 *   answer (one handshake) rather than each opening a connection of its own; `h2` makes that
 *   connection the first HTTP/2 session, anything else sends them, and all later requests,
 *   over HTTP/1.1;
 * - sessions, GOAWAY, resets and the peer's max concurrent streams: http2-lane.ts.
 */
import type { Dispatcher } from "undici";
import type { ConnectionOptions } from "node:tls";
import { connectTls, Http2Lane, waitIn, type Dispatch, type LegacyHandler } from "./http2-lane.js";
import { DispatcherClass } from "./undici.js";

/** What the lanes know about the server's HTTP/2 support: a small state machine, see `#pick`. */
export type Http2State =
  | "unknown" // nothing asked for HTTP/2 yet
  | "probing" // a connection offering h2 is being opened; requests for the lane wait in `#waiting`
  | "h2" // the server chose h2: the lane multiplexes
  | "h1-only"; // the server chose HTTP/1.1 (or offered no ALPN): one lane from now on

/**
 * The warm-up on HTTP/2: a client's first requests go there until it has sent this many, or
 * received {@link WARM_UP_BODY_BYTES} of response bodies there; then one-at-a-time requests take
 * HTTP/1.1. Measured here: HTTP/2 costs more CPU per request (node:http2 0.40 ms, undici's
 * HTTP/1.1 0.20 ms per GET) and per byte (Go's server, the API server's, sends DATA frames of
 * 4 KiB: a list of 10,000 ConfigMaps, 5.3 MB, costs ~125 ms over HTTP/2, ~90 ms over HTTP/1.1,
 * about 6.5 ms per MB more). Against the ~140 ms the HTTP/1.1 parser costs once, the warm-up
 * stops after 64 small requests or 8 MiB. A program that stops before that never compiles the
 * parser; one that goes on pays it then. Why 64 and not more: the warm-up also shapes the JIT.
 * After 256 requests over HTTP/2, Node's own stream functions (Readable.read, Socket.read,
 * onStreamRead, emit) had been optimised for the HTTP/2 session's objects and deoptimised
 * ("wrong map") once HTTP/1.1 took over: later GETs cost 5-10% more CPU for good (measured
 * with the bench's GET row and `--trace-deopt`); after 64, no difference was measurable.
 */
export const WARM_UP_REQUESTS = 64;
/** See {@link WARM_UP_REQUESTS}. */
export const WARM_UP_BODY_BYTES = 8 << 20;

export interface LaneSettings {
  origin: string;
  /** TLS options of the HTTP/2 connections (the same secure context as the HTTP/1.1 pools). */
  tls: ConnectionOptions;
  /** Idle HTTP/2 sessions close after this long (ms). */
  idleTimeout: number;
  /** Makes the HTTP/1.1 pool for requests (with the client's connection limit), on first use. */
  requests: () => Dispatcher;
  /** The HTTP/1.1 pool for streams (no limit), made on first use: for servers without h2. */
  streams: () => Dispatcher;
}

/** Whether a dispatch is a long-lived stream (watch, follow): the transport gives those no body timeout. */
function isStream(options: Dispatcher.DispatchOptions): boolean {
  return options.bodyTimeout === 0;
}

/** Whether the HTTP/2 lane can send this body: none, or one already in memory (what the transport sends). */
function inMemoryBody(options: Dispatcher.DispatchOptions): boolean {
  const body = options.body;
  return body === null || body === undefined || typeof body === "string" || body instanceof Uint8Array;
}

export class LanesDispatcher extends DispatcherClass {
  readonly #settings: LaneSettings;
  #h1: Dispatcher | undefined;
  #h1Streams: Dispatcher | undefined;
  /** Requests still to send over HTTP/2 before one-at-a-time requests move to HTTP/1.1 (see {@link WARM_UP_REQUESTS}). */
  #warmUp = WARM_UP_REQUESTS;
  readonly #h2: Http2Lane;
  #http2: Http2State = "unknown";
  #waiting: Dispatch[] = [];

  constructor(settings: LaneSettings) {
    super();
    this.#settings = settings;
    this.#h2 = new Http2Lane({ origin: settings.origin, tls: settings.tls, idleTimeout: settings.idleTimeout });
  }

  /** The HTTP/2 state, for tests and diagnostics. */
  get http2(): Http2State {
    return this.#http2;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (!this.#wantsHttp2(options)) return this.#http1(options).dispatch(options, handler);
    switch (this.#http2) {
      case "h2":
        return this.#h2.dispatch(options, handler as never);
      case "h1-only":
        return this.#http1(options).dispatch(options, handler);
      case "unknown":
        this.#http2 = "probing";
        this.#probe();
        waitIn(this.#waiting, options, handler as LegacyHandler);
        return true;
      case "probing":
        waitIn(this.#waiting, options, handler as LegacyHandler);
        return true;
    }
  }

  override async close(): Promise<void> {
    await Promise.all([this.#h1?.close(), this.#h1Streams?.close(), this.#h2.close()]);
  }

  override destroy(error?: Error | null | (() => void)): Promise<void> {
    const reason = typeof error === "function" ? null : (error ?? null);
    this.#h2.destroy(reason);
    return Promise.all([this.#h1?.destroy(reason), this.#h1Streams?.destroy(reason)]).then(() => undefined);
  }

  /**
   * The HTTP/1.1 pool for a dispatch: streams never wait behind the request pool's limit. Once
   * anything has gone to HTTP/1.1 its parser is compiled, so the warm-up on HTTP/2 ends.
   */
  #http1(options: Dispatcher.DispatchOptions): Dispatcher {
    this.#warmUp = 0;
    if (!isStream(options)) return (this.#h1 ??= this.#settings.requests());
    this.#h1Streams ??= this.#settings.streams();
    return this.#h1Streams;
  }

  /**
   * Streams (GET), any request in the warm-up, and GETs that would need a second HTTP/1.1
   * connection. Writes after the warm-up stay on HTTP/1.1.
   */
  #wantsHttp2(options: Dispatcher.DispatchOptions): boolean {
    if (this.#http2 === "h1-only") return false;
    if (this.#warmUp > 0 && this.#h2.bodyBytes < WARM_UP_BODY_BYTES && inMemoryBody(options)) {
      this.#warmUp--;
      return true;
    }
    if (options.method !== "GET") return false;
    return isStream(options) || this.#h1Busy();
  }

  /** Whether the HTTP/1.1 lane has a request outstanding (with one request per connection, a new one would open another). */
  #h1Busy(): boolean {
    if (this.#h1 === undefined) return false;
    const stats = (this.#h1 as unknown as { stats: Record<string, { size?: number; running?: number; pending?: number } | undefined> })
      .stats[this.#settings.origin];
    return stats !== undefined && (stats.size ?? (stats.running ?? 0) + (stats.pending ?? 0)) > 0;
  }

  #probe(): void {
    connectTls(this.#settings.origin, this.#settings.tls).then(
      (socket) => {
        if (socket.alpnProtocol === "h2") {
          this.#http2 = "h2";
          this.#h2.adopt(socket);
        } else {
          this.#http2 = "h1-only";
          socket.destroy();
        }
        this.#flush();
      },
      () => {
        // The connection failed: these requests take HTTP/1.1 (and report the failure from there); probe again later.
        this.#http2 = "unknown";
        this.#flush();
      },
    );
  }

  #flush(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const [options, handler] of waiting) {
      if (this.#http2 === "h2") this.#h2.dispatch(options, handler);
      else this.#http1(options).dispatch(options, handler as Dispatcher.DispatchHandler);
    }
  }
}
