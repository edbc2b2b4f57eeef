/** This runtime with the generated 1.36 models. */
import { Api, createClient, createInformer } from "@kubex/runtime";
import { ConfigMap, Pod } from "@kubex/k8s-v1-36/core/v1";
import type { Column } from "./column.js";

export async function createKubexColumn(kubeconfig: string): Promise<Column> {
  const client = await createClient({ kubeconfig, retry: false });
  const pods = (namespace: string) => new Api(Pod, { client, namespace });
  const configMaps = (namespace: string) => new Api(ConfigMap, { client, namespace });
  return {
    getPod: (namespace, name) => pods(namespace).get(name),
    listPods: (namespace) => pods(namespace).list(),
    listConfigMaps: (namespace) => configMaps(namespace).list(),
    async watchModified(namespace, name, resourceVersion, count) {
      let seen = 0;
      for await (const event of configMaps(namespace).watch({ resourceVersion, fieldSelector: `metadata.name=${name}` })) {
        if (event.type === "MODIFIED" && ++seen >= count) return;
      }
      throw new Error(`watch ended after ${seen} of ${count} MODIFIED events`);
    },
    async watchEvents(namespace, count) {
      let seen = 0;
      for await (const _event of configMaps(namespace).watch()) {
        if (++seen >= count) return;
      }
      throw new Error(`watch ended after ${seen} of ${count} events`);
    },
    async informer(namespace, count) {
      const informer = createInformer(configMaps(namespace));
      await informer.waitForSync({ timeout: 120_000 });
      if (informer.store.size < count) throw new Error(`informer synced with ${informer.store.size} of ${count}`);
      return { size: () => informer.store.size, stop: () => informer.stop() };
    },
    close: () => client.close(),
  };
}
