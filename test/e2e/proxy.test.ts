/**
 * The proxy accessor against the real apiserver: a Service backed by a stand-in (a local
 * HTTP server this test runs, reached through a Pod whose status names this machine's
 * address and an EndpointSlice pointing at it), that Pod itself, a Node whose address is
 * this machine, and kwok's node. The apiserver proxies only to global unicast addresses,
 * so the stand-in listens on the machine's first non-loopback IPv4 address.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, BadRequest, MergePatch, ServiceUnavailable, createClient, type Client } from "@kubex/runtime";
import { EndpointSlice } from "@kubex/k8s-v1-37/discovery/v1";
import { Namespace, Node, Pod, Service } from "@kubex/k8s-v1-37/core/v1";
import { loadClusterState } from "../cluster/state.js";

let client: Client;
let server: Server;
let hostIp: string;
let port: number;
const ns = `kubex-proxy-${randomBytes(3).toString("hex")}`;
const nodeName = `kubex-proxy-node-${randomBytes(3).toString("hex")}`;

function machineAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === "IPv4" && !address.internal) return address.address;
  }
  throw new Error("this machine has no non-loopback IPv4 address: the apiserver proxies only to global unicast addresses");
}

beforeAll(async () => {
  hostIp = machineAddress();
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      res.writeHead(req.method === "POST" ? 201 : 200, { "content-type": "application/json", "x-stand-in": "yes" });
      res.end(JSON.stringify({ method: req.method, url: req.url, body, header: req.headers["x-kubex-test"] ?? null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, hostIp, resolve));
  port = (server.address() as AddressInfo).port;

  client = await createClient();
  await new Api(Namespace, { client }).create({ metadata: { name: ns } });
  const pods = new Api(Pod, { client, namespace: ns });
  // Held back from any scheduler; its status (written here) says where it runs.
  await pods.create({
    metadata: { name: "stand-in", labels: { app: "stand-in" } },
    spec: { schedulingGates: [{ name: "kubex.example.com/hold" }], containers: [{ name: "c", image: "registry.example/stand-in:1" }] },
  });
  await pods.status.patch("stand-in", new MergePatch({ status: { phase: "Running", podIP: hostIp, podIPs: [{ ip: hostIp }] } }));
  await new Api(Service, { client, namespace: ns }).create({
    metadata: { name: "stand-in" },
    spec: { ports: [{ name: "http", port: 80, targetPort: port }] },
  });
  await new Api(EndpointSlice, { client, namespace: ns }).create({
    metadata: { name: "stand-in-1", labels: { "kubernetes.io/service-name": "stand-in" } },
    addressType: "IPv4",
    endpoints: [{ addresses: [hostIp], targetRef: { kind: "Pod", namespace: ns, name: "stand-in" } }],
    ports: [{ name: "http", port, protocol: "TCP" }],
  });
  const nodes = new Api(Node, { client });
  await nodes.create({ metadata: { name: nodeName } });
  // A merge patch: the server may touch a new Node (taints) between create and this write.
  await nodes.status.patch(
    nodeName,
    new MergePatch({
      status: { addresses: [{ type: "InternalIP", address: hostIp }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } },
    }),
  );
}, 120_000); // a dozen requests; generous for a loaded machine

afterAll(async () => {
  server?.close();
  if (client === undefined) return;
  await new Api(Node, { client }).delete(nodeName).catch(() => undefined);
  await new Api(Pod, { client, namespace: ns }).delete("stand-in", { gracePeriodSeconds: 0 }).catch(() => undefined);
  const namespaces = new Api(Namespace, { client });
  await namespaces.delete(ns).catch(() => undefined);
  await client.close();
});

describe("proxy", () => {
  it("GETs a path of a Service by port name and by port number, with the query and headers passed on", async () => {
    const services = new Api(Service, { client, namespace: ns });
    const answer = await services.proxy.get("stand-in", "/hello/world", {
      port: "http",
      query: { a: "1" },
      headers: { "x-kubex-test": "through" },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["x-stand-in"]).toBe("yes");
    expect(JSON.parse(answer.text)).toEqual({ method: "GET", url: "/hello/world?a=1", body: "", header: "through" });
    const byNumber = await services.proxy.get("stand-in", "/n", { port: 80, scheme: "http" });
    expect(JSON.parse(byNumber.text)).toMatchObject({ url: "/n" });
  });

  it("POSTs a body and answers the backend's status and body bytes", async () => {
    const answer = await new Api(Service, { client, namespace: ns }).proxy.post("stand-in", "/submit", {
      port: "http",
      body: '{"x":1}',
      headers: { "content-type": "application/json" },
    });
    expect(answer.status).toBe(201);
    expect(JSON.parse(new TextDecoder().decode(answer.body))).toMatchObject({ method: "POST", url: "/submit", body: '{"x":1}' });
  });

  it("reaches a Pod on a port of its own", async () => {
    const answer = await new Api(Pod, { client, namespace: ns }).proxy.get("stand-in", "/from-pod", { port });
    expect(JSON.parse(answer.text)).toMatchObject({ method: "GET", url: "/from-pod" });
  });

  it("reaches a Node's address on a given port and scheme", async () => {
    const answer = await new Api(Node, { client }).proxy.get(nodeName, "/from-node", { port, scheme: "http" });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ url: "/from-node" });
  });

  it("a Service port given by neither name nor number means its unnamed port: the server answers ServiceUnavailable when there is none", async () => {
    const error = await new Api(Service, { client, namespace: ns }).proxy.get("stand-in", "/").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailable);
  });

  it("kwok's node listens on 127.0.0.1, which the apiserver refuses to proxy to (BadRequest 'address not allowed')", async () => {
    const state = loadClusterState();
    const error = await new Api(Node, { client }).proxy.get(state.nodes[0]!, "/healthz").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequest);
    expect((error as BadRequest).message).toMatch(/address not allowed/);
  });
});
