/**
 * Informer cache logic against an in-memory collection served over loopback (paged
 * lists, watches from a version, 410 after compaction, cut connections).
 */
import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { Forbidden, type Client } from "@kubex/runtime";
import { createInformer, type InformerEvent } from "../../../runtime/src/watch/informer.js";
import { transportSource } from "../../../runtime/src/watch/source.js";
import { activeTimers, delay, localClient, startLocalServer } from "./local-server.js";
import { FakeCollection } from "./fake-collection.js";

type CM = {
  metadata: { name: string; namespace: string; resourceVersion: string; labels?: Record<string, string> };
  data?: Record<string, string>;
};
const fast = { initialDelay: 5, maxDelay: 20, burst: 1000, restartsPerSecond: 1000, pageSize: 2 };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function setup(): Promise<{ fake: FakeCollection; client: Client }> {
  const fake = await new FakeCollection().start();
  const client = await localClient(fake.server.url);
  cleanup.push(
    () => fake.close(),
    () => client.close(),
  );
  return { fake, client };
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > end) throw new Error("condition not met in time");
    await delay(5);
  }
}

function snapshot(fake: FakeCollection): Record<string, string> {
  return Object.fromEntries([...fake.objects.values()].map((o: any) => [`default/${o.metadata.name}`, o.metadata.resourceVersion]));
}
function cacheSnapshot(list: CM[]): Record<string, string> {
  return Object.fromEntries(list.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o.metadata.resourceVersion]));
}

