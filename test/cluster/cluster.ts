import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { adminConnection, stateFileForKubeconfig, writeState, type ClusterState } from "./state.js";
import { request, requestJson, type Connection } from "./api.js";
import { ensureBinaries } from "./binaries.js";
import { ComponentStartError, startApiserver, startEtcd, startKwok, type Spawner } from "./components.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { writeKwokConfig } from "./kwok-config.js";
import { guard } from "./lifecycle.js";
import { kubexDir, runsDir } from "./paths.js";
import { createPki, identities } from "./pki.js";
import { freePorts } from "./ports.js";
import { isAlive, startWatchdog, stopPid } from "./processes.js";
import { resolveKubernetesVersion } from "./versions.js";

export const nodeName = "kwok-node";

export interface StartClusterOptions {
  /** "1.33", "1.33.13" or undefined for the pinned version. */
  version?: string;
  /** Leave the cluster running after this process exits (cluster:up); stop it with stopCluster(). */
  detached?: boolean;
  /** Where kubeconfig and state.json go; default: the run directory. */
  kubeconfigDir?: string;
  /** Progress lines; default: stderr. */
  log?: (line: string) => void;
  /** Ports to try first (tests of the port-conflict path); others are picked free. */
  ports?: { etcd?: number; etcdPeer?: number; apiserver?: number; kwok?: number };
}

export interface RunningCluster {
  state: ClusterState;
  stateFile: string;
  /** Stops every process and removes the run directory. */
  stop(): Promise<void>;
}

interface OwnerRecord {
  /** Whose exit stops the cluster; null for a detached cluster. */
  ownerPid: number | null;
  /** The process that started it (a detached cluster is not stale while it is still starting). */
  starterPid: number;
  createdAt: string;
}

const attempts = 3;

/** Starts etcd, kube-apiserver and kwok (building binaries if needed) on free loopback ports. */
export async function startCluster(options: StartClusterOptions = {}): Promise<RunningCluster> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[cluster] ${line}\n`));
  const detached = options.detached ?? false;
  const kubernetesVersion = resolveKubernetesVersion(options.version);
  const binaries = await ensureBinaries(kubernetesVersion);
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
  cleanStaleRuns(log);

  const runId = `${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "")}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const runDir = join(runsDir, runId);
  mkdirSync(runsDir, { recursive: true });
  mkdirSync(runDir); // throws if it exists: a run directory is never reused
  const owner: OwnerRecord = { ownerPid: detached ? null : process.pid, starterPid: process.pid, createdAt: new Date().toISOString() };
  writeFileSync(join(runDir, "owner.json"), JSON.stringify(owner) + "\n");
  const pidsFile = join(runDir, "pids");
  writeFileSync(pidsFile, "");

  // Every process of the run is in the pids file: components, retried starts and restarts by faults.ts.
  const runPids = () => readPids(pidsFile).filter((pid) => ownsPid(pid, runDir));
  const watchdogPid = detached ? null : startWatchdog(process.pid, runDir, pidsFile);
  const unguard = guard({ pids: runPids, runDir, watchdogPid });
  const spawner: Spawner = { runDir, pidsFile, detached };

  const stopAll = async () => {
    for (const pid of runPids().reverse()) await stopPid(pid);
  };

  try {
    const startedAt = new Date();
    const pki = await createPki(runDir);
    const serves = writeKwokConfig(runDir, startedAt);

    const free = (await freePorts(4)) as [number, number, number, number];
    let etcdPort = options.ports?.etcd ?? free[0];
    let etcdPeerPort = options.ports?.etcdPeer ?? free[1];
    let apiserverPort = options.ports?.apiserver ?? free[2];
    let kwokPort = options.ports?.kwok ?? free[3];
    const etcd = await retryOnPortConflict(log, "etcd", async (attempt) => {
      if (attempt > 0) [etcdPort, etcdPeerPort] = (await freePorts(2)) as [number, number];
      return startEtcd(spawner, binaries.etcd, { client: etcdPort, peer: etcdPeerPort }, attempt);
    });
    log(`etcd ready on 127.0.0.1:${etcdPort} (${elapsed()})`);

    let admin: Connection = { server: "", caFile: pki.caFile, certFile: pki.adminCertFile, keyFile: pki.adminKeyFile };
    const apiserver = await retryOnPortConflict(log, "kube-apiserver", async (attempt) => {
      if (attempt > 0) [apiserverPort] = (await freePorts(1)) as [number];
      admin = { ...admin, server: `https://127.0.0.1:${apiserverPort}` };
      return startApiserver(spawner, binaries.kubeApiserver, { etcdPort, port: apiserverPort, pki }, admin, attempt);
    });
    log(`kube-apiserver ${kubernetesVersion} ready on ${admin.server} (${elapsed()})`);

    const kwokKubeconfig = join(runDir, "kwok", "kubeconfig");
    writeKubeconfig(kwokKubeconfig, { server: admin.server, caFile: pki.caFile, clientCertFile: pki.kwokClientCertFile, clientKeyFile: pki.kwokClientKeyFile });
    const kwok = await retryOnPortConflict(log, "kwok", async (attempt) => {
      if (attempt > 0) [kwokPort] = (await freePorts(1)) as [number];
      await createNode(admin);
      return startKwok(spawner, binaries.kwok, { port: kwokPort, nodeName, kubeconfig: kwokKubeconfig, pki, serves }, admin, attempt);
    });
    log(`kwok node ${nodeName} Ready, kubelet API on 127.0.0.1:${kwokPort} (${elapsed()})`);

    const outDir = options.kubeconfigDir ?? runDir;
    mkdirSync(outDir, { recursive: true });
    const kubeconfig = join(outDir, "kubeconfig");
    writeKubeconfig(kubeconfig, { server: admin.server, caFile: pki.caFile, clientCertFile: pki.adminCertFile, clientKeyFile: pki.adminKeyFile, tokens: pki.tokens });
    const state: ClusterState = {
      formatVersion: 1,
      kubernetesVersion,
      server: admin.server,
      runDir,
      kubeconfig,
      caFile: pki.caFile,
      adminCertFile: pki.adminCertFile,
      adminKeyFile: pki.adminKeyFile,
      tokenFile: pki.tokenFile,
      tokens: pki.tokens,
      users: { admin: identities.admin, tokenAdmin: identities.tokenAdmin, unprivileged: identities.unprivileged, kwok: identities.kwok },
      nodeName,
      kwok: { ...serves, port: kwokPort },
      ports: { etcd: etcdPort, etcdPeer: etcdPeerPort, apiserver: apiserverPort, kwok: kwokPort },
      pids: { etcd: etcd.pid, kubeApiserver: apiserver.pid, kwok: kwok.pid, watchdog: watchdogPid },
      logs: { etcd: etcd.logFile, kubeApiserver: apiserver.logFile, kwok: kwok.logFile },
      ownerPid: owner.ownerPid,
      startedAt: startedAt.toISOString(),
    };
    const stateFile = stateFileForKubeconfig(kubeconfig);
    writeState(stateFile, state);
    if (stateFile !== join(runDir, "state.json")) writeState(join(runDir, "state.json"), state);
    log(`cluster up in ${elapsed()}: KUBECONFIG=${kubeconfig}`);

    if (detached) unguard();
    let stopped = false;
    return {
      state,
      stateFile,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await stopAll();
        if (watchdogPid !== null) await stopPid(watchdogPid, 0);
        rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
        if (outDir !== runDir) removeKubeconfigDir(outDir);
        unguard();
      },
    };
  } catch (err) {
    await stopAll();
    if (watchdogPid !== null) await stopPid(watchdogPid, 0);
    const kept = keepLogs(runDir, runId);
    rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
    unguard();
    if (err instanceof Error && kept) err.message += `\n(logs of this failed start kept in ${kept})`;
    throw err;
  }
}

