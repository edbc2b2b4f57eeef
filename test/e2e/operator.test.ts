/**
 * The MyProxy operator (examples/operator/) and the controller runtime against the real
 * kube-apiserver: finalizer added before work and run on deletion, a Deployment edited by
 * hand put back, events with series, and the bad cases (a reconcile that throws, one that
 * hangs past its timeout, a status write that conflicts) converging anyway.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Api,
  Controller,
  createClient,
  EventRecorder,
  ExponentialFailureRateLimiter,
  jsonLogger,
  MergePatch,
  NotFound,
  addFinalizer,
  removeFinalizer,
  type Client,
} from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-36/apps/v1";
import { Event } from "@kubex/k8s-v1-36/events/v1";
import { Pod } from "@kubex/k8s-v1-36/core/v1";
import { FINALIZER, myProxyOperator, PROXY_LABEL } from "../../examples/operator/controller.js";
import { MyProxy } from "../../examples/operator/crd-types/example.com/v1/index.js";
import { installMyProxyCrd } from "../../examples/operator/install.js";
import { createTestNamespace, deleteTestNamespace } from "../cluster/namespaces.js";
import { adminConnection, loadClusterState } from "../cluster/state.js";

let client: Client;
let ns: string;
let proxies: Api<MyProxy>;
let deployments: Api<Deployment>;
const lines: Record<string, unknown>[] = [];
const log = jsonLogger({ debug: true, write: (text) => void lines.push(JSON.parse(text) as Record<string, unknown>) });

/** Polls `probe`; the default bound is generous: informers, the operator and kube-controller-manager share 2 loaded cores in CI. */
async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function proxy(name: string, replicas = 0): MyProxy {
  return new MyProxy({ metadata: { name, namespace: ns }, spec: { name: `${name}-label`, replicas } });
}

beforeAll(async () => {
  client = await createClient();
  await installMyProxyCrd(client);
  ns = await createTestNamespace(adminConnection(loadClusterState()), "operator");
  proxies = new Api(MyProxy, { client, namespace: ns });
  deployments = new Api(Deployment, { client, namespace: ns });
}, 120_000);

afterAll(async () => {
  // Let go of every MyProxy so the namespace can be removed.
  for await (const item of proxies.listAll()) await removeFinalizer(proxies, item, FINALIZER).catch(() => undefined);
  await deleteTestNamespace(adminConnection(loadClusterState()), ns);
  await client.close();
});

