/**
 * Watch against the real kube-apiserver: bookmarks, watch-list (sendInitialEvents),
 * Gone for an expired resourceVersion, metadata-only watches, typed errors for bad
 * selectors and forbidden watches. Works in a namespace of its own.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Api,
  BadRequest,
  Forbidden,
  Gone,
  KubernetesObject,
  TooManyRequests,
  createClient,
  type Client,
  type ResumableWatchEvent,
} from "@kubex/runtime";
import { CustomResourceDefinition } from "@kubex/k8s-v1-36/apiextensions/v1";
import { ConfigMap, Namespace } from "@kubex/k8s-v1-36/core/v1";
import { loadClusterState } from "../cluster/state.js";

let client: Client;
let ns: string;
let configMaps: Api<ConfigMap>;

beforeAll(async () => {
  client = await createClient();
  ns = `kubex-watch-${randomBytes(3).toString("hex")}`;
  await new Api(Namespace, { client }).create({ metadata: { name: ns } });
  configMaps = new Api(ConfigMap, { client, namespace: ns });
});

/** A custom kind in a group of this run's own, so its watch cache is created by this test. */
const probeGroup = `w${randomBytes(3).toString("hex")}.watch.kubex.example.com`;
const probeCrdName = `watchprobes.${probeGroup}`;
let probeCrdCreated = false;

class WatchProbe extends KubernetesObject {
  static readonly resource = {
    group: probeGroup,
    version: "v1",
    kind: "WatchProbe",
    plural: "watchprobes",
    scope: "Namespaced",
    listKind: "WatchProbeList",
    subresources: [],
  } as const;
  declare spec?: { n?: number };
}

