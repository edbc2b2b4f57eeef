import { Api, createClient } from "@kubex/runtime";
import { ConfigMap } from "@kubex/k8s-v1-37/core/v1";

await using client = await createClient();
const configMaps = new Api(ConfigMap, { client, namespace: "default" });

// A plain watch from "now": typed events until the server ends the connection or the signal aborts.
const list = await configMaps.list({ labelSelector: "app=watch" });
const abort = new AbortController();
const watching = (async () => {
  try {
    for await (const event of configMaps.watch({
      labelSelector: "app=watch",
      resourceVersion: list.metadata?.resourceVersion,
      signal: abort.signal,
    })) {
      if (event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED") {
        console.log(event.type, event.object.metadata?.name, event.object.data);
        if (event.type === "DELETED") abort.abort();
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  }
})();

await configMaps.create({ metadata: { name: "watch-me", labels: { app: "watch" } }, data: { step: "1" } });
await configMaps.replace("watch-me", { metadata: { name: "watch-me", labels: { app: "watch" } }, data: { step: "2" } });
await configMaps.delete("watch-me");
await watching;

// resume: true keeps watching across disconnects and 410 Gone. It starts with a RELIST event
// (the full current state) and relists again whenever its position expires.
for await (const event of configMaps.watch({ resume: true, labelSelector: "app=watch" })) {
  if (event.type === "RELIST") console.log(`${event.items.length} objects at ${event.resourceVersion}`);
  break; // leaving the loop closes the connection
}
