/**
 * Turning what went wrong on the wire into kubex errors with messages a user can act on.
 * Nothing here may put a credential into a message: request headers are never read,
 * URLs lose their user info, and body excerpts are scrubbed of the request's own
 * credential values and of anything shaped like a token or a key.
 */
import type { ConfigSource } from "../config/types.js";
import { KubexClientError } from "../errors.js";
import type { Status } from "../model/meta.js";
import { connectionErrorCode, NOT_PROCESSED } from "./retry.js";

/** `GET /api/v1/pods?limit=5`: method, path and query; never headers. */
export function describeRequest(method: string, path: string, query: URLSearchParams | undefined): string {
  const q = query?.toString();
  return q ? `${method} ${path}?${q}` : `${method} ${path}`;
}

import { safeUrl } from "../config/describe.js";

export { safeUrl };

const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Gone",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/**
 * The `Status` of a non-2xx answer: the body itself when it is one, otherwise a
 * synthesised Failure naming the code and a short, sanitised excerpt of the body.
 */
export function statusFromBody(code: number, body: string, contentType: string | undefined, secrets: readonly string[]): Status {
  if (looksLikeJson(body)) {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed !== null && typeof parsed === "object" && (parsed as { kind?: unknown }).kind === "Status") {
        const status = redactStatus(parsed as Status, secrets);
        return status.code === undefined ? { ...status, code } : status;
      }
    } catch {
      // fall through to a synthesised Status
    }
  }
  const excerpt = bodyExcerpt(body, contentType, secrets);
  const kind = contentType ? contentType.split(";")[0]!.trim() : "no content type";
  const message =
    excerpt === ""
      ? `the API server (or a proxy in front of it) answered ${code} with an empty body`
      : `the API server (or a proxy in front of it) answered ${code} with a body that is not a Status (${kind}): "${excerpt}"`;
  const reason = REASONS[code];
  return { kind: "Status", apiVersion: "v1", status: "Failure", code, message, ...(reason !== undefined ? { reason } : {}) };
}

function looksLikeJson(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b; // "{"
  }
  return false;
}

const EXCERPT_LENGTH = 200;

