/**
 * The sweep (test/e2e/sweep.test.ts) for every version, one command:
 *
 *   npm run sweep -- --all            every minor in specs/versions.json, oldest first
 *   npm run sweep -- 1.30 1.37        the given minors
 *
 * For each minor: starts a cluster of that version (`cluster:up --version`, building its
 * binaries on first use: 10-25 minutes per version on 2 cores), runs the sweep against it
 * with KUBEX_E2E_KUBECONFIG, stops it. Prints each version's one-line summary and exits 1
 * when any version's sweep failed. Summaries: test/e2e/.sweep/v1_NN/summary.json.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const versions = JSON.parse(readFileSync(join(root, "specs", "versions.json"), "utf8")) as Record<string, string>;
const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: npm run sweep -- <--all | 1.NN ...>");
  process.exit(2);
}
const minors = args.includes("--all") ? Object.keys(versions) : args;
for (const minor of minors) {
  if (!versions[minor]) {
    console.error(`sweep: Kubernetes ${minor} is not in specs/versions.json`);
    process.exit(2);
  }
}

const tsx = join(root, "node_modules", ".bin", "tsx");
const cli = ["--conditions=kubex-source", "test/cluster/cli.ts"];
function run(command: string, commandArgs: string[], env: NodeJS.ProcessEnv = process.env): number {
  console.log(`$ ${command} ${commandArgs.join(" ")}`);
  return spawnSync(command, commandArgs, { cwd: root, stdio: "inherit", env }).status ?? 1;
}

const results: string[] = [];
let failed = 0;
for (const minor of minors) {
  if (run(tsx, [...cli, "up", "--version", minor]) !== 0) {
    results.push(`${minor}: the cluster did not start`);
    failed++;
    continue;
  }
  try {
    const kubeconfig = join(root, ".kubex", "cluster", "kubeconfig");
    const status = run(join(root, "node_modules", ".bin", "vitest"), ["run", "--project", "e2e", "test/e2e/sweep.test.ts"], {
      ...process.env,
      KUBEX_E2E_KUBECONFIG: kubeconfig,
    });
    const summaryFile = join(root, "test", "e2e", ".sweep", `v1_${minor.split(".")[1]}`, "summary.json");
    const summary = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, "utf8")) as Record<string, unknown>) : undefined;
    const trips = summary?.roundTrips as { passed: number; failed: unknown[] } | undefined;
    results.push(
      `${minor}: ${status === 0 ? "passed" : "FAILED"}` +
        (summary
          ? ` (${String(summary.kinds)} kinds, ${trips?.passed} round trips, ${trips?.failed.length} failed, ${String(summary.typeChecked)} objects type-checked, ${(summary.typeMismatches as unknown[]).length} mismatches)`
          : ""),
    );
    if (status !== 0) failed++;
  } finally {
    run(tsx, [...cli, "down"]);
  }
}
console.log(`\nsweep:\n${results.map((r) => `  ${r}`).join("\n")}`);
process.exit(failed === 0 ? 0 : 1);
