/**
 * vitest global setup of the e2e project: starts a private cluster for the run (building
 * binaries if the cache lacks them) and stops it afterwards. Tests find it through
 * KUBECONFIG and KUBEX_CLUSTER_STATE (see state.ts: loadClusterState()).
 *
 * KUBEX_E2E_VERSION=1.30 (or 1.30.14) starts that Kubernetes version instead of the pinned one
 * (test/cluster/versions.json), building its binaries if the cache lacks them.
 *
 * KUBEX_E2E_KUBECONFIG=.kubex/cluster/kubeconfig reuses a cluster from `npm run cluster:up`
 * instead (fast local iteration); it is left running.
 */
import { resolve } from "node:path";
import { request } from "./api.js";
import { startCluster } from "./cluster.js";
import { adminConnection, envVars, readState, stateFileForKubeconfig } from "./state.js";
import { resolveKubernetesVersion } from "./versions.js";

export default async function setup(): Promise<() => Promise<void>> {
  const reuse = process.env[envVars.reuseKubeconfig];
  if (reuse) {
    const kubeconfig = resolve(reuse);
    const stateFile = stateFileForKubeconfig(kubeconfig);
    const state = readState(stateFile);
    const ready = await request(adminConnection(state), "GET", "/readyz", { timeout: 5000 }).catch((err: Error) => ({
      status: 0,
      body: err.message,
    }));
    if (ready.status !== 200) {
      throw new Error(
        `${envVars.reuseKubeconfig}=${reuse}: the cluster at ${state.server} is not ready (${ready.status || ready.body}); run \`npm run cluster:up\` or unset ${envVars.reuseKubeconfig}`,
      );
    }
    const version = process.env[envVars.version];
    if (version && resolveKubernetesVersion(version) !== state.kubernetesVersion) {
      throw new Error(
        `${envVars.version}=${version} but the reused cluster (${envVars.reuseKubeconfig}=${reuse}) runs ${state.kubernetesVersion}; unset one of them`,
      );
    }
    process.env[envVars.kubeconfig] = kubeconfig;
    process.env[envVars.state] = stateFile;
    return async () => {};
  }
  const version = process.env[envVars.version];
  const cluster = await startCluster(version ? { version } : {});
  process.env[envVars.kubeconfig] = cluster.state.kubeconfig;
  process.env[envVars.state] = cluster.stateFile;
  return async () => {
    await cluster.stop();
  };
}
