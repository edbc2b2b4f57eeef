/**
 * High availability of the MyProxy operator against the real kube-apiserver: two operator
 * processes (examples/operator/main.ts) campaign for one Lease with client-go's timings
 * (15 s / 10 s / 2 s). SIGKILL the leader: the other leads within leaseDuration +
 * retryPeriod. SIGTERM the leader: it stops reconciling, releases the lease, and the
 * other leads within 3 s. From every process's log (reconcile start/end lines) and the
 * Lease's history (watched by the test): two processes never reconcile at once, and each
 * reconciles only inside a term the Lease gives it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, createClient, MergePatch, removeFinalizer, type Client } from "@kubex/runtime";
import { Lease } from "@kubex/k8s-v1-36/coordination/v1";
import { FINALIZER } from "../../examples/operator/controller.js";
import { MyProxy } from "../../examples/operator/crd-types/example.com/v1/index.js";
import { installMyProxyCrd } from "../../examples/operator/install.js";
import { createTestNamespace, deleteTestNamespace } from "../cluster/namespaces.js";
import { adminConnection, loadClusterState } from "../cluster/state.js";

const root = join(import.meta.dirname, "..", "..");
const LEASE_DURATION = 15_000;
const RETRY_PERIOD = 2_000;

interface Line {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

class OperatorProcess {
  readonly lines: Line[] = [];
  readonly child: ChildProcess;
  killedAt: number | undefined;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = "";

  constructor(
    readonly identity: string,
    lease: string,
    namespace: string,
  ) {
    // node --import tsx: one process (the tsx CLI would put a second node between us and the operator).
    this.child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=kubex-source",
        join(root, "examples/operator/main.ts"),
        "--lease",
        lease,
        "--lease-namespace",
        namespace,
        "--identity",
        identity,
      ],
      {
        cwd: root,
        env: { ...process.env, MYPROXY_DEBUG: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let buffer = "";
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (text.startsWith("{")) this.lines.push(JSON.parse(text) as Line);
      }
    });
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-4000)));
    this.exit = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  has(msg: string): Line | undefined {
    return this.lines.find((line) => line.msg === msg);
  }

  last(msg: string): Line | undefined {
    return this.lines.findLast((line) => line.msg === msg);
  }

  kill(signal: NodeJS.Signals): number {
    const at = Date.now();
    if (signal === "SIGKILL") this.killedAt = at;
    this.child.kill(signal);
    return at;
  }

  get log(): string {
    return this.stderr;
  }

  /** Reconcile intervals [start, end] (ms); one still open ends at the kill, or now. */
  reconciles(): { key: string; start: number; end: number }[] {
    const open = new Map<string, number>();
    const out: { key: string; start: number; end: number }[] = [];
    for (const line of this.lines) {
      if (line.msg.endsWith("reconcile start")) open.set(String(line.key), Date.parse(line.time));
      if (line.msg.endsWith("reconcile end")) {
        const key = String(line.key);
        out.push({ key, start: Number(line.started), end: Number(line.ended) });
        open.delete(key);
      }
    }
    for (const [key, start] of open) out.push({ key, start, end: this.killedAt ?? Date.now() });
    return out;
  }

  /** Terms from its own log: started leading .. stopped leading (or kill, or now). */
  terms(): { start: number; end: number }[] {
    const terms: { start: number; end: number }[] = [];
    let start: number | undefined;
    for (const line of this.lines) {
      if (line.msg === "operator: started leading") start = Date.parse(line.time);
      if (line.msg === "operator: stopped leading" && start !== undefined) {
        terms.push({ start, end: Date.parse(line.time) });
        start = undefined;
      }
    }
    if (start !== undefined) terms.push({ start, end: this.killedAt ?? Date.now() });
    return terms;
  }
}

let client: Client;
let ns: string;
let proxies: Api<MyProxy>;
const processes: OperatorProcess[] = [];
const leaseHistory: { at: number; holder: string; transitions: number; acquireTime: string | undefined }[] = [];
const stopWatch = new AbortController();

async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms: number,
  every = 50,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

beforeAll(async () => {
  client = await createClient();
  await installMyProxyCrd(client);
  ns = await createTestNamespace(adminConnection(loadClusterState()), "operator-ha");
  proxies = new Api(MyProxy, { client, namespace: ns });
  for (let i = 0; i < 20; i += 1) await proxies.create(new MyProxy({ metadata: { name: `p${i}` }, spec: { name: `p${i}`, replicas: 0 } }));
  // The Lease's history as the server has it: every holder change, in order.
  const leases = new Api(Lease, { client, namespace: ns });
  void (async () => {
    try {
      for await (const event of leases.watch({ resume: true, signal: stopWatch.signal })) {
        if (event.type !== "ADDED" && event.type !== "MODIFIED") continue;
        const spec = event.object.spec;
        const holder = spec?.holderIdentity ?? "";
        if (leaseHistory.at(-1)?.holder !== holder)
          leaseHistory.push({
            at: Date.now(),
            holder,
            transitions: spec?.leaseTransitions ?? 0,
            acquireTime: spec?.acquireTime ?? undefined,
          });
      }
    } catch {
      // stopped
    }
  })();
}, 120_000);

afterAll(async () => {
  stopWatch.abort();
  if (process.env.KUBEX_HA_LOGS)
    for (const p of processes)
      writeFileSync(
        join(process.env.KUBEX_HA_LOGS, `${p.identity}.log`),
        `${p.lines.map((l) => JSON.stringify(l)).join("\n")}\n--- stderr\n${p.log}`,
      );
  for (const p of processes) p.child.kill("SIGKILL");
  for await (const item of proxies.listAll()) await removeFinalizer(proxies, item, FINALIZER).catch(() => undefined);
  await deleteTestNamespace(adminConnection(loadClusterState()), ns);
  await client.close();
});

