/**
 * A run of premature clean ends: the server (or a proxy, or a transport bug) answers the
 * watch with 200 and ends the body at once, with no event, many times in a row. The
 * resuming watcher must not read that as failure (no backoff growth, no giving up): it
 * reconnects from the same resourceVersion, paced only by the restart bucket, and the
 * first event after the run still arrives. Seen once in an HTTP/2 soak as "an informer
 * went silent after a run of premature normal ends"; these pin the watcher's side down.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Client } from "@kubex/runtime";
import { createInformer } from "../../../runtime/src/watch/informer.js";
import { transportSource } from "../../../runtime/src/watch/source.js";
import { watch } from "../../../runtime/src/watch/watch.js";
import { beginWatch, configMap, eventLine, localClient, startLocalServer, type LocalServer } from "./local-server.js";

const PATH = "/api/v1/namespaces/default/configmaps";
const CLEAN_ENDS = 40;
// A backoff of 10-20 s per restart if clean ends counted as failures: 40 of them would take
// minutes, far past the test's timeout. The bucket alone allows 100 restarts per second.
const pacing = { initialDelay: 10_000, maxDelay: 20_000, burst: 5, restartsPerSecond: 100 };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/** Lists answer resourceVersion 5 with one object; the first CLEAN_ENDS watches end at once, the next sends one event. */
async function setup(): Promise<{ server: LocalServer; client: Client; watches: () => URLSearchParams[] }> {
  let watchCount = 0;
  const server = await startLocalServer((_req, res, url) => {
    if (url.searchParams.get("watch") !== "true") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ kind: "ConfigMapList", apiVersion: "v1", metadata: { resourceVersion: "5" }, items: [configMap("a", "5")] }),
      );
      return;
    }
    watchCount += 1;
    beginWatch(res);
    if (watchCount <= CLEAN_ENDS)
      res.end(); // 200, no event, a clean end
    else res.write(eventLine("MODIFIED", configMap("a", "6", { v: "after" }))); // and then stays open
  });
  const client = await localClient(server.url);
  cleanup.push(
    () => server.close(),
    () => client.close(),
  );
  const watches = () => server.requests.filter((r) => r.query.get("watch") === "true").map((r) => r.query);
  return { server, client, watches };
}

describe("a run of premature clean ends", () => {
  it("watch with resume: reconnects from the same version every time, no ERROR, and the event after the run arrives", async () => {
    const { client, watches } = await setup();
    const controller = new AbortController();
    cleanup.push(async () => controller.abort());
    const seen: string[] = [];
    for await (const event of watch(transportSource<ReturnType<typeof configMap>>(client.transport, { path: PATH }), {
      resourceVersion: "5",
      signal: controller.signal,
      resume: pacing,
    })) {
      seen.push(
        event.type === "ERROR"
          ? `ERROR:${event.error.name}`
          : `${event.type}@${"object" in event ? event.object.metadata.resourceVersion : ""}`,
      );
      if (event.type === "MODIFIED") break;
    }
    expect(seen).toEqual(["MODIFIED@6"]);
    expect(watches()).toHaveLength(CLEAN_ENDS + 1);
    expect(watches().map((q) => q.get("resourceVersion"))).toEqual(Array(CLEAN_ENDS + 1).fill("5"));
  });

  it("informer: stays synced through the run and applies the event after it", async () => {
    const { client, watches } = await setup();
    const errors: unknown[] = [];
    const informer = createInformer<ReturnType<typeof configMap>>(transportSource(client.transport, { path: PATH }), {
      resume: pacing,
      onError: (error) => errors.push(error),
    });
    cleanup.push(() => informer.stop());
    await informer.waitForSync({ timeout: 10_000 });
    const deadline = performance.now() + 15_000;
    while (informer.get("a", "default")?.data?.["v"] !== "after") {
      if (performance.now() > deadline)
        throw new Error(`the informer went silent: ${watches().length} watches, cache ${JSON.stringify(informer.list())}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(watches()).toHaveLength(CLEAN_ENDS + 1);
    expect(watches().every((q) => q.get("resourceVersion") === "5")).toBe(true);
    expect(errors).toEqual([]);
    expect(informer.resourceVersion).toBe("6");
  });
});
