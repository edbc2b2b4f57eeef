/**
 * Impersonation: kubeconfig `as`/`as-uid`/`as-groups`/`as-user-extra` and
 * `createClient({ impersonate })` become Impersonate-* headers on HTTP requests and on the
 * WebSocket upgrade, one header line per group and per extra value, extra keys escaped as
 * client-go does. (Against the real apiserver: test/e2e/auth-impersonation.test.ts.)
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { configFromKubeconfigText, createClient, impersonationHeaders, KubexConfigError, type ClusterConfig } from "@kubex/runtime";
import { connectWebSocket } from "../../../runtime/src/stream/connect.js";
import { thrown } from "./helpers.js";

let server: http.Server;
let wss: WebSocketServer;
let url: string;
const raw: string[][] = [];

beforeEach(async () => {
  raw.length = 0;
  server = http.createServer((req, res) => {
    raw.push(req.rawHeaders);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  wss = new WebSocketServer({ server, handleProtocols: (p) => [...p][0] ?? false });
  server.on("upgrade", (req) => raw.push(req.rawHeaders));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  for (const c of wss.clients) c.terminate();
  wss.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** [name, value] pairs of the Impersonate-* headers, names lower-cased, in the order sent. */
const impersonate = (headers: string[]) =>
  headers
    .flatMap((h, i) => (i % 2 === 0 && h.toLowerCase().startsWith("impersonate-") ? [[h.toLowerCase(), headers[i + 1] as string]] : []))
    .sort();

const EXPECTED = [
  ["impersonate-extra-example.com%2freason", "audit"], // names compared lower-cased
  ["impersonate-extra-scopes", "read"],
  ["impersonate-extra-scopes", "write"],
  ["impersonate-group", "devs"],
  ["impersonate-group", "ops"],
  ["impersonate-uid", "1234"],
  ["impersonate-user", "alice"],
];

describe("Impersonate-* headers", () => {
  it("from the kubeconfig user, on HTTP and on the WebSocket upgrade", async () => {
    const config = await configFromKubeconfigText(
      `current-context: c
clusters: [{ name: k, cluster: { server: "${url}" } }]
contexts: [{ name: c, context: { cluster: k, user: u } }]
users:
- name: u
  user:
    as: alice
    as-uid: "1234"
    as-groups: [devs, ops]
    as-user-extra: { scopes: [read, write], example.com/reason: [audit] }
`,
      { onWarning: () => undefined },
    );
    expect(config.impersonate).toEqual({
      user: "alice",
      uid: "1234",
      groups: ["devs", "ops"],
      extra: { scopes: ["read", "write"], "example.com/reason": ["audit"] },
    });
    await using client = await createClient({ config });
    await client.transport.json({ method: "GET", path: "/api" });
    const { socket } = await connectWebSocket(config, { path: "/api/v1/namespaces/d/pods/p/exec", protocols: ["v5.channel.k8s.io"] });
    socket.close();
    expect(raw).toHaveLength(2);
    for (const headers of raw) expect(impersonate(headers)).toEqual(EXPECTED);
  });

  it("createClient({ impersonate }) replaces the configuration's as a whole", async () => {
    const base: ClusterConfig = {
      server: url,
      tls: {},
      namespace: "default",
      source: { type: "explicit" },
      impersonate: { user: "someone-else", groups: ["x"] },
    };
    await using client = await createClient({ config: base, impersonate: { user: "bob", groups: ["g"] } });
    await client.transport.json({ method: "GET", path: "/api" });
    expect(impersonate(raw[0] as string[])).toEqual([
      ["impersonate-group", "g"],
      ["impersonate-user", "bob"],
    ]);
  });

  it("no impersonation, no Impersonate-* header", async () => {
    await using client = await createClient({ config: { server: url, tls: {}, namespace: "default", source: { type: "explicit" } } });
    await client.transport.json({ method: "GET", path: "/api" });
    expect(impersonate(raw[0] as string[])).toEqual([]);
  });

  it("groups without a user are refused, naming what to fix", async () => {
    const error = await thrown(() =>
      createClient({
        config: { server: url, tls: {}, namespace: "default", source: { type: "explicit" } },
        impersonate: { groups: ["g"] },
      }),
    );
    expect(error).toBeInstanceOf(KubexConfigError);
    expect(error["field"]).toBe("impersonate.user");
  });

  it("extra keys that a header name cannot carry are percent-encoded (client-go's headerKeyEscape)", () => {
    expect(Object.keys(impersonationHeaders({ user: "u", extra: { "a b%c/Ü": ["v"] } }))).toEqual([
      "impersonate-user",
      "impersonate-extra-a%20b%25c%2F%C3%9C",
    ]);
  });
});
