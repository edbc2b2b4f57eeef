/** Timing and memory helpers shared by the Node worker (the Python script mirrors them). */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface Measurement {
  /** Milliseconds per measured iteration (wall clock). */
  samples: number[];
  /** CPU time (user + system) of this process per measured iteration, in ms: the client's own cost, whatever the machine's load. */
  cpuMsPerOp: number;
  /** Heap growth (bytes) after GC while holding the result (one list, or the informer's cache). */
  heapDeltaBytes?: number;
  /** Resident set size (bytes) after warm-up, before the measured part. */
  rssBeforeBytes: number;
  /** Peak resident set size (bytes) of the process, measured part included. */
  peakRssBytes: number;
  /** TCP connections to the apiserver held at the most (the connections rows). */
  connections?: number;
  /** Anything worth reporting (object counts, library version). */
  note?: string;
}

declare const gc: (() => void) | undefined;

/** Full GC (needs --expose-gc); throws if it is missing, so a heap figure never hides garbage. */
export function collect(): void {
  if (typeof gc !== "function") throw new Error("run the worker with --expose-gc");
  gc();
  gc();
}

export function heapUsed(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export async function timeEach(
  warmup: number,
  iterations: number,
  run: () => Promise<unknown>,
): Promise<{ samples: number[]; cpuMsPerOp: number }> {
  for (let i = 0; i < warmup; i++) await run();
  const samples: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { samples, cpuMsPerOp: (cpu.user + cpu.system) / 1000 / iterations };
}

/** The median (of an even count: the mean of the middle two); NaN for none. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * TCP connections this process holds to `port` (established, IPv4 or IPv6): the sockets
 * among /proc/self/fd matched against /proc/net/tcp{,6} by inode. Linux only.
 */
export function tcpConnectionsTo(port: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith("socket:[")) inodes.add(target.slice(8, -1));
    } catch {
      // closed while we read
    }
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  let count = 0;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (fields.length < 10 || fields[3] !== "01") continue;
      if (fields[2]!.endsWith(`:${hexPort}`) && inodes.has(fields[9]!)) count++;
    }
  }
  return count;
}

/** Runs `work` while sampling tcpConnectionsTo(port) every few ms; the most seen at once. */
export async function peakConnections(port: number, work: () => Promise<void>): Promise<number> {
  let peak = tcpConnectionsTo(port);
  const timer = setInterval(() => (peak = Math.max(peak, tcpConnectionsTo(port))), 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, tcpConnectionsTo(port));
}
