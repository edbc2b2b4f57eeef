/**
 * The transport against servers that misbehave on purpose (issue 19): endless or
 * wrong-shaped 2xx bodies, servers that never answer while the client closes, tokens
 * echoed back, cut connections under retried POSTs, a TLS handshake cut, many calls on one
 * signal. Each scenario is bounded in time and memory where that is the point.
 */
import { once } from "node:events";
import { inspect } from "node:util";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  Api,
  BearerTokenAuth,
  ClientClosed,
  createClient,
  DEFAULT_CONNECTIONS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  Forbidden,
  InternalServerError,
  InvalidRequest,
  JsonPatch,
  KubexClientError,
  MergePatch,
  RequestEntityTooLarge,
  ResponseTooLarge,
  UnexpectedResponse,
  type Client,
} from "@kubex/runtime";
import { StreamPod } from "../stream/helpers/kinds.js";
import { bounded, thrown, writeForever } from "../helpers/bounded.js";
import { explicitConfig, json, startRawServer, startServer, status, type Handler, type TestServer } from "./helpers/servers.js";

const TOKEN = "kubex-echoed-token-0123456789abcdef";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  cleanups.push(() => server.close());
  return server;
}

async function client(url: string, options: Parameters<typeof createClient>[0] = {}): Promise<Client> {
  const made = await createClient({ config: explicitConfig(url), retry: false, ...options });
  cleanups.push(() => made.close());
  return made;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if ("value" in outcome) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)?.slice(0, 200)}`);
  return outcome.error as Error;
}

/** Every rendering of a value a user or a log line might see. */
function renderings(value: unknown): string {
  const e = value as Error;
  return [String(e?.message), String(e), e?.stack ?? "", inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value)].join("\n");
}

const GET = { method: "GET", path: "/api/v1/namespaces/default/pods/p" } as const;

describe("3: 2xx body size limit", () => {
  it("an endless 200 body fails with ResponseTooLarge at maxResponseBytes, bounded in time and memory", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"kind":"Pod","x":"');
      writeForever(res, Buffer.alloc(64 * 1024, "x"));
    });
    const c = await client(server.url, { maxResponseBytes: 8 << 20 });
    const outcome = await bounded(() => c.transport.json(GET));
    const error = thrown(outcome) as ResponseTooLarge;
    expect(error).toBeInstanceOf(ResponseTooLarge);
    expect(error.limit).toBe(8 << 20);
    expect(error.message).toBe(
      "GET /api/v1/namespaces/default/pods/p: the response body is larger than 8 MiB, the maxResponseBytes limit; reading stopped there (raise maxResponseBytes if it really is that large)",
    );
    expect(outcome.ms).toBeLessThan(10_000); // before: never (the body is endless); room for a loaded machine
    expect(outcome.rssGrowthMiB).toBeLessThan(64); // before: 255-513 MB in 5 s
  });

  it("a Content-Length over the limit fails before reading; the default limit is 256 MiB", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(300 << 20) });
      res.write("{");
    });
    const c = await client(server.url);
    const outcome = await bounded(() => c.transport.json(GET));
    expect(thrown(outcome)).toBeInstanceOf(ResponseTooLarge);
    expect((thrown(outcome) as ResponseTooLarge).limit).toBe(DEFAULT_MAX_RESPONSE_BYTES);
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(256 << 20);
    expect(outcome.ms).toBeLessThan(10_000); // reading would never end: the server sends one byte of the 300 MiB
  });

  it("a chunked body past the limit that arrives with the headers, in one write, fails too", async () => {
    // The bytes are parsed in the same read as the headers, so they are in the stream's buffer
    // before the reader starts counting: they must count.
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`{"kind":"Pod","x":"${"x".repeat(8 * 1024)}"}`);
    });
    const c = await client(server.url, { maxResponseBytes: 1024 });
    const outcome = await bounded(() => c.transport.json(GET));
    expect(thrown(outcome)).toBeInstanceOf(ResponseTooLarge);
    expect((thrown(outcome) as ResponseTooLarge).limit).toBe(1024);
  });

  it("text() (logs) has the same limit", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      writeForever(res, Buffer.alloc(16 * 1024, "l"));
    });
    const c = await client(server.url, { maxResponseBytes: 1 << 20 });
    await expect(c.transport.text(GET)).rejects.toBeInstanceOf(ResponseTooLarge);
  });

  it("a bad limit is a config error at creation", async () => {
    await expect(createClient({ config: explicitConfig("http://127.0.0.1:1"), maxResponseBytes: 0 })).rejects.toThrow(
      /maxResponseBytes must be a positive integer/,
    );
    await expect(createClient({ config: explicitConfig("http://127.0.0.1:1"), connections: 1.5 })).rejects.toThrow(
      /connections must be a positive integer/,
    );
  });
});

describe("4: wrong-shaped 2xx bodies", () => {
  const shapes: Array<[string, unknown, RegExp]> = [
    ["null", null, /answered 200 with null where a JSON object was expected/],
    ["42", 42, /answered 200 with a number where a JSON object was expected/],
    ["an array", [{ kind: "Pod" }], /answered 200 with an array where a JSON object was expected/],
    [
      "a list with a null item",
      { kind: "PodList", items: [{ metadata: {} }, null] },
      /a list whose items\[1\] is null, where an object was expected/,
    ],
  ];
  for (const [what, body, message] of shapes) {
    it(`${what}: UnexpectedResponse naming what was expected and what came`, async () => {
      const server = await serve((_req, res) => json(res, 200, body));
      const c = await client(server.url);
      const error = await rejection(c.transport.json(GET));
      expect(error).toBeInstanceOf(UnexpectedResponse);
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/^GET \/api\/v1\/namespaces\/default\/pods\/p: /);
    });
  }

  it("a Status Failure in a 200 or 201 is the error it describes, not a resource", async () => {
    const server = await serve((req, res) =>
      json(res, req.method === "POST" ? 201 : 200, status(403, "Forbidden", `pods is forbidden; the webhook saw Bearer ${TOKEN}`)),
    );
    const c = await client(server.url);
    const got = await rejection(c.transport.json(GET));
    expect(got).toBeInstanceOf(Forbidden);
    const created = await rejection(c.transport.json({ method: "POST", path: "/api/v1/namespaces/default/pods", body: "{}" }));
    expect(created).toBeInstanceOf(Forbidden);
    expect(renderings(created)).not.toContain(TOKEN);
    // Without a code, it is still an error.
    const bare = await serve((_req, res) => json(res, 200, { kind: "Status", apiVersion: "v1", status: "Failure", message: "no" }));
    expect(await rejection((await client(bare.url)).transport.json(GET))).toBeInstanceOf(InternalServerError);
  });

  it("a Status Success (a delete's answer) is still returned", async () => {
    const server = await serve((_req, res) => json(res, 200, { kind: "Status", apiVersion: "v1", status: "Success" }));
    const c = await client(server.url);
    await expect(c.transport.json({ method: "DELETE", path: "/api/v1/namespaces/default/pods/p" })).resolves.toMatchObject({
      status: "Success",
    });
  });

  it("through the Api: get of an array body is an UnexpectedResponse, not a Pod", async () => {
    const server = await serve((_req, res) => json(res, 200, [1, 2]));
    const pods = new Api(StreamPod, { client: await client(server.url) });
    await expect(pods.get("p")).rejects.toBeInstanceOf(UnexpectedResponse);
  });
});

describe("5: close() with requests in flight", () => {
  it("ends a request the server never answers with ClientClosed, and returns, both within a bounded time", async () => {
    const server = await serve(() => undefined); // reads the request, never answers
    const c = await client(server.url, { timeout: 0 });
    const outcome = await bounded(async () => {
      const pending = c.transport.json(GET).catch((error: unknown) => error);
      const other = c.transport.text(GET).catch((error: unknown) => error);
      await server.waitForOpenConnections(2);
      const closing = c.close();
      const [error, otherError] = await Promise.all([pending, other, closing]);
      return [error, otherError];
    });
    expect("value" in outcome.result).toBe(true);
    const [error, otherError] = (outcome.result as { value: unknown[] }).value;
    expect(error).toBeInstanceOf(ClientClosed);
    expect(otherError).toBeInstanceOf(ClientClosed);
    expect((error as Error).message).toBe("GET /api/v1/namespaces/default/pods/p: the client was closed while the request was in flight");
    expect(outcome.ms).toBeLessThan(10_000); // before: pending for undici's 300 s, close() with it
    expect(outcome.rssGrowthMiB).toBeLessThan(32);
    await expect(c.transport.json(GET)).rejects.toBeInstanceOf(ClientClosed);
  });

  it("await using ends the same way", async () => {
    const server = await serve(() => undefined);
    let pending!: Promise<unknown>;
    const outcome = await bounded(async () => {
      await using c = await createClient({ config: explicitConfig(server.url), timeout: 0 });
      pending = c.transport.json(GET).catch((error: unknown) => error);
      await server.waitForOpenConnections(1);
    });
    expect("value" in outcome.result).toBe(true);
    expect(await pending).toBeInstanceOf(ClientClosed);
    expect(outcome.ms).toBeLessThan(10_000); // before: undici's 300 s
  });

  it("a server that sends headers and then a body forever: close() still returns in bounded time", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("{");
    });
    const c = await client(server.url, { timeout: 0 });
    const outcome = await bounded(async () => {
      const pending = c.transport.json(GET).catch((error: unknown) => error);
      await server.waitForOpenConnections(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await c.close();
      return pending;
    });
    expect((outcome.result as { value: unknown }).value).toBeInstanceOf(ClientClosed);
    expect(outcome.ms).toBeLessThan(10_000); // the body never ends by itself
  });
});

describe("7: a token the server echoes", () => {
  it("is redacted from a JSON Status message and its causes: message, stack, inspect (depth 10), JSON", async () => {
    const server = await serve((_req, res) =>
      json(res, 403, {
        ...status(403, "Forbidden", `denied: the request carried "Authorization: Bearer ${TOKEN}"`),
        details: { causes: [{ reason: "FieldValueInvalid", message: `token ${TOKEN} is not allowed`, field: "spec" }] },
      }),
    );
    const c = await client(server.url, { config: explicitConfig(server.url, { auth: new BearerTokenAuth(TOKEN) }) });
    const error = await rejection(c.transport.json(GET));
    expect(error).toBeInstanceOf(Forbidden);
    expect(error.message).toContain("[redacted]");
    expect(renderings(error)).not.toContain(TOKEN);
    expect(renderings((error as Forbidden).status)).not.toContain(TOKEN);
  });
});

describe("8: JSON.stringify(client.config)", () => {
  it("shows no proxy-url password (nor the token); util.inspect neither", async () => {
    const PASSWORD = "proxy-pass-0123456789";
    const c = await client("https://127.0.0.1:1", {
      config: explicitConfig("https://127.0.0.1:1", {
        proxyUrl: `http://user:${PASSWORD}@127.0.0.1:3128`,
        auth: new BearerTokenAuth(TOKEN),
      }),
    });
    const text = [
      JSON.stringify(c.config),
      inspect(c.config, { depth: 10 }),
      JSON.stringify(c),
      inspect(c, { depth: 10 }),
      String(c.config),
    ].join("\n");
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(JSON.stringify(c.config)).proxyUrl).toBe("http://127.0.0.1:3128");
    expect(c.config.proxyUrl).toBe(`http://user:${PASSWORD}@127.0.0.1:3128`); // still usable
  });
});

