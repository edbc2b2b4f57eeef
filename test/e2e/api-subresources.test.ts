/**
 * Subresource accessors against the real kube-apiserver. Controllers run (kube-controller-manager),
 * so status writes use a Service (no controller owns its status without a cloud provider), pods
 * that must stay unscheduled have a nodeSelector no node matches, and the namespace that must
 * stay Terminating holds a finalizer of ours. Works in a namespace of its own, deleted at the end.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Api,
  ApplyPatch,
  Conflict,
  JsonPatch,
  MergePatch,
  NotFound,
  StrategicMergePatch,
  UnprocessableEntity,
  createClient,
  type Client,
  type Status,
} from "@kubex/runtime";
import { Deployment, StatefulSet } from "@kubex/k8s-v1-36/apps/v1";
import { CertificateSigningRequest } from "@kubex/k8s-v1-36/certificates/v1";
import { ConfigMap, Namespace, Pod, Service, ServiceAccount } from "@kubex/k8s-v1-36/core/v1";

let client: Client;
let ns: string;
let namespaces: Api<Namespace>;

beforeAll(async () => {
  client = await createClient();
  namespaces = new Api(Namespace, { client });
  ns = `kubex-api-sub-${randomBytes(3).toString("hex")}`;
  await namespaces.create({ metadata: { name: ns } });
});

afterAll(async () => {
  if (client === undefined) return;
  // The namespace controller deletes what is inside, then the namespace.
  await namespaces.delete(ns).catch(() => undefined);
  await client.close();
});

const labels = (name: string) => ({ app: name });
function deployment(name: string): Deployment {
  return new Deployment({
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels(name) },
      template: { metadata: { labels: labels(name) }, spec: { containers: [{ name: "app", image: "nginx:1" }] } },
    },
  });
}
/** A pod the scheduler leaves Pending: no node has this label. */
function pod(name: string): Pod {
  return new Pod({
    metadata: { name },
    spec: {
      nodeSelector: { "kubex.test/no-such-node": "true" },
      containers: [{ name: "app", image: "nginx:1", resources: { requests: { cpu: "100m" }, limits: { cpu: "200m" } } }],
    },
  });
}

describe("status", () => {
  it("status writes ignore spec changes, spec writes ignore status", async () => {
    // A Service: without a cloud provider no controller writes its status, so what we write stays.
    const services = new Api(Service, { client, namespace: ns });
    await services.create({
      metadata: { name: "status" },
      spec: { type: "LoadBalancer", selector: labels("status"), ports: [{ port: 80 }] },
    });
    const ingress = (ip: string) => ({ loadBalancer: { ingress: [{ ip }] } });

    const current = await services.status.get("status");
    current.spec!.ports![0]!.port = 81;
    current.status = ingress("192.0.2.1");
    const afterStatus = await services.status.replace("status", current);
    expect(afterStatus.status).toMatchObject(ingress("192.0.2.1"));
    expect(afterStatus.spec?.ports?.[0]?.port).toBe(80);

    const read = await services.get("status");
    read.spec!.ports![0]!.port = 82;
    read.status = ingress("192.0.2.99");
    const afterSpec = await services.replace("status", read);
    expect(afterSpec.spec?.ports?.[0]?.port).toBe(82);
    expect(afterSpec.status).toMatchObject(ingress("192.0.2.1"));

    const patched = await services.status.patch(
      "status",
      new MergePatch({ status: ingress("192.0.2.2"), spec: { ports: [{ port: 83 }] } }),
    );
    expect(patched.status).toMatchObject(ingress("192.0.2.2"));
    expect(patched.spec?.ports?.[0]?.port).toBe(82);
    const json = await services.status.patch("status", new JsonPatch().replace("/status/loadBalancer/ingress/0/ip", "192.0.2.3"));
    expect(json.status).toMatchObject(ingress("192.0.2.3"));
    const applied = await services.status.patch(
      "status",
      new ApplyPatch({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "status" },
        status: {
          conditions: [{ type: "KubexTest", status: "True", reason: "Applied", message: "", lastTransitionTime: "2026-01-01T00:00:00Z" }],
        },
      }),
      { fieldManager: "status-writer", force: true },
    );
    expect(applied.status?.conditions?.map((c) => c.type)).toEqual(["KubexTest"]);
    expect(applied.status).toMatchObject(ingress("192.0.2.3"));
  });
});

