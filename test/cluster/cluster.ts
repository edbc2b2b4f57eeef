import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stateFileForKubeconfig, writeState, type ClusterState } from "./state.js";
import { request, requestJson, type Connection } from "./api.js";
import { ensureBinaries } from "./binaries.js";
import {
  ComponentStartError,
  isReady,
  kwokNodeAnnotation,
  lifecycleTaints,
  readNode,
  startApiserver,
  startControllerManager,
  startEtcd,
  startKwok,
  startScheduler,
  type ComponentName,
  type Spawner,
} from "./components.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { writeKwokConfig } from "./kwok-config.js";
import { guard } from "./lifecycle.js";
import { kubexDir, runsDir } from "./paths.js";
import { createPki, identities } from "./pki.js";
import { freePorts } from "./ports.js";
import { isAlive, startWatchdog, stopPid } from "./processes.js";
import { ClusterSetupError, resolveKubernetesVersion } from "./versions.js";

/** Names of the kwok nodes: kwok-node-0, kwok-node-1, ... */
export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `kwok-node-${i}`);
}

export const defaultNodeCount = 2;

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
  ports?: Partial<ClusterState["ports"]>;
  /** How many kwok nodes (default 2). */
  nodes?: number;
  /** Extra flags per component, after the harness's own (e.g. `{ "kube-apiserver": ["--feature-gates=X=true"] }`). */
  extraArgs?: Partial<Record<ComponentName, string[]>>;
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

/**
 * Starts etcd, kube-apiserver, then kube-controller-manager, kube-scheduler and kwok (building
 * binaries if needed) on free loopback ports, and waits until every component is healthy and
 * every node is Ready and schedulable.
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<RunningCluster> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[cluster] ${line}\n`));
  const detached = options.detached ?? false;
  const nodeCount = options.nodes ?? defaultNodeCount;
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 50) {
    throw new ClusterSetupError(`nodes: ${String(options.nodes)} is not a node count; use a whole number from 1 to 50`);
  }
  const nodes = nodeNames(nodeCount);
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
  const spawner: Spawner = { runDir, pidsFile, detached, extraArgs: options.extraArgs ?? {} };

  const stopAll = async () => {
    for (const pid of runPids().reverse()) await stopPid(pid);
  };

  try {
    const startedAt = new Date();
    const pki = await createPki(runDir);
    const serves = writeKwokConfig(runDir, startedAt);

    const free = (await freePorts(6)) as [number, number, number, number, number, number];
    let etcdPort = options.ports?.etcd ?? free[0];
    let etcdPeerPort = options.ports?.etcdPeer ?? free[1];
    let apiserverPort = options.ports?.apiserver ?? free[2];
    let kwokPort = options.ports?.kwok ?? free[3];
    let controllerManagerPort = options.ports?.controllerManager ?? free[4];
    let schedulerPort = options.ports?.scheduler ?? free[5];
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

    // Each component gets a kubeconfig of its own identity.
    const componentKubeconfig = (dir: string, clientCertFile: string, clientKeyFile: string) => {
      const file = join(runDir, dir, "kubeconfig");
      mkdirSync(join(runDir, dir), { recursive: true });
      writeKubeconfig(file, { server: admin.server, caFile: pki.caFile, clientCertFile, clientKeyFile });
      return file;
    };
    const kwokKubeconfig = componentKubeconfig("kwok", pki.kwokClientCertFile, pki.kwokClientKeyFile);
    const controllerManagerKubeconfig = componentKubeconfig(
      "kube-controller-manager",
      pki.controllerManagerClientCertFile,
      pki.controllerManagerClientKeyFile,
    );
    const schedulerKubeconfig = componentKubeconfig("kube-scheduler", pki.schedulerClientCertFile, pki.schedulerClientKeyFile);

    // The three need only the apiserver, not each other: start them side by side.
    const [controllerManager, scheduler, kwok] = await allOrFirstError([
      retryOnPortConflict(log, "kube-controller-manager", async (attempt) => {
        if (attempt > 0) [controllerManagerPort] = (await freePorts(1)) as [number];
        const input = {
          port: controllerManagerPort,
          kubeconfig: controllerManagerKubeconfig,
          pki,
          servingCertFile: pki.controllerManagerServingCertFile,
          servingKeyFile: pki.controllerManagerServingKeyFile,
        };
        return startControllerManager(spawner, binaries.kubeControllerManager, input, admin, attempt);
      }).then((proc) => (log(`kube-controller-manager healthy on 127.0.0.1:${controllerManagerPort} (${elapsed()})`), proc)),
      retryOnPortConflict(log, "kube-scheduler", async (attempt) => {
        if (attempt > 0) [schedulerPort] = (await freePorts(1)) as [number];
        const input = {
          port: schedulerPort,
          kubeconfig: schedulerKubeconfig,
          pki,
          servingCertFile: pki.schedulerServingCertFile,
          servingKeyFile: pki.schedulerServingKeyFile,
        };
        return startScheduler(spawner, binaries.kubeScheduler, input, attempt);
      }).then((proc) => (log(`kube-scheduler healthy on 127.0.0.1:${schedulerPort} (${elapsed()})`), proc)),
      retryOnPortConflict(log, "kwok", async (attempt) => {
        if (attempt > 0) [kwokPort] = (await freePorts(1)) as [number];
        await createNodes(admin, nodes);
        return startKwok(
          spawner,
          binaries.kwok,
          { port: kwokPort, nodeNames: nodes, kubeconfig: kwokKubeconfig, pki, serves },
          admin,
          attempt,
        );
      }).then((proc) => (log(`kwok nodes ${nodes.join(", ")} Ready, kubelet API on 127.0.0.1:${kwokPort} (${elapsed()})`), proc)),
    ]);
    await waitSchedulable(admin, nodes, controllerManager.logFile);
    log(`nodes schedulable (${elapsed()})`);

    const outDir = options.kubeconfigDir ?? runDir;
    mkdirSync(outDir, { recursive: true });
    const kubeconfig = join(outDir, "kubeconfig");
    writeKubeconfig(kubeconfig, {
      server: admin.server,
      caFile: pki.caFile,
      clientCertFile: pki.adminCertFile,
      clientKeyFile: pki.adminKeyFile,
      tokens: pki.tokens,
    });
    const state: ClusterState = {
      formatVersion: 2,
      kubernetesVersion,
      server: admin.server,
      runDir,
      kubeconfig,
      caFile: pki.caFile,
      adminCertFile: pki.adminCertFile,
      adminKeyFile: pki.adminKeyFile,
      tokenFile: pki.tokenFile,
      tokens: pki.tokens,
      users: { ...identities },
      nodes,
      kwok: { ...serves, port: kwokPort },
      ports: {
        etcd: etcdPort,
        etcdPeer: etcdPeerPort,
        apiserver: apiserverPort,
        kwok: kwokPort,
        controllerManager: controllerManagerPort,
        scheduler: schedulerPort,
      },
      pids: {
        etcd: etcd.pid,
        kubeApiserver: apiserver.pid,
        kubeControllerManager: controllerManager.pid,
        kubeScheduler: scheduler.pid,
        kwok: kwok.pid,
        watchdog: watchdogPid,
      },
      logs: {
        etcd: etcd.logFile,
        kubeApiserver: apiserver.logFile,
        kubeControllerManager: controllerManager.logFile,
        kubeScheduler: scheduler.logFile,
        kwok: kwok.logFile,
      },
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

/**
 * Stops a cluster from its state (cluster:down, or a reused cluster's owner). Takes only the
 * pids and run directory, so a state.json an older checkout wrote can still be stopped.
 */
