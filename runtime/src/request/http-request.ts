/**
 * What request building produces and the transport sends: a method, a path, a query,
 * headers and a serialised body, plus the call's signal and timeout. Plain data.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HttpRequest {
  method: HttpMethod;
  /** Absolute API path, e.g. `/apis/apps/v1/namespaces/default/deployments/web`. */
  path: string;
  query?: URLSearchParams;
  headers?: Record<string, string>;
  /** Request body, already serialised (the patch classes pick the content type). */
  body?: string;
  /** Cancels the request (and a stream's body). */
  signal?: AbortSignal;
  /**
   * Milliseconds until the call is aborted (retries and their waits included); for streams,
   * until the response headers arrive. Unset: the client's default; `0`: no timeout.
   */
  timeout?: number;
}
