/**
 * Type tests across Kubernetes versions: which accessors exist on `Api<T>` follows the
 * subresources each version's spec has. Checked by `tsc` (npm run typecheck); every
 * `@ts-expect-error` fails the build if the line starts compiling.
 */
import { Api, type Client, type HasResize, type HasStatusSubresource, type ResourceDescription } from "@kubex/runtime";
import { Deployment, StatefulSet } from "@kubex/k8s-v1-37/apps/v1";
import { CertificateSigningRequest } from "@kubex/k8s-v1-37/certificates/v1";
import { ConfigMap, Namespace, Node, Pod, ServiceAccount } from "@kubex/k8s-v1-37/core/v1";
import { Pod as Pod31 } from "@kubex/k8s-v1-31/core/v1";
import { Pod as Pod32 } from "@kubex/k8s-v1-32/core/v1";
import { Pod as Pod30, ConfigMap as ConfigMap30 } from "@kubex/k8s-v1-30/core/v1";
import { FlowSchema as FlowSchemaBeta3 } from "@kubex/k8s-v1-30/flowcontrol/v1beta3";
import { ResourceSlice } from "@kubex/k8s-v1-37/resource/v1";
import { PodCertificateRequest } from "@kubex/k8s-v1-37/certificates/v1";
import { Deployment as Deployment36 } from "@kubex/k8s-v1-36/apps/v1";
import { IPAddress as IPAddressBeta36 } from "@kubex/k8s-v1-36/networking/v1beta1";
// @ts-expect-error PodCertificateRequest is new in 1.37's certificates/v1; 1.36's has no such export
import { PodCertificateRequest as PodCertificateRequest36 } from "@kubex/k8s-v1-36/certificates/v1";

declare const client: Client;

// Deployment: status and scale.
const deployments = new Api(Deployment, { client, namespace: "default" });
void deployments.status.get("web");
void deployments.scale.get("web");
// @ts-expect-error Deployment has no /log
void deployments.logs;
// @ts-expect-error Deployment has no /exec
void deployments.exec;
void new Api(StatefulSet, { client }).scale;

// ConfigMap: neither status nor scale.
const configMaps = new Api(ConfigMap, { client });
// @ts-expect-error ConfigMap has no /status
void configMaps.status;
// @ts-expect-error ConfigMap has no /scale
void configMaps.scale;
void configMaps.metadata.list();
// @ts-expect-error ConfigMap has no /status in 1.30 either
void new Api(ConfigMap30, { client }).status;

// Pod: status, logs, exec, attach, portforward, eviction, ephemeralContainers, resize.
const pods = new Api(Pod, { client });
void pods.status;
void pods.logs;
void pods.exec;
void pods.attach;
void pods.portforward;
void pods.eviction;
void pods.ephemeralContainers;
void pods.resize;
// @ts-expect-error Pod has no /scale
void pods.scale;

// resize exists exactly where the spec has pods/{name}/resize (1.32 onwards).
void new Api(Pod32, { client }).resize;
// @ts-expect-error 1.31's Pod has no /resize
void new Api(Pod31, { client }).resize;
// @ts-expect-error 1.30's Pod has no /resize
void new Api(Pod30, { client }).resize;
const pod31IsResizable: Pod31 extends HasResize ? true : false = false;
const podIsResizable: Pod extends HasResize ? true : false = true;
void pod31IsResizable;
void podIsResizable;

// Namespace: status and finalize; ServiceAccount: token; CSR: status and approval.
void new Api(Namespace, { client }).status;
void new Api(Namespace, { client }).finalize;
void new Api(ServiceAccount, { client }).token;
// @ts-expect-error ServiceAccount has no /status
void new Api(ServiceAccount, { client }).status;
void new Api(CertificateSigningRequest, { client }).approval;
void new Api(CertificateSigningRequest, { client }).status;
// @ts-expect-error CertificateSigningRequest has no /finalize
void new Api(CertificateSigningRequest, { client }).finalize;

// Scope is part of the static description, as a literal type.
const namespaceScope: "Cluster" = Namespace.resource.scope;
const nodeScope: "Cluster" = Node.resource.scope;
const podScope: "Namespaced" = Pod.resource.scope;
// @ts-expect-error Node is cluster-scoped
const nodeNamespaced: "Namespaced" = Node.resource.scope;
void [namespaceScope, nodeScope, podScope, nodeNamespaced];
const described: ResourceDescription = Deployment.resource;
void described;

// A kind exists only in the versions whose spec has it:
// flowcontrol v1beta3 was removed in 1.32, resource.k8s.io/v1 ResourceSlice added in 1.34.
void FlowSchemaBeta3;
void ResourceSlice;
// @ts-expect-error flowcontrol/v1beta3 is not in the 1.37 package
import("@kubex/k8s-v1-37/flowcontrol/v1beta3");
// @ts-expect-error resource.k8s.io/v1 is not in the 1.30 package
import("@kubex/k8s-v1-30/resource/v1");

// 1.37, the newest minor: certificates.k8s.io/v1 gains PodCertificateRequest (with /status),
// networking.k8s.io/v1beta1 (IPAddress, ServiceCIDR) goes away; networking/v1 keeps both.
void new Api(PodCertificateRequest, { client }).status;
// 1.37's spec lists `spec` as required on Deployment (and DaemonSet, ReplicaSet, StatefulSet); 1.36's did not.
void new Deployment36({ metadata: { name: "web" } });
// @ts-expect-error Deployment.spec is required in 1.37
void new Deployment({ metadata: { name: "web" } });
void [IPAddressBeta36, PodCertificateRequest36];
// @ts-expect-error networking.k8s.io/v1beta1 is not in the 1.37 package
import("@kubex/k8s-v1-37/networking/v1beta1");

// `new Kind()` fills apiVersion and kind, typed as literals.
const d = new Deployment({ metadata: { name: "web" }, spec: { selector: {}, template: {} } });
const apiVersion: "apps/v1" = d.apiVersion;
const kind: "Deployment" = d.kind;
void [apiVersion, kind];
// @ts-expect-error an object literal cannot pose as a Deployment: the markers are branded
const fake: Deployment = { apiVersion: "apps/v1", kind: "Deployment" };
void fake;
// @ts-expect-error a ConfigMap carries no status marker
const wrong: HasStatusSubresource = new ConfigMap({});
void wrong;
