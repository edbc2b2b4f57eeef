/**
 * createClient(): explicit config or a kubeconfig, default namespace, `await using` closing the pool.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createClient, KubexClientError, type Client } from "@kubex/runtime";
import { explicitConfig, json, startServer, type TestServer } from "./helpers/servers.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(): Promise<TestServer> {
  const server = await startServer((req, res) => json(res, 200, { path: req.url, authorization: req.headers.authorization ?? null }));
  cleanups.push(() => server.close());
  return server;
}

describe("createClient", () => {
  it("uses an explicit config as given, with its namespace as the default", async () => {
    const server = await serve();
    const config = explicitConfig(server.url, { namespace: "team-a" });
    const client = await createClient({ config });
    cleanups.push(() => client.close());
    expect(client.config).toBe(config);
    expect(client.namespace).toBe("team-a");
    expect(await client.transport.json({ method: "GET", path: "/version" })).toEqual({ path: "/version", authorization: null });
  });

  it("lets the namespace option override an explicit config's", async () => {
    const client = await createClient({ config: explicitConfig("https://127.0.0.1:1", { namespace: "team-a" }), namespace: "team-b" });
    cleanups.push(() => client.close());
    expect(client.namespace).toBe("team-b");
  });

  it("closes its connections at the end of an `await using` block", async () => {
    const server = await serve();
    let escaped: Client | undefined;
    {
      await using client = await createClient({ config: explicitConfig(server.url), timeout: 5000 });
      escaped = client;
      await client.transport.json({ method: "GET", path: "/version" });
      expect(server.openConnections()).toBe(1);
    }
    await server.waitForOpenConnections(0);
    const error = await escaped.transport.json({ method: "GET", path: "/version" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubexClientError);
    expect((error as Error).message).toBe("GET /version: the client is closed");
    await escaped.close(); // idempotent
  });

  it("passes timeout and retry to the transport", async () => {
    const server = await startServer((_req, res, index) => {
      if (index === 0) json(res, 503, { kind: "Status", code: 503, message: "busy" });
      else setTimeout(() => json(res, 200, {}), 300);
    });
    cleanups.push(() => server.close());
    const client = await createClient({ config: explicitConfig(server.url), timeout: 100, retry: false });
    cleanups.push(() => client.close());
    await expect(client.transport.json({ method: "GET", path: "/a" })).rejects.toThrow("busy");
    await expect(client.transport.json({ method: "GET", path: "/b" })).rejects.toThrow("GET /b: timed out after 100 ms");
    expect(client.timeout).toBe(100); // what the streaming accessors bound their opening with
  });

  it("rejects a default timeout that would mean none", async () => {
    await expect(createClient({ config: explicitConfig("http://127.0.0.1:1"), timeout: -1 })).rejects.toThrow(
      /^createClient: timeout must be a number of milliseconds/,
    );
  });

  it("loads a kubeconfig file: server and the context's namespace; the user's token is not sent to an http:// server", async () => {
    const server = await serve();
    const dir = mkdtempSync(join(tmpdir(), "kubex-client-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "config");
    writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: Config",
        "current-context: dev",
        "clusters:",
        `- name: local\n  cluster:\n    server: ${server.url}`,
        "users:",
        "- name: me\n  user:\n    token: file-token-123",
        "contexts:",
        "- name: dev\n  context:\n    cluster: local\n    user: me\n    namespace: kube-public",
        "",
      ].join("\n"),
    );
    await using client = await createClient({ kubeconfig: file });
    expect(client.namespace).toBe("kube-public");
    // client-go's rule: credentials only for https servers (test/unit/config/plain-http.test.ts has the rest).
    expect(await client.transport.json({ method: "GET", path: "/api" })).toEqual({ path: "/api", authorization: null });
  });
});
