/**
 * The informer across real failures, on a private cluster (so the shared one is never
 * killed): kube-apiserver killed and restarted mid-watch with changes and an etcd
 * compaction while the informer is cut off; etcd killed and restarted; and a soak of
 * 10,000 changes to 1,000 ConfigMaps while a proxy cuts the informer's connections at
 * random. Each ends with the cache equal to a fresh list, and every object's handler
 * history in order.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Api, Gone, MergePatch, createClient, createInformer, loadClusterConfig, type Client, type Informer } from "@kubex/runtime";
import { ConfigMap, Namespace } from "@kubex/k8s-v1-36/core/v1";
import { startCluster, type RunningCluster } from "../cluster/cluster.js";
import { compactEtcd, CuttableProxy, killComponent, restartComponent } from "../cluster/faults.js";
import { stopPid } from "../cluster/processes.js";

let cluster: RunningCluster;
let admin: Client;
let proxied: Client;
let proxy: CuttableProxy;
const restartedPids: number[] = [];

beforeAll(async () => {
  cluster = await startCluster({ log: () => undefined });
  admin = await createClient({ kubeconfig: cluster.state.kubeconfig, retry: false });
  proxy = new CuttableProxy(cluster.state.ports.apiserver);
  const server = await proxy.start();
  const config = await loadClusterConfig({ kubeconfig: cluster.state.kubeconfig });
  proxied = await createClient({ config: { ...config, server }, retry: false });
}, 300_000);

afterAll(async () => {
  await proxied?.close();
  await admin?.close();
  await proxy?.close();
  for (const pid of restartedPids) await stopPid(pid);
  await cluster?.stop();
}, 120_000);

beforeEach(() => {
  proxy.refusing = false;
});

/** ConfigMaps the test made (every namespace also holds kube-root-ca.crt, from kube-controller-manager). */
const ours = (state: Map<string, number>) => [...state.keys()].filter((name) => name.startsWith("cm-")).length;

async function namespace(name: string): Promise<Api<ConfigMap>> {
  await new Api(Namespace, { client: admin }).create({ metadata: { name } });
  return new Api(ConfigMap, { client: admin, namespace: name });
}

/** Follows one informer's handler calls per object and checks their order. */
function recorder(informer: Informer<ConfigMap>) {
  const last = new Map<string, { rv: number; deleted: boolean }>();
  const violations: string[] = [];
  const seen = (o: ConfigMap, deleted: boolean) => {
    const key = o.metadata!.name!;
    const rv = Number(o.metadata!.resourceVersion);
    const previous = last.get(key);
    if (previous !== undefined && !previous.deleted && rv < previous.rv) violations.push(`${key}: ${previous.rv} then ${rv}`);
    if (previous !== undefined && !deleted && !previous.deleted && rv === previous.rv) violations.push(`${key}: ${rv} delivered twice`);
    last.set(key, { rv, deleted });
  };
  informer.onAdd((o) => seen(o, false));
  informer.onUpdate((_old, o, info) => !info.resync && seen(o, false));
  informer.onDelete((o) => seen(o, true));
  const live = () => new Map([...last].filter(([, v]) => !v.deleted).map(([k, v]) => [k, v.rv]));
  return { violations, live };
}

async function serverState(api: Api<ConfigMap>): Promise<Map<string, number>> {
  const state = new Map<string, number>();
  for await (const item of api.listAll({ limit: 500 })) state.set(item.metadata!.name!, Number(item.metadata!.resourceVersion));
  return state;
}

function cacheState(informer: Informer<ConfigMap>): Map<string, number> {
  return new Map(informer.list().map((o) => [o.metadata!.name!, Number(o.metadata!.resourceVersion)]));
}

async function converge(informer: Informer<ConfigMap>, api: Api<ConfigMap>, ms: number): Promise<Map<string, number>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const expected = await serverState(api);
    const cached = cacheState(informer);
    if (cached.size === expected.size && [...expected].every(([k, v]) => cached.get(k) === v)) return expected;
    if (Date.now() > deadline) {
      expect(Object.fromEntries(cached)).toEqual(Object.fromEntries(expected));
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const pacing = { initialDelay: 200, maxDelay: 2000, burst: 10, restartsPerSecond: 5 };

/** This process's established TCP connections to `port` on loopback (its socket inodes matched in /proc/net/tcp*). */
function tcpConnectionsTo(port: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined) inodes.add(inode);
    } catch {
      // the descriptor closed while we looked
    }
  }
  let count = 0;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const remotePort = Number.parseInt(fields[2]!.split(":")[1]!, 16);
      const established = fields[3] === "01";
      if (established && remotePort === port && inodes.has(fields[9]!)) count++;
    }
  }
  return count;
}

