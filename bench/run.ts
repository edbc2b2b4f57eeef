/**
 * `npm run bench`: kubex's scenarios against a real apiserver, side by side, in one run:
 * the raw floor (undici + JSON.parse), this runtime (@kubex/runtime + @kubex/k8s-v1-36),
 * @kubernetes/client-node, and the Python kubex (aiohttp). Each measurement runs in a
 * process of its own (heaps and peak RSS don't mix); rows run one after another with the
 * columns interleaved, so a slow moment of the machine hits every column alike.
 * Every row is measured warm (steady state: enough warm-ups that the JIT has compiled the
 * hot paths, and enough iterations), except the cold-start row: fresh processes, process
 * start -> import + createClient() + one GET (bench/cold-start.ts). The connections rows
 * count the TCP connections each client holds to the apiserver with 30 informers and with
 * 200 concurrent GETs. Prints tables with ratios and writes bench/results/latest.json.
 *
 * Then runs the other benchmarks in bench/ (watch.ts, stream.ts, crd-gen.ts) if present.
 *
 * Environment: KUBEX_BENCH_KUBECONFIG (reuse a running cluster), KUBEX_BENCH_COLUMNS
 * (comma list, default all), KUBEX_BENCH_ROWS (comma list, default all),
 * KUBEX_BENCH_EXTRAS=0 (skip the other benchmarks).
 */
import { spawn } from "node:child_process";
import { cpus, loadavg, tmpdir } from "node:os";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPackages } from "../scripts/build.js";
import { acquireCluster } from "./cluster.js";
import { causeModifications, ensureFixtures, namespaces, watchTarget } from "./fixtures.js";
import { ensurePythonEnv, type PythonEnv } from "./python-env.js";
import { connectRaw, readTlsMaterial } from "./raw.js";
import { measureColdStart, type ColdStartOptions } from "./cold-start.js";
import { median, type Measurement } from "./measure.js";
import { memoryLines, renderTable, timeLines, type Line, type Outcome } from "./report.js";
import { isColdRow, type ColumnId, type RowId, type Task } from "./tasks.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

interface RowPlan {
  row: RowId;
  label: string;
  namespace: string;
  name?: string;
  count: number;
  warmup: number;
  iterations: number;
  /** The Python column is slower: fewer iterations where each one is long. */
  pythonIterations?: number;
  /**
   * Rounds (default 4), the column order reversed each round, the iterations split between them.
   * The machine's load drifts between processes (two runs minutes apart gave GET 1.37x and 0.92x
   * floor with 2 rounds): each column's CPU per op is the median of its rounds. Six for the GET
   * and LIST rows: at steady state one process of a column still measured up to ±25% from the
   * next (the same code, the machine otherwise idle: LIST 500 Pods 20.6-34.8 ms CPU per op).
   */
  rounds?: number;
}

// Warm-ups and iterations long enough that every column runs at steady state (JIT warm):
// with 50 warm-ups a GET measured the compiler (0.96 ms CPU/op), after 1,000 it is 0.24 ms.
// Every worker first sends 3,000 GETs (worker.ts); with the row's warm-ups below, a GET is timed
// after 4,000 requests and a LIST of 10 after 4,000: where --trace-opt shows V8's compiler idle.
// Warm-up runs in each round (two unless the row says); the iterations are split between them.
const plan: RowPlan[] = [
  { row: "get", label: "GET one Pod", namespace: namespaces.pods10, name: "pod-0000", count: 1, warmup: 1000, iterations: 3000, rounds: 6 },
  { row: "list-pods-10", label: "LIST 10 Pods", namespace: namespaces.pods10, count: 10, warmup: 1000, iterations: 1200, rounds: 6 },
  { row: "list-pods-100", label: "LIST 100 Pods", namespace: namespaces.pods100, count: 100, warmup: 200, iterations: 240, rounds: 6 },
  {
    row: "list-pods-500",
    label: "LIST 500 Pods",
    namespace: namespaces.pods500,
    count: 500,
    warmup: 40,
    iterations: 72,
    pythonIterations: 36,
    rounds: 6,
  },
  {
    row: "list-configmaps-5000",
    label: "LIST 5,000 ConfigMaps",
    namespace: namespaces.configMaps5000,
    count: 5000,
    warmup: 8,
    iterations: 24,
    pythonIterations: 12,
    rounds: 6,
  },
  {
    row: "watch-50",
    label: "watch 50 MODIFIED events (a new watch each time)",
    namespace: namespaces.watch,
    name: watchTarget,
    count: 50,
    warmup: 20,
    iterations: 100,
  },
  {
    row: "watch-events",
    label: "watch: 10,000 ADDED events",
    namespace: namespaces.configMaps10000,
    count: 10000,
    warmup: 3,
    // 8 iterations in 2 rounds gave 1.06x and 1.43x floor in two runs a few minutes apart on
    // the loaded machine (each round's processes meet a different load): 16 in 4 rounds.
    iterations: 16,
    pythonIterations: 8,
    rounds: 4,
  },
  {
    row: "informer-10000",
    label: "informer, 10,000 ConfigMaps",
    namespace: namespaces.configMaps10000,
    count: 10000,
    warmup: 2,
    iterations: 12,
    rounds: 4,
  },
  // The connections rows: `iterations` is how many at once (not split between the rounds).
  { row: "connections-informers", label: "30 informers on one client", namespace: namespaces.watch, count: 1, warmup: 0, iterations: 30 },
  {
    row: "connections-gets",
    label: "200 concurrent GETs on one client",
    namespace: namespaces.pods10,
    name: "pod-0000",
    count: 1,
    warmup: 20,
    iterations: 200,
  },
];

