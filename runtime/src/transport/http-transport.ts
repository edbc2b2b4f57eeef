/**
 * The HTTP transport: sends `HttpRequest`s to one API server over an undici connection
 * pool, with per-request credentials, timeouts, cancellation and retries.
 */
import type { Dispatcher } from "undici";
import { impersonationHeaders } from "../config/impersonation.js";
import type { AuthProvider, ClusterConfig } from "../config/types.js";
import {
  apiErrorFor,
  ClientClosed,
  KubexApiError,
  KubexClientError,
  KubexConfigError,
  KubexError,
  RequestAborted,
  ResponseTooLarge,
  UnexpectedResponse,
} from "../errors.js";
import type { Status } from "../model/meta.js";
import { Deadline, effectiveTimeout, sleep } from "./deadline.js";
import { createDispatchers, type Dispatchers, type TlsMaterial } from "./dispatcher.js";
import { BodyCut, exchange, type Answer, type ExchangeLimits } from "./exchange.js";
import { openStreamed, type StreamedAnswer } from "./streamed.js";
import { connectionFailure, redactStatus, safeUrl, secretValues, statusFromBody, type FailureContext } from "./failures.js";
import { proxyFor } from "./proxy.js";
import {
  backoffDelayMs,
  mayRetryConnectionError,
  mayRetryStatus,
  resolveRetryPolicy,
  retryAfterMs,
  retryAfterSeconds,
  type RetryOptions,
  type RetryPolicy,
} from "./retry.js";
import type { HttpRequest, StreamingResponse, Transport } from "./types.js";

export interface TransportOptions {
  /**
   * Default per-request timeout in ms (a request's own `timeout` wins); unset:
   * {@link DEFAULT_REQUEST_TIMEOUT_MS}; `0`: none.
   */
  timeout?: number;
  /** Retry policy for safe requests; `false` switches retries off. */
  retry?: RetryOptions;
  /** `User-Agent` header; defaults to `kubex-ts (node vX.Y.Z)`. */
  userAgent?: string;
  /**
   * Most connections open at once for requests (not streams), default
   * {@link DEFAULT_CONNECTIONS}; requests beyond it wait for a free connection.
   */
  connections?: number;
  /** Largest 2xx body read into memory, in bytes (default {@link DEFAULT_MAX_RESPONSE_BYTES}). */
  maxResponseBytes?: number;
  /**
   * HTTP/2 where the server offers it (ALPN), on by default for https servers reached without a
   * proxy: watches, log follows and concurrent requests share one connection, one-at-a-time
   * requests keep an HTTP/1.1 connection (cheaper per request); see transport/lanes.ts. `false`,
   * or a non-empty `DISABLE_HTTP2` environment variable (as client-go), means HTTP/1.1 only.
   */
  http2?: boolean;
}

/**
 * Default timeout of a call: 90 s. The API server ends every request that is not a watch
 * or a stream after 60 s itself (its `--request-timeout`), so any answer comes well within
 * this; what it catches is a server or proxy that holds the connection and says nothing
 * (undici alone gives up only after 300 s without headers). Streams count it until their
 * headers arrive. `timeout: 0` on the client or a call switches it off.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 90_000;

/**
 * Default most connections to one cluster for requests: 32 (a request beyond it waits for
 * a free connection). Watches, log follows and other streams hold their connection for
 * minutes, so they have their own pool without a cap: they never wait behind requests
 * nor make requests wait.
 */
export const DEFAULT_CONNECTIONS = 32;

/**
 * Default largest 2xx body (a get, a list page, a log): 256 MiB, under V8's string limit
 * (about 512 MiB, where `JSON.parse` could not even start). List in pages (`limit`) for
 * collections larger than that.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 << 20;

/** Creates the transport for one cluster. Connections open lazily, on the first request. */
export function createTransport(config: ClusterConfig, options: TransportOptions = {}): Transport {
  return new HttpTransport(config, options);
}

/** A sent request whose 2xx answer has arrived (whole, or its headers for a stream). */
interface Sent<R> {
  reply: R;
  deadline: Deadline;
  description: string;
  /** The headers it was sent with (their credential values are scrubbed from what the server says). */
  headers: Record<string, string>;
}

/**
 * How one kind of request is sent and its answer read, for the retry loop in `#send`: whole
 * ({@link BUFFERED}: gets, lists, logs) or as a stream ({@link STREAMING}: watches, follows).
 */
