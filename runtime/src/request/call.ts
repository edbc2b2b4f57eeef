/**
 * The `signal` / `timeout` part of a call's options, checked before anything is sent
 * (pure). Every verb and accessor hands its options through here, so a bad value is an
 * `InvalidRequest` instead of a timeout that silently never fires.
 */
import { InvalidRequest } from "../errors.js";
import type { CallOptions } from "./options.js";

export function callPart(options: CallOptions, what?: string): CallOptions {
  const part: CallOptions = {};
  const { signal, timeout } = options;
  const prefix = what !== undefined ? `${what}: ` : "";
  if (signal !== undefined) {
    const candidate = signal as unknown as { aborted?: unknown; addEventListener?: unknown } | null;
    if (
      candidate === null ||
      typeof candidate !== "object" ||
      typeof candidate.aborted !== "boolean" ||
      typeof candidate.addEventListener !== "function"
    ) {
      throw new InvalidRequest(
        `${prefix}signal must be an AbortSignal (e.g. AbortSignal.timeout(5000) or controller.signal), got ${describe(signal)}`,
      );
    }
    part.signal = signal;
  }
  if (timeout !== undefined) {
    if (typeof timeout !== "number" || Number.isNaN(timeout) || timeout < 0) {
      throw new InvalidRequest(`${prefix}timeout must be a number of milliseconds, 0 or more (0: no timeout), got ${describe(timeout)}`);
    }
    part.timeout = timeout;
  }
  return part;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  return typeof value;
}
