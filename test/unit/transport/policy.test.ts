/**
 * The pure parts: retry policy, backoff, Retry-After, error codes, Status synthesis, excerpts.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY } from "@kubex/runtime";
import {
  backoffDelayMs,
  connectionErrorCode,
  isRetriableConnectionError,
  resolveRetryPolicy,
  retryAfterMs,
} from "../../../runtime/src/transport/retry.js";
import { bodyExcerpt, describeRequest, safeUrl, statusFromBody } from "../../../runtime/src/transport/failures.js";

describe("retry policy", () => {
  it("defaults, overrides and off", () => {
    expect(resolveRetryPolicy(undefined)).toBe(DEFAULT_RETRY_POLICY);
    expect(DEFAULT_RETRY_POLICY.methods).toEqual(["GET"]);
    expect(resolveRetryPolicy({ maxRetries: 7 })).toMatchObject({ maxRetries: 7, baseDelayMs: DEFAULT_RETRY_POLICY.baseDelayMs });
    expect(resolveRetryPolicy(false).maxRetries).toBe(0);
    expect(() => resolveRetryPolicy({ maxDelayMs: -1 })).toThrow("retry.maxDelayMs must be a finite number >= 0, got -1");
  });

  it("full jitter: a random wait under an exponentially growing, capped ceiling", () => {
    const policy = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect(backoffDelayMs(policy, 0, () => 0.999)).toBe(99);
    expect(backoffDelayMs(policy, 2, () => 0.5)).toBe(200);
    expect(backoffDelayMs(policy, 10, () => 0.999)).toBe(999);
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
  });

  it("reads Retry-After as seconds or an HTTP date, capped", () => {
    expect(retryAfterMs("2", 10_000)).toBe(2000);
    expect(retryAfterMs(["3"], 10_000)).toBe(3000);
    expect(retryAfterMs("60", 5000)).toBe(5000);
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterMs("Wed, 01 Jan 2025 00:00:04 GMT", 10_000, now)).toBe(4000);
    expect(retryAfterMs("soon", 10_000)).toBeUndefined();
    expect(retryAfterMs(undefined, 10_000)).toBeUndefined();
  });

  it("finds the most specific error code through causes and AggregateErrors", () => {
    const socket = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    expect(connectionErrorCode(socket)).toBe("UND_ERR_SOCKET");
    expect(
      connectionErrorCode(
        Object.assign(new Error("x"), { code: "UND_ERR_SOCKET", cause: Object.assign(new Error("y"), { code: "ECONNRESET" }) }),
      ),
    ).toBe("ECONNRESET");
    const aggregate = Object.assign(new AggregateError([Object.assign(new Error("a"), { code: "ECONNREFUSED" })]), {});
    expect(connectionErrorCode(aggregate)).toBe("ECONNREFUSED");
    expect(isRetriableConnectionError(aggregate)).toBe(true);
    expect(isRetriableConnectionError(Object.assign(new Error("tls"), { code: "CERT_HAS_EXPIRED" }))).toBe(false);
    expect(isRetriableConnectionError(new Error("plain"))).toBe(false);
  });
});

describe("failure text", () => {
  it("describes a request by method, path and query", () => {
    expect(describeRequest("GET", "/api/v1/pods", new URLSearchParams({ labelSelector: "app=web" }))).toBe(
      "GET /api/v1/pods?labelSelector=app%3Dweb",
    );
    expect(describeRequest("DELETE", "/api/v1/namespaces/x", undefined)).toBe("DELETE /api/v1/namespaces/x");
  });

  it("drops user info from URLs", () => {
    expect(safeUrl("http://user:pw@proxy.corp:3128/")).toBe("http://proxy.corp:3128");
    expect(safeUrl("not a url")).toBe("<unparsable URL>");
  });

  it("keeps a Status body, filling in a missing code", () => {
    const body = JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "Conflict", message: "conflict" });
    expect(statusFromBody(409, body, "application/json", [])).toMatchObject({ reason: "Conflict", message: "conflict", code: 409 });
  });

  it("synthesises a Status for JSON that is not one, and for an empty body", () => {
    expect(statusFromBody(502, '{"error":"upstream"}', "application/json", []).message).toBe(
      'the API server (or a proxy in front of it) answered 502 with a body that is not a Status (application/json): "{"error":"upstream"}"',
    );
    expect(statusFromBody(503, "", undefined, [])).toMatchObject({
      code: 503,
      reason: "ServiceUnavailable",
      message: "the API server (or a proxy in front of it) answered 503 with an empty body",
    });
  });

  it("makes short, printable, redacted excerpts", () => {
    expect(bodyExcerpt("x".repeat(500), "text/plain", [])).toHaveLength(201);
    expect(bodyExcerpt("a\u0000b\u001b[31mc\n\n d", "text/plain", [])).toBe("a b [31mc d");
    expect(bodyExcerpt("auth was Bearer abc.def-ghi and basic dXNlcjpwdw==", "text/plain", [])).toBe(
      "auth was Bearer [redacted] and basic [redacted]",
    );
    expect(bodyExcerpt("key: -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- done", "text/plain", [])).toBe(
      "key: [redacted] done",
    );
    expect(bodyExcerpt("the value s3cr3t-v4lue leaked", "text/plain", ["s3cr3t-v4lue"])).toBe("the value [redacted] leaked");
    expect(bodyExcerpt('{"password": "pw123", "token":"t"}', "application/json", [])).toBe(
      '{"password": "[redacted]", "token":"[redacted]"}',
    );
  });
});
