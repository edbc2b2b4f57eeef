// The MyProxy operator: each MyProxy gets an nginx Deployment it controls; the status
// lists the Deployment's pods and says Ready; a finalizer cleans up on deletion; events
// say what was done.
import {
  ApplyPatch,
  Api,
  Controller,
  NotFound,
  setCondition,
  setControllerReference,
  withFinalizer,
  type Client,
  type Condition,
  type ControllerLogger,
  type EventRecorder,
  type ReconcileContext,
} from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-36/apps/v1";
import { Pod } from "@kubex/k8s-v1-36/core/v1";
// Written by: npx kubex-gen crd myproxy-crd.yaml --out crd-types
import { MyProxy } from "./crd-types/example.com/v1/index.js";

export const FINALIZER = "example.com/myproxy-cleanup";
export const FIELD_MANAGER = "myproxy-operator";
/** On the Deployment and its pods: the name of their MyProxy. */
export const PROXY_LABEL = "example.com/proxy";

export interface MyProxyOperatorOptions {
  client: Client;
  events: EventRecorder;
  log?: ControllerLogger;
  maxConcurrentReconciles?: number;
}

/** The Deployment a MyProxy asks for, controlled by it. */
function desiredDeployment(proxy: MyProxy): Deployment {
  const name = proxy.metadata!.name!;
  const labels = { [PROXY_LABEL]: name, app: proxy.spec!.name };
  const deployment = new Deployment({
    metadata: { name, namespace: proxy.metadata!.namespace!, labels },
    spec: {
      replicas: proxy.spec!.replicas ?? 2,
      selector: { matchLabels: { [PROXY_LABEL]: name } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "nginx", image: proxy.spec!.image ?? "nginx:1.27", ports: [{ containerPort: 80 }] }] },
      },
    },
  });
  return setControllerReference(proxy, deployment);
}

/** Whether the fields we own differ from what we want (someone edited the Deployment). */
function drifted(actual: Deployment, desired: Deployment): boolean {
  const have = actual.spec?.template?.spec?.containers?.[0];
  const want = desired.spec!.template.spec!.containers[0]!;
  return (
    actual.spec?.replicas !== desired.spec!.replicas ||
    have?.image !== want.image ||
    have?.name !== want.name ||
    actual.metadata?.labels?.[PROXY_LABEL] !== desired.metadata!.labels![PROXY_LABEL]
  );
}

export function myProxyOperator(options: MyProxyOperatorOptions): Controller<MyProxy> {
  const { client, events } = options;
  const proxies = new Api(MyProxy, { client, namespace: null });
  const deployments = new Api(Deployment, { client, namespace: null });

  const controller = new Controller(MyProxy, {
    client,
    namespace: null,
    maxConcurrentReconciles: options.maxConcurrentReconciles ?? 4,
    ...(options.log ? { log: options.log } : {}),
  })
    .owns(Deployment)
    // Pods belong to ReplicaSets, not to us: map them to their MyProxy through our label.
    .watches(
      Pod,
      (pod) => [{ name: pod.metadata?.labels?.[PROXY_LABEL] ?? "", namespace: pod.metadata?.namespace }].filter((key) => key.name !== ""),
      { labelSelector: PROXY_LABEL },
    )
    .reconcile((proxy, ctx) =>
      withFinalizer(
        proxies,
        proxy,
        FINALIZER,
        { apply: (current) => ensure(current, ctx), cleanup: (current) => cleanup(current, ctx) },
        { signal: ctx.signal },
      ),
    );

  async function ensure(proxy: MyProxy, ctx: ReconcileContext): Promise<void> {
    const { name, namespace } = { name: proxy.metadata!.name!, namespace: proxy.metadata!.namespace! };
    const desired = desiredDeployment(proxy);
    // The cache may not have seen a Deployment we applied a moment ago: ask before creating.
    let deployment =
      controller.cache(Deployment).get(name, namespace) ??
      (await deployments
        .get(name, { namespace, signal: ctx.signal })
        .catch((error: unknown) => (error instanceof NotFound ? undefined : Promise.reject(error))));
    if (deployment === undefined || drifted(deployment, desired)) {
      // Drift although this spec was already reconciled: someone edited the Deployment.
      const what =
        deployment === undefined ? "Created" : proxy.status?.observedGeneration === proxy.metadata?.generation ? "Reverted" : "Updated";
      // Server-side apply with force: the fields we manage go back to what we want.
      deployment = await deployments.patch(name, new ApplyPatch(desired), {
        namespace,
        fieldManager: FIELD_MANAGER,
        force: true,
        signal: ctx.signal,
      });
      const notes = {
        Created: `created Deployment ${name}`,
        Updated: `updated Deployment ${name} to the new spec`,
        Reverted: `Deployment ${name} was changed by hand; put it back`,
      };
      events.record(proxy, {
        type: "Normal",
        reason: what,
        action: what === "Created" ? "CreateDeployment" : "UpdateDeployment",
        note: notes[what],
        related: deployment,
      });
    }

    const podNames = controller
      .cache(Pod)
      .byLabel(PROXY_LABEL, name)
      .filter((pod) => pod.metadata?.namespace === namespace && pod.metadata?.deletionTimestamp === undefined)
      .map((pod) => pod.metadata!.name!)
      .sort();
    const want = desired.spec!.replicas!;
    const current = (deployment.status?.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 1);
    const ready = current ? (deployment.status?.readyReplicas ?? 0) : 0;
    const generation = proxy.metadata?.generation;
    const conditions: Condition[] = structuredClone(proxy.status?.conditions ?? []);
    const changed = setCondition(conditions, {
      type: "Ready",
      status: current && ready >= want ? "True" : "False",
      reason: current && ready >= want ? "ReplicasReady" : "ReplicasNotReady",
      message: `${ready}/${want} replicas ready`,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    });
    const samePods = JSON.stringify(podNames) === JSON.stringify(proxy.status?.podNames ?? []);
    if (changed || !samePods || proxy.status?.observedGeneration !== generation) {
      // replace carries the resourceVersion we read: a stale write is a Conflict, and the controller retries.
      const status = { podNames, conditions, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
      await proxies.status.replace(name, new MyProxy({ ...proxy, status }), { namespace, signal: ctx.signal });
    }
  }

  async function cleanup(proxy: MyProxy, ctx: ReconcileContext): Promise<void> {
    const { name, namespace } = { name: proxy.metadata!.name!, namespace: proxy.metadata!.namespace! };
    try {
      await deployments.delete(name, { namespace, propagationPolicy: "Background", signal: ctx.signal });
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
    }
    events.record(proxy, { type: "Normal", reason: "CleanedUp", action: "DeleteDeployment", note: `deleted Deployment ${name}` });
    ctx.log.info("myproxy: finalizer ran", { key: ctx.key });
  }

  return controller;
}
