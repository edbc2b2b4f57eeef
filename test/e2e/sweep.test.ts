/**
 * The sweep: the version package matching the running apiserver's minor, against that
 * apiserver (issue 14).
 *   (a) every kind's static `resource` equals discovery (discovery.ts);
 *   (b) every creatable kind with a sample (sweep/samples.ts) round-trips through Api<T>:
 *       create, get, list with a label selector, watch, merge patch, replace, status and
 *       scale where marked, delete; create-only kinds are created without a name; Binding
 *       answers a Status;
 *   (c) every object the server returned, controller-filled ones included (a running Pod
 *       from kwok, Events; with a controller-manager and scheduler: a Deployment with
 *       conditions, a bound PVC, an HPA v2, scheduled Pods), type-checks against its
 *       generated type (typecheck.ts).
 * The summary goes to test/e2e/.sweep/v1_NN/summary.json and the log. Every version:
 * `npm run sweep -- --all` (scripts/sweep.ts).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Api,
  Conflict,
  MergePatch,
  createClient,
  type Client,
  type KubernetesObject,
  type ResourceClass,
  type ResourceDescription,
} from "@kubex/runtime";
import { loadClusterState, type ClusterState } from "../cluster/state.js";
import { startAllApisServer } from "./sweep/all-apis.js";
import { compareDiscovery, type DiscoveryResult } from "./sweep/discovery.js";
import { reviews, samples, type SampleContext } from "./sweep/samples.js";
import { typeCheck, type TypedObject } from "./sweep/typecheck.js";

const root = resolve(import.meta.dirname, "..", "..");

/**
 * Round trips that fail because of what this test server is, each checked by hand with a
 * raw request (kubectl-like: the same verb and body with curl/`kubectl --raw`).
 */
const serverLimitations: Record<string, string> = {};

interface Kind {
  cls: ResourceClass<KubernetesObject>;
  module: string;
  resource: ResourceDescription;
}

