/**
 * The HTTP/2 lane: undici-style dispatch over node:http2 sessions to one origin.
 *
 * node:http2 rather than undici's own HTTP/2 client: it costs about 40% less CPU per request
 * here (see lanes.ts), and its sessions expose what this lane must manage itself: the peer's
 * max concurrent streams (a full session means a new connection, never a stream queued behind
 * long-lived watches), GOAWAY (the session drains; new streams go to a new one; streams the
 * server refused are retriable), resets (an error for that request only).
 *
 * Requests arrive as undici dispatches (options + a legacy handler: onConnect, onHeaders,
 * onData, onComplete, onError), so the transport reads bodies, aborts and errors the same way
 * on both lanes. Request bodies come as strings or bytes (the lanes send nothing else here).
 */
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from "node:http2";
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from "node:tls";
import type { Dispatcher } from "undici";
import { NOT_PROCESSED } from "./retry.js";

/** node:http2, loaded when the first HTTP/2 session opens (a program that never multiplexes does not pay for it at start). */
const http2 = () => process.getBuiltinModule("node:http2");

/** The legacy handler shape undici's request API dispatches with. */
export interface LegacyHandler {
  onConnect?(abort: (reason?: Error) => void, context?: object): void;
  onHeaders?(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean | void;
  onData?(chunk: Buffer): boolean | void;
  onComplete?(trailers: Buffer[] | null): void;
  onError?(error: Error): void;
}

/** An error shaped like undici's socket errors, so retry and failure wording treat both lanes alike. */
function socketError(message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause !== undefined ? { cause } : undefined), { code: "UND_ERR_SOCKET" });
}

/**
 * A stream the server did not process (RFC 9113 8.7: REFUSED_STREAM, or above the last stream
 * a GOAWAY named): safe to send again whatever the method (as Go's HTTP/2 transport does).
 */
function notProcessed(how: "REFUSED_STREAM" | "GOAWAY"): Error {
  return Object.assign(new Error(`the server refused the HTTP/2 stream (${how}); it was not processed`), { code: NOT_PROCESSED });
}

/** Headers that belong to one HTTP/1.1 hop and are not allowed in HTTP/2. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host"]);

export type Dispatch = [options: Dispatcher.DispatchOptions, handler: LegacyHandler];

/**
 * One HTTP/2 connection. It takes streams once the peer's SETTINGS have arrived (`ready`), up to
 * the peer's max concurrent streams; until then requests wait in `queued`. After a GOAWAY or an
 * error it is `draining`: open streams finish, new ones go elsewhere.
 */
interface Session {
  session: ClientHttp2Session | undefined; // undefined while its TLS connection opens
  ready: boolean;
  active: number;
  draining: boolean;
  /** The last stream the server's GOAWAY says it may have processed (streams above it it did not). */
  lastStreamId?: number;
  queued: Dispatch[];
}

export interface Http2LaneSettings {
  origin: string;
  tls: ConnectionOptions;
  /** Idle sessions close after this long (ms). */
  idleTimeout: number;
}

/**
 * Flow-control windows we give the server: how much it may send on one stream, and on the
 * whole connection, before it waits for us to have read it. Node's default, 64 KiB for
 * both, makes a watch that streams a few MB wait for a WINDOW_UPDATE every 32 KiB: the
 * transfer then costs 1.3-1.4x the client CPU of the same watch over HTTP/1.1 (bench
 * "watch: 10,000 ADDED events"; with these windows it is on par). client-go's HTTP/2
 * transport uses 4 MiB per stream and 1 GiB per connection. A stream whose reader stops
 * (a slow consumer: the body is paused) is still bounded: Node returns window to the
 * server only for what was read, so at most this much is held per stream.
 */
const STREAM_WINDOW_BYTES = 4 << 20;
const CONNECTION_WINDOW_BYTES = 64 << 20;

/** Most time a TCP+TLS connection may take (undici's default connect timeout). */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens a TLS connection offering h2 and http/1.1; resolves with the socket once ALPN has answered.
 * Fails like undici's connector (`UND_ERR_CONNECT_TIMEOUT`) after `timeout` ms.
 */
export function connectTls(origin: string, tls: ConnectionOptions, timeout = CONNECT_TIMEOUT_MS): Promise<TLSSocket> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const servername = tls.servername ?? (/^[\d.]+$|:/.test(host) ? undefined : host);
    const socket = tlsConnect({
      ...tls,
      host,
      port: Number(url.port || 443),
      ALPNProtocols: ["h2", "http/1.1"],
      ...(servername !== undefined ? { servername } : {}),
    });
    const timer = setTimeout(() => {
      socket.destroy(
        Object.assign(new Error(`connecting to ${origin} took longer than ${timeout} ms`), { code: "UND_ERR_CONNECT_TIMEOUT" }),
      );
    }, timeout);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.removeListener("error", onError);
      resolve(socket);
    });
    const onError = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once("error", onError);
  });
}

