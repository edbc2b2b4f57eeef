// The tutorial end to end against a cluster with a scheduler and a controller-manager
// (`bash scripts/operator-demo.sh` starts the local one): install the CRD, run the operator
// with leader election, create a MyProxy, watch its status fill in, edit its Deployment by
// hand and see it put back, delete it and see the finalizer clean up.
import { setTimeout as sleep } from "node:timers/promises";
import { Api, createClient, EventRecorder, jsonLogger, MergePatch, NotFound, runWithLeaderElection } from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-36/apps/v1";
import { Event } from "@kubex/k8s-v1-36/events/v1";
import { myProxyOperator } from "./controller.js";
import { MyProxy } from "./crd-types/example.com/v1/index.js";
import { installMyProxyCrd } from "./install.js";

async function until<T>(what: string, probe: () => Promise<T | undefined>, seconds = 120): Promise<T> {
  for (let waited = 0; waited < seconds * 5; waited += 1) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(200);
  }
  throw new Error(`${what}: not within ${seconds} s (does the cluster run kube-scheduler and kube-controller-manager?)`);
}

await using client = await createClient();
await installMyProxyCrd(client);
const stop = new AbortController();
await using events = new EventRecorder({ client, reportingController: "example.com/myproxy-operator" });
const log = jsonLogger({ write: (text) => void process.stderr.write(text) });
const operator = runWithLeaderElection(myProxyOperator({ client, events, log }), {
  lease: "myproxy-operator",
  namespace: "default",
  signal: stop.signal,
  log,
});

const proxies = new Api(MyProxy, { client, namespace: "default" });
const deployments = new Api(Deployment, { client, namespace: "default" });
await proxies.create(new MyProxy({ metadata: { name: "demo" }, spec: { name: "demo", replicas: 2 } }));
const ready = await until("MyProxy demo Ready", async () => {
  const proxy = await proxies.get("demo");
  const condition = proxy.status?.conditions?.find((c) => c.type === "Ready");
  return condition?.status === "True" && proxy.status?.podNames?.length === 2 ? proxy : undefined;
});
console.log("Ready:", ready.status?.conditions?.find((c) => c.type === "Ready")?.message, "pods:", ready.status?.podNames);

await deployments.patch("demo", new MergePatch({ spec: { replicas: 5 } }), { fieldManager: "kubectl-edit" });
await until("hand edit put back", async () => ((await deployments.get("demo")).spec?.replicas === 2 ? true : undefined));
console.log("hand edit of the Deployment put back: replicas 2");

await proxies.delete("demo");
await until("finalizer ran", async () =>
  proxies.get("demo").then(
    () => undefined,
    (error: unknown) => (error instanceof NotFound ? true : undefined),
  ),
);
await events.flush();
const ours = (
  await new Api(Event, { client, namespace: "default" }).list({
    fieldSelector: "regarding.name=demo,reportingController=example.com/myproxy-operator",
  })
).items;
console.log("events:", [...new Set(ours.map((e) => e.reason))].sort().join(", "));

stop.abort();
await operator;
