/**
 * One measurement in a process of its own (so heaps and peak RSS don't mix):
 * reads a Task from BENCH_TASK, prints `BENCH_RESULT <json>` (a Measurement or an error).
 * Run by bench/run.ts as `node --expose-gc --import tsx bench/worker.ts`: no kubex-source condition, so
 * @kubex/runtime and @kubex/k8s-v1-36 are their built dist (the runtime's bundle), as users run them.
 */
import type { Column, ColumnFactory } from "./columns/column.js";
import { heapUsed, peakConnections, peakRss, timeEach, type Measurement } from "./measure.js";
import type { ColumnId, Task } from "./tasks.js";

/**
 * GETs each worker sends before its row (see main), and the Pod they read (a fixture of the 10-Pod
 * namespace). With 300, V8 was still compiling (--trace-opt) through the next ~2,500 requests of
 * either Node column: its background compiler threads, which process.cpuUsage() counts, spent
 * 190-280 ms in the 1,500 LISTs timed after it. By ~3,000 requests both columns have settled.
 */
const CLIENT_WARM_UP_GETS = 3000;
const WARM_UP_POD = "pod-0000";

/** The ConfigMap kube-controller-manager publishes in every namespace (not one of the fixtures). */
const ROOT_CA = "kube-root-ca.crt";

const factories: Record<Exclude<ColumnId, "kubex-py">, () => Promise<ColumnFactory>> = {
  floor: async () => (await import("./columns/floor.js")).createFloorColumn,
  "kubex-ts": async () => (await import("./columns/kubex.js")).createKubexColumn,
  "client-node": async () => (await import("./columns/client-node.js")).createClientNodeColumn,
};

