/**
 * No token, password, Authorization value or key material in any error the transport or
 * client produces: message, toString(), util.inspect (with causes) or JSON.
 */
import { inspect } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClient, createTransport, type AuthProvider, type ClusterConfig, type Transport } from "@kubex/runtime";
import { makePki, type TestPki } from "./helpers/pki.js";
import { explicitConfig, json, onRequestHead, startRawServer, startServer, status } from "./helpers/servers.js";

const TOKEN = "kubex-secret-token-0123456789abcdef";
const PASSWORD = "hunter2-but-longer";
const auth: AuthProvider = {
  headers: async () => ({ authorization: `Bearer ${TOKEN}`, "x-remote-password": PASSWORD }),
  refresh: async () => false,
};

let pki: TestPki;
beforeAll(() => {
  pki = makePki();
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every rendering of an error a user or a log line might see. */
function renderings(error: unknown): string {
  const e = error as Error;
  return [e.message, String(e), e.stack ?? "", inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e)].join("\n");
}

function expectNoSecrets(error: unknown): void {
  expect(error).toBeInstanceOf(Error);
  const text = renderings(error);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(pki.clientKey.split("\n")[1]!); // a line of the private key's base64
  expect(text).not.toMatch(/PRIVATE KEY/);
}

async function failure(transport: Transport, method: "GET" | "POST" = "GET", timeout?: number): Promise<unknown> {
  try {
    await transport.json({
      method,
      path: "/api/v1/namespaces/default/secrets",
      body: method === "POST" ? "{}" : undefined,
      ...(timeout ? { timeout } : {}),
    });
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

function configFor(server: string, extra: Partial<ClusterConfig> = {}): ClusterConfig {
  return explicitConfig(server, { auth, tls: { cert: pki.clientCert, key: pki.clientKey }, ...extra });
}

function make(server: string, extra: Partial<ClusterConfig> = {}): Transport {
  const transport = createTransport(configFor(server, extra), { retry: { maxRetries: 1, baseDelayMs: 1 } });
  cleanups.push(() => transport.close());
  return transport;
}

describe("secrets stay out of errors", () => {
  it("an error page that echoes the request's credentials", async () => {
    const server = await startServer((req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end(
        `<html><body><pre>Bad gateway. Your request: Authorization: ${String(req.headers.authorization)} x-remote-password=${String(req.headers["x-remote-password"])} token=${TOKEN}</pre></body></html>`,
      );
    });
    cleanups.push(() => server.close());
    const error = await failure(make(server.url));
    expect((error as Error).message).toContain("answered 502");
    expect((error as Error).message).toContain("[redacted]");
    expectNoSecrets(error);
  });

  it("a Status 401, a 500 Status and a malformed 2xx", async () => {
    const server = await startServer((_req, res, index) => {
      if (index === 0) json(res, 401, status(401, "Unauthorized", "Unauthorized"));
      else if (index === 1) json(res, 500, status(500, "InternalError", "boom"));
      else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`{"token": "${TOKEN}"`);
      }
    });
    cleanups.push(() => server.close());
    const transport = make(server.url);
    for (let i = 0; i < 3; i++) expectNoSecrets(await failure(transport, "POST"));
  });

  it("connection refused, reset, cut mid-body, timeout", async () => {
    const raw = await startRawServer((socket, index) =>
      onRequestHead(socket, () => {
        if (index === 0) socket.resetAndDestroy();
        else if (index === 1) {
          socket.write(`HTTP/1.1 200 OK\r\ncontent-length: 500\r\n\r\n{"data":"${TOKEN}`);
          setTimeout(() => socket.destroy(), 20);
        } // later connections: never answered
      }),
    );
    cleanups.push(() => raw.close());
    const transport = make(raw.url);
    expectNoSecrets(await failure(transport, "POST"));
    expectNoSecrets(await failure(transport, "POST"));
    expectNoSecrets(await failure(transport, "GET", 100));
    const closed = await startRawServer(() => undefined);
    await closed.close();
    expectNoSecrets(await failure(make(`http://127.0.0.1:${closed.port}`)));
  });

  it("TLS failures and a proxy with credentials in its URL", async () => {
    const server = await startServer((_req, res) => json(res, 200, {}), { key: pki.serverKey, cert: pki.serverCert });
    cleanups.push(() => server.close());
    expectNoSecrets(await failure(make(server.url))); // CA not trusted
    const deadProxy = await startRawServer(() => undefined);
    await deadProxy.close();
    const error = await failure(make(server.url, { proxyUrl: `http://admin:${PASSWORD}@127.0.0.1:${deadProxy.port}` }));
    expectNoSecrets(error);
  });

  it("an unparsable proxy or server URL holding a password", () => {
    const creating = (extra: Partial<ClusterConfig>): unknown => {
      try {
        createTransport(configFor("https://127.0.0.1:6443", extra));
      } catch (error) {
        return error;
      }
      throw new Error("expected createTransport to throw");
    };
    const badProxy = creating({ proxyUrl: `http://admin:${PASSWORD}@[bad` });
    expect((badProxy as Error).message).toMatch(/proxy URL is not a valid URL/);
    expectNoSecrets(badProxy);
    const badServer = creating({ server: `https://admin:${PASSWORD}@[bad` });
    expect((badServer as Error).message).toMatch(/server address is not a valid URL/);
    expectNoSecrets(badServer);
  });

  it("a client and its config print without credentials", async () => {
    const client = await createClient({ config: configFor("https://127.0.0.1:6443") });
    cleanups.push(() => client.close());
    const text = [
      String(client),
      inspect(client, { depth: 10 }),
      JSON.stringify(client),
      inspect(client.transport, { depth: 10, showHidden: true }),
    ].join("\n");
    expect(text).toContain("https://127.0.0.1:6443");
    expect(text).not.toContain(TOKEN);
    expect(text).not.toMatch(/PRIVATE KEY/);
  });
});
