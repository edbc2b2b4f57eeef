/**
 * Runs a controller only while this process holds a Lease: the usual way to run several
 * replicas of an operator with one of them active.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { KubernetesObject } from "../model/resource.js";
import type { Client } from "../transport/types.js";
import type { Clock } from "./clock.js";
import type { Controller } from "./controller.js";
import { LeaderElector, type TermEnd } from "./leader-election.js";
import { leaseLock } from "./lease.js";
import { defaultLogger, type ControllerLogger } from "./logger.js";

export interface RunWithLeaderElectionOptions {
  /** Name of the Lease. */
  lease: string;
  /** Namespace of the Lease. */
  namespace: string;
  /** Defaults to the controller's client. */
  client?: Client;
  /** `holderIdentity` (default `<hostname>_<random>`, unique per process). */
  identity?: string;
  leaseDuration?: number;
  renewDeadline?: number;
  retryPeriod?: number;
  /** Stops the controller and releases the lease (SIGTERM handling: abort this). */
  signal?: AbortSignal;
  /** After losing the lease, campaign again (default true); false: return. */
  rejoin?: boolean;
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
  onNewLeader?: (identity: string) => void;
  clock?: Clock;
  log?: ControllerLogger;
}

/** A unique holder identity for this process: `<hostname>_<8 hex>`. */
export function defaultIdentity(): string {
  return `${hostname()}_${randomBytes(4).toString("hex")}`;
}

/**
 * Campaigns for the Lease and runs `controller` while leading. Resolves when `signal`
 * aborts (after the controller stopped and the lease was released), when the controller
 * was stopped, or (with `rejoin: false`) when leadership was lost.
 */
export async function runWithLeaderElection<T extends KubernetesObject>(
  controller: Controller<T>,
  options: RunWithLeaderElectionOptions,
): Promise<void> {
  const log = options.log ?? defaultLogger;
  const client = options.client ?? controller.api.client;
  const elector = new LeaderElector({
    lock: leaseLock(client, { name: options.lease, namespace: options.namespace }),
    identity: options.identity ?? defaultIdentity(),
    ...(options.leaseDuration !== undefined ? { leaseDuration: options.leaseDuration } : {}),
    ...(options.renewDeadline !== undefined ? { renewDeadline: options.renewDeadline } : {}),
    ...(options.retryPeriod !== undefined ? { retryPeriod: options.retryPeriod } : {}),
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
    log,
    onStartedLeading: async (signal) => {
      options.onStartedLeading?.();
      await controller.run({ signal });
    },
    onStoppedLeading: () => options.onStoppedLeading?.(),
    ...(options.onNewLeader !== undefined ? { onNewLeader: options.onNewLeader } : {}),
  });
  for (;;) {
    const end: TermEnd = await elector.run(options.signal);
    if (end !== "lost" || options.rejoin === false || options.signal?.aborted) return;
  }
}
