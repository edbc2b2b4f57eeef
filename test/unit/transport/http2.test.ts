/**
 * HTTP/2 against a local server (a real apiserver offers h2 too; these are the cases it cannot
 * produce on demand): which lane a request takes, streams multiplexed on one connection,
 * HTTP/1.1 fallback, the switches, and connection-level faults (GOAWAY, a reset stream, a
 * peer's max-concurrent-streams).
 */
import {
  constants,
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Stream,
} from "node:http2";
import { execFile } from "node:child_process";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { setTimeout as delay } from "node:timers/promises";
import type { TLSSocket } from "node:tls";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTransport, KubexClientError, type StreamingResponse, type Transport } from "@kubex/runtime";
import { makePki, type TestPki } from "./helpers/pki.js";
import type { ServerResponse } from "node:http";
import { explicitConfig, startRawServer, startServer, waitFor } from "./helpers/servers.js";
import { WARM_UP_BODY_BYTES, WARM_UP_REQUESTS } from "../../../runtime/src/transport/lanes.js";

const execFileAsync = promisify(execFile);

let pki: TestPki;
beforeAll(() => {
  pki = makePki();
});

interface H2Server {
  url: string;
  /** Every request as the server saw it: protocol version and path. */
  seen: { httpVersion: string; path: string }[];
  /** TLS connections accepted so far, and the ALPN protocol each chose. */
  connections: string[];
  /** Open server-side streams of watches (the test ends them). */
  watches: ServerHttp2Stream[];
  server: Http2SecureServer;
  /** Destroys every TCP connection at once (as a proxy or a load balancer cutting them). */
  cut(): void;
  close(): Promise<void>;
}

type Handler = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

