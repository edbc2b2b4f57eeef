/** @kubernetes/client-node: CoreV1Api, Watch and makeInformer, as its README shows them. */
import { CoreV1Api, KubeConfig, makeInformer, Watch, type V1ConfigMap } from "@kubernetes/client-node";
import type { Column } from "./column.js";

export async function createClientNodeColumn(kubeconfig: string): Promise<Column> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const watcher = new Watch(kc);

  /** Resolves when `stopWhen` says so (aborting the watch), rejects if the watch ends first. */
  const watchUntil = (path: string, query: Record<string, string>, stopWhen: (phase: string) => boolean): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      let finished = false;
      let controller: AbortController | undefined;
      let stopRequested = false;
      watcher
        .watch(
          path,
          query,
          (phase) => {
            if (finished || !stopWhen(phase)) return;
            finished = true;
            stopRequested = true;
            controller?.abort();
            resolve();
          },
          (error: unknown) => {
            if (finished) return;
            finished = true;
            reject(error ?? new Error("watch ended early"));
          },
        )
        .then((c) => {
          controller = c;
          if (stopRequested) c.abort();
        }, reject);
    });

  return {
    getPod: (namespace, name) => core.readNamespacedPod({ name, namespace }),
    listPods: (namespace) => core.listNamespacedPod({ namespace }),
    listConfigMaps: (namespace) => core.listNamespacedConfigMap({ namespace }),
    async watchModified(namespace, name, resourceVersion, count) {
      let seen = 0;
      await watchUntil(
        `/api/v1/namespaces/${namespace}/configmaps`,
        { resourceVersion, fieldSelector: `metadata.name=${name}` },
        (phase) => phase === "MODIFIED" && ++seen >= count,
      );
    },
    async watchEvents(namespace, count) {
      let seen = 0;
      await watchUntil(`/api/v1/namespaces/${namespace}/configmaps`, {}, () => ++seen >= count);
    },
    async informer(namespace, count) {
      const informer = makeInformer<V1ConfigMap>(kc, `/api/v1/namespaces/${namespace}/configmaps`, () =>
        core.listNamespacedConfigMap({ namespace }),
      );
      await informer.start();
      if (informer.list().length < count) throw new Error(`informer synced with ${informer.list().length} of ${count}`);
      return { size: () => informer.list().length, stop: () => informer.stop() };
    },
    close: async () => undefined,
  };
}
