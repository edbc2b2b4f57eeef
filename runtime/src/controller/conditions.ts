/**
 * Status conditions with `meta/v1 Condition` semantics (apimachinery's
 * `meta.SetStatusCondition`): one condition per `type`; `lastTransitionTime` changes
 * only when `status` changes; `reason`, `message` and `observedGeneration` are always
 * brought up to date.
 */
import type { Time } from "../model/meta.js";

export type ConditionStatus = "True" | "False" | "Unknown";

/** `meta/v1 Condition`. */
export interface Condition {
  /** CamelCase, e.g. `Ready`. */
  type: string;
  status: ConditionStatus;
  /** The `metadata.generation` the condition was set from. */
  observedGeneration?: number;
  /** When `status` last changed. */
  lastTransitionTime: Time;
  /** CamelCase, machine-readable. */
  reason: string;
  message: string;
}

/** What to set: `lastTransitionTime` is filled in when the status changes (or the condition is new). */
export type ConditionInit = Omit<Condition, "lastTransitionTime" | "message"> & { lastTransitionTime?: Time; message?: string };

/** A `Time` (RFC 3339, whole seconds, UTC). */
export function metaTime(ms: number): Time {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === "True";
}

/**
 * Sets `condition` in `conditions` (mutated); answers whether anything changed, so a
 * status write can be skipped when nothing did. `now` (ms) is for tests.
 */
export function setCondition(conditions: Condition[], condition: ConditionInit, now: number = Date.now()): boolean {
  const existing = findCondition(conditions, condition.type);
  if (existing === undefined) {
    conditions.push({
      type: condition.type,
      status: condition.status,
      ...(condition.observedGeneration !== undefined ? { observedGeneration: condition.observedGeneration } : {}),
      lastTransitionTime: condition.lastTransitionTime ?? metaTime(now),
      reason: condition.reason,
      message: condition.message ?? "",
    });
    return true;
  }
  let changed = false;
  if (existing.status !== condition.status) {
    existing.status = condition.status;
    existing.lastTransitionTime = condition.lastTransitionTime ?? metaTime(now);
    changed = true;
  }
  if (existing.reason !== condition.reason) {
    existing.reason = condition.reason;
    changed = true;
  }
  const message = condition.message ?? "";
  if (existing.message !== message) {
    existing.message = message;
    changed = true;
  }
  if (condition.observedGeneration !== undefined && existing.observedGeneration !== condition.observedGeneration) {
    existing.observedGeneration = condition.observedGeneration;
    changed = true;
  }
  return changed;
}

/** Removes the condition of `type`; answers whether there was one. */
export function removeCondition(conditions: Condition[], type: string): boolean {
  const index = conditions.findIndex((condition) => condition.type === type);
  if (index < 0) return false;
  conditions.splice(index, 1);
  return true;
}
