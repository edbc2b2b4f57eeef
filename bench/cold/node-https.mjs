// The cold-start floor of any Node client: node:https, no library. TLS material comes from a
// JSON file the bench writes beforehand (no kubeconfig parsing); one GET, JSON.parse, report CPU.
import { readFileSync } from "node:fs";
import https from "node:https";

const [materialFile, namespace, name] = process.argv.slice(2);
const { origin, ca, cert, key } = JSON.parse(readFileSync(materialFile, "utf8"));
const url = new URL(`/api/v1/namespaces/${namespace}/pods/${name}`, origin);
https.get(url, { ca, cert, key, headers: { accept: "application/json" } }, (response) => {
  let body = "";
  response.setEncoding("utf8");
  response.on("data", (chunk) => (body += chunk));
  response.on("end", () => {
    const pod = JSON.parse(body);
    if (pod.metadata?.name !== name) throw new Error(`read ${pod.metadata?.name}, expected ${name}`);
    const cpu = process.cpuUsage();
    process.stdout.write(`COLD ${(cpu.user + cpu.system) / 1000}\n`);
    process.exit(0);
  });
});
