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
 * The command's exit code: 0 for a `Success` status, the `ExitCode` cause for a
 * non-zero exit, `null` when there is no status or it names no exit code (the
 * command could not start, for example: read `status.message`).
 */
export function exitCodeOf(status: Status | undefined): number | null {
  if (status === undefined) return null;
  if (status.status === "Success") return 0;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  if (cause?.message === undefined) return null;
  const code = Number.parseInt(cause.message, 10);
  return Number.isInteger(code) ? code : null;
}
