/**
 * The contract between request building (pure) and the HTTP transport (I/O).
 */

import type { HttpRequest } from "../request/http-request.js";

export type { HttpMethod, HttpRequest } from "../request/http-request.js";

/** A response whose body is read as it arrives (watch, log follow). */
export interface StreamingResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as chunks; ending the iteration early closes the connection. */
  body: AsyncIterable<Uint8Array>;
  /** Closes the connection now. */
  close(): void;
}

/**
 * Sends requests to one cluster. Non-2xx answers throw a `KubexApiError` subclass;
 * connection, TLS and timeout failures throw `KubexClientError`.
 */
export interface Transport {
  /** Sends the request and parses the JSON body. */
  json<T>(request: HttpRequest): Promise<T>;
  /** Sends the request and returns the body as text (logs). */
  text(request: HttpRequest): Promise<string>;
  /** Sends the request and returns once the headers have arrived; the body streams. */
  stream(request: HttpRequest): Promise<StreamingResponse>;
  /** Closes every pooled connection. */
  close(): Promise<void>;
}

/**
 * A connection to one cluster: its configuration and transport. `await using` closes it.
 */
export interface Client extends AsyncDisposable {
  readonly config: import("../config/types.js").ClusterConfig;
  readonly transport: Transport;
  /** Default namespace for `Api` instances made with this client. */
  readonly namespace: string;
  /**
   * Default timeout in ms of calls that give none; the transport applies it to requests,
   * the streaming accessors to opening their WebSocket. Unset: none.
   */
  readonly timeout?: number;
  close(): Promise<void>;
}
