/**
 * The event recorder's aggregation timing (client-go tools/events), with a fake clock and a
 * loopback server that records what is written. What the real server stores: e2e.
 */
import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { EventRecorder, FakeClock, jsonLogger } from "@kubex/runtime";
import { localClient, startLocalServer } from "../watch/local-server.js";

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

function body(req: IncomingMessage): Promise<Record<string, any>> {
  return new Promise((resolve) => {
    let text = "";
    req
      .setEncoding("utf8")
      .on("data", (chunk: string) => (text += chunk))
      .on("end", () => resolve(JSON.parse(text) as Record<string, any>));
  });
}

async function setup(options: { failFirst?: number } = {}) {
  const writes: { method: string; path: string; body: Record<string, any> }[] = [];
  let failures = options.failFirst ?? 0;
  const server = await startLocalServer(async (req, res, url) => {
    const sent = await body(req);
    if (failures > 0) {
      failures -= 1;
      res
        .writeHead(503, { "content-type": "application/json" })
        .end(JSON.stringify({ kind: "Status", code: 503, reason: "ServiceUnavailable", message: "etcd leader changed" }));
      return;
    }
    writes.push({ method: req.method!, path: url.pathname, body: sent });
    res
      .writeHead(req.method === "POST" ? 201 : 200, { "content-type": "application/json" })
      .end(JSON.stringify({ ...sent, metadata: { ...sent.metadata, resourceVersion: "1" } }));
  });
  const client = await localClient(server.url);
  const clock = new FakeClock();
  const logged: string[] = [];
  const recorder = new EventRecorder({
    client,
    reportingController: "example.com/op",
    reportingInstance: "op-1",
    clock,
    retryDelay: 1_000,
    log: jsonLogger({ write: (t) => void logged.push(t) }),
  });
  cleanup.push(
    () => server.close(),
    () => client.close(),
  );
  return { writes, recorder, clock, logged };
}

const proxy = {
  apiVersion: "example.com/v1",
  kind: "MyProxy",
  metadata: { name: "web", namespace: "ns", uid: "u-1", resourceVersion: "5" },
};
const created = { type: "Normal" as const, reason: "Created", action: "CreateDeployment", note: "created Deployment web" };

describe("EventRecorder (events.k8s.io/v1, client-go aggregation)", () => {
  it("creates the first, patches series count 2 at once, counts the rest until the refresh", async () => {
    const { writes, recorder, clock } = await setup();
    recorder.record(proxy, created);
    await recorder.flush();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ method: "POST", path: "/apis/events.k8s.io/v1/namespaces/ns/events" });
    expect(writes[0]!.body).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      reportingController: "example.com/op",
      reportingInstance: "op-1",
      action: "CreateDeployment",
      reason: "Created",
      type: "Normal",
      regarding: { apiVersion: "example.com/v1", kind: "MyProxy", name: "web", namespace: "ns", uid: "u-1" },
    });
    expect(writes[0]!.body.series).toBeUndefined();
    expect(writes[0]!.body.eventTime).toMatch(/^2026-01-01T00:00:00\.000000Z$/);
    const name = writes[0]!.body.metadata.name as string;
    expect(name).toMatch(/^web\./);

    await clock.advance(1_000);
    recorder.record({ ...proxy, metadata: { ...proxy.metadata, resourceVersion: "6" } }, created); // a newer version of the same object
    await recorder.flush();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toMatchObject({
      method: "PATCH",
      path: `/apis/events.k8s.io/v1/namespaces/ns/events/${name}`,
      body: { series: { count: 2, lastObservedTime: "2026-01-01T00:00:01.000000Z" } },
    });

    for (let i = 0; i < 3; i += 1) recorder.record(proxy, created);
    await recorder.flush();
    expect(writes).toHaveLength(2); // counted, not written
    await clock.advance(30 * 60_000);
    await recorder.flush();
    expect(writes).toHaveLength(3);
    expect(writes[2]!.body.series.count).toBe(5);
  });

  it("different reasons or objects are separate events; a series ends after 6 quiet minutes (final count written)", async () => {
    const { writes, recorder, clock } = await setup();
    recorder.record(proxy, created);
    recorder.record(proxy, { ...created, reason: "Reverted", action: "UpdateDeployment" });
    recorder.record({ ...proxy, metadata: { ...proxy.metadata, name: "other", uid: "u-2" } }, created);
    recorder.record(proxy, created);
    recorder.record(proxy, created);
    await recorder.flush();
    expect(writes.filter((w) => w.method === "POST")).toHaveLength(3);
    expect(writes.filter((w) => w.method === "PATCH").map((w) => w.body.series.count)).toEqual([2]);
    await clock.advance(13 * 60_000);
    await recorder.flush();
    expect(writes.filter((w) => w.method === "PATCH").map((w) => w.body.series.count)).toEqual([2, 3]);
    recorder.record(proxy, created); // after the series ended: a new Event
    await recorder.flush();
    expect(writes.filter((w) => w.method === "POST")).toHaveLength(4);
    await recorder.close();
  });

  it("retries a write the server could not take (503), and never throws into the caller", async () => {
    const { writes, recorder, clock } = await setup({ failFirst: 2 });
    expect(() => recorder.record(proxy, created)).not.toThrow();
    await clock.advance(0);
    expect(writes).toHaveLength(0);
    await clock.advance(5_000);
    await recorder.flush();
    expect(writes).toHaveLength(1);
  });

  it("close() writes the final count of an open series and drops later records", async () => {
    const { writes, recorder } = await setup();
    for (let i = 0; i < 4; i += 1) recorder.record(proxy, created);
    await recorder.close();
    expect(writes.map((w) => w.body.series?.count ?? 1)).toEqual([1, 2, 4]);
    recorder.record(proxy, created);
    await recorder.flush();
    expect(writes).toHaveLength(3);
  });
});
