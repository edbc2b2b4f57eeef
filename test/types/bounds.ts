/**
 * Type tests of `Api<T>` in generic code: a function bounded by markers sees exactly the
 * accessors those markers allow (and `metadata`, which every kind has), the accessors
 * keep `T`, and an `Api` of a kind without the marker cannot be passed in. Checked by
 * `tsc` (npm run typecheck); every `@ts-expect-error` fails the build if the line
 * starts compiling.
 */
import {
  Api,
  MergePatch,
  type Client,
  type ExecResult,
  type HasEviction,
  type HasExec,
  type HasLogs,
  type HasScale,
  type HasStatusSubresource,
  type KubernetesObject,
  type PartialObjectMetadata,
  type Scale,
  type Status,
} from "@kubex/runtime";
import { Deployment, StatefulSet } from "@kubex/k8s-v1-37/apps/v1";
import { ConfigMap, Namespace, Pod, Service } from "@kubex/k8s-v1-37/core/v1";
import { Pod as Pod30 } from "@kubex/k8s-v1-30/core/v1";

declare const client: Client;

// ---- status ----
async function readStatus<T extends KubernetesObject & HasStatusSubresource>(api: Api<T>, name: string): Promise<T> {
  const meta: PartialObjectMetadata = await api.metadata.get(name);
  void meta;
  await api.status.patch(name, new MergePatch({ status: {} }));
  // @ts-expect-error a status bound does not promise /scale
  void api.scale;
  // @ts-expect-error nor /log
  void api.logs;
  return api.status.get(name);
}
export async function status(): Promise<void> {
  const d: Deployment = await readStatus(new Api(Deployment, { client }), "web");
  const n: Namespace = await readStatus(new Api(Namespace, { client }), "ns");
  // @ts-expect-error ConfigMap has no /status: the bound rejects its Api
  await readStatus(new Api(ConfigMap, { client }), "cm");
  void [d, n];
}

// ---- scale (two markers at once) ----
async function scaleTo<T extends KubernetesObject & HasScale & HasStatusSubresource>(
  api: Api<T>,
  name: string,
  replicas: number,
): Promise<T> {
  const current: Scale = await api.scale.get(name);
  await api.scale.patch(name, new MergePatch({ spec: { replicas: Math.max(replicas, current.spec?.replicas ?? 0) } }));
  return api.status.get(name);
}
async function scaleOnly<T extends KubernetesObject & HasScale>(api: Api<T>, name: string): Promise<Scale> {
  // @ts-expect-error a scale bound does not promise /status
  void api.status;
  return api.scale.get(name);
}
export async function scale(): Promise<void> {
  const d: Deployment = await scaleTo(new Api(Deployment, { client }), "web", 2);
  const s: StatefulSet = await scaleTo(new Api(StatefulSet, { client }), "db", 2);
  await scaleOnly(new Api(Deployment, { client }), "web");
  // @ts-expect-error Pod has /status but no /scale
  await scaleTo(new Api(Pod, { client }), "p", 1);
  // @ts-expect-error Service has no /scale
  await scaleOnly(new Api(Service, { client }), "svc");
  void [d, s];
}

// ---- logs ----
async function tail<T extends KubernetesObject & HasLogs>(api: Api<T>, name: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of api.logs.stream(name, { follow: false, tailLines: 10 })) lines.push(line);
  lines.push(await api.logs.get(name, { timestamps: true }));
  // @ts-expect-error a logs bound does not promise /exec
  void api.exec;
  return lines;
}
export async function logs(): Promise<void> {
  await tail(new Api(Pod, { client }), "p");
  await tail(new Api(Pod30, { client }), "p");
  // @ts-expect-error Deployment has no /log
  await tail(new Api(Deployment, { client }), "web");
}

// ---- exec ----
async function run<T extends KubernetesObject & HasExec>(api: Api<T>, name: string): Promise<number | null> {
  const result: ExecResult = await api.exec.run(name, { command: ["true"] });
  // @ts-expect-error an exec bound does not promise /eviction
  void api.eviction;
  return result.exitCode;
}
export async function exec(): Promise<void> {
  await run(new Api(Pod, { client }), "p");
  // @ts-expect-error ConfigMap has no /exec
  await run(new Api(ConfigMap, { client }), "cm");
}

// ---- eviction ----
async function evict<T extends KubernetesObject & HasEviction>(api: Api<T>, name: string): Promise<Status> {
  // @ts-expect-error an eviction bound does not promise /log
  void api.logs;
  return api.eviction.create(name);
}
export async function eviction(): Promise<void> {
  await evict(new Api(Pod, { client }), "p");
  // @ts-expect-error Deployment has no /eviction
  await evict(new Api(Deployment, { client }), "web");
}

// ---- no marker: metadata and the verbs only ----
async function labels<T extends KubernetesObject>(api: Api<T>, name: string): Promise<Record<string, string> | undefined> {
  // @ts-expect-error an unbounded T promises no subresource
  void api.status;
  const object: T = await api.get(name);
  void object;
  return (await api.metadata.get(name)).metadata?.labels;
}
export async function unbounded(): Promise<void> {
  await labels(new Api(ConfigMap, { client }), "cm");
  await labels(new Api(Deployment, { client }), "web");
}

// ---- concrete kinds are unchanged ----
const configMaps = new Api(ConfigMap, { client });
// @ts-expect-error ConfigMap has no /status
void configMaps.status;
void configMaps.metadata;
void new Api(Deployment, { client }).scale;
