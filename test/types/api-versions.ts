/**
 * `Api<T>` over the generated packages: accessors follow each version's spec.
 * `pods/{name}/resize` first appears in the 1.32 spec, so it is absent on the 1.30 and 1.31
 * Pods and present from 1.32 on.
 */
import { Api, MergePatch, type Client, type Scale } from "@kubex/runtime";
import { Deployment, StatefulSet } from "@kubex/k8s-v1-37/apps/v1";
import { CertificateSigningRequest } from "@kubex/k8s-v1-37/certificates/v1";
import { ConfigMap, Namespace, Pod, ServiceAccount } from "@kubex/k8s-v1-37/core/v1";
import { Pod as Pod30 } from "@kubex/k8s-v1-30/core/v1";
import { Pod as Pod31 } from "@kubex/k8s-v1-31/core/v1";
import { Pod as Pod32 } from "@kubex/k8s-v1-32/core/v1";
import { Deployment as Deployment30 } from "@kubex/k8s-v1-30/apps/v1";

declare const client: Client;

export async function generatedKinds(): Promise<void> {
  const deployments = new Api(Deployment, { client });
  const d: Deployment = await deployments.status.get("web");
  const s: Scale = await deployments.scale.patch("web", new MergePatch({ spec: { replicas: 2 } }));
  await new Api(StatefulSet, { client }).scale.get("db");
  // @ts-expect-error Deployment has no /eviction
  void deployments.eviction;

  const pods = new Api(Pod, { client });
  await pods.resize.get("p");
  await pods.ephemeralContainers.get("p");
  await pods.eviction.create("p");
  await pods.binding.create("p", { target: { kind: "Node", name: "n" } });
  await pods.status.get("p");
  // @ts-expect-error Pod has no /scale
  void pods.scale;
  // @ts-expect-error Pod has no /finalize
  void pods.finalize;
  // @ts-expect-error Pod has no /token
  void pods.token;

  const configMaps = new Api(ConfigMap, { client });
  await configMaps.metadata.list();
  // @ts-expect-error ConfigMap has no /status
  void configMaps.status;
  // @ts-expect-error ConfigMap has no /scale
  void configMaps.scale;

  await new Api(Namespace, { client }).finalize.replace("ns", { spec: { finalizers: [] } });
  // @ts-expect-error Namespace has no /scale
  void new Api(Namespace, { client }).scale;
  await new Api(ServiceAccount, { client }).token.create("sa", { spec: { audiences: ["x"] } });
  // @ts-expect-error ServiceAccount has no /status
  void new Api(ServiceAccount, { client }).status;
  const csrs = new Api(CertificateSigningRequest, { client });
  await csrs.approval.patch("csr", new MergePatch({ status: { conditions: [] } }));
  // @ts-expect-error CertificateSigningRequest has no /finalize
  void csrs.finalize;

  void [d, s];
}

export async function acrossVersions(): Promise<void> {
  // @ts-expect-error no /resize in 1.30
  void new Api(Pod30, { client }).resize;
  // @ts-expect-error no /resize in 1.31
  void new Api(Pod31, { client }).resize;
  await new Api(Pod32, { client }).resize.get("p");
  await new Api(Pod30, { client }).ephemeralContainers.get("p");
  await new Api(Deployment30, { client }).scale.get("web");
}
