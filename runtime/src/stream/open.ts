import type { ClusterConfig } from "../config/types.js";
import { followAbort } from "../transport/abort.js";
import { RequestAborted } from "../errors.js";
import { callPart } from "../request/call.js";
import { connectWebSocket } from "./connect.js";
import { PortForwardSession, type PortForwardSessionOptions } from "./portforward-session.js";
import { EXEC_PROTOCOLS, PORT_FORWARD_PROTOCOLS } from "./protocol.js";
import { portForwardQuery } from "../request/streaming.js";
import { StreamSession, type StreamSessionOptions } from "./session.js";

/**
 * Opens the sessions the accessors hand out (I/O). `timeout` bounds the opening;
 * `signal` also closes the session if it fires later.
 */

export interface OpenRequest {
  path: string;
  query: URLSearchParams;
  description: string;
  signal?: AbortSignal;
  timeout?: number;
  /** WebSocket subprotocols to offer, most preferred first (checked by the caller); default EXEC_PROTOCOLS / PORT_FORWARD_PROTOCOLS. */
  protocols?: readonly string[];
}

export async function openStreamSession(
  config: ClusterConfig,
  request: OpenRequest,
  options: Omit<StreamSessionOptions, "description">,
): Promise<StreamSession> {
  const { socket, protocol } = await connectWebSocket(config, {
    path: request.path,
    query: request.query,
    ...callPart(request),
    protocols: request.protocols ?? EXEC_PROTOCOLS,
  });
  const session = new StreamSession(socket, protocol, { ...options, description: request.description });
  closeOnAbort(request, (reason) => session.close(reason), session.closed());
  return session;
}

export async function openPortForwardSession(
  config: ClusterConfig,
  request: Omit<OpenRequest, "query"> & { ports: readonly number[] },
  options: Omit<PortForwardSessionOptions, "description"> = {},
): Promise<PortForwardSession> {
  const query = portForwardQuery(request.description, request.ports);
  const { socket, protocol } = await connectWebSocket(config, {
    path: request.path,
    query,
    ...callPart(request),
    protocols: request.protocols ?? PORT_FORWARD_PROTOCOLS,
  });
  const session = new PortForwardSession(socket, protocol, request.ports, { ...options, description: request.description });
  closeOnAbort(request, () => session.close(), session.closed());
  return session;
}

/** Closes the session when `signal` fires; the listener goes away with the session. */
export function closeOnAbort(
  request: Pick<OpenRequest, "signal" | "description">,
  close: (reason: Error) => void,
  closed: Promise<void>,
): void {
  const signal = request.signal;
  if (signal === undefined) return;
  // One listener per signal however many sessions share it (see followAbort).
  const unfollow = followAbort(signal, () => close(new RequestAborted(`${request.description}: aborted`, { cause: signal.reason })));
  void closed.then(unfollow);
}