describe("9: bodies JSON cannot hold", () => {
  it("a BigInt or a cycle in create or a patch is an InvalidRequest naming the path; nothing is sent", async () => {
    const server = await serve((_req, res) => json(res, 201, {}));
    const pods = new Api(StreamPod, { client: await client(server.url) });
    const big = await rejection(
      pods.create({ metadata: { name: "p" }, spec: { containers: [{ name: "c", resources: { limits: { cpu: 2n } } }] } } as never),
    );
    expect(big).toBeInstanceOf(InvalidRequest);
    expect(big.message).toBe(
      "Pod: the object to create cannot be sent as JSON: a BigInt at spec.containers[0].resources.limits.cpu (JSON has no BigInt: use a number, or a string for a quantity)",
    );
    const spec: Record<string, unknown> = { nodeName: "n" };
    spec.self = { again: spec };
    const cycle = await rejection(pods.patch("p", new MergePatch({ metadata: { labels: { "app.kubernetes.io/name": "x" } }, spec })));
    expect(cycle).toBeInstanceOf(InvalidRequest);
    expect(cycle.message).toBe("MergePatch body cannot be sent as JSON: a circular reference at spec.self.again (it refers back to spec)");
    const ops = await rejection(pods.patch("p", new JsonPatch().add("/metadata/labels/n", 1n as never)));
    expect(ops.message).toMatch(/^JsonPatch operations cannot be sent as JSON: a BigInt at \[0\]\.value/);
    expect(server.requests).toHaveLength(0);
  });
});

