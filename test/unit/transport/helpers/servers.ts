/**
 * Small loopback servers for transport tests: an HTTP(S) server whose handler the test
 * scripts per request, connection counting, and a CONNECT proxy.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from "node:https";
import { connect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import type { ClusterConfig } from "@kubex/runtime";

export type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse, index: number) => void;

export interface TestServer {
  url: string;
  port: number;
  /** Requests received, in order (method, url, headers, body). */
  requests: Array<{ method: string; url: string; headers: IncomingMessage["headers"]; body: string }>;
  /** Connections currently open. */
  openConnections(): number;
  /** Connections accepted so far. */
  totalConnections(): number;
  /** Resolves once the open connection count is `n` (or rejects after `ms`). */
  waitForOpenConnections(n: number, ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** An HTTP or HTTPS server on 127.0.0.1 whose `handler` answers each request. */
export async function startServer(handler: Handler, tls?: HttpsOptions): Promise<TestServer> {
  const requests: TestServer["requests"] = [];
  const sockets = new Set<Socket>();
  let total = 0;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const index = requests.length;
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handler(Object.assign(req, { body }), res, index);
    });
  };
  const server: HttpServer = tls !== undefined ? createHttpsServer(tls, onRequest) : createHttpServer(onRequest);
  const track = (socket: Socket): void => {
    total++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  server.on(tls !== undefined ? "secureConnection" : "connection", track);
  if (tls !== undefined) server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls !== undefined ? "https" : "http"}://127.0.0.1:${port}`,
    port,
    requests,
    openConnections: () => sockets.size,
    totalConnections: () => total,
    waitForOpenConnections: (n, ms = 2000) =>
      waitFor(
        () => sockets.size === n,
        ms,
        () => `expected ${n} open connections, have ${sockets.size}`,
      ),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A raw TCP server: `onConnection` does whatever it wants with the socket (reset, cut, garbage). */
export async function startRawServer(onConnection: (socket: Socket, index: number) => void): Promise<{
  url: string;
  port: number;
  connections(): number;
  close(): Promise<void>;
}> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    onConnection(socket, count++);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => count,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reads one HTTP request head off a raw socket, then calls `then`. */
export function onRequestHead(socket: Socket, then: (head: string) => void): void {
  let buffered = "";
  const onData = (chunk: Buffer): void => {
    buffered += chunk.toString("latin1");
    const end = buffered.indexOf("\r\n\r\n");
    if (end >= 0) {
      socket.off("data", onData);
      then(buffered.slice(0, end));
    }
  };
  socket.on("data", onData);
}

/**
 * A CONNECT proxy on loopback. `resolve` maps a requested host to where to connect
 * (so a test can use a made-up host name that only the proxy knows).
 */
export async function startConnectProxy(
  resolve: (host: string, port: number) => { host: string; port: number } = (host, port) => ({ host, port }),
): Promise<{
  url: string;
  /** `host:port` targets of the CONNECT requests received. */
  tunnels: string[];
  /** Proxy-Authorization headers received. */
  authorizations: string[];
  close(): Promise<void>;
}> {
  const tunnels: string[] = [];
  const authorizations: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => {
    res.writeHead(405).end();
  });
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on("error", () => undefined);
    client.on("close", () => sockets.delete(client));
    const target = req.url ?? "";
    tunnels.push(target);
    const auth = req.headers["proxy-authorization"];
    if (typeof auth === "string") authorizations.push(auth);
    const colon = target.lastIndexOf(":");
    const where = resolve(target.slice(0, colon), Number(target.slice(colon + 1)));
    const upstream = connect(where.port, where.host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    authorizations,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export async function waitFor(condition: () => boolean, ms: number, describe: () => string): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`waitFor timed out: ${describe()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A minimal explicit ClusterConfig for `server`. */
export function explicitConfig(server: string, extra: Partial<ClusterConfig> = {}): ClusterConfig {
  return { server, tls: {}, namespace: "default", source: { type: "explicit" }, ...extra };
}

export function json(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}
