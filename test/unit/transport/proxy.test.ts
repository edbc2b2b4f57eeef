/**
 * Proxies: the choice (pure, kubectl's rules) and real CONNECT tunnels through a loopback proxy.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTransport, KubexClientError, type Transport } from "@kubex/runtime";
import { noProxyMatches, proxyFor } from "../../../runtime/src/transport/proxy.js";
import { makePki, type TestPki } from "./helpers/pki.js";
import { explicitConfig, json, startConnectProxy, startServer } from "./helpers/servers.js";

describe("proxyFor", () => {
  const server = new URL("https://api.cluster.example:6443");

  it("always uses the kubeconfig proxy-url, whatever the environment says", () => {
    expect(proxyFor(server, "http://proxy:3128", { NO_PROXY: "*" })).toBe("http://proxy:3128");
  });

  it("uses HTTPS_PROXY for an https server and HTTP_PROXY for an http one, upper case first", () => {
    const env = { HTTPS_PROXY: "http://secure:1", https_proxy: "http://lower:1", HTTP_PROXY: "http://plain:2" };
    expect(proxyFor(server, undefined, env)).toBe("http://secure:1");
    expect(proxyFor(server, undefined, { https_proxy: "http://lower:1" })).toBe("http://lower:1");
    expect(proxyFor(new URL("http://api.cluster.example:8080"), undefined, env)).toBe("http://plain:2");
    expect(proxyFor(server, undefined, { HTTP_PROXY: "http://plain:2" })).toBeUndefined(); // as in Go: no fallback
    expect(proxyFor(server, undefined, { HTTPS_PROXY: "proxy.corp:3128" })).toBe("http://proxy.corp:3128");
    expect(proxyFor(server, undefined, {})).toBeUndefined();
  });

  it("never sends localhost or loopback addresses through an environment proxy", () => {
    const env = { HTTPS_PROXY: "http://proxy:3128" };
    expect(proxyFor(new URL("https://localhost:6443"), undefined, env)).toBeUndefined();
    expect(proxyFor(new URL("https://127.0.0.1:6443"), undefined, env)).toBeUndefined();
    expect(proxyFor(new URL("https://[::1]:6443"), undefined, env)).toBeUndefined();
  });

  it("honours NO_PROXY: names with subdomains, leading dots, ports, IPs, CIDRs and *", () => {
    expect(noProxyMatches("cluster.example", "api.cluster.example", 443)).toBe(true);
    expect(noProxyMatches("cluster.example", "cluster.example", 443)).toBe(true);
    expect(noProxyMatches(".cluster.example", "api.cluster.example", 443)).toBe(true);
    expect(noProxyMatches("*.cluster.example", "api.cluster.example", 443)).toBe(true);
    expect(noProxyMatches("luster.example", "api.cluster.example", 443)).toBe(false);
    expect(noProxyMatches("other.example, api.cluster.example:6443", "api.cluster.example", 6443)).toBe(true);
    expect(noProxyMatches("api.cluster.example:443", "api.cluster.example", 6443)).toBe(false);
    expect(noProxyMatches("10.0.0.0/8", "10.96.0.1", 443)).toBe(true);
    expect(noProxyMatches("10.0.0.0/8", "11.0.0.1", 443)).toBe(false);
    expect(noProxyMatches("192.168.1.10", "192.168.1.10", 443)).toBe(true);
    expect(noProxyMatches("fd00::/8", "fd12::1", 443)).toBe(true);
    expect(noProxyMatches("fd00::/8", "fe80::1", 443)).toBe(false);
    expect(noProxyMatches("*", "anything", 1)).toBe(true);
    expect(noProxyMatches("", "anything", 1)).toBe(false);
    expect(proxyFor(server, undefined, { HTTPS_PROXY: "http://proxy:3128", no_proxy: ".example" })).toBeUndefined();
  });
});

describe("requests through a CONNECT proxy", () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makePki();
  });

  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup() {
    const api = await startServer((req, res) => json(res, 200, { path: req.url }), { key: pki.serverKey, cert: pki.serverCert });
    cleanups.push(() => api.close());
    // "kube.test" exists only for the proxy: a direct connection cannot resolve it.
    const proxy = await startConnectProxy((host, port) => (host === "kube.test" ? { host: "127.0.0.1", port: api.port } : { host, port }));
    cleanups.push(() => proxy.close());
    return { api, proxy };
  }

  function track(transport: Transport): Transport {
    cleanups.push(() => transport.close());
    return transport;
  }

  function withEnv(values: Record<string, string | undefined>): void {
    const names = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];
    const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    for (const name of names) delete process.env[name];
    for (const [name, value] of Object.entries(values)) if (value !== undefined) process.env[name] = value;
    cleanups.push(() => {
      for (const name of names) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    });
  }

  it("tunnels through the kubeconfig proxy-url (TLS verified end to end), with its credentials sent only to the proxy", async () => {
    const { api, proxy } = await setup();
    withEnv({});
    const proxyUrl = proxy.url.replace("http://", "http://proxyuser:proxy-pa55word@");
    const transport = track(
      createTransport(explicitConfig(`https://kube.test:${api.port}`, { tls: { ca: pki.ca }, proxyUrl }), { retry: false }),
    );
    expect(await transport.json({ method: "GET", path: "/api/v1/pods" })).toEqual({ path: "/api/v1/pods" });
    expect(proxy.tunnels).toEqual([`kube.test:${api.port}`]);
    expect(proxy.authorizations).toEqual([`Basic ${Buffer.from("proxyuser:proxy-pa55word").toString("base64")}`]);
    expect(api.requests[0]?.headers["proxy-authorization"]).toBeUndefined();
  });

  it("uses HTTPS_PROXY from the environment", async () => {
    const { api, proxy } = await setup();
    withEnv({ HTTPS_PROXY: proxy.url });
    const transport = track(createTransport(explicitConfig(`https://kube.test:${api.port}`, { tls: { ca: pki.ca } }), { retry: false }));
    expect(await transport.json({ method: "GET", path: "/version" })).toEqual({ path: "/version" });
    expect(proxy.tunnels).toEqual([`kube.test:${api.port}`]);
  });

  it("connects directly when NO_PROXY names the server", async () => {
    const { api, proxy } = await setup();
    withEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: "localhost,.test" });
    const transport = track(createTransport(explicitConfig(`https://kube.test:${api.port}`, { tls: { ca: pki.ca } }), { retry: false }));
    const error = await transport.json({ method: "GET", path: "/version" }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    // Direct: kube.test does not resolve, and the proxy saw nothing.
    expect(error).toBeInstanceOf(KubexClientError);
    expect(error?.message).toBe("GET /version: cannot resolve kube.test (ENOTFOUND); check the server address");
    expect(proxy.tunnels).toEqual([]);
  });

  it("names the proxy, without its credentials, when it refuses connections", async () => {
    const { api, proxy } = await setup();
    await proxy.close();
    withEnv({});
    const port = new URL(proxy.url).port;
    const transport = track(
      createTransport(
        explicitConfig(`https://kube.test:${api.port}`, { tls: { ca: pki.ca }, proxyUrl: `http://u:secret-proxy-pw@127.0.0.1:${port}` }),
        { retry: false },
      ),
    );
    const error = await transport.json({ method: "GET", path: "/version" }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(KubexClientError);
    expect(error?.message).toContain(`http://127.0.0.1:${port}`);
    expect(error?.message).toContain("refused");
    expect(error?.message).not.toContain("secret-proxy-pw");
  });
});