const COLD_RUNS = 9;
const COLD_LABEL = "cold start: process start -> import, createClient(), one GET (floor column: bare node -e)";
const COLD_HTTPS_LABEL = "cold start, the same: floor column node:https with the TLS material from a file (no library)";
const COLD_OPENSSL_CA_LABEL = "cold start, the same, with node --use-openssl-ca: Node's bundled root store not built (floor: bare node -e)";

const allColumns: ColumnId[] = ["floor", "kubex-ts", "client-node", "kubex-py"];
const TASK_TIMEOUT_MS = 180_000;

function selected<T extends string>(variable: string, all: readonly T[]): T[] {
  const value = process.env[variable];
  if (value === undefined || value === "") return [...all];
  const wanted = value.split(",").map((s) => s.trim());
  const unknown = wanted.filter((w) => !all.includes(w as T));
  if (unknown.length > 0) throw new Error(`${variable}: unknown ${unknown.join(", ")} (known: ${all.join(", ")})`);
  return all.filter((a) => wanted.includes(a));
}

/** Runs one task in a child process and reads its BENCH_RESULT line. */
function runTask(task: Task, python: PythonEnv): Promise<Outcome> {
  let command: string;
  let args: string[];
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_TASK: JSON.stringify(task), KUBECONFIG: task.kubeconfig };
  if (task.column === "kubex-py") {
    if ("error" in python) return Promise.resolve({ error: python.error });
    command = python.python;
    args = [join(here, "python", "bench.py")];
  } else {
    command = process.execPath;
    // No kubex-source condition: the workspace packages resolve to their built dist (main() builds
    // them first), so ours runs as users get it, the runtime's bundle, not tsx's on-the-fly
    // compilation of its sources (which adds a keep-names helper call to every closure made).
    args = ["--expose-gc", "--import", "tsx", join(here, "worker.ts")];
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), TASK_TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
      if (line !== undefined) return resolve(JSON.parse(line.slice("BENCH_RESULT ".length)) as Outcome);
      const why = signal === "SIGKILL" ? `timed out after ${TASK_TIMEOUT_MS / 1000} s` : `exited ${code ?? signal}`;
      resolve({ error: `${why}: ${stderr.trim().split("\n").slice(-2).join(" | ").slice(0, 300)}` });
    });
  });
}

/**
 * The other engineers' benchmarks (streaming, watch decode cost on loopback, CRD generation),
 * run after ours with their own defaults and printed as they print; a failure is reported, not fatal.
 */
const extras = [
  { script: "watch.ts", what: "watch/informer decode cost on a loopback server (watch engineer)" },
  { script: "stream.ts", what: "port-forward throughput and exec latency (streaming engineer)" },
  { script: "crd-gen.ts", what: "kubex-gen crd on 100 CRDs (CRD engineer)" },
  { script: "kubeconfig.ts", what: "loading kubeconfigs of 300 to 3,000 contexts, beside client-node (kubeconfig engineer)" },
  { script: "operator.ts", what: "the MyProxy operator on 1,000 objects: wall time and CPU (controller engineer)", timeoutMs: 900_000 },
];
const EXTRA_TIMEOUT_MS = 150_000;

