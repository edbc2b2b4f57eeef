/**
 * The `coordination.k8s.io/v1` Lease that leader election writes, as a lock with
 * optimistic concurrency: every update carries the `resourceVersion` it read, so of two
 * candidates writing at once, one gets `Conflict`. The kind is described here (the
 * runtime imports no version package); `coordination.k8s.io/v1` is the same in every
 * supported Kubernetes version.
 */
import { Api } from "../api/index.js";
import { Conflict, NotFound } from "../errors.js";
import type { MicroTime } from "../model/meta.js";
import { KubernetesObject, type ResourceDescription } from "../model/resource.js";
import type { Client } from "../transport/types.js";

/** What a Lease says about its holder (client-go's `LeaderElectionRecord`). */
export interface LeaderElectionRecord {
  /** Who holds the lease; `""` when nobody does (released). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: MicroTime;
  renewTime?: MicroTime;
  /** How many times the lease changed hands. */
  leaseTransitions: number;
}

/** A lease record as read, with the resourceVersion an update must carry. */
export interface ObservedLease {
  record: LeaderElectionRecord;
  resourceVersion: string;
}

/** Where leader election keeps its record. `leaseLock` is the Lease one; tests bring their own. */
export interface LeaseLock {
  /** For messages: `namespace/name`. */
  readonly description: string;
  /** The current record, or `undefined` when the lease does not exist. */
  get(signal: AbortSignal): Promise<ObservedLease | undefined>;
  /** Creates the lease; throws `Conflict` (AlreadyExists) when it exists. */
  create(record: LeaderElectionRecord, signal: AbortSignal): Promise<ObservedLease>;
  /** Writes the record if the lease is still at `resourceVersion`; throws `Conflict` otherwise. */
  update(record: LeaderElectionRecord, resourceVersion: string, signal: AbortSignal): Promise<ObservedLease>;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: MicroTime;
  renewTime?: MicroTime;
  leaseTransitions?: number;
  [field: string]: unknown;
}

/** `coordination.k8s.io/v1 Lease`, described for the runtime's own use. */
class CoordinationLease extends KubernetesObject {
  static readonly resource: ResourceDescription = {
    group: "coordination.k8s.io",
    version: "v1",
    kind: "Lease",
    plural: "leases",
    scope: "Namespaced",
    listKind: "LeaseList",
    subresources: [],
  };
  declare spec?: LeaseSpec;
  constructor(init: object) {
    super(init);
  }
}

function recordOf(lease: CoordinationLease): ObservedLease {
  const spec = lease.spec ?? {};
  return {
    record: {
      holderIdentity: spec.holderIdentity ?? "",
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      ...(spec.acquireTime !== undefined ? { acquireTime: spec.acquireTime } : {}),
      ...(spec.renewTime !== undefined ? { renewTime: spec.renewTime } : {}),
      leaseTransitions: spec.leaseTransitions ?? 0,
    },
    resourceVersion: lease.metadata?.resourceVersion ?? "",
  };
}

/** The spec a record becomes; other spec fields of the lease (strategy, preferredHolder) are kept. */
function specOf(record: LeaderElectionRecord, previous: LeaseSpec | undefined): LeaseSpec {
  const spec: LeaseSpec = {
    ...previous,
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    leaseTransitions: record.leaseTransitions,
  };
  if (record.acquireTime !== undefined) spec.acquireTime = record.acquireTime;
  if (record.renewTime !== undefined) spec.renewTime = record.renewTime;
  if (spec.holderIdentity === "") delete spec.holderIdentity;
  return spec;
}

/** A {@link LeaseLock} on the Lease `name` in `namespace`, created on first acquisition. */
export function leaseLock(client: Client, options: { name: string; namespace: string }): LeaseLock {
  const leases = new Api(CoordinationLease, { client, namespace: options.namespace });
  let lastSpec: LeaseSpec | undefined;
  return {
    description: `${options.namespace}/${options.name}`,
    async get(signal) {
      try {
        const lease = await leases.get(options.name, { signal });
        lastSpec = lease.spec;
        return recordOf(lease);
      } catch (error) {
        if (error instanceof NotFound) return undefined;
        throw error;
      }
    },
    async create(record, signal) {
      const lease = await leases.create(new CoordinationLease({ metadata: { name: options.name }, spec: specOf(record, undefined) }), {
        signal,
      });
      lastSpec = lease.spec;
      return recordOf(lease);
    },
    async update(record, resourceVersion, signal) {
      if (resourceVersion === "") throw new Conflict(409, { reason: "Conflict", message: "no resourceVersion to update the lease from" });
      const body = new CoordinationLease({ metadata: { name: options.name, resourceVersion }, spec: specOf(record, lastSpec) });
      const lease = await leases.replace(options.name, body, { signal });
      lastSpec = lease.spec;
      return recordOf(lease);
    },
  };
}

/** A `MicroTime` (RFC 3339, microseconds, UTC) for `ms` since the epoch. */
export function microTime(ms: number): MicroTime {
  const iso = new Date(ms).toISOString(); // 2026-01-01T00:00:00.123Z
  return `${iso.slice(0, 23)}000Z`;
}