/**
 * Puts a dispatch in a waiting list and gives its handler a way to abort it there: an abort
 * (the request's signal, its timeout, the client closing) takes it out and fails it at once,
 * instead of when a connection that may never come is made.
 */
export function waitIn(list: Dispatch[], options: Dispatcher.DispatchOptions, handler: LegacyHandler): void {
  const entry: Dispatch = [options, handler];
  list.push(entry);
  handler.onConnect?.((reason) => {
    const index = list.indexOf(entry);
    if (index < 0) return; // already sent on: the abort reaches it there
    list.splice(index, 1);
    handler.onError?.(reason ?? Object.assign(new Error("aborted"), { name: "AbortError" }));
  });
}

export class Http2Lane {
  readonly #settings: Http2LaneSettings;
  readonly #sessions: Session[] = [];
  #closed = false;

  constructor(settings: Http2LaneSettings) {
    this.#settings = settings;
  }

  /** Bytes of response bodies received for requests that are not streams (the lanes' warm-up counts them). */
  bodyBytes = 0;

  /** HTTP/2 connections open or opening, for tests and diagnostics. */
  get sessions(): number {
    return this.#sessions.length;
  }

  /** Takes a negotiated socket (the lanes' probe) as the first session. */
  adopt(socket: TLSSocket): void {
    const entry = this.#entry();
    this.#attach(entry, socket);
  }

