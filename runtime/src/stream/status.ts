import type { Status } from "../model/meta.js";

/**
 * Reading the `metav1.Status` that exec and attach send on the error channel when the
 * command ends (pure).
 */

/** Parses the error channel's payload; `undefined` when it is not a JSON object. */
export function parseStatus(payload: Buffer | string): Status | undefined {
  const text = typeof payload === "string" ? payload : payload.toString("utf8");
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    return value as Status;
  } catch {
    return undefined;
  }
}

/**
 * The command's exit code, read from the `Status` the error channel carried:
 * - `Success`: 0;
 * - a `details.causes` entry with reason `ExitCode` (what the kubelet sends): its value;
 * - a message ending in Go's `exit status N` (runtimes that only wrap the error, such
 *   as kwok's fake kubelet): N;
 * - any other failure (the command could not start, the container is gone): 1, as
 *   `kubectl exec` exits; `status.message` says what happened.
 * `null` only when no status came at all.
 */
export function exitCodeOf(status: Status | undefined): number | null {
  if (status === undefined) return null;
  if (status.status === "Success") return 0;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const fromCause = cause?.message !== undefined ? Number.parseInt(cause.message, 10) : Number.NaN;
  if (Number.isInteger(fromCause)) return fromCause;
  const fromMessage = /exit status (\d+)\s*$/.exec(status.message ?? "");
  if (fromMessage !== null) return Number(fromMessage[1]);
  return 1;
}
