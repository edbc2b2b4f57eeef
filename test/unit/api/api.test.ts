import { describe, expect, it } from "vitest";
import {
  Api,
  InvalidRequest,
  KubernetesObject,
  MergePatch,
  SubresourceNotSupported,
  type Client,
  type HttpRequest,
  type Transport,
} from "@kubex/runtime";
import { Binding, ConfigMap, Deployment, Namespace, Pod, TokenReview } from "../../fixtures/kinds.js";

/** A transport that records requests and answers from a queue (no network). */
function fakeClient(answers: unknown[] = [], namespace = "from-context"): { client: Client; sent: HttpRequest[] } {
  const sent: HttpRequest[] = [];
  const transport: Transport = {
    async json<T>(request: HttpRequest): Promise<T> {
      sent.push(request);
      if (answers.length === 0) throw new Error("no answer queued");
      return structuredClone(answers.shift()) as T;
    },
    text: () => Promise.reject(new Error("unused")),
    stream: () => Promise.reject(new Error("unused")),
    close: () => Promise.resolve(),
  };
  const client = {
    config: {} as Client["config"],
    transport,
    namespace,
    close: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
  return { client, sent };
}

describe("Api", () => {
  it("answers instances of the kind, with apiVersion/kind filled into list items", async () => {
    const { client } = fakeClient([{ apiVersion: "apps/v1", kind: "DeploymentList", metadata: {}, items: [{ metadata: { name: "a" } }] }]);
    const list = await new Api(Deployment, { client }).list();
    expect(list.items[0]).toBeInstanceOf(Deployment);
    expect(list.items[0]).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "a" } });
  });

  it("instanceof goes by apiVersion and kind: answers stay plain parsed objects (no prototype swapped in per item)", async () => {
    const { client } = fakeClient([{ apiVersion: "v1", kind: "PodList", metadata: {}, items: [{ metadata: { name: "a" } }] }]);
    const [item] = (await new Api(Pod, { client }).list()).items;
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect(item).toBeInstanceOf(Pod);
    expect(item).toBeInstanceOf(KubernetesObject);
    expect(item).not.toBeInstanceOf(ConfigMap);
    expect(structuredClone(new Pod({ metadata: { name: "b" } }))).toBeInstanceOf(Pod); // a clone loses the prototype
    expect({ apiVersion: "apps/v1", kind: "Pod" }).not.toBeInstanceOf(Pod); // same kind, another group
    expect({ apiVersion: "apps/v1", kind: "Deployment" }).toBeInstanceOf(Deployment);
    expect({ kind: "Pod" }).not.toBeInstanceOf(KubernetesObject);
    for (const value of [null, undefined, "Pod", 42] as unknown[]) expect(value instanceof Pod).toBe(false);
    class Special extends Pod {}
    expect(new Special()).toBeInstanceOf(Pod);
    expect(new Pod()).toBeInstanceOf(Special); // the same apiVersion and kind: a subclass adds no identity of its own
  });

  it("uses the client's namespace when the Api is given none", async () => {
    const { client, sent } = fakeClient([{ metadata: { name: "web" } }]);
    await new Api(Deployment, { client }).get("web");
    expect(sent[0]!.path).toBe("/apis/apps/v1/namespaces/from-context/deployments/web");
  });

  it("create fills apiVersion/kind and takes the object's namespace before the Api's", async () => {
    const { client, sent } = fakeClient([{ metadata: { name: "c" } }]);
    await new Api(ConfigMap, { client, namespace: "api-ns" }).create({ metadata: { name: "c", namespace: "obj-ns" }, data: { a: "1" } });
    expect(sent[0]!.path).toBe("/api/v1/namespaces/obj-ns/configmaps");
    expect(JSON.parse(sent[0]!.body!)).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", namespace: "obj-ns" },
      data: { a: "1" },
    });
  });

  it("create needs a name or generateName, and a body of the right kind", async () => {
    const { client, sent } = fakeClient();
    const api = new Api(ConfigMap, { client, namespace: "ns" });
    await expect(api.create({ metadata: {} })).rejects.toThrow(/metadata.name or metadata.generateName/);
    await expect(api.create(new Pod({ metadata: { name: "p" } }) as never)).rejects.toThrow(/this call takes v1 ConfigMap/);
    expect(sent).toHaveLength(0);
  });

  it("create-only kinds (only a create verb) are sent without a name; a Status answer stays a Status", async () => {
    const { client, sent } = fakeClient([
      { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", status: { authenticated: false } },
      { apiVersion: "v1", kind: "Status", status: "Success", code: 201 },
    ]);
    const review = await new Api(TokenReview, { client }).create({ spec: { token: "t" } });
    expect(sent[0]).toMatchObject({ method: "POST", path: "/apis/authentication.k8s.io/v1/tokenreviews" });
    const sentBody = JSON.parse(sent[0]!.body!) as { metadata?: { name?: string } };
    expect(sentBody).toMatchObject({ apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token: "t" } });
    expect(sentBody.metadata?.name).toBeUndefined();
    expect(review).toBeInstanceOf(TokenReview);
    expect(review.status).toEqual({ authenticated: false });
    const status = await new Api(Binding, { client, namespace: "ns" }).create({
      metadata: { name: "p" },
      target: { kind: "Node", name: "n" },
    });
    expect(status).not.toBeInstanceOf(Binding);
    expect(status).toMatchObject({ kind: "Status", status: "Success" });
  });

  it("applies the namespace rules before any request", async () => {
    const { client, sent } = fakeClient();
    const pods = new Api(Pod, { client, namespace: null });
    await expect(pods.get("p")).rejects.toThrow(InvalidRequest);
    await expect(pods.deleteCollection()).rejects.toThrow(/Pod is namespaced/);
    const namespaces = new Api(Namespace, { client });
    await expect(namespaces.get("x", { namespace: "default" })).rejects.toThrow(/cluster-scoped/);
    expect(() => new Api(Namespace, { client, namespace: "default" })).toThrow(/takes no namespace/);
    expect(sent).toHaveLength(0);
  });

  it("listAll follows continue tokens and yields every item", async () => {
    const page = (names: string[], next?: string) => ({
      metadata: next ? { continue: next } : {},
      items: names.map((name) => ({ metadata: { name } })),
    });
    const { client, sent } = fakeClient([page(["a", "b"], "t1"), page(["c"], "t2"), page([])]);
    const names: string[] = [];
    for await (const item of new Api(Pod, { client }).listAll({ limit: 2, labelSelector: "x=y" })) names.push(item.metadata!.name!);
    expect(names).toEqual(["a", "b", "c"]);
    expect(sent.map((r) => r.query?.get("continue") ?? null)).toEqual([null, "t1", "t2"]);
    expect(sent.every((r) => r.query?.get("limit") === "2" && r.query.get("labelSelector") === "x=y")).toBe(true);
  });

  it("delete answers a Status, or the object while finalizers hold it", async () => {
    const { client } = fakeClient([{ kind: "Status", status: "Success" }, { metadata: { name: "p", finalizers: ["x"] } }]);
    const pods = new Api(Pod, { client });
    expect(await pods.delete("p")).toEqual({ kind: "Status", status: "Success" });
    expect(await pods.delete("p")).toBeInstanceOf(Pod);
  });
});

