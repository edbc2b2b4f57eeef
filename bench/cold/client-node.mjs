// Cold start of @kubernetes/client-node: import + KubeConfig.loadFromDefault() + one
// readNamespacedPod, then report this process's CPU.
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";

const [namespace, name] = process.argv.slice(2);
const kc = new KubeConfig();
kc.loadFromDefault();
const pod = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ name, namespace });
if (pod.metadata?.name !== name) throw new Error(`read ${pod.metadata?.name}, expected ${name}`);
const cpu = process.cpuUsage();
process.stdout.write(`COLD ${(cpu.user + cpu.system) / 1000}\n`);
process.exit(0);