  dispatch(options: Dispatcher.DispatchOptions, handler: LegacyHandler): boolean {
    if (this.#closed) {
      queueMicrotask(() => handler.onError?.(Object.assign(new Error("the HTTP/2 lane is closed"), { code: "UND_ERR_CLOSED" })));
      return true;
    }
    const open = this.#sessions.find((s) => !s.draining && (s.ready ? s.active < this.#limit(s) : s.queued.length < this.#peerLimit));
    if (open?.ready === true) {
      this.#start(open, options, handler);
      return true;
    }
    if (open !== undefined) {
      waitIn(open.queued, options, handler);
      return true;
    }
    // Every session is full or draining: one more connection (as Go's HTTP/2 transport does).
    const entry = this.#entry();
    waitIn(entry.queued, options, handler);
    connectTls(this.#settings.origin, this.#settings.tls).then(
      (socket) => {
        if (socket.alpnProtocol === "h2") return this.#attach(entry, socket);
        socket.destroy();
        this.#fail(entry, socketError(`the server at ${this.#settings.origin} no longer offers HTTP/2`));
      },
      (error: unknown) => this.#fail(entry, error as Error),
    );
    return true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      this.#sessions.map(
        (s) => new Promise<void>((resolve) => (s.session === undefined || s.session.closed ? resolve() : s.session.close(() => resolve()))),
      ),
    );
  }

  destroy(error: Error | null): void {
    this.#closed = true;
    for (const s of [...this.#sessions]) {
      if (s.session !== undefined) s.session.destroy(error ?? undefined);
      else this.#fail(s, error ?? socketError("the HTTP/2 lane was destroyed"));
    }
  }

  /** The most streams the last peer SETTINGS allowed (a guess for sessions still connecting). */
  #peerLimit = 100;

  /** Streams allowed on a ready session: what the peer's SETTINGS say. */
  #limit(s: Session): number {
    return s.session?.remoteSettings.maxConcurrentStreams ?? this.#peerLimit;
  }

  #entry(): Session {
    const entry: Session = { session: undefined, ready: false, active: 0, draining: false, queued: [] };
    this.#sessions.push(entry);
    return entry;
  }

  #forget(entry: Session): void {
    const index = this.#sessions.indexOf(entry);
    if (index >= 0) this.#sessions.splice(index, 1);
  }

  /** A session that could not open: its waiting requests fail with the connection's error. */
  #fail(entry: Session, error: Error): void {
    this.#forget(entry);
    for (const [, handler] of entry.queued.splice(0)) handler.onError?.(error);
  }

  #attach(entry: Session, socket: TLSSocket): void {
    const session = http2().connect(this.#settings.origin, {
      createConnection: () => socket,
      settings: { initialWindowSize: STREAM_WINDOW_BYTES },
    });
    session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
    entry.session = session;
    session.once("remoteSettings", (settings) => {
      entry.ready = true;
      if (settings.maxConcurrentStreams !== undefined) this.#peerLimit = settings.maxConcurrentStreams;
      // Re-dispatch what waited: the limit may send some of it to another session.
      for (const [options, handler] of entry.queued.splice(0)) this.dispatch(options, handler);
    });
    session.on("goaway", (_code: number, lastStreamId: number) => {
      entry.draining = true; // no new streams here; open ones finish
      entry.lastStreamId = lastStreamId;
    });
    session.on("close", () => {
      this.#forget(entry);
      for (const [options, handler] of entry.queued.splice(0)) this.dispatch(options, handler);
    });
    session.on("error", () => {
      entry.draining = true; // each open stream reports its own error
    });
    session.setTimeout(this.#settings.idleTimeout, () => {
      if (entry.active === 0) session.close();
    });
    session.unref(); // an idle session never keeps the process alive
  }

  #start(entry: Session, options: Dispatcher.DispatchOptions, handler: LegacyHandler): void {
    const session = entry.session!;
    const headers: Record<string, string | string[]> = { ":method": options.method, ":path": options.path };
    for (const [name, value] of Object.entries((options.headers ?? {}) as Record<string, string | string[] | undefined>)) {
      const key = name.toLowerCase();
      if (value !== undefined && !HOP_BY_HOP.has(key)) headers[key] = value;
    }
    const body = options.body as string | Uint8Array | null | undefined;
    const hasBody = body !== null && body !== undefined;
    if (hasBody) headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: !hasBody });
      if (hasBody) stream.end(body);
    } catch (error) {
      queueMicrotask(() => handler.onError?.(socketError("the HTTP/2 session would not open a stream", error)));
      return;
    }
    entry.active++;
    if (entry.active === 1) session.ref();
    let finished = false;
    const finish = (): boolean => {
      if (finished) return false;
      finished = true;
      entry.active--;
      if (entry.active === 0) session.unref();
      return true;
    };
    const fail = (error: Error): void => {
      if (!finish()) return;
      if (!stream.destroyed) stream.close(http2().constants.NGHTTP2_CANCEL);
      handler.onError?.(error);
    };
    // A handler that throws (undici's request handler does when its response is already gone)
    // ends this stream; it must never become an uncaught exception from a socket event.
    const deliver = (call: () => void): void => {
      try {
        call();
      } catch (error) {
        fail(socketError("the response handler failed", error));
      }
    };
    handler.onConnect?.((reason) => fail(reason ?? new Error("aborted")));
    if (finished) return; // aborted in onConnect (its signal was already aborted)
    let responded = false;
    stream.on("response", (responseHeaders: IncomingHttpHeaders) => {
      if (finished) return;
      responded = true;
      const status = Number(responseHeaders[":status"]);
      const raw: Buffer[] = [];
      for (const [name, value] of Object.entries(responseHeaders)) {
        if (name.startsWith(":") || value === undefined) continue;
        for (const one of Array.isArray(value) ? value : [value]) raw.push(Buffer.from(name), Buffer.from(String(one)));
      }
      deliver(() => handler.onHeaders?.(status, raw, () => stream.resume(), ""));
    });
    const counted = options.bodyTimeout !== 0; // not a watch or a follow
    stream.on("data", (chunk: Buffer) => {
      if (finished) return;
      if (counted) this.bodyBytes += chunk.length;
      deliver(() => {
        if (handler.onData?.(chunk) === false) stream.pause();
      });
    });
    // 'end' also comes when the connection is cut under the stream (then 'close' has a non-zero
    // rstCode and the session is gone): the response is complete only when both say so.
    let ended = false;
    stream.on("end", () => {
      ended = true;
    });
    stream.on("close", () => {
      if (finished) return;
      if (ended && stream.rstCode === http2().constants.NGHTTP2_NO_ERROR && !session.destroyed) {
        finish();
        deliver(() => handler.onComplete?.([]));
        return;
      }
      // Not processed (RFC 9113 8.7): refused, or above the last stream a GOAWAY named, before any
      // answer. A stream at or below it, or cut otherwise, may have been: that matters for a write.
      const code = stream.rstCode;
      const aboveGoaway = entry.lastStreamId !== undefined && stream.id !== undefined && stream.id > entry.lastStreamId;
      if (!responded && code === http2().constants.NGHTTP2_REFUSED_STREAM) fail(notProcessed("REFUSED_STREAM"));
      else if (!responded && aboveGoaway) fail(notProcessed("GOAWAY"));
      else if (ended) fail(socketError("the connection was closed before the response was complete"));
      else if (entry.draining)
        fail(socketError("the HTTP/2 connection closed before the response arrived (the server may have processed the request)"));
      else fail(socketError(`the server reset the HTTP/2 stream (code ${code ?? "none"})`));
    });
    stream.on("error", (error: Error) => {
      if (stream.rstCode === http2().constants.NGHTTP2_REFUSED_STREAM) {
        // Not processed by the server (RFC 9113 8.7): retriable like a connection that closed before answering.
        fail(notProcessed("REFUSED_STREAM"));
      } else {
        fail(socketError(`the HTTP/2 stream failed: ${error.message}`, error));
      }
    });
  }
}
