import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Connection } from "./api.js";
import type { KwokServes } from "./kwok-config.js";

/** Environment variables global-setup exports to e2e tests. */
export const envVars = {
  /** Path of the admin kubeconfig (client certificate, O=system:masters). */
  kubeconfig: "KUBECONFIG",
  /** Path of the cluster's state.json (ClusterState). */
  state: "KUBEX_CLUSTER_STATE",
  /** Input: reuse the cluster of this kubeconfig (written by `npm run cluster:up`) instead of starting one. */
  reuseKubeconfig: "KUBEX_E2E_KUBECONFIG",
  /** Input: the Kubernetes version of the cluster to start ("1.30" or "1.30.14"); default test/cluster/versions.json. */
  version: "KUBEX_E2E_VERSION",
} as const;

/** Everything a test may need about the running cluster; written as `state.json` in the run dir. */
export interface ClusterState {
  formatVersion: 2;
  /** Full Kubernetes version, e.g. "1.36.3"; /version reports "v" + this. */
  kubernetesVersion: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Directory of this run (`.kubex/runs/<runId>`), removed when the cluster stops. */
  runDir: string;
  /** Admin kubeconfig; contexts: kubex (client cert, current), kubex-token-admin, kubex-unprivileged. */
  kubeconfig: string;
  caFile: string;
  adminCertFile: string;
  adminKeyFile: string;
  /** Static token file (token,user,uid,"groups"). */
  tokenFile: string;
  /** Bearer tokens: admin is in system:masters, unprivileged has no RBAC grants. */
  tokens: { admin: string; unprivileged: string };
  users: { admin: string; tokenAdmin: string; unprivileged: string; kwok: string; controllerManager: string; scheduler: string };
  /** The kwok nodes (kwok-node-0, kwok-node-1, ...); kube-scheduler places pods on them. */
  nodes: string[];
  kwok: KwokServes & { port: number };
  /** Loopback ports; controllerManager and scheduler are their secure ports (/healthz, /metrics). */
  ports: { etcd: number; etcdPeer: number; apiserver: number; kwok: number; controllerManager: number; scheduler: number };
  pids: {
    etcd: number;
    kubeApiserver: number;
    kubeControllerManager: number;
    kubeScheduler: number;
    kwok: number;
    watchdog: number | null;
  };
  logs: { etcd: string; kubeApiserver: string; kubeControllerManager: string; kubeScheduler: string; kwok: string };
  /** The process whose exit stops the cluster; null for a detached cluster (cluster:up). */
  ownerPid: number | null;
  startedAt: string;
}

export function writeState(file: string, state: ClusterState): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  renameSync(tmp, file);
}

export function readState(file: string): ClusterState {
  if (!existsSync(file)) throw new Error(`cluster state file ${file} does not exist (is the cluster running?)`);
  const state = JSON.parse(readFileSync(file, "utf8")) as ClusterState;
  if (state.formatVersion !== 2) {
    throw new Error(
      `${file}: unsupported formatVersion ${String(state.formatVersion)} (a cluster started by an older checkout); stop its processes and run \`npm run cluster:up\` again`,
    );
  }
  return state;
}

/** For e2e tests: the state of the cluster global-setup started (or reused). */
export function loadClusterState(): ClusterState {
  const file = process.env[envVars.state];
  if (!file) throw new Error(`${envVars.state} is not set: run e2e tests through vitest's e2e project (global setup starts the cluster)`);
  return readState(file);
}

/** The state.json that belongs to a kubeconfig written by the harness (it sits beside it). */
export function stateFileForKubeconfig(kubeconfig: string): string {
  return join(dirname(kubeconfig), "state.json");
}

export function adminConnection(state: ClusterState): Connection {
  return { server: state.server, caFile: state.caFile, certFile: state.adminCertFile, keyFile: state.adminKeyFile };
}

export function tokenConnection(state: ClusterState, who: "admin" | "unprivileged"): Connection {
  return { server: state.server, caFile: state.caFile, token: state.tokens[who] };
}
