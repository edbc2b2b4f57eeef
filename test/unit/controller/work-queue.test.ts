import { describe, expect, it } from "vitest";
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ExponentialFailureRateLimiter,
  FakeClock,
  MaxOfRateLimiter,
  WorkQueue,
} from "@kubex/runtime";

/** A queue with a fake clock and a limiter that never delays (tests of delays use their own). */
function queue(clock = new FakeClock()) {
  return { clock, q: new WorkQueue<string>({ clock, rateLimiter: new ExponentialFailureRateLimiter(5, 1_000_000) }) };
}

describe("WorkQueue: dedup and one worker per key", () => {
  it("queues a key once however often it is added before a worker takes it", async () => {
    const { q } = queue();
    q.add("ns/a");
    q.add("ns/b");
    q.add("ns/a");
    q.add("ns/a");
    expect(q.length).toBe(2);
    expect(await q.get()).toBe("ns/a");
    expect(await q.get()).toBe("ns/b");
    expect(q.length).toBe(0);
  });

  it("does not hand a key being processed to a second worker; re-queues it when done if it changed meanwhile", async () => {
    const { q } = queue();
    q.add("ns/a");
    const first = await q.get();
    expect(first).toBe("ns/a");
    q.add("ns/a"); // changed while processing
    q.add("ns/a");
    expect(q.length).toBe(0); // not handed out while held
    let second: string | undefined = "none yet";
    const waiting = q.get().then((key) => (second = key));
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBe("none yet");
    q.done("ns/a");
    await waiting;
    expect(second).toBe("ns/a"); // once, after done
    q.done("ns/a");
    expect(q.length).toBe(0);
    expect(q.inFlight).toBe(0);
  });

  it("with many workers and a key added over and over, at most one holds it at any time", async () => {
    const { q } = queue();
    let holding = 0;
    let most = 0;
    let processed = 0;
    const worker = async () => {
      for (;;) {
        const key = await q.get();
        if (key === undefined) return;
        holding += 1;
        most = Math.max(most, holding);
        q.add("ns/hot"); // the object changes while we work on it
        await new Promise((resolve) => setImmediate(resolve));
        holding -= 1;
        processed += 1;
        q.done(key);
        if (processed >= 50) void q.shutDown();
      }
    };
    q.add("ns/hot");
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(most).toBe(1);
    expect(processed).toBeGreaterThanOrEqual(50);
  });

  it("done for a key that is not held changes nothing", async () => {
    const { q } = queue();
    q.done("ns/x");
    q.add("ns/x");
    expect(q.length).toBe(1);
  });
});

describe("WorkQueue: delays", () => {
  it("addAfter queues the key when the delay has passed, and the earliest of two requests wins", async () => {
    const { q, clock } = queue();
    q.addAfter("ns/a", 1000);
    q.addAfter("ns/a", 300);
    q.addAfter("ns/a", 5000);
    expect(q.length).toBe(0);
    expect(q.delayed).toBe(1);
    await clock.advance(299);
    expect(q.length).toBe(0);
    await clock.advance(1);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe("ns/a");
    q.done("ns/a");
    await clock.advance(10_000);
    expect(q.length).toBe(0); // the later requests were merged into the first
  });

  it("keys delayed differently come out in order of their ready times", async () => {
    const { q, clock } = queue();
    q.addAfter("c", 30);
    q.addAfter("a", 10);
    q.addAfter("b", 20);
    await clock.advance(30);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(["a", "b", "c"]);
  });

  it("addRateLimited backs off exponentially per key (5 ms, 10 ms, 20 ms ...) and forget resets it", async () => {
    const { q, clock } = queue();
    const seen: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const start = clock.now();
      q.addRateLimited("ns/flaky");
      while (q.length === 0) await clock.advance(1);
      seen.push(clock.now() - start);
      q.done((await q.get())!);
    }
    expect(seen).toEqual([5, 10, 20, 40, 80]);
    expect(q.numRequeues("ns/flaky")).toBe(5);
    q.forget("ns/flaky");
    expect(q.numRequeues("ns/flaky")).toBe(0);
    const start = clock.now();
    q.addRateLimited("ns/flaky");
    while (q.length === 0) await clock.advance(1);
    expect(clock.now() - start).toBe(5);
  });
});

