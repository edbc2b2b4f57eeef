/**
 * What the streaming accessors share, written once: the Pod path they address (exec,
 * attach, portforward, log) and the stdio session exec and attach open.
 */
import type { KubernetesObject } from "../../model/resource.js";
import { callPart } from "../../request/call.js";
import type { CallOptions, ObjectCallOptions } from "../../request/options.js";
import { resourcePath } from "../../request/paths.js";
import { validateName } from "../../request/validate.js";
import { openStreamSession } from "../../stream/open.js";
import { EXEC_PROTOCOLS } from "../../stream/protocol.js";
import { channelProtocols } from "../../request/streaming.js";
import type { StreamSession } from "../../stream/session.js";
import type { ApiContext } from "../context.js";

/** The options of a stdio session (exec, attach). */
export interface StdioOptions extends ObjectCallOptions {
  /** Container name; the Pod's only (or default) container when unset. */
  container?: string;
  /** Open stdin (default false). */
  stdin?: boolean;
  /** Open stdout (default true). */
  stdout?: boolean;
  /** Open stderr (default true; always off with `tty`, the terminal merges it into stdout). */
  stderr?: boolean;
  /** Allocate a terminal (default false); for attach, the container must have been started with `tty: true`. */
  tty?: boolean;
  /** Bytes a channel holds unread before reading from the socket pauses (default 1 MiB). */
  highWaterMark?: number;
  /** Bytes a channel holds at most when it must keep reading; beyond that output is dropped and `truncated` set (default 64 MiB). */
  maxBuffered?: number;
  /**
   * WebSocket subprotocols to offer, most preferred first: a subset of `EXEC_PROTOCOLS`
   * (default: `v5.channel.k8s.io`, then `v4.channel.k8s.io`). `[V4_CHANNEL_PROTOCOL]`
   * targets a server without v5 (then stdin cannot be closed on its own).
   */
  protocols?: readonly string[];
}

/** The subresource path of Pod `name`, and `namespace/name` for messages. Checks name and namespace. */
export function podTarget(
  context: ApiContext<KubernetesObject>,
  name: string,
  namespace: string | undefined,
  subresource: string,
): { path: string; label: string } {
  validateName(context.resource, name);
  const ns = context.objectNamespace(namespace);
  return {
    path: resourcePath(context.resource, { namespace: ns, name, subresource }),
    label: ns !== undefined ? `${ns}/${name}` : name,
  };
}

/**
 * The `signal` / `timeout` of a streaming call, checked; without a `timeout` of its own
 * the client's default bounds the opening, as it bounds every other request.
 */
export function streamCall(context: ApiContext<KubernetesObject>, options: CallOptions, what: string): CallOptions {
  const timeout = options.timeout ?? context.client.timeout;
  return callPart(
    { ...(options.signal !== undefined ? { signal: options.signal } : {}), ...(timeout !== undefined ? { timeout } : {}) },
    what,
  );
}

/** Opens an exec or attach session with an already validated `query`. */
export function openStdioSession(
  context: ApiContext<KubernetesObject>,
  subresource: "exec" | "attach",
  name: string,
  options: StdioOptions,
  query: URLSearchParams,
): Promise<StreamSession> {
  const target = podTarget(context, name, options.namespace, subresource);
  const description = `${subresource} ${target.label}`;
  const protocols = channelProtocols(description, options.protocols, EXEC_PROTOCOLS);
  return openStreamSession(
    context.client.config,
    { path: target.path, query, description, protocols, ...streamCall(context, options, description) },
    {
      stdin: options.stdin ?? false,
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      tty: options.tty ?? false,
      ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
      ...(options.maxBuffered !== undefined ? { maxBuffered: options.maxBuffered } : {}),
    },
  );
}
