/**
 * Watch and informer throughput and informer memory, kubex vs @kubernetes/client-node,
 * against a loopback server that streams pre-serialised ConfigMap events (so the numbers
 * are the clients' decode/dispatch cost, not the apiserver's). kubex goes through
 * `Api<ConfigMap>` as users do (objects decoded to `ConfigMap` instances).
 *
 *   npx tsx --conditions kubex-source bench/watch.ts [events=20000] [objects=10000] [rounds=5]
 *
 * The server runs in a child process, so the client's CPU time (process.cpuUsage) is the
 * client's alone. Throughput rows: one warm-up round (not counted), then `rounds` rounds
 * that alternate which client goes first; each cell is the median over the rounds of
 * events per second (wall clock) and of client CPU microseconds per event.
 * Memory rows run in a child process each (`--expose-gc`), heap measured after GC.
 */
import { spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Api, createClient, createInformer } from "@kubex/runtime";
import { ConfigMap } from "@kubex/k8s-v1-36/core/v1";

const PATH = "/api/v1/namespaces/bench/configmaps";

function configMap(i: number, rv: number) {
  return {
    metadata: {
      name: `cm-${i}`,
      namespace: "bench",
      resourceVersion: String(rv),
      uid: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
      labels: { app: "bench", shard: String(i % 10) },
    },
    data: { key: "x".repeat(200), index: String(i) },
  };
}

/** Serves a list of `objects` ConfigMaps and a watch that streams `events` MODIFIED events then ends. */
async function serve(objects: number, events: number): Promise<{ url: string; server: Server }> {
  const listBody = JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMapList",
    metadata: { resourceVersion: "1000" },
    items: Array.from({ length: objects }, (_, i) => configMap(i, 1000)),
  });
  const lines = Array.from(
    { length: events },
    (_, n) =>
      JSON.stringify({
        type: "MODIFIED",
        object: { apiVersion: "v1", kind: "ConfigMap", ...configMap(n % Math.max(objects, 1), 2000 + n) },
      }) + "\n",
  );
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

/** Events per second (wall clock) and client CPU microseconds per event of one run. */
interface Rate {
  perSecond: number;
  cpuMicros: number;
}

async function timed(events: number, run: () => Promise<void>): Promise<Rate> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: events / seconds, cpuMicros: (used.user + used.system) / events };
}

async function kubexWatch(url: string, events: number): Promise<Rate> {
  const client = await createClient({ config: { server: url, tls: {}, namespace: "bench", source: { type: "explicit" } }, retry: false });
  const rate = await timed(events, async () => {
    let count = 0;
    for await (const _ of new Api(ConfigMap, { client }).watch({ resourceVersion: "1000" })) {
      if (++count === events) break;
    }
  });
  await client.close();
  return rate;
}

