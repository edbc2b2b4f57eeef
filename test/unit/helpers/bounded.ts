/**
 * Time and memory of one scenario, for tests that say a hostile server cannot make the
 * client spin, stall or grow: the assertion is on the figures this returns.
 */
import type { ServerResponse } from "node:http";

export interface Bounded<T> {
  /** What the scenario returned, or the error it threw. */
  result: { value: T } | { error: unknown };
  /** Wall time in ms. */
  ms: number;
  /** Growth of the resident set in MiB (the peak seen while it ran, minus the start). */
  rssGrowthMiB: number;
  /** Node process warnings emitted while it ran (`TimeoutOverflowWarning`, `MaxListenersExceededWarning`). */
  warnings: string[];
}

export async function bounded<T>(scenario: () => Promise<T>): Promise<Bounded<T>> {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.name);
  process.on("warning", onWarning);
  const start = process.memoryUsage.rss();
  let peak = start;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const began = performance.now();
  let result: Bounded<T>["result"];
  try {
    result = { value: await scenario() };
  } catch (error) {
    result = { error };
  }
  const ms = performance.now() - began;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  // Warnings are emitted on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  process.off("warning", onWarning);
  return { result, ms, rssGrowthMiB: (peak - start) / (1 << 20), warnings };
}

/** The error a scenario threw (fails the test when it returned instead). */
export function thrown(outcome: Bounded<unknown>): unknown {
  if ("error" in outcome.result) return outcome.result.error;
  throw new Error(`expected the scenario to fail, it returned ${JSON.stringify(outcome.result.value)?.slice(0, 200)}`);
}

/** Writes `chunk` for as long as the client reads (respecting backpressure) until the connection closes. */
export function writeForever(res: ServerResponse, chunk: Buffer | string): void {
  let open = true;
  res.on("close", () => (open = false));
  const pump = (): void => {
    while (open && res.write(chunk));
    if (open) res.once("drain", pump);
  };
  pump();
}
