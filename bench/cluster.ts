/**
 * The cluster the bench runs against: KUBEX_BENCH_KUBECONFIG when it points at a running
 * one (left running afterwards), else a fresh one from the test harness (stopped at the end).
 */
import { existsSync } from "node:fs";
import { startCluster } from "../test/cluster/cluster.js";
import { connectRaw } from "./raw.js";

export interface BenchCluster {
  kubeconfig: string;
  /** Where it came from, for the report. */
  origin: string;
  stop(): Promise<void>;
}

export async function acquireCluster(log: (line: string) => void): Promise<BenchCluster> {
  const given = process.env["KUBEX_BENCH_KUBECONFIG"];
  if (given !== undefined && given !== "") {
    if (!existsSync(given)) throw new Error(`KUBEX_BENCH_KUBECONFIG=${given}: no such file`);
    const raw = connectRaw(given);
    try {
      const response = await raw.agent.request({ origin: raw.origin, path: "/readyz", method: "GET", headersTimeout: 5000 });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`/readyz answered ${response.statusCode}: ${text.slice(0, 200)}`);
    } catch (cause) {
      throw new Error(`KUBEX_BENCH_KUBECONFIG=${given}: the cluster is not ready (${(cause as Error).message})`, { cause });
    } finally {
      await raw.close();
    }
    log(`using the running cluster of ${given} (left running)`);
    return { kubeconfig: given, origin: `KUBEX_BENCH_KUBECONFIG=${given}`, stop: async () => undefined };
  }
  log("starting a cluster of our own (set KUBEX_BENCH_KUBECONFIG to reuse a running one)");
  const cluster = await startCluster({ log: (line) => log(`[cluster] ${line}`) });
  return {
    kubeconfig: cluster.state.kubeconfig,
    origin: `own cluster, Kubernetes ${cluster.state.kubernetesVersion}`,
    stop: () => cluster.stop(),
  };
}