interface Via<R> {
  /** Whether the answer has arrived whole when `send` resolves (the deadline is then done). */
  whole: boolean;
  send(dispatchers: Dispatchers, options: Dispatcher.DispatchOptions, deadline: Deadline, limits: ExchangeLimits): Promise<R>;
  statusCode(reply: R): number;
  header(reply: R, name: string): string | undefined;
  /** The body of an error answer, up to {@link ERROR_BODY_LIMIT} bytes ("" when it cannot be read). */
  errorText(reply: R): Promise<string>;
  /** Lets the body of an answer go before a retry. */
  discard(reply: R): Promise<void>;
}

const BUFFERED: Via<Answer> = {
  whole: true,
  send: (dispatchers, options, deadline, limits) => exchange(dispatchers.requests, options, limits, (cancel) => deadline.follow(cancel)),
  statusCode: (answer) => answer.statusCode,
  header: (answer, name) => answer.header(name),
  errorText: (answer) => Promise.resolve(answer.text()),
  discard: () => Promise.resolve(),
};

const STREAMING: Via<StreamedAnswer> = {
  whole: false,
  send: (dispatchers, options, deadline) =>
    openStreamed(dispatchers.streamPool(), { ...options, bodyTimeout: 0 }, (cancel) => deadline.follow(cancel)),
  statusCode: (answer) => answer.statusCode,
  header: (answer, name) => answer.header(name),
  errorText: (answer) => readLimited(answer.body, ERROR_BODY_LIMIT).catch(() => ""),
  discard: (answer) => {
    answer.close();
    return Promise.resolve();
  },
};

/** Largest error body read to build a `Status`; the rest is discarded. */
const ERROR_BODY_LIMIT = 1 << 20;

class HttpTransport implements Transport {
  readonly #origin: string;
  readonly #basePath: string;
  readonly #auth: AuthProvider | undefined;
  readonly #tls: ClusterConfig["tls"];
  readonly #proxy: string | undefined;
  readonly #connections: number;
  readonly #maxResponseBytes: number;
  readonly #http2Origin: string | undefined;
  readonly #defaultTimeout: number | undefined;
  readonly #retry: Readonly<RetryPolicy>;
  readonly #baseHeaders: Record<string, string>;
  /** `Impersonate-*` (groups and extra values are one header line each, hence the arrays). */
  readonly #impersonation: Record<string, string | string[]>;
  readonly #hasImpersonation: boolean;
  readonly #servername: string | undefined;
  readonly #failure: FailureContext;
  readonly #streams = new Set<{ close(): void }>();
  /** The deadline of every request in flight, so `close()` can end them. */
  readonly #inFlight = new Set<Deadline>();
  #dispatcher: Dispatchers | undefined;
  #dispatcherPromise: Promise<Dispatchers> | undefined;
  #clientTls: { cert?: string; key?: string } | undefined;
  #closed = false;

