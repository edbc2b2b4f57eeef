export * from "./model/meta.js";
export * from "./model/markers.js";
export * from "./model/resource.js";
export * from "./errors.js";
export type { ClusterConfig, TlsConfig, AuthProvider, ConfigSource } from "./config/types.js";
export type { Transport, HttpRequest, HttpMethod, StreamingResponse, Client } from "./transport/types.js";