// Timeouts are generous: each test restarts a component of a private cluster on a machine
// that is also running the shared cluster; every wait inside is bounded on its own.
describe("informer across failures (private cluster)", () => {
  it("kube-apiserver killed and restarted mid-watch, changes and an etcd compaction while cut off: cache equals a fresh list, every change arrives in order", async () => {
    const api = await namespace("restart-apiserver");
    for (let i = 0; i < 30; i++) await api.create({ metadata: { name: `cm-${i}` }, data: { v: "0" } });
    const errors: string[] = [];
    await using informer = createInformer(new Api(ConfigMap, { client: proxied, namespace: "restart-apiserver" }), {
      resume: pacing,
      onError: (e) => errors.push((e as Error).name),
    });
    const history = recorder(informer);
    await informer.waitForSync({ timeout: 60_000 });
    const before = informer.resourceVersion!;
    // A write the informer does not watch moves etcd past `before`, so the restarted apiserver
    // fills its ConfigMap watch cache at a later revision and `before` is outside its window.
    await new Api(ConfigMap, { client: admin, namespace: "default" }).create({ metadata: { generateName: "unwatched-" } });

    proxy.refusing = true;
    proxy.cut();
    const killed = await killComponent(cluster.state, "kubeApiserver");
    restartedPids.push(await restartComponent(cluster.state, killed));
    // The informer is still cut off: change things, then make the server forget the history.
    for (let i = 0; i < 10; i++) await api.patch(`cm-${i}`, new MergePatch({ data: { v: "1" } }));
    for (let i = 10; i < 15; i++) await api.delete(`cm-${i}`);
    for (let i = 30; i < 35; i++) await api.create({ metadata: { name: `cm-${i}` }, data: { v: "new" } });
    const latest = (await api.list()).metadata.resourceVersion!;
    await compactEtcd(cluster.state, latest);
    // etcd no longer has the history...
    const range = await fetch(`http://127.0.0.1:${cluster.state.ports.etcd}/v3/kv/range`, {
      method: "POST",
      body: JSON.stringify({ key: Buffer.from("/registry/configmaps/restart-apiserver/cm-0").toString("base64"), revision: before }),
    });
    expect(await range.text()).toMatch(/compacted/);
    // ...and the restarted apiserver's watch cache starts after `before`: a plain watch from it is
    // Gone; a resuming one reports Gone and relists the current state.
    const outcome = await api
      .watch({ resourceVersion: before })
      .next()
      .then(
        () => "events",
        (error: unknown) => error,
      );
    expect(outcome).toBeInstanceOf(Gone);
    const seen: string[] = [];
    let relisted: string[] = [];
    for await (const event of api.watch({ resourceVersion: before, resume: { initialDelay: 10 } })) {
      seen.push(event.type === "ERROR" ? `ERROR:${event.error.name}` : event.type);
      if (event.type === "RELIST") {
        relisted = event.items.map((item) => item.metadata!.name!).sort();
        break;
      }
    }
    expect(seen).toEqual(["ERROR:Gone", "RELIST"]);
    expect(relisted).toEqual([...(await serverState(api)).keys()].sort());
    proxy.refusing = false;

    const expected = await converge(informer, api, 90_000);
    expect(ours(expected)).toBe(30);
    expect(Object.fromEntries(history.live())).toEqual(Object.fromEntries(expected));
    expect(history.violations).toEqual([]);
    expect(errors.length).toBeGreaterThan(0); // the outage was seen, not hidden
  }, 300_000);

  it("30 informers on one client hold at most 2 TCP connections (HTTP/2), and all of them recover from a kube-apiserver restart", async () => {
    const api = await namespace("many-informers");
    for (let i = 0; i < 30; i++) await api.create({ metadata: { name: `cm-${i}`, labels: { informer: String(i) } }, data: { v: "0" } });
    const port = cluster.state.ports.apiserver;
    // Connections of this process's other clients (admin, idle by now) are not this client's.
    const others = tcpConnectionsTo(port);
    await using client = await createClient({ kubeconfig: cluster.state.kubeconfig });
    const informers = Array.from({ length: 30 }, (_, i) =>
      createInformer(new Api(ConfigMap, { client, namespace: "many-informers" }), {
        labelSelector: `informer=${i}`,
        resume: pacing,
        onError: () => undefined,
      }),
    );
    try {
      await Promise.all(informers.map((informer) => informer.waitForSync({ timeout: 60_000 })));
      expect(informers.map((informer) => informer.list().length)).toEqual(Array(30).fill(1));
      const heldBefore = tcpConnectionsTo(port) - others;
      expect(heldBefore).toBeGreaterThanOrEqual(1);
      expect(heldBefore, "connections before the restart").toBeLessThanOrEqual(2);
      // With HTTP/1.1 only, each watch holds a connection of its own: the comparison that makes the count mean something.
      const http1 = await createClient({ kubeconfig: cluster.state.kubeconfig, http2: false });
      const http1Informers = Array.from({ length: 5 }, (_, i) =>
        createInformer(new Api(ConfigMap, { client: http1, namespace: "many-informers" }), { labelSelector: `informer=${i}` }),
      );
      await Promise.all(http1Informers.map((informer) => informer.waitForSync({ timeout: 60_000 })));
      expect(tcpConnectionsTo(port) - others - heldBefore).toBeGreaterThanOrEqual(5);
      await Promise.all(http1Informers.map((informer) => informer.stop()));
      await http1.close();

      const killed = await killComponent(cluster.state, "kubeApiserver");
      restartedPids.push(await restartComponent(cluster.state, killed));
      // Written by a client of its own, closed before counting: after the restart every connection is new.
      const writerClient = await createClient({ kubeconfig: cluster.state.kubeconfig });
      const writer = new Api(ConfigMap, { client: writerClient, namespace: "many-informers" });
      for (let i = 0; i < 30; i++) await writer.patch(`cm-${i}`, new MergePatch({ data: { v: "1" } }));
      await writerClient.close();
      const deadline = Date.now() + 120_000;
      const stale = () =>
        informers.filter((informer, i) => informer.list()[0]?.data?.["v"] !== "1" || informer.list()[0]?.metadata?.name !== `cm-${i}`)
          .length;
      while (stale() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
      expect(stale()).toBe(0);
      const heldAfter = tcpConnectionsTo(port);
      expect(heldAfter, "connections after the restart").toBeLessThanOrEqual(2);
    } finally {
      await Promise.all(informers.map((informer) => informer.stop()));
    }
  }, 300_000);

  it("etcd killed and restarted: the informer recovers and ends equal to a fresh list", async () => {
    const api = await namespace("restart-etcd");
    for (let i = 0; i < 20; i++) await api.create({ metadata: { name: `cm-${i}` }, data: { v: "0" } });
    await using informer = createInformer(new Api(ConfigMap, { client: proxied, namespace: "restart-etcd" }), {
      resume: pacing,
      onError: () => undefined,
    });
    const history = recorder(informer);
    await informer.waitForSync({ timeout: 60_000 });

    const killed = await killComponent(cluster.state, "etcd");
    await new Promise((resolve) => setTimeout(resolve, 2000));
    restartedPids.push(await restartComponent(cluster.state, killed));
    // Wait for the apiserver to be ready on the restarted etcd, then change things.
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await api.patch("cm-0", new MergePatch({ data: { v: "1" } }));
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    for (let i = 1; i < 10; i++) await api.patch(`cm-${i}`, new MergePatch({ data: { v: "1" } }));
    for (let i = 10; i < 15; i++) await api.delete(`cm-${i}`);
    const expected = await converge(informer, api, 120_000);
    expect(ours(expected)).toBe(15);
    expect(Object.fromEntries(history.live())).toEqual(Object.fromEntries(expected));
    expect(history.violations).toEqual([]);
  }, 300_000);

  it("soak: 10,000 changes to 1,000 ConfigMaps while the watch is cut at random; the cache ends identical to the server", async () => {
    const api = await namespace("soak");
    const started = performance.now();
    await using informer = createInformer(new Api(ConfigMap, { client: proxied, namespace: "soak" }), {
      resume: { initialDelay: 50, maxDelay: 500, burst: 20, restartsPerSecond: 20 },
      onError: () => undefined,
    });
    const history = recorder(informer);
    await informer.waitForSync({ timeout: 60_000 });

    let stop = false;
    const chaos = (async () => {
      while (!stop) {
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 700));
        if (Math.random() < 0.3) {
          proxy.refusing = true;
          proxy.cut();
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
          proxy.refusing = false;
        } else {
          proxy.cut();
        }
      }
    })();

    const objects = 1000;
    const changes = 10_000;
    const exists = new Array<boolean>(objects).fill(false);
    const busy = new Set<number>();
    let next = 0;
    const worker = async () => {
      for (;;) {
        const n = next++;
        if (n >= changes) return;
        // One change at a time per object, so every change is valid when sent.
        let i = n < objects ? n : Math.floor(Math.random() * objects);
        while (busy.has(i)) i = Math.floor(Math.random() * objects);
        busy.add(i);
        const name = `cm-${i}`;
        if (!exists[i]) {
          exists[i] = true;
          await api.create({ metadata: { name }, data: { n: String(n) } });
        } else if (n >= objects && Math.random() < 0.1) {
          exists[i] = false;
          await api.delete(name);
        } else {
          await api.patch(name, new MergePatch({ data: { n: String(n) } }));
        }
        busy.delete(i);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    stop = true;
    await chaos;
    proxy.refusing = false;
    const expected = await converge(informer, api, 120_000);
    const seconds = (performance.now() - started) / 1000;
    console.log(`soak: ${changes} changes, ${expected.size} objects at the end, ${proxy.cuts} cuts, ${seconds.toFixed(1)} s`);
    expect(proxy.cuts).toBeGreaterThan(10);
    expect(Object.fromEntries(history.live())).toEqual(Object.fromEntries(expected));
    expect(history.violations).toEqual([]);
  }, 600_000); // 10,000 writes through a loaded 2-core apiserver
});
