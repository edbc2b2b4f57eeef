import { describe, expect, it } from "vitest";
import { InvalidRequest } from "@kubex/runtime";
import { listPageQuery, watchQuery } from "../../../runtime/src/watch/query.js";
import { Backoff, RestartLimiter } from "../../../runtime/src/watch/backoff.js";
import { Store } from "../../../runtime/src/watch/store.js";

describe("watchQuery", () => {
  it("uses the real query names", () => {
    const query = watchQuery({
      labelSelector: { app: "web" },
      fieldSelector: "metadata.name=a",
      resourceVersion: "42",
      allowWatchBookmarks: true,
      timeoutSeconds: 5,
    });
    expect(Object.fromEntries(query)).toEqual({
      watch: "true",
      labelSelector: "app=web",
      fieldSelector: "metadata.name=a",
      resourceVersion: "42",
      allowWatchBookmarks: "true",
      timeoutSeconds: "5",
    });
  });

  it("sendInitialEvents sets resourceVersionMatch=NotOlderThan and allowWatchBookmarks=true", () => {
    const query = watchQuery({ sendInitialEvents: true });
    expect(query.get("sendInitialEvents")).toBe("true");
    expect(query.get("resourceVersionMatch")).toBe("NotOlderThan");
    expect(query.get("allowWatchBookmarks")).toBe("true");
  });

  it("rejects options the server would reject, with a typed error naming the option", () => {
    expect(() => watchQuery({ sendInitialEvents: true, resourceVersionMatch: "Exact" })).toThrow(InvalidRequest);
    expect(() => watchQuery({ sendInitialEvents: true, allowWatchBookmarks: false })).toThrow(/allowWatchBookmarks/);
    expect(() => watchQuery({ timeoutSeconds: 1.5 })).toThrow(/timeoutSeconds/);
    expect(() => listPageQuery({ limit: 0 })).toThrow(InvalidRequest);
  });
});

describe("Backoff and RestartLimiter", () => {
  it("doubles the ceiling up to the maximum, with full jitter", () => {
    const top = new Backoff(100, 1000, () => 0.999999);
    expect([top.next(), top.next(), top.next(), top.next(), top.next()]).toEqual([99, 199, 399, 799, 999]);
    top.reset();
    expect(top.next()).toBe(99);
    const bottom = new Backoff(100, 1000, () => 0);
    expect(bottom.next()).toBe(0);
  });

  it("allows a burst, then a sustained rate", () => {
    let now = 0;
    const limiter = new RestartLimiter(3, 2, () => now);
    expect([limiter.take(), limiter.take(), limiter.take()]).toEqual([0, 0, 0]);
    expect(limiter.take()).toBe(500);
    now += 500;
    expect(limiter.take()).toBe(500); // one token came back and was owed; the next is 500 ms away
    now += 10_000;
    expect(limiter.take()).toBe(0);
  });
});

describe("Store", () => {
  const cm = (name: string, namespace: string, labels: Record<string, string>) => ({ metadata: { name, namespace, labels } });

  it("keeps the namespace, label and custom indexes in step with changes", () => {
    const store = new Store<ReturnType<typeof cm>>({ byFirstLetter: (o) => [o.metadata.name[0]!] });
    store.set("a/x", cm("x", "a", { app: "web" }));
    store.set("b/y", cm("y", "b", { app: "web" }));
    store.set("a/z", cm("z", "a", { app: "db" }));
    expect(
      store
        .byNamespace("a")
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["x", "z"]);
    expect(
      store
        .byLabel("app", "web")
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["x", "y"]);
    store.set("b/y", cm("y", "b", { app: "db" }));
    expect(store.byLabel("app", "web").map((o) => o.metadata.name)).toEqual(["x"]);
    expect(store.byLabel("app", "db").length).toBe(2);
    store.delete("a/z");
    expect(store.byIndex("byFirstLetter", "z")).toEqual([]);
    expect(store.get("x", "a")?.metadata.name).toBe("x");
    expect(() => store.byIndex("nope", "v")).toThrow(/no informer index "nope"/);
  });

  it("builds an index on its first query from what is cached, then keeps it current", () => {
    let calls = 0;
    const store = new Store<ReturnType<typeof cm>>({
      tier: (o) => (calls++, o.metadata.labels.tier !== undefined ? [o.metadata.labels.tier] : []),
    });
    for (let i = 0; i < 5; i++) store.set(`a/o${i}`, cm(`o${i}`, "a", { tier: i % 2 === 0 ? "even" : "odd" }));
    expect(calls).toBe(0); // nothing computed for an index nobody asked for
    expect(
      store
        .byIndex("tier", "even")
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["o0", "o2", "o4"]);
    store.set("a/o0", cm("o0", "a", { tier: "odd" }));
    store.set("a/o5", cm("o5", "a", {}));
    store.delete("a/o2");
    expect(store.byIndex("tier", "even").map((o) => o.metadata.name)).toEqual(["o4"]);
    expect(
      store
        .byIndex("tier", "odd")
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["o0", "o1", "o3"]);
    store.set("b/o9", cm("o9", "b", { tier: "even", app: "x" }));
    expect(store.byLabel("app", "x").map((o) => o.metadata.name)).toEqual(["o9"]);
    store.set("b/o9", cm("o9", "b", { tier: "even" }));
    expect(store.byLabel("app", "x")).toEqual([]);
    expect(store.byNamespace("b").length).toBe(1);
    store.clear();
    expect(store.byIndex("tier", "odd")).toEqual([]);
    store.set("a/n", cm("n", "a", { tier: "odd" }));
    expect(store.byIndex("tier", "odd").map((o) => o.metadata.name)).toEqual(["n"]);
  });
});
