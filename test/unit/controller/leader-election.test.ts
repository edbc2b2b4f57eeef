import { describe, expect, it } from "vitest";
import {
  Conflict,
  FakeClock,
  jsonLogger,
  KubexClientError,
  LeaderElector,
  type LeaderElectionRecord,
  type LeaseLock,
  type ObservedLease,
} from "@kubex/runtime";

const logged: string[] = [];
const quiet = jsonLogger({ write: (text) => void logged.push(text) });

/** The server side: one Lease with a resourceVersion, and every write it accepted. */
class LeaseServer {
  lease: ObservedLease | undefined;
  private version = 0;
  readonly history: { at: number; record: LeaderElectionRecord }[] = [];
  constructor(private readonly clock: FakeClock) {}

  write(record: LeaderElectionRecord, expected: string | undefined): ObservedLease {
    if (expected === undefined && this.lease !== undefined)
      throw new Conflict(409, { reason: "AlreadyExists", message: 'leases "x" already exists' });
    if (expected !== undefined && this.lease?.resourceVersion !== expected) {
      throw new Conflict(409, { reason: "Conflict", message: "the object has been modified" });
    }
    this.version += 1;
    this.lease = { record: { ...record }, resourceVersion: String(this.version) };
    this.history.push({ at: this.clock.now(), record: { ...record } });
    return structuredClone(this.lease);
  }
}

/** One process's connection to the server: "down" fails every call, "hung" never answers (until aborted). */
function lockFor(server: LeaseServer) {
  const state = { mode: "up" as "up" | "down" | "hung", calls: 0 };
  const call = async <R>(signal: AbortSignal, fn: () => R): Promise<R> => {
    state.calls += 1;
    if (state.mode === "down") throw new KubexClientError("connect ECONNREFUSED");
    if (signal.aborted) throw signal.reason;
    if (state.mode === "hung") {
      return new Promise<R>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    }
    await Promise.resolve();
    return fn();
  };
  const lock: LeaseLock = {
    description: "ops/myproxy-operator",
    get: (signal) => call(signal, () => (server.lease === undefined ? undefined : structuredClone(server.lease))),
    create: (record, signal) => call(signal, () => server.write(record, undefined)),
    update: (record, rv, signal) => call(signal, () => server.write(record, rv)),
  };
  return { lock, state };
}

interface Candidate {
  elector: LeaderElector;
  state: { mode: "up" | "down" | "hung"; calls: number };
  abort: AbortController;
  done: Promise<string>;
  started: number[];
  stopped: number[];
  newLeaders: string[];
  /** The work of a term stops at once when its signal aborts unless `slowStop` ms are set. */
  workStopDelay: number;
}

function candidate(server: LeaseServer, clock: FakeClock, identity: string, extra: { releaseOnCancel?: boolean } = {}): Candidate {
  const { lock, state } = lockFor(server);
  const c = { state, abort: new AbortController(), started: [], stopped: [], newLeaders: [], workStopDelay: 0 } as unknown as Candidate;
  c.elector = new LeaderElector({
    lock,
    identity,
    clock,
    random: () => 0.5,
    log: quiet,
    ...extra,
    onStartedLeading: (signal) =>
      new Promise<void>((resolve) => {
        c.started.push(clock.now());
        signal.addEventListener("abort", () => (c.workStopDelay > 0 ? clock.setTimeout(resolve, c.workStopDelay) : resolve()), {
          once: true,
        });
      }),
    onStoppedLeading: () => c.stopped.push(clock.now()),
    onNewLeader: (holder) => c.newLeaders.push(holder),
  });
  c.done = c.elector.run(c.abort.signal);
  return c;
}