describe("10: connections per cluster", () => {
  it("200 concurrent GETs use at most the default 32 connections, queueing beyond; createClient({ connections }) sets it", async () => {
    const server = await serve((_req, res) => setTimeout(() => json(res, 200, { kind: "Pod" }), 5));
    const c = await client(server.url);
    const results = await Promise.all(Array.from({ length: 200 }, () => c.transport.json(GET)));
    expect(results).toHaveLength(200);
    expect(DEFAULT_CONNECTIONS).toBe(32);
    expect(server.totalConnections()).toBeLessThanOrEqual(DEFAULT_CONNECTIONS);
    const four = await serve((_req, res) => setTimeout(() => json(res, 200, { kind: "Pod" }), 5));
    const limited = await client(four.url, { connections: 4 });
    await Promise.all(Array.from({ length: 50 }, () => limited.transport.json(GET)));
    expect(four.totalConnections()).toBeLessThanOrEqual(4);
  });

  it("streams do not count against the limit: 3 open watches and a request with connections: 2", async () => {
    const server = await serve((req, res) => {
      if (String(req.url).includes("watch=true")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.flushHeaders();
        return;
      }
      json(res, 200, { kind: "Pod" });
    });
    const c = await client(server.url, { connections: 2 });
    const watches = await Promise.all(
      [1, 2, 3].map(() => c.transport.stream({ method: "GET", path: "/api/v1/pods", query: new URLSearchParams({ watch: "true" }) })),
    );
    await expect(c.transport.json({ ...GET, timeout: 2000 })).resolves.toEqual({ kind: "Pod" });
    for (const watch of watches) watch.close();
  });
});