describe("scale", () => {
  it("reads and writes a Deployment's replicas through /scale", async () => {
    const deployments = new Api(Deployment, { client, namespace: ns });
    await deployments.create(deployment("scaled"));
    const scale = await deployments.scale.get("scaled");
    expect(scale).toMatchObject({ apiVersion: "autoscaling/v1", kind: "Scale", spec: { replicas: 1 } });
    const patched = await deployments.scale.patch("scaled", new MergePatch({ spec: { replicas: 3 } }));
    expect(patched.spec?.replicas).toBe(3);
    expect((await deployments.get("scaled")).spec?.replicas).toBe(3);
    // No resourceVersion: the Deployment controller writes the object's status meanwhile, which would make a conditional replace conflict.
    const replaced = await deployments.scale.replace("scaled", {
      apiVersion: "autoscaling/v1",
      kind: "Scale",
      metadata: { name: "scaled", namespace: ns },
      spec: { replicas: 2 },
    });
    expect(replaced.spec?.replicas).toBe(2);
    expect((await deployments.get("scaled")).spec?.replicas).toBe(2);
  });

  it("scales a StatefulSet", async () => {
    const statefulSets = new Api(StatefulSet, { client, namespace: ns });
    await statefulSets.create({
      metadata: { name: "db" },
      spec: {
        replicas: 1,
        serviceName: "db",
        selector: { matchLabels: labels("db") },
        template: { metadata: { labels: labels("db") }, spec: { containers: [{ name: "db", image: "postgres:16" }] } },
      },
    });
    const scaled = await statefulSets.scale.patch("db", new MergePatch({ spec: { replicas: 4 } }));
    expect(scaled.spec?.replicas).toBe(4);
    expect(scaled.status?.selector).toBe("app=db");
    expect((await statefulSets.get("db")).spec?.replicas).toBe(4);
  });
});

describe("pods", () => {
  it("eviction deletes an unscheduled pod", async () => {
    const pods = new Api(Pod, { client, namespace: ns });
    await pods.create(pod("evicted"));
    const status: Status = await pods.eviction.create("evicted");
    expect(status.status).toBe("Success");
    await expect(pods.get("evicted")).rejects.toBeInstanceOf(NotFound);
  });

  it("eviction of a missing pod is NotFound", async () => {
    await expect(new Api(Pod, { client, namespace: ns }).eviction.create("no-such-pod")).rejects.toBeInstanceOf(NotFound);
  });

  it("ephemeralContainers adds a debug container", async () => {
    const pods = new Api(Pod, { client, namespace: ns });
    await pods.create(pod("debugged"));
    const patched = await pods.ephemeralContainers.patch(
      "debugged",
      new StrategicMergePatch({ spec: { ephemeralContainers: [{ name: "debug", image: "busybox:1", targetContainerName: "app" }] } }),
    );
    expect(patched.spec?.ephemeralContainers?.map((c) => c.name)).toEqual(["debug"]);
    // Read-modify-write: the scheduler writes this Pod's status (Unschedulable) whenever it
    // tries it, so a replace may meet a Conflict; read again and retry (what is tested is the
    // subresource's effect, not who wins the race).
    let replaced: Pod | undefined;
    for (let attempt = 0; replaced === undefined; attempt++) {
      const read = await pods.ephemeralContainers.get("debugged");
      expect(read.spec?.ephemeralContainers?.[0]?.image).toBe("busybox:1");
      read.spec!.ephemeralContainers!.push({ name: "debug2", image: "busybox:1" });
      try {
        replaced = await pods.ephemeralContainers.replace("debugged", read);
      } catch (error) {
        if (!(error instanceof Conflict) || attempt >= 10) throw error;
      }
    }
    expect(replaced.spec?.ephemeralContainers?.map((c) => c.name)).toEqual(["debug", "debug2"]);
  });

  it("resize changes container resources through /resize only", async () => {
    const pods = new Api(Pod, { client, namespace: ns });
    await pods.create(pod("resized"));
    const resources = { requests: { cpu: "150m" }, limits: { cpu: "300m" } };
    const patch = new StrategicMergePatch({ spec: { containers: [{ name: "app", resources }] } });
    // The pod itself refuses the change; its /resize subresource takes it.
    await expect(pods.patch("resized", patch)).rejects.toBeInstanceOf(UnprocessableEntity);
    const resized = await pods.resize.patch("resized", patch);
    expect(resized.spec?.containers[0]?.resources).toEqual(resources);
    expect((await pods.resize.get("resized")).spec?.containers[0]?.resources?.limits).toEqual({ cpu: "300m" });
  });

  it("binding assigns a pod to a node", async () => {
    const pods = new Api(Pod, { client, namespace: ns });
    await pods.create(pod("bound"));
    const status = await pods.binding.create("bound", { target: { apiVersion: "v1", kind: "Node", name: "some-node" } });
    expect(status.status).toBe("Success");
    expect((await pods.get("bound")).spec?.nodeName).toBe("some-node");
  });
});

