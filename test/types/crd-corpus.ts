/**
 * Type tests of the classes generated from the real-world CRD corpus
 * (test/fixtures/crd-corpus, generated into test/fixtures/crd-corpus-types): markers from
 * each CRD's subresources, enums, required fields, int-or-string and
 * x-kubernetes-preserve-unknown-fields, as the projects' own schemas say them.
 */
import { Api, MergePatch, type Client, type IntOrString } from "@kubex/runtime";
import { Application, type ApplicationSpecSourceHelm } from "../fixtures/crd-corpus-types/argo-cd/argoproj.io/v1alpha1/index.js";
import { Certificate, type CertificateSpec } from "../fixtures/crd-corpus-types/cert-manager/cert-manager.io/v1/index.js";
import { type MachineDeploymentSpecRolloutStrategyRollingUpdate } from "../fixtures/crd-corpus-types/cluster-api/cluster.x-k8s.io/v1beta2/index.js";
import { type CompositionSpecPipelineItemInput } from "../fixtures/crd-corpus-types/crossplane/apiextensions.crossplane.io/v1/index.js";
import {
  HTTPRoute,
  type HTTPRouteSpecRulesItemMatchesItemPath,
} from "../fixtures/crd-corpus-types/gateway-api/gateway.networking.k8s.io/v1/index.js";
import { VirtualService } from "../fixtures/crd-corpus-types/istio/networking.istio.io/v1/index.js";
import { ScaledObject, type ScaledObjectSpec } from "../fixtures/crd-corpus-types/keda/keda.sh/v1alpha1/index.js";
import {
  Record as Route53Record,
  type RecordSpec,
} from "../fixtures/crd-corpus-types/provider-upjet-aws/route53.aws.upbound.io/v1beta1/index.js";

declare const client: Client;

export async function markers(): Promise<void> {
  // cert-manager's Certificate, istio's VirtualService, keda's ScaledObject declare /status.
  await new Api(Certificate, { client, namespace: "default" }).status.get("web-tls");
  await new Api(VirtualService, { client, namespace: "default" }).status.patch(
    "reviews",
    new MergePatch({ status: { observedGeneration: 2 } }),
  );
  await new Api(ScaledObject, { client, namespace: "default" }).status.get("worker");
  await new Api(HTTPRoute, { client, namespace: "default" }).status.get("route");
  // @ts-expect-error argo-cd's Application CRD declares no subresources: no /status
  void new Api(Application, { client, namespace: "argocd" }).status;
  // @ts-expect-error no CRD in cert-manager declares /scale
  void new Api(Certificate, { client, namespace: "default" }).scale;
  // crossplane's AWS provider calls its route53 kind Record; it is cluster-scoped with /status.
  await new Api(Route53Record, { client }).status.get("www");
}

export function requiredAndEnums(): void {
  const spec: CertificateSpec = {
    secretName: "web-tls",
    issuerRef: { name: "letsencrypt", kind: "ClusterIssuer" },
    dnsNames: ["example.com"],
    privateKey: { algorithm: "ECDSA", size: 256 },
  };
  // @ts-expect-error secretName is required in a Certificate's spec
  const noSecret: CertificateSpec = { issuerRef: { name: "letsencrypt" } };
  // @ts-expect-error the issuerRef needs a name
  const noIssuerName: CertificateSpec = { secretName: "s", issuerRef: { kind: "Issuer" } };
  // @ts-expect-error privateKey.algorithm is RSA, ECDSA or Ed25519
  const badAlgorithm: CertificateSpec = { secretName: "s", issuerRef: { name: "i" }, privateKey: { algorithm: "DSA" } };
  const path: HTTPRouteSpecRulesItemMatchesItemPath = { type: "PathPrefix", value: "/api" };
  // @ts-expect-error a path match type is Exact, PathPrefix or RegularExpression
  const badPath: HTTPRouteSpecRulesItemMatchesItemPath = { type: "Prefix" };
  const scaled: ScaledObjectSpec = { scaleTargetRef: { name: "worker" }, triggers: [{ type: "cpu", metadata: { value: "60" } }] };
  // @ts-expect-error a ScaledObject needs triggers
  const noTriggers: ScaledObjectSpec = { scaleTargetRef: { name: "worker" } };
  const record: RecordSpec = { forProvider: { name: "www", type: "CNAME", ttl: 300, records: ["example.com"], zoneId: "Z123" } };
  void [spec, noSecret, noIssuerName, badAlgorithm, path, badPath, scaled, noTriggers, record];
  new Certificate({ metadata: { name: "web-tls" }, spec });
}

export function intOrStringAndUnknownFields(): void {
  // cluster-api's rolling update bounds are int-or-string.
  const rolling: MachineDeploymentSpecRolloutStrategyRollingUpdate = { maxSurge: 1, maxUnavailable: "25%" };
  const surge: IntOrString | undefined = rolling.maxSurge;
  // @ts-expect-error int-or-string is not a boolean
  const badSurge: MachineDeploymentSpecRolloutStrategyRollingUpdate = { maxSurge: true };
  // argo-cd's helm valuesObject keeps unknown fields: any object.
  const helm: ApplicationSpecSourceHelm = { releaseName: "web", valuesObject: { replicaCount: 2, image: { tag: "1.2.3" } } };
  // @ts-expect-error valuesObject is an object, not a string of YAML (that is `values`)
  const badHelm: ApplicationSpecSourceHelm = { valuesObject: "replicaCount: 2" };
  // crossplane's function input is an embedded resource that keeps unknown fields.
  const input: CompositionSpecPipelineItemInput = { apiVersion: "pt.fn.crossplane.io/v1beta1", kind: "Resources", resources: [] };
  // @ts-expect-error an embedded resource needs apiVersion and kind
  const badInput: CompositionSpecPipelineItemInput = { resources: [] };
  void [rolling, surge, badSurge, helm, badHelm, input, badInput];
}
