/**
 * A minimal valid body per creatable kind, keyed `group/Kind` (core: `core/Kind`), valid
 * for every version from 1.30 that serves the kind. `name` is the object's name (some
 * kinds need a name of a given shape); the sweep adds its label.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SampleContext {
  run: string;
  namespace: string;
  nodeName: string;
}

export interface Sample {
  /** The object's name; default `sweep-<run>-<kind>`. */
  name?(ctx: SampleContext): string;
  body(ctx: SampleContext, name: string): Record<string, unknown>;
}

const container = { name: "c", image: "registry.example/app:1" };
const template = (name: string) => ({ metadata: { labels: { app: name } }, spec: { containers: [container] } });
const selector = (name: string) => ({ matchLabels: { app: name } });
const rule = { apiGroups: [""], resources: ["pods"], verbs: ["get"] };
const subject = { kind: "User", name: "sweep-user", apiGroup: "rbac.authorization.k8s.io" };

let csrPem: string | undefined;
/** A PKCS#10 request made by openssl (the harness needs openssl anyway). */
function certificateRequest(): string {
  if (csrPem === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "kubex-sweep-csr-"));
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-new",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:prime256v1",
          "-nodes",
          "-keyout",
          join(dir, "k"),
          "-out",
          join(dir, "r"),
          "-subj",
          "/CN=sweep",
        ],
        { stdio: "ignore" },
      );
      csrPem = Buffer.from(readFileSync(join(dir, "r"))).toString("base64");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return csrPem;
}