describe("11: non-idempotent retries", () => {
  it("a POST listed in retry.methods is not sent again after the connection was cut once sent", async () => {
    let posts = 0;
    const raw = await startRawServer((socket) => {
      socket.once("data", () => {
        posts++;
        socket.destroy(); // the server may have created the object: the client cannot know
      });
    });
    cleanups.push(() => raw.close());
    const c = await client(raw.url, { retry: { methods: ["GET", "POST"], maxRetries: 3, baseDelayMs: 1 } });
    const error = await rejection(
      c.transport.json({ method: "POST", path: "/api/v1/namespaces/default/pods", body: '{"metadata":{"generateName":"p-"}}' }),
    );
    expect(error).toBeInstanceOf(KubexClientError);
    expect(posts).toBe(1);
    // A GET is retried after the same cut.
    posts = 0;
    await rejection(c.transport.json(GET));
    expect(posts).toBe(4);
  });

  it("a POST is retried after a 429 (the server refused it before handling it), not after a 503", async () => {
    let calls = 0;
    const server = await serve((req, res) => {
      calls++;
      if (String(req.url).includes("flaky")) return json(res, 503, status(503, "ServiceUnavailable", "down"));
      if (calls === 1) return json(res, 429, status(429, "TooManyRequests", "slow down"), { "retry-after": "0" });
      json(res, 201, { kind: "Pod" });
    });
    const c = await client(server.url, { retry: { methods: ["POST"], maxRetries: 2, baseDelayMs: 1 } });
    await expect(c.transport.json({ method: "POST", path: "/api/v1/namespaces/default/pods", body: "{}" })).resolves.toEqual({
      kind: "Pod",
    });
    expect(calls).toBe(2);
    calls = 0;
    await rejection(c.transport.json({ method: "POST", path: "/flaky", body: "{}" }));
    expect(calls).toBe(1);
  });
});

