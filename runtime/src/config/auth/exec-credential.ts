/**
 * The ExecCredential exchange with a client-go credential plugin, without I/O:
 * the `KUBERNETES_EXEC_INFO` the plugin reads, and the validation of what it prints.
 */
import { KubexConfigError } from "../../errors.js";
import { invalidJsonPosition } from "./json-position.js";

/** The cluster as an exec plugin sees it with `provideClusterInfo: true`. */
export interface ExecClusterInfo {
  server: string;
  tlsServerName?: string;
  insecureSkipTlsVerify?: boolean;
  /** PEM CA bundle (sent base64-encoded as `certificate-authority-data`). */
  ca?: string;
  proxyUrl?: string;
  /** The cluster's `client.authentication.k8s.io/exec` extension. */
  config?: unknown;
}

export interface ExecCredentialResult {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** Milliseconds since the epoch; undefined when the credential does not expire. */
  expiresAt?: number;
}

/** Names the plugin in errors: where it is configured. */
export interface ExecErrorContext {
  file?: string;
  context?: string;
  field?: string;
  command: string;
}

/** The JSON for the `KUBERNETES_EXEC_INFO` environment variable. */
export function execInfoJson(apiVersion: string, interactive: boolean, cluster: ExecClusterInfo | undefined): string {
  const spec: Record<string, unknown> = { interactive };
  if (cluster !== undefined) {
    const info: Record<string, unknown> = { server: cluster.server };
    if (cluster.tlsServerName !== undefined) info["tls-server-name"] = cluster.tlsServerName;
    if (cluster.insecureSkipTlsVerify) info["insecure-skip-tls-verify"] = true;
    if (cluster.ca !== undefined) info["certificate-authority-data"] = Buffer.from(cluster.ca, "utf8").toString("base64");
    if (cluster.proxyUrl !== undefined) info["proxy-url"] = cluster.proxyUrl;
    if (cluster.config !== undefined) info["config"] = cluster.config;
    spec["cluster"] = info;
  }
  return JSON.stringify({ apiVersion, kind: "ExecCredential", spec });
}

/**
 * Validates a plugin's stdout. Errors say what is wrong and where, never what was printed.
 */
export function parseExecCredential(stdout: string, apiVersion: string, where: ExecErrorContext): ExecCredentialResult {
  const fail = (what: string, hint: string): never => {
    throw new KubexConfigError(`exec credential plugin "${where.command}" ${what}`, { ...details(where), hint });
  };
  if (stdout.trim() === "")
    fail("printed nothing on stdout", "the plugin must print an ExecCredential object as JSON; run it by hand to see what it needs");
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    const pos = invalidJsonPosition(stdout);
    fail(
      `printed invalid JSON${pos !== undefined ? ` at line ${pos.line}, column ${pos.column}` : ""} (${Buffer.byteLength(stdout)} bytes)`,
      "the plugin must print only an ExecCredential object on stdout (messages belong on stderr)",
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail("printed JSON that is not an object", "the plugin must print an ExecCredential object");
  }
  const object = value as Record<string, unknown>;
  if (object["kind"] !== "ExecCredential") {
    fail(
      `printed kind ${describeValue(object["kind"], /^[A-Z][A-Za-z]{0,40}$/)}, expected "ExecCredential"`,
      "check that the command is a client-go credential plugin",
    );
  }
  if (object["apiVersion"] !== apiVersion) {
    fail(
      `printed apiVersion ${describeValue(object["apiVersion"], /^([a-z0-9-]+\.)*[a-z0-9-]+\/v\d+((alpha|beta)\d+)?$|^v\d+$/)}, expected "${apiVersion}"`,
      `set users[].user.exec.apiVersion to the version the plugin speaks, or update the plugin`,
    );
  }
  const status = object["status"];
  if (typeof status !== "object" || status === null || Array.isArray(status)) {
    return fail(
      "printed an ExecCredential without status",
      "the plugin must set status.token or status.clientCertificateData and clientKeyData",
    );
  }
  const s = status as Record<string, unknown>;
  const text = (key: string): string | undefined => {
    const v = s[key];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string") fail(`printed status.${key} that is not a string`, "fix or update the plugin");
    return v as string;
  };
  const result: ExecCredentialResult = {};
  const token = text("token");
  const cert = text("clientCertificateData");
  const key = text("clientKeyData");
  if (token !== undefined) result.token = token;
  if ((cert === undefined) !== (key === undefined)) {
    fail("printed only one of status.clientCertificateData and status.clientKeyData", "a client certificate needs both");
  }
  if (cert !== undefined && key !== undefined) {
    result.clientCertificateData = cert;
    result.clientKeyData = key;
  }
  if (token === undefined && cert === undefined) {
    fail(
      "printed an ExecCredential with no credentials",
      "the plugin must set status.token or status.clientCertificateData and clientKeyData",
    );
  }
  const expiration = text("expirationTimestamp");
  if (expiration !== undefined) {
    const at = Date.parse(expiration);
    if (Number.isNaN(at)) fail("printed a status.expirationTimestamp that is not an RFC 3339 time", "fix or update the plugin");
    result.expiresAt = at;
  }
  return result;
}

export function details(where: ExecErrorContext): { file?: string; context?: string; field?: string } {
  const out: { file?: string; context?: string; field?: string } = {};
  if (where.file !== undefined) out.file = where.file;
  if (where.context !== undefined) out.context = where.context;
  if (where.field !== undefined) out.field = where.field;
  return out;
}

/**
 * apiVersion/kind values are echoed only when they have the shape of one (stdout may hold
 * a credential anywhere); anything else is described by its type.
 */
function describeValue(value: unknown, shape: RegExp): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string" && value.length <= 80 && shape.test(value)) return `"${value}"`;
  return typeof value === "string" ? "an unexpected string" : `a ${value === null ? "null" : typeof value}`;
}