export const samples: Record<string, Sample> = {
  "core/ConfigMap": { body: () => ({ data: { a: "1" } }) },
  "core/Secret": { body: () => ({ data: { a: "MQ==" } }) },
  "core/ServiceAccount": { body: () => ({}) },
  "core/Service": { body: () => ({ spec: { ports: [{ port: 80 }] } }) },
  "core/Endpoints": { body: () => ({ subsets: [{ addresses: [{ ip: "192.0.2.10" }], ports: [{ port: 80 }] }] }) },
  "core/Event": {
    body: (c) => ({ involvedObject: { kind: "Pod", name: "x", namespace: c.namespace }, reason: "Sweep", message: "m", type: "Normal" }),
  },
  "core/LimitRange": { body: () => ({ spec: { limits: [{ type: "Container", default: { cpu: "100m" } }] } }) },
  "core/ResourceQuota": { body: () => ({ spec: { hard: { pods: "100" } } }) },
  "core/PodTemplate": { body: (_c, n) => ({ template: template(n) }) },
  "core/ReplicationController": { body: (_c, n) => ({ spec: { replicas: 0, selector: { app: n }, template: template(n) } }) },
  "core/Pod": { body: (c) => ({ spec: { nodeName: c.nodeName, containers: [container] } }) },
  "core/Namespace": { body: () => ({}) },
  "core/Node": { body: () => ({}) },
  "core/PersistentVolume": {
    body: () => ({ spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/tmp/kubex-sweep" } } }),
  },
  "core/PersistentVolumeClaim": { body: () => ({ spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }) },
  "apps/Deployment": { body: (_c, n) => ({ spec: { replicas: 0, selector: selector(n), template: template(n) } }) },
  "apps/ReplicaSet": { body: (_c, n) => ({ spec: { replicas: 0, selector: selector(n), template: template(n) } }) },
  "apps/StatefulSet": { body: (_c, n) => ({ spec: { replicas: 0, serviceName: n, selector: selector(n), template: template(n) } }) },
  "apps/DaemonSet": { body: (_c, n) => ({ spec: { selector: selector(n), template: template(n) } }) },
  "apps/ControllerRevision": { body: () => ({ revision: 1, data: { a: 1 } }) },
  "batch/Job": { body: () => ({ spec: { suspend: true, template: { spec: { restartPolicy: "Never", containers: [container] } } } }) },
  "batch/CronJob": {
    body: () => ({
      spec: {
        schedule: "*/5 * * * *",
        suspend: true,
        jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [container] } } } },
      },
    }),
  },
  "autoscaling/HorizontalPodAutoscaler": {
    body: () => ({ spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "nothing" }, maxReplicas: 2 } }),
  },
  "policy/PodDisruptionBudget": { body: (_c, n) => ({ spec: { minAvailable: 1, selector: selector(n) } }) },
  "networking.k8s.io/Ingress": { body: () => ({ spec: { defaultBackend: { service: { name: "s", port: { number: 80 } } } } }) },
  "networking.k8s.io/IngressClass": { body: () => ({ spec: { controller: "example.com/ingress" } }) },
  "networking.k8s.io/NetworkPolicy": { body: () => ({ spec: { podSelector: {} } }) },
  "networking.k8s.io/IPAddress": {
    name: (c) => `192.0.2.${(parseInt(c.run, 16) % 200) + 20}`,
    body: (c) => ({ spec: { parentRef: { group: "", resource: "services", namespace: c.namespace, name: "nothing" } } }),
  },
  "networking.k8s.io/ServiceCIDR": { body: (c) => ({ spec: { cidrs: [`10.${(parseInt(c.run, 16) % 200) + 20}.0.0/24`] } }) },
  "rbac.authorization.k8s.io/ClusterRole": { body: () => ({ rules: [rule] }) },
  "rbac.authorization.k8s.io/Role": { body: () => ({ rules: [rule] }) },
  "rbac.authorization.k8s.io/ClusterRoleBinding": {
    body: () => ({ roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [subject] }),
  },
  "rbac.authorization.k8s.io/RoleBinding": {
    body: () => ({ roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [subject] }),
  },
  "storage.k8s.io/StorageClass": { body: () => ({ provisioner: "example.com/provisioner" }) },
  "storage.k8s.io/CSIDriver": { body: () => ({ spec: {} }) },
  "storage.k8s.io/CSINode": { body: () => ({ spec: { drivers: [] } }) },
  "storage.k8s.io/CSIStorageCapacity": { body: () => ({ storageClassName: "standard" }) },
  "storage.k8s.io/VolumeAttachment": {
    body: (c) => ({ spec: { attacher: "attacher.example.com", nodeName: c.nodeName, source: { persistentVolumeName: "nothing" } } }),
  },
  "storage.k8s.io/VolumeAttributesClass": { body: () => ({ driverName: "driver.example.com", parameters: { tier: "gold" } }) },
  "scheduling.k8s.io/PriorityClass": { body: () => ({ value: 1000 }) },
  "node.k8s.io/RuntimeClass": { body: () => ({ handler: "runc" }) },
  "coordination.k8s.io/Lease": { body: () => ({ spec: { holderIdentity: "sweep" } }) },
  "discovery.k8s.io/EndpointSlice": {
    body: () => ({ addressType: "IPv4", endpoints: [{ addresses: ["192.0.2.10"] }], ports: [{ port: 80 }] }),
  },
  "events.k8s.io/Event": {
    body: (c) => ({
      eventTime: "2026-01-01T00:00:00.000000Z",
      reportingController: "example.com/sweep",
      reportingInstance: "sweep-1",
      action: "Sweep",
      reason: "Sweep",
      type: "Normal",
      regarding: { kind: "Pod", name: "x", namespace: c.namespace },
    }),
  },
  "admissionregistration.k8s.io/MutatingWebhookConfiguration": { body: () => ({}) },
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration": { body: () => ({}) },
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy": {
    body: () => ({
      spec: {
        matchConstraints: {
          resourceRules: [{ apiGroups: ["kubex-sweep.example.com"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["nothings"] }],
        },
        validations: [{ expression: "true" }],
      },
    }),
  },
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding": {
    body: () => ({ spec: { policyName: "nothing", validationActions: ["Deny"] } }),
  },
  "apiextensions.k8s.io/CustomResourceDefinition": {
    name: (c) => `things.sweep${c.run}.example.com`,
    body: (c) => ({
      spec: {
        group: `sweep${c.run}.example.com`,
        names: { plural: "things", singular: "thing", kind: "Thing", listKind: "ThingList" },
        scope: "Namespaced",
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    }),
  },
  "resource.k8s.io/DeviceClass": { body: () => ({ spec: {} }) },
  "resource.k8s.io/ResourceClaim": { body: () => ({ spec: {} }) },
  "resource.k8s.io/ResourceClaimTemplate": { body: () => ({ spec: { spec: {} } }) },
  "resource.k8s.io/ResourceSlice": {
    body: (c) => ({
      spec: {
        driver: "driver.example.com",
        pool: { name: `pool-${c.run}`, generation: 1, resourceSliceCount: 1 },
        allNodes: true,
        devices: [],
      },
    }),
  },
  "resource.k8s.io/DeviceTaintRule": {
    body: () => ({ spec: { deviceSelector: { driver: "driver.example.com" }, taint: { key: "example.com/taint", effect: "NoSchedule" } } }),
  },
  "storagemigration.k8s.io/StorageVersionMigration": { body: () => ({ spec: { resource: { group: "", resource: "configmaps" } } }) },
  "admissionregistration.k8s.io/MutatingAdmissionPolicy": {
    body: () => ({
      spec: {
        matchConstraints: {
          resourceRules: [{ apiGroups: ["kubex-sweep.example.com"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["nothings"] }],
        },
        mutations: [{ patchType: "ApplyConfiguration", applyConfiguration: { expression: "Object{}" } }],
        reinvocationPolicy: "Never",
      },
    }),
  },
  "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding": { body: () => ({ spec: { policyName: "nothing" } }) },
  "certificates.k8s.io/CertificateSigningRequest": {
    body: () => ({ spec: { request: certificateRequest(), signerName: "example.com/sweep", usages: ["digital signature"] } }),
  },
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration": {
    body: () => ({ spec: { type: "Limited", limited: { nominalConcurrencyShares: 1, limitResponse: { type: "Reject" } } } }),
  },
  "flowcontrol.apiserver.k8s.io/FlowSchema": {
    body: () => ({ spec: { priorityLevelConfiguration: { name: "global-default" }, matchingPrecedence: 9000, rules: [] } }),
  },
};

/** Bodies of the create-only kinds (reviews): created, never stored. */
export const reviews: Record<string, (ctx: SampleContext) => Record<string, unknown>> = {
  "authentication.k8s.io/TokenReview": () => ({ spec: { token: "not-a-real-token" } }),
  "authentication.k8s.io/SelfSubjectReview": () => ({}),
  "authorization.k8s.io/SelfSubjectAccessReview": () => ({ spec: { resourceAttributes: { verb: "get", resource: "pods" } } }),
  "authorization.k8s.io/SelfSubjectRulesReview": (c) => ({ spec: { namespace: c.namespace } }),
  "authorization.k8s.io/SubjectAccessReview": () => ({
    spec: { user: "sweep-user", resourceAttributes: { verb: "get", resource: "pods" } },
  }),
  "authorization.k8s.io/LocalSubjectAccessReview": (c) => ({
    spec: { user: "sweep-user", resourceAttributes: { namespace: c.namespace, verb: "get", resource: "pods" } },
  }),
};
