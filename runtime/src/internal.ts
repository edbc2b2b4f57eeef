/**
 * `@kubex/runtime/internal`: the pieces `Api`'s accessors, the watch machinery and the
 * streaming sessions are built from. Exported for code that extends the runtime (a new
 * accessor, a custom list/watch source); not part of the supported surface: any release
 * may change it. Applications and libraries use `@kubex/runtime`.
 */
export { ApiContext, isStatus } from "./api/context.js";
export { defineAccessor, type AccessorDefinition, type AccessorTypes } from "./api/accessors/registry.js";
export { ReadWriteAccessor, ObjectSubresourceAccessor, type SubresourceSpec } from "./api/accessors/shared.js";
export type { BodyIdentity } from "./api/body.js";
export { connectWebSocket, type WebSocketRequest, type OpenedWebSocket } from "./stream/connect.js";
