/**
 * The MyProxy operator (examples/operator/main.ts, one process, leader election on) on
 * 1,000 MyProxy objects against a real apiserver: wall time and the operator process's CPU
 * (user + system, from /proc) for
 *
 * - cold: the operator starts with 1,000 MyProxy waiting (list, finalizers, 1,000
 *   Deployments by server-side apply, 1,000 status writes);
 * - warm update: every spec changed at once (1,000 Deployments re-applied, statuses);
 * - delete: all 1,000 deleted; each finalizer deletes its Deployment, then lets go.
 *
 * Each MyProxy asks for 0 replicas, so the figures are the operator's, not the pods'.
 * No other TypeScript client has a controller runtime, so there is no column to compare.
 *
 *   KUBECONFIG=... npx tsx --conditions=kubex-source bench/operator.ts [--objects 1000] [--workers 4]
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Api, createClient, MergePatch } from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-36/apps/v1";
import { Namespace } from "@kubex/k8s-v1-36/core/v1";
import { MyProxy } from "../examples/operator/crd-types/example.com/v1/index.js";
import { installMyProxyCrd } from "../examples/operator/install.js";

const { values } = parseArgs({ options: { objects: { type: "string", default: "1000" }, workers: { type: "string", default: "4" } } });
const count = Number(values.objects);
const root = join(import.meta.dirname, "..");
const ticks = 100; // USER_HZ on Linux

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks; // utime + stime
}

const client = await createClient(); // with retries: a busy apiserver answers 429/5xx now and then
await installMyProxyCrd(client);
const ns = `bench-operator-${randomBytes(3).toString("hex")}`;
await new Api(Namespace, { client }).create({ metadata: { name: ns } });
const proxies = new Api(MyProxy, { client, namespace: ns });
const deployments = new Api(Deployment, { client, namespace: ns });

async function inBatches(n: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => fn(i + k)));
}

async function waitFor(what: string, done: () => Promise<boolean>, ms = 600_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function converged(image: string): Promise<boolean> {
  try {
    return await convergedNow(image);
  } catch {
    return false; // a failed poll is not a result
  }
}

async function convergedNow(image: string): Promise<boolean> {
  let ready = 0;
  for await (const p of proxies.listAll({ limit: 500 }))
    if (p.status?.observedGeneration === p.metadata?.generation && p.status?.conditions?.length) ready += 1;
  if (ready < count) return false;
  let applied = 0;
  for await (const d of deployments.listAll({ limit: 500 })) if (d.spec?.template?.spec?.containers?.[0]?.image === image) applied += 1;
  return applied === count;
}

await inBatches(count, (i) =>
  proxies.create(new MyProxy({ metadata: { name: `proxy-${String(i).padStart(4, "0")}` }, spec: { name: `p${i}`, replicas: 0 } })),
);
process.stderr.write(`[bench/operator] created ${count} MyProxy in ${ns}\n`);

const operator = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "--conditions=kubex-source",
    join(root, "examples/operator/main.ts"),
    "--lease-namespace",
    ns,
    "--workers",
    values.workers!,
  ],
  {
    cwd: root,
    env: process.env,
    stdio: ["ignore", "ignore", "inherit"],
  },
);
const pid = operator.pid!;
process.once("exit", () => operator.kill("SIGKILL")); // never leave it running, even if this process dies
const rows: { phase: string; seconds: number; cpuMs: number }[] = [];
try {
  let t0 = performance.now();
  let c0 = 0;
  await waitFor("cold convergence", () => converged("nginx:1.27"));
  rows.push({ phase: `cold: start + reconcile ${count}`, seconds: (performance.now() - t0) / 1000, cpuMs: cpuMs(pid) - c0 });

  t0 = performance.now();
  c0 = cpuMs(pid);
  await inBatches(count, (i) => proxies.patch(`proxy-${String(i).padStart(4, "0")}`, new MergePatch({ spec: { image: "nginx:1.28" } })));
  await waitFor("update convergence", () => converged("nginx:1.28"));
  rows.push({ phase: `warm: ${count} specs changed`, seconds: (performance.now() - t0) / 1000, cpuMs: cpuMs(pid) - c0 });

  t0 = performance.now();
  c0 = cpuMs(pid);
  await proxies.deleteCollection({});
  await waitFor(
    "finalizers",
    async () => (await proxies.list({ limit: 1 })).items.length === 0 && (await deployments.list({ limit: 1 })).items.length === 0,
  );
  rows.push({ phase: `delete ${count}: finalizers run`, seconds: (performance.now() - t0) / 1000, cpuMs: cpuMs(pid) - c0 });
} finally {
  operator.kill("SIGTERM");
  await new Promise((resolve) => operator.once("exit", resolve));
  await new Api(Namespace, { client }).delete(ns).catch(() => undefined);
  await client.close();
}

process.stdout.write(
  `MyProxy operator, ${count} objects, ${values.workers} workers (operator process CPU from /proc, user + system; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)\n`,
);
process.stdout.write(`| phase | wall s | operator CPU s | CPU ms per object |\n| --- | ---: | ---: | ---: |\n`);
for (const row of rows)
  process.stdout.write(
    `| ${row.phase} | ${row.seconds.toFixed(1)} | ${(row.cpuMs / 1000).toFixed(2)} | ${(row.cpuMs / count).toFixed(2)} |\n`,
  );