async function kubexInformer(url: string, events: number): Promise<Rate> {
  const client = await createClient({ config: { server: url, tls: {}, namespace: "bench", source: { type: "explicit" } }, retry: false });
  let informer: { stop(): Promise<void> } | undefined;
  const rate = await timed(events, async () => {
    let count = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    informer = createInformer(new Api(ConfigMap, { client }), { onUpdate: () => ++count === events && done() });
    await finished;
  });
  await informer?.stop();
  await client.close();
  return rate;
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
  kc.loadFromOptions({
    clusters: [{ name: "c", server: url, skipTLSVerify: true }],
    users: [{ name: "u" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

async function clientNodeWatch(url: string, events: number): Promise<Rate | undefined> {
  const k8s = await clientNode();
  if (!k8s) return undefined;
  const w = new k8s.Watch(kubeConfigFor(k8s, url));
  return timed(events, async () => {
    let count = 0;
    await new Promise<void>((resolve, reject) => {
      let request: { abort(): void } | undefined;
      void w
        .watch(
          PATH,
          { resourceVersion: "1000" },
          () => {
            if (++count === events) {
              request?.abort();
              resolve();
            }
          },
          (err) => (count < events && err ? reject(err) : undefined),
        )
        .then((r) => (request = r));
    });
  });
}

async function clientNodeInformer(url: string, events: number): Promise<Rate | undefined> {
  const k8s = await clientNode();
  if (!k8s) return undefined;
  const kc = kubeConfigFor(k8s, url);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(kc, PATH, () => core.listNamespacedConfigMap({ namespace: "bench" }));
  const rate = await timed(events, async () => {
    let count = 0;
    await new Promise<void>((resolve) => {
      informer.on("update", () => ++count === events && resolve());
      void informer.start();
    });
  });
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
    const informer = createInformer(new Api(ConfigMap, { client }));
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
  const result = spawnSync(
    process.execPath,
    ["--expose-gc", "--conditions", "kubex-source", "--import", "tsx", fileURLToPath(import.meta.url), "--memory", which, String(objects)],
    { encoding: "utf8", timeout: 120_000 },
  );
  const line = result.stdout.trim().split("\n").pop();
  try {
    return JSON.parse(line ?? "");
  } catch {
    process.stderr.write(result.stderr);
    return undefined;
  }
}

/** Child process: the loopback server; prints its URL, runs until stdin closes. */
async function serverChild(objects: number, events: number): Promise<void> {
  const { url, server } = await serve(objects, events);
  process.stdout.write(url + "\n");
  process.stdin.resume();
  process.stdin.on("end", () => {
    server.closeAllConnections();
    server.close();
    process.exit(0);
  });
}

async function startServerChild(objects: number, events: number): Promise<{ url: string; stop(): void }> {
  const child = spawn(
    process.execPath,
    ["--conditions", "kubex-source", "--import", "tsx", fileURLToPath(import.meta.url), "--serve", String(objects), String(events)],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (data: Buffer) => {
      out += data.toString();
      if (out.includes("\n")) resolve(out.trim());
    });
    child.on("exit", (code) => reject(new Error(`bench server exited (code ${code})`)));
  });
  return { url, stop: () => child.stdin.end() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `a` and `b` for one warm-up round and `rounds` counted rounds, alternating which goes first. */
async function compare(rounds: number, a: () => Promise<Rate>, b: () => Promise<Rate | undefined>): Promise<[Rate, Rate | undefined]> {
  const as: Rate[] = [];
  const bs: Rate[] = [];
  for (let round = 0; round <= rounds; round++) {
    let ra: Rate;
    let rb: Rate | undefined;
    if (round % 2 === 0) {
      ra = await a();
      rb = await b();
    } else {
      rb = await b();
      ra = await a();
    }
    if (round === 0) continue;
    as.push(ra);
    if (rb !== undefined) bs.push(rb);
  }
  const summary = (list: Rate[]): Rate => ({
    perSecond: median(list.map((r) => r.perSecond)),
    cpuMicros: median(list.map((r) => r.cpuMicros)),
  });
  return [summary(as), bs.length === 0 ? undefined : summary(bs)];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--memory") return memoryChild(args[1]!, Number(args[2]));
  if (args[0] === "--serve") return serverChild(Number(args[1]), Number(args[2]));
  const events = Number(args[0] ?? 20_000);
  const objects = Number(args[1] ?? 10_000);
  const rounds = Number(args[2] ?? 5);
  const server = await startServerChild(1000, events);
  const hasClientNode = (await clientNode()) !== undefined;
  const fmt = (r: Rate | undefined) =>
    r === undefined ? "n/a" : `${Math.round(r.perSecond).toLocaleString("en")} ev/s, ${r.cpuMicros.toFixed(2)} µs CPU/ev`;
  const rows: [string, string, string][] = [];
  const [watchKubex, watchClientNode] = await compare(
    rounds,
    () => kubexWatch(server.url, events),
    () => clientNodeWatch(server.url, events),
  );
  rows.push([`watch, ${events} events`, fmt(watchKubex), fmt(watchClientNode)]);
  const [informerKubex, informerClientNode] = await compare(
    rounds,
    () => kubexInformer(server.url, events),
    () => clientNodeInformer(server.url, events),
  );
  rows.push([`informer, ${events} events`, fmt(informerKubex), fmt(informerClientNode)]);
  server.stop();
  const mb = (m: { bytes: number; size: number } | undefined) =>
    m === undefined ? "n/a" : `${(m.bytes / 1048576).toFixed(1)} MiB (${m.size} objects)`;
  rows.push([
    `informer heap, ${objects} ConfigMaps`,
    mb(memory("kubex", objects)),
    hasClientNode ? mb(memory("client-node", objects)) : "n/a",
  ]);
  const widths = [0, 1, 2].map((c) =>
    Math.max(...rows.map((r) => r[c]!.length), ["scenario", "kubex", "@kubernetes/client-node"][c]!.length),
  );
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ");
  console.log(line(["scenario", "kubex", "@kubernetes/client-node"]));
  for (const row of rows) console.log(line(row));
  console.log(`throughput: median of ${rounds} rounds after a warm-up round, alternating order; server in a child process`);
  if (!hasClientNode) console.log("@kubernetes/client-node is not installed: its column is n/a");
}

await main();
