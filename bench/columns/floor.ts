/** The floor: raw undici + JSON.parse (see ../raw.ts). */
import { connectRaw, getJson, watchRaw } from "../raw.js";
import type { Column, ListResult } from "./column.js";

interface RawList {
  metadata: { continue?: string; resourceVersion: string };
  items: { metadata: { namespace: string; name: string } }[];
}

export async function createFloorColumn(kubeconfig: string): Promise<Column> {
  const raw = connectRaw(kubeconfig);
  return {
    getPod: (namespace, name) => getJson(raw, `/api/v1/namespaces/${namespace}/pods/${name}`),
    listPods: (namespace) => getJson<ListResult>(raw, `/api/v1/namespaces/${namespace}/pods`),
    listConfigMaps: (namespace) => getJson<ListResult>(raw, `/api/v1/namespaces/${namespace}/configmaps`),
    async watchModified(namespace, name, resourceVersion, count) {
      let seen = 0;
      const query = `watch=true&resourceVersion=${resourceVersion}&fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`;
      await watchRaw(raw, `/api/v1/namespaces/${namespace}/configmaps?${query}`, (event) => event.type === "MODIFIED" && ++seen >= count);
      if (seen < count) throw new Error(`watch ended after ${seen} of ${count} MODIFIED events`);
    },
    async watchEvents(namespace, count) {
      let seen = 0;
      await watchRaw(raw, `/api/v1/namespaces/${namespace}/configmaps?watch=true`, () => ++seen >= count);
      if (seen < count) throw new Error(`watch ended after ${seen} of ${count} events`);
    },
    async informer(namespace, count) {
      // The least an informer does: list in pages of 500 (as ours does) into a map, then watch.
      const cache = new Map<string, unknown>();
      let continueToken: string | undefined;
      let resourceVersion: string;
      do {
        const query = `limit=500${continueToken !== undefined ? `&continue=${encodeURIComponent(continueToken)}` : ""}`;
        const page = await getJson<RawList>(raw, `/api/v1/namespaces/${namespace}/configmaps?${query}`);
        for (const item of page.items) cache.set(`${item.metadata.namespace}/${item.metadata.name}`, item);
        continueToken = page.metadata.continue || undefined;
        resourceVersion = page.metadata.resourceVersion;
      } while (continueToken !== undefined);
      if (cache.size < count) throw new Error(`listed ${cache.size} of ${count}`);
      const controller = new AbortController();
      const watching = raw.agent
        .request({
          origin: raw.origin,
          path: `/api/v1/namespaces/${namespace}/configmaps?watch=true&resourceVersion=${resourceVersion}`,
          method: "GET",
          signal: controller.signal,
          bodyTimeout: 0,
        })
        .then((response) => response.body.resume())
        .catch(() => undefined);
      return {
        size: () => cache.size,
        async stop() {
          controller.abort();
          await watching;
        },
      };
    },
    close: () => raw.close(),
  };
}
