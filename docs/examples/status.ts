import { Api, createClient, JsonPatch, MergePatch } from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-37/apps/v1";
import { ConfigMap, Service } from "@kubex/k8s-v1-37/core/v1";

await using client = await createClient();
const deployments = new Api(Deployment, { client, namespace: "default" });
const labels = { app: "status" };
await deployments.create({
  metadata: { name: "status", labels },
  spec: {
    replicas: 2,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
  },
});

// The Deployment controller reports what it observed through /status.
let observed = await deployments.status.get("status");
while ((observed.status?.readyReplicas ?? 0) < 2) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  observed = await deployments.status.get("status");
}
console.log(observed.status?.readyReplicas, observed.status?.availableReplicas);

// Writing /status is a controller's job; here we play a load-balancer controller for a Service.
const services = new Api(Service, { client, namespace: "default" });
await services.create({ metadata: { name: "status" }, spec: { type: "LoadBalancer", selector: labels, ports: [{ port: 80 }] } });
const current = await services.status.get("status");
current.status = { loadBalancer: { ingress: [{ ip: "192.0.2.10" }] } };
await services.status.replace("status", current);
// Writes to the main resource ignore `status`; writes to /status change only `status`.
await services.patch("status", new MergePatch({ status: { loadBalancer: { ingress: [] } } }));
const patched = await services.status.patch("status", new JsonPatch().add("/status/loadBalancer/ingress/-", { ip: "192.0.2.11" }));
console.log(patched.status?.loadBalancer?.ingress?.map((ingress) => ingress.ip));

// A kind without /status has no `status` accessor: a compile-time error, not a 404.
const configMaps = new Api(ConfigMap, { client, namespace: "default" });
// (From plain JavaScript, reading `configMaps.status` throws SubresourceNotSupported.)
// @ts-expect-error Property 'status' does not exist on type 'Api<ConfigMap>'
const wontCompile = () => configMaps.status;

await deployments.delete("status");
await services.delete("status");
