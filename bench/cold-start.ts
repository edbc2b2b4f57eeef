/**
 * Cold start, as a CLI or a Job pays it: process start -> import, create a client, one GET
 * of a Pod done. Each sample is a fresh process; the columns take turns within each round
 * (rotated every round), so a busy moment of the machine hits them alike. Per column: the
 * median wall time (fork -> exit) and the median CPU the kernel counted for the whole process
 * (user + system of every thread, up to its end: loading, JIT, TLS, parsing, and what V8 still
 * finishes at exit), both from bash's `time` (see `once`). Each process also prints the CPU it
 * used until its answer had arrived (`COLD <ms>`): the row's note gives that median too.
 *
 *   floor       bare Node: `node -e` printing its own CPU, nothing imported (the reference)
 *   https       (a second row's floor) bench/cold/node-https.mjs: node:https, no library, TLS
 *               material from a JSON file written beforehand: what any Node client pays for
 *               TLS (Node builds its root store for any custom CA), one connection and one GET
 *   kubex-ts    bench/cold/kubex-ts.mjs on the built dist (npm run build), no tsx, no source condition
 *   openssl-ca  (a third row's kubex-ts) the same under `node --use-openssl-ca`: Node's root store
 *               then comes from OpenSSL's default paths, which it reads only when a lookup needs
 *               them, so the ~25 ms of parsing Node's bundled ~140 roots (done for any first
 *               secure context, custom CA or not: nodejs/node#56301) is not paid
 *   client-node bench/cold/client-node.mjs: KubeConfig.loadFromDefault + CoreV1Api
 *   kubex-py    bench/cold/kubex_py.py (not kubex.py: it would shadow the package) in the bench's virtualenv (aiohttp backend)
 */
import { spawn } from "node:child_process";
import { median } from "./measure.js";
import { join } from "node:path";
import type { ColumnId } from "./tasks.js";
import type { Outcome } from "./report.js";

export interface ColdStartOptions {
  root: string;
  /** JSON file with the TLS material (bench/raw.ts readTlsMaterial) for the node:https runner. */
  tlsMaterialFile: string;
  kubeconfig: string;
  namespace: string;
  name: string;
  /** Fresh processes per column. */
  runs: number;
  python?: string;
}

const BARE = "const c = process.cpuUsage(); process.stdout.write(`COLD ${(c.user + c.system) / 1000}\\n`)";

/** A column, or the node:https floor of the second row. */
type Runner = ColumnId | "https" | "openssl-ca";

function command(column: Runner, options: ColdStartOptions): [string, string[]] | undefined {
  const cold = join(options.root, "bench", "cold");
  switch (column) {
    case "https":
      return [process.execPath, [join(cold, "node-https.mjs"), options.tlsMaterialFile, options.namespace, options.name]];
    case "floor":
      return [process.execPath, ["-e", BARE]];
    case "kubex-ts":
      return [process.execPath, [join(cold, "kubex-ts.mjs"), options.namespace, options.name]];
    case "openssl-ca":
      return [process.execPath, ["--use-openssl-ca", join(cold, "kubex-ts.mjs"), options.namespace, options.name]];
    case "client-node":
      return [process.execPath, [join(cold, "client-node.mjs"), options.namespace, options.name]];
    case "kubex-py":
      return options.python === undefined ? undefined : [options.python, [join(cold, "kubex_py.py"), options.namespace, options.name]];
  }
}

/**
 * Runs a command under bash's `time` keyword: it reports the child's real, user and system time
 * from fork to reaping, with millisecond resolution, for the whole process (every thread, up to
 * the very end). What a process says about itself before it exits misses the end: Node waits at
 * exit for work V8 still runs on its worker threads (the optimizing compile of WebAssembly, such
 * as undici's HTTP/1.1 parser: ~100 ms of CPU measured here), and that is paid by the user all
 * the same. bash is started before the clock and not counted.
 */
