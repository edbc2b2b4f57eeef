import { Api, createClient, MergePatch, type HasScale, type HasStatusSubresource, type KubernetesObject } from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-37/apps/v1";
import { ConfigMap } from "@kubex/k8s-v1-37/core/v1";

// Library code: any kind with /scale and /status, from any version package.
// The bound names the markers; the accessors they allow are there, typed for T.
async function scaleAndRead<T extends KubernetesObject & HasScale & HasStatusSubresource>(
  api: Api<T>,
  name: string,
  replicas: number,
): Promise<T> {
  const scale = await api.scale.patch(name, new MergePatch({ spec: { replicas } }));
  const labels = (await api.metadata.get(name)).metadata?.labels; // every kind has `metadata`
  console.log(`${name}: ${scale.spec?.replicas} replicas, labels`, labels);
  return api.status.get(name); // T itself: a Deployment here
}

// What the bound does not promise is not there: `api.logs` would not compile in
// scaleAndRead, and neither does passing an Api of a kind without the markers.
await using client = await createClient();
const deployments = new Api(Deployment, { client, namespace: "default" });
const labels = { app: "library" };
await deployments.create({
  metadata: { name: "library", labels },
  spec: {
    replicas: 1,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "nginx" }] } },
  },
});
const deployment: Deployment = await scaleAndRead(deployments, "library", 3);
console.log(deployment instanceof Deployment, deployment.spec?.replicas);

const configMaps = new Api(ConfigMap, { client, namespace: "default" });
// @ts-expect-error ConfigMap has neither /scale nor /status
const wontCompile = () => scaleAndRead(configMaps, "settings", 3);

await deployments.delete("library");
