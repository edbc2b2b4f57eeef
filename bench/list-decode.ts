/**
 * In-process, interleaved A/B of the steady-state LIST, watch and informer paths against the
 * floor's exact code (columns/floor.ts): both columns in one process, taking turns in short
 * blocks, the order swapped every round, so load changes and GC hit both alike. Not part of the
 * main table (that runs each measurement in a process of its own); this is for finding and
 * checking small per-item costs, where separate processes vary by 0.1-0.3x.
 *
 *   KUBEX_BENCH_KUBECONFIG=<file> nice -n 15 node --expose-gc --conditions=kubex-source --import tsx bench/list-decode.ts [row ...]
 *
 * Rows: get, list-pods-10, list-pods-100, list-pods-500, list-configmaps-5000, watch-events, informer
 * (default: all). KUBEX_BENCH_ROUNDS (default 40) sets the rounds; KUBEX_BENCH_FIXTURES=0 skips
 * creating the fixtures (for a server that only replays recorded answers). Prints per row the CPU per op
 * of each column (process.cpuUsage, user + system), the ratio of the sums, and the median and
 * quartiles of the per-round ratios (the median is what to read on a loaded machine).
 */
import { createFloorColumn } from "./columns/floor.js";
import { createKubexColumn } from "./columns/kubex.js";
import type { Column } from "./columns/column.js";
import { ensureFixtures, namespaces } from "./fixtures.js";
import { connectRaw } from "./raw.js";

interface Row {
  id: string;
  /** Operations per block (one column's turn in a round). */
  block: number;
  warmup: number;
  run(column: Column): Promise<unknown>;
}

const rows: Row[] = [
  { id: "get", block: 200, warmup: 1500, run: (c) => c.getPod(namespaces.pods10, "pod-0000") },
  { id: "list-pods-10", block: 40, warmup: 300, run: (c) => c.listPods(namespaces.pods10) },
  { id: "list-pods-100", block: 6, warmup: 100, run: (c) => c.listPods(namespaces.pods100) },
  { id: "list-pods-500", block: 2, warmup: 30, run: (c) => c.listPods(namespaces.pods500) },
  { id: "list-configmaps-5000", block: 2, warmup: 20, run: (c) => c.listConfigMaps(namespaces.configMaps5000) },
  { id: "watch-events", block: 1, warmup: 4, run: (c) => c.watchEvents(namespaces.configMaps10000, 10_000) },
  {
    id: "informer",
    block: 1,
    warmup: 3,
    async run(c) {
      const informer = await c.informer(namespaces.configMaps10000, 10_000);
      await informer.stop();
    },
  },
];

declare const gc: (() => void) | undefined;

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function block(row: Row, column: Column): Promise<number> {
  if (typeof gc === "function") gc();
  const start = cpuMs();
  for (let i = 0; i < row.block; i++) await row.run(column);
  return (cpuMs() - start) / row.block;
}

/** The `q` quantile of sorted values, interpolated. */
function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (at - low);
}

async function main(): Promise<void> {
  const kubeconfig = process.env["KUBEX_BENCH_KUBECONFIG"] ?? process.env["KUBECONFIG"];
  if (kubeconfig === undefined) throw new Error("set KUBEX_BENCH_KUBECONFIG to a running cluster's kubeconfig");
  const rounds = Number(process.env["KUBEX_BENCH_ROUNDS"] ?? 40);
  const wanted = process.argv.slice(2);
  if (process.env["KUBEX_BENCH_FIXTURES"] !== "0") {
    const raw = connectRaw(kubeconfig);
    await ensureFixtures(raw, (line) => console.error(line));
    await raw.close();
  }
  const floor = await createFloorColumn(kubeconfig);
  const ours = await createKubexColumn(kubeconfig);
  for (const row of rows) {
    if (wanted.length > 0 && !wanted.includes(row.id)) continue;
    for (let i = 0; i < row.warmup; i++) {
      await row.run(floor);
      await row.run(ours);
    }
    const floorMs: number[] = [];
    const oursMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        floorMs.push(await block(row, floor));
        oursMs.push(await block(row, ours));
      } else {
        oursMs.push(await block(row, ours));
        floorMs.push(await block(row, floor));
      }
    }
    const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
    const ratios = oursMs.map((value, i) => value / floorMs[i]!);
    const sorted = [...ratios].sort((a, b) => a - b);
    console.log(
      `${row.id.padEnd(22)} floor ${(sum(floorMs) / rounds).toFixed(3)} ms  kubex-ts ${(sum(oursMs) / rounds).toFixed(3)} ms  ` +
        `ratio ${(sum(oursMs) / sum(floorMs)).toFixed(3)}x  median ${quantile(sorted, 0.5).toFixed(3)}x  ` +
        `quartiles ${quantile(sorted, 0.25).toFixed(3)}..${quantile(sorted, 0.75).toFixed(3)}  (${rounds} rounds x ${row.block})`,
    );
  }
  await Promise.all([floor.close(), ours.close()]);
}

await main();
