/**
 * CRD-to-types against the real kube-apiserver: install the fixture CRDs (namespaced
 * MyProxy with /status and /scale and two served versions, Gadget/GadgetSpec, cluster-scoped
 * Tenant), generate from the files and from the live cluster (`--from-cluster`), check both
 * give the same bytes (and the golden files), then drive the generated classes through
 * `Api<T>`: create, get, list, patch, status replace, scale patch, delete.
 *
 * Generated code goes to test/e2e/.generated-crd/ (ignored by git, removed afterwards) and is
 * imported dynamically; its types come from the identical golden files.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, ApplyPatch, MergePatch, NotFound, createClient, type Client } from "@kubex/runtime";
import { CustomResourceDefinition } from "@kubex/k8s-v1-36/apiextensions/v1";
import { Namespace } from "@kubex/k8s-v1-36/core/v1";
import { crdCommand } from "../../generator/src/crd/cli.js";

type ProxyModule = typeof import("../fixtures/crd-golden/kubex.example.com/v1/index.js");
type ProxyBetaModule = typeof import("../fixtures/crd-golden/kubex.example.com/v1beta1/index.js");
type TenantModule = typeof import("../fixtures/crd-golden/tenancy.kubex.example.com/v1alpha1/index.js");

const root = join(import.meta.dirname, "..", "..");
const crdDir = join(root, "test", "fixtures", "crds", "good");
const golden = join(root, "test", "fixtures", "crd-golden");
const crdFiles = ["myproxy.yaml", "gadgets.yaml", "tenant.yaml"].map((f) => join(crdDir, f));
const groups = ["kubex.example.com", "tenancy.kubex.example.com"];
const generated = join(import.meta.dirname, ".generated-crd");
const fieldManager = "kubex-e2e-crd";

let client: Client;
let crds: Api<CustomResourceDefinition>;
let ns: string;
const installed: string[] = [];

function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith(".ts")) out.set(relative(dir, full), readFileSync(full, "utf8"));
    }
  };
  walk(dir);
  return out;
}

async function generate(args: string[], out: string): Promise<{ code: number; err: string[] }> {
  const err: string[] = [];
  const code = await crdCommand([...args, ...groups.flatMap((g) => ["--group", g]), "--out", out], {
    log: () => undefined,
    error: (l) => err.push(l),
  });
  return { code, err };
}

async function waitEstablished(name: string): Promise<void> {
  const deadline = Date.now() + 90_000; // seconds normally; generous for a loaded machine
  for (;;) {
    const crd = await crds.get(name);
    if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
    if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after 90 s: ${JSON.stringify(crd.status?.conditions)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitGone(name: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    try {
      await crds.get(name);
    } catch (error) {
      if (error instanceof NotFound) return;
      throw error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`CRD ${name} still terminating after 90 s`);
}

async function importGenerated<M>(path: string): Promise<M> {
  return (await import(pathToFileURL(join(generated, "cluster", path)).href)) as M;
}

beforeAll(async () => {
  client = await createClient();
  crds = new Api(CustomResourceDefinition, { client });
  rmSync(generated, { recursive: true, force: true });
  mkdirSync(generated, { recursive: true });
  writeFileSync(join(generated, ".gitignore"), "*\n");
  const { parseAllDocuments } = await import("yaml");
  for (const file of crdFiles) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8")) as ReturnType<typeof parseAllDocuments> & unknown[]) {
      const body = doc.toJS() as { metadata: { name: string } } | null;
      if (!body) continue;
      const name = body.metadata.name;
      // A CRD left terminating by an interrupted run must be gone before it is applied again.
      const existing = await crds.get(name).catch((e: unknown) => (e instanceof NotFound ? undefined : Promise.reject(e)));
      if (existing?.metadata?.deletionTimestamp) await waitGone(name);
      await crds.patch(name, new ApplyPatch(body), { fieldManager, force: true });
      installed.push(name);
    }
  }
  for (const name of installed) await waitEstablished(name);
  ns = `kubex-crd-${randomBytes(3).toString("hex")}`;
  await new Api(Namespace, { client }).create({ metadata: { name: ns } });
});

afterAll(async () => {
  if (client === undefined) return;
  const namespaces = new Api(Namespace, { client });
  if (ns) {
    await namespaces.delete(ns).catch(() => undefined);
  }
  // Deleting a CRD deletes its objects (the apiserver's own cleanup controller).
  for (const name of installed) await crds.delete(name).catch(() => undefined);
  await client.close();
  rmSync(generated, { recursive: true, force: true });
});

describe("generation from files and from the cluster", () => {
  it("gives the same files, equal to the golden output", async () => {
    const fromFiles = await generate(crdFiles, join(generated, "files"));
    expect(fromFiles.err).toEqual([]);
    expect(fromFiles.code).toBe(0);
    const fromCluster = await generate(["--from-cluster", "--kubeconfig", process.env.KUBECONFIG!], join(generated, "cluster"));
    expect(fromCluster.err).toEqual([]);
    expect(fromCluster.code).toBe(0);
    const files = tree(join(generated, "files"));
    const cluster = tree(join(generated, "cluster"));
    expect([...files.keys()]).toEqual([
      "kubex.example.com/v1/index.ts",
      "kubex.example.com/v1beta1/index.ts",
      "tenancy.kubex.example.com/v1alpha1/index.ts",
    ]);
    expect([...cluster]).toEqual([...files]);
    for (const [path, text] of files) expect(text, path).toBe(readFileSync(join(golden, path), "utf8"));
  });
});

describe("generated classes through Api<T>", () => {
  it("namespaced MyProxy: create, get, list, patch, status replace, scale get/patch, delete", async () => {
    const { MyProxy } = await importGenerated<ProxyModule>("kubex.example.com/v1/index.ts");
    const proxies = new Api(MyProxy, { client, namespace: ns });
    const created = await proxies.create(
      new MyProxy({
        metadata: { name: "edge", labels: { app: "edge" } },
        spec: { backends: [{ name: "a", address: "a.example.com" }], port: "http", plugins: { rateLimit: 5, custom: { x: 1 } } },
      }),
      { fieldManager },
    );
    expect(created).toBeInstanceOf(MyProxy);
    expect(created.apiVersion).toBe("kubex.example.com/v1");
    // Defaults and preserved unknown fields come back from the server.
    expect(created.spec).toMatchObject({ replicas: 1, mode: "RoundRobin", port: "http", plugins: { rateLimit: 5, custom: { x: 1 } } });
    expect(created.spec?.backends[0]).toEqual({ name: "a", address: "a.example.com", weight: 100 });

    expect((await proxies.get("edge")).metadata?.uid).toBe(created.metadata?.uid);
    const list = await proxies.list({ labelSelector: "app=edge" });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(["edge"]);

    const patched = await proxies.patch("edge", new MergePatch({ spec: { mode: "Random", maxReplicas: 5 } }));
    expect(patched.spec?.mode).toBe("Random");

    // The CEL rule on the spec is enforced by the server.
    await expect(proxies.patch("edge", new MergePatch({ spec: { replicas: 9 } }))).rejects.toThrow(/replicas must not exceed maxReplicas/);

    const withStatus = await proxies.status.replace("edge", {
      ...patched,
      status: { replicas: 1, selector: "app=edge", conditions: [{ type: "Ready", status: "True" }] },
    });
    expect(withStatus.status?.conditions).toEqual([{ type: "Ready", status: "True" }]);
    expect((await proxies.status.get("edge")).status?.replicas).toBe(1);

    const scale = await proxies.scale.get("edge");
    expect(scale.spec?.replicas).toBe(1);
    expect(scale.status?.selector).toBe("app=edge");
    await proxies.scale.patch("edge", new MergePatch({ spec: { replicas: 3 } }));
    expect((await proxies.get("edge")).spec?.replicas).toBe(3);

    await proxies.delete("edge");
    await expect(proxies.get("edge")).rejects.toBeInstanceOf(NotFound);
  });

  it("the second served version (v1beta1, deprecated) reads the same object", async () => {
    const { MyProxy } = await importGenerated<ProxyModule>("kubex.example.com/v1/index.ts");
    const { MyProxy: MyProxyBeta } = await importGenerated<ProxyBetaModule>("kubex.example.com/v1beta1/index.ts");
    await new Api(MyProxy, { client, namespace: ns }).create(
      new MyProxy({ metadata: { name: "both" }, spec: { backends: [{ name: "a", address: "a" }] } }),
    );
    const beta = new Api(MyProxyBeta, { client, namespace: ns });
    const read = await beta.get("both");
    expect(read).toBeInstanceOf(MyProxyBeta);
    expect(read.apiVersion).toBe("kubex.example.com/v1beta1");
    await beta.scale.patch("both", new MergePatch({ spec: { replicas: 2 } }));
    expect((await beta.get("both")).spec?.replicas).toBe(2);
    await beta.delete("both");
  });

  it("cluster-scoped Tenant: create, get, list, patch, status replace, delete; a namespace is refused", async () => {
    const { Tenant } = await importGenerated<TenantModule>("tenancy.kubex.example.com/v1alpha1/index.ts");
    const tenants = new Api(Tenant, { client });
    const name = `t-${randomBytes(3).toString("hex")}`;
    const created = await tenants.create(new Tenant({ metadata: { name }, spec: { owner: "team-a", quota: { pods: 10, memory: "1Gi" } } }));
    expect(created.metadata?.namespace).toBeUndefined();
    expect(created.spec?.quota).toEqual({ pods: 10, memory: "1Gi" });
    expect((await tenants.get(name)).spec?.owner).toBe("team-a");
    expect((await tenants.list()).items.map((t) => t.metadata?.name)).toContain(name);
    await tenants.patch(name, new MergePatch({ spec: { namespaces: ["a", "b"] } }));
    const status = await tenants.status.replace(name, { ...(await tenants.get(name)), status: { phase: "Active" } });
    expect(status.status?.phase).toBe("Active");
    expect(() => new Api(Tenant, { client, namespace: "default" })).toThrow(/cluster/i);
    await tenants.delete(name);
    await expect(tenants.get(name)).rejects.toBeInstanceOf(NotFound);
  });
});
