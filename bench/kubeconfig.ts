/**
 * Loading a large kubeconfig: N clusters, users and contexts in one file (what fleet tools and
 * Rancher/OpenShift users end up with), read + parsed + the current context resolved.
 * kubex (`loadClusterConfig`) beside @kubernetes/client-node (`KubeConfig.loadFromFile` and
 * its current cluster/user), as a ratio (kubex / client-node; below 1 is faster).
 *
 * warm: steady state, one process, median of --runs after 5 warm-up loads, columns alternating.
 * cold: a fresh Node process per sample, the library imported first, then one timed load
 *       (the first call: no JIT warm-up, module loading not counted); median of --cold samples.
 *
 *   npx tsx --conditions=kubex-source bench/kubeconfig.ts [--sizes 300,1000,3000] [--runs 15] [--cold 5]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import { loadClusterConfig } from "@kubex/runtime";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "300,1000,3000" },
    runs: { type: "string", default: "15" },
    cold: { type: "string", default: "5" },
    child: { type: "string" },
    file: { type: "string" },
  },
});
const here = dirname(fileURLToPath(import.meta.url));

/** A kubeconfig as `kubectl config set-*` would write it: token users, CA data, a namespace per context. */
function kubeconfigText(n: number): string {
  const lines = ["apiVersion: v1", "kind: Config", `current-context: ctx-${n - 1}`, "preferences: {}", "clusters:"];
  for (let i = 0; i < n; i++)
    lines.push(
      `- name: cluster-${i}`,
      "  cluster:",
      `    server: https://10.${i >> 8}.${i & 255}.1:6443`,
      `    insecure-skip-tls-verify: true`,
    );
  lines.push("users:");
  for (let i = 0; i < n; i++) lines.push(`- name: user-${i}`, "  user:", `    token: bench-token-${i.toString(16).padStart(8, "0")}`);
  lines.push("contexts:");
  for (let i = 0; i < n; i++)
    lines.push(`- name: ctx-${i}`, "  context:", `    cluster: cluster-${i}`, `    user: user-${i}`, `    namespace: ns-${i}`);
  return `${lines.join("\n")}\n`;
}

async function loadKubex(file: string): Promise<string> {
  const config = await loadClusterConfig({ kubeconfig: file, env: { HOME: "/nonexistent" } });
  return config.server;
}

function loadClientNode(file: string): string {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  const cluster = kc.getCurrentCluster();
  kc.getCurrentUser();
  return cluster?.server ?? "";
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

if (values.child !== undefined) {
  // Cold sample: the library is imported (above); time the first load only.
  const file = values.file as string;
  const t0 = performance.now();
  const server = values.child === "kubex" ? await loadKubex(file) : loadClientNode(file);
  const ms = performance.now() - t0;
  if (server === "") process.exit(1);
  process.stdout.write(`${ms}\n`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "kubex-bench-kubeconfig-"));
const runs = Number(values.runs);
const coldSamples = Number(values.cold);
const rows: string[] = [];
try {
  for (const n of values.sizes.split(",").map(Number)) {
    const file = join(dir, `config-${n}`);
    writeFileSync(file, kubeconfigText(n));
    for (let i = 0; i < 5; i++) {
      await loadKubex(file);
      loadClientNode(file);
    }
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      await loadKubex(file);
      ours.push(performance.now() - t);
      t = performance.now();
      loadClientNode(file);
      theirs.push(performance.now() - t);
    }
    const cold = { kubex: [] as number[], "client-node": [] as number[] };
    for (let i = 0; i < coldSamples; i++) {
      for (const column of ["kubex", "client-node"] as const) {
        const child = spawnSync(
          process.execPath,
          ["--conditions=kubex-source", "--import", "tsx", join(here, "kubeconfig.ts"), "--child", column, "--file", file],
          { encoding: "utf8" },
        );
        if (child.status !== 0) throw new Error(`cold ${column} sample failed: ${child.stderr}`);
        cold[column].push(Number(child.stdout.trim()));
      }
    }
    const w = median(ours);
    const wc = median(theirs);
    const c = median(cold.kubex);
    const cc = median(cold["client-node"]);
    rows.push(
      `| ${n.toLocaleString("en")} | ${w.toFixed(1)} ms | ${wc.toFixed(1)} ms | ${(w / wc).toFixed(2)} | ${c.toFixed(1)} ms | ${cc.toFixed(1)} ms | ${(c / cc).toFixed(2)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(
  [
    "kubeconfig load (read + parse + resolve the current context); ratio = kubex / client-node",
    "| contexts | kubex warm | client-node warm | ratio warm | kubex cold | client-node cold | ratio cold |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
  ].join("\n"),
);
