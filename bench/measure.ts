/** Timing and memory helpers shared by the Node worker (the Python script mirrors them). */

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

export async function timeEach(warmup: number, iterations: number, run: () => Promise<unknown>): Promise<{ samples: number[]; cpuMsPerOp: number }> {
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

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
