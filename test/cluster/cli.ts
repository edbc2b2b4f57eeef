// npm run cluster:up [-- --version 1.33] [-- --foreground]   |   npm run cluster:down   |   tsx test/cluster/cli.ts status
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { request } from "./api.js";
import { removeKubeconfigDir, startCluster, stopCluster } from "./cluster.js";
import { namedClusterDir } from "./paths.js";
import { adminConnection, readState, type ClusterState } from "./state.js";
import { resolveKubernetesVersion } from "./versions.js";

const stateFile = join(namedClusterDir, "state.json");

async function isUp(state: ClusterState): Promise<boolean> {
  return (await request(adminConnection(state), "GET", "/readyz", { timeout: 3000 }).catch(() => ({ status: 0 }))).status === 200;
}

async function up(version: string | undefined, foreground: boolean): Promise<void> {
  if (existsSync(stateFile)) {
    const state = readState(stateFile);
    if (await isUp(state)) {
      const wanted = resolveKubernetesVersion(version);
      if (state.kubernetesVersion !== wanted) {
        throw new Error(`a cluster of ${state.kubernetesVersion} is already running; run \`npm run cluster:down\` first to start ${wanted}`);
      }
      console.log(`cluster ${state.kubernetesVersion} is already running\nexport KUBECONFIG=${state.kubeconfig}`);
      return;
    }
    await stopCluster(state);
    removeKubeconfigDir(namedClusterDir);
  }
  const cluster = await startCluster({ ...(version ? { version } : {}), detached: !foreground, kubeconfigDir: namedClusterDir });
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
  await stopCluster(readState(stateFile));
  removeKubeconfigDir(namedClusterDir);
  console.log("cluster stopped");
}

async function status(): Promise<void> {
  if (!existsSync(stateFile)) {
    console.log("no cluster");
    process.exitCode = 1;
    return;
  }
  const state = readState(stateFile);
  const ready = await isUp(state);
  console.log(`${state.kubernetesVersion} at ${state.server}: ${ready ? "ready" : "not responding"}\nKUBECONFIG=${state.kubeconfig}`);
  if (!ready) process.exitCode = 1;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { version: { type: "string" }, foreground: { type: "boolean", default: false } },
});
const command = positionals[0];
try {
  if (command === "up") await up(values.version, values.foreground ?? false);
  else if (command === "down") await down();
  else if (command === "status") await status();
  else throw new Error(`unknown command "${command ?? ""}": use up [--version 1.NN[.P]] [--foreground], down or status`);
} catch (err) {
  console.error(`cluster ${command ?? ""}: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
