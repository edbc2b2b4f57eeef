// Cold start of kubex-ts as a user's program runs it: the built dist (no tsx, no source
// condition), import + createClient() + one typed GET, then report this process's CPU.
import { Api, createClient } from "@kubex/runtime";
import { Pod } from "@kubex/k8s-v1-36/core/v1";

const [namespace, name] = process.argv.slice(2);
const client = await createClient({ retry: false });
const pod = await new Api(Pod, { client, namespace }).get(name);
if (pod.metadata?.name !== name) throw new Error(`read ${pod.metadata?.name}, expected ${name}`);
const cpu = process.cpuUsage();
process.stdout.write(`COLD ${(cpu.user + cpu.system) / 1000}\n`);
process.exit(0);
