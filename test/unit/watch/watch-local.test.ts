/**
 * Faults a cluster cannot produce on demand, against loopback servers and the real
 * transport: cut connections, silence, in-stream errors, malformed lines, aborts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Forbidden, Gone, InternalServerError, RequestAborted, type Client } from "@kubex/runtime";
import { MalformedWatchEvent, WatchDisconnected } from "../../../runtime/src/watch/errors.js";
import { transportSource } from "../../../runtime/src/watch/source.js";
import { watch } from "../../../runtime/src/watch/watch.js";
import type { ResumableWatchEvent } from "../../../runtime/src/watch/events.js";
import { activeTimers, beginWatch, configMap, delay, eventLine, localClient, startLocalServer, type LocalServer } from "./local-server.js";
import { FakeCollection } from "./fake-collection.js";

const PATH = "/api/v1/namespaces/default/configmaps";
const fast = { initialDelay: 10, maxDelay: 50, burst: 100, restartsPerSecond: 1000 };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function setup(handler: Parameters<typeof startLocalServer>[0]): Promise<{ server: LocalServer; client: Client }> {
  const server = await startLocalServer(handler);
  const client = await localClient(server.url);
  cleanup.push(
    () => server.close(),
    () => client.close(),
  );
  return { server, client };
}

function names(events: ResumableWatchEvent<any>[]): string[] {
  return events.map((e) =>
    e.type === "RELIST"
      ? `RELIST@${e.resourceVersion}`
      : e.type === "ERROR"
        ? `ERROR:${e.error.name}`
        : e.type === "BOOKMARK"
          ? `BOOKMARK@${e.resourceVersion}`
          : `${e.type}:${e.object.metadata.name}@${e.object.metadata.resourceVersion}`,
  );
}

describe("watch against a local server", () => {
  it("delivers each event as it arrives, not when the body ends", async () => {
    let res!: import("node:http").ServerResponse;
    const { client } = await setup((_req, r) => {
      res = r;
      beginWatch(r);
      r.write(eventLine("ADDED", configMap("a", "1")));
    });
    const events = watch(transportSource(client.transport, { path: PATH }), {});
    const first = await events.next();
    expect(first.value).toMatchObject({ type: "ADDED", object: { metadata: { name: "a" } } });
    res.write(eventLine("MODIFIED", configMap("a", "2")).slice(0, 20)); // half a line
    await delay(20);
    res.write(eventLine("MODIFIED", configMap("a", "2")).slice(20));
    expect((await events.next()).value).toMatchObject({ type: "MODIFIED", object: { metadata: { resourceVersion: "2" } } });
    res.end();
    expect((await events.next()).done).toBe(true);
  });

  it("a connection cut mid-line: WatchDisconnected without resume; with resume, reconnects from the last good resourceVersion", async () => {
    let calls = 0;
    const { server, client } = await setup((_req, res) => {
      calls += 1;
      beginWatch(res);
      if (calls === 1) {
        res.write(eventLine("ADDED", configMap("a", "11")));
        res.write(eventLine("ADDED", configMap("b", "12")).slice(0, 30));
        setTimeout(() => res.socket?.destroy(), 20);
      } else {
        res.end(eventLine("ADDED", configMap("b", "12")) + eventLine("MODIFIED", configMap("a", "13")));
      }
    });
    const source = transportSource(client.transport, { path: PATH });
    const plain: string[] = [];
    await expect(
      (async () => {
        for await (const event of watch(source, { resourceVersion: "10" })) plain.push(names([event])[0]!);
      })(),
    ).rejects.toBeInstanceOf(WatchDisconnected);
    expect(plain).toEqual(["ADDED:a@11"]);

    calls = 0;
    server.requests.length = 0;
    const seen: ResumableWatchEvent<any>[] = [];
    for await (const event of watch(source, { resourceVersion: "10", resume: fast })) {
      seen.push(event);
      if (seen.filter((e) => e.type === "MODIFIED").length === 1) break;
    }
    expect(names(seen)).toEqual(["ADDED:a@11", "ERROR:WatchDisconnected", "ADDED:b@12", "MODIFIED:a@13"]);
    expect(server.requests.map((r) => r.query.get("resourceVersion"))).toEqual(["10", "11"]);
  });

  it("a server that answers and then never sends: the idle deadline ends the connection, resume reconnects", async () => {
    let calls = 0;
    const { server, client } = await setup((_req, res) => {
      calls += 1;
      beginWatch(res);
      if (calls >= 2) res.end(eventLine("ADDED", configMap("late", "21")));
    });
    const source = transportSource(client.transport, { path: PATH });
    const started = performance.now();
    await expect(watch(source, { resourceVersion: "20", idleTimeout: 200 }).next()).rejects.toMatchObject({
      name: "WatchDisconnected",
      reason: "idle-timeout",
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);

    calls = 0;
    server.requests.length = 0;
    const seen: ResumableWatchEvent<any>[] = [];
    for await (const event of watch(source, { resourceVersion: "20", idleTimeout: 200, resume: fast })) {
      seen.push(event);
      if (event.type === "ADDED") break;
    }
    expect(names(seen)).toEqual(["ERROR:WatchDisconnected", "ADDED:late@21"]);
  });

  it("the idle deadline counts only time spent waiting for the server: a slow consumer or a steady trickle is not idle", async () => {
    let res!: import("node:http").ServerResponse;
    const { client } = await setup((_req, r) => {
      res = r;
      beginWatch(r);
      r.write(eventLine("ADDED", configMap("a", "1")) + eventLine("ADDED", configMap("b", "2")));
    });
    const events = watch(transportSource(client.transport, { path: PATH }), { resourceVersion: "0", idleTimeout: 200 });
    expect((await events.next()).value).toMatchObject({ object: { metadata: { name: "a" } } });
    await delay(500); // the consumer is busy for more than the idle deadline
    expect((await events.next()).value).toMatchObject({ object: { metadata: { name: "b" } } });
    for (let i = 0; i < 8; i++) {
      setTimeout(() => res.write(eventLine("MODIFIED", configMap("b", String(3 + i)))), 80);
      expect((await events.next()).value).toMatchObject({ type: "MODIFIED", object: { metadata: { resourceVersion: String(3 + i) } } });
    }
    const silentFrom = performance.now();
    await expect(events.next()).rejects.toMatchObject({ name: "WatchDisconnected", reason: "idle-timeout" });
    const waited = performance.now() - silentFrom;
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(1000);
  });

  it("backpressure: a consumer that stops pulling stops the server's writes instead of buffering the stream", async () => {
    const line = eventLine("MODIFIED", configMap("big", "7", { pad: "x".repeat(1000) }));
    const block = Buffer.from(line.repeat(64));
    const total = 64 * 1024 * 1024;
    let accepted = 0;
    const { client } = await setup((_req, res) => {
      beginWatch(res);
      const pump = (): void => {
        while (accepted < total) {
          accepted += block.length;
          if (!res.write(block)) {
            res.once("drain", pump);
            return;
          }
        }
      };
      pump();
    });
    const events = watch(transportSource(client.transport, { path: PATH }), { resourceVersion: "0" });
    expect((await events.next()).value).toMatchObject({ type: "MODIFIED" });
    await delay(400);
    const whilePaused = accepted;
    // Kernel socket buffers plus a chunk or two: megabytes at most, never the whole stream.
    expect(whilePaused).toBeLessThan(total / 4);
    for (let i = 0; i < 5000; i++) await events.next();
    expect(accepted).toBeGreaterThan(whilePaused); // pulling again lets the server go on
    await events.return();
  });

  it("a server that accepts and never answers: the header timeout applies, resume retries", async () => {
    let calls = 0;
    const { client } = await setup((_req, res) => {
      calls += 1;
      if (calls >= 2) {
        beginWatch(res);
        res.end(eventLine("ADDED", configMap("x", "31")));
      }
      // first request: no answer at all
    });
    const source = transportSource(client.transport, { path: PATH });
    const seen: ResumableWatchEvent<any>[] = [];
    for await (const event of watch(source, { resourceVersion: "30", timeout: 200, resume: fast })) {
      seen.push(event);
      if (event.type === "ADDED") break;
    }
    expect(names(seen)).toEqual(["ERROR:RequestAborted", "ADDED:x@31"]);
  });

  it("an ERROR event is thrown as its typed error without resume", async () => {
    const { client } = await setup((_req, res) => {
      beginWatch(res);
      res.end(
        eventLine("ADDED", configMap("a", "1")) +
          eventLine("ERROR", { kind: "Status", code: 500, message: "etcd is sad", reason: "InternalError" }),
      );
    });
    const seen: string[] = [];
    const run = async () => {
      for await (const event of watch(transportSource(client.transport, { path: PATH }), {})) seen.push(event.type);
    };
    await expect(run()).rejects.toBeInstanceOf(InternalServerError);
    expect(seen).toEqual(["ADDED"]);
  });

  it("410 Gone without resume is thrown as Gone; with resume it relists once and watches from the list's version", async () => {
    const fake = await new FakeCollection().start();
    cleanup.push(() => fake.close());
    const client = await localClient(fake.server.url);
    cleanup.push(() => client.close());
    fake.upsert("a", { v: "1" });
    fake.upsert("b", { v: "1" });
    fake.compact();
    const source = transportSource(client.transport, { path: fake.path });
    await expect(watch(source, { resourceVersion: "50" }).next()).rejects.toBeInstanceOf(Gone);

    const seen: ResumableWatchEvent<any>[] = [];
    const iterator = watch(source, { resourceVersion: "50", resume: { ...fast, pageSize: 1 } });
    for await (const event of iterator) {
      seen.push(event);
      if (event.type === "RELIST") fake.upsert("c", { v: "1" });
      if (event.type === "ADDED") break;
    }
    expect(names(seen)).toEqual(["ERROR:Gone", "RELIST@102", "ADDED:c@103"]);
    const relist = seen[1]!;
    expect(relist.type === "RELIST" && relist.items.map((i: any) => i.metadata.name)).toEqual(["a", "b"]);
    expect(fake.listCalls).toBe(2); // page size 1: one relist of two pages
    expect(fake.server.requests.filter((r) => r.query.get("watch") === "true").map((r) => r.query.get("resourceVersion"))).toEqual([
      "50",
      "50",
      "102",
    ]);
  });

  it("a malformed JSON line: MalformedWatchEvent without resume; with resume the watcher survives from the last good version", async () => {
    let calls = 0;
    const { server, client } = await setup((_req, res) => {
      calls += 1;
      beginWatch(res);
      if (calls === 1)
        res.end(eventLine("ADDED", configMap("a", "41")) + '{"type":"ADDED","object":{oops\n' + eventLine("ADDED", configMap("z", "99")));
      else res.end(eventLine("ADDED", configMap("b", "42")));
    });
    const source = transportSource(client.transport, { path: PATH });
    await expect(
      (async () => {
        for await (const _ of watch(source, { resourceVersion: "40" }));
      })(),
    ).rejects.toBeInstanceOf(MalformedWatchEvent);
    calls = 0;
    server.requests.length = 0;
    const seen: ResumableWatchEvent<any>[] = [];
    for await (const event of watch(source, { resourceVersion: "40", resume: fast })) {
      seen.push(event);
      if (event.type === "ADDED" && (event.object as { metadata: { name: string } }).metadata.name === "b") break;
    }
    expect(names(seen)).toEqual(["ADDED:a@41", "ERROR:MalformedWatchEvent", "ADDED:b@42"]);
    expect(server.requests.map((r) => r.query.get("resourceVersion"))).toEqual(["40", "41"]);
  });

  it("abort mid-stream: RequestAborted, the connection is closed, and no timer is left", async () => {
    const timersBefore = activeTimers();
    let closed = false;
    const { client } = await setup((_req, res) => {
      beginWatch(res);
      res.write(eventLine("ADDED", configMap("a", "1")));
      res.on("close", () => (closed = true));
    });
    const controller = new AbortController();
    const seen: string[] = [];
    const run = async () => {
      for await (const event of watch(transportSource(client.transport, { path: PATH }), {
        resume: fast,
        resourceVersion: "1",
        signal: controller.signal,
        idleTimeout: 60_000,
      })) {
        seen.push(event.type);
        if (event.type === "ADDED") controller.abort();
      }
    };
    await expect(run()).rejects.toBeInstanceOf(RequestAborted);
    await delay(50);
    expect(closed).toBe(true);
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it("errors no retry can fix end a resuming watch (403 Forbidden)", async () => {
    const { server, client } = await setup((_req, res) => {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          reason: "Forbidden",
          code: 403,
          message: 'configmaps is forbidden: User "u" cannot watch resource "configmaps"',
        }),
      );
    });
    await expect(
      watch(transportSource(client.transport, { path: PATH }), { resourceVersion: "5", resume: fast }).next(),
    ).rejects.toBeInstanceOf(Forbidden);
    expect(server.requests.length).toBe(1);
  });

  it("a flapping server is not flooded: restarts are bounded by the token bucket", async () => {
    let rv = 100;
    const { server, client } = await setup((_req, res) => {
      beginWatch(res);
      rv += 1;
      res.end(eventLine("MODIFIED", configMap("a", String(rv)))); // one event, then a clean end: looks healthy every time
    });
    const controller = new AbortController();
    const started = performance.now();
    let eighth = 0;
    const run = async () => {
      for await (const _ of watch(transportSource(client.transport, { path: PATH }), {
        resourceVersion: "100",
        signal: controller.signal,
        resume: { initialDelay: 0, maxDelay: 0, burst: 3, restartsPerSecond: 5 },
      })) {
        if (server.requests.length >= 8 && eighth === 0) {
          eighth = performance.now() - started;
          controller.abort();
        }
      }
    };
    await expect(run()).rejects.toBeInstanceOf(RequestAborted);
    // 3 at once, then one per 200 ms: the 8th connection comes 1 s after the start at the
    // earliest, however fast the machine (a flood would have it within milliseconds). Measured
    // up to the 8th, not as a count within a fixed time, so a slow machine cannot fail it.
    expect(eighth).toBeGreaterThanOrEqual(950);
    expect(server.requests.length).toBe(8);
  });
});