describe("token", () => {
  it("issues a ServiceAccount token for the requested audience", async () => {
    const serviceAccounts = new Api(ServiceAccount, { client, namespace: ns });
    await serviceAccounts.create({ metadata: { name: "robot" } });
    const answer = await serviceAccounts.token.create("robot", { spec: { audiences: ["kubex-test"], expirationSeconds: 600 } });
    expect(answer.kind).toBe("TokenRequest");
    const token = answer.status?.token ?? "";
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { sub: string; aud: string[] };
    expect(payload.sub).toBe(`system:serviceaccount:${ns}:robot`);
    expect(payload.aud).toEqual(["kubex-test"]);
    expect(Date.parse(answer.status!.expirationTimestamp)).toBeGreaterThan(Date.now());
  });
});

describe("approval", () => {
  it("approves a CertificateSigningRequest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubex-csr-"));
    let request: string;
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-new",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          join(dir, "k.pem"),
          "-out",
          join(dir, "r.pem"),
          "-subj",
          "/CN=kubex-e2e",
        ],
        { stdio: "ignore" },
      );
      request = readFileSync(join(dir, "r.pem")).toString("base64");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const csrs = new Api(CertificateSigningRequest, { client });
    const name = `${ns}-csr`;
    await csrs.create({ metadata: { name }, spec: { request, signerName: "example.com/kubex", usages: ["client auth"] } });
    try {
      const current = await csrs.approval.get(name);
      current.status = { conditions: [{ type: "Approved", status: "True", reason: "KubexE2E", message: "approved by the test" }] };
      const approved = await csrs.approval.replace(name, current);
      expect(approved.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(["Approved=True"]);
      // The approval is stored on the object.
      expect((await csrs.get(name)).status?.conditions?.[0]?.reason).toBe("KubexE2E");
    } finally {
      await csrs.delete(name);
    }
  });
});

describe("finalize", () => {
  it("a deleted namespace stays Terminating until /finalize clears its finalizers", async () => {
    const name = `${ns}-fin`;
    // The namespace controller removes only the "kubernetes" finalizer; ours holds the namespace.
    await namespaces.create({ metadata: { name }, spec: { finalizers: ["kubex.test/hold"] } });
    const answer = await namespaces.delete(name);
    expect(answer).toBeInstanceOf(Namespace);
    expect((await namespaces.get(name)).status?.phase).toBe("Terminating");
    const finalized = await namespaces.finalize.replace(name, { metadata: { name }, spec: { finalizers: [] } });
    expect(finalized.spec?.finalizers ?? []).toEqual([]);
    await expect(namespaces.get(name)).rejects.toBeInstanceOf(NotFound);
  });
});

describe("metadata", () => {
  it("lists, gets and patches objects as PartialObjectMetadata", async () => {
    const configMaps = new Api(ConfigMap, { client, namespace: ns });
    for (const name of ["meta-1", "meta-2"])
      await configMaps.create({ metadata: { name, labels: { meta: "yes" } }, data: { big: "x".repeat(1000) } });
    const list = await configMaps.metadata.list({ labelSelector: "meta=yes" });
    expect(list.kind).toBe("PartialObjectMetadataList");
    expect(list.items.map((i) => i.metadata.name)).toEqual(["meta-1", "meta-2"]);
    expect(list.items[0]).not.toHaveProperty("data");
    expect(list.items[0]?.kind).toBe("PartialObjectMetadata");
    const one = await configMaps.metadata.get("meta-1");
    expect(one.metadata.labels).toEqual({ meta: "yes" });
    const patched = await configMaps.metadata.patch("meta-1", new MergePatch({ metadata: { annotations: { note: "hi" } } }));
    expect(patched.kind).toBe("PartialObjectMetadata");
    expect(patched.metadata.annotations).toEqual({ note: "hi" });
    const all: string[] = [];
    for await (const item of configMaps.metadata.listAll({ labelSelector: "meta=yes", limit: 1 })) all.push(item.metadata.name!);
    expect(all).toEqual(["meta-1", "meta-2"]);
    const clusterWide = await namespaces.metadata.list({ fieldSelector: `metadata.name=${ns}` });
    expect(clusterWide.items.map((i) => i.metadata.name)).toEqual([ns]);
  });

  it("gives an empty array for an empty list (the server sends items: null)", async () => {
    const configMaps = new Api(ConfigMap, { client, namespace: ns });
    const empty = await configMaps.metadata.list({ labelSelector: "nothing=matches" });
    expect(empty.items).toEqual([]);
  });
});