describe("two operator processes on one Lease", { timeout: 180_000 }, () => {
  it("SIGKILL -> the other leads within leaseDuration + retryPeriod; SIGTERM -> released and taken over in < 3 s; never two reconciling at once", async () => {
    const lease = "myproxy-operator";
    const a = new OperatorProcess("operator-a", lease, ns);
    const b = new OperatorProcess("operator-b", lease, ns);
    processes.push(a, b);
    const first = await until("a leader", () => [a, b].find((p) => p.has("operator: started leading")), 60_000);
    const second = first === a ? b : a;
    await until(
      "everything reconciled",
      async () =>
        (await proxies.list()).items.every(
          (p) => p.status?.observedGeneration === p.metadata?.generation && p.metadata?.finalizers?.includes(FINALIZER),
        ),
      60_000,
      200,
    );
    await until(
      "the follower has seen the leader",
      () => second.lines.some((line) => line.msg === "operator: leader is" && line.leader === first.identity),
      10_000,
    );

    // Keep the work coming while leadership changes hands.
    let churning = true;
    const churn = (async () => {
      for (let i = 0; churning; i += 1) {
        // Each round of 20 flips every object's image, so every patch is a real change (a new generation).
        const image = `nginx:1.${Math.floor(i / 20) % 2 === 0 ? 27 : 26}`;
        await proxies.patch(`p${i % 20}`, new MergePatch({ spec: { image } })).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();

    // SIGKILL the leader: no release; the other waits out the lease.
    const killedAt = first.kill("SIGKILL");
    await first.exit;
    await until("takeover after SIGKILL", () => second.has("operator: started leading"), LEASE_DURATION + RETRY_PERIOD + 10_000, 20);
    const takeover = Date.parse(second.has("operator: started leading")!.time) - killedAt;
    expect(takeover).toBeLessThanOrEqual(LEASE_DURATION + RETRY_PERIOD);
    expect(takeover).toBeGreaterThan(LEASE_DURATION - RETRY_PERIOD - 1_000); // it did wait for the lease to expire

    // A replacement for the killed one joins as a follower; then SIGTERM the leader.
    const c = new OperatorProcess("operator-c", lease, ns);
    processes.push(c);
    await until("c follows", () => c.lines.some((line) => line.msg === "operator: leader is" && line.leader === second.identity), 30_000);
    const terminatedAt = second.kill("SIGTERM");
    const exit = await second.exit;
    expect(exit.code).toBe(0);
    await until("takeover after SIGTERM", () => c.has("operator: started leading"), 5_000, 10);
    const handover = Date.parse(c.has("operator: started leading")!.time) - terminatedAt;
    expect(handover).toBeLessThan(3_000);
    expect(second.has("leader election: released the lease")).toBeDefined();

    churning = false;
    await churn;
    await until(
      "everything reconciled by the new leader",
      async () => (await proxies.list()).items.every((p) => p.status?.observedGeneration === p.metadata?.generation),
      30_000,
      200,
    );
    // A new leader starts from a full list: it reconciles every object once, changed or not.
    await until("c reconciled every object", () => new Set(c.reconciles().map((r) => r.key)).size >= 20, 30_000, 100);
    c.kill("SIGTERM");
    await c.exit;

    // The Lease's history: a -> (expired) -> b -> released -> c, transitions counting up.
    const holders = leaseHistory.map((entry) => entry.holder);
    expect(holders).toEqual([first.identity, second.identity, "", c.identity, ""]);
    expect(leaseHistory.map((entry) => entry.transitions)).toEqual([0, 1, 1, 2, 2]);

    // Terms from the processes' logs fall inside the Lease's terms, and never overlap.
    const termsOf = (p: OperatorProcess) => p.terms().map((term) => ({ ...term, who: p.identity }));
    const terms = [...termsOf(first), ...termsOf(second), ...termsOf(c)].sort((x, y) => x.start - y.start);
    expect(terms.map((term) => term.who)).toEqual([first.identity, second.identity, c.identity]);
    for (let i = 1; i < terms.length; i += 1) expect(terms[i]!.start).toBeGreaterThanOrEqual(terms[i - 1]!.end);
    for (const term of terms) {
      const granted = leaseHistory.find((entry) => entry.holder === term.who)!;
      expect(term.start).toBeGreaterThanOrEqual(granted.at - 1_000); // the watch sees the write shortly after it
    }

    // Reconciles: each inside its process's term; none of two processes overlapping.
    const all = [first, second, c].flatMap((p) => p.reconciles().map((r) => ({ ...r, who: p.identity })));
    expect(all.filter((r) => r.who === second.identity).length).toBeGreaterThan(0);
    expect(all.filter((r) => r.who === c.identity).length).toBeGreaterThan(0);
    for (const r of all) {
      const term = terms.find((t) => t.who === r.who && r.start >= t.start && r.end <= t.end);
      expect(term, `${r.who} reconciled ${r.key} at ${r.start}..${r.end} outside its terms`).toBeDefined();
    }
    const sorted = all.sort((x, y) => x.start - y.start);
    let latestEnd = { at: 0, who: "" };
    for (const r of sorted) {
      if (r.who !== latestEnd.who)
        expect(r.start, `${r.who} started ${r.key} while ${latestEnd.who} was reconciling`).toBeGreaterThanOrEqual(latestEnd.at);
      if (r.end > latestEnd.at) latestEnd = { at: r.end, who: r.who };
    }
    console.log(`operator HA: SIGKILL takeover ${takeover} ms, SIGTERM handover ${handover} ms, ${all.length} reconciles checked`);
  });
});
