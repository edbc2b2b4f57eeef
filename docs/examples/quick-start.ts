import { Api, createClient, MergePatch } from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-37/apps/v1";
import { ConfigMap } from "@kubex/k8s-v1-37/core/v1";

// KUBECONFIG, else ~/.kube/config, else the in-cluster service account.
await using client = await createClient();
const deployments = new Api(Deployment, { client, namespace: "default" });

const labels = { app: "quick-start" };
const created = await deployments.create(
  new Deployment({
    metadata: { name: "quick-start", labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
    },
  }),
);
console.log(`created ${created.kind} ${created.metadata?.name}`); // apiVersion and kind were filled in

// Deployment has a /scale subresource, so `deployments.scale` exists.
const scale = await deployments.scale.patch("quick-start", new MergePatch({ spec: { replicas: 3 } }));
console.log(`replicas: ${scale.spec?.replicas}`);

const configMaps = new Api(ConfigMap, { client, namespace: "default" });
// @ts-expect-error ConfigMap has no /scale subresource: this line does not compile.
const wontCompile = () => configMaps.scale;

await deployments.delete("quick-start");
