import { Api, createClient, createInformer } from "@kubex/runtime";
import { ConfigMap } from "@kubex/k8s-v1-37/core/v1";

await using client = await createClient();
const configMaps = new Api(ConfigMap, { client, namespace: "default" });

// An informer lists, then watches (resuming and relisting as needed), and keeps a local cache.
await using informer = createInformer(configMaps, {
  labelSelector: "app=informer",
  onAdd: (cm) => console.log("added", cm.metadata?.name),
  onUpdate: (_old, cm) => console.log("updated", cm.metadata?.name, cm.data),
  onDelete: (cm) => console.log("deleted", cm.metadata?.name),
});
await informer.waitForSync({ timeout: 30_000 });

await configMaps.create({ metadata: { name: "informed", labels: { app: "informer" } }, data: { n: "1" } });

// Or consume the changes as an async iterator (it starts with the cached objects as ADDED).
for await (const event of informer.events()) {
  if (event.type === "ADDED" && event.object.metadata?.name === "informed") break;
}
console.log(informer.get("informed", "default")?.data); // read from the cache, no request
console.log(informer.byIndex("namespace", "default").length);

// Handlers can be added later too; each returns a function that removes it.
const deleted = new Promise<void>((resolve) => informer.onDelete((cm) => cm.metadata?.name === "informed" && resolve()));
await configMaps.delete("informed");
await deleted;