describe("12: a TLS handshake cut", () => {
  it("says the connection was closed during the TLS handshake, without blaming a client certificate", async () => {
    const cutter = createNetServer((socket: Socket) => socket.once("data", () => socket.destroy()));
    cutter.listen(0, "127.0.0.1");
    await once(cutter, "listening");
    cleanups.push(() => new Promise((resolve) => cutter.close(() => resolve())));
    const url = `https://127.0.0.1:${(cutter.address() as AddressInfo).port}`;
    for (const tls of [{}, { insecureSkipTlsVerify: true }]) {
      const c = await client(url, { config: explicitConfig(url, { tls }) });
      const error = await rejection(c.transport.json({ method: "GET", path: "/version" }));
      expect(error.message).toBe(
        `GET /version: TLS: the connection to ${url} was closed during the TLS handshake (ECONNRESET); something in between (a proxy, a load balancer, a firewall) may be cutting it, or the port may not serve TLS`,
      );
      expect(error.message).not.toMatch(/client-certificate|client certificate/);
    }
  });
});

describe("13: many operations on one AbortSignal", () => {
  it("50 concurrent calls and 20 retry waits on one signal: no MaxListenersExceededWarning, aborting still ends each", async () => {
    const server = await serve((req, res) => {
      // Retry-After 60: an abort not reaching a retry wait would show as a minute, far past the bound below.
      if (String(req.url).includes("busy")) return json(res, 503, status(503, "ServiceUnavailable", "busy"), { "retry-after": "60" });
      // never answers the others
    });
    const c = await client(server.url, { retry: { maxRetries: 3, maxDelayMs: 60_000 }, connections: 100 });
    const controller = new AbortController();
    const outcome = await bounded(async () => {
      const calls = [
        ...Array.from({ length: 50 }, () => c.transport.json({ ...GET, signal: controller.signal }).catch((e: unknown) => e)),
        ...Array.from({ length: 20 }, () =>
          c.transport.json({ method: "GET", path: "/busy", signal: controller.signal }).catch((e: unknown) => e),
        ),
      ];
      await new Promise((resolve) => setTimeout(resolve, 300));
      controller.abort();
      return Promise.all(calls);
    });
    expect(outcome.warnings).not.toContain("MaxListenersExceededWarning");
    const errors = (outcome.result as { value: unknown[] }).value;
    expect(errors.every((e) => (e as Error).name === "RequestAborted")).toBe(true);
    expect(outcome.ms).toBeLessThan(10_000);
  });
});

describe("Also", () => {
  it("413 is RequestEntityTooLarge", async () => {
    const server = await serve((_req, res) => json(res, 413, status(413, "RequestEntityTooLarge", "the request is too large")));
    const c = await client(server.url);
    const error = await rejection(c.transport.json({ method: "POST", path: "/api/v1/namespaces/default/configmaps", body: "{}" }));
    expect(error).toBeInstanceOf(RequestEntityTooLarge);
    expect(error.name).toBe("RequestEntityTooLarge");
  });

  it("a default request timeout of 90 s applies when none is set (shown with a fake clock)", async () => {
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(90_000);
    const server = await serve(() => undefined);
    const c = await client(server.url);
    const { vi } = await import("vitest");
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const pending = c.transport.json(GET).catch((e: unknown) => e);
      await vi.waitFor(() => expect(server.requests).toHaveLength(1));
      await vi.advanceTimersByTimeAsync(89_000);
      let settled = false;
      void pending.then(() => (settled = true));
      await Promise.resolve();
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1_500);
      const error = (await pending) as Error;
      expect(error.name).toBe("RequestAborted");
      expect(error.message).toBe("GET /api/v1/namespaces/default/pods/p: timed out after 90000 ms");
    } finally {
      vi.useRealTimers();
    }
  });
});