// Several waits in a row per test, each bounded by `until`.
describe("the MyProxy operator", { timeout: 400_000 }, () => {
  it("adds its finalizer, creates a controlled Deployment, writes status; reverts a hand edit; runs the finalizer on delete; records events", async () => {
    const events = new EventRecorder({ client, reportingController: "example.com/myproxy-operator", reportingInstance: "e2e" });
    const stop = new AbortController();
    const controller = myProxyOperator({ client, events, log });
    const running = controller.run({ signal: stop.signal });
    try {
      const created = await proxies.create(proxy("web", 0));
      const withStatus = await until("status written", async () => {
        const p = await proxies.get("web");
        return p.status?.observedGeneration === p.metadata?.generation && p.status?.conditions?.length ? p : undefined;
      });
      expect(withStatus.metadata?.finalizers).toEqual([FINALIZER]);
      const ready = withStatus.status!.conditions!.find((c) => c.type === "Ready")!;
      // replicas 0: ready once the Deployment controller has observed it (without one, False).
      expect(["True", "False"]).toContain(ready.status);
      expect(ready.observedGeneration).toBe(created.metadata?.generation);
      const deployment = await deployments.get("web");
      expect(deployment.metadata?.ownerReferences).toEqual([
        {
          apiVersion: "example.com/v1",
          kind: "MyProxy",
          name: "web",
          uid: created.metadata!.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(deployment.spec?.selector?.matchLabels).toEqual({ [PROXY_LABEL]: "web" });
      expect(deployment.spec?.template?.spec?.containers?.[0]?.image).toBe("nginx:1.27");

      // Someone edits the Deployment by hand: the operator puts its fields back.
      await deployments.patch(
        "web",
        new MergePatch({ spec: { replicas: 5, template: { spec: { containers: [{ name: "nginx", image: "httpd" }] } } } }),
        { fieldManager: "kubectl-edit" },
      );
      const reverted = await until("hand edit reverted", async () => {
        const d = await deployments.get("web");
        return d.spec?.replicas === 0 && d.spec.template?.spec?.containers?.[0]?.image === "nginx:1.27" ? d : undefined;
      });
      expect(reverted.metadata!.generation!).toBeGreaterThan(deployment.metadata!.generation!);

      // Deleting the MyProxy: held by the finalizer until the cleanup deleted the Deployment.
      await proxies.delete("web");
      await until("MyProxy gone", async () =>
        proxies.get("web").then(
          () => false,
          (error: unknown) => error instanceof NotFound,
        ),
      );
      await until("Deployment gone", async () =>
        deployments.get("web").then(
          () => false,
          (error: unknown) => error instanceof NotFound,
        ),
      );

      await events.flush();
      const recorded = await until("events", async () => {
        const list = await new Api(Event, { client, namespace: ns }).list({ fieldSelector: `regarding.name=web` });
        const reasons = list.items.map((e) => e.reason).sort();
        return ["CleanedUp", "Created", "Reverted"].every((r) => reasons.includes(r)) ? list.items : undefined;
      });
      const createdEvent = recorded.find((e) => e.reason === "Created")!;
      expect(createdEvent).toMatchObject({
        reportingController: "example.com/myproxy-operator",
        reportingInstance: "e2e",
        action: "CreateDeployment",
        type: "Normal",
      });
      expect(createdEvent.regarding).toMatchObject({ kind: "MyProxy", name: "web", namespace: ns, uid: created.metadata!.uid });
      expect(createdEvent.related).toMatchObject({ kind: "Deployment", name: "web" });
      expect(lines.some((line) => line.msg === "myproxy: finalizer ran" && line.key === `${ns}/web`)).toBe(true);
    } finally {
      stop.abort();
      await running;
      await events.close();
    }
  });

  it("with the scheduler and the Deployment controller: Ready turns True and status.podNames lists the Deployment's pods", async () => {
    const events = new EventRecorder({ client, reportingController: "example.com/myproxy-operator", reportingInstance: "e2e-pods" });
    const stop = new AbortController();
    const running = myProxyOperator({ client, events, log }).run({ signal: stop.signal });
    try {
      await proxies.create(proxy("pods", 2));
      const ready = await until(
        "Ready with 2 pods",
        async () => {
          const p = await proxies.get("pods");
          return p.status?.conditions?.find((c) => c.type === "Ready")?.status === "True" && p.status.podNames?.length === 2
            ? p
            : undefined;
        },
        90_000,
      );
      const pods = (await new Api(Pod, { client, namespace: ns }).list({ labelSelector: `${PROXY_LABEL}=pods` })).items;
      expect(ready.status!.podNames).toEqual(pods.map((pod) => pod.metadata!.name!).sort());
      expect(ready.status!.conditions!.find((c) => c.type === "Ready")).toMatchObject({
        reason: "ReplicasReady",
        message: "2/2 replicas ready",
      });
      // Scale the MyProxy: the pod list follows (pods are mapped to their MyProxy by label).
      await proxies.patch("pods", new MergePatch({ spec: { replicas: 1 } }));
      await until(
        "one pod left in status",
        async () => ((await proxies.get("pods")).status?.podNames?.length === 1 ? true : undefined),
        90_000,
      );
      await proxies.delete("pods");
      await until("MyProxy gone", async () =>
        proxies.get("pods").then(
          () => false,
          (error: unknown) => error instanceof NotFound,
        ),
      );
    } finally {
      stop.abort();
      await running;
      await events.close();
    }
  });

  it("the event recorder turns repeats into one Event with a series (count 2 at once, the rest counted and written on close)", async () => {
    const target = await proxies.create(proxy("noisy"));
    const events = new EventRecorder({ client, reportingController: "example.com/myproxy-operator", reportingInstance: "series" });
    for (let i = 0; i < 5; i += 1) events.record(target, { type: "Warning", reason: "Flapping", action: "Check", note: "again" });
    await events.flush();
    const eventsApi = new Api(Event, { client, namespace: ns });
    const afterTwo = (await eventsApi.list({ fieldSelector: "regarding.name=noisy" })).items.filter((e) => e.reason === "Flapping");
    expect(afterTwo).toHaveLength(1);
    expect(afterTwo[0]!.series?.count).toBe(2);
    await events.close();
    const final = (await eventsApi.list({ fieldSelector: "regarding.name=noisy" })).items.filter((e) => e.reason === "Flapping");
    expect(final).toHaveLength(1);
    expect(final[0]!.series?.count).toBe(5);
    expect(final[0]!.eventTime).toMatch(/\.\d{6}Z$/);
  });

  it("finalizer patches do not clobber another controller's finalizer, and a stale one is refused", async () => {
    const created = await proxies.create(
      new MyProxy({ metadata: { name: "shared", namespace: ns, finalizers: ["other.io/keep"] }, spec: { name: "x", replicas: 0 } }),
    );
    const ours = await addFinalizer(proxies, created, FINALIZER);
    expect(ours.metadata?.finalizers).toEqual(["other.io/keep", FINALIZER]);
    // Another controller adds its finalizer meanwhile; our add from the stale copy must fail, not overwrite it.
    await proxies.patch("shared", new MergePatch({ metadata: { finalizers: ["other.io/keep", FINALIZER, "third.io/late"] } }));
    await expect(addFinalizer(proxies, created, "fourth.io/x")).rejects.toMatchObject({ code: 422 });
    // Removing from a copy where ours sits at another index than on the server: refused too.
    await proxies.patch("shared", new MergePatch({ metadata: { finalizers: [FINALIZER, "other.io/keep", "third.io/late"] } }));
    await expect(removeFinalizer(proxies, ours, FINALIZER)).rejects.toMatchObject({ code: 422 });
    const fresh = await proxies.get("shared");
    const removed = await removeFinalizer(proxies, fresh, FINALIZER);
    expect(removed.metadata?.finalizers).toEqual(["other.io/keep", "third.io/late"]);
    await proxies.patch("shared", new MergePatch({ metadata: { finalizers: null } }));
  });
});

describe("the controller keeps going on bad input", { timeout: 180_000 }, () => {
  it("a reconcile that throws, one that hangs past its timeout, and status writes that conflict: every object converges", async () => {
    const names = ["throws", "hangs", "conflicts", "plain-1", "plain-2"];
    for (const name of names) await proxies.create(proxy(name));
    let throws = 0;
    let hangs = 0;
    let conflicts = 0;
    const stop = new AbortController();
    const controller = new Controller(MyProxy, {
      client,
      namespace: ns,
      // Only "hangs" must outlast it: 5 s, so an ordinary reconcile slowed down by a loaded machine does not time out too.
      reconcileTimeout: 5_000,
      maxConcurrentReconciles: 2,
      rateLimiter: new ExponentialFailureRateLimiter(50, 2_000),
      log,
    }).reconcile(async (p, ctx) => {
      const name = p.metadata!.name!;
      if (name === "throws" && throws < 3) {
        throws += 1;
        throw new Error(`transient failure ${throws}`);
      }
      if (name === "hangs" && hangs < 1) {
        hangs += 1;
        await new Promise(() => undefined); // never settles, ignores its signal
      }
      if (name === "conflicts" && conflicts < 2) {
        conflicts += 1;
        // Someone else writes the object between our read and our status write.
        await proxies.patch(name, new MergePatch({ metadata: { annotations: { bump: String(conflicts) } } }), { signal: ctx.signal });
      }
      if (p.status?.observedGeneration === p.metadata?.generation) return;
      await proxies.status.replace(name, new MyProxy({ ...p, status: { observedGeneration: p.metadata!.generation!, podNames: [] } }), {
        signal: ctx.signal,
      });
    });
    const running = controller.run({ signal: stop.signal });
    try {
      await until(
        "all converged",
        async () => {
          const list = await proxies.list();
          const done = list.items.filter(
            (p) => names.includes(p.metadata!.name!) && p.status?.observedGeneration === p.metadata?.generation,
          );
          return done.length === names.length;
        },
        90_000,
      );
    } finally {
      stop.abort();
      await running;
    }
    expect({ throws, hangs, conflicts }).toEqual({ throws: 3, hangs: 1, conflicts: 2 });
    const messages = lines.map((line) => `${String(line.level)} ${String(line.msg)} ${String(line.key ?? "")}`);
    expect(messages.filter((m) => m.startsWith("error") && m.includes("reconcile failed") && m.endsWith(`${ns}/throws`))).toHaveLength(3);
    expect(messages.filter((m) => m.includes("timed out") && m.endsWith(`${ns}/hangs`))).toHaveLength(1);
    expect(
      messages.filter((m) => m.startsWith("info") && m.includes("conflict") && m.endsWith(`${ns}/conflicts`)).length,
    ).toBeGreaterThanOrEqual(1);
  });
});