describe("informer against a local collection", () => {
  it("lists (paged), syncs, follows changes, and indexes the cache", async () => {
    const { fake, client } = await setup();
    for (const name of ["a", "b", "c", "d", "e"]) fake.upsert(name, { v: "1" }, { app: name < "c" ? "web" : "db" });
    const log: string[] = [];
    const informer = createInformer<CM>(transportSource(client.transport, { path: fake.path }), {
      resume: fast,
      indexers: { byValue: (o) => [o.data?.v ?? ""] },
      onAdd: (o) => log.push(`add ${o.metadata.name}`),
      onUpdate: (_old, o) => log.push(`update ${o.metadata.name}`),
      onDelete: (o, info) => log.push(`delete ${o.metadata.name}${info.finalStateUnknown ? " (unknown)" : ""}`),
    });
    cleanup.push(() => informer.stop());
    expect(informer.hasSynced()).toBe(false);
    await informer.waitForSync({ timeout: 5000 });
    expect(informer.hasSynced()).toBe(true);
    expect(fake.listCalls).toBe(3); // 5 objects, pages of 2
    expect(log).toEqual(["add a", "add b", "add c", "add d", "add e"]);
    fake.upsert("a", { v: "2" }, { app: "db" });
    fake.remove("b");
    await until(() => log.length === 7);
    expect(log.slice(5)).toEqual(["update a", "delete b"]);
    expect(
      informer.store
        .byLabel("app", "db")
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["a", "c", "d", "e"]);
    expect(informer.byIndex("byValue", "2").map((o) => o.metadata.name)).toEqual(["a"]);
    expect(informer.store.byNamespace("default").length).toBe(4);
    expect(cacheSnapshot(informer.list())).toEqual(snapshot(fake));
  });

  it("after a disconnect it resumes from its version: changes made meanwhile arrive once, in order", async () => {
    const { fake, client } = await setup();
    fake.upsert("a", { v: "1" });
    const events: string[] = [];
    const informer = createInformer<CM>(transportSource(client.transport, { path: fake.path }), { resume: fast });
    cleanup.push(() => informer.stop());
    informer.onUpdate((_o, n) => events.push(`update ${n.metadata.name}@${n.metadata.resourceVersion}`));
    await informer.waitForSync();
    fake.cutWatches();
    fake.upsert("a", { v: "2" });
    fake.upsert("a", { v: "3" });
    await until(() => events.length === 2);
    await delay(50);
    expect(events).toEqual(["update a@102", "update a@103"]);
    expect(fake.listCalls).toBe(1); // resumed, no relist
  });

  it("after 410 Gone it relists: objects deleted while away produce onDelete, nothing stale remains", async () => {
    const { fake, client } = await setup();
    for (const name of ["a", "b", "c"]) fake.upsert(name, { v: "1" });
    const deletes: string[] = [];
    const informer = createInformer<CM>(transportSource(client.transport, { path: fake.path }), {
      resume: fast,
      onDelete: (o, info) => deletes.push(`${o.metadata.name}:${info.finalStateUnknown}`),
    });
    cleanup.push(() => informer.stop());
    await informer.waitForSync();
    // Away: the server changes and forgets its history.
    fake.cutWatches();
    fake.server.server.removeAllListeners("request");
    const pending: (() => void)[] = [];
    fake.server.server.on("request", (_req, res) => pending.push(() => res.destroy()));
    fake.remove("b");
    fake.upsert("c", { v: "2" });
    fake.upsert("d", { v: "1" });
    fake.compact();
    // Back.
    fake.server.server.removeAllListeners("request");
    for (const p of pending) p();
    fake.server.server.on("request", (req, res) => (fake as any).handle(req, res, new URL(req.url ?? "/", "http://x")));
    await until(
      () => informer.store.size === 3 && informer.get("d", "default") !== undefined && informer.get("c", "default")?.data?.v === "2",
    );
    expect(deletes).toEqual(["b:true"]);
    expect(cacheSnapshot(informer.list())).toEqual(snapshot(fake));
  });

  it("the async-iterator form starts with the cache, then follows changes", async () => {
    const { fake, client } = await setup();
    fake.upsert("a", { v: "1" });
    await using informer = createInformer<CM>(transportSource(client.transport, { path: fake.path }), { resume: fast });
    await informer.waitForSync();
    const seen: InformerEvent<CM>["type"][] = [];
    const done = (async () => {
      for await (const event of informer) {
        seen.push(event.type);
        if (event.type === "ADDED" && event.object.metadata.name === "a") fake.remove("a");
        if (event.type === "DELETED") break;
      }
    })();
    await done;
    expect(seen).toEqual(["ADDED", "DELETED"]);
  });

  it("resync delivers every cached object again as an update", async () => {
    const { fake, client } = await setup();
    fake.upsert("a", { v: "1" });
    const resyncs: string[] = [];
    const informer = createInformer<CM>(transportSource(client.transport, { path: fake.path }), {
      resume: fast,
      resyncPeriod: 50,
      onUpdate: (o, n, info) => info.resync && o === n && resyncs.push(n.metadata.name),
    });
    cleanup.push(() => informer.stop());
    await informer.waitForSync();
    await until(() => resyncs.length >= 2);
    expect(resyncs.every((n) => n === "a")).toBe(true);
  });

  it("stop(): no handler runs afterwards, iterators end, waiters reject, and no timer is left", async () => {
    const timersBefore = activeTimers();
    const { fake, client } = await setup();
    fake.upsert("a", { v: "1" });
    let calls = 0;
    const informer = createInformer<CM>(transportSource(client.transport, { path: fake.path }), {
      resume: fast,
      resyncPeriod: 10,
      onAdd: () => calls++,
      onUpdate: () => calls++,
      onDelete: () => calls++,
    });
    await informer.waitForSync();
    const iterating = (async () => {
      const seen = [];
      for await (const event of informer.events()) seen.push(event);
      return seen.length;
    })();
    await informer.stop();
    const after = calls;
    fake.upsert("a", { v: "2" });
    fake.upsert("b", { v: "1" });
    await delay(100);
    expect(calls).toBe(after);
    expect(await iterating).toBe(1); // the replayed "a", then the end
    await expect(informer.waitForSync()).resolves.toBeUndefined(); // it had synced
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it("30 informers on one signal add one abort listener to it, remove it when stopped, and all stop when it aborts", async () => {
    const { fake, client } = await setup();
    fake.upsert("a", { v: "1" });
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on("warning", onWarning);
    cleanup.push(async () => void process.off("warning", onWarning));
    const source = transportSource<CM>(client.transport, { path: fake.path });

    const first = new AbortController();
    const some = Array.from({ length: 30 }, () => createInformer<CM>(source, { resume: fast, signal: first.signal }));
    await Promise.all(some.map((informer) => informer.waitForSync({ signal: first.signal })));
    expect(getEventListeners(first.signal, "abort").length).toBe(1);
    await Promise.all(some.map((informer) => informer.stop()));
    expect(getEventListeners(first.signal, "abort").length).toBe(0);

    const second = new AbortController();
    const others = Array.from({ length: 30 }, () => createInformer<CM>(source, { resume: fast, signal: second.signal }));
    await Promise.all(others.map((informer) => informer.waitForSync()));
    second.abort();
    await Promise.all(others.map((informer) => informer.stop()));
    expect(others.every((informer) => informer.error === undefined)).toBe(true);
    fake.upsert("b", { v: "1" });
    await delay(100);
    expect(others.map((informer) => informer.store.size)).toEqual(Array(30).fill(1)); // stopped: "b" never arrived
    await delay(0); // a warning is emitted on the next tick
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });

  it("a watch the user may not make (403) stops the informer with Forbidden", async () => {
    const server = await startLocalServer((_req, res) => {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          reason: "Forbidden",
          code: 403,
          message: "configmaps is forbidden",
        }),
      );
    });
    const client = await localClient(server.url);
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    const errors: unknown[] = [];
    const informer = createInformer<CM>(transportSource(client.transport, { path: "/api/v1/configmaps" }), {
      resume: fast,
      onError: (e) => errors.push(e),
    });
    await expect(informer.waitForSync()).rejects.toBeInstanceOf(Forbidden);
    expect(informer.error).toBeInstanceOf(Forbidden);
    expect(errors).toHaveLength(1);
    await informer.stop();
  });

  it("metadata-only sources ask for PartialObjectMetadata", async () => {
    const { fake, client } = await setup();
    fake.upsert("a", { v: "1" });
    const informer = createInformer(transportSource(client.transport, { path: fake.path, metadataOnly: true }), { resume: fast });
    cleanup.push(() => informer.stop());
    await informer.waitForSync();
    await until(() => fake.watchCalls >= 1);
    const accepts = fake.server.requests.map((r) => String(r.headers.accept));
    expect(accepts[0]).toContain("as=PartialObjectMetadataList");
    expect(accepts[1]).toContain("as=PartialObjectMetadata;");
  });
});
