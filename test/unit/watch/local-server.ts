/**
 * Small loopback HTTP servers for the faults a cluster cannot produce on demand, and a
 * client (the real undici transport) pointed at them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createClient, type Client } from "@kubex/runtime";

export interface LocalServer {
  url: string;
  server: Server;
  /** Every request seen: path and parsed query. */
  requests: { path: string; query: URLSearchParams; headers: IncomingMessage["headers"] }[];
  /** Destroys every open socket (a cut connection). */
  cutAll(): void;
  close(): Promise<void>;
}

export async function startLocalServer(handler: (req: IncomingMessage, res: ServerResponse, url: URL) => void): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  const requests: LocalServer["requests"] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    requests.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
    handler(req, res, url);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests,
    cutAll() {
      for (const socket of sockets) socket.destroy();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A client with retries off (the watch does its own), talking plain HTTP to `url`. */
export function localClient(url: string): Promise<Client> {
  return createClient({
    config: { server: url, tls: {}, namespace: "default", source: { type: "explicit" } },
    retry: false,
  });
}

/** Starts a chunked watch response. */
export function beginWatch(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
  res.flushHeaders();
}

export function eventLine(type: string, object: unknown): string {
  return JSON.stringify({ type, object }) + "\n";
}

export function configMap(name: string, resourceVersion: string, data: Record<string, string> = {}, namespace = "default") {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, resourceVersion, labels: { app: name.split("-")[0]! } },
    data,
  };
}

/** Number of active timers in this process (Timeout resources). */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
