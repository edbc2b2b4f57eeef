/**
 * Leader election on a Lease, with client-go's `leaderelection` semantics:
 *
 * - A candidate reads the lease every `retryPeriod` (2 s). It takes the lease when it does
 *   not exist, when nobody holds it (`holderIdentity` empty, as after a release), or when
 *   the holder's record has not changed for `leaseDurationSeconds` (15 s) of the
 *   candidate's own clock: expiry is measured from when this process *observed* the
 *   record change, never from the timestamps in it, so clock skew between machines does
 *   not matter.
 * - Taking the lease writes `holderIdentity`, `acquireTime`, `renewTime` and
 *   `leaseTransitions + 1` with the resourceVersion that was read: of two candidates, one
 *   gets `Conflict` and stays a candidate.
 * - The leader renews (`renewTime`) every `retryPeriod`; if it cannot renew for
 *   `renewDeadline` (10 s), or sees another holder, it stops leading. Since
 *   `renewDeadline + retryPeriod < leaseDuration`, it has stopped before anyone else may
 *   take the lease.
 * - On cancel (`signal`), the work started for the term is awaited, then the lease is
 *   released (`holderIdentity` cleared, `leaseDurationSeconds: 1`) so a candidate takes
 *   it at its next read instead of after `leaseDuration`.
 *
 * Two small differences from client-go, both to keep takeover within
 * `leaseDuration + retryPeriod` of the leader's last renewal: retries are jittered
 * downwards (up to `jitter`, 20 %, shorter; client-go waits up to 120 % longer), and a
 * candidate also reads the lease at the moment the observed record expires.
 */
import { KubexClientError } from "../errors.js";
import { realClock, sleep, type Clock, type ClockTimer } from "./clock.js";
import { microTime, type LeaderElectionRecord, type LeaseLock, type ObservedLease } from "./lease.js";
import { defaultLogger, errorFields, type ControllerLogger } from "./logger.js";

export interface LeaderElectionCallbacks {
  /**
   * Called when this process becomes leader. `signal` aborts when leadership ends; the
   * returned promise is awaited before the lease is released, so the work of a term has
   * stopped before another process can start its own. When it settles by itself, the
   * term ends and the lease is released.
   */
  onStartedLeading: (signal: AbortSignal) => unknown;
  /** Called after a term ended (lost, cancelled, or its work ended), once its work has stopped. */
  onStoppedLeading?: () => void;
  /** Called when a different holder is observed (this process included). */
  onNewLeader?: (identity: string) => void;
}

export interface LeaderElectorOptions extends LeaderElectionCallbacks {
  lock: LeaseLock;
  /** This process's identity in `holderIdentity`; unique per process (e.g. the pod name plus a random suffix). */
  identity: string;
  /** ms a non-leader waits after the last observed change before taking the lease (default 15000). */
  leaseDuration?: number;
  /** ms the leader keeps retrying a renewal before it stops leading (default 10000). */
  renewDeadline?: number;
  /** ms between attempts to acquire or renew (default 2000). */
  retryPeriod?: number;
  /** Release the lease when `run` is cancelled (default true). */
  releaseOnCancel?: boolean;
  /** Fraction by which retries are shortened at random (default 0.2). */
  jitter?: number;
  clock?: Clock;
  /** For tests: a source of [0, 1) numbers for jitter. */
  random?: () => number;
  log?: ControllerLogger;
}

/** Where an elector is: not running, trying to acquire, leading, or releasing the lease. */
export type LeaderElectionPhase = "idle" | "candidate" | "leading" | "releasing";

/** Why a term ended. */
export type TermEnd = "cancelled" | "lost" | "work-ended";

export const DEFAULT_LEASE_DURATION = 15_000;
export const DEFAULT_RENEW_DEADLINE = 10_000;
export const DEFAULT_RETRY_PERIOD = 2_000;