/** At most 200 printable characters of a body: tags stripped, whitespace collapsed, secrets redacted. */
export function bodyExcerpt(body: string, contentType: string | undefined, secrets: readonly string[]): string {
  let text = body.length > 65_536 ? body.slice(0, 65_536) : body;
  if (/html|xml/i.test(contentType ?? "") || /^\s*</.test(text)) {
    text = text
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ")
      .replace(/<!--[\s\S]*?-->/g, " ")
      .replace(/<[^>]*>/g, " ")
      .replace(/&nbsp;/g, " ")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, "&");
  }
  text = redactSecrets(text, secrets)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH)}…` : text;
}

/** Replaces known secret values and anything shaped like a credential with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out
    .replace(/-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g, "[redacted]")
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 [redacted]")
    .replace(/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.?[A-Za-z0-9_-]*/g, "[redacted]")
    .replace(/((?:token|password|secret|authorization)["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, "$1[redacted]");
}

/**
 * A `Status` the server sent, with every string in it (message, reason, causes, details)
 * scrubbed by {@link redactSecrets}: a server or webhook may echo the request's token.
 */
export function redactStatus(status: Status, secrets: readonly string[]): Status {
  return redactStrings(status, secrets, 0) as Status;
}

function redactStrings(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof value === "string") return redactSecrets(value, secrets);
  if (value === null || typeof value !== "object" || depth > 8) return depth > 8 ? undefined : value;
  if (Array.isArray(value)) return value.map((item) => redactStrings(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactStrings(item, secrets, depth + 1);
  return out;
}

/** The credential values in a set of request headers, for scrubbing excerpts. */
export function secretValues(headers: Record<string, string | readonly string[]> | undefined): string[] {
  if (headers === undefined) return [];
  const values: string[] = [];
  for (const value of Object.values(headers).flat()) {
    values.push(value);
    const space = value.indexOf(" ");
    if (space > 0) values.push(value.slice(space + 1)); // the token without its "Bearer " scheme
  }
  return values.sort((a, b) => b.length - a.length);
}

/** What the transport knows about where it connects, for error messages. */
export interface FailureContext {
  server: string;
  source: ConfigSource;
  proxy: string | undefined;
  hasClientCert: boolean;
}

const UNVERIFIED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
]);

/**
 * A `KubexClientError` for a failure to connect, to complete TLS, or to get an answer,
 * naming the request and the server and saying what to check.
 */
export function connectionFailure(error: unknown, request: string, context: FailureContext, attempts?: number): KubexClientError {
  const code = connectionErrorCode(error);
  const server = context.server;
  const via = context.proxy !== undefined ? ` via proxy ${context.proxy}` : "";
  const kubeconfig = context.source.type === "kubeconfig";
  let what: string;
  if (code !== undefined && UNVERIFIED.has(code)) {
    const hint = kubeconfig
      ? "set certificate-authority (or certificate-authority-data) in the kubeconfig"
      : context.source.type === "in-cluster"
        ? "check the service account's ca.crt"
        : "pass the cluster's CA as tls.ca";
    what = `TLS: unable to verify the server certificate for ${server} (${code}); ${hint}`;
  } else if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    what = `TLS: the server certificate for ${server} is ${code === "CERT_HAS_EXPIRED" ? "expired" : "not valid yet"}`;
  } else if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const reason = typeof (error as { reason?: unknown })?.reason === "string" ? ` (${(error as { reason: string }).reason})` : "";
    what = `TLS: the server certificate for ${server} does not name the host${reason}; ${kubeconfig ? "set tls-server-name in the kubeconfig" : "set tls.serverName"} to a name the certificate carries`;
  } else if (
    code !== undefined &&
    /^ERR_SSL_.*(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE)/.test(code)
  ) {
    what = context.hasClientCert
      ? `TLS: ${server} rejected the client certificate (${code}); check client-certificate and client-key`
      : `TLS: ${server} asked for a client certificate and none is configured (${code}); set client-certificate and client-key`;
  } else if (code !== undefined && (code.startsWith("ERR_SSL_") || code === "EPROTO" || code.startsWith("ERR_TLS_"))) {
    what = `TLS handshake with ${server}${via} failed (${code})`;
  } else if (code === "ECONNREFUSED") {
    what = `connection to ${context.proxy ?? server} refused${context.proxy !== undefined ? " (the proxy)" : ""}; is the API server running and the address right?`;
  } else if (code === "ECONNRESET" && server.startsWith("https:") && handshakeCut(error)) {
    // Cut before the handshake completed: the server never got as far as a client certificate.
    what = `TLS: the connection to ${server}${via} was closed during the TLS handshake (${code}); something in between (a proxy, a load balancer, a firewall) may be cutting it, or the port may not serve TLS`;
  } else if ((code === "ECONNRESET" || code === "UND_ERR_SOCKET") && server.startsWith("https:") && freshSocket(error)) {
    // After the handshake, nothing read: with TLS 1.3 a server checks the client certificate
    // only now, and may close without the alert that would say so. A hint, not a verdict.
    what = context.hasClientCert
      ? `TLS: ${server}${via} closed the connection after the TLS handshake without answering (${code}); a server that requires client certificates does this when it refuses one, so check client-certificate and client-key if nothing else explains it`
      : `TLS: ${server}${via} closed the connection after the TLS handshake without answering (${code}); a server that requires a client certificate does this when none was sent: set client-certificate and client-key, or a token`;
  } else if (code === NOT_PROCESSED) {
    what = `${server} refused the request before processing it (HTTP/2 ${/GOAWAY/.test(String((error as Error)?.message)) ? "GOAWAY: the server is shutting the connection down" : "REFUSED_STREAM"}); nothing was done, it may be sent again`;
  } else if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET") {
    what = `the connection to ${server}${via} was closed before an answer arrived (${code})`;
  } else if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    const host = hostnameOf(context.proxy ?? server);
    what = `cannot resolve ${host} (${code}); check the ${context.proxy !== undefined ? "proxy" : "server"} address`;
  } else if (code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    what = `${context.proxy ?? server} is unreachable (${code})`;
  } else if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT") {
    what = `connecting to ${context.proxy ?? server} timed out (${code})`;
  } else if (code === "UND_ERR_HEADERS_TIMEOUT") {
    what = `${server} sent no response headers in time (${code})`;
  } else if (code === "UND_ERR_CLOSED" || code === "UND_ERR_DESTROYED") {
    what = "the client is closed";
  } else if (/^Proxy response \((\d+)\)/.test(String((error as { message?: unknown })?.message))) {
    const status = /^Proxy response \((\d+)\)/.exec(String((error as { message: string }).message))![1];
    what = `the proxy ${context.proxy ?? ""} refused to open a tunnel to ${server} (it answered ${status})`;
  } else if (/Proxy Authentication Required/.test(String((error as { message?: unknown })?.message))) {
    what = `the proxy ${context.proxy ?? ""} asked for authentication (407)`;
  } else {
    what = `request to ${server}${via} failed${code !== undefined ? ` (${code})` : ""}`;
  }
  return new KubexClientError(`${request}: ${what}`, { cause: error, ...(attempts !== undefined ? { attempts } : {}) });
}

/** Node's own words for a TLS socket closed before its handshake completed. */
function handshakeCut(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === "object"; depth++) {
    if (/before secure TLS connection was established/.test(String((current as { message?: unknown }).message))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** True when undici reports that nothing at all was read from the socket (so not a reused keep-alive one). */
function freshSocket(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === "object"; depth++) {
    const socket = (current as { socket?: { bytesRead?: unknown } }).socket;
    if (socket !== undefined && typeof socket.bytesRead === "number") return socket.bytesRead === 0;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
