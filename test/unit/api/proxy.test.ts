/** The proxy accessor's requests (pure path building) and answers, over a recording transport. */
import { describe, expect, it } from "vitest";
import {
  Api,
  InvalidRequest,
  KubernetesObject,
  type Client,
  type HasProxy,
  type HttpRequest,
  type ObjectMeta,
  type ResourceInit,
  type Transport,
} from "@kubex/runtime";

interface Service extends HasProxy {}
class Service extends KubernetesObject {
  static readonly resource = {
    group: "",
    version: "v1",
    kind: "Service",
    plural: "services",
    scope: "Namespaced",
    listKind: "ServiceList",
    subresources: ["proxy", "status"],
  } as const;
  declare apiVersion: "v1";
  declare kind: "Service";
  declare metadata?: ObjectMeta;
  constructor(init: ResourceInit<Service> = {}) {
    super(init);
  }
}
interface Node extends HasProxy {}
class Node extends KubernetesObject {
  static readonly resource = {
    group: "",
    version: "v1",
    kind: "Node",
    plural: "nodes",
    scope: "Cluster",
    listKind: "NodeList",
    subresources: ["proxy", "status"],
  } as const;
  declare apiVersion: "v1";
  declare kind: "Node";
  declare metadata?: ObjectMeta;
  constructor(init: ResourceInit<Node> = {}) {
    super(init);
  }
}

function recordingClient(): { client: Client; sent: HttpRequest[] } {
  const sent: HttpRequest[] = [];
  const transport: Transport = {
    json: () => Promise.reject(new Error("unused")),
    text: () => Promise.reject(new Error("unused")),
    async stream(request) {
      sent.push(request);
      const bytes = new TextEncoder().encode("ok ✓");
      return {
        status: 200,
        headers: { "content-type": "text/plain" },
        body: (async function* () {
          yield bytes.slice(0, 3);
          yield bytes.slice(3);
        })(),
        close: () => undefined,
      };
    },
    close: () => Promise.resolve(),
  };
  const client = {
    config: {} as Client["config"],
    transport,
    namespace: "default",
    close: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
  return { client, sent };
}

describe("proxy accessor", () => {
  it("addresses scheme:name:port/proxy/path and passes query, headers and body on", async () => {
    const { client, sent } = recordingClient();
    const services = new Api(Service, { client, namespace: "web" });
    const answer = await services.proxy.post("front", "/api/v1/items x", {
      scheme: "https",
      port: "metrics",
      query: { a: "1" },
      headers: { "content-type": "text/plain" },
      body: "hi",
    });
    expect(sent[0]).toMatchObject({
      method: "POST",
      path: "/api/v1/namespaces/web/services/https%3Afront%3Ametrics/proxy/api/v1/items%20x",
      headers: { "content-type": "text/plain" },
      body: "hi",
    });
    expect(sent[0]!.query!.toString()).toBe("a=1");
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("text/plain");
    expect(answer.text).toBe("ok ✓");
    expect(answer.body.byteLength).toBe(new TextEncoder().encode("ok ✓").byteLength);

    await new Api(Node, { client }).proxy.get("kwok-node", "healthz", { port: 10250 });
    expect(sent[1]).toMatchObject({ method: "GET", path: "/api/v1/nodes/kwok-node%3A10250/proxy/healthz" });
    await new Api(Node, { client }).proxy.get("kwok-node");
    expect(sent[2]!.path).toBe("/api/v1/nodes/kwok-node/proxy/");
  });

  it("rejects a bad name, port or scheme before sending", async () => {
    const { client, sent } = recordingClient();
    const services = new Api(Service, { client });
    await expect(services.proxy.get("")).rejects.toThrow(InvalidRequest);
    await expect(services.proxy.get("web:8080")).rejects.toThrow(/give the port as options.port/);
    await expect(services.proxy.get("web", "/", { port: 70000 })).rejects.toThrow(/port must be a port number/);
    await expect(services.proxy.get("web", "/", { port: "has:colon" })).rejects.toThrow(/port name/);
    await expect(services.proxy.get("web", "/", { scheme: "ftp" as never })).rejects.toThrow(/scheme must be "http" or "https"/);
    expect(sent).toHaveLength(0);
  });
});
