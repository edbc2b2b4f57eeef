import { Api, createClient, JsonPatch, MergePatch } from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-37/apps/v1";
import { ConfigMap } from "@kubex/k8s-v1-37/core/v1";

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

// Writes to the main resource ignore `status`; writes to /status change only `status`.
const current = await deployments.status.get("status");
current.status = { replicas: 2, readyReplicas: 1, observedGeneration: current.metadata?.generation };
await deployments.status.replace("status", current);

await deployments.status.patch("status", new MergePatch({ status: { readyReplicas: 2 } }));
const patched = await deployments.status.patch("status", new JsonPatch().replace("/status/availableReplicas", 2));
console.log(patched.status?.readyReplicas, patched.status?.availableReplicas);

// A kind without /status has no `status` accessor: a compile-time error, not a 404.
const configMaps = new Api(ConfigMap, { client, namespace: "default" });
// (From plain JavaScript, reading `configMaps.status` throws SubresourceNotSupported.)
// @ts-expect-error Property 'status' does not exist on type 'Api<ConfigMap>'
const wontCompile = () => configMaps.status;

await deployments.delete("status");
