/**
 * Controller behaviour a cluster cannot produce on demand (a reconcile that throws,
 * hangs or conflicts on purpose, timing of retries), against an in-memory collection
 * served over loopback. The same behaviours against the real apiserver: test/e2e/operator*.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Conflict, Controller, ExponentialFailureRateLimiter, jsonLogger, type Client } from "@kubex/runtime";
import { ConfigMap } from "@kubex/k8s-v1-36/core/v1";
import { delay, localClient } from "../watch/local-server.js";
import { FakeCollection } from "../watch/fake-collection.js";

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

function logs() {
  const lines: Record<string, unknown>[] = [];
  const log = jsonLogger({ debug: true, write: (text) => void lines.push(JSON.parse(text) as Record<string, unknown>) });
  return { lines, log };
}

const fastRetries = () => new ExponentialFailureRateLimiter<string>(5, 40);

describe("Controller (local collection)", () => {
  it("reconciles every object with the cached version; a change while reconciling runs again after, never two at once per key", async () => {
    const { fake, client } = await setup();
    for (const name of ["a", "b", "c"]) fake.upsert(name, { v: "1" });
    const seen: string[] = [];
    let active = new Map<string, number>();
    let overlap = false;
    let concurrent = 0;
    let mostConcurrent = 0;
    const controller = new Controller(ConfigMap, { client, namespace: "default", maxConcurrentReconciles: 3, log: logs().log }).reconcile(
      async (cm, ctx) => {
        if ((active.get(ctx.key) ?? 0) > 0) overlap = true;
        active.set(ctx.key, (active.get(ctx.key) ?? 0) + 1);
        concurrent += 1;
        mostConcurrent = Math.max(mostConcurrent, concurrent);
        seen.push(`${ctx.key}=${cm.data?.v}`);
        if (ctx.key === "default/a" && cm.data?.v === "1") fake.upsert("a", { v: "2" }); // changes while we work
        await delay(30);
        concurrent -= 1;
        active.set(ctx.key, active.get(ctx.key)! - 1);
      },
    );
    const abort = new AbortController();
    const running = controller.run({ signal: abort.signal });
    await until(() => seen.includes("default/a=2") && seen.length >= 4);
    await delay(100);
    abort.abort();
    await running;
    expect(overlap).toBe(false);
    expect(mostConcurrent).toBe(3);
    expect(seen.filter((entry) => entry.startsWith("default/a"))).toEqual(["default/a=1", "default/a=2"]);
    expect(seen.filter((entry) => !entry.startsWith("default/a")).sort()).toEqual(["default/b=1", "default/c=1"]);
    active = new Map();
  });

  it("a reconcile that throws is logged and retried with growing backoff, then forgotten once it succeeds", async () => {
    const { fake, client } = await setup();
    fake.upsert("flaky", { v: "1" });
    const { lines, log } = logs();
    const attempts: { at: number; retries: number }[] = [];
    // The delays the controller asked its limiter for, to check the growth exactly; the waits
    // are checked against them from below only (a loaded machine makes any wait longer).
    const delays: number[] = [];
    const rateLimiter = new (class extends ExponentialFailureRateLimiter {
      override when(key: string): number {
        const ms = super.when(key);
        delays.push(ms);
        return ms;
      }
    })(20, 1000);
    await using controller = new Controller(ConfigMap, {
      client,
      namespace: "default",
      rateLimiter,
      log,
    }).reconcile((_cm, ctx) => {
      attempts.push({ at: performance.now(), retries: ctx.retries });
      if (attempts.length <= 4) throw new Error(`boom ${attempts.length}`);
      return undefined;
    });
    void controller.run();
    await until(() => attempts.length === 5);
    expect(attempts.map((a) => a.retries)).toEqual([0, 1, 2, 3, 4]);
    expect(delays).toEqual([20, 40, 80, 160]);
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
    // Each retry waits at least its delay, doubling from 20 ms: 20, 40, 80, 160 (a timer may fire
    // ~1 ms early by performance.now()). Only lower bounds: a loaded machine makes every gap longer,
    // so a ratio between gaps measures the machine, not the limiter.
    for (const [i, delay] of [20, 40, 80, 160].entries()) expect(gaps[i]).toBeGreaterThanOrEqual(delay - 2);
    const failures = lines.filter((line) => line.level === "error" && String(line.msg).includes("reconcile failed"));
    expect(failures.map((line) => line.error)).toEqual(["Error: boom 1", "Error: boom 2", "Error: boom 3", "Error: boom 4"]);
    fake.upsert("flaky", { v: "2" });
    await until(() => attempts.length === 6);
    expect(attempts[5]!.retries).toBe(0); // forgotten after the success
  });

  it("a reconcile that hangs is aborted after reconcileTimeout and retried; the others keep going", async () => {
    const { fake, client } = await setup();
    fake.upsert("hangs", { v: "1" });
    fake.upsert("fine", { v: "1" });
    const { lines, log } = logs();
    const done: string[] = [];
    let hangs = 0;
    let abortedSignals = 0;
    await using controller = new Controller(ConfigMap, {
      client,
      namespace: "default",
      reconcileTimeout: 100,
      rateLimiter: fastRetries(),
      maxConcurrentReconciles: 2,
      log,
    }).reconcile(async (cm, ctx) => {
      if (cm.metadata?.name === "hangs" && hangs < 2) {
        hangs += 1;
        ctx.signal.addEventListener("abort", () => (abortedSignals += 1));
        await new Promise(() => undefined); // ignores its signal and never ends
      }
      done.push(ctx.key);
    });
    void controller.run();
    await until(() => done.includes("default/hangs"), 5000);
    expect(done).toContain("default/fine");
    expect(hangs).toBe(2);
    expect(abortedSignals).toBe(2);
    expect(lines.filter((line) => String(line.msg).includes("timed out")).length).toBe(2);
  });

  it("a Conflict is requeued and logged as a conflict, not as a failure", async () => {
    const { fake, client } = await setup();
    fake.upsert("contended", { v: "1" });
    const { lines, log } = logs();
    let calls = 0;
    await using controller = new Controller(ConfigMap, { client, namespace: "default", rateLimiter: fastRetries(), log }).reconcile(() => {
      calls += 1;
      if (calls === 1)
        throw new Conflict(409, {
          reason: "Conflict",
          message: 'Operation cannot be fulfilled on configmaps "contended": the object has been modified',
        });
    });
    void controller.run();
    await until(() => calls === 2);
    expect(lines.some((line) => line.level === "info" && String(line.msg).includes("conflict"))).toBe(true);
    expect(lines.some((line) => line.level === "error")).toBe(false);
  });

  it("requeueAfter runs the key again after the delay without a change", async () => {
    const { fake, client } = await setup();
    fake.upsert("periodic", { v: "1" });
    const at: number[] = [];
    await using controller = new Controller(ConfigMap, { client, namespace: "default", log: logs().log }).reconcile(() => {
      at.push(performance.now());
      return { requeueAfter: 80 };
    });
    void controller.run();
    await until(() => at.length >= 3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(75);
  });

  it("stopping (signal, or await using) aborts running reconciles, waits for them, and ends run()", async () => {
    const { fake, client } = await setup();
    fake.upsert("slow", { v: "1" });
    let sawAbort = false;
    let finished = false;
    let started = false;
    let running: Promise<void>;
    {
      await using controller = new Controller(ConfigMap, { client, namespace: "default", log: logs().log }).reconcile(async (_cm, ctx) => {
        started = true;
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
        sawAbort = true;
        await delay(20);
        finished = true;
      });
      running = controller.run();
      await until(() => started);
    } // disposed here
    expect(sawAbort).toBe(true);
    expect(finished).toBe(true);
    await running;
  });

  it("bad setup is a clear error", async () => {
    const { client } = await setup();
    expect(() => new Controller(ConfigMap, {})).toThrow(/options.client is required/);
    expect(() => new Controller(ConfigMap, { client, maxConcurrentReconciles: 0 })).toThrow(/maxConcurrentReconciles/);
    expect(() => new Controller(ConfigMap, { client }).run()).toThrow(/set a reconcile function/);
  });
});
