import { Api, ApplyPatch, createClient, JsonPatch, MergePatch, StrategicMergePatch } from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-37/apps/v1";

await using client = await createClient();
const deployments = new Api(Deployment, { client, namespace: "default" });
const labels = { app: "patching" };
await deployments.create({
  metadata: { name: "patching", labels },
  spec: {
    replicas: 1,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
  },
});

// JSON merge patch (RFC 7386): objects merge, lists are replaced, null deletes a key.
await deployments.patch("patching", new MergePatch({ metadata: { labels: { tier: "frontend" } } }));

// Strategic merge patch: lists of containers merge by name instead of being replaced.
await deployments.patch(
  "patching",
  new StrategicMergePatch({ spec: { template: { spec: { containers: [{ name: "sidecar", image: "busybox" }] } } } }),
);

// JSON patch (RFC 6902): a list of operations; a failing `test` makes the whole patch fail.
// (Test a field only you write: the Deployment controller changes status, and so resourceVersion, meanwhile.)
const current = await deployments.get("patching");
await deployments.patch(
  "patching",
  new JsonPatch()
    .test("/spec/replicas", current.spec?.replicas)
    .replace("/spec/replicas", 2)
    .add(["metadata", "annotations"], { "example.com/owner": "docs" }),
);

// Server-side apply: send the fields you own; fieldManager is required, force takes over conflicts.
const applied = await deployments.patch(
  "patching",
  new ApplyPatch({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "patching" }, spec: { replicas: 3 } }),
  { fieldManager: "docs-example", force: true },
);
console.log(
  applied.spec?.replicas,
  applied.spec?.template?.spec?.containers.map((c) => c.name),
);

await deployments.delete("patching");
