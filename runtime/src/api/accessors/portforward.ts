/**
 * `portforward`: reaches a Pod's ports. `forward` gives one Node `Duplex` per port over
 * a single WebSocket (no local socket); `listen` binds local TCP ports like
 * `kubectl port-forward`, one WebSocket per accepted connection.
 */
import { InvalidRequest } from "../../errors.js";
import type { HasPortForward } from "../../model/markers.js";
import type { KubernetesObject } from "../../model/resource.js";
import type { ObjectCallOptions } from "../../request/options.js";
import { listenPorts, portPairs, type ListenOptions, type PortForwardListener } from "../../stream/listen.js";
import { openPortForwardSession } from "../../stream/open.js";
import type { PortForwardSession } from "../../stream/portforward-session.js";
import { channelProtocols, portForwardQuery } from "../../request/streaming.js";
import { PORT_FORWARD_PROTOCOLS } from "../../stream/protocol.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";
import { podTarget, streamCall } from "./streaming.js";

export interface ForwardOptions extends ObjectCallOptions {
  /** The Pod's ports, 1-65535, each once. */
  ports: readonly number[];
  /** Bytes a port's stream holds unread before reading from the socket pauses (default 1 MiB). */
  highWaterMark?: number;
  /** Bytes a port's stream holds at most when reading must go on; beyond that the port fails with `PortForwardError` and `truncated(port)` is set (default 64 MiB). */
  maxBuffered?: number;
  /** WebSocket subprotocols to offer, most preferred first: a subset of `PORT_FORWARD_PROTOCOLS` (default `v4.channel.k8s.io`, then `portforward.k8s.io`). */
  protocols?: readonly string[];
}

export interface PortForwardListenOptions extends ObjectCallOptions, ListenOptions {
  /** As in `ForwardOptions`, for every connection's session. */
  protocols?: readonly string[];
}

export class PortForwardAccessor {
  readonly #context: ApiContext<KubernetesObject>;

  constructor(context: ApiContext<KubernetesObject>) {
    this.#context = context;
  }

  /** Opens one session for `ports`; `session.stream(port)` is that port's Duplex. */
  async forward(name: string, options: ForwardOptions): Promise<PortForwardSession> {
    const target = this.#target(name, options?.namespace);
    if (options === undefined || options === null) throw new InvalidRequest(`${target.description}: options with ports are required`);
    portForwardQuery(target.description, options.ports); // validates before connecting
    const protocols = channelProtocols(target.description, options.protocols, PORT_FORWARD_PROTOCOLS);
    return openPortForwardSession(
      this.#context.client.config,
      {
        path: target.path,
        description: target.description,
        ports: options.ports,
        protocols,
        ...streamCall(this.#context, options, target.description),
      },
      {
        ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
        ...(options.maxBuffered !== undefined ? { maxBuffered: options.maxBuffered } : {}),
      },
    );
  }

  /**
   * Binds local ports (`portMap`: remote port -> local port, local 0 = any free port) on
   * `host` (default 127.0.0.1). Ports are validated before anything is bound; each
   * connection opens its own WebSocket. `timeout` bounds each connection's opening;
   * `signal` closes the listener and every forwarded connection.
   */
  async listen(name: string, options: PortForwardListenOptions): Promise<PortForwardListener> {
    const target = this.#target(name, options?.namespace);
    if (options === undefined || options === null) throw new InvalidRequest(`${target.description}: options with a portMap are required`);
    portPairs(options.portMap, target.description);
    const protocols = channelProtocols(target.description, options.protocols, PORT_FORWARD_PROTOCOLS);
    const config = this.#context.client.config;
    const call = streamCall(this.#context, options, target.description);
    options.signal?.throwIfAborted();
    // `signal` stops the listener too (and each connection's session, through `call`).
    return listenPorts(
      options,
      target.description,
      (remotePort) =>
        openPortForwardSession(config, { path: target.path, description: target.description, ports: [remotePort], protocols, ...call }),
      call.signal,
    );
  }

  #target(name: string, namespace: string | undefined): { path: string; description: string } {
    const target = podTarget(this.#context, name, namespace, "portforward");
    return { path: target.path, description: `portforward ${target.label}` };
  }
}

export const portforward = defineAccessor({
  property: "portforward",
  subresource: "portforward",
  create: (context) => new PortForwardAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    portforward: { marker: HasPortForward; accessor: PortForwardAccessor };
  }
}
