/**
 * Watch and informer throughput and informer memory, kubex vs @kubernetes/client-node,
 * against a loopback server that streams pre-serialised ConfigMap events (so the numbers
 * are the clients' decode/dispatch cost, not the apiserver's).
 *
 *   npx tsx --conditions kubex-source bench/watch.ts [events=20000] [objects=10000]
 *
 * Memory rows run in a child process each (`--expose-gc`), heap measured after GC.
 */
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createClient, createInformer, transportSource, watch } from "@kubex/runtime";

const PATH = "/api/v1/namespaces/bench/configmaps";

function configMap(i: number, rv: number) {
  return {
    metadata: { name: `cm-${i}`, namespace: "bench", resourceVersion: String(rv), uid: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`, labels: { app: "bench", shard: String(i % 10) } },
    data: { key: "x".repeat(200), index: String(i) },
  };
}

/** Serves a list of `objects` ConfigMaps and a watch that streams `events` MODIFIED events then ends. */
async function serve(objects: number, events: number): Promise<{ url: string; server: Server }> {
  const listBody = JSON.stringify({ apiVersion: "v1", kind: "ConfigMapList", metadata: { resourceVersion: "1000" }, items: Array.from({ length: objects }, (_, i) => configMap(i, 1000)) });
  const lines = Array.from({ length: events }, (_, n) => JSON.stringify({ type: "MODIFIED", object: { apiVersion: "v1", kind: "ConfigMap", ...configMap(n % Math.max(objects, 1), 2000 + n) } }) + "\n");
  const watchBody = Buffer.from(lines.join(""));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
      res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
      res.flushHeaders();
      if (url.searchParams.get("resourceVersion") === "1000" || !url.searchParams.has("resourceVersion")) {
        for (let offset = 0; offset < watchBody.length; offset += 64 * 1024) res.write(watchBody.subarray(offset, offset + 64 * 1024));
      }
      // Stay open (a real watch would): the client stops once it has counted everything.
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(listBody);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function kubexWatch(url: string, events: number): Promise<number> {
  const client = await createClient({ config: { server: url, tls: {}, namespace: "bench", source: { type: "explicit" } }, retry: false });
  const controller = new AbortController();
  const started = performance.now();
  let count = 0;
  for await (const _ of watch(transportSource(client.transport, { path: PATH }), { resourceVersion: "1000", signal: controller.signal })) {
    if (++count === events) break;
  }
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  return events / seconds;
}

async function kubexInformer(url: string, events: number): Promise<number> {
  const client = await createClient({ config: { server: url, tls: {}, namespace: "bench", source: { type: "explicit" } }, retry: false });
  let count = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const started = performance.now();
  const informer = createInformer(transportSource(client.transport, { path: PATH }), { onUpdate: () => ++count === events && done() });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await informer.stop();
  await client.close();
  return events / seconds;
}

async function clientNode() {
  try {
    return await import("@kubernetes/client-node");
  } catch {
    return undefined;
  }
}

function kubeConfigFor(k8s: NonNullable<Awaited<ReturnType<typeof clientNode>>>, url: string) {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: "c", server: url, skipTLSVerify: true }], users: [{ name: "u" }], contexts: [{ name: "x", cluster: "c", user: "u" }], currentContext: "x" });
  return kc;
}

async function clientNodeWatch(url: string, events: number): Promise<number | undefined> {
  const k8s = await clientNode();
  if (!k8s) return undefined;
  const w = new k8s.Watch(kubeConfigFor(k8s, url));
  let count = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let request: { abort(): void } | undefined;
    void w
      .watch(PATH, { resourceVersion: "1000" }, () => {
        if (++count === events) {
          request?.abort();
          resolve();
        }
      }, (err) => (count < events && err ? reject(err) : undefined))
      .then((r) => (request = r));
  });
  return events / ((performance.now() - started) / 1000);
}

async function clientNodeInformer(url: string, events: number): Promise<number | undefined> {
  const k8s = await clientNode();
  if (!k8s) return undefined;
  const kc = kubeConfigFor(k8s, url);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(kc, PATH, () => core.listNamespacedConfigMap({ namespace: "bench" }));
  let count = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    informer.on("update", () => ++count === events && resolve());
    void informer.start();
  });
  const rate = events / ((performance.now() - started) / 1000);
  await informer.stop();
  return rate;
}

/** Child process: heap held by an informer with `objects` ConfigMaps. */
async function memoryChild(which: string, objects: number): Promise<void> {
  const { url, server } = await serve(objects, 0);
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const before = process.memoryUsage().heapUsed;
  let stop: () => Promise<unknown>;
  let size: number;
  if (which === "kubex") {
    const client = await createClient({ config: { server: url, tls: {}, namespace: "bench", source: { type: "explicit" } }, retry: false });
    const informer = createInformer(transportSource(client.transport, { path: PATH }));
    await informer.waitForSync();
    size = informer.store.size;
    stop = async () => (await informer.stop(), await client.close());
  } else {
    const k8s = (await clientNode())!;
    const kc = kubeConfigFor(k8s, url);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, PATH, () => core.listNamespacedConfigMap({ namespace: "bench" }));
    await informer.start();
    size = informer.list().length;
    stop = () => informer.stop();
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc();
  const after = process.memoryUsage().heapUsed;
  process.stdout.write(JSON.stringify({ size, bytes: after - before }) + "\n");
  await stop();
  server.close();
  server.closeAllConnections();
  process.exit(0);
}

function memory(which: string, objects: number): { size: number; bytes: number } | undefined {
  const result = spawnSync(process.execPath, ["--expose-gc", "--conditions", "kubex-source", "--import", "tsx", fileURLToPath(import.meta.url), "--memory", which, String(objects)], { encoding: "utf8", timeout: 120_000 });
  const line = result.stdout.trim().split("\n").pop();
  try {
    return JSON.parse(line ?? "");
  } catch {
    process.stderr.write(result.stderr);
    return undefined;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--memory") return memoryChild(args[1]!, Number(args[2]));
  const events = Number(args[0] ?? 20_000);
  const objects = Number(args[1] ?? 10_000);
  const { url, server } = await serve(1000, events);
  const hasClientNode = (await clientNode()) !== undefined;
  const fmt = (n: number | undefined) => (n === undefined ? "n/a" : `${Math.round(n).toLocaleString("en")} ev/s`);
  const rows: [string, string, string][] = [];
  rows.push([`watch, ${events} events`, fmt(await kubexWatch(url, events)), fmt(await clientNodeWatch(url, events))]);
  rows.push([`informer, ${events} events`, fmt(await kubexInformer(url, events)), fmt(await clientNodeInformer(url, events))]);
  server.closeAllConnections();
  server.close();
  const mb = (m: { bytes: number; size: number } | undefined) => (m === undefined ? "n/a" : `${(m.bytes / 1048576).toFixed(1)} MiB (${m.size} objects)`);
  rows.push([`informer heap, ${objects} ConfigMaps`, mb(memory("kubex", objects)), hasClientNode ? mb(memory("client-node", objects)) : "n/a"]);
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length), ["scenario", "kubex", "@kubernetes/client-node"][c]!.length));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ");
  console.log(line(["scenario", "kubex", "@kubernetes/client-node"]));
  for (const row of rows) console.log(line(row));
  if (!hasClientNode) console.log("@kubernetes/client-node is not installed: its column is n/a");
}

await main();
