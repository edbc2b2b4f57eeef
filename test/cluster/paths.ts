import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { homedir } from "node:os";

/** Repository root (two levels above this file). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Git-ignored working area of the harness. */
export const kubexDir = join(repoRoot, ".kubex");

/** One directory per cluster run: `.kubex/runs/<runId>/` (certs, etcd data, logs). Never reused. */
export const runsDir = join(kubexDir, "runs");

/** The long-lived cluster of `npm run cluster:up`: kubeconfig and state.json live here. */
export const namedClusterDir = join(kubexDir, "cluster");

/** Binary cache shared with build-binaries.sh. */
export const binaryCacheDir = process.env["KUBEX_CACHE"] ?? join(homedir(), ".cache", "kubex");

export const buildScript = join(repoRoot, "test", "cluster", "build-binaries.sh");
