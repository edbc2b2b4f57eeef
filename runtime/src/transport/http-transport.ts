/**
 * The HTTP transport: sends `HttpRequest`s to one API server over an undici connection
 * pool, with per-request credentials, timeouts, cancellation and retries.
 */
import type { Dispatcher } from "undici";
import { impersonationHeaders } from "../config/impersonation.js";
import type { AuthProvider, ClusterConfig } from "../config/types.js";
import { apiErrorFor, KubexApiError, KubexClientError, KubexConfigError, KubexError, RequestAborted } from "../errors.js";
import { Deadline, effectiveTimeout, sleep } from "./deadline.js";
import { createDispatcher, type TlsMaterial } from "./dispatcher.js";
import { connectionFailure, safeUrl, secretValues, statusFromBody, type FailureContext } from "./failures.js";
import { proxyFor } from "./proxy.js";
import {
  backoffDelayMs,
  isRetriableConnectionError,
  isRetriableStatus,
  resolveRetryPolicy,
  retryAfterMs,
  retryAfterSeconds,
  type RetryOptions,
  type RetryPolicy,
} from "./retry.js";
import type { HttpRequest, StreamingResponse, Transport } from "./types.js";

export interface TransportOptions {
  /** Default per-request timeout in ms (a request's own `timeout` wins); `0` or unset: none. */
  timeout?: number;
  /** Retry policy for safe requests; `false` switches retries off. */
  retry?: RetryOptions;
  /** `User-Agent` header; defaults to `kubex-ts (node vX.Y.Z)`. */
  userAgent?: string;
  /** Most connections kept open to the server; unlimited by default. */
  connections?: number;
}

/** Creates the transport for one cluster. Connections open lazily, on the first request. */
export function createTransport(config: ClusterConfig, options: TransportOptions = {}): Transport {
  return new HttpTransport(config, options);
}

type ResponseData = Dispatcher.ResponseData;

/** A sent request whose 2xx response headers have arrived; the body is still to be read. */
interface Sent {
  response: ResponseData;
  deadline: Deadline | undefined;
  description: string;
}

/** Largest error body read to build a `Status`; the rest is discarded. */
const ERROR_BODY_LIMIT = 1 << 20;