/** Stops a cluster from its state (cluster:down, or a reused cluster's owner). */
export async function stopCluster(state: ClusterState): Promise<void> {
  for (const pid of [state.pids.kwok, state.pids.kubeApiserver, state.pids.etcd]) {
    if (ownsPid(pid, state.runDir)) await stopPid(pid);
  }
  if (state.pids.watchdog !== null && isAlive(state.pids.watchdog)) await stopPid(state.pids.watchdog, 0);
  rmSync(state.runDir, { recursive: true, force: true, maxRetries: 3 });
}

export function removeKubeconfigDir(dir: string): void {
  rmSync(join(dir, "kubeconfig"), { force: true });
  rmSync(join(dir, "state.json"), { force: true });
}

async function retryOnPortConflict<T>(log: (line: string) => void, what: string, start: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await start(attempt);
    } catch (err) {
      if (err instanceof ComponentStartError) await stopPid(err.process.pid);
      if (!(err instanceof ComponentStartError && err.portInUse) || attempt + 1 >= attempts) throw err;
      log(`${what}: a port was taken by another process; retrying with new ports`);
    }
  }
}

async function createNode(admin: Connection): Promise<void> {
  // A retry starts kwok on another port: a fresh Node object lets kwok publish the new port.
  const existing = await request(admin, "DELETE", `/api/v1/nodes/${nodeName}`);
  if (existing.status !== 200 && existing.status !== 404) throw new Error(`deleting node ${nodeName}: HTTP ${existing.status}`);
  await requestJson(admin, "POST", "/api/v1/nodes", {
    body: {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: nodeName,
        labels: { "kubernetes.io/hostname": nodeName, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", type: "kwok" },
        annotations: { "kwok.x-k8s.io/node": "fake" },
      },
    },
  });
}

/** The pids a run recorded (one a line); none if the file is missing. */
function readPids(pidsFile: string): number[] {
  try {
    return readFileSync(pidsFile, "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** True if pid is alive and its command line mentions runDir (guards against pid reuse). */
function ownsPid(pid: number, runDir: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(runDir);
  } catch {
    return false;
  }
}

function keepLogs(runDir: string, runId: string): string | undefined {
  const logs = join(runDir, "logs");
  if (!existsSync(logs)) return undefined;
  const dest = join(kubexDir, "failed-runs", runId);
  cpSync(logs, dest, { recursive: true });
  return dest;
}

/**
 * Removes run directories whose owner is gone (a killed test run), killing any of their
 * processes still alive. A detached cluster (cluster:up) is removed only when all its
 * processes are gone.
 */
export function cleanStaleRuns(log: (line: string) => void): void {
  if (!existsSync(runsDir)) return;
  for (const name of readdirSync(runsDir)) {
    const dir = join(runsDir, name);
    let owner: OwnerRecord | undefined;
    try {
      owner = JSON.parse(readFileSync(join(dir, "owner.json"), "utf8")) as OwnerRecord;
    } catch {
      owner = undefined;
    }
    const live = readPids(join(dir, "pids")).filter((pid) => ownsPid(pid, dir));
    if (owner === undefined) {
      // Killed before owner.json was written; give a concurrent start a minute to write it.
      if (Date.now() - statSync(dir).mtimeMs < 60_000) continue;
    } else if (owner.ownerPid === null ? live.length > 0 || isAlive(owner.starterPid) : isAlive(owner.ownerPid)) {
      continue;
    }
    for (const pid of live) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    log(`removed stale run ${name}${live.length ? ` (killed ${live.length} leftover processes)` : ""}`);
  }
}
