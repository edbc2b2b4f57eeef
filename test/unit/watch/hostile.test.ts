/**
 * Watches and informers against servers that misbehave on purpose (issue 19): a huge
 * `Retry-After`, a watch line that never ends. Each scenario is bounded in time and in
 * memory, and the assertion is on those figures.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ClientClosed, InvalidRequest, RequestAborted, ResponseTooLarge, TooManyRequests, type Client } from "@kubex/runtime";
import { LineSplitter } from "../../../runtime/src/watch/lines.js";
import { createInformer } from "../../../runtime/src/watch/informer.js";
import { transportSource } from "../../../runtime/src/watch/source.js";
import { watch } from "../../../runtime/src/watch/watch.js";
import { serverRequestedDelayMs, MAX_TIMER_MS } from "../../../runtime/src/transport/retry.js";
import { beginWatch, configMap, eventLine, localClient, startLocalServer, type LocalServer } from "./local-server.js";
import { bounded, thrown, writeForever } from "../helpers/bounded.js";

const PATH = "/api/v1/namespaces/default/configmaps";

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

function tooMany(res: import("node:http").ServerResponse, retryAfter: string): void {
  res.writeHead(429, { "content-type": "application/json", "retry-after": retryAfter });
  res.end(
    JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "TooManyRequests", code: 429, message: "slow down" }),
  );
}

describe("one Retry-After policy", () => {
  it("caps a server's wait at the caller's largest backoff delay, never past a timer's range", () => {
    expect(serverRequestedDelayMs(99_999_999_999_000, 30_000)).toBe(30_000);
    expect(serverRequestedDelayMs(5_000, 30_000)).toBe(5_000);
    expect(serverRequestedDelayMs(Number.NaN, 30_000)).toBe(0);
    expect(serverRequestedDelayMs(-5, 30_000)).toBe(0);
    expect(serverRequestedDelayMs(Infinity, Infinity)).toBe(MAX_TIMER_MS);
  });

  it("1: Retry-After 99999999999 on a resuming watch neither spins nor overflows the timer: the wait is maxDelay", async () => {
    const { server, client } = await setup((_req, res) => tooMany(res, "99999999999"));
    const controller = new AbortController();
    const outcome = await bounded(async () => {
      setTimeout(() => controller.abort(), 1500);
      const errors: unknown[] = [];
      for await (const event of watch(transportSource(client.transport, { path: PATH }), {
        resourceVersion: "10",
        signal: controller.signal,
        resume: { initialDelay: 0, maxDelay: 300, burst: 1000, restartsPerSecond: 1000 },
      })) {
        if (event.type === "ERROR") errors.push(event.error);
      }
      return errors;
    });
    expect(thrown(outcome)).toBeInstanceOf(RequestAborted);
    // 1.5 s at one request per 300 ms: about 5 (before the fix: thousands, with a warning each).
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
    expect(server.requests.length).toBeLessThanOrEqual(7);
    expect(outcome.warnings).not.toContain("TimeoutOverflowWarning");
    expect(outcome.ms).toBeLessThan(6_500); // the abort at 1.5 s ends the wait; room for a loaded machine
    expect(outcome.rssGrowthMiB).toBeLessThan(64);
  });

  it("2: an informer hit by four 429s with Retry-After 999999 syncs as soon as the server is healthy (waits capped at maxDelay)", async () => {
    let calls = 0;
    const { client } = await setup((_req, res, url) => {
      calls += 1;
      if (calls <= 4) return tooMany(res, "999999");
      if (url.searchParams.get("watch") === "true") return beginWatch(res);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ apiVersion: "v1", kind: "ConfigMapList", metadata: { resourceVersion: "7" }, items: [configMap("a", "7")] }),
      );
    });
    const errors: unknown[] = [];
    const informer = createInformer(transportSource(client.transport, { path: PATH }), {
      resume: { initialDelay: 10, maxDelay: 200, burst: 1000, restartsPerSecond: 1000 },
      onError: (error) => void errors.push(error),
    });
    cleanup.push(() => informer.stop());
    const outcome = await bounded(() => informer.waitForSync({ timeout: 10_000 }));
    expect("value" in outcome.result).toBe(true);
    expect(errors).toHaveLength(4);
    expect(errors.every((e) => e instanceof TooManyRequests && e.retryAfterSeconds === 999999)).toBe(true);
    // Four waits of at most 200 ms each (before the fix: 4 x 999999 s, 11.6 days).
    expect(outcome.ms).toBeLessThan(10_000);
    expect(outcome.rssGrowthMiB).toBeLessThan(64);
    expect(informer.list()).toHaveLength(1);
  });
});

describe("watch event size limit", () => {
  it("3: a watch line that never ends fails with ResponseTooLarge at the 16 MiB default, without holding more", async () => {
    const { client } = await setup((_req, res) => {
      beginWatch(res);
      res.write('{"type":"ADDED","object":{"kind":"ConfigMap","data":{"a":"');
      writeForever(res, Buffer.alloc(64 * 1024, "x"));
    });
    const outcome = await bounded(async () => {
      for await (const _ of watch(transportSource(client.transport, { path: PATH }), { resourceVersion: "1" }));
    });
    const error = thrown(outcome);
    expect(error).toBeInstanceOf(ResponseTooLarge);
    expect((error as ResponseTooLarge).limit).toBe(16 << 20);
    expect((error as ResponseTooLarge).option).toBe("maxEventBytes");
    expect((error as Error).message).toContain("16 MiB");
    expect((error as Error).message).toContain("maxEventBytes");
    expect(outcome.ms).toBeLessThan(15_000); // the line never ends by itself
    // 16 MiB held at most, plus the last chunks (before: grew 1:1 with the bytes received).
    expect(outcome.rssGrowthMiB).toBeLessThan(96);
  });

  it("3: maxEventBytes is configurable; with resume an oversized event is an ERROR and the watch goes on", async () => {
    let calls = 0;
    const { client } = await setup((_req, res) => {
      calls += 1;
      beginWatch(res);
      if (calls === 1) {
        res.write(eventLine("ADDED", configMap("a", "11")));
        res.end(eventLine("ADDED", configMap("big", "12", { blob: "y".repeat(5000) })));
      } else {
        res.write(eventLine("ADDED", configMap("b", "13")));
      }
    });
    const seen: string[] = [];
    for await (const event of watch(transportSource(client.transport, { path: PATH }), {
      resourceVersion: "10",
      maxEventBytes: 4096,
      resume: { initialDelay: 0, maxDelay: 10, burst: 100, restartsPerSecond: 1000 },
    })) {
      seen.push(
        event.type === "ERROR"
          ? `ERROR:${event.error.name}`
          : event.type === "RELIST"
            ? "RELIST"
            : `${event.type}:${(event.object as { metadata: { name: string } }).metadata.name}`,
      );
      if (seen.includes("ADDED:b")) break;
    }
    expect(seen).toEqual(["ADDED:a", "ERROR:ResponseTooLarge", "ADDED:b"]);
  });

  it("the splitter measures lines inside one chunk too, and accepts a line of exactly the limit", () => {
    const ok = new LineSplitter(10);
    expect(ok.push(Buffer.from("0123456789\nabc\n"))).toEqual(["0123456789", "abc"]);
    const inChunk = new LineSplitter(10);
    expect(inChunk.push(Buffer.from("ab\n0123456789X\n" + "z".repeat(20)))).toEqual(["ab"]); // the line before is kept
    expect(inChunk.overflow).toBeInstanceOf(ResponseTooLarge);
    expect(() => inChunk.push(Buffer.from("\n"))).toThrow(ResponseTooLarge);
    const split = new LineSplitter(10);
    split.push(Buffer.from("01234"));
    expect(split.push(Buffer.from("567890"))).toEqual([]);
    expect(() => split.push(Buffer.from("\n"))).toThrow(/larger than 10 bytes/);
  });

  it("a bad maxEventBytes is an InvalidRequest at the call", async () => {
    const { client } = await setup((_req, res) => beginWatch(res));
    expect(() => watch(transportSource(client.transport, { path: PATH }), { maxEventBytes: 0 })).toThrow(InvalidRequest);
  });
});

describe("client.close() under a resuming watch", () => {
  it("ends the watch with ClientClosed at once instead of reconnecting to a closed client", async () => {
    const { client } = await setup((_req, res) => {
      beginWatch(res);
      res.write(eventLine("ADDED", configMap("a", "11")));
    });
    const outcome = await bounded(async () => {
      const seen: string[] = [];
      for await (const event of watch(transportSource(client.transport, { path: PATH }), {
        resourceVersion: "10",
        resume: { initialDelay: 60_000, maxDelay: 60_000 },
      })) {
        seen.push(event.type);
        if (event.type === "ADDED") void client.close();
      }
      return seen;
    });
    expect(thrown(outcome)).toBeInstanceOf(ClientClosed);
    expect(outcome.ms).toBeLessThan(10_000); // no backoff (up to 60 s) before noticing
  });
});