/** Creates the WatchProbe CRD, waits until it is Established, and returns an Api for it in the test namespace. */
async function probeKind(): Promise<Api<WatchProbe>> {
  const crds = new Api(CustomResourceDefinition, { client });
  await crds.create({
    metadata: { name: probeCrdName },
    spec: {
      group: probeGroup,
      scope: "Namespaced",
      names: { plural: "watchprobes", singular: "watchprobe", kind: "WatchProbe", listKind: "WatchProbeList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  });
  probeCrdCreated = true;
  const deadline = Date.now() + 90_000; // seconds normally; generous for a loaded machine
  for (;;) {
    const crd = await crds.get(probeCrdName);
    if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
    if (Date.now() > deadline) throw new Error(`CRD ${probeCrdName} not Established after 90 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return new Api(WatchProbe, { client, namespace: ns });
}

/** The error `attempt` fails with, retried while the new kind's watch cache is still initialising (429). */
async function untilCacheReady(attempt: () => Promise<unknown>): Promise<unknown> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const outcome = await attempt().then(
      () => "events",
      (error: unknown) => error,
    );
    if (!(outcome instanceof TooManyRequests) || Date.now() > deadline) return outcome;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

afterAll(async () => {
  if (client === undefined) return;
  if (probeCrdCreated) await new Api(CustomResourceDefinition, { client }).delete(probeCrdName).catch(() => undefined);
  const namespaces = new Api(Namespace, { client });
  await configMaps.deleteCollection({ gracePeriodSeconds: 0 }).catch(() => undefined);
  await namespaces.delete(ns).catch(() => undefined);
  await client.close();
});

// Room for the 90 s CRD wait plus the watch cache's start in the Gone test.
describe("watch against the apiserver", { timeout: 180_000 }, () => {
  it("delivers changes as typed events, as instances of the kind", async () => {
    const list = await configMaps.list();
    const events = configMaps.watch({ resourceVersion: list.metadata.resourceVersion });
    const created = await configMaps.create({ metadata: { name: "typed" }, data: { a: "1" } });
    await configMaps.patch("typed", new (await import("@kubex/runtime")).MergePatch({ data: { a: "2" } }));
    await configMaps.delete("typed");
    const seen: string[] = [];
    for await (const event of events) {
      if (event.type === "BOOKMARK") continue;
      expect(event.object).toBeInstanceOf(ConfigMap);
      seen.push(`${event.type}:${event.object.data?.a}`);
      if (event.type === "DELETED") break;
    }
    expect(seen).toEqual(["ADDED:1", "MODIFIED:2", "DELETED:2"]);
    expect(created.metadata?.name).toBe("typed");
  });

  it("bookmarks arrive when asked: with timeoutSeconds 5, one about 2 s before the end, then a clean end", async () => {
    // The server sends a bookmark only when its version has moved past the watcher's:
    // make progress with an object the watch's selector excludes.
    const list = await configMaps.list();
    const started = performance.now();
    const bookmarks: { at: number; resourceVersion: string }[] = [];
    let progress: string | undefined;
    setTimeout(
      () => void configMaps.create({ metadata: { generateName: "progress-" } }).then((c) => (progress = c.metadata?.resourceVersion)),
      800,
    );
    for await (const event of configMaps.watch({
      resourceVersion: list.metadata.resourceVersion,
      labelSelector: { suite: "bookmark" },
      allowWatchBookmarks: true,
      timeoutSeconds: 5,
    })) {
      expect(event.type).toBe("BOOKMARK");
      if (event.type === "BOOKMARK") bookmarks.push({ at: performance.now() - started, resourceVersion: event.resourceVersion });
    }
    // At least our progress write's version: other ConfigMap writes (kube-controller-manager's
    // kube-root-ca.crt, namespaces of earlier files still being emptied) may move it further.
    expect(progress).toBeDefined();
    expect(Number(bookmarks[0]?.resourceVersion)).toBeGreaterThanOrEqual(Number(progress));
    expect(bookmarks.map((b) => b.at)).toEqual(bookmarks.map((b) => b.at).sort((a, b) => a - b));
    const first = bookmarks[0]!.at;
    const ended = performance.now() - started;
    expect(bookmarks.length).toBeGreaterThanOrEqual(1);
    // Lower bounds from the request: the server's 5 s clock starts when the request reaches
    // it, so a slow machine only makes these later.
    expect(first).toBeGreaterThan(1500);
    expect(ended).toBeGreaterThan(4500);
    // "About 2 s before the end" is measured between the two, both timed by the server (it
    // schedules the bookmark 2 s before its deadline, on a 1 s tick): a slow request or a slow
    // start of the watch on a loaded machine shifts both alike.
    expect(ended - first).toBeGreaterThan(250);
    expect(ended - first).toBeLessThan(3500);
    // A clean end by the server's timeout, not a client-side one (the first would be 35 s, timeoutSeconds + 30 s idle).
    expect(ended).toBeLessThan(30_000);
  });

  it("without allowWatchBookmarks no bookmark arrives", async () => {
    const list = await configMaps.list();
    const types: string[] = [];
    setTimeout(() => void configMaps.create({ metadata: { generateName: "progress-" } }), 500);
    for await (const event of configMaps.watch({
      resourceVersion: list.metadata.resourceVersion,
      labelSelector: { suite: "bookmark" },
      timeoutSeconds: 4,
    }))
      types.push(event.type);
    expect(types).not.toContain("BOOKMARK");
  });

  it("sendInitialEvents: the current state as ADDED, then the bookmark that ends it, then changes", async () => {
    for (const name of ["init-a", "init-b", "init-c"]) await configMaps.create({ metadata: { name, labels: { suite: "init" } } });
    const seen: string[] = [];
    for await (const event of configMaps.watch({ sendInitialEvents: true, labelSelector: { suite: "init" } })) {
      if (event.type === "BOOKMARK") {
        if (!event.initialEventsEnd) continue;
        seen.push("END");
        expect(event.object.metadata.annotations?.["k8s.io/initial-events-end"]).toBe("true");
        await configMaps.create({ metadata: { name: "init-d", labels: { suite: "init" } } });
        continue;
      }
      seen.push(`${event.type}:${event.object.metadata?.name}`);
      if (event.object.metadata?.name === "init-d") break;
    }
    expect(seen.slice(0, 3).sort()).toEqual(["ADDED:init-a", "ADDED:init-b", "ADDED:init-c"]);
    expect(seen.slice(3)).toEqual(["END", "ADDED:init-d"]);
  });

  it("a resourceVersion too old for the server: Gone without resume; with resume, ERROR Gone then a relist that matches a fresh list", async () => {
    // The apiserver answers a watch from its watch cache, whose window starts at the revision
    // the cache was filled at. For a kind whose cache is new (a CRD created now), every version
    // from before its creation is too old: 410 "too old resource version", on a fresh cluster
    // too. (Pushing the ConfigMap window forward by writing does not work quickly: the cache
    // grows instead of dropping events younger than 75 s.)
    const before = (await configMaps.list()).metadata.resourceVersion!;
    const probes = await probeKind();
    for (const name of ["gone-a", "gone-b"]) await probes.create({ metadata: { name }, spec: { n: 1 } });

    const outcome = await untilCacheReady(() => probes.watch({ resourceVersion: before }).next());
    expect(outcome).toBeInstanceOf(Gone);
    expect((outcome as Gone).status.message).toMatch(/too old resource version/);

    const seen: ResumableWatchEvent<WatchProbe>[] = [];
    for await (const event of probes.watch({ resourceVersion: before, resume: { initialDelay: 10 } })) {
      seen.push(event);
      if (event.type === "RELIST") break;
    }
    expect(seen.map((e) => (e.type === "ERROR" ? `ERROR:${e.error.name}` : e.type))).toEqual(["ERROR:Gone", "RELIST"]);
    const relist = seen[1]!;
    if (relist.type !== "RELIST") throw new Error("unreachable");
    const fresh = await probes.list();
    expect(relist.items.map((i) => i.metadata?.name).sort()).toEqual(["gone-a", "gone-b"]);
    expect(relist.items.map((i) => i.metadata?.name).sort()).toEqual(fresh.items.map((i) => i.metadata?.name).sort());
    expect(Number(relist.resourceVersion)).toBeGreaterThan(Number(before));
    expect(relist.items[0]).toBeInstanceOf(WatchProbe);
  });

  it("api.metadata.watch yields PartialObjectMetadata", async () => {
    const list = await configMaps.list();
    const events = configMaps.metadata.watch({ resourceVersion: list.metadata.resourceVersion });
    await configMaps.create({ metadata: { name: "meta-a", labels: { m: "1" } }, data: { big: "x".repeat(1000) } });
    for await (const event of events) {
      if (event.type !== "ADDED") continue;
      expect(event.object.kind).toBe("PartialObjectMetadata");
      expect(event.object.metadata.labels).toEqual({ m: "1" });
      expect((event.object as unknown as { data?: unknown }).data).toBeUndefined();
      break;
    }
  });

  it("a selector the server rejects is a BadRequest", async () => {
    await expect(configMaps.watch({ labelSelector: "a in (" }).next()).rejects.toBeInstanceOf(BadRequest);
    await expect(configMaps.watch({ labelSelector: "a in (", resume: true }).next()).rejects.toBeInstanceOf(BadRequest);
  });

  it("a watch the user may not make is Forbidden, with or without resume", async () => {
    const state = loadClusterState();
    const unprivileged = await createClient({ kubeconfig: state.kubeconfig, context: "kubex-unprivileged" });
    try {
      const api = new Api(ConfigMap, { client: unprivileged, namespace: ns });
      await expect(api.watch({ resourceVersion: "0" }).next()).rejects.toBeInstanceOf(Forbidden);
      await expect(api.watch({ resume: true }).next()).rejects.toBeInstanceOf(Forbidden);
    } finally {
      await unprivileged.close();
    }
  });
});
