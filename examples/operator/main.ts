// The MyProxy operator as a process: leader election on a Lease, so several replicas can
// run and one reconciles. SIGTERM or Ctrl-C stops the controller, releases the lease
// (another replica takes over within seconds) and exits.
//
//   KUBECONFIG=... npx tsx examples/operator/main.ts [--lease myproxy-operator] [--lease-namespace default] [--identity NAME]
import { parseArgs } from "node:util";
import { createClient, defaultIdentity, EventRecorder, jsonLogger, runWithLeaderElection } from "@kubex/runtime";
import { myProxyOperator } from "./controller.js";
import { installMyProxyCrd } from "./install.js";

const { values } = parseArgs({
  options: {
    lease: { type: "string", default: "myproxy-operator" },
    "lease-namespace": { type: "string", default: "default" },
    identity: { type: "string" },
    workers: { type: "string", default: "4" },
  },
});
const identity = values.identity ?? defaultIdentity();
// One JSON object per line on stdout; reconcile start/end lines with MYPROXY_DEBUG=1.
const log = jsonLogger({ debug: process.env.MYPROXY_DEBUG === "1", write: (text) => void process.stdout.write(text) });

const stop = new AbortController();
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => stop.abort(new Error(signal)));

await using client = await createClient();
await installMyProxyCrd(client);
await using events = new EventRecorder({ client, reportingController: "example.com/myproxy-operator", reportingInstance: identity });
await using controller = myProxyOperator({ client, events, log, maxConcurrentReconciles: Number(values.workers) });

log.info("operator: starting", { identity, pid: process.pid });
await runWithLeaderElection(controller, {
  lease: values.lease,
  namespace: values["lease-namespace"],
  identity,
  signal: stop.signal,
  log,
  onStartedLeading: () => log.info("operator: started leading", { identity }),
  onStoppedLeading: () => log.info("operator: stopped leading", { identity }),
  onNewLeader: (leader) => log.info("operator: leader is", { identity, leader }),
});
const cpu = process.cpuUsage();
log.info("operator: exit", { identity, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000 });