let state: ClusterState;
let client: Client;
let minor: string;
let packageName: string;
let kinds: Kind[] = [];
const run = randomBytes(2).toString("hex");
const namespace = `kubex-sweep-${run}`;
const objects: TypedObject[] = [];
const roundTrips: {
  passed: string[];
  failed: Array<{ kind: string; step: string; error: string }>;
  noSample: string[];
  notServed: string[];
} = {
  passed: [],
  failed: [],
  noSample: [],
  notServed: [],
};
let discovery: DiscoveryResult | undefined;
let allApis: (DiscoveryResult & { featureGates: string }) | undefined;
const controllerFilled: string[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

const keyOf = (r: ResourceDescription) => `${r.group === "" ? "core" : r.group}/${r.kind}`;
const gvLabel = (r: ResourceDescription) => `${r.group === "" ? "" : `${r.group}/`}${r.version} ${r.kind}`;

function record(kind: Kind, label: string, json: unknown): void {
  objects.push({
    label: `${label} ${gvLabel(kind.resource)}`,
    module: kind.module,
    type: kind.resource.kind,
    isClass: true,
    json: structuredClone(json),
  });
}
function recordAs(module: string, type: string, label: string, json: unknown): void {
  objects.push({ label, module, type, isClass: false, json: structuredClone(json) });
}

function listPath(r: ResourceDescription, ns: string | undefined): string {
  const base = r.group === "" ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return `${base}${ns !== undefined && r.scope === "Namespaced" ? `/namespaces/${ns}` : ""}/${r.plural}`;
}

beforeAll(async () => {
  state = loadClusterState();
  minor = state.kubernetesVersion.split(".").slice(0, 2).join(".");
  const folder = `v1_${minor.split(".")[1]}`;
  packageName = `@kubex/k8s-v1-${minor.split(".")[1]}`;
  const pkg = JSON.parse(readFileSync(join(root, "generated", folder, "package.json"), "utf8")) as { exports: Record<string, unknown> };
  for (const sub of Object.keys(pkg.exports)
    .filter((k) => k.startsWith("./"))
    .sort()) {
    const module = sub.slice(2);
    const loaded = (await import(/* @vite-ignore */ `${packageName}/${module}`)) as Record<string, unknown>;
    for (const value of Object.values(loaded)) {
      const resource = (value as { resource?: ResourceDescription } | null)?.resource;
      if (typeof value === "function" && resource && typeof resource.plural === "string")
        kinds.push({ cls: value as ResourceClass<KubernetesObject>, module, resource });
    }
  }
  kinds = kinds.sort((a, b) => (gvLabel(a.resource) < gvLabel(b.resource) ? -1 : 1));
  client = await createClient();
  await new Api(kinds.find((k) => k.resource.kind === "Namespace" && k.resource.group === "")!.cls, { client }).create({
    metadata: { name: namespace },
  });
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  if (client === undefined) return;
  const ns = kinds.find((k) => k.resource.kind === "Namespace" && k.resource.group === "");
  if (ns) {
    const namespaces = new Api(ns.cls, { client }) as unknown as Api<KubernetesObject> & {
      finalize?: { replace(n: string, b: unknown): Promise<unknown> };
    };
    await namespaces.delete(namespace).catch(() => undefined);
    await namespaces.finalize?.replace(namespace, { metadata: { name: namespace }, spec: { finalizers: [] } }).catch(() => undefined);
  }
  await client.close();
});

async function firstEvent<T>(
  iterator: AsyncIterator<{ type: string; object?: unknown }>,
  matches: (ev: { type: string; object?: unknown }) => boolean,
  ms: number,
): Promise<{ type: string; object?: unknown }> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no matching watch event within ${ms} ms`);
    const next = await Promise.race([iterator.next(), new Promise<"timeout">((r) => setTimeout(() => r("timeout"), left))]);
    if (next === "timeout") throw new Error(`no matching watch event within ${ms} ms`);
    if (next.done) throw new Error("watch ended before a matching event");
    if (matches(next.value)) return next.value as T & { type: string };
  }
}

/** Runs a read-modify-write again when the object changed in between (a controller wrote it). */
async function retryOnConflict<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof Conflict) || attempt >= 5) throw error;
    }
  }
}

async function roundTrip(kind: Kind): Promise<void> {
  const r = kind.resource;
  const sample = samples[keyOf(r)]!;
  const ctx: SampleContext = { run, namespace, nodeName: state.nodes[0]! };
  const name = sample.name?.(ctx) ?? `sweep-${run}-${r.kind.toLowerCase()}`;
  const ns = r.scope === "Namespaced" ? namespace : undefined;
  const api = new Api(kind.cls, { client, ...(ns !== undefined ? { namespace: ns } : {}) }) as unknown as Api<KubernetesObject> & {
    status?: { get(n: string): Promise<KubernetesObject>; replace(n: string, b: unknown): Promise<KubernetesObject> };
    scale?: { get(n: string): Promise<unknown>; patch(n: string, p: MergePatch): Promise<unknown> };
  };
  const labelSelector = `kubex-sweep=${run}`;
  let step = "create";
  try {
    const body = { ...sample.body(ctx, name), metadata: { name, labels: { "kubex-sweep": run } } };
    const created = await api.create(body as never);
    cleanups.push(() => api.delete(name, { gracePeriodSeconds: 0 }));
    record(kind, "create", created);
    step = "get";
    const got = await api.get(name);
    record(kind, "get", got);
    step = "list with selector";
    const list = await api.list({ labelSelector });
    if (!list.items.some((i) => i.metadata?.name === name)) throw new Error(`list with ${labelSelector} does not have ${name}`);
    const raw = await client.transport.json<unknown>({
      method: "GET",
      path: listPath(r, ns),
      query: new URLSearchParams({ labelSelector }),
    });
    recordAs(kind.module, r.listKind, `raw list ${r.listKind}`, raw);
    step = "watch";
    const watch = api.watch({ resourceVersion: got.metadata!.resourceVersion!, labelSelector, timeoutSeconds: 20 })[Symbol.asyncIterator]();
    const event = firstEvent(
      watch,
      (ev) => ev.type === "MODIFIED" && (ev.object as KubernetesObject | undefined)?.metadata?.name === name,
      20_000,
    );
    step = "merge patch";
    const patched = await api.patch(name, new MergePatch({ metadata: { annotations: { "kubex.example.com/patched": "yes" } } }));
    if (patched.metadata?.annotations?.["kubex.example.com/patched"] !== "yes") throw new Error("the patch did not apply");
    record(kind, "patch", patched);
    step = "watch";
    const seen = await event;
    await watch.return?.(undefined);
    record(kind, "watch MODIFIED", seen.object);
    step = "replace";
    const replaced = await retryOnConflict(async () => {
      const current = await api.get(name);
      return api.replace(name, {
        ...current,
        metadata: { ...current.metadata, annotations: { ...current.metadata?.annotations, "kubex.example.com/replaced": "yes" } },
      } as never);
    });
    if (replaced.metadata?.annotations?.["kubex.example.com/replaced"] !== "yes") throw new Error("the replace did not apply");
    record(kind, "replace", replaced);
    if (r.subresources.includes("status") && api.status) {
      step = "status get/replace";
      const statusApi = api.status;
      record(kind, "status get", await statusApi.get(name));
      // Controllers (when running) write status too: read and write again on a Conflict.
      record(kind, "status replace", await retryOnConflict(async () => statusApi.replace(name, await statusApi.get(name))));
    }
    if (r.subresources.includes("scale") && api.scale) {
      step = "scale get/patch";
      recordAs("autoscaling/v1", "Scale", `scale get ${gvLabel(r)}`, await api.scale.get(name));
      recordAs(
        "autoscaling/v1",
        "Scale",
        `scale patch ${gvLabel(r)}`,
        await api.scale.patch(name, new MergePatch({ spec: { replicas: 0 } })),
      );
    }
    step = "delete";
    const deleted = await api.delete(name, { gracePeriodSeconds: 0 });
    if ((deleted as { kind?: string }).kind === "Status") recordAs("meta/v1", "Status", `delete ${gvLabel(r)}`, deleted);
    else record(kind, "delete", deleted);
    roundTrips.passed.push(gvLabel(r));
  } catch (error) {
    roundTrips.failed.push({ kind: gvLabel(r), step, error: (error as Error).message.slice(0, 300) });
  }
}

describe(`sweep of the version package matching the apiserver`, () => {
  it("(a) every kind's resource equals discovery", async () => {
    discovery = await compareDiscovery(
      client,
      kinds.map((k) => k.resource),
    );
    expect(discovery.compared).toBeGreaterThan(40);
    expect(discovery.mismatches).toEqual([]);
  });

  it("(a) every alpha and beta kind's resource equals discovery of an apiserver with every API on", async () => {
    const server = await startAllApisServer(state, run);
    try {
      const result = await compareDiscovery(
        server.client,
        kinds.map((k) => k.resource),
      );
      allApis = { ...result, featureGates: server.featureGates };
      expect(result.compared).toBeGreaterThan(discovery?.compared ?? 0);
      expect(result.mismatches).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 300_000);

  it("(b) every creatable kind round-trips through Api<T>", async () => {
    const served = new Set(
      (
        discovery ??
        (await compareDiscovery(
          client,
          kinds.map((k) => k.resource),
        ))
      ).notServed,
    );
    for (const kind of kinds) {
      const r = kind.resource;
      const verbs = r.verbs ?? [];
      if (!verbs.includes("create")) continue;
      if (served.has(`${r.group === "" ? r.version : `${r.group}/${r.version}`} ${r.kind}`)) {
        roundTrips.notServed.push(gvLabel(r));
        continue;
      }
      if (reviews[keyOf(r)]) {
        // Create-only: no name, the review comes back with its status.
        try {
          const api = new Api(kind.cls, { client, ...(r.scope === "Namespaced" ? { namespace } : {}) });
          const answer = await api.create(reviews[keyOf(r)]!({ run, namespace, nodeName: state.nodes[0]! }) as never);
          if ((answer as { status?: unknown }).status === undefined) throw new Error("the review came back without a status");
          record(kind, "create (create-only)", answer);
          roundTrips.passed.push(gvLabel(r));
        } catch (error) {
          roundTrips.failed.push({ kind: gvLabel(r), step: "create (create-only)", error: (error as Error).message.slice(0, 300) });
        }
        continue;
      }
      if (keyOf(r) === "core/Binding") {
        try {
          const pods = new Api(kinds.find((k) => keyOf(k.resource) === "core/Pod")!.cls, { client, namespace });
          const pod = `sweep-${run}-bound`;
          // A scheduler name no scheduler has: the Pod waits for this Binding.
          await pods.create({
            metadata: { name: pod },
            spec: { schedulerName: "kubex-sweep-nobody", containers: [{ name: "c", image: "registry.example/app:1" }] },
          } as never);
          const status = await new Api(kind.cls, { client, namespace }).create({
            metadata: { name: pod },
            target: { kind: "Node", name: state.nodes[0]! },
          } as never);
          if ((status as { kind?: string }).kind !== "Status")
            throw new Error(`Binding create answered ${(status as { kind?: string }).kind}, not Status`);
          recordAs("meta/v1", "Status", "create v1 Binding (a Status)", status);
          roundTrips.passed.push(gvLabel(r));
        } catch (error) {
          roundTrips.failed.push({ kind: gvLabel(r), step: "create", error: (error as Error).message.slice(0, 300) });
        }
        continue;
      }
      if (!samples[keyOf(r)]) {
        roundTrips.noSample.push(gvLabel(r));
        continue;
      }
      await roundTrip(kind);
    }
    const unexplained = roundTrips.failed.filter((f) => serverLimitations[f.kind] === undefined);
    expect(unexplained).toEqual([]);
    expect(roundTrips.passed.length).toBeGreaterThan(40);
  }, 600_000);

  it("(c) every object the server returned type-checks against its generated type, controller-filled ones included", async () => {
    const byKey = (key: string) =>
      kinds.find((k) => keyOf(k.resource) === key && (k.resource.version === "v1" || key.startsWith("autoscaling/")))!;
    const pods = new Api(byKey("core/Pod").cls, { client, namespace });
    // A Pod the scheduler places and kwok runs: conditions with lastProbeTime: null, containerStatuses, podIP.
    const running = `sweep-${run}-running`;
    await pods.create({ metadata: { name: running }, spec: { containers: [{ name: "c", image: "registry.example/app:1" }] } } as never);
    let pod: KubernetesObject & { status?: { phase?: string } } = await pods.get(running);
    for (let i = 0; i < 180 && pod.status?.phase !== "Running"; i++) {
      await new Promise((r) => setTimeout(r, 500));
      pod = await pods.get(running);
    }
    expect(pod.status?.phase).toBe("Running");
    record(byKey("core/Pod"), "running (kwok)", pod);
    controllerFilled.push("running Pod (kwok)");
    // Events of the namespace through both APIs (events.k8s.io/v1 shows core Events too).
    const coreEvents = kinds.find((k) => keyOf(k.resource) === "core/Event")!;
    const newEvents = kinds.find((k) => keyOf(k.resource) === "events.k8s.io/Event" && k.resource.version === "v1")!;
    await new Api(coreEvents.cls, { client, namespace }).create({
      metadata: { name: `sweep-${run}-core-event` },
      involvedObject: { kind: "Pod", name: running, namespace },
      reason: "Sweep",
      message: "m",
      type: "Normal",
    } as never);
    for (const events of [coreEvents, newEvents]) {
      const list = await client.transport.json<{ items: unknown[] }>({ method: "GET", path: listPath(events.resource, namespace) });
      recordAs(events.module, events.resource.listKind, `raw list ${gvLabel(events.resource)} (core and events.k8s.io written)`, list);
      for (const item of (await new Api(events.cls, { client, namespace }).list()).items) record(events, "listed", item);
    }
    controllerFilled.push("Events (core/v1 and events.k8s.io/v1)");

    // With a controller-manager and scheduler (the harness adds them): objects they fill in.
    const serviceAccounts = new Api(byKey("core/ServiceAccount").cls, { client, namespace });
    let controllers = false;
    // The harness runs kube-controller-manager: wait for it generously (a slow one must not
    // make the controller-filled checks below silently skip); elsewhere probe for 5 s.
    const harnessControllers = Boolean(state.pids?.kubeControllerManager);
    for (let i = 0; i < (harnessControllers ? 180 : 10) && !controllers; i++) {
      controllers = await serviceAccounts.get("default").then(
        () => true,
        () => false,
      );
      if (!controllers) await new Promise((r) => setTimeout(r, 500));
    }
    if (controllers) await controllerObjects(byKey);
    else if (harnessControllers)
      throw new Error("kube-controller-manager runs but gave the namespace no default ServiceAccount within 90 s");
    else
      controllerFilled.push(
        "(no controller-manager in this cluster: Deployment conditions, bound PVC, HPA v2 and scheduled Pods not checked)",
      );

    const folder = `v1_${minor.split(".")[1]}`;
    const outDir = join(root, "test", "e2e", ".sweep", folder);
    const result = typeCheck(objects, { root, outDir, packageName, kubernetesVersion: state.kubernetesVersion });
    const summary = {
      kubernetesVersion: state.kubernetesVersion,
      package: packageName,
      kinds: kinds.length,
      discovery: discovery && { compared: discovery.compared, notServed: discovery.notServed.length, mismatches: discovery.mismatches },
      allApisDiscovery: allApis && {
        featureGates: allApis.featureGates,
        compared: allApis.compared,
        notServed: allApis.notServed,
        mismatches: allApis.mismatches,
      },
      roundTrips: {
        passed: roundTrips.passed.length,
        failed: roundTrips.failed,
        noSample: roundTrips.noSample,
        notServed: roundTrips.notServed.length,
      },
      serverLimitations,
      controllerFilled,
      typeChecked: result.checked,
      typeMismatches: result.mismatches,
    };
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(
      `sweep ${state.kubernetesVersion}: ${kinds.length} kinds; discovery ${discovery?.compared ?? 0} compared, ${discovery?.mismatches.length ?? "?"} mismatches; all-APIs discovery ${allApis?.compared ?? 0} compared, ${allApis?.mismatches.length ?? "?"} mismatches; round trips ${roundTrips.passed.length} passed, ${roundTrips.failed.length} failed, ${roundTrips.noSample.length} without sample, ${roundTrips.notServed.length} not served; ${result.checked} objects type-checked, ${result.mismatches.length} mismatches (summary: ${join(outDir, "summary.json")})`,
    );
    expect(result.checked).toBeGreaterThan(100);
    expect(result.mismatches).toEqual([]);
  }, 600_000);
});

async function controllerObjects(byKey: (key: string) => Kind): Promise<void> {
  const wait = async <T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, ms = 60_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const deployment = byKey("apps/Deployment");
  const deployments = new Api(deployment.cls, { client, namespace });
  const name = `sweep-${run}-web`;
  await deployments.create({
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "registry.example/app:1" }] } },
    },
  } as never);
  const ready = await wait(
    () => deployments.get(name),
    (d) => ((d as { status?: { availableReplicas?: number; conditions?: unknown[] } }).status?.availableReplicas ?? 0) >= 1,
    "Deployment available",
    90_000,
  );
  record(deployment, "with conditions (controller-manager)", ready);
  for (const kind of [byKey("apps/ReplicaSet"), byKey("core/Pod")]) {
    for (const item of (await new Api(kind.cls, { client, namespace }).list({ labelSelector: `app=${name}` })).items)
      record(kind, "made by controllers, scheduled", item);
  }
  controllerFilled.push("Deployment with conditions, its ReplicaSet and scheduled Pod");

  const pv = byKey("core/PersistentVolume");
  const pvc = byKey("core/PersistentVolumeClaim");
  const volume = `sweep-${run}-pv`;
  await new Api(pv.cls, { client }).create({
    metadata: { name: volume },
    spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/tmp/kubex-sweep" }, storageClassName: "" },
  } as never);
  cleanups.push(() => new Api(pv.cls, { client }).delete(volume));
  const claims = new Api(pvc.cls, { client, namespace });
  await claims.create({
    metadata: { name: `sweep-${run}-claim` },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, storageClassName: "", volumeName: volume },
  } as never);
  record(
    pvc,
    "bound (controller-manager)",
    await wait(
      () => claims.get(`sweep-${run}-claim`),
      (c) => (c as { status?: { phase?: string } }).status?.phase === "Bound",
      "PVC bound",
      90_000, // the persistent-volume controller resyncs every 15 s
    ),
  );
  record(pv, "bound (controller-manager)", await new Api(pv.cls, { client }).get(volume));
  controllerFilled.push("bound PersistentVolumeClaim and PersistentVolume");

  const hpa = kinds.find((k) => keyOf(k.resource) === "autoscaling/HorizontalPodAutoscaler" && k.resource.version === "v2")!;
  const hpas = new Api(hpa.cls, { client, namespace });
  await hpas.create({
    metadata: { name: `sweep-${run}-hpa` },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
      minReplicas: 1,
      maxReplicas: 2,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }],
    },
  } as never);
  record(
    hpa,
    "status from the controller",
    await wait(
      () => hpas.get(`sweep-${run}-hpa`),
      (h) => ((h as { status?: { conditions?: unknown[] } }).status?.conditions?.length ?? 0) > 0,
      "HPA status",
      90_000, // the HPA controller resyncs every 15 s
    ),
  );
  controllerFilled.push("HorizontalPodAutoscaler v2 with status");
  for (const events of [
    kinds.find((k) => keyOf(k.resource) === "core/Event")!,
    kinds.find((k) => keyOf(k.resource) === "events.k8s.io/Event" && k.resource.version === "v1")!,
  ]) {
    for (const item of (await new Api(events.cls, { client, namespace }).list()).items) record(events, "controller-written", item);
  }
  controllerFilled.push("Events written by controllers and scheduler");
}