  constructor(config: ClusterConfig, options: TransportOptions) {
    let server: URL;
    try {
      server = new URL(config.server);
    } catch {
      // No cause: Node's URL error keeps the input, which may carry credentials.
      throw new KubexConfigError(`the server address is not a valid URL`, { field: "server", hint: "use https://host:port" });
    }
    if (server.protocol !== "https:" && server.protocol !== "http:") {
      throw new KubexConfigError(`the server address ${safeUrl(server)} is not http(s)`, {
        field: "server",
        hint: "use https://host:port",
      });
    }
    this.#origin = server.origin;
    this.#basePath = server.pathname.replace(/\/+$/, "");
    this.#auth = config.auth;
    this.#tls = config.tls;
    this.#proxy = proxyFor(server, config.proxyUrl);
    this.#connections = positiveInteger(options.connections, DEFAULT_CONNECTIONS, "connections");
    this.#maxResponseBytes = positiveInteger(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, "maxResponseBytes");
    this.#defaultTimeout = effectiveTimeout(options.timeout ?? DEFAULT_REQUEST_TIMEOUT_MS);
    this.#http2Origin = server.protocol === "https:" && this.#proxy === undefined && http2Wanted(options.http2) ? server.origin : undefined;
    this.#retry = resolveRetryPolicy(options.retry);
    this.#baseHeaders = {
      accept: "application/json",
      "user-agent": options.userAgent ?? `kubex-ts (node ${process.version})`,
    };
    this.#impersonation = impersonationHeaders(config.impersonate);
    this.#hasImpersonation = Object.keys(this.#impersonation).length > 0;
    this.#servername = config.tls.serverName;
    this.#failure = {
      server: safeUrl(server),
      source: config.source,
      proxy: this.#proxy !== undefined ? safeUrl(this.#proxy) : undefined,
      hasClientCert: config.tls.cert !== undefined,
    };
    if (config.auth?.tls === undefined) {
      // Build the pool now so bad TLS material or a bad proxy URL fails at creation.
      this.#dispatcher = this.#buildDispatcher(undefined);
    }
  }

  async json<T>(request: HttpRequest): Promise<T> {
    const sent = await this.#send(request, BUFFERED);
    const text = sent.reply.text();
    if (text.length === 0 && sent.reply.statusCode === 204) return undefined as T;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw malformedJson(error, text, sent);
    }
    return checkShape(parsed, sent) as T;
  }

  async text(request: HttpRequest): Promise<string> {
    return (await this.#send(request, BUFFERED)).reply.text();
  }

  async stream(request: HttpRequest): Promise<StreamingResponse> {
    const { reply: answer, deadline, description } = await this.#send(request, STREAMING);
    deadline.stopTimer(); // the caller's signal and close() still end it
    const handle = { close: () => answer.close() };
    this.#streams.add(handle);
    answer.whenEnded(
      () => {
        this.#release(deadline);
        this.#streams.delete(handle);
      },
      (error) => this.#bodyFailure(error, deadline, description),
    );
    return { status: answer.statusCode, headers: answer.headers(), body: answer.body, close: handle.close };
  }

  /**
   * Ends every request in flight with {@link ClientClosed}, closes every stream, then the
   * pools: bounded in time whatever the server does (a pool still busy after
   * {@link CLOSE_GRACE_MS} is destroyed).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of [...this.#streams]) stream.close(); // their iterations just end
    for (const deadline of [...this.#inFlight]) deadline.close();
    const dispatchers = this.#dispatcher ?? (await this.#dispatcherPromise?.catch(() => undefined));
    if (dispatchers === undefined) return;
    await Promise.all([
      closeWithin(dispatchers.requests),
      dispatchers.streams !== undefined ? closeWithin(dispatchers.streams) : undefined,
    ]);
  }

  #release(deadline: Deadline): void {
    deadline.dispose();
    this.#inFlight.delete(deadline);
  }

  /**
   * Sends `request` (retrying as the policy allows) until a 2xx arrives; throws for anything
   * else. A buffered answer's deadline is released when it has arrived whole; a stream's when
   * it ends.
   */
  async #send<R>(request: HttpRequest, via: Via<R>): Promise<Sent<R>> {
    const query = request.query?.toString();
    const description = query ? `${request.method} ${request.path}?${query}` : `${request.method} ${request.path}`; // never headers
    if (this.#closed) throw new ClientClosed(`${description}: the client is closed`);
    const timeout = request.timeout !== undefined ? effectiveTimeout(request.timeout) : this.#defaultTimeout;
    const deadline = new Deadline(request.signal, timeout);
    this.#inFlight.add(deadline);
    const policy = this.#retry;
    const method = request.method;
    const retriable = policy.maxRetries > 0 && policy.methods.includes(method);
    const path = query ? `${this.#basePath}${request.path}?${query}` : `${this.#basePath}${request.path}`;
    const maxBytes = this.#maxResponseBytes;
    const limits: ExchangeLimits = { success: maxBytes, error: ERROR_BODY_LIMIT, tooLarge: () => tooLarge(description, maxBytes) };
    let attempt = 0;
    let refreshed = false;
    let headers: Record<string, string>;
    try {
      for (;;) {
        attempt++;
        if (deadline.aborted) throw abortError(deadline, description);
        // No await without an auth provider: each one is a trip through the microtask queue.
        headers = this.#headers(request, this.#auth !== undefined ? await this.#auth.headers() : undefined);
        let reply: R;
        try {
          const dispatchers = this.#dispatcher ?? (await this.#lazyDispatcher());
          const options: Dispatcher.DispatchOptions & { servername?: string } = {
            origin: this.#origin,
            path,
            method: request.method,
            headers: this.#hasImpersonation ? { ...headers, ...this.#impersonation } : headers,
            body: request.body ?? null,
          };
          if (this.#servername !== undefined) options.servername = this.#servername;
          reply = await via.send(dispatchers, options, deadline, limits);
        } catch (error) {
          if (deadline.aborted) throw abortError(deadline, description, error);
          if (error instanceof KubexError) throw error;
          if (error instanceof BodyCut) throw this.#bodyFailure(error.cause, deadline, description);
          if (retriable && attempt <= policy.maxRetries && mayRetryConnectionError(method, error)) {
            await sleep(backoffDelayMs(policy, attempt - 1), deadline.signal);
            continue;
          }
          throw connectionFailure(error, description, this.#failure, retriable ? attempt : undefined);
        }
        const code = via.statusCode(reply);
        if (code >= 200 && code < 300) {
          if (via.whole) this.#release(deadline);
          return { reply, deadline, description, headers };
        }

        if (code === 401 && !refreshed && this.#auth?.refresh !== undefined) {
          refreshed = true;
          const failure = await this.#apiError(via, reply, headers, undefined);
          if (await this.#auth.refresh()) {
            await this.#refreshClientTls();
            attempt--; // the retry after new credentials is not a backoff retry
            continue;
          }
          throw failure;
        }
        if (retriable && attempt <= policy.maxRetries && mayRetryStatus(method, code)) {
          const wait = retryAfterMs(via.header(reply, "retry-after"), policy.maxDelayMs) ?? backoffDelayMs(policy, attempt - 1);
          await via.discard(reply);
          await sleep(wait, deadline.signal);
          continue;
        }
        // `attempts` is reported only when retrying was allowed and this failure was worth a retry: giving up.
        throw await this.#apiError(via, reply, headers, retriable && mayRetryStatus(method, code) ? attempt : undefined);
      }
    } catch (error) {
      this.#release(deadline);
      if (deadline.ended === "closed" && !(error instanceof ClientClosed)) throw abortError(deadline, description, error);
      if (deadline.aborted && !(error instanceof KubexError)) throw abortError(deadline, description, error);
      throw error;
    }
  }

  /** Request headers: defaults, then credentials, then the request's own. */
  #headers(request: HttpRequest, credentials: Record<string, string> | undefined): Record<string, string> {
    const headers: Record<string, string> = { ...this.#baseHeaders, ...credentials, ...request.headers };
    if (request.body !== undefined && headers["content-type"] === undefined && headers["Content-Type"] === undefined) {
      headers["content-type"] = "application/json";
    }
    return headers;
  }

  /** The error for a non-2xx answer, built from its body (read up to a limit). */
  async #apiError<R>(via: Via<R>, reply: R, headers: Record<string, string>, attempts: number | undefined): Promise<KubexApiError> {
    const code = via.statusCode(reply);
    const body = await via.errorText(reply);
    const status = statusFromBody(code, body, via.header(reply, "content-type"), secretValues(headers));
    return apiErrorFor(code, status, retryAfterSeconds(via.header(reply, "retry-after")), attempts);
  }

  #bodyFailure(error: unknown, deadline: Deadline, description: string): KubexError {
    if (deadline.aborted) return abortError(deadline, description, error);
    if (error instanceof KubexError) return error;
    const code = (error as { code?: unknown })?.code;
    return new KubexClientError(
      `${description}: the response from ${this.#failure.server} ended before its body was complete${typeof code === "string" ? ` (${code})` : ""}`,
      { cause: error },
    );
  }

  /** The pool, built on first use when the auth provider supplies the client certificate. */
  #lazyDispatcher(): Promise<Dispatchers> {
    if (this.#dispatcherPromise === undefined) {
      const building = (async () => {
        const material = await this.#auth?.tls?.();
        this.#clientTls = material;
        this.#dispatcher = this.#buildDispatcher(material);
        return this.#dispatcher;
      })();
      building.catch(() => {
        if (this.#dispatcherPromise === building) this.#dispatcherPromise = undefined; // the next request tries again
      });
      this.#dispatcherPromise = building;
    }
    return this.#dispatcherPromise;
  }

  #buildDispatcher(material: { cert?: string; key?: string } | undefined): Dispatchers {
    const tls: TlsMaterial = { ...this.#tls };
    if (material?.cert !== undefined && material.key !== undefined) {
      tls.cert = material.cert;
      tls.key = material.key;
    }
    return createDispatchers({
      tls,
      proxy: this.#proxy,
      connections: this.#connections,
      ...(this.#http2Origin !== undefined ? { http2Origin: this.#http2Origin } : {}),
    });
  }

  /** After new credentials: a new client certificate from the auth provider means a new pool. */
  async #refreshClientTls(): Promise<void> {
    if (this.#auth?.tls === undefined) return;
    const material = await this.#auth.tls();
    if (material?.cert === this.#clientTls?.cert && material?.key === this.#clientTls?.key) return;
    const old = this.#dispatcher;
    this.#clientTls = material;
    this.#dispatcher = this.#buildDispatcher(material);
    this.#dispatcherPromise = Promise.resolve(this.#dispatcher);
    // in-flight requests (and streams) finish on the old pools
    void old?.requests.close().catch(() => undefined);
    void old?.streams?.close().catch(() => undefined);
  }
}

/** HTTP/2 unless switched off by the option or, as client-go does, by a non-empty DISABLE_HTTP2. */
function http2Wanted(option: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (option !== undefined) return option;
  return (env["DISABLE_HTTP2"] ?? "") === "";
}

function abortError(deadline: Deadline, description: string, cause?: unknown): RequestAborted | ClientClosed {
  if (deadline.ended === "closed") {
    return new ClientClosed(
      `${description}: the client was closed while the request was in flight`,
      cause !== undefined ? { cause } : undefined,
    );
  }
  if (deadline.timedOut) {
    return new RequestAborted(`${description}: timed out after ${deadline.timeoutMs} ms`, cause !== undefined ? { cause } : undefined);
  }
  const reason = deadline.callerReason;
  return new RequestAborted(`${description}: aborted by its signal`, { cause: reason ?? cause });
}

/** Malformed JSON in a 2xx: the parser's own message can quote the body, so keep only the position. */
function malformedJson(error: unknown, text: string, sent: Sent<Answer>): KubexClientError {
  const position = /position (\d+)/.exec(String((error as Error)?.message))?.[1];
  const where = position !== undefined ? ` at position ${position}` : "";
  const cause = new SyntaxError(`JSON.parse failed${where} in a body of ${text.length} characters`);
  const what =
    text.length === 0
      ? "an empty body"
      : `a body that is not valid JSON (${position !== undefined ? `at position ${position}` : "unparsable"})`;
  return new KubexClientError(`${sent.description}: the API server answered ${sent.reply.statusCode} with ${what}`, { cause });
}

/** How long `close()` lets a pool finish before destroying it. */
const CLOSE_GRACE_MS = 1000;

async function closeWithin(dispatcher: Dispatcher): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const graceful = dispatcher.close().then(
    () => true,
    () => true,
  );
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS)));
  const closed = await Promise.race([graceful, late]);
  clearTimeout(timer);
  if (!closed) await dispatcher.destroy().catch(() => undefined);
}

