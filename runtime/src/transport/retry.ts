/**
 * Retry policy: which failures are worth sending a request again, and how long to wait.
 * Pure; the transport does the waiting.
 */
import type { HttpMethod } from "./types.js";

/** How the transport retries safe requests on 429, 503, 504 and refused or reset connections. */
export interface RetryPolicy {
  /** Retries after the first attempt (so at most `maxRetries + 1` sends). */
  maxRetries: number;
  /** Backoff base: attempt `n` waits a random time in `[0, min(maxDelayMs, baseDelayMs * 2^n)]`. */
  baseDelayMs: number;
  /** Upper bound of any wait, including one asked for by `Retry-After`. */
  maxDelayMs: number;
  /**
   * Methods that may be retried; only `GET` unless you widen it. `POST` and `PATCH` listed
   * here are retried only when the server cannot have handled them (a refused connection,
   * an HTTP/2 stream it refused, a 429), never after a reset or a 503/504: through a cutting proxy, 8 of 60
   * `generateName` creates retried on a reset made two objects.
   */
  methods: readonly HttpMethod[];
}

/** `false` switches retries off; an object overrides parts of {@link DEFAULT_RETRY_POLICY}. */
export type RetryOptions = false | Partial<RetryPolicy>;

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 3,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  methods: Object.freeze(["GET"] as HttpMethod[]),
});

const NO_RETRY: Readonly<RetryPolicy> = Object.freeze({ ...DEFAULT_RETRY_POLICY, maxRetries: 0 });

export function resolveRetryPolicy(options: RetryOptions | undefined): Readonly<RetryPolicy> {
  if (options === false) return NO_RETRY;
  if (options === undefined) return DEFAULT_RETRY_POLICY;
  const policy = { ...DEFAULT_RETRY_POLICY, ...stripUndefined(options) };
  for (const key of ["maxRetries", "baseDelayMs", "maxDelayMs"] as const) {
    const value = policy[key];
    if (!Number.isFinite(value) || value < 0) {
      throw new TypeError(`retry.${key} must be a finite number >= 0, got ${String(value)}`);
    }
  }
  return Object.freeze(policy);
}

function stripUndefined(options: Partial<RetryPolicy>): Partial<RetryPolicy> {
  const out: Partial<RetryPolicy> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** HTTP status codes that say "try again later" without the request having had an effect that matters. */
export function isRetriableStatus(code: number): boolean {
  return code === 429 || code === 503 || code === 504;
}

/**
 * Methods whose second send may do something the first already did: a `POST` with
 * `generateName` makes a second object, a JSON patch `add` adds twice. Through a proxy
 * cutting connections, 8 of 60 such creates retried on a reset made two objects while
 * every call reported success.
 */
const NON_IDEMPOTENT = new Set<HttpMethod>(["POST", "PATCH"]);

/**
 * Whether a failed `method` may be sent again. Idempotent methods: on 429, 503, 504.
 * `POST` and `PATCH`, even when listed in `methods`: only on 429, which the API server
 * sends before it handles a request (its flow control); a 503 or 504 may come from a
 * proxy after the server did the work.
 */
export function mayRetryStatus(method: HttpMethod, code: number): boolean {
  return NON_IDEMPOTENT.has(method) ? code === 429 : isRetriableStatus(code);
}

/**
 * Whether a connection failure allows sending `method` again. Idempotent methods: on a
 * refused or reset connection. `POST` and `PATCH`: only when the connection was refused
 * or the server refused the HTTP/2 stream before processing it (nothing was done); after a
 * reset the server may have done the work.
 */
export function mayRetryConnectionError(method: HttpMethod, error: unknown): boolean {
  if (!NON_IDEMPOTENT.has(method)) return isRetriableConnectionError(error);
  const code = connectionErrorCode(error);
  return code === "ECONNREFUSED" || code === NOT_PROCESSED;
}

/** The code of an HTTP/2 stream the server refused before processing it (the HTTP/2 lane sets it): nothing was sent on. */
export const NOT_PROCESSED = "KUBEX_HTTP2_NOT_PROCESSED";

const RETRIABLE_CONNECTION_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "UND_ERR_SOCKET", NOT_PROCESSED]);

/** A refused or reset connection (before any response headers arrived). */
export function isRetriableConnectionError(error: unknown): boolean {
  const code = connectionErrorCode(error);
  return code !== undefined && RETRIABLE_CONNECTION_CODES.has(code);
}

/**
 * The most specific system or undici error code on an error, its causes, or an
 * AggregateError's first member (`ECONNREFUSED` rather than a wrapping `UND_ERR_SOCKET`).
 */
export function connectionErrorCode(error: unknown): string | undefined {
  let fallback: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") {
      if (!code.startsWith("UND_ERR_")) return code;
      fallback ??= code;
    }
    const members = (current as { errors?: unknown }).errors;
    if (Array.isArray(members) && members.length > 0) {
      const inner = connectionErrorCode(members[0]);
      if (inner !== undefined && !inner.startsWith("UND_ERR_")) return inner;
    }
    const next = (current as { cause?: unknown }).cause;
    if (next === current) break;
    current = next;
  }
  return fallback;
}

/** Full-jitter exponential backoff for retry number `retry` (0-based). */
export function backoffDelayMs(policy: Readonly<RetryPolicy>, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/** Longest delay `setTimeout` honours (about 24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The one policy for a wait the server asks for (`Retry-After`, `details.retryAfterSeconds`),
 * used by the transport's retries and by the resuming watch: honoured up to the caller's
 * largest backoff delay (`maxDelayMs`), never negative, never past what a timer can wait.
 * A server cannot stall a client longer than its own backoff would, nor make it spin.
 */
export function serverRequestedDelayMs(ms: number, maxDelayMs: number): number {
  if (Number.isNaN(ms) || ms <= 0) return 0;
  return Math.min(ms, maxDelayMs, MAX_TIMER_MS);
}

/**
 * Milliseconds a `Retry-After` header asks for (delta-seconds or an HTTP date), capped by
 * {@link serverRequestedDelayMs}; undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | string[] | undefined, maxDelayMs: number, now: number = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return serverRequestedDelayMs(ms, maxDelayMs);
}

/** `Retry-After` as whole seconds, for the error's `retryAfterSeconds`. */
export function retryAfterSeconds(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}
