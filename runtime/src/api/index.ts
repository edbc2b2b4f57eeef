/**
 * The public surface of `Api` and its accessors. What accessors are built from
 * (`ApiContext`, `defineAccessor`, the shared accessor shapes) is in `../internal.ts`.
 */
export { Api, BaseApi, type ApiOptions, type ApiConstructor, type Accessors, type AccessorsOf, type CreateAnswer } from "./api.js";
export { createApi, type CreateApiOptions } from "./create-api.js";
export type { ApiWatchOptions } from "./watch-source.js";
export { StatusAccessor } from "./accessors/status.js";
export { ScaleAccessor } from "./accessors/scale.js";
export { MetadataAccessor } from "./accessors/metadata.js";
export { EvictionAccessor, type Eviction } from "./accessors/eviction.js";
export { EphemeralContainersAccessor } from "./accessors/ephemeral-containers.js";
export { ResizeAccessor } from "./accessors/resize.js";
export { BindingAccessor, type Binding } from "./accessors/binding.js";
export { TokenAccessor, type TokenRequest } from "./accessors/token.js";
export { ApprovalAccessor } from "./accessors/approval.js";
export { FinalizeAccessor } from "./accessors/finalize.js";
export { ExecAccessor, type ExecStreamOptions, type ExecRunOptions, type ExecResult } from "./accessors/exec.js";
export { AttachAccessor, type AttachOptions } from "./accessors/attach.js";
export type { StdioOptions } from "./accessors/streaming.js";
export { PortForwardAccessor, type ForwardOptions, type PortForwardListenOptions } from "./accessors/portforward.js";
export { LogsAccessor, type LogOptions, type LogStreamOptions } from "./accessors/logs.js";
export { ProxyAccessor, type ProxyOptions, type ProxyResponse } from "./accessors/proxy.js";