function positiveInteger(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new KubexConfigError(`${option} must be a positive integer, got ${String(value)}`, { field: option });
  }
  return value;
}

function tooLarge(description: string, limit: number): ResponseTooLarge {
  return new ResponseTooLarge(`${description}: the response body`, limit, "maxResponseBytes");
}

/**
 * Every JSON answer of the API server is an object. A 2xx that is not one, a `Status` with
 * `status: "Failure"` (client-go turns that into an error too), or a list with an item
 * that is not an object is refused here, by name, rather than failing deep in the caller.
 */
function checkShape(value: unknown, sent: Sent<Answer>): unknown {
  const code = sent.reply.statusCode;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UnexpectedResponse(
      `${sent.description}: the API server answered ${code} with ${describeJson(value)} where a JSON object was expected`,
    );
  }
  const object = value as { kind?: unknown; status?: unknown; items?: unknown };
  if (object.kind === "Status" && object.status === "Failure") {
    const status = redactStatus(value as Status, secretValues(sent.headers));
    const failureCode = typeof status.code === "number" && status.code >= 400 ? status.code : 500;
    throw apiErrorFor(failureCode, status);
  }
  if (Array.isArray(object.items)) {
    const bad = object.items.findIndex((item) => item === null || typeof item !== "object" || Array.isArray(item));
    if (bad !== -1) {
      throw new UnexpectedResponse(
        `${sent.description}: the API server answered ${code} with a list whose items[${bad}] is ${describeJson(object.items[bad])}, where an object was expected`,
      );
    }
  }
  return value;
}

/** `null`, `the number 42`, `an array`: what a JSON value is, never its content. */
function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

async function readLimited(body: AsyncIterable<Uint8Array>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    length += chunk.length;
    if (length >= limit) break; // leaving the loop closes the stream
  }
  return Buffer.concat(chunks, Math.min(length, limit)).toString("utf8");
}
