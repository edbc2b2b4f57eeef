/**
 * The HTTP transport against small loopback servers: what a real API server cannot be
 * made to do on demand (429/503 bursts, resets, HTML from a proxy, cut bodies, stalls).
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  createTransport,
  InternalServerError,
  KubexApiError,
  KubexClientError,
  NotFound,
  RequestAborted,
  ServiceUnavailable,
  TooManyRequests,
  Unauthorized,
  type AuthProvider,
  type Transport,
  type TransportOptions,
} from "@kubex/runtime";
import { explicitConfig, json, onRequestHead, startRawServer, startServer, status, type TestServer } from "./helpers/servers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  cleanups.push(() => server.close());
  return server;
}

function transportFor(url: string, options: TransportOptions = {}, auth?: AuthProvider): Transport {
  const transport = createTransport(explicitConfig(url, auth !== undefined ? { auth } : {}), {
    retry: { baseDelayMs: 5, maxDelayMs: 5000 },
    ...options,
  });
  cleanups.push(() => transport.close());
  return transport;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

const pods = { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "7" }, items: [{ metadata: { name: "a" } }] };

describe("json()", () => {
  it("sends method, path (under the server's path prefix), query, headers and body, and parses the answer", async () => {
    const server = await serve((_req, res) => json(res, 201, { kind: "ConfigMap", metadata: { name: "x" } }));
    const auth: AuthProvider = { headers: async () => ({ authorization: "Bearer t0ken-value" }) };
    const transport = transportFor(`${server.url}/prefix/`, {}, auth);
    const created = await transport.json<{ metadata: { name: string } }>({
      method: "POST",
      path: "/api/v1/namespaces/default/configmaps",
      query: new URLSearchParams({ fieldManager: "me", dryRun: "All" }),
      body: JSON.stringify({ metadata: { name: "x" } }),
    });
    expect(created.metadata.name).toBe("x");
    const [sent] = server.requests;
    expect(sent?.method).toBe("POST");
    expect(sent?.url).toBe("/prefix/api/v1/namespaces/default/configmaps?fieldManager=me&dryRun=All");
    expect(sent?.headers.authorization).toBe("Bearer t0ken-value");
    expect(sent?.headers.accept).toBe("application/json");
    expect(sent?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(sent!.body)).toEqual({ metadata: { name: "x" } });
  });

  it("keeps the request's own content type (patches choose theirs)", async () => {
    const server = await serve((_req, res) => json(res, 200, {}));
    const transport = transportFor(server.url);
    await transport.json({ method: "PATCH", path: "/x", body: "{}", headers: { "content-type": "application/merge-patch+json" } });
    expect(server.requests[0]?.headers["content-type"]).toBe("application/merge-patch+json");
  });

  it("reuses keep-alive connections instead of opening one per request", async () => {
    const server = await serve((_req, res) => json(res, 200, pods));
    const transport = transportFor(server.url);
    // back to back: undici may open a second socket while the first is being released
    for (let i = 0; i < 20; i++) await transport.json({ method: "GET", path: "/api/v1/pods" });
    expect(server.requests).toHaveLength(20);
    expect(server.totalConnections()).toBeLessThanOrEqual(2);
    const before = server.totalConnections();
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 5));
      await transport.json({ method: "GET", path: "/api/v1/pods" });
    }
    expect(server.totalConnections()).toBe(before);
  });

  it("turns a Status answer into the matching KubexApiError subclass", async () => {
    const server = await serve((_req, res) =>
      json(res, 404, { ...status(404, "NotFound", 'pods "p" not found'), details: { name: "p", kind: "pods" } }),
    );
    const error = await rejection(transportFor(server.url).json({ method: "GET", path: "/api/v1/namespaces/default/pods/p" }));
    expect(error).toBeInstanceOf(NotFound);
    const notFound = error as NotFound;
    expect(notFound.code).toBe(404);
    expect(notFound.reason).toBe("NotFound");
    expect(notFound.message).toBe('pods "p" not found');
    expect(notFound.status.details?.name).toBe("p");
    expect(server.requests).toHaveLength(1); // a 404 is never retried
  });
});

describe("retries", () => {
  it("retries a GET after 429, waiting as long as Retry-After says", async () => {
    const server = await serve((_req, res, index) => {
      if (index === 0) json(res, 429, status(429, "TooManyRequests", "slow down"), { "retry-after": "1" });
      else json(res, 200, pods);
    });
    const started = Date.now();
    const list = await transportFor(server.url).json<typeof pods>({ method: "GET", path: "/api/v1/pods" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(list.items).toHaveLength(1);
    expect(server.requests).toHaveLength(2);
  });

  it("caps a long Retry-After at maxDelayMs", async () => {
    const server = await serve((_req, res, index) => {
      if (index === 0) json(res, 429, status(429, "TooManyRequests", "slow down"), { "retry-after": "120" });
      else json(res, 200, pods);
    });
    const started = Date.now();
    await transportFor(server.url, { retry: { maxDelayMs: 50 } }).json({ method: "GET", path: "/api/v1/pods" });
    expect(Date.now() - started).toBeLessThan(10_000); // uncapped: 120 s; room for a loaded machine
    expect(server.requests).toHaveLength(2);
  });

  it.each([503, 504])("retries a GET after %i, then succeeds", async (code) => {
    const server = await serve((_req, res, index) => {
      if (index < 2) json(res, code, status(code, "ServiceUnavailable", "not now"));
      else json(res, 200, pods);
    });
    const list = await transportFor(server.url).json<typeof pods>({ method: "GET", path: "/api/v1/pods" });
    expect(list.metadata.resourceVersion).toBe("7");
    expect(server.requests).toHaveLength(3);
  });

  it("gives up after maxRetries and says how many attempts it made", async () => {
    const server = await serve((_req, res) => json(res, 503, status(503, "ServiceUnavailable", "etcd is sad")));
    const error = await rejection(
      transportFor(server.url, { retry: { maxRetries: 2, baseDelayMs: 1 } }).json({ method: "GET", path: "/api/v1/pods" }),
    );
    expect(error).toBeInstanceOf(ServiceUnavailable);
    expect((error as ServiceUnavailable).attempts).toBe(3);
    expect(error.message).toBe("etcd is sad (gave up after 3 attempts)");
    expect(server.requests).toHaveLength(3);
  });

  it.each(["POST", "PUT", "PATCH", "DELETE"] as const)("never retries a %s on 503 or 429", async (method) => {
    const server = await serve((_req, res, index) =>
      index % 2 === 0
        ? json(res, 503, status(503, "ServiceUnavailable", "no"))
        : json(res, 429, status(429, "TooManyRequests", "no"), { "retry-after": "0" }),
    );
    const transport = transportFor(server.url);
    expect(await rejection(transport.json({ method, path: "/api/v1/namespaces/default/configmaps", body: "{}" }))).toBeInstanceOf(
      ServiceUnavailable,
    );
    expect(await rejection(transport.json({ method, path: "/api/v1/namespaces/default/configmaps", body: "{}" }))).toBeInstanceOf(
      TooManyRequests,
    );
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry at all with retry: false", async () => {
    const server = await serve((_req, res) => json(res, 503, status(503, "ServiceUnavailable", "no")));
    const error = await rejection(transportFor(server.url, { retry: false }).json({ method: "GET", path: "/api/v1/pods" }));
    expect(error).toBeInstanceOf(ServiceUnavailable);
    expect((error as KubexApiError).attempts).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it("retries a GET whose connection is reset, on a new connection", async () => {
    const raw = await startRawServer((socket, index) =>
      onRequestHead(socket, () => {
        if (index === 0) socket.resetAndDestroy();
        else socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"ok":true}`);
      }),
    );
    cleanups.push(() => raw.close());
    expect(await transportFor(raw.url).json({ method: "GET", path: "/api/v1/pods" })).toEqual({ ok: true });
    expect(raw.connections()).toBe(2);
  });

  it("does not retry a POST whose connection is reset", async () => {
    const raw = await startRawServer((socket) => onRequestHead(socket, () => socket.resetAndDestroy()));
    cleanups.push(() => raw.close());
    const error = await rejection(transportFor(raw.url).json({ method: "POST", path: "/api/v1/namespaces/default/pods", body: "{}" }));
    expect(error).toBeInstanceOf(KubexClientError);
    expect(error).not.toBeInstanceOf(KubexApiError);
    expect(error.message).toMatch(
      /^POST \/api\/v1\/namespaces\/default\/pods: the connection to http:\/\/127\.0\.0\.1:\d+ was closed before an answer arrived/,
    );
    expect(error.cause).toBeDefined();
    expect(raw.connections()).toBe(1);
  });

  it("retries a refused connection for a GET and reports the attempts when giving up", async () => {
    const raw = await startRawServer(() => undefined);
    const port = raw.port;
    await raw.close(); // nothing listens there any more
    const error = await rejection(
      transportFor(`http://127.0.0.1:${port}`, { retry: { maxRetries: 2, baseDelayMs: 1 } }).json({ method: "GET", path: "/version" }),
    );
    expect(error).toBeInstanceOf(KubexClientError);
    expect((error as KubexClientError).attempts).toBe(3);
    expect(error.message).toBe(
      `GET /version: connection to http://127.0.0.1:${port} refused; is the API server running and the address right? (gave up after 3 attempts)`,
    );
  });
});

describe("bodies that are not what the API sends", () => {
  it("synthesises a Status for a non-JSON 500 (an HTML page from a proxy)", async () => {
    const html = `<!DOCTYPE html><html><head><title>500</title><style>body{color:red}</style><script>var x=1;</script></head>
      <body><h1>Internal&nbsp;Server Error</h1><p>upstream   broke &amp; fell over</p>${"<p>padding</p>".repeat(100)}</body></html>`;
    const server = await serve((_req, res) => {
      res.writeHead(500, { "content-type": "text/html; charset=utf-8" });
      res.end(html);
    });
    const error = await rejection(transportFor(server.url, { retry: false }).json({ method: "GET", path: "/api/v1/pods" }));
    expect(error).toBeInstanceOf(InternalServerError);
    const api = error as InternalServerError;
    expect(api.code).toBe(500);
    expect(api.status).toMatchObject({ kind: "Status", status: "Failure", code: 500, reason: "InternalError" });
    expect(api.message).toMatch(
      /^the API server \(or a proxy in front of it\) answered 500 with a body that is not a Status \(text\/html\): "500 Internal Server Error upstream broke & fell over padding/,
    );
    expect(api.message).not.toMatch(/<|color:red|var x/);
    expect(api.message.length).toBeLessThan(400);
  });

  it("reports a response cut mid-body as a KubexClientError with a cause", async () => {
    const raw = await startRawServer((socket) =>
      onRequestHead(socket, () => {
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{"kind":"PodList","items":[`);
        setTimeout(() => socket.destroy(), 50);
      }),
    );
    cleanups.push(() => raw.close());
    const error = await rejection(transportFor(raw.url).json({ method: "GET", path: "/api/v1/pods" }));
    expect(error).toBeInstanceOf(KubexClientError);
    expect(error).not.toBeInstanceOf(RequestAborted);
    expect(error.message).toMatch(/^GET \/api\/v1\/pods: the response from http:\/\/127\.0\.0\.1:\d+ ended before its body was complete/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("reports malformed JSON in a 2xx without quoting the body", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"kind":"SecretList","items":[{"data":{"password":"aHVudGVyMg=="}} oops');
    });
    const error = await rejection(transportFor(server.url).json({ method: "GET", path: "/api/v1/secrets" }));
    expect(error).toBeInstanceOf(KubexClientError);
    expect(error.message).toMatch(/^GET \/api\/v1\/secrets: the API server answered 200 with a body that is not valid JSON/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
    const everything = `${error.message} ${String(error)} ${(error.cause as Error).message}`;
    expect(everything).not.toContain("aHVudGVyMg");
    expect(everything).not.toContain("oops");
  });

  it("reads an error body only up to 1 MiB: the API error still comes, and the connection is not reused", async () => {
    const huge = `${JSON.stringify(status(500, "InternalError", "etcd is unhappy")).slice(0, -1)}, "pad": "${"x".repeat(3 << 20)}"}`;
    const server = await serve((req, res) => {
      if (req.url === "/fine") return json(res, 200, pods);
      res.writeHead(500, { "content-type": "application/json" });
      res.end(huge);
    });
    const transport = transportFor(server.url, { retry: false });
    const error = await rejection(transport.json({ method: "GET", path: "/api/v1/pods" }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).code).toBe(500);
    // the first MiB is not a whole JSON document: the error says what it saw, not the 3 MiB
    expect(error.message.length).toBeLessThan(400);
    await expect(transport.json({ method: "GET", path: "/fine" })).resolves.toEqual(pods);
    expect(server.totalConnections()).toBeGreaterThanOrEqual(2); // the first one was closed with its unread rest
  });

  it("fails a 2xx body that grows past maxResponseBytes without a content-length, and closes its connection", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }); // chunked: no length announced
      res.write(`{"items":["${"y".repeat(40_000)}`);
      setTimeout(() => res.end(`${"y".repeat(40_000)}"]}`), 20);
    });
    const transport = transportFor(server.url, { maxResponseBytes: 50_000 });
    const error = await rejection(transport.json({ method: "GET", path: "/api/v1/pods" }));
    expect(error.name).toBe("ResponseTooLarge");
    expect(error.message).toMatch(/^GET \/api\/v1\/pods: the response body/);
    await server.waitForOpenConnections(0);
  });

  it("text() returns the body as it is", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("line 1\nline 2\n");
    });
    expect(await transportFor(server.url).text({ method: "GET", path: "/api/v1/namespaces/default/pods/p/log" })).toBe("line 1\nline 2\n");
  });
});

describe("timeouts and cancellation", () => {
  const stall = () => serve(() => undefined); // never answers

  it("times out, names the request, and leaves no connection open", async () => {
    const server = await stall();
    const transport = transportFor(server.url);
    const started = Date.now();
    const error = await rejection(
      transport.json({ method: "GET", path: "/api/v1/pods", query: new URLSearchParams({ limit: "1" }), timeout: 200 }),
    );
    expect(error).toBeInstanceOf(RequestAborted);
    expect(error).toBeInstanceOf(KubexClientError);
    expect(error.message).toBe("GET /api/v1/pods?limit=1: timed out after 200 ms");
    expect(Date.now() - started).toBeLessThan(10_000); // the server never answers
    await server.waitForOpenConnections(0);
  });

  it("aborts on the caller's signal and closes the connection", async () => {
    const server = await stall();
    const controller = new AbortController();
    const pending = transportFor(server.url).json({ method: "DELETE", path: "/api/v1/namespaces/x", signal: controller.signal });
    await server.waitForOpenConnections(1); // the request is on the wire (not a fixed 100 ms: a loaded machine may take longer)
    expect(server.openConnections()).toBe(1);
    controller.abort(new Error("user pressed ctrl-c"));
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(RequestAborted);
    expect(error.message).toBe("DELETE /api/v1/namespaces/x: aborted by its signal");
    expect((error.cause as Error).message).toBe("user pressed ctrl-c");
    await server.waitForOpenConnections(0);
  });

  it("rejects at once, sending nothing, when the signal is already aborted", async () => {
    const server = await stall();
    const error = await rejection(transportFor(server.url).json({ method: "GET", path: "/api/v1/pods", signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(RequestAborted);
    expect(server.requests).toHaveLength(0);
  });

  it("a request waiting for a free connection (the pool is at its limit) ends at its timeout, not when a connection frees", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/slow") setTimeout(() => json(res, 200, pods), 1500);
      else json(res, 200, pods);
    });
    const transport = transportFor(server.url, { connections: 1, http2: false });
    const slow = transport.json({ method: "GET", path: "/slow" });
    await server.waitForOpenConnections(1);
    const started = Date.now();
    const error = await rejection(transport.json({ method: "GET", path: "/queued", timeout: 100 }));
    expect(error).toBeInstanceOf(RequestAborted);
    expect(error.message).toBe("GET /queued: timed out after 100 ms");
    expect(Date.now() - started).toBeLessThan(1000); // before the slow answer frees the connection
    await expect(slow).resolves.toEqual(pods);
    expect(server.requests.map((r) => r.url)).toEqual(["/slow"]); // the timed-out request was never sent
  });

  it("applies the client-wide default timeout, and a call's own timeout wins", async () => {
    const server = await serve((_req, res) => setTimeout(() => json(res, 200, pods), 300));
    const transport = transportFor(server.url, { timeout: 100 });
    expect((await rejection(transport.json({ method: "GET", path: "/a" }))).message).toBe("GET /a: timed out after 100 ms");
    await expect(transport.json({ method: "GET", path: "/b", timeout: 2000 })).resolves.toEqual(pods);
    await expect(transport.json({ method: "GET", path: "/c", timeout: 0 })).resolves.toEqual(pods); // 0: no timeout
  });

  it("a timeout longer than a timer can wait means none, instead of firing at once", async () => {
    const server = await serve((_req, res) => setTimeout(() => json(res, 200, pods), 50));
    const transport = transportFor(server.url, { timeout: 2 ** 32 });
    await expect(transport.json({ method: "GET", path: "/a" })).resolves.toEqual(pods);
    await expect(transport.json({ method: "GET", path: "/b", timeout: 30 * 24 * 3600 * 1000 })).resolves.toEqual(pods);
  });

  it("counts the waits between retries against the timeout", async () => {
    // Retry-After 60: a wait not counted against the 300 ms timeout would take a minute.
    const server = await serve((_req, res) => json(res, 429, status(429, "TooManyRequests", "later"), { "retry-after": "60" }));
    const started = Date.now();
    const error = await rejection(
      transportFor(server.url, { retry: { maxDelayMs: 60_000 } }).json({ method: "GET", path: "/api/v1/pods", timeout: 300 }),
    );
    expect(error).toBeInstanceOf(RequestAborted);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(server.requests).toHaveLength(1);
  });
});

describe("credentials", () => {
  function rotatingAuth(tokens: string[], refreshResult = true) {
    let current = 0;
    const calls = { refresh: 0 };
    const auth: AuthProvider = {
      headers: async () => ({ authorization: `Bearer ${tokens[current]}` }),
      refresh: async () => {
        calls.refresh++;
        if (refreshResult && current < tokens.length - 1) current++;
        return refreshResult;
      },
    };
    return { auth, calls };
  }

  it("on a 401 refreshes the credentials once and retries (a POST too)", async () => {
    const server = await serve((req, res) =>
      req.headers.authorization === "Bearer new-token"
        ? json(res, 201, { ok: true })
        : json(res, 401, status(401, "Unauthorized", "Unauthorized")),
    );
    const { auth, calls } = rotatingAuth(["old-token", "new-token"]);
    expect(await transportFor(server.url, {}, auth).json({ method: "POST", path: "/api/v1/namespaces", body: "{}" })).toEqual({ ok: true });
    expect(calls.refresh).toBe(1);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(["Bearer old-token", "Bearer new-token"]);
    expect(server.requests[1]?.body).toBe("{}");
  });

  it("refreshes only once per request: a second 401 is the answer", async () => {
    const server = await serve((_req, res) => json(res, 401, status(401, "Unauthorized", "Unauthorized")));
    const { auth, calls } = rotatingAuth(["a-token", "b-token", "c-token"]);
    const error = await rejection(transportFor(server.url, {}, auth).json({ method: "GET", path: "/api/v1/pods" }));
    expect(error).toBeInstanceOf(Unauthorized);
    expect(calls.refresh).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry when refresh() says nothing changed", async () => {
    const server = await serve((_req, res) => json(res, 401, status(401, "Unauthorized", "Unauthorized")));
    const { auth, calls } = rotatingAuth(["only-token"], false);
    expect(await rejection(transportFor(server.url, {}, auth).json({ method: "GET", path: "/api/v1/pods" }))).toBeInstanceOf(Unauthorized);
    expect(calls.refresh).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it("asks the provider for headers on every request", async () => {
    const server = await serve((_req, res) => json(res, 200, {}));
    let n = 0;
    const transport = transportFor(server.url, {}, { headers: async () => ({ authorization: `Bearer token-${++n}` }) });
    await transport.json({ method: "GET", path: "/a" });
    await transport.json({ method: "GET", path: "/b" });
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(["Bearer token-1", "Bearer token-2"]);
  });
});

describe("stream()", () => {
  function chunkedServer(chunks: string[], gapMs: number, keepOpen = false) {
    return serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.flushHeaders();
      let i = 0;
      const next = () => {
        if (res.destroyed) return;
        if (i < chunks.length) {
          res.write(chunks[i++]);
          setTimeout(next, gapMs);
        } else if (!keepOpen) res.end();
      };
      setTimeout(next, gapMs);
    });
  }

  it("returns once the headers arrive, then yields the body as it comes", async () => {
    const server = await chunkedServer(['{"type":"ADDED"}\n', '{"type":"MODIFIED"}\n'], 50);
    const response = await transportFor(server.url).stream({
      method: "GET",
      path: "/api/v1/pods",
      query: new URLSearchParams({ watch: "1" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    let text = "";
    for await (const chunk of response.body) text += Buffer.from(chunk).toString("utf8");
    expect(text).toBe('{"type":"ADDED"}\n{"type":"MODIFIED"}\n');
  });

  it("hands over what one read of the socket brings as one chunk: 200 HTTP chunks written at once come in a few", async () => {
    const events = Array.from({ length: 200 }, (_, i) => `{"type":"ADDED","object":{"metadata":{"name":"cm-${i}"}}}\n`);
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.flushHeaders();
      setTimeout(() => {
        res.socket?.cork(); // one TCP write holding 200 HTTP chunks, as the API server's watch flushes pile up
        for (const event of events) res.write(event);
        res.socket?.uncork();
        res.end();
      }, 50);
    });
    const response = await transportFor(server.url, { http2: false }).stream({ method: "GET", path: "/api/v1/configmaps" });
    let text = "";
    let chunks = 0;
    for await (const chunk of response.body) {
      chunks++;
      text += Buffer.from(chunk).toString("utf8");
    }
    expect(text).toBe(events.join(""));
    expect(chunks).toBeLessThan(20); // one per HTTP chunk would be 200
  });

  it("closes the connection at once when the iteration is left early", async () => {
    const server = await chunkedServer(["a", "b", "c", "d", "e", "f", "g", "h"], 100, true);
    const response = await transportFor(server.url).stream({
      method: "GET",
      path: "/api/v1/pods",
      query: new URLSearchParams({ watch: "1" }),
    });
    for await (const chunk of response.body) {
      expect(Buffer.from(chunk).toString()).toBe("a");
      break;
    }
    await server.waitForOpenConnections(0, 500);
  });

  it("closes the connection when close() is called without reading", async () => {
    const server = await chunkedServer(["a", "b", "c", "d"], 100, true);
    const response = await transportFor(server.url).stream({ method: "GET", path: "/w" });
    expect(server.openConnections()).toBe(1);
    response.close();
    await server.waitForOpenConnections(0, 500);
  });

  it("an abort mid-stream ends the iteration with RequestAborted and closes the connection", async () => {
    const server = await chunkedServer(["a", "b", "c", "d", "e", "f"], 100, true);
    const controller = new AbortController();
    const response = await transportFor(server.url).stream({
      method: "GET",
      path: "/api/v1/pods",
      query: new URLSearchParams({ watch: "1", follow: "true" }),
      signal: controller.signal,
    });
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const chunk of response.body) {
          seen.push(Buffer.from(chunk).toString());
          if (seen.length === 2) controller.abort();
        }
      })(),
    );
    expect(error).toBeInstanceOf(RequestAborted);
    expect(error.message).toBe("GET /api/v1/pods?watch=1&follow=true: aborted by its signal");
    expect(seen).toEqual(["a", "b"]);
    await server.waitForOpenConnections(0, 500);
  });

  it("its timeout covers only the wait for headers", async () => {
    const server = await chunkedServer(["late"], 300);
    const response = await transportFor(server.url).stream({ method: "GET", path: "/w", timeout: 150 });
    let text = "";
    for await (const chunk of response.body) text += Buffer.from(chunk).toString();
    expect(text).toBe("late");
  });

  it("a non-2xx start throws the API error; a 503 start of a GET is retried", async () => {
    const server = await serve((_req, res, index) => {
      if (index === 0) json(res, 503, status(503, "ServiceUnavailable", "later"));
      else if (index === 1) json(res, 410, status(410, "Expired", "too old resource version: 1 (5)"));
    });
    const error = await rejection(transportFor(server.url).stream({ method: "GET", path: "/api/v1/pods" }));
    expect(error).toBeInstanceOf(KubexApiError);
    expect((error as KubexApiError).code).toBe(410);
    expect(error.message).toBe("too old resource version: 1 (5)");
    expect(server.requests).toHaveLength(2);
  });

  it("transport.close() ends streams still open", async () => {
    const server = await chunkedServer(["a", "b", "c", "d"], 100, true);
    const transport = createTransport(explicitConfig(server.url));
    const response = await transport.stream({ method: "GET", path: "/w" });
    let firstChunk!: () => void;
    const streaming = new Promise<void>((resolve) => (firstChunk = resolve));
    const reading = (async () => {
      let n = 0;
      for await (const _ of response.body) {
        n++;
        firstChunk();
      }
      return n;
    })();
    await streaming; // a chunk has arrived (not a fixed 150 ms: on a loaded machine the first may come later)
    await transport.close();
    expect(await reading).toBeGreaterThanOrEqual(1);
    await server.waitForOpenConnections(0, 5000);
    const error = await rejection(transport.json({ method: "GET", path: "/x" }));
    expect(error.message).toBe("GET /x: the client is closed");
  });
});
