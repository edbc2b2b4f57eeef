/**
 * A loopback WebSocket server that plays the API server's side of the channel protocol,
 * scripted per test: which subprotocols it accepts, whether it refuses the upgrade, and
 * what it does with each connection.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type { ClusterConfig } from "@kubex/runtime";

export interface Upgrade {
  url: URL;
  headers: IncomingMessage["headers"];
  /** Subprotocols the client offered, in order. */
  offered: string[];
}

export interface WsTestServer {
  url: string;
  upgrades: Upgrade[];
  /** Server-side sockets of the connections, in order. */
  sockets: WebSocket[];
  openConnections(): number;
  config(extra?: Partial<ClusterConfig>): ClusterConfig;
  close(): Promise<void>;
}

export interface WsServerOptions {
  /** Subprotocols the server supports, in its order of preference (default v5 and v4). */
  protocols?: string[];
  /** Answer the upgrade request with this instead of switching protocols. */
  refuse?: (upgrade: Upgrade) => { code: number; body: string; headers?: Record<string, string> } | undefined;
  tls?: HttpsOptions;
  onConnection: (socket: WebSocket, upgrade: Upgrade) => void;
}

export async function startWsServer(options: WsServerOptions): Promise<WsTestServer> {
  const supported = options.protocols ?? ["v5.channel.k8s.io", "v4.channel.k8s.io"];
  const upgrades: Upgrade[] = [];
  const sockets: WebSocket[] = [];
  const raw = new Set<Socket>();
  const server: Server = options.tls !== undefined ? createHttpsServer(options.tls) : createHttpServer();
  server.on(options.tls !== undefined ? "secureConnection" : "connection", (socket: Socket) => {
    raw.add(socket);
    socket.on("close", () => raw.delete(socket));
  });
  if (options.tls !== undefined) server.on("tlsClientError", () => undefined);
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => {
      for (const protocol of offered) if (supported.includes(protocol)) return protocol;
      return false;
    },
  });
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const upgrade: Upgrade = {
      url: new URL(req.url ?? "/", "http://localhost"),
      headers: req.headers,
      offered: String(req.headers["sec-websocket-protocol"] ?? "")
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== ""),
    };
    upgrades.push(upgrade);
    const refusal = options.refuse?.(upgrade);
    if (refusal !== undefined) {
      const body = Buffer.from(refusal.body);
      const headers = {
        "content-type": "application/json",
        "content-length": String(body.length),
        connection: "close",
        ...refusal.headers,
      };
      socket.end(
        `HTTP/1.1 ${refusal.code} Refused\r\n${Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}`)
          .join("\r\n")}\r\n\r\n${body.toString("latin1")}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.push(ws);
      ws.on("error", () => undefined);
      options.onConnection(ws, upgrade);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `${options.tls !== undefined ? "https" : "http"}://127.0.0.1:${port}`;
  return {
    url,
    upgrades,
    sockets,
    openConnections: () => raw.size,
    config: (extra = {}) => ({ server: url, tls: {}, namespace: "default", source: { type: "explicit" }, ...extra }),
    close: async () => {
      for (const socket of raw) socket.destroy();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A binary channel message. */
export function frame(channel: number, payload: string | Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from([channel]), typeof payload === "string" ? Buffer.from(payload) : payload]);
}

/** A port-forward channel's first message: the port, little-endian, then the payload. */
export function portFrame(channel: number, port: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16LE(port);
  return frame(channel, Buffer.concat([prefix, payload]));
}

export const success = JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" });

export function exitStatus(code: number): string {
  return JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [sh -c exit ${code}], exit code ${code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  });
}

/** Resolves when `condition` holds, polling; rejects after `ms`. */
export async function until(condition: () => boolean, ms = 3000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