async function measure(task: Task, column: Column): Promise<Measurement> {
  const { row, namespace, count, warmup, iterations } = task;
  switch (row) {
    case "get": {
      const name = task.name!;
      for (let i = 0; i < warmup; i++) await column.getPod(namespace, name);
      const rssBeforeBytes = process.memoryUsage().rss;
      const timed = await timeEach(0, iterations, () => column.getPod(namespace, name));
      return { ...timed, rssBeforeBytes, peakRssBytes: peakRss() };
    }
    case "list-pods-10":
    case "list-pods-100":
    case "list-pods-500":
    case "list-configmaps-5000": {
      const list = row === "list-configmaps-5000" ? () => column.listConfigMaps(namespace) : () => column.listPods(namespace);
      // With a kube-controller-manager running, every namespace also holds its kube-root-ca.crt ConfigMap.
      const expected =
        count + (await list()).items.filter((item) => (item as { metadata?: { name?: string } }).metadata?.name === ROOT_CA).length;
      for (let i = 0; i < warmup; i++) await list();
      // No forced GC between the warm-ups and the timed part: after one (collect(), two full GCs)
      // V8 recompiles on its background threads for the next few hundred requests, more for the
      // column with more code. LIST 10 Pods, separate processes: ours 1.13x the floor's CPU in the
      // 1,200 LISTs after it, 1.0x without (the CPU of V8's helper threads per window shows the
      // compiling); the bench row read 1.55x in the one run made with it after the 3,000 GETs.
      const rssBeforeBytes = process.memoryUsage().rss;
      const timed = await timeEach(0, iterations, async () => {
        const result = await list();
        if (result.items.length !== expected) throw new Error(`listed ${result.items.length} objects, expected ${expected}`);
      });
      const before = heapUsed();
      const kept = await list();
      const heapDeltaBytes = heapUsed() - before;
      return { ...timed, heapDeltaBytes, rssBeforeBytes, peakRssBytes: peakRss(), note: `${kept.items.length} items` };
    }
    case "watch-50": {
      const run = () => column.watchModified(namespace, task.name!, task.resourceVersion!, count);
      for (let i = 0; i < warmup; i++) await run();
      const rssBeforeBytes = process.memoryUsage().rss;
      const timed = await timeEach(0, iterations, run);
      return { ...timed, rssBeforeBytes, peakRssBytes: peakRss() };
    }
    case "watch-events": {
      const run = () => column.watchEvents(namespace, count);
      for (let i = 0; i < warmup; i++) await run();
      const rssBeforeBytes = process.memoryUsage().rss; // no forced GC here: see the LIST rows
      const timed = await timeEach(0, iterations, run);
      return { ...timed, rssBeforeBytes, peakRssBytes: peakRss() };
    }
    case "informer-10000": {
      // The first informer gives the heap figure (from a baseline no informer has touched: a
      // stopped informer's cache could still sit in a suspended frame), and is the warm-up;
      // the timed ones follow.
      await column.listPods(task.warmupNamespace);
      const rssBeforeBytes = process.memoryUsage().rss;
      const baseline = heapUsed();
      const first = await column.informer(namespace, count);
      const heapDeltaBytes = heapUsed() - baseline;
      const held = first.size();
      await first.stop();
      for (let i = 1; i < warmup; i++) await (await column.informer(namespace, count)).stop();
      const samples: number[] = [];
      let cpuMs = 0;
      for (let i = 0; i < iterations; i++) {
        const cpuBefore = process.cpuUsage();
        const start = process.hrtime.bigint();
        const informer = await column.informer(namespace, count);
        samples.push(Number(process.hrtime.bigint() - start) / 1e6);
        const cpu = process.cpuUsage(cpuBefore);
        cpuMs += (cpu.user + cpu.system) / 1000;
        await informer.stop();
      }
      return {
        samples,
        cpuMsPerOp: cpuMs / iterations,
        heapDeltaBytes,
        rssBeforeBytes,
        peakRssBytes: peakRss(),
        note: `${held} objects cached`,
      };
    }
    case "connections-informers": {
      // `iterations` informers on one client, all synced and watching at once: the sockets they hold.
      await column.listPods(task.warmupNamespace);
      const rssBeforeBytes = process.memoryUsage().rss;
      const cpuBefore = process.cpuUsage();
      const started = process.hrtime.bigint();
      const informers: { stop(): Promise<void> }[] = [];
      const connections = await peakConnections(task.apiserverPort, async () => {
        informers.push(...(await Promise.all(Array.from({ length: iterations }, () => column.informer(namespace, count)))));
        await new Promise((resolve) => setTimeout(resolve, 200)); // the watches are open
      });
      const samples = [Number(process.hrtime.bigint() - started) / 1e6];
      const cpu = process.cpuUsage(cpuBefore);
      await Promise.all(informers.map((i) => i.stop()));
      return {
        samples,
        cpuMsPerOp: (cpu.user + cpu.system) / 1000,
        connections,
        rssBeforeBytes,
        peakRssBytes: peakRss(),
        note: `${iterations} informers`,
      };
    }
    case "connections-gets": {
      // `iterations` GETs started at once on one client: the most sockets open while they run.
      const name = task.name!;
      for (let i = 0; i < warmup; i++) await column.getPod(namespace, name);
      const rssBeforeBytes = process.memoryUsage().rss;
      const cpuBefore = process.cpuUsage();
      const started = process.hrtime.bigint();
      const connections = await peakConnections(task.apiserverPort, async () => {
        await Promise.all(Array.from({ length: iterations }, () => column.getPod(namespace, name)));
      });
      const samples = [Number(process.hrtime.bigint() - started) / 1e6];
      const cpu = process.cpuUsage(cpuBefore);
      return {
        samples,
        cpuMsPerOp: (cpu.user + cpu.system) / 1000 / iterations,
        connections,
        rssBeforeBytes,
        peakRssBytes: peakRss(),
        note: `${iterations} concurrent GETs`,
      };
    }
    case "cold-start":
    case "cold-start-https":
    case "cold-start-openssl-ca":
      throw new Error("cold start runs in fresh processes (bench/cold-start.ts), not in a worker");
  }
}

async function main(): Promise<void> {
  // tsx turns on source-mapped stack traces; with them every `error.stack` read (undici reads
  // one each time a socket is destroyed, so once per aborted watch) walks source maps and costs
  // ~10 ms. Compiled code in production has none, so measure every column without them.
  process.setSourceMapsEnabled(false);
  const task = JSON.parse(process.env["BENCH_TASK"] ?? "null") as Task | null;
  if (task === null || task.column === "kubex-py") throw new Error("BENCH_TASK must hold a Node task");
  const column = await (await factories[task.column]())(task.kubeconfig);
  try {
    // Past the client's own start-up first, every column alike: kubex-ts sends its first requests
    // (64, or 8 MiB of bodies) over HTTP/2 and then moves one-at-a-time requests to HTTP/1.1
    // (runtime/src/transport/lanes.ts), compiling undici's parser then; a row's own warm-ups
    // should find the client as a long-running program has it. The cold rows measure the start.
    for (let i = 0; i < CLIENT_WARM_UP_GETS; i++) await column.getPod(task.warmupNamespace, WARM_UP_POD);
    const result = await measure(task, column);
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await column.close();
  }
}

main().then(
  () => process.exit(0), // client-node keeps sockets alive; the measurement is done
  (error: unknown) => {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stdout.write(`BENCH_RESULT ${JSON.stringify({ error: message })}\n`);
    process.exit(1);
  },
);