describe("accessors", () => {
  it("are created lazily, once per Api", () => {
    const { client } = fakeClient();
    const api = new Api(Deployment, { client });
    expect(api.status).toBe(api.status);
    expect(new Api(Deployment, { client }).status).not.toBe(api.status);
  });

  it("throw SubresourceNotSupported where the kind lacks the subresource (plain JS, casts)", () => {
    const { client } = fakeClient();
    const loose = new Api(ConfigMap, { client }) as unknown as Record<string, unknown>;
    expect(() => loose.status).toThrow(SubresourceNotSupported);
    expect(() => loose.scale).toThrow("ConfigMap (v1) has no /scale subresource in this Kubernetes version");
    expect(() => loose.metadata).not.toThrow();
  });

  it("address the subresource path and decode to the kind", async () => {
    const { client, sent } = fakeClient([{ metadata: { name: "web" }, status: { replicas: 1 } }, { spec: { replicas: 2 } }]);
    const api = new Api(Deployment, { client, namespace: "ns" });
    expect(await api.status.patch("web", new MergePatch({ status: { replicas: 1 } }))).toBeInstanceOf(Deployment);
    await api.scale.replace("web", { spec: { replicas: 2 } });
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      "PATCH /apis/apps/v1/namespaces/ns/deployments/web/status",
      "PUT /apis/apps/v1/namespaces/ns/deployments/web/scale",
    ]);
    expect(JSON.parse(sent[1]!.body!)).toEqual({
      apiVersion: "autoscaling/v1",
      kind: "Scale",
      metadata: { name: "web" },
      spec: { replicas: 2 },
    });
  });

  it("metadata asks for PartialObjectMetadata", async () => {
    const { client, sent } = fakeClient([{ items: [] }]);
    await new Api(ConfigMap, { client }).metadata.list({ namespace: null });
    expect(sent[0]!.path).toBe("/api/v1/configmaps");
    expect(sent[0]!.headers?.accept).toBe("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
  });

  it("metadata.get, metadata.list and metadata.watch send one Accept each, with the same plain-JSON fallback", async () => {
    const { client, sent } = fakeClient([{ metadata: { name: "cm" } }]);
    await new Api(ConfigMap, { client, namespace: "ns" }).metadata.get("cm");
    const accepts: string[] = [];
    const transport = {
      ...client.transport,
      stream: async (request: { headers?: Record<string, string> }) => {
        accepts.push(request.headers!.accept!);
        return { status: 200, headers: {}, body: (async function* () {})(), close() {} };
      },
    };
    const watched = new Api(ConfigMap, { client: { ...client, transport }, namespace: "ns" }).metadata.watch();
    await watched.next();
    expect(sent[0]!.headers?.accept).toBe("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json");
    expect(accepts).toEqual([sent[0]!.headers?.accept]);
  });

  it("eviction posts an Eviction named after the pod, in its namespace", async () => {
    const { client, sent } = fakeClient([{ kind: "Status", status: "Success" }]);
    await new Api(Pod, { client, namespace: "ns" }).eviction.create("p");
    expect(sent[0]!.path).toBe("/api/v1/namespaces/ns/pods/p/eviction");
    expect(JSON.parse(sent[0]!.body!)).toEqual({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "p", namespace: "ns" } });
  });
});
