/**
 * The MyProxy operator across an apiserver restart, on a private cluster (the shared one is
 * never killed): the operator runs with leader election; kube-apiserver is SIGKILLed mid-run
 * while MyProxy objects are being created and changed, and started again. The operator keeps
 * its lease or takes it again, and every object converges: Deployment applied, status
 * written for the current generation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, createClient, EventRecorder, jsonLogger, MergePatch, runWithLeaderElection, type Client } from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-36/apps/v1";
import { Namespace } from "@kubex/k8s-v1-36/core/v1";
import { myProxyOperator } from "../../examples/operator/controller.js";
import { MyProxy } from "../../examples/operator/crd-types/example.com/v1/index.js";
import { installMyProxyCrd } from "../../examples/operator/install.js";
import { startCluster, type RunningCluster } from "../cluster/cluster.js";
import { killComponent, restartComponent } from "../cluster/faults.js";
import { stopPid } from "../cluster/processes.js";

let cluster: RunningCluster;
let client: Client;
const restartedPids: number[] = [];

beforeAll(async () => {
  cluster = await startCluster({ log: () => undefined });
  client = await createClient({ kubeconfig: cluster.state.kubeconfig });
  await installMyProxyCrd(client);
  await new Api(Namespace, { client }).create({ metadata: { name: "faults" } });
}, 300_000);

afterAll(async () => {
  await client?.close();
  for (const pid of restartedPids) await stopPid(pid);
  await cluster?.stop();
}, 120_000);

async function until(what: string, probe: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("operator across an apiserver restart", { timeout: 420_000 }, () => {
  it("keeps going and converges", async () => {
    const proxies = new Api(MyProxy, { client, namespace: "faults" });
    const deployments = new Api(Deployment, { client, namespace: "faults" });
    const lines: Record<string, unknown>[] = [];
    const log = jsonLogger({ write: (text) => void lines.push(JSON.parse(text) as Record<string, unknown>) });
    const events = new EventRecorder({ client, reportingController: "example.com/myproxy-operator", maxAttempts: 3, retryDelay: 500, log });
    const controller = myProxyOperator({ client, events, log });
    const stop = new AbortController();
    const running = runWithLeaderElection(controller, {
      lease: "myproxy-operator",
      namespace: "faults",
      identity: "faults-operator",
      signal: stop.signal,
      log,
    });
    try {
      for (let i = 0; i < 20; i += 1)
        await proxies.create(new MyProxy({ metadata: { name: `before-${i}` }, spec: { name: `b${i}`, replicas: 0 } }));
      await until(
        "first batch converged",
        async () => (await proxies.list()).items.every((p) => p.status?.observedGeneration === p.metadata?.generation),
        90_000,
      );

      // Changes made just before the apiserver dies, then the restart.
      for (let i = 0; i < 20; i += 1) await proxies.patch(`before-${i}`, new MergePatch({ spec: { image: "nginx:1.28" } }));
      const killed = await killComponent(cluster.state, "kubeApiserver");
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // the operator's calls and watches fail meanwhile
      restartedPids.push(await restartComponent(cluster.state, killed));
      for (let i = 0; i < 20; i += 1)
        await proxies.create(new MyProxy({ metadata: { name: `after-${i}` }, spec: { name: `a${i}`, replicas: 0 } }));

      await until(
        "everything converged after the restart",
        async () => {
          const list = (await proxies.list()).items;
          if (list.length !== 40 || !list.every((p) => p.status?.observedGeneration === p.metadata?.generation)) return false;
          const images = new Map(
            (await deployments.list()).items.map((d) => [d.metadata!.name!, d.spec?.template?.spec?.containers?.[0]?.image]),
          );
          return list.every(
            (p) => images.get(p.metadata!.name!) === (p.metadata!.name!.startsWith("before") ? "nginx:1.28" : "nginx:1.27"),
          );
        },
        // Generous: after the restart the lease may have to expire (15 s) before the operator leads again.
        180_000,
      );
      expect(controller.isRunning).toBe(true); // leading again (or still), reconciling
    } finally {
      stop.abort();
      await running;
      await events.close();
    }
    const leadership = lines.filter((line) => String(line.msg).startsWith("leader election: acquired")).length;
    expect(leadership).toBeGreaterThanOrEqual(1);
  });
});
