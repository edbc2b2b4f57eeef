export * from "./model/meta.js";
export * from "./model/markers.js";
export * from "./model/resource.js";
export * from "./errors.js";
export type { Transport, HttpRequest, HttpMethod, StreamingResponse, Client } from "./transport/types.js";
export { createClient } from "./client.js";
export type { CreateClientOptions } from "./client.js";
export {
  createTransport,
  DEFAULT_CONNECTIONS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from "./transport/http-transport.js";
export type { TransportOptions } from "./transport/http-transport.js";
export { DEFAULT_RETRY_POLICY } from "./transport/retry.js";
export type { RetryOptions, RetryPolicy } from "./transport/retry.js";
export * from "./api/index.js";
export * from "./patch/index.js";
export type * from "./request/options.js";
export * from "./config/index.js";
export * from "./stream/index.js";
export * from "./watch/index.js";
export type { LogQueryOptions } from "./request/streaming.js";
export * from "./controller/index.js";
