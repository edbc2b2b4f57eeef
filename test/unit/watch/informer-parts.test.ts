/**
 * The informer's parts alone, without a socket: the reflector (watch events -> store
 * changes) and the handler fan-out (handlers and iterators, and the decision that async
 * handlers are not awaited).
 */
import { describe, expect, it } from "vitest";
import type { ResumableWatchEvent } from "../../../runtime/src/watch/events.js";
import { HandlerFanOut } from "../../../runtime/src/watch/handlers.js";
import type { InformerEvent } from "../../../runtime/src/watch/informer-events.js";
import { Reflector } from "../../../runtime/src/watch/reflector.js";
import { Store } from "../../../runtime/src/watch/store.js";

interface CM {
  metadata: { name: string; namespace: string; resourceVersion: string };
  data?: Record<string, string>;
}
const cm = (name: string, resourceVersion: string, data?: Record<string, string>): CM => ({
  metadata: { name, namespace: "ns", resourceVersion },
  ...(data ? { data } : {}),
});

function reflector() {
  const store = new Store<CM>();
  const changes: string[] = [];
  let synced = 0;
  const errors: unknown[] = [];
  const r = new Reflector(store, {
    change: (e: InformerEvent<CM>) =>
      changes.push(`${e.type} ${e.object.metadata.name}${e.type === "DELETED" && e.finalStateUnknown ? " (final state unknown)" : ""}`),
    synced: () => void synced++,
    error: (e) => void errors.push(e),
  });
  const apply = (...events: ResumableWatchEvent<CM>[]) => events.forEach((e) => r.apply(e));
  return { r, store, changes, errors, apply, synced: () => synced };
}

describe("Reflector", () => {
  it("applies a relist as a replace (gone objects: DELETED, final state unknown), syncs once, follows the version", () => {
    const { r, store, changes, apply, synced } = reflector();
    apply({ type: "RELIST", items: [cm("a", "1"), cm("b", "2")], resourceVersion: "2" });
    apply(
      { type: "MODIFIED", object: cm("a", "3", { k: "v" }) },
      {
        type: "BOOKMARK",
        object: { kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: "7" } },
        resourceVersion: "7",
        initialEventsEnd: false,
      },
    );
    expect(r.resourceVersion).toBe("7");
    apply({ type: "RELIST", items: [cm("a", "3", { k: "v" }), cm("c", "8")], resourceVersion: "9" });
    expect(changes).toEqual(["ADDED a", "ADDED b", "MODIFIED a", "DELETED b (final state unknown)", "ADDED c"]);
    expect(
      store
        .list()
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["a", "c"]);
    expect([synced(), r.hasSynced, r.resourceVersion]).toEqual([1, true, "9"]);
  });

  it("says nothing for an event it has already seen (same resourceVersion), and reports ERROR events", () => {
    const { changes, errors, apply } = reflector();
    const boom = new Error("watch hiccup");
    apply({ type: "ADDED", object: cm("a", "1") }, { type: "MODIFIED", object: cm("a", "1") }, { type: "DELETED", object: cm("x", "2") });
    apply({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure" }, error: boom as never });
    expect(changes).toEqual(["ADDED a"]);
    expect(errors).toEqual([boom]);
  });
});

describe("HandlerFanOut", () => {
  it("does not await async handlers: a handler that never settles does not hold back the next change", () => {
    const fan = new HandlerFanOut<CM>();
    const seen: string[] = [];
    fan.add.add(async (o) => {
      seen.push(`slow ${o.metadata.name}`);
      await new Promise(() => undefined);
    });
    fan.add.add((o) => void seen.push(`fast ${o.metadata.name}`));
    fan.deliver({ type: "ADDED", object: cm("a", "1") });
    fan.deliver({ type: "ADDED", object: cm("b", "2") });
    expect(seen).toEqual(["slow a", "fast a", "slow b", "fast b"]);
  });

  it("sends a rejected promise or a throw from a handler to the error handlers", async () => {
    const fan = new HandlerFanOut<CM>();
    const errors: string[] = [];
    fan.error.add((e) => void errors.push((e as Error).message));
    fan.update.add(async () => {
      throw new Error("async failure");
    });
    fan.delete.add(() => {
      throw new Error("sync failure");
    });
    fan.deliver({ type: "MODIFIED", object: cm("a", "2"), oldObject: cm("a", "1"), resync: false });
    fan.deliver({ type: "DELETED", object: cm("a", "2"), finalStateUnknown: false });
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.sort()).toEqual(["async failure", "sync failure"]);
  });

  it("primes iterators with the cache, and after close() calls no handler and ends iterators with the error", async () => {
    const fan = new HandlerFanOut<CM>();
    const calls: string[] = [];
    fan.add.add((o) => void calls.push(o.metadata.name));
    const events = fan.iterator([cm("cached", "1")], undefined);
    fan.deliver({ type: "ADDED", object: cm("a", "2") });
    const stop = new Error("stopped for good");
    fan.close(stop);
    fan.deliver({ type: "ADDED", object: cm("late", "3") });
    expect(calls).toEqual(["a"]);
    expect((await events.next()).value).toEqual({ type: "ADDED", object: cm("cached", "1") });
    expect((await events.next()).value).toEqual({ type: "ADDED", object: cm("a", "2") });
    await expect(events.next()).rejects.toBe(stop);
    await expect(fan.iterator([], stop).next()).rejects.toBe(stop);
  });
});