const TIMED = 'TIMEFORMAT="KUBEX_TIME %3R %3U %3S"; time "$@"';

/** One fresh process: wall ms from fork to exit, and the CPU ms (user + system) the kernel counted for it. */
function once(file: string, args: string[], options: ColdStartOptions): Promise<{ wallMs: number; cpuMs: number; answerCpuMs: number }> {
  return new Promise((resolve, reject) => {
    // A clean environment for the child: no tsx loader, no NODE_OPTIONS from the runner.
    const env: NodeJS.ProcessEnv = { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", KUBECONFIG: options.kubeconfig };
    const child = spawn("bash", ["-c", TIMED, "bash", file, ...args], { cwd: options.root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith("COLD "));
      const timed = /^KUBEX_TIME (\d+\.\d+) (\d+\.\d+) (\d+\.\d+)$/m.exec(stderr);
      if (code !== 0 || line === undefined || timed === null) {
        const output = stderr.replace(/^KUBEX_TIME .*$/m, "").trim();
        return reject(new Error(`exited ${code}: ${output.split("\n").slice(-2).join(" | ").slice(0, 300)}`));
      }
      const [, real, user, system] = timed.map(Number) as [number, number, number, number];
      resolve({ wallMs: real * 1000, cpuMs: (user + system) * 1000, answerCpuMs: Number(line.slice(5)) });
    });
  });
}

/** The columns' outcomes, the node:https floor's and kubex-ts's under --use-openssl-ca (measured in the same rotation). */
export async function measureColdStart(
  selected: ColumnId[],
  options: ColdStartOptions,
  log: (line: string) => void,
): Promise<{ outcomes: Partial<Record<ColumnId, Outcome>>; https: Outcome; opensslCa: Outcome }> {
  const columns: Runner[] = [...selected, "https", ...(selected.includes("kubex-ts") ? (["openssl-ca"] as const) : [])];
  const wall = new Map<Runner, number[]>(columns.map((c) => [c, []]));
  const cpu = new Map<Runner, number[]>(columns.map((c) => [c, []]));
  const answerCpu = new Map<Runner, number[]>(columns.map((c) => [c, []]));
  const errors = new Map<Runner, string>();
  for (const column of columns) if (command(column, options) === undefined) errors.set(column, "not available");
  // One untimed start each first: the page cache holds the files afterwards, as it would for a CLI run twice.
  for (let round = -1; round < options.runs; round++) {
    const order = columns.map((_, i) => columns[(i + Math.max(round, 0)) % columns.length]!);
    for (const column of order) {
      if (errors.has(column)) continue;
      const [file, args] = command(column, options)!;
      try {
        const sample = await once(file, args, options);
        if (round < 0) continue;
        wall.get(column)!.push(sample.wallMs);
        cpu.get(column)!.push(sample.cpuMs);
        answerCpu.get(column)!.push(sample.answerCpuMs);
      } catch (error) {
        errors.set(column, (error as Error).message);
        log(`cold start / ${column}: ERROR ${(error as Error).message}`);
      }
    }
  }
  const outcomes: Partial<Record<Runner, Outcome>> = {};
  for (const column of columns) {
    const error = errors.get(column);
    if (error !== undefined) {
      outcomes[column] = { error };
      continue;
    }
    const cpus = cpu.get(column)!;
    outcomes[column] = {
      samples: wall.get(column)!,
      cpuMsPerOp: median(cpus),
      rssBeforeBytes: 0,
      peakRssBytes: 0,
      note:
        `${cpus.length} fresh processes; CPU (whole process) median of ${cpus.map((c) => Math.round(c)).join(", ")}; ` +
        `CPU until the answer (as the process reported it) median ${Math.round(median(answerCpu.get(column)!))}`,
    };
  }
  const { https, "openssl-ca": opensslCa, ...rest } = outcomes;
  return { outcomes: rest, https: https ?? { error: "not run" }, opensslCa: opensslCa ?? { error: "not run" } };
}