async function runExtras(kubeconfig: string): Promise<void> {
  for (const extra of extras) {
    const file = join(here, extra.script);
    if (!existsSync(file)) continue;
    process.stdout.write(`\n== bench/${extra.script}: ${extra.what} ==\n`);
    // kubex-source: the workspace packages resolve to their sources, so a fresh clone needs no build first.
    const args = ["--conditions=kubex-source", "--import", "tsx", file];
    const t0 = Date.now();
    const code = await new Promise<number | string>((resolve) => {
      const child = spawn(process.execPath, args, {
        cwd: root,
        env: { ...process.env, KUBECONFIG: kubeconfig },
        stdio: ["ignore", "inherit", "inherit"],
      });
      const timeoutMs = ("timeoutMs" in extra ? extra.timeoutMs : undefined) ?? EXTRA_TIMEOUT_MS;
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("close", (exit, signal) => {
        clearTimeout(timer);
        resolve(signal === "SIGKILL" ? `killed after ${timeoutMs / 1000} s` : (exit ?? String(signal)));
      });
    });
    log(`bench/${extra.script}: ${code === 0 ? "done" : `FAILED (${code})`} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
}

/** Every round's samples together; CPU and heap figures the median of the rounds; the highest peak RSS. An error in any round wins. */
function mergeRounds(outcomes: (Outcome | undefined)[]): Outcome {
  const present = outcomes.filter((o): o is Outcome => o !== undefined);
  const failure = present.find((o) => "error" in o);
  if (failure !== undefined || present.length === 0) return failure ?? { error: "not run" };
  const ok = present as Measurement[];
  // The median of the rounds: one round that met a busy machine does not move it.
  const heaps = ok.map((m) => m.heapDeltaBytes).filter((h): h is number => h !== undefined);
  const merged: Measurement = {
    samples: ok.flatMap((m) => m.samples),
    cpuMsPerOp: median(ok.map((m) => m.cpuMsPerOp)),
    rssBeforeBytes: Math.min(...ok.map((m) => m.rssBeforeBytes)),
    peakRssBytes: Math.max(...ok.map((m) => m.peakRssBytes)),
  };
  if (heaps.length > 0) merged.heapDeltaBytes = median(heaps);
  const connections = ok.map((m) => m.connections).filter((c): c is number => c !== undefined);
  if (connections.length > 0) merged.connections = Math.max(...connections);
  if (ok[0]!.note !== undefined) merged.note = ok[0]!.note;
  return merged;
}

function apiserverPort(origin: string): number {
  const url = new URL(origin);
  return url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  const columns = selected("KUBEX_BENCH_COLUMNS", allColumns);
  const rows = selected<RowId>("KUBEX_BENCH_ROWS", [...plan.map((p) => p.row), "cold-start"]);
  const python: PythonEnv = columns.includes("kubex-py") ? ensurePythonEnv(root, log) : { error: "not selected" };
  if ("error" in python) log(python.error);

  const cluster = await acquireCluster(log);
  const stopOnSignal = (): void => void cluster.stop().finally(() => process.exit(130));
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  try {
    const raw = connectRaw(cluster.kubeconfig);
    const results: { row: RowId; label: string; outcomes: Partial<Record<ColumnId, Outcome>> }[] = [];
    try {
      if (columns.includes("kubex-ts")) {
        // Ours as users run it, in every row: the built dist of the runtime and the 1.36 models.
        log("building runtime (bundle) and generated/v1_36 (tsc -b, incremental)");
        await buildPackages(["runtime", "generated/v1_36"]);
      }
      log("fixtures (created once per cluster)");
      await ensureFixtures(raw, log);
      for (const step of plan.filter((p) => rows.includes(p.row))) {
        // Rounds with the columns in alternating orders, so a busy moment of the machine does not favour one.
        const rounds: Partial<Record<ColumnId, Outcome>>[] = [];
        const roundCount = step.rounds ?? 4;
        const orders = Array.from({ length: roundCount }, (_, i) => (i % 2 === 0 ? columns : [...columns].reverse()));
        for (const order of orders) {
          const round: Partial<Record<ColumnId, Outcome>> = {};
          for (const column of order) {
            const earlier = rounds[0]?.[column];
            if (earlier !== undefined && "error" in earlier) continue; // the same error would come again
            const iterations = column === "kubex-py" ? (step.pythonIterations ?? step.iterations) : step.iterations;
            const task: Task = {
              column,
              row: step.row,
              kubeconfig: cluster.kubeconfig,
              namespace: step.namespace,
              count: step.count,
              warmup: step.warmup,
              iterations: step.row.startsWith("connections-") ? iterations : Math.max(1, Math.ceil(iterations / roundCount)),
              apiserverPort: apiserverPort(raw.origin),
              warmupNamespace: namespaces.pods10,
            };
            if (step.name !== undefined) task.name = step.name;
            if (step.row === "watch-50") task.resourceVersion = await causeModifications(raw, step.count);
            const t0 = Date.now();
            const outcome = await runTask(task, python);
            round[column] = outcome;
            log(
              `${step.label} / ${column} (round ${rounds.length + 1}): ${"error" in outcome ? `ERROR ${outcome.error}` : "ok"} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
            );
          }
          rounds.push(round);
        }
        const outcomes: Partial<Record<ColumnId, Outcome>> = {};
        for (const column of columns) outcomes[column] = mergeRounds(rounds.map((r) => r[column]));
        results.push({ row: step.row, label: step.label, outcomes });
      }
      if (rows.includes("cold-start")) {
        // Ours as users run it: the built dist of the runtime and the 1.36 models (built above), no tsx.
        const tlsMaterialFile = join(mkdtempSync(join(tmpdir(), "kubex-bench-cold-")), "tls.json");
        writeFileSync(tlsMaterialFile, JSON.stringify(readTlsMaterial(cluster.kubeconfig)), { mode: 0o600 });
        const options: ColdStartOptions = {
          root,
          tlsMaterialFile,
          kubeconfig: cluster.kubeconfig,
          namespace: namespaces.pods10,
          name: "pod-0000",
          runs: COLD_RUNS,
        };
        if (!("error" in python)) options.python = python.python;
        const { outcomes, https, opensslCa } = await measureColdStart(columns, options, log);
        results.push({ row: "cold-start", label: COLD_LABEL, outcomes });
        if (columns.includes("floor"))
          results.push({ row: "cold-start-https", label: COLD_HTTPS_LABEL, outcomes: { ...outcomes, floor: https } });
        if (columns.includes("kubex-ts"))
          results.push({
            row: "cold-start-openssl-ca",
            label: COLD_OPENSSL_CA_LABEL,
            outcomes: Object.fromEntries(
              Object.entries(outcomes)
                .filter(([c]) => c === "floor" || c === "kubex-ts")
                .map(([c, o]) => [c, c === "kubex-ts" ? opensslCa : o]),
            ),
          });
        log(`cold start: ${COLD_RUNS} fresh processes per column done`);
      }
    } finally {
      await raw.close();
    }

    const timeTable: Line[] = [];
    const memoryTable: Line[] = [];
    for (const { row, label, outcomes } of results) {
      const step = plan.find((p) => p.row === row);
      timeTable.push(...timeLines(row, label, step?.count ?? 1, outcomes));
      if (!isColdRow(row) && !["get", "watch-50", "connections-informers", "connections-gets"].includes(row))
        memoryTable.push(...memoryLines(label, outcomes));
    }

    const versions = {
      node: process.version,
      "@kubernetes/client-node": packageVersion("@kubernetes/client-node"),
      undici: packageVersion("undici"),
      python: "error" in python ? python.error : python.version,
    };
    const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? "?", loadAverage1m: { start: loadAtStart, end: loadavg()[0]! } };
    const out: string[] = [];
    out.push(
      `kubex benchmark, ${new Date().toISOString()}: ${cluster.origin}; ${machine.cpus} x ${machine.model}, load average ${machine.loadAverage1m.start.toFixed(1)} at start, ${machine.loadAverage1m.end.toFixed(1)} at end`,
    );
    out.push(
      `versions: ${Object.entries(versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
    out.push("");
    out.push(
      "Warm (steady state, JIT warm) unless marked cold: each row's warm-ups run first in every worker process (see plan in latest.json).",
    );
    out.push(
      "Time: wall clock p50 over all rounds' iterations unless marked; client CPU per op: user+system CPU of the worker process per",
    );
    out.push(
      "operation (the library's own cost, steadier than wall time on a loaded machine). Ratios > 1 mean slower / bigger than the reference.",
    );
    out.push(
      `Cold start: ${COLD_RUNS} fresh processes per column, taking turns; wall fork -> exit and the whole process's CPU (bash time: every thread, to its end), medians.`,
    );
    out.push(
      "Connections: established TCP sockets of the worker to the apiserver port (/proc/self/fd + /proc/net/tcp*), the most seen at once.",
    );
    out.push(renderTable(timeTable, columns, true));
    out.push("");
    out.push("Memory (MB). peak RSS: the worker process's peak (baseline included: runtime, loader, library);");
    out.push("heap held: V8 heap growth after GC while holding one list result / the informer cache (Python: tracemalloc, same idea)");
    out.push(renderTable(memoryTable, columns, true));
    out.push("");
    out.push(`whole run: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    process.stdout.write(out.join("\n") + "\n");

    mkdirSync(join(here, "results"), { recursive: true });
    const json = {
      date: new Date().toISOString(),
      cluster: cluster.origin,
      machine,
      versions,
      plan: plan.filter((p) => rows.includes(p.row)),
      coldStartRuns: rows.includes("cold-start") ? COLD_RUNS : 0,
      time: timeTable,
      memory: memoryTable,
      raw: results,
    };
    writeFileSync(join(here, "results", "latest.json"), JSON.stringify(json, null, 2) + "\n");
    log(`wrote bench/results/latest.json`);
    if (process.env["KUBEX_BENCH_EXTRAS"] !== "0") await runExtras(cluster.kubeconfig);
  } finally {
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
