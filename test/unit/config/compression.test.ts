/**
 * `disable-compression`: kept in ClusterConfig; and kubex's transport never asks for a compressed
 * response (no Accept-Encoding on any request), so what the setting asks for holds with or without it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, expect, it } from "vitest";
import { configFromKubeconfigText, createClient } from "@kubex/runtime";

let server: http.Server;
let url: string;
const seen: (string | undefined)[] = [];

beforeEach(async () => {
  seen.length = 0;
  server = http.createServer((req, res) => {
    seen.push(req.headers["accept-encoding"]);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it.each([true, false])("disable-compression: %s -> ClusterConfig says so, and no request asks for compression", async (disabled) => {
  const config = await configFromKubeconfigText(`current-context: c
clusters: [{ name: k, cluster: { server: "${url}", disable-compression: ${disabled} } }]
contexts: [{ name: c, context: { cluster: k } }]
`);
  expect(config.disableCompression === true).toBe(disabled);
  await using client = await createClient({ config });
  await client.transport.json({ method: "GET", path: "/api" });
  await client.transport.text({ method: "GET", path: "/api/v1/namespaces/d/pods/p/log" });
  expect(seen).toEqual([undefined, undefined]);
});
