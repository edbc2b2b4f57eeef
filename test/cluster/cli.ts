// npm run cluster:up [-- --version 1.33] [-- --nodes 3] [-- --foreground]   |   npm run cluster:down   |   npm run cluster:status
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { httpStatus, request, type Connection } from "./api.js";
import { removeKubeconfigDir, startCluster, stopCluster } from "./cluster.js";
import { isReady, lifecycleTaints, readNode } from "./components.js";
import { namedClusterDir } from "./paths.js";
import { isAlive } from "./processes.js";
import { adminConnection, readState, type ClusterState } from "./state.js";
import { ClusterSetupError, resolveKubernetesVersion } from "./versions.js";

const stateFile = join(namedClusterDir, "state.json");

async function isUp(state: ClusterState): Promise<boolean> {
  return (await request(adminConnection(state), "GET", "/readyz", { timeout: 3000 }).catch(() => ({ status: 0 }))).status === 200;
}

/** Stops whatever the state file describes, even one an older checkout wrote (only pids and runDir are read). */
async function stopRecorded(): Promise<void> {
  const raw = JSON.parse(readFileSync(stateFile, "utf8")) as { pids?: Record<string, number | null>; runDir?: string };
  if (raw.pids && raw.runDir) await stopCluster({ pids: raw.pids, runDir: raw.runDir });
  removeKubeconfigDir(namedClusterDir);
}

async function up(version: string | undefined, nodes: number | undefined, foreground: boolean): Promise<void> {
  const wanted = resolveKubernetesVersion(version);
  if (existsSync(stateFile)) {
    let state: ClusterState | undefined;
    try {
      state = readState(stateFile);
    } catch {
      state = undefined; // written by an older checkout: stop it below
    }
    if (state && (await isUp(state))) {
      if (state.kubernetesVersion !== wanted) {
        throw new ClusterSetupError(
          `a cluster of ${state.kubernetesVersion} is already running; run \`npm run cluster:down\` first to start ${wanted}`,
        );
      }
      console.log(`cluster ${state.kubernetesVersion} is already running\nexport KUBECONFIG=${state.kubeconfig}`);
      return;
    }
    await stopRecorded();
  }
  const cluster = await startCluster({
    version: wanted,
    detached: !foreground,
    kubeconfigDir: namedClusterDir,
    ...(nodes !== undefined ? { nodes } : {}),
  });
  console.log(`export KUBECONFIG=${cluster.state.kubeconfig}`);
  console.log(`# e2e tests can reuse it: KUBEX_E2E_KUBECONFIG=${cluster.state.kubeconfig} npm run test:e2e`);
  if (!foreground) return;
  console.log("# running in the foreground; Ctrl-C stops it");
  await new Promise<void>((resolve) => {
    const stop = () => void cluster.stop().then(resolve);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

async function down(): Promise<void> {
  if (!existsSync(stateFile)) {
    console.log("no cluster is running (no .kubex/cluster/state.json)");
    return;
  }
  await stopRecorded();
  console.log("cluster stopped");
}

/** HTTPS status of a component's health endpoint, verified against the cluster CA; 0 if unreachable. */
async function health(conn: Connection, path: string): Promise<number> {
  return (await request(conn, "GET", path, { timeout: 3000 }).catch(() => ({ status: 0 }))).status;
}

/** What runs, where, and whether it is healthy; exit code 1 if anything is not. */
async function status(): Promise<void> {
  if (!existsSync(stateFile)) {
    console.log("no cluster (no .kubex/cluster/state.json); start one with `npm run cluster:up`");
    process.exitCode = 1;
    return;
  }
  const state = readState(stateFile);
  const admin = adminConnection(state);
  const ca = (port: number): Connection => ({ server: `https://127.0.0.1:${port}`, caFile: state.caFile });
  const rows: [string, number, number, string, boolean][] = [];
  const row = (name: string, pid: number, port: number, check: string, ok: boolean) =>
    rows.push([name, pid, port, check, ok && isAlive(pid)]);
  const etcd = await httpStatus(`http://127.0.0.1:${state.ports.etcd}/health`);
  row("etcd", state.pids.etcd, state.ports.etcd, `GET /health ${etcd || "unreachable"}`, etcd === 200);
  const readyz = await health(admin, "/readyz");
  row("kube-apiserver", state.pids.kubeApiserver, state.ports.apiserver, `GET /readyz ${readyz || "unreachable"}`, readyz === 200);
  const kcm = await health(ca(state.ports.controllerManager), "/healthz");
  row(
    "kube-controller-manager",
    state.pids.kubeControllerManager,
    state.ports.controllerManager,
    `GET /healthz ${kcm || "unreachable"}`,
    kcm === 200,
  );
  const scheduler = await health(ca(state.ports.scheduler), "/healthz");
  row("kube-scheduler", state.pids.kubeScheduler, state.ports.scheduler, `GET /healthz ${scheduler || "unreachable"}`, scheduler === 200);
  const kwok = await health(ca(state.ports.kwok), "/healthz");
  row("kwok", state.pids.kwok, state.ports.kwok, `GET /healthz ${kwok || "unreachable"}`, kwok === 200);

  const version =
    readyz === 200
      ? await request(admin, "GET", "/version")
          .then((r) => (JSON.parse(r.body) as { gitVersion: string }).gitVersion)
          .catch(() => "?")
      : "?";
  console.log(`Kubernetes ${state.kubernetesVersion} (server reports ${version}) at ${state.server}, started ${state.startedAt}`);
  for (const [name, pid, port, check, ok] of rows) {
    console.log(
      `  ${name.padEnd(24)} ${(ok ? "healthy" : "NOT HEALTHY").padEnd(12)} pid ${String(pid).padEnd(8)} 127.0.0.1:${String(port).padEnd(6)} ${check}`,
    );
  }
  let nodesOk = true;
  for (const name of state.nodes) {
    const node = readyz === 200 ? await readNode(admin, name).catch(() => undefined) : undefined;
    const taints = node ? lifecycleTaints(node) : [];
    const ok = node !== undefined && isReady(node) && taints.length === 0;
    nodesOk &&= ok;
    console.log(
      `  node ${name.padEnd(19)} ${ok ? "Ready" : node ? `NOT READY${taints.length ? ` (${taints.join(", ")})` : ""}` : "unknown"}`,
    );
  }
  console.log(`KUBECONFIG=${state.kubeconfig}\nlogs: ${join(state.runDir, "logs")}/`);
  if (!rows.every((r) => r[4]) || !nodesOk) process.exitCode = 1;
}

const usage = "use: up [--version 1.NN[.P]] [--nodes N] [--foreground], down or status";
const command = process.argv[2];
try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { version: { type: "string" }, nodes: { type: "string" }, foreground: { type: "boolean", default: false } },
  });
  if (positionals.length > 1) throw new ClusterSetupError(`unexpected argument "${positionals[1]}"; ${usage}`);
  const nodes = values.nodes === undefined ? undefined : Number(values.nodes);
  if (nodes !== undefined && !(Number.isInteger(nodes) && nodes >= 1 && nodes <= 50)) {
    throw new ClusterSetupError(`--nodes "${values.nodes}" is not a node count; use a whole number from 1 to 50`);
  }
  if (command === "up") await up(values.version, nodes, values.foreground ?? false);
  else if (command === "down") await down();
  else if (command === "status") await status();
  else throw new ClusterSetupError(`unknown command "${command ?? ""}"; ${usage}`);
} catch (err) {
  // Written for people: the message alone (it names the component, its log and what to do), no stack.
  console.error(`cluster ${command ?? ""}: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