describe("LeaderElector (client-go semantics, fake clock)", () => {
  it("creates the lease when there is none: holder, acquireTime = renewTime, 0 transitions; then renews every retryPeriod", async () => {
    const clock = new FakeClock();
    const server = new LeaseServer(clock);
    const a = candidate(server, clock, "a");
    await clock.advance(0);
    expect(a.elector.isLeader).toBe(true);
    expect(a.started).toHaveLength(1);
    const created = server.history[0]!.record;
    expect(created).toMatchObject({ holderIdentity: "a", leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(created.acquireTime).toBe(created.renewTime);
    expect(created.acquireTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await clock.advance(10_000);
    const writes = server.history.map((entry) => entry.at - server.history[0]!.at);
    expect(writes).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
    const last = server.lease!.record;
    expect(last.acquireTime).toBe(created.acquireTime);
    expect(last.renewTime).not.toBe(created.renewTime);
    expect(last.leaseTransitions).toBe(0);
    expect(a.newLeaders).toEqual(["a"]);
    a.abort.abort();
    await clock.advance(0);
    expect(await a.done).toBe("cancelled");
  });

  it("a second candidate waits while the leader renews, and reports it as the leader", async () => {
    const clock = new FakeClock();
    const server = new LeaseServer(clock);
    const a = candidate(server, clock, "a");
    await clock.advance(0);
    const b = candidate(server, clock, "b");
    await clock.advance(60_000);
    expect(a.elector.isLeader).toBe(true);
    expect(b.elector.phase).toBe("candidate");
    expect(b.started).toEqual([]);
    expect(b.newLeaders).toEqual(["a"]);
    expect(server.lease!.record.holderIdentity).toBe("a");
    a.abort.abort();
    b.abort.abort();
    await clock.advance(0);
  });

  it("when the leader dies (no release), the other takes over within leaseDuration + retryPeriod of its last renewal; transitions + 1", async () => {
    const clock = new FakeClock();
    const server = new LeaseServer(clock);
    const a = candidate(server, clock, "a");
    await clock.advance(0);
    const b = candidate(server, clock, "b");
    await clock.advance(7_300);
    a.state.mode = "hung"; // SIGKILL: it never answers again
    const lastRenewal = server.history.at(-1)!.at;
    await clock.advance(20_000);
    expect(b.elector.isLeader).toBe(true);
    const takeover = b.started[0]! - lastRenewal;
    expect(takeover).toBeGreaterThanOrEqual(15_000);
    expect(takeover).toBeLessThanOrEqual(15_000 + 2_000);
    const acquisition = server.history.find((entry) => entry.record.holderIdentity === "b")!;
    expect(acquisition.at).toBe(b.started[0]);
    expect(acquisition.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
    expect(acquisition.record.acquireTime).toBe(acquisition.record.renewTime);
    expect(server.lease!.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 1, acquireTime: acquisition.record.acquireTime });
    expect(b.newLeaders).toEqual(["a", "b"]);
    // The dead leader's own view: it could not renew for renewDeadline and stopped leading before the takeover.
    expect(a.stopped).toHaveLength(1);
    expect(a.stopped[0]!).toBeLessThan(b.started[0]!);
    a.abort.abort();
    b.abort.abort();
    await clock.advance(0);
  });

  it("on cancel it stops its work first, then releases (holder cleared, 1 s), and a candidate takes over within retryPeriod", async () => {
    const clock = new FakeClock();
    const server = new LeaseServer(clock);
    const a = candidate(server, clock, "a");
    await clock.advance(0);
    const b = candidate(server, clock, "b");
    await clock.advance(5_000);
    a.workStopDelay = 700; // the controller takes 0.7 s to stop
    const cancelledAt = clock.now();
    a.abort.abort();
    await clock.advance(300);
    expect(server.lease!.record.holderIdentity).toBe("a"); // not released while the work runs
    await clock.advance(400);
    expect(await a.done).toBe("cancelled");
    const release = server.history.at(-1)!;
    expect(release.record).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(release.at - cancelledAt).toBe(700);
    expect(a.stopped).toEqual([release.at]);
    await clock.advance(2_000);
    expect(b.elector.isLeader).toBe(true);
    expect(b.started[0]! - release.at).toBeLessThanOrEqual(2_000);
    expect(server.lease!.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
    b.abort.abort();
    await clock.advance(0);
  });

  it("a leader that cannot renew for renewDeadline stops leading (before leaseDuration) and does not release", async () => {
    const clock = new FakeClock();
    const server = new LeaseServer(clock);
    const a = candidate(server, clock, "a");
    await clock.advance(0);
    await clock.advance(4_000);
    const lastRenewal = server.history.at(-1)!.at;
    a.state.mode = "down";
    const writes = server.history.length;
    await clock.advance(20_000);
    expect(a.stopped).toHaveLength(1);
    expect(a.stopped[0]! - lastRenewal).toBeLessThanOrEqual(2_000 + 10_000);
    expect(a.stopped[0]! - lastRenewal).toBeLessThan(15_000);
    expect(server.history.length).toBe(writes); // nothing written, no release
    expect(await a.done).toBe("lost");
  });

  it("steps down at once when a renewal finds another holder", async () => {
    const clock = new FakeClock();
    const server = new LeaseServer(clock);
    const a = candidate(server, clock, "a");
    await clock.advance(1_000);
    server.write({ holderIdentity: "intruder", leaseDurationSeconds: 15, leaseTransitions: 1 }, server.lease!.resourceVersion);
    await clock.advance(1_000); // a's renewal at 2 s conflicts, it reads the lease and sees the intruder
    expect(a.stopped).toEqual([clock.now()]);
    expect(await a.done).toBe("lost");
    expect(server.lease!.record.holderIdentity).toBe("intruder");
  });

  it("two candidates starting together: exactly one wins the create; the other gets Conflict and waits", async () => {
    const clock = new FakeClock();
    const server = new LeaseServer(clock);
    const a = candidate(server, clock, "a");
    const b = candidate(server, clock, "b");
    await clock.advance(30_000);
    expect([a.elector.isLeader, b.elector.isLeader].filter(Boolean)).toHaveLength(1);
    expect(server.history.filter((entry) => entry.record.leaseTransitions === 0 && entry.record.holderIdentity !== "")).toHaveLength(
      server.history.length,
    );
    a.abort.abort();
    b.abort.abort();
    await clock.advance(0);
  });

  it("when the work ends by itself, the term ends and the lease is released", async () => {
    const clock = new FakeClock();
    const server = new LeaseServer(clock);
    let finish!: () => void;
    const elector = new LeaderElector({
      lock: lockFor(server).lock,
      identity: "a",
      clock,
      log: quiet,
      onStartedLeading: () => new Promise<void>((resolve) => (finish = resolve)),
    });
    const done = elector.run();
    await clock.advance(3_000);
    finish();
    await clock.advance(0);
    expect(await done).toBe("work-ended");
    expect(server.lease!.record.holderIdentity).toBe("");
  });

  it("rejects settings that break the safety margin, naming them", () => {
    const clock = new FakeClock();
    const lock = lockFor(new LeaseServer(clock)).lock;
    const base = { lock, identity: "a", onStartedLeading: () => undefined };
    expect(() => new LeaderElector({ ...base, leaseDuration: 10_000, renewDeadline: 10_000 })).toThrow(
      /leaseDuration .* must be greater than renewDeadline/,
    );
    expect(() => new LeaderElector({ ...base, renewDeadline: 2_000, retryPeriod: 2_000 })).toThrow(
      /renewDeadline .* must be greater than retryPeriod/,
    );
    expect(() => new LeaderElector({ ...base, identity: "" })).toThrow(/identity/);
    expect(() => new LeaderElector({ ...base, retryPeriod: -1 })).toThrow(/retryPeriod/);
  });
});
