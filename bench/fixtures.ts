/**
 * The objects the rows read, created once per cluster with the raw driver (untimed):
 * namespaces of 10, 100 and 500 Pods (no node: they stay Pending), 5,000 and 10,000
 * ConfigMaps (three small keys each), and one ConfigMap whose changes the watch row replays.
 * Existing objects are kept, so a reused cluster only gets what is missing.
 */
import { getJson, sendJson, type RawCluster } from "./raw.js";

export const namespaces = {
  pods10: "kubex-bench-pods-10",
  pods100: "kubex-bench-pods-100",
  pods500: "kubex-bench-pods-500",
  configMaps5000: "kubex-bench-cm-5000",
  configMaps10000: "kubex-bench-cm-10000",
  watch: "kubex-bench-watch",
} as const;

export const watchTarget = "watch-target";

const CONCURRENCY = 8;

function pod(i: number): unknown {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `pod-${String(i).padStart(4, "0")}`, labels: { app: "kubex-bench", tier: "web", index: String(i) } },
    spec: {
      containers: [
        {
          name: "app",
          image: "registry.k8s.io/pause:3.10",
          ports: [{ containerPort: 8080, name: "http" }],
          env: [{ name: "MODE", value: "bench" }],
          resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
        },
      ],
    },
  };
}

function configMap(i: number): unknown {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `cm-${String(i).padStart(5, "0")}`, labels: { app: "kubex-bench" } },
    data: { key: `value-${i}`, mode: "bench", note: "a few small keys" },
  };
}

async function ensureNamespace(raw: RawCluster, name: string): Promise<void> {
  const { status, body } = await sendJson(raw, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  if (status !== 201 && status !== 409) throw new Error(`creating namespace ${name}: HTTP ${status} ${JSON.stringify(body)}`);
}

async function ensureObjects(
  raw: RawCluster,
  namespace: string,
  plural: "pods" | "configmaps",
  count: number,
  make: (i: number) => unknown,
  log: (line: string) => void,
): Promise<void> {
  await ensureNamespace(raw, namespace);
  // Only the fixtures (label app=kubex-bench): kube-controller-manager adds a kube-root-ca.crt ConfigMap to every namespace.
  const existing = await getJson<{ items: unknown[] }>(
    raw,
    `/api/v1/namespaces/${namespace}/${plural}?labelSelector=${encodeURIComponent("app=kubex-bench")}&limit=${count + 1}`,
  );
  if (existing.items.length === count) return;
  if (existing.items.length > count)
    throw new Error(`${namespace} holds ${existing.items.length} ${plural}, expected ${count}: delete the namespace and run again`);
  const started = Date.now();
  let next = 0;
  let created = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const { status, body } = await sendJson(raw, "POST", `/api/v1/namespaces/${namespace}/${plural}`, make(i));
      if (status === 201) created++;
      else if (status !== 409)
        throw new Error(`creating ${plural} ${i} in ${namespace}: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  log(`created ${created} ${plural} in ${namespace} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export async function ensureFixtures(raw: RawCluster, log: (line: string) => void): Promise<void> {
  await ensureObjects(raw, namespaces.pods10, "pods", 10, pod, log);
  await ensureObjects(raw, namespaces.pods100, "pods", 100, pod, log);
  await ensureObjects(raw, namespaces.pods500, "pods", 500, pod, log);
  await ensureObjects(raw, namespaces.configMaps5000, "configmaps", 5000, configMap, log);
  await ensureObjects(raw, namespaces.configMaps10000, "configmaps", 10000, configMap, log);
  await ensureNamespace(raw, namespaces.watch);
  const { status } = await sendJson(raw, "POST", `/api/v1/namespaces/${namespaces.watch}/configmaps`, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: watchTarget },
    data: { counter: "0" },
  });
  if (status !== 201 && status !== 409) throw new Error(`creating ${watchTarget}: HTTP ${status}`);
}

/**
 * Changes the watch target `count` times and returns the resourceVersion before the
 * first change: a watch from there replays exactly `count` MODIFIED events.
 */
export async function causeModifications(raw: RawCluster, count: number): Promise<string> {
  const path = `/api/v1/namespaces/${namespaces.watch}/configmaps/${watchTarget}`;
  const current = await getJson<{ metadata: { resourceVersion: string } }>(raw, path);
  for (let i = 0; i < count; i++) {
    const { status } = await sendJson(raw, "PATCH", path, { data: { counter: `${Date.now()}-${i}` } }, "application/merge-patch+json");
    if (status !== 200) throw new Error(`patching ${watchTarget}: HTTP ${status}`);
  }
  return current.metadata.resourceVersion;
}
