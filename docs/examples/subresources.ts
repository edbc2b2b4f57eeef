import { Api, createClient, MergePatch } from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-37/apps/v1";
import { ConfigMap, Pod } from "@kubex/k8s-v1-37/core/v1";

await using client = await createClient();
const deployments = new Api(Deployment, { client, namespace: "default" });
const labels = { app: "subresources" };
await deployments.create({
  metadata: { name: "subresources", labels },
  spec: {
    replicas: 1,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
  },
});

// /scale: an autoscaling/v1 Scale, for kinds that have it (Deployment, StatefulSet, ReplicaSet, ...).
const scale = await deployments.scale.get("subresources");
await deployments.scale.patch("subresources", new MergePatch({ spec: { replicas: (scale.spec?.replicas ?? 0) + 1 } }));

// metadata: every kind, objects reduced to PartialObjectMetadata (cheap lists of big kinds).
const names = await deployments.metadata.list({ labelSelector: labels });
console.log(names.items.map((item) => item.metadata?.name));
const configMaps = new Api(ConfigMap, { client, namespace: "default" });
const configMapLabels = await configMaps.metadata.get("kube-root-ca.crt").catch(() => undefined);
console.log(configMapLabels?.metadata?.labels);

// /eviction: a Pod's polite delete, which honours PodDisruptionBudgets.
const pods = new Api(Pod, { client, namespace: "default" });
await pods.create({ metadata: { name: "subresources-pod" }, spec: { containers: [{ name: "main", image: "busybox" }] } });
await pods.eviction.create("subresources-pod", { deleteOptions: { gracePeriodSeconds: 0 } });

// Only the accessors a kind's API has exist on its Api:
// @ts-expect-error Pod has no /scale
const noScale = () => pods.scale;
// @ts-expect-error Deployment has no /log
const noLogs = () => deployments.logs;

await deployments.delete("subresources");
