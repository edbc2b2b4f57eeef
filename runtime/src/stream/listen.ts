import { isPort } from "../request/validate.js";
import net from "node:net";
import { InvalidRequest } from "../errors.js";
import type { PortForwardSession } from "./portforward-session.js";

/**
 * kubectl-style port-forward: real local TCP listeners, one port-forward WebSocket per
 * accepted connection (I/O). Ports are checked before anything is bound, and a bind
 * failure closes the listeners already opened.
 */

/** Remote (pod) port -> local port; local 0 picks a free port. */
export type PortMap = ReadonlyMap<number, number> | Readonly<Record<number, number>>;

export interface ForwardedPort {
  remotePort: number;
  /** The local port actually bound (useful with local 0). */
  localPort: number;
  /** The local address bound, e.g. `127.0.0.1`. */
  host: string;
}

export interface PortForwardListener extends AsyncDisposable {
  readonly ports: readonly ForwardedPort[];
  /** Connections currently forwarded. */
  readonly activeConnections: number;
  /** Stops listening and closes every forwarded connection. */
  close(): Promise<void>;
}

export interface ListenOptions {
  portMap: PortMap;
  /** Local address to bind (default `127.0.0.1`). */
  host?: string;
  /** Called when forwarding one accepted connection fails (its local socket is closed). */
  onError?: (error: Error, port: ForwardedPort) => void;
}

/** Validated `[remote, local]` pairs. */
export function portPairs(portMap: PortMap, description: string): Array<[number, number]> {
  const entries: Array<[unknown, unknown]> =
    portMap instanceof Map ? [...portMap.entries()] : Object.entries(portMap as Record<string, unknown>);
  if (entries.length === 0) throw new InvalidRequest(`${description}: portMap is empty; give at least one remote port`);
  const pairs: Array<[number, number]> = [];
  const seenLocal = new Set<number>();
  const seenRemote = new Set<number>();
  for (const [rawRemote, rawLocal] of entries) {
    const remote = typeof rawRemote === "string" && /^\d+$/.test(rawRemote) ? Number(rawRemote) : rawRemote;
    if (!isPort(remote, false)) {
      throw new InvalidRequest(`${description}: portMap remote port ${JSON.stringify(rawRemote)} must be an integer from 1 to 65535`);
    }
    if (!isPort(rawLocal, true)) {
      throw new InvalidRequest(
        `${description}: portMap local port ${JSON.stringify(rawLocal)} (for remote ${remote}) must be an integer from 1 to 65535, or 0 for any free port`,
      );
    }
    if (seenRemote.has(remote)) throw new InvalidRequest(`${description}: portMap names remote port ${remote} twice`);
    if (rawLocal !== 0 && seenLocal.has(rawLocal)) {
      throw new InvalidRequest(`${description}: portMap binds local port ${rawLocal} twice`);
    }
    seenRemote.add(remote);
    seenLocal.add(rawLocal);
    pairs.push([remote, rawLocal]);
  }
  return pairs;
}

/**
 * Binds the listeners; `open(remotePort)` opens one port-forward session per accepted
 * connection. `signal` closes everything; its listener goes away with the listener.
 */
export async function listenPorts(
  options: ListenOptions,
  description: string,
  open: (remotePort: number) => Promise<PortForwardSession>,
  signal?: AbortSignal,
): Promise<PortForwardListener> {
  const pairs = portPairs(options.portMap, description);
  const host = options.host ?? "127.0.0.1";
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const sessions = new Set<PortForwardSession>();
  const ports: ForwardedPort[] = [];
  let closing = false;

  const onAbort = (): void => void closeAll();
  const closeAll = async (): Promise<void> => {
    closing = true;
    signal?.removeEventListener("abort", onAbort);
    for (const session of sessions) session.close();
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  };

  try {
    for (const [remotePort, localPort] of pairs) {
      const server = net.createServer({ pauseOnConnect: true });
      const forwarded: ForwardedPort = { remotePort, localPort, host };
      server.on("connection", (socket) => {
        if (closing) {
          socket.destroy();
          return;
        }
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => undefined); // ends in 'close'
        forward(socket, forwarded);
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", (error) =>
          reject(
            new InvalidRequest(`${description}: cannot listen on ${host}:${localPort} (for remote port ${remotePort}): ${error.message}`, {
              cause: error,
            }),
          ),
        );
        server.listen({ host, port: localPort }, () => resolve());
      });
      servers.push(server);
      server.on("error", () => undefined);
      const address = server.address();
      if (address !== null && typeof address === "object") forwarded.localPort = address.port;
      ports.push(forwarded);
    }
  } catch (error) {
    await closeAll();
    throw error;
  }

  function forward(socket: net.Socket, port: ForwardedPort): void {
    open(port.remotePort).then(
      (session) => {
        if (closing || socket.destroyed) {
          session.close();
          return;
        }
        sessions.add(session);
        const remote = session.stream(port.remotePort);
        const finish = (error?: Error): void => {
          if (error !== undefined) options.onError?.(error, port);
          sessions.delete(session);
          session.close();
          socket.destroy();
        };
        remote.on("error", (error) => finish(error));
        remote.on("end", () => socket.end());
        socket.on("close", () => finish());
        void session.closed().then(() => {
          if (!socket.destroyed) socket.end();
        });
        socket.pipe(remote);
        remote.pipe(socket);
        socket.resume();
      },
      (error: unknown) => {
        socket.destroy();
        options.onError?.(error instanceof Error ? error : new Error(String(error)), port);
      },
    );
  }

  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  return {
    ports,
    get activeConnections() {
      return sockets.size;
    },
    close: closeAll,
    [Symbol.asyncDispose]: closeAll,
  };
}
