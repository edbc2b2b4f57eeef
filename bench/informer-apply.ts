/**
 * In-process micro-bench of the informer's first sync, without a network: a parsed list of
 * 5,000 ConfigMaps (shaped as the bench fixtures, as the API server lists them) applied by
 * the reflector (store + change events + handler fan-out, no handler registered) against
 * the floor's informer (columns/floor.ts: `namespace/name` into a Map), taking turns.
 * Not part of the main table.
 *
 *   nice -n 15 node --conditions=kubex-source --import tsx bench/informer-apply.ts
 */
import { HandlerFanOut } from "../runtime/src/watch/handlers.js";
import { Reflector } from "../runtime/src/watch/reflector.js";
import { Store } from "../runtime/src/watch/store.js";
import { median } from "./measure.js";

interface Item {
  metadata: { namespace: string; name: string; resourceVersion: string };
}

const namespace = "kubex-bench-cm-5000";
const text = JSON.stringify({
  kind: "ConfigMapList",
  apiVersion: "v1",
  metadata: { resourceVersion: "1000" },
  items: Array.from({ length: 5000 }, (_, i) => ({
    metadata: {
      name: `cm-${String(i).padStart(5, "0")}`,
      namespace,
      uid: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
      resourceVersion: String(1000 + i),
      creationTimestamp: "2026-12-02T03:27:40Z",
      labels: { app: "kubex-bench" },
    },
    data: { key: `value-${i}`, mode: "bench", note: "a few small keys" },
  })),
});

const ways = {
  floor(items: Item[]): void {
    const cache = new Map<string, unknown>();
    for (const item of items) cache.set(`${item.metadata.namespace}/${item.metadata.name}`, item);
  },
  reflector(items: Item[]): void {
    const handlers = new HandlerFanOut<Item>();
    const reflector = new Reflector(new Store<Item>(), { change: (event) => handlers.deliver(event), synced() {}, error() {} });
    reflector.apply({ type: "RELIST", items, resourceVersion: "1000" });
  },
};

const names = Object.keys(ways) as (keyof typeof ways)[];
const samples: Record<string, number[]> = { floor: [], reflector: [] };
const rounds = Number(process.env["KUBEX_BENCH_ROUNDS"] ?? 400);
for (let i = 0; i < rounds; i++) {
  const name = names[i % names.length]!;
  const items = (JSON.parse(text) as { items: Item[] }).items;
  const start = process.hrtime.bigint();
  ways[name](items);
  if (i >= rounds / 4) samples[name]!.push(Number(process.hrtime.bigint() - start) / 1000);
}
for (const name of names) console.log(`${name.padEnd(10)} median ${median(samples[name]!).toFixed(0)} µs per 5,000 items`);
console.log(`reflector / floor: ${(median(samples["reflector"]!) / median(samples["floor"]!)).toFixed(2)}x`);
