import { Api, Conflict, createClient, NotFound } from "@kubex/runtime";
import { ConfigMap } from "@kubex/k8s-v1-37/core/v1";

await using client = await createClient();
const configMaps = new Api(ConfigMap, { client, namespace: "default" });

// create: apiVersion and kind come from the class.
await configMaps.create(new ConfigMap({ metadata: { name: "crud-a", labels: { app: "crud" } }, data: { color: "blue" } }));
await configMaps.create({ metadata: { name: "crud-b", labels: { app: "crud" } }, data: { color: "red" } });

// get and replace (replace sends the resourceVersion it read: a concurrent change is a Conflict).
const a = await configMaps.get("crud-a");
a.data = { ...a.data, size: "large" };
await configMaps.replace("crud-a", a);

// list: one page at a time, with selectors ...
const page = await configMaps.list({ labelSelector: { app: "crud" }, limit: 1 });
console.log(
  page.items.map((item) => item.metadata?.name),
  page.metadata?.continue !== undefined,
);
// ... or every page, fetched as the loop goes.
for await (const item of configMaps.listAll({ labelSelector: "app=crud" })) console.log(item.data?.color);
// namespace: null lists in all namespaces.
const everywhere = await configMaps.list({ namespace: null, limit: 5 });
console.log(everywhere.items.length);

// Errors are classes named after what happened, carrying the server's Status.
try {
  await configMaps.create({ metadata: { name: "crud-a" } });
} catch (error) {
  if (!(error instanceof Conflict)) throw error;
  console.log(error.code, error.reason); // 409 AlreadyExists
}
try {
  await configMaps.get("crud-missing");
} catch (error) {
  if (!(error instanceof NotFound)) throw error;
}

await configMaps.delete("crud-a");
await configMaps.deleteCollection({ labelSelector: "app=crud" });