function sameRecord(a: LeaderElectionRecord | undefined, b: LeaderElectionRecord): boolean {
  return (
    a !== undefined &&
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/** A signal that aborts with `parent`, or `ms` later on `clock`. */
function deadline(clock: Clock, ms: number, parent: AbortSignal): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener("abort", onAbort, { once: true });
  const timer: ClockTimer = clock.setTimeout(() => controller.abort(new KubexClientError(`lease request took more than ${ms} ms`)), ms);
  return {
    signal: controller.signal,
    clear: () => {
      clock.clearTimeout(timer);
      parent.removeEventListener("abort", onAbort);
    },
  };
}

export class LeaderElector {
  readonly identity: string;
  readonly leaseDuration: number;
  readonly renewDeadline: number;
  readonly retryPeriod: number;
  private readonly options: LeaderElectorOptions;
  private readonly clock: Clock;
  private readonly log: ControllerLogger;
  private readonly random: () => number;
  private readonly jitter: number;
  private observed: ObservedLease | undefined;
  /** When (this clock) the observed record last changed. */
  private observedTime = 0;
  private reportedLeader: string | undefined;
  private currentPhase: LeaderElectionPhase = "idle";

  constructor(options: LeaderElectorOptions) {
    this.options = options;
    this.identity = options.identity;
    this.leaseDuration = options.leaseDuration ?? DEFAULT_LEASE_DURATION;
    this.renewDeadline = options.renewDeadline ?? DEFAULT_RENEW_DEADLINE;
    this.retryPeriod = options.retryPeriod ?? DEFAULT_RETRY_PERIOD;
    this.jitter = options.jitter ?? 0.2;
    this.clock = options.clock ?? realClock;
    this.log = options.log ?? defaultLogger;
    this.random = options.random ?? Math.random;
    if (typeof options.identity !== "string" || options.identity === "") throw new RangeError("leader election needs a non-empty identity");
    if (options.lock === undefined) throw new RangeError("leader election needs a lock (leaseLock(client, { name, namespace }))");
    if (typeof options.onStartedLeading !== "function") throw new RangeError("leader election needs an onStartedLeading callback");
    for (const [name, value] of [
      ["leaseDuration", this.leaseDuration],
      ["renewDeadline", this.renewDeadline],
      ["retryPeriod", this.retryPeriod],
    ] as const) {
      if (!(value > 0) || !Number.isFinite(value))
        throw new RangeError(`leader election: ${name} must be a positive number of ms, got ${String(value)}`);
    }
    if (!(this.leaseDuration > this.renewDeadline)) {
      throw new RangeError(
        `leader election: leaseDuration (${this.leaseDuration} ms) must be greater than renewDeadline (${this.renewDeadline} ms)`,
      );
    }
    if (!(this.renewDeadline > this.retryPeriod)) {
      throw new RangeError(
        `leader election: renewDeadline (${this.renewDeadline} ms) must be greater than retryPeriod (${this.retryPeriod} ms)`,
      );
    }
    if (!(this.jitter >= 0 && this.jitter < 1)) throw new RangeError(`leader election: jitter must be in [0, 1), got ${this.jitter}`);
  }

  get phase(): LeaderElectionPhase {
    return this.currentPhase;
  }

  /** Whether this process holds the lease (as last written or read). */
  get isLeader(): boolean {
    return this.currentPhase === "leading";
  }

  /** The holder last observed (`""` when released, `undefined` before the first read). */
  get leader(): string | undefined {
    return this.observed?.record.holderIdentity;
  }

  /** The record last read or written. */
  get observedRecord(): LeaderElectionRecord | undefined {
    return this.observed?.record;
  }

  /**
   * One term: campaigns until the lease is acquired, leads (running `onStartedLeading`)
   * until leadership is lost, the work ends, or `signal` aborts; then releases the lease
   * (on cancel or when the work ended, with `releaseOnCancel`). Resolves with why the
   * term ended, or `"cancelled"` when `signal` aborted before the lease was acquired.
   */
  async run(signal?: AbortSignal): Promise<TermEnd> {
    if (this.currentPhase !== "idle") throw new KubexClientError(`leader election for ${this.options.lock.description} is already running`);
    const stop = signal ?? new AbortController().signal;
    try {
      this.currentPhase = "candidate";
      if (!(await this.acquire(stop))) return "cancelled";
      this.currentPhase = "leading";
      return await this.lead(stop);
    } finally {
      this.currentPhase = "idle";
    }
  }

  private async acquire(stop: AbortSignal): Promise<boolean> {
    this.log.info("leader election: trying to acquire the lease", { lease: this.options.lock.description, identity: this.identity });
    while (!stop.aborted) {
      const attempt = deadline(this.clock, this.renewDeadline, stop);
      const acquired = await this.tryAcquireOrRenew(attempt.signal, false);
      attempt.clear();
      this.reportTransition();
      if (acquired) {
        this.log.info("leader election: acquired the lease", {
          lease: this.options.lock.description,
          identity: this.identity,
          leaseTransitions: this.observed?.record.leaseTransitions,
        });
        return true;
      }
      await sleep(this.clock, this.nextAttemptDelay(), stop).catch(() => undefined);
    }
    return false;
  }

  /** A jittered retry period, cut short to the moment the observed holder's lease expires. */
  private nextAttemptDelay(): number {
    const retry = this.retryPeriod * (1 - this.jitter * this.random());
    const record = this.observed?.record;
    if (record === undefined || record.holderIdentity === "" || record.holderIdentity === this.identity) return retry;
    const expiresIn = this.observedTime + record.leaseDurationSeconds * 1000 - this.clock.now();
    return expiresIn > 0 ? Math.min(retry, expiresIn) : retry;
  }

  private async lead(stop: AbortSignal): Promise<TermEnd> {
    const leading = new AbortController();
    const onStop = (): void => leading.abort(stop.reason);
    stop.addEventListener("abort", onStop, { once: true });
    let workEnded = false;
    const work = (async () => {
      try {
        await this.options.onStartedLeading(leading.signal);
      } catch (error) {
        this.log.error("leader election: the leading work failed", { lease: this.options.lock.description, ...errorFields(error) });
      } finally {
        workEnded = true;
        leading.abort(new KubexClientError("the leading work ended"));
      }
    })();
    let end: TermEnd;
    try {
      const renewal = await this.renew(leading.signal);
      end = renewal === "lost" ? "lost" : stop.aborted ? "cancelled" : workEnded ? "work-ended" : "cancelled";
    } finally {
      leading.abort(new KubexClientError("leadership ended"));
      stop.removeEventListener("abort", onStop);
    }
    await work;
    if (end === "lost") {
      this.log.warn("leader election: lost the lease", {
        lease: this.options.lock.description,
        identity: this.identity,
        holder: this.observed?.record.holderIdentity,
      });
    } else if (this.options.releaseOnCancel ?? true) {
      this.currentPhase = "releasing";
      await this.release();
    }
    this.callback(() => this.options.onStoppedLeading?.());
    return end;
  }

  /** Renews every retryPeriod until `leading` aborts ("stopped") or a renewal fails for renewDeadline ("lost"). */
  private async renew(leading: AbortSignal): Promise<"stopped" | "lost"> {
    for (;;) {
      try {
        await sleep(this.clock, this.retryPeriod, leading);
      } catch {
        return "stopped";
      }
      const until = this.clock.now() + this.renewDeadline;
      const attempt = deadline(this.clock, this.renewDeadline, leading);
      let renewed = false;
      try {
        while (!attempt.signal.aborted) {
          renewed = await this.tryAcquireOrRenew(attempt.signal, true);
          this.reportTransition();
          if (renewed) break;
          const holder = this.observed?.record.holderIdentity;
          if (holder !== undefined && holder !== "" && holder !== this.identity) return "lost"; // taken over: stop at once
          await sleep(this.clock, Math.min(this.retryPeriod, until - this.clock.now()), attempt.signal).catch(() => undefined);
        }
      } finally {
        attempt.clear();
      }
      if (leading.aborted) return "stopped";
      if (!renewed) return "lost";
    }
  }

  /** client-go's tryAcquireOrRenew: one read (skipped while our lease is valid) and one write. */
  private async tryAcquireOrRenew(signal: AbortSignal, renewing: boolean): Promise<boolean> {
    const lock = this.options.lock;
    const observed = this.observed;
    // Fast path: we hold a lease that is still valid, so write the renewal on the version we know.
    if (renewing && observed !== undefined && observed.record.holderIdentity === this.identity && this.observedValid()) {
      const record: LeaderElectionRecord = {
        ...observed.record,
        leaseDurationSeconds: this.leaseDurationSeconds(),
        renewTime: microTime(this.clock.now()),
      };
      try {
        this.setObserved(await lock.update(record, observed.resourceVersion, signal));
        return true;
      } catch (error) {
        this.log.debug("leader election: fast renewal failed, reading the lease", { lease: lock.description, ...errorFields(error) });
      }
    }
    let current: ObservedLease | undefined;
    try {
      current = await lock.get(signal);
    } catch (error) {
      this.log.warn("leader election: could not read the lease", { lease: lock.description, ...errorFields(error) });
      return false;
    }
    const now = this.clock.now();
    if (current === undefined) {
      const record: LeaderElectionRecord = {
        holderIdentity: this.identity,
        leaseDurationSeconds: this.leaseDurationSeconds(),
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: 0,
      };
      try {
        this.setObserved(await lock.create(record, signal));
        return true;
      } catch (error) {
        this.log.debug("leader election: could not create the lease", { lease: lock.description, ...errorFields(error) });
        return false;
      }
    }
    if (!sameRecord(this.observed?.record, current.record)) {
      this.observed = current;
      this.observedTime = now;
    } else {
      this.observed = current; // same record, maybe a newer resourceVersion
    }
    const holder = current.record.holderIdentity;
    if (holder !== "" && holder !== this.identity && this.observedValid()) return false;
    const ours = holder === this.identity;
    const record: LeaderElectionRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseDurationSeconds(),
      acquireTime: ours && current.record.acquireTime !== undefined ? current.record.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: ours ? current.record.leaseTransitions : current.record.leaseTransitions + 1,
    };
    try {
      this.setObserved(await lock.update(record, current.resourceVersion, signal));
      return true;
    } catch (error) {
      this.log.debug("leader election: could not write the lease", { lease: lock.description, ...errorFields(error) });
      return false;
    }
  }

  /** Clears the holder so a candidate takes over at its next read (client-go's release). */
  private async release(): Promise<void> {
    const observed = this.observed;
    if (observed === undefined || observed.record.holderIdentity !== this.identity) return;
    const now = microTime(this.clock.now());
    const record: LeaderElectionRecord = {
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: observed.record.leaseTransitions,
    };
    const attempt = deadline(this.clock, this.renewDeadline, new AbortController().signal);
    try {
      this.setObserved(await this.options.lock.update(record, observed.resourceVersion, attempt.signal));
      this.log.info("leader election: released the lease", { lease: this.options.lock.description, identity: this.identity });
    } catch (error) {
      this.log.warn("leader election: could not release the lease (it expires by itself)", {
        lease: this.options.lock.description,
        ...errorFields(error),
      });
    } finally {
      attempt.clear();
    }
  }

  private leaseDurationSeconds(): number {
    return Math.max(1, Math.ceil(this.leaseDuration / 1000));
  }

  /** The observed record is within its lease duration, measured from when we observed it. */
  private observedValid(): boolean {
    const record = this.observed?.record;
    return record !== undefined && this.observedTime + record.leaseDurationSeconds * 1000 > this.clock.now();
  }

  private setObserved(lease: ObservedLease): void {
    this.observed = lease;
    this.observedTime = this.clock.now();
  }

  private reportTransition(): void {
    const holder = this.observed?.record.holderIdentity;
    if (holder === undefined || holder === "" || holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    this.callback(() => this.options.onNewLeader?.(holder));
  }

  private callback(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.log.error("leader election: a callback threw", { lease: this.options.lock.description, ...errorFields(error) });
    }
  }
}