export async function stopCluster(state: { pids: Record<string, number | null>; runDir: string }): Promise<void> {
  const { watchdog, ...components } = state.pids;
  // Newest first: the nodes and controllers, then the apiserver, then etcd.
  for (const pid of Object.values(components).reverse()) {
    if (typeof pid === "number" && ownsPid(pid, state.runDir)) await stopPid(pid);
  }
  if (typeof watchdog === "number" && isAlive(watchdog)) await stopPid(watchdog, 0);
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

/** Like Promise.all, but waits for every start to settle (so none is still starting when we clean up), then throws the first error. */
async function allOrFirstError<T extends unknown[]>(starts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as T;
}

async function createNodes(admin: Connection, names: string[]): Promise<void> {
  for (const name of names) {
    // A retry starts kwok on another port: fresh Node objects let kwok publish the new port.
    const existing = await request(admin, "DELETE", `/api/v1/nodes/${name}`);
    if (existing.status !== 200 && existing.status !== 404) throw new Error(`deleting node ${name}: HTTP ${existing.status}`);
    await requestJson(admin, "POST", "/api/v1/nodes", {
      body: {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", type: "kwok" },
          annotations: { [kwokNodeAnnotation.key]: kwokNodeAnnotation.value },
        },
      },
    });
  }
}

/** Waits until every node is Ready and free of node.kubernetes.io/* taints (the scheduler would skip it otherwise). */
async function waitSchedulable(admin: Connection, names: string[], controllerManagerLog: string): Promise<void> {
  // Seconds normally; generous because private clusters start while the shared one and its tests load the machine.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const pending: string[] = [];
    for (const name of names) {
      const node = await readNode(admin, name);
      if (!node) pending.push(`${name} (missing)`);
      else if (!isReady(node)) pending.push(`${name} (not Ready)`);
      else if (lifecycleTaints(node).length) pending.push(`${name} (tainted ${lifecycleTaints(node).join(", ")})`);
    }
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new ClusterSetupError(
        `nodes not schedulable after 90s: ${pending.join("; ")}; kube-controller-manager's node-lifecycle controller removes these taints once a node is Ready; log: ${controllerManagerLog}`,
      );
    }
    await sleep(200);
  }
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