class HttpTransport implements Transport {
  readonly #origin: string;
  readonly #basePath: string;
  readonly #auth: AuthProvider | undefined;
  readonly #tls: ClusterConfig["tls"];
  readonly #proxy: string | undefined;
  readonly #connections: number | undefined;
  readonly #defaultTimeout: number | undefined;
  readonly #retry: Readonly<RetryPolicy>;
  readonly #baseHeaders: Record<string, string>;
  /** `Impersonate-*` (groups and extra values are one header line each, hence the arrays). */
  readonly #impersonation: Record<string, string | string[]>;
  readonly #servername: string | undefined;
  readonly #failure: FailureContext;
  readonly #streams = new Set<{ close(): void }>();
  #dispatcher: Dispatcher | undefined;
  #dispatcherPromise: Promise<Dispatcher> | undefined;
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
      throw new KubexConfigError(`the server address ${safeUrl(server)} is not http(s)`, { field: "server", hint: "use https://host:port" });
    }
    this.#origin = server.origin;
    this.#basePath = server.pathname.replace(/\/+$/, "");
    this.#auth = config.auth;
    this.#tls = config.tls;
    this.#proxy = proxyFor(server, config.proxyUrl);
    this.#connections = options.connections;
    this.#defaultTimeout = effectiveTimeout(options.timeout);
    this.#retry = resolveRetryPolicy(options.retry);
    this.#baseHeaders = {
      accept: "application/json",
      "user-agent": options.userAgent ?? `kubex-ts (node ${process.version})`,
    };
    this.#impersonation = impersonationHeaders(config.impersonate);
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
    const sent = await this.#send(request, false);
    let text: string;
    try {
      text = await sent.response.body.text();
    } catch (error) {
      sent.deadline?.dispose();
      throw this.#bodyFailure(error, sent);
    }
    sent.deadline?.dispose();
    if (text.length === 0 && sent.response.statusCode === 204) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw malformedJson(error, text, sent);
    }
  }

  async text(request: HttpRequest): Promise<string> {
    const sent = await this.#send(request, false);
    try {
      return await sent.response.body.text();
    } catch (error) {
      throw this.#bodyFailure(error, sent);
    } finally {
      sent.deadline?.dispose();
    }
  }

  async stream(request: HttpRequest): Promise<StreamingResponse> {
    const sent = await this.#send(request, true);
    sent.deadline?.stopTimer();
    const { response, deadline } = sent;
    const body = response.body;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      deadline?.dispose();
      this.#streams.delete(handle);
      if (!body.destroyed) body.destroy();
    };
    const handle = { close: finish };
    this.#streams.add(handle);
    const chunks = async function* (transport: HttpTransport): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of body) yield chunk as Uint8Array;
      } catch (error) {
        if (done) return; // closed by the caller: the iteration just ends
        throw transport.#bodyFailure(error, sent);
      } finally {
        finish();
      }
    };
    return {
      status: response.statusCode,
      headers: response.headers,
      body: chunks(this),
      close: finish,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of [...this.#streams]) stream.close();
    const dispatcher = this.#dispatcher ?? (await this.#dispatcherPromise?.catch(() => undefined));
    await dispatcher?.close();
  }

  /** Sends `request` (retrying as the policy allows) until a 2xx arrives; throws for anything else. */
  async #send(request: HttpRequest, streaming: boolean): Promise<Sent> {
    const query = request.query?.toString();
    const description = query ? `${request.method} ${request.path}?${query}` : `${request.method} ${request.path}`; // never headers
    if (this.#closed) throw new KubexClientError(`${description}: the client is closed`);
    const timeout = request.timeout !== undefined ? effectiveTimeout(request.timeout) : this.#defaultTimeout;
    const deadline = request.signal !== undefined || timeout !== undefined ? new Deadline(request.signal, timeout) : undefined;
    const policy = this.#retry;
    const retriable = policy.maxRetries > 0 && policy.methods.includes(request.method);
    const path = query ? `${this.#basePath}${request.path}?${query}` : `${this.#basePath}${request.path}`;
    let attempt = 0;
    let refreshed = false;
    try {
      for (;;) {
        attempt++;
        if (deadline?.aborted) throw abortError(deadline, description);
        const headers = await this.#headers(request);
        let response: ResponseData;
        try {
          const dispatcher = this.#dispatcher ?? (await this.#lazyDispatcher());
          const options: Dispatcher.RequestOptions & { servername?: string } = {
            origin: this.#origin,
            path,
            method: request.method,
            headers: { ...headers, ...this.#impersonation },
            body: request.body ?? null,
            signal: deadline?.signal ?? null,
          };
          if (streaming) options.bodyTimeout = 0;
          if (this.#servername !== undefined) options.servername = this.#servername;
          response = await dispatcher.request(options);
        } catch (error) {
          if (deadline?.aborted) throw abortError(deadline, description, error);
          if (error instanceof KubexError) throw error;
          if (retriable && attempt <= policy.maxRetries && isRetriableConnectionError(error)) {
            await sleep(backoffDelayMs(policy, attempt - 1), deadline?.signal);
            continue;
          }
          throw connectionFailure(error, description, this.#failure, retriable ? attempt : undefined);
        }
        const code = response.statusCode;
        if (code >= 200 && code < 300) return { response, deadline, description };

        if (code === 401 && !refreshed && this.#auth?.refresh !== undefined) {
          refreshed = true;
          const failure = await this.#apiError(response, headers, undefined);
          if (await this.#auth.refresh()) {
            await this.#refreshClientTls();
            attempt--; // the retry after new credentials is not a backoff retry
            continue;
          }
          throw failure;
        }
        if (retriable && attempt <= policy.maxRetries && isRetriableStatus(code)) {
          const wait = retryAfterMs(response.headers["retry-after"], policy.maxDelayMs) ?? backoffDelayMs(policy, attempt - 1);
          await response.body.dump().catch(() => undefined);
          await sleep(wait, deadline?.signal);
          continue;
        }
        // `attempts` is reported only when retrying was allowed and this failure was worth a retry: giving up.
        throw await this.#apiError(response, headers, retriable && isRetriableStatus(code) ? attempt : undefined);
      }
    } catch (error) {
      deadline?.dispose();
      if (deadline?.aborted && !(error instanceof KubexError)) throw abortError(deadline, description, error);
      throw error;
    }
  }

  /** Request headers: defaults, then credentials, then the request's own. */
  async #headers(request: HttpRequest): Promise<Record<string, string>> {
    const credentials = this.#auth !== undefined ? await this.#auth.headers() : undefined;
    const headers: Record<string, string> = { ...this.#baseHeaders, ...credentials, ...request.headers };
    if (request.body !== undefined && headers["content-type"] === undefined && headers["Content-Type"] === undefined) {
      headers["content-type"] = "application/json";
    }
    return headers;
  }

  /** The error for a non-2xx answer, built from its body (read up to a limit). */
  async #apiError(response: ResponseData, headers: Record<string, string>, attempts: number | undefined): Promise<KubexApiError> {
    let body: string;
    try {
      body = await readLimited(response.body, ERROR_BODY_LIMIT);
    } catch {
      body = "";
    }
    const contentType = response.headers["content-type"];
    const status = statusFromBody(response.statusCode, body, Array.isArray(contentType) ? contentType[0] : contentType, secretValues(headers));
    return apiErrorFor(response.statusCode, status, retryAfterSeconds(response.headers["retry-after"]), attempts);
  }

  #bodyFailure(error: unknown, sent: Sent): KubexError {
    if (sent.deadline?.aborted) return abortError(sent.deadline, sent.description, error);
    if (error instanceof KubexError) return error;
    const code = (error as { code?: unknown })?.code;
    return new KubexClientError(
      `${sent.description}: the response from ${this.#failure.server} ended before its body was complete${typeof code === "string" ? ` (${code})` : ""}`,
      { cause: error },
    );
  }

  /** The pool, built on first use when the auth provider supplies the client certificate. */
  #lazyDispatcher(): Promise<Dispatcher> {
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

  #buildDispatcher(material: { cert?: string; key?: string } | undefined): Dispatcher {
    const tls: TlsMaterial = { ...this.#tls };
    if (material?.cert !== undefined && material.key !== undefined) {
      tls.cert = material.cert;
      tls.key = material.key;
    }
    const settings = { tls, proxy: this.#proxy, ...(this.#connections !== undefined ? { connections: this.#connections } : {}) };
    return createDispatcher(settings);
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
    void old?.close().catch(() => undefined); // in-flight requests (and streams) finish on the old pool
  }
}

function abortError(deadline: Deadline, description: string, cause?: unknown): RequestAborted {
  if (deadline.timedOut) {
    return new RequestAborted(`${description}: timed out after ${deadline.timeoutMs} ms`, cause !== undefined ? { cause } : undefined);
  }
  const reason = deadline.callerReason;
  return new RequestAborted(`${description}: aborted by its signal`, { cause: reason ?? cause });
}

/** Malformed JSON in a 2xx: the parser's own message can quote the body, so keep only the position. */
function malformedJson(error: unknown, text: string, sent: Sent): KubexClientError {
  const position = /position (\d+)/.exec(String((error as Error)?.message))?.[1];
  const where = position !== undefined ? ` at position ${position}` : "";
  const cause = new SyntaxError(`JSON.parse failed${where} in a body of ${text.length} characters`);
  const what = text.length === 0 ? "an empty body" : `a body that is not valid JSON (${position !== undefined ? `at position ${position}` : "unparsable"})`;
  return new KubexClientError(`${sent.description}: the API server answered ${sent.response.statusCode} with ${what}`, { cause });
}

async function readLimited(body: ResponseData["body"], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    length += buffer.length;
    if (length >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks, Math.min(length, limit)).toString("utf8");
}