const transports: Transport[] = [];
const servers: H2Server[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** An HTTPS server offering h2 and http/1.1 (ALPN); `/watch` paths stream until closed, others answer JSON. */
async function startH2Server(options: { maxConcurrentStreams?: number; handler?: Handler } = {}): Promise<H2Server> {
  const seen: H2Server["seen"] = [];
  const connections: string[] = [];
  const watches: ServerHttp2Stream[] = [];
  const sockets = new Set<TLSSocket>();
  const server = createSecureServer(
    {
      key: pki.serverKey,
      cert: pki.serverCert,
      allowHTTP1: true,
      ...(options.maxConcurrentStreams !== undefined ? { settings: { maxConcurrentStreams: options.maxConcurrentStreams } } : {}),
    },
    (req, res) => {
      seen.push({ httpVersion: req.httpVersion, path: req.url });
      if (options.handler !== undefined) return options.handler(req, res);
      if (req.url.includes("watch=true")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.write(`${JSON.stringify({ type: "ADDED", object: { kind: "ConfigMap", metadata: { name: "a", resourceVersion: "1" } } })}\n`);
        if (req.stream !== undefined) watches.push(req.stream);
        return;
      }
      const body = JSON.stringify({ kind: "ConfigMap", apiVersion: "v1", metadata: { name: "x" } });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    },
  );
  server.on("secureConnection", (socket: TLSSocket) => {
    connections.push(String(socket.alpnProtocol));
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const h2: H2Server = {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    connections,
    watches,
    server,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  servers.push(h2);
  return h2;
}

function transportFor(server: H2Server, options: Parameters<typeof createTransport>[1] = {}): Transport {
  const transport = createTransport(explicitConfig(server.url, { tls: { ca: pki.ca } }), { retry: false, ...options });
  transports.push(transport);
  return transport;
}

const watchRequest = (i: number) => ({
  method: "GET" as const,
  path: `/api/v1/configmaps`,
  query: new URLSearchParams({ watch: "true", n: String(i) }),
});
const getRequest = { method: "GET" as const, path: "/api/v1/namespaces/default/configmaps/x" };

async function firstLine(stream: StreamingResponse): Promise<string> {
  const iterator = stream.body[Symbol.asyncIterator]();
  const { value } = await iterator.next();
  return Buffer.from(value as Uint8Array).toString("utf8");
}

describe("HTTP/2 lanes", () => {
  it("multiplexes 30 watches on one HTTP/2 connection; after the warm-up, one-at-a-time GETs take HTTP/1.1", async () => {
    const server = await startH2Server();
    const transport = transportFor(server);
    for (let i = 0; i < WARM_UP_REQUESTS; i++) await transport.json(getRequest);
    for (let i = 0; i < 5; i++) await transport.json(getRequest);
    const streams: StreamingResponse[] = [];
    streams.push(await transport.stream(watchRequest(0)));
    streams.push(...(await Promise.all(Array.from({ length: 29 }, (_, i) => transport.stream(watchRequest(i + 1))))));
    for (const stream of streams) expect(await firstLine(stream)).toContain('"ADDED"');
    for (let i = 0; i < 5; i++) await transport.json(getRequest);

    // One HTTP/2 connection for the warm-up and the 30 watches. (Node's HTTP/1.1 compatibility server closes the
    // first keep-alive connection once, so the HTTP/1.1 side is counted against a real apiserver in e2e.)
    expect(server.connections.filter((c) => c === "h2")).toEqual(["h2"]);
    const watchVersions = server.seen.filter((r) => r.path.includes("watch=true")).map((r) => r.httpVersion);
    expect(watchVersions).toEqual(Array(30).fill("2.0"));
    const getVersions = server.seen.filter((r) => !r.path.includes("watch=true")).map((r) => r.httpVersion);
    expect(getVersions).toEqual([...Array(WARM_UP_REQUESTS).fill("2.0"), ...Array(10).fill("1.1")]);
    for (const stream of streams) stream.close();
  });

  it("gives the server 4 MiB of window per watch, and a watch whose reader stops holds the server back at about that", async () => {
    const total = 64 << 20;
    const block = Buffer.from(
      `${JSON.stringify({ type: "MODIFIED", object: { metadata: { name: "big" }, pad: "x".repeat(1000) } })}\n`.repeat(64),
    );
    let accepted = 0;
    let windowSeen: number | undefined;
    const server = await startH2Server({
      handler: (req, res) => {
        windowSeen = req.stream.session?.remoteSettings.initialWindowSize;
        res.writeHead(200, { "content-type": "application/json" });
        const pump = (): void => {
          while (accepted < total) {
            accepted += block.length;
            if (!res.write(block)) return void res.once("drain", pump);
          }
        };
        pump();
      },
    });
    const transport = transportFor(server);
    const stream = await transport.stream(watchRequest(0));
    expect(await firstLine(stream)).toContain("MODIFIED");
    await delay(400); // the reader has stopped: the server may send only what the windows allow
    const whilePaused = accepted;
    expect(windowSeen).toBe(4 << 20);
    // Node's default window (64 KiB) would stop it near 100 KiB: the larger window lets a big
    // watch flow with few WINDOW_UPDATE round trips, and still bounds what a stopped reader holds.
    expect(whilePaused).toBeGreaterThan(2 << 20);
    expect(whilePaused).toBeLessThan(12 << 20);
    stream.close();
  });

  it("sends concurrent GETs that would need another HTTP/1.1 connection over HTTP/2 (200 in flight, 2 connections)", async () => {
    const server = await startH2Server();
    const transport = transportFor(server);
    await transport.json(getRequest);
    (await transport.stream(watchRequest(0))).close(); // learn that the server speaks h2
    const answers = await Promise.all(Array.from({ length: 200 }, () => transport.json<{ kind: string }>(getRequest)));
    expect(answers.every((a) => a.kind === "ConfigMap")).toBe(true);
    expect(server.connections.length).toBeLessThanOrEqual(2);
    expect(server.seen.filter((r) => r.httpVersion === "2.0").length).toBeGreaterThan(100);
  });

  it("a client that sends its requests in the warm-up over HTTP/2 never loads undici's HTTP/1.1 client (nor compiles its parser)", async () => {
    const server = await startH2Server();
    // A process of its own: what a short program (a CLI, a Job) loads, from import to exit.
    const probe = `
      import { createRequire } from "node:module";
      const { createTransport } = await import("@kubex/runtime");
      const [server, ca] = JSON.parse(process.argv[1]);
      const transport = createTransport({ server, tls: { ca }, namespace: "default", source: { type: "explicit" } }, { retry: false });
      await transport.json({ method: "GET", path: "/api/v1/namespaces/default/configmaps/x" });
      await transport.json({ method: "POST", path: "/api/v1/namespaces/default/configmaps", body: "{}" });
      await transport.close();
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({
        agent: loaded.some((f) => /node_modules\\/undici\\/lib\\/dispatcher\\/agent\\.js$/.test(f)),
        http1: loaded.some((f) => /node_modules\\/undici\\/lib\\/dispatcher\\/client-h1\\.js$/.test(f)),
      }));`;
    const { stdout } = await execFileAsync(
      process.execPath,
      ["--import", "tsx", "--conditions=kubex-source", "--input-type=module", "-e", probe, JSON.stringify([server.url, pki.ca])],
      { encoding: "utf8", cwd: new URL("../../..", import.meta.url).pathname },
    );
    expect(JSON.parse(stdout.trim().split("\n").pop()!)).toEqual({ agent: false, http1: false });
    expect(server.seen.map((r) => r.httpVersion)).toEqual(["2.0", "2.0"]);
  });

  it("ends the warm-up once the responses it received there reach 8 MiB; watch bodies do not count", async () => {
    const big = JSON.stringify({ kind: "ConfigMap", apiVersion: "v1", metadata: { name: "big" }, data: { pad: "x".repeat(1 << 20) } });
    const server = await startH2Server({
      handler: (req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        if (!req.url.includes("watch=true")) return void res.end(big);
        // a watch that streams 12 MiB of events first
        const line = `${JSON.stringify({ type: "ADDED", object: { kind: "ConfigMap", metadata: { name: "w" }, pad: "y".repeat(1 << 20) } })}\n`;
        for (let i = 0; i < 12; i++) res.write(line);
      },
    });
    const transport = transportFor(server);
    const watch = await transport.stream(watchRequest(0));
    let received = 0;
    for await (const chunk of watch.body) if ((received += chunk.length) >= 12 << 20) break;
    const perBody = Buffer.byteLength(big);
    const warmUpGets = Math.ceil(WARM_UP_BODY_BYTES / perBody);
    for (let i = 0; i < warmUpGets + 3; i++) await transport.json(getRequest);
    const versions = server.seen.filter((r) => !r.path.includes("watch=true")).map((r) => r.httpVersion);
    expect(versions).toEqual([...Array(warmUpGets).fill("2.0"), "1.1", "1.1", "1.1"]);
  });

  it("sends writes in the warm-up over HTTP/2 with their bodies, then keeps writes on HTTP/1.1", async () => {
    const received: { version: string; method: string; type: string | undefined; length: string | undefined; body: string }[] = [];
    const server = await startH2Server({
      handler: (req, res) => {
        let body = "";
        req.setEncoding("utf8");
        req.on("data", (chunk: string) => (body += chunk));
        req.on("end", () => {
          received.push({
            version: req.httpVersion,
            method: req.method,
            type: req.headers["content-type"],
            length: req.headers["content-length"],
            body,
          });
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ kind: "ConfigMap", apiVersion: "v1", metadata: { name: "x" } }));
        });
      },
    });
    const transport = transportFor(server);
    const body = JSON.stringify({ data: { note: "grüße ".repeat(5000) } }); // multi-byte, larger than one frame
    const patch = '[{"op":"replace","path":"/data/a","value":"b"}]';
    const writes = async (): Promise<void> => {
      await transport.json({
        method: "POST",
        path: "/api/v1/namespaces/default/configmaps",
        body,
        headers: { "content-type": "application/json" },
      });
      await transport.json({
        method: "PATCH",
        path: "/api/v1/namespaces/default/configmaps/x",
        body: patch,
        headers: { "content-type": "application/json-patch+json" },
      });
      await transport.json({ method: "DELETE", path: "/api/v1/namespaces/default/configmaps/x" });
    };
    await writes();
    for (let i = received.length; i < WARM_UP_REQUESTS; i++) await transport.json(getRequest);
    await writes();

    const writesSeen = received.filter((r) => r.method !== "GET");
    expect(writesSeen.map((r) => `${r.method} ${r.version}`)).toEqual([
      "POST 2.0",
      "PATCH 2.0",
      "DELETE 2.0",
      "POST 1.1",
      "PATCH 1.1",
      "DELETE 1.1",
    ]);
    for (const i of [0, 3]) {
      expect(writesSeen[i]!.body).toBe(body);
      expect(writesSeen[i]!.length).toBe(String(Buffer.byteLength(body)));
      expect(writesSeen[i]!.type).toBe("application/json");
    }
    for (const i of [1, 4]) expect([writesSeen[i]!.body, writesSeen[i]!.type]).toEqual([patch, "application/json-patch+json"]);
    expect(writesSeen[2]!.body).toBe("");
  });

  it("falls back to HTTP/1.1 for everything when the server does not offer h2", async () => {
    const open: ServerResponse[] = [];
    const server = await startServer(
      (req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write(`{"type":"ADDED","object":{}}\n`);
        if (req.url?.includes("watch=true") === true) open.push(res);
        else res.end();
      },
      { key: pki.serverKey, cert: pki.serverCert },
    );
    try {
      const transport = createTransport(explicitConfig(server.url, { tls: { ca: pki.ca } }), { retry: false });
      transports.push(transport);
      const a = await transport.stream(watchRequest(0));
      const b = await transport.stream(watchRequest(1)); // must not queue behind the first on one connection
      expect(await firstLine(a)).toContain("ADDED");
      expect(await firstLine(b)).toContain("ADDED");
      await Promise.all(Array.from({ length: 5 }, () => transport.text(getRequest)));
      expect(server.requests.length).toBe(7);
      // the probe's connection (answered without h2, closed) + a connection per open watch + the GETs'
      expect(server.totalConnections()).toBeGreaterThanOrEqual(3);
      a.close();
      b.close();
    } finally {
      for (const res of open) res.end();
      await server.close();
    }
  });

  it("uses HTTP/1.1 only with http2: false and with DISABLE_HTTP2 set", async () => {
    const server = await startH2Server();
    const off = transportFor(server, { http2: false });
    (await off.stream(watchRequest(0))).close();
    const previous = process.env["DISABLE_HTTP2"];
    process.env["DISABLE_HTTP2"] = "1";
    try {
      const fromEnv = transportFor(server);
      (await fromEnv.stream(watchRequest(1))).close();
    } finally {
      if (previous === undefined) delete process.env["DISABLE_HTTP2"];
      else process.env["DISABLE_HTTP2"] = previous;
    }
    expect(server.seen.map((r) => r.httpVersion)).toEqual(["1.1", "1.1"]);
    expect(server.connections).toEqual(["http/1.1", "http/1.1"]);
  });
});

describe("HTTP/2 connection-level faults", () => {
  it("a watch whose connection is cut under it fails its body (not a normal end)", async () => {
    const server = await startH2Server();
    const transport = transportFor(server);
    const stream = await transport.stream(watchRequest(0));
    const iterator = stream.body[Symbol.asyncIterator]();
    await iterator.next();
    server.cut();
    const outcome = await Promise.race([
      iterator.next().then(
        (r) => (r.done === true ? "ended" : "more data"),
        (e: unknown) => `error: ${(e as Error).message}`,
      ),
      new Promise((resolve) => setTimeout(() => resolve("hang"), 3000)),
    ]);
    expect(outcome).toMatch(/^error: .*ended before its body was complete/);
  });
  it("a request waiting for the HTTP/2 probe of a server that never finishes the TLS handshake ends at its timeout", async () => {
    const silent = await startRawServer(() => undefined); // accepts, never answers the ClientHello
    try {
      const transport = createTransport(explicitConfig(silent.url.replace("http:", "https:"), { tls: { ca: pki.ca } }), { retry: false });
      transports.push(transport);
      const started = performance.now();
      const error = await transport.stream({ ...watchRequest(0), timeout: 300 }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.name).toBe("RequestAborted");
      expect(error?.message).toContain("timed out after 300 ms");
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      await silent.close();
    }
  });

  it("after a GOAWAY, new requests open a new session and succeed", async () => {
    const server = await startH2Server();
    const transport = transportFor(server, { retry: {} }); // the default policy: a refused GET is retried
    const first = await transport.stream(watchRequest(0));
    expect(await firstLine(first)).toContain("ADDED");
    // The server says goodbye on the session of the open watch.
    server.watches[0]!.session!.goaway(constants.NGHTTP2_NO_ERROR);
    server.watches[0]!.end();
    const second = await transport.stream(watchRequest(1));
    expect(await firstLine(second)).toContain("ADDED");
    second.close();
    expect(server.connections.filter((c) => c === "h2").length).toBe(2);
  });

  it("a write the server refused (GOAWAY, REFUSED_STREAM) is sent again; one cut after the server took it fails and is not", async () => {
    const posts = new Map<string, number>();
    const server = await startH2Server({
      handler: (req, res) => {
        const stream = req.stream;
        if (req.method === "GET") {
          res.writeHead(200, { "content-type": "application/json" });
          return void res.end(JSON.stringify({ kind: "ConfigMap", apiVersion: "v1", metadata: { name: "x" } }));
        }
        const where = /\?(\w+)/.exec(req.url)![1]!;
        const seen = (posts.get(where) ?? 0) + 1;
        posts.set(where, seen);
        if (where === "refused") return void stream.close(constants.NGHTTP2_REFUSED_STREAM);
        if (where === "below" && seen > 1) {
          res.writeHead(201, { "content-type": "application/json" });
          return void res.end(JSON.stringify({ kind: "ConfigMap", apiVersion: "v1", metadata: { name: "made" } }));
        }
        // A GOAWAY naming the stream before this one (this one was not processed) or this one (it may have been), then the cut.
        stream.session!.goaway(constants.NGHTTP2_NO_ERROR, where === "at" ? stream.id! : stream.id! - 2);
        setTimeout(() => stream.session?.destroy(), 50);
      },
    });
    const transport = transportFor(server, { retry: { maxRetries: 2, baseDelayMs: 1, methods: ["GET", "POST"] } });
    const write = async (where: string): Promise<string> => {
      await transport.json(getRequest); // the session's first stream, so the write's is not
      return transport
        .json<{ metadata: { name: string } }>({ method: "POST", path: `/api/v1/namespaces/default/configmaps?${where}`, body: "{}" })
        .then(
          (made) => `made ${made.metadata.name}`,
          (error: unknown) => (error instanceof KubexClientError ? error.message : `not a KubexClientError: ${String(error)}`),
        );
    };
    expect(await write("below")).toBe("made made");
    expect(posts.get("below")).toBe(2);
    expect(await write("at")).toMatch(/was closed before an answer arrived/);
    expect(posts.get("at")).toBe(1); // the server may have done it: never sent twice
    expect(await write("refused")).toMatch(/refused the request before processing it \(HTTP\/2 REFUSED_STREAM\); nothing was done/);
    expect(posts.get("refused")).toBe(3); // the first send and the 2 retries the policy allows
  });

  it("a 429 storm over HTTP/2: concurrent GETs each refused twice are retried after Retry-After and all answered, on one connection", async () => {
    const refusals = new Map<string, number>();
    const server = await startH2Server({
      handler: (req, res) => {
        const seen = (refusals.get(req.url) ?? 0) + 1;
        refusals.set(req.url, seen);
        if (seen <= 2) {
          res.writeHead(429, { "content-type": "application/json", "retry-after": "0" });
          return void res.end(
            JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "TooManyRequests", code: 429 }),
          );
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ kind: "ConfigMap", apiVersion: "v1", metadata: { name: req.url.split("/").pop() } }));
      },
    });
    const transport = transportFor(server, { retry: { maxRetries: 3, baseDelayMs: 1 } });
    // All of it inside the warm-up (three requests per GET), so every request takes HTTP/2.
    const names = Array.from({ length: Math.floor(WARM_UP_REQUESTS / 3) }, (_, i) => `cm-${i}`);
    const answers = await Promise.all(
      names.map((name) =>
        transport.json<{ metadata: { name: string } }>({ method: "GET", path: `/api/v1/namespaces/default/configmaps/${name}` }),
      ),
    );
    expect(answers.map((a) => a.metadata.name)).toEqual(names);
    expect(server.seen.length).toBe(names.length * 3);
    expect(server.seen.every((r) => r.httpVersion === "2.0")).toBe(true);
    expect(server.connections).toEqual(["h2"]);
  });

  it("a stream reset by the server is a KubexClientError for that request, and the session goes on", async () => {
    let resets = 0;
    const server = await startH2Server({
      handler: (req, res) => {
        if (req.url.includes("reset") && req.stream !== undefined) {
          resets++;
          req.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(req.url.includes("watch=true") ? `{"type":"ADDED","object":{}}\n` : `{"kind":"ConfigMap"}`);
      },
    });
    const transport = transportFor(server);
    (await transport.stream(watchRequest(0))).close();
    const reset = transport.stream({
      method: "GET",
      path: "/api/v1/configmaps",
      query: new URLSearchParams({ watch: "true", reset: "1" }),
    });
    await expect(reset).rejects.toBeInstanceOf(KubexClientError);
    expect(resets).toBe(1);
    const next = await transport.stream(watchRequest(2));
    expect(await firstLine(next)).toContain("ADDED");
    next.close();
    expect(server.connections.filter((c) => c === "h2").length).toBe(1);
  });

  it("when the peer allows 2 concurrent streams, 6 watches are all served (more connections, none stuck)", async () => {
    const server = await startH2Server({ maxConcurrentStreams: 2 });
    const transport = transportFor(server);
    (await transport.stream(watchRequest(0))).close();
    await waitFor(
      () => server.watches.every((w) => w.closed),
      2000,
      () => "the probe's stream did not close",
    );
    const streams = await Promise.all(Array.from({ length: 6 }, (_, i) => transport.stream(watchRequest(i + 1))));
    for (const stream of streams) expect(await firstLine(stream)).toContain("ADDED");
    expect(server.connections.filter((c) => c === "h2").length).toBeGreaterThanOrEqual(3);
    for (const stream of streams) stream.close();
  });
});
