/**
 * Every verb and option of `Api<T>` against the real kube-apiserver. This file works in a
 * namespace of its own, created here and deleted at the end.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Api,
  ApplyPatch,
  Conflict,
  InvalidRequest,
  JsonPatch,
  MergePatch,
  NotFound,
  RequestAborted,
  StrategicMergePatch,
  UnprocessableEntity,
  createApi,
  createClient,
  type Client,
  type Status,
} from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-36/apps/v1";
import { ConfigMap, Namespace } from "@kubex/k8s-v1-36/core/v1";

let client: Client;
let ns: string;
let configMaps: Api<ConfigMap>;
let deployments: Api<Deployment>;

beforeAll(async () => {
  client = await createClient();
  ns = `kubex-api-verbs-${randomBytes(3).toString("hex")}`;
  await new Api(Namespace, { client }).create({ metadata: { name: ns } });
  configMaps = new Api(ConfigMap, { client, namespace: ns });
  deployments = new Api(Deployment, { client, namespace: ns });
});

afterAll(async () => {
  if (client === undefined) return;
  const namespaces = new Api(Namespace, { client });
  // The namespace controller deletes what is left inside, then the namespace.
  await configMaps.deleteCollection({ gracePeriodSeconds: 0 }).catch(() => undefined);
  await deployments.deleteCollection({ gracePeriodSeconds: 0 }).catch(() => undefined);
  await namespaces.delete(ns).catch(() => undefined);
  await client.close();
});

function deployment(name: string, containers = [{ name: "app", image: "nginx:1" }]): Deployment {
  return new Deployment({
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  });
}

describe("create, get, list, replace, delete", () => {
  it("round-trips an object and fills apiVersion/kind", async () => {
    const created = await configMaps.create(new ConfigMap({ metadata: { name: "basic", labels: { suite: "basic" } }, data: { a: "1" } }));
    expect(created).toBeInstanceOf(ConfigMap);
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    const read = await configMaps.get("basic");
    expect(read).toMatchObject({ apiVersion: "v1", kind: "ConfigMap", data: { a: "1" } });
    read.data = { a: "2" };
    const replaced = await configMaps.replace("basic", read);
    expect(replaced.data).toEqual({ a: "2" });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));
    const status = (await configMaps.delete("basic")) as Status;
    expect(status.kind).toBe("Status");
    await expect(configMaps.get("basic")).rejects.toBeInstanceOf(NotFound);
  });

  it("generateName gets a server-assigned name", async () => {
    const created = await configMaps.create({ metadata: { generateName: "gen-" } });
    expect(created.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect((await configMaps.get(created.metadata!.name!)).metadata?.uid).toBe(created.metadata?.uid);
  });

  it("filters by label and field selectors, and lists all namespaces with namespace: null", async () => {
    await configMaps.create({ metadata: { name: "sel-a", labels: { sel: "yes", run: ns } } });
    await configMaps.create({ metadata: { name: "sel-b", labels: { sel: "no", run: ns } } });
    const byLabel = await configMaps.list({ labelSelector: { sel: "yes" } });
    expect(byLabel.items.map((c) => c.metadata?.name)).toEqual(["sel-a"]);
    const byField = await configMaps.list({ fieldSelector: "metadata.name=sel-b" });
    expect(byField.items.map((c) => c.metadata?.name)).toEqual(["sel-b"]);
    const everywhere = await configMaps.list({ namespace: null, labelSelector: `sel in (yes,no),run=${ns}` });
    expect(everywhere.items.map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`).sort()).toEqual([`${ns}/sel-a`, `${ns}/sel-b`]);
    const cached = await configMaps.list({ resourceVersion: "0", resourceVersionMatch: "NotOlderThan", labelSelector: "sel" });
    expect(cached.items).toHaveLength(2);
  });

  it("replace with a stale resourceVersion is a Conflict", async () => {
    const first = await configMaps.create({ metadata: { name: "stale" }, data: { v: "1" } });
    await configMaps.patch("stale", new MergePatch({ data: { v: "2" } }));
    first.data = { v: "3" };
    const error = await configMaps.replace("stale", first).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Conflict);
    expect((error as Conflict).status.reason).toBe("Conflict");
    expect((await configMaps.get("stale")).data).toEqual({ v: "2" });
  });

  it("delete with a wrong preconditions.uid is a Conflict; the right uid deletes", async () => {
    const created = await configMaps.create({ metadata: { name: "precond" } });
    await expect(configMaps.delete("precond", { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } })).rejects.toBeInstanceOf(
      Conflict,
    );
    expect((await configMaps.get("precond")).metadata?.uid).toBe(created.metadata?.uid);
    await configMaps.delete("precond", {
      preconditions: { uid: created.metadata!.uid! },
      gracePeriodSeconds: 0,
      propagationPolicy: "Background",
    });
    await expect(configMaps.get("precond")).rejects.toBeInstanceOf(NotFound);
  });

  it("delete answers the object while a finalizer holds it", async () => {
    await configMaps.create({ metadata: { name: "held", finalizers: ["example.com/hold"] } });
    const answer = await configMaps.delete("held");
    expect(answer).toBeInstanceOf(ConfigMap);
    expect((answer as ConfigMap).metadata?.deletionTimestamp).toBeTruthy();
    await configMaps.patch("held", new MergePatch({ metadata: { finalizers: null } }));
    await expect(configMaps.get("held")).rejects.toBeInstanceOf(NotFound);
  });

  it("deleteCollection deletes what the selector matches, and only that", async () => {
    for (const name of ["dc-1", "dc-2"]) await configMaps.create({ metadata: { name, labels: { batch: "dc" } } });
    await configMaps.create({ metadata: { name: "dc-keep" } });
    const answer = await configMaps.deleteCollection({ labelSelector: "batch=dc" });
    expect(["Status", "ConfigMapList"]).toContain(answer.kind);
    expect((await configMaps.list({ labelSelector: "batch=dc" })).items).toHaveLength(0);
    expect((await configMaps.get("dc-keep")).metadata?.name).toBe("dc-keep");
  });

  it("an invalid object is UnprocessableEntity whose causes name the fields", async () => {
    const bad = deployment("invalid");
    bad.spec!.replicas = -1;
    bad.spec!.template!.spec!.containers[0]!.name = "Not_A_Name";
    const error = await deployments.create(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntity);
    const fields = (error as UnprocessableEntity).status.details?.causes?.map((c) => c.field);
    expect(fields).toEqual(expect.arrayContaining(["spec.replicas", "spec.template.spec.containers[0].name"]));
  });

  it("an aborted signal stops the call", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(configMaps.list({ signal: controller.signal })).rejects.toBeInstanceOf(RequestAborted);
    await expect(configMaps.get("anything", { signal: controller.signal })).rejects.toBeInstanceOf(RequestAborted);
  });

  it("rejects a namespaced call without namespace before sending", async () => {
    const noDefault = new Api(ConfigMap, { client, namespace: null });
    await expect(noDefault.get("x")).rejects.toBeInstanceOf(InvalidRequest);
    await expect(new Api(Namespace, { client }).list({ namespace: ns })).rejects.toBeInstanceOf(InvalidRequest);
  });
});

describe("dryRun", () => {
  it("create, patch and delete with dryRun persist nothing", async () => {
    const dry = await configMaps.create({ metadata: { name: "dry" }, data: { a: "1" } }, { dryRun: true });
    expect(dry.metadata?.name).toBe("dry");
    await expect(configMaps.get("dry")).rejects.toBeInstanceOf(NotFound);

    await configMaps.create({ metadata: { name: "dry" }, data: { a: "1" } });
    const patched = await configMaps.patch("dry", new MergePatch({ data: { a: "2" } }), { dryRun: "All" });
    expect(patched.data).toEqual({ a: "2" });
    await configMaps.delete("dry", { dryRun: true });
    expect((await configMaps.get("dry")).data).toEqual({ a: "1" });
    await configMaps.deleteCollection({ fieldSelector: "metadata.name=dry", dryRun: true });
    expect((await configMaps.get("dry")).data).toEqual({ a: "1" });
  });
});

describe("patches", () => {
  it("merge patch: null deletes a key", async () => {
    await configMaps.create({ metadata: { name: "merge", labels: { keep: "1", drop: "1" } }, data: { a: "1", b: "2" } });
    const patched = await configMaps.patch("merge", new MergePatch({ metadata: { labels: { drop: null } }, data: { b: null, c: "3" } }));
    expect(patched.metadata?.labels).toEqual({ keep: "1" });
    expect(patched.data).toEqual({ a: "1", c: "3" });
  });

  it("strategic merge patch merges the container list by name (a merge patch replaces it)", async () => {
    await deployments.create(
      deployment("smp", [
        { name: "app", image: "nginx:1" },
        { name: "side", image: "busybox:1" },
      ]),
    );
    const smp = await deployments.patch(
      "smp",
      new StrategicMergePatch({ spec: { template: { spec: { containers: [{ name: "side", image: "busybox:2" }] } } } }),
    );
    expect(smp.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(["app=nginx:1", "side=busybox:2"]);
    const merge = await deployments.patch(
      "smp",
      new MergePatch({ spec: { template: { spec: { containers: [{ name: "side", image: "busybox:3" }] } } } }),
    );
    expect(merge.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(["side=busybox:3"]);
  });

  it("JSON patch: a failing test rejects the whole patch (UnprocessableEntity)", async () => {
    await configMaps.create({ metadata: { name: "jsonpatch", annotations: { "example.com/owner": "a" } }, data: { v: "1" } });
    const failing = new JsonPatch().test("/data/v", "wrong").replace("/data/v", "2");
    await expect(configMaps.patch("jsonpatch", failing)).rejects.toBeInstanceOf(UnprocessableEntity);
    expect((await configMaps.get("jsonpatch")).data).toEqual({ v: "1" });
    const passing = new JsonPatch()
      .test("/data/v", "1")
      .replace(["metadata", "annotations", "example.com/owner"], "b")
      .copy("/data/v", "/data/w")
      .move("/data/v", "/data/x")
      .add("/data/y", "4")
      .remove("/data/y");
    const patched = await configMaps.patch("jsonpatch", passing);
    expect(patched.data).toEqual({ w: "1", x: "1" });
    expect(patched.metadata?.annotations?.["example.com/owner"]).toBe("b");
  });

  it("server-side apply: two managers conflict, force wins", async () => {
    const body = { metadata: { name: "apply" }, data: { owned: "by-alice" } };
    const first = await configMaps.patch("apply", new ApplyPatch(body), { fieldManager: "alice" });
    expect(first.data).toEqual({ owned: "by-alice" });
    const bobs = new ApplyPatch({ data: { owned: "by-bob" } });
    const error = await configMaps.patch("apply", bobs, { fieldManager: "bob" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Conflict);
    expect((error as Conflict).status.details?.causes?.[0]?.field).toBe(".data.owned");
    const forced = await configMaps.patch("apply", bobs, { fieldManager: "bob", force: true });
    expect(forced.data).toEqual({ owned: "by-bob" });
    expect(forced.metadata?.managedFields?.find((f) => f.manager === "bob")?.operation).toBe("Apply");
  });

  it("apply without fieldManager fails before sending", async () => {
    await expect(configMaps.patch("apply", new ApplyPatch({ data: {} }))).rejects.toThrow(/needs options.fieldManager/);
  });

  it("fieldManager and fieldValidation reach the server", async () => {
    const created = await configMaps.create({ metadata: { name: "fm" }, data: { a: "1" } }, { fieldManager: "creator" });
    expect(created.metadata?.managedFields?.map((f) => f.manager)).toContain("creator");
    const strict = configMaps.create({ metadata: { name: "fv" }, unknownField: 1 } as never, { fieldValidation: "Strict" });
    await expect(strict).rejects.toThrow(/unknown field "unknownField"/);
  });
});

describe("pagination", () => {
  it("listAll pages through 250 objects 100 at a time", async () => {
    const names = Array.from({ length: 250 }, (_, i) => `page-${String(i).padStart(3, "0")}`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map((name) => configMaps.create({ metadata: { name, labels: { paged: "yes" } } })));
    }
    const first = await configMaps.list({ labelSelector: "paged=yes", limit: 100 });
    expect(first.items).toHaveLength(100);
    expect(first.metadata.continue).toBeTruthy();
    const second = await configMaps.list({ labelSelector: "paged=yes", limit: 100, continueToken: first.metadata.continue! });
    expect(second.items[0]?.metadata?.name).toBe("page-100");

    const seen: string[] = [];
    const iterator = configMaps.listAll({ labelSelector: "paged=yes", limit: 100 });
    for await (const item of iterator) seen.push(item.metadata!.name!);
    expect(seen).toEqual(names);
  }, 120_000);
});

describe("createApi", () => {
  it("makes and owns a client when none is given, and closes it with the Api", async () => {
    let owned: Api<ConfigMap>;
    {
      await using api = await createApi(ConfigMap, { namespace: ns });
      owned = api;
      expect((await api.list({ limit: 1 })).kind).toBe("ConfigMapList");
    }
    await expect(owned.list({ limit: 1 })).rejects.toThrow(/the client is closed/);
  });

  it("leaves a given client open when the Api closes", async () => {
    const borrowed = await createApi(ConfigMap, { client, namespace: ns });
    await borrowed.close();
    expect((await borrowed.list({ limit: 1 })).kind).toBe("ConfigMapList");
    expect(borrowed.client).toBe(client);
  });
});