describe("rate limiters (client-go's controller defaults)", () => {
  it("exponential per item: 5 ms doubling, capped at 1000 s, independent per key", () => {
    const limiter = new ExponentialFailureRateLimiter<string>(5, 1_000_000);
    const delays = Array.from({ length: 20 }, () => limiter.when("a"));
    expect(delays.slice(0, 4)).toEqual([5, 10, 20, 40]);
    expect(delays[17]).toBe(655_360);
    expect(delays[18]).toBe(1_000_000); // 5 * 2^18 = 1310720 ms > 1000 s
    expect(delays[19]).toBe(1_000_000);
    expect(limiter.when("b")).toBe(5);
    expect(limiter.numRequeues("a")).toBe(20);
  });

  it("the bucket lets 100 through at once, then one per 100 ms (10 qps), refilling with time", async () => {
    const clock = new FakeClock();
    const bucket = new BucketRateLimiter<string>(10, 100, { clock });
    const burst = Array.from({ length: 100 }, (_, i) => bucket.when(`k${i}`));
    expect(burst.every((delay) => delay === 0)).toBe(true);
    expect(bucket.when("k100")).toBeCloseTo(100);
    expect(bucket.when("k101")).toBeCloseTo(200); // reservations stack up
    await clock.advance(1000); // 10 tokens back: the 2 borrowed are repaid, 8 left
    const next = Array.from({ length: 9 }, (_, i) => bucket.when(`m${i}`));
    expect(next.slice(0, 8).every((delay) => delay === 0)).toBe(true);
    expect(next[8]).toBeCloseTo(100);
  });

  it("the default takes the longer of the two: a fresh key waits for the bucket once it is spent", () => {
    const clock = new FakeClock();
    const limiter = defaultControllerRateLimiter<string>({ clock });
    expect(limiter.when("first")).toBe(5); // exponential wins while the bucket has tokens
    for (let i = 0; i < 99; i += 1) limiter.when(`other${i}`);
    expect(limiter.when("late")).toBeCloseTo(100); // bucket empty: 100 ms beats 5 ms
    expect(limiter.numRequeues("first")).toBe(1);
    limiter.forget("first");
    expect(limiter.numRequeues("first")).toBe(0);
  });

  it("MaxOf needs a limiter; bad parameters are RangeErrors naming the limiter", () => {
    expect(() => new MaxOfRateLimiter()).toThrow(/at least one/);
    expect(() => new BucketRateLimiter(0, 10)).toThrow(/BucketRateLimiter/);
    expect(() => new ExponentialFailureRateLimiter(10, 5)).toThrow(/ExponentialFailureRateLimiter/);
  });

  it("a queue under the default limiter spreads a storm of failures over time (bucket)", async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    for (let i = 0; i < 150; i += 1) q.addRateLimited(`k${i}`);
    await clock.advance(5);
    expect(q.length).toBe(100); // burst
    await clock.advance(1000);
    expect(q.length).toBe(110); // then 10 per second
    await clock.advance(4000);
    expect(q.length).toBe(150);
  });
});

describe("WorkQueue: shutdown", () => {
  it("shutDown() drops queued and delayed keys, wakes waiting workers with undefined, and resolves when held keys are done", async () => {
    const { q, clock } = queue();
    q.add("a");
    q.add("b");
    q.addAfter("c", 100);
    const held = await q.get();
    const idle = Promise.race([q.get(), q.get()]);
    expect(await idle).toBe("b");
    let stopped = false;
    const stopping = q.shutDown().then(() => (stopped = true));
    expect(await q.get()).toBeUndefined();
    await clock.advance(200);
    expect(q.length).toBe(0); // "c" never arrives
    q.add("d"); // ignored
    expect(q.length).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false); // a and b are still held
    q.done(held!);
    q.done("b");
    await stopping;
    expect(stopped).toBe(true);
  });

  it("shutDown({ drain: true }) still hands out what was queued, and what changed while held, then ends", async () => {
    const { q } = queue();
    for (const key of ["a", "b", "c"]) q.add(key);
    const first = await q.get();
    q.add(first!); // dirty while held
    let drained = false;
    const draining = q.shutDown({ drain: true }).then(() => (drained = true));
    q.add("late"); // ignored after shutdown
    const got: string[] = [];
    q.done(first!);
    for (;;) {
      const key = await q.get();
      if (key === undefined) break;
      got.push(key);
      q.done(key);
    }
    await draining;
    expect(drained).toBe(true);
    expect(got.sort()).toEqual(["a", "b", "c"]);
  });

  it("get(signal) answers undefined when the signal aborts", async () => {
    const { q } = queue();
    const abort = new AbortController();
    const pending = q.get(abort.signal);
    abort.abort();
    expect(await pending).toBeUndefined();
    q.add("x");
    expect(await q.get()).toBe("x"); // the aborted getter did not swallow it
  });
});
