/** Public surface of the streaming subresources (exec, attach, port-forward, logs). */
export { StreamSession, type StreamResult, type TerminalSize, type StreamSessionOptions } from "./session.js";
export { PortForwardSession, PortForwardError, type PortForwardSessionOptions } from "./portforward-session.js";
export type { PortForwardListener, ForwardedPort, PortMap, ListenOptions } from "./listen.js";
export { exitCodeOf } from "./status.js";
export { V5_CHANNEL_PROTOCOL, V4_CHANNEL_PROTOCOL, PORT_FORWARD_PROTOCOL, EXEC_PROTOCOLS, PORT_FORWARD_PROTOCOLS } from "./protocol.js";
