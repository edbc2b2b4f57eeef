/**
 * Type tests of `Api<T>`: each accessor exists exactly where the kind has the marker.
 * Checked by `npx tsc -p tsconfig.json`; every `@ts-expect-error` must be an error.
 */
import { Api, ApplyPatch, JsonPatch, MergePatch, type Client, type PartialObjectMetadata, type Scale, type Status } from "@kubex/runtime";
import { CertificateSigningRequest, ConfigMap, Deployment, Namespace, Pod, ServiceAccount, StatefulSet } from "../fixtures/kinds.js";

declare const client: Client;

const deployments = new Api(Deployment, { client, namespace: "default" });
const configMaps = new Api(ConfigMap, { client });
const pods = new Api(Pod, { client });
const namespaces = new Api(Namespace, { client });
const serviceAccounts = new Api(ServiceAccount, { client });
const csrs = new Api(CertificateSigningRequest, { client });
const statefulSets = new Api(StatefulSet, { client });

export async function verbs(): Promise<void> {
  const d: Deployment = await deployments.get("web", { resourceVersion: "0", signal: AbortSignal.timeout(1000), timeout: 500 });
  const list = await deployments.list({ namespace: null, labelSelector: { app: "web" }, limit: 10, continueToken: "x" });
  const items: Deployment[] = list.items;
  for await (const item of deployments.listAll({ limit: 100 })) {
    const same: Deployment = item;
    void same;
  }
  await deployments.create(new Deployment({ metadata: { name: "web" } }), { dryRun: true, fieldManager: "me", fieldValidation: "Strict" });
  await deployments.create({ metadata: { generateName: "web-" }, spec: { replicas: 1 } });
  await deployments.replace("web", d);
  await deployments.patch("web", new MergePatch({ spec: { replicas: 3 } }));
  await deployments.patch("web", new JsonPatch().replace("/spec/replicas", 3));
  await deployments.patch("web", new ApplyPatch(d), { fieldManager: "me", force: true });
  const deleted: Status | Deployment = await deployments.delete("web", {
    propagationPolicy: "Foreground",
    gracePeriodSeconds: 0,
    preconditions: { uid: "u" },
  });
  await deployments.deleteCollection({ labelSelector: "app=web", dryRun: true });
  void items;
  void deleted;

  // @ts-expect-error namespace: null is for list/watch only
  await deployments.get("web", { namespace: null });
  // @ts-expect-error propagationPolicy is one of three words
  await deployments.delete("web", { propagationPolicy: "Sometimes" });
  // @ts-expect-error a patch must be a Patch class, not a plain object
  await deployments.patch("web", { spec: { replicas: 3 } });
  // @ts-expect-error an unknown field in an object literal
  await deployments.create({ metadata: { name: "x" }, spce: {} });
}

export async function accessors(): Promise<void> {
  // status: Deployment, StatefulSet, Pod, Namespace, CSR; not ConfigMap, ServiceAccount
  const s: Deployment = await deployments.status.get("web");
  await statefulSets.status.patch("db", new MergePatch({ status: { replicas: 1 } }));
  await pods.status.get("p");
  await namespaces.status.get("ns");
  await csrs.status.get("csr");
  // @ts-expect-error ConfigMap has no /status
  void configMaps.status;
  // @ts-expect-error ServiceAccount has no /status
  void serviceAccounts.status;

  // scale: Deployment, StatefulSet only
  const scale: Scale = await deployments.scale.get("web");
  await statefulSets.scale.replace("db", scale);
  // @ts-expect-error Pod has no /scale
  void pods.scale;
  // @ts-expect-error ConfigMap has no /scale
  void configMaps.scale;

  // metadata: every kind
  const m: PartialObjectMetadata = await configMaps.metadata.get("cm");
  await namespaces.metadata.list();
  await serviceAccounts.metadata.patch("sa", new MergePatch({ metadata: { labels: { a: "b" } } }));

  // eviction, ephemeralContainers, binding: Pod only
  const evicted: Status = await pods.eviction.create("p");
  const p: Pod = await pods.ephemeralContainers.get("p");
  await pods.binding.create("p", { target: { kind: "Node", name: "n" } });
  // @ts-expect-error Deployment has no /eviction
  void deployments.eviction;
  // @ts-expect-error Deployment has no /ephemeralcontainers
  void deployments.ephemeralContainers;
  // @ts-expect-error Namespace has no /binding
  void namespaces.binding;
  // @ts-expect-error the fixture Pod (1.32-like) has no /resize
  void pods.resize;

  // token: ServiceAccount only
  const t = await serviceAccounts.token.create("sa", { spec: { audiences: ["api"], expirationSeconds: 600 } });
  const tokenText: string | undefined = t.status?.token;
  // @ts-expect-error Pod has no /token
  void pods.token;

  // approval: CSR only
  const csr: CertificateSigningRequest = await csrs.approval.get("csr");
  // @ts-expect-error Deployment has no /approval
  void deployments.approval;

  // finalize: Namespace only, and only replace
  await namespaces.finalize.replace("ns", { spec: { finalizers: [] } });
  // @ts-expect-error /finalize has no GET
  void namespaces.finalize.get;
  // @ts-expect-error Pod has no /finalize
  void pods.finalize;

  void [s, m, evicted, p, tokenText, csr];
}
