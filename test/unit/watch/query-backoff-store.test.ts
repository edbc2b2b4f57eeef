import { describe, expect, it } from "vitest";
import { InvalidRequest } from "@kubex/runtime";
import { listPageQuery, watchQuery } from "../../../runtime/src/watch/query.js";
import { Backoff, RestartLimiter } from "../../../runtime/src/watch/backoff.js";
import { Store } from "../../../runtime/src/watch/store.js";

describe("watchQuery", () => {
  it("uses the real query names", () => {
    const query = watchQuery({ labelSelector: { app: "web" }, fieldSelector: "metadata.name=a", resourceVersion: "42", allowWatchBookmarks: true, timeoutSeconds: 5 });
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
    expect(store.byNamespace("a").map((o) => o.metadata.name).sort()).toEqual(["x", "z"]);
    expect(store.byLabel("app", "web").map((o) => o.metadata.name).sort()).toEqual(["x", "y"]);
    store.set("b/y", cm("y", "b", { app: "db" }));
    expect(store.byLabel("app", "web").map((o) => o.metadata.name)).toEqual(["x"]);
    expect(store.byLabel("app", "db").length).toBe(2);
    store.delete("a/z");
    expect(store.byIndex("byFirstLetter", "z")).toEqual([]);
    expect(store.get("x", "a")?.metadata.name).toBe("x");
    expect(() => store.byIndex("nope", "v")).toThrow(/no informer index "nope"/);
  });
});
