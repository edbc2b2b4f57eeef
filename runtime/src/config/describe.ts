/** A one-line summary of a ClusterConfig that is safe to log: no token, password or key. */
import type { AuthProvider, ClusterConfig } from "./types.js";

export function describeConfig(config: ClusterConfig): string {
  const parts = [safeUrl(config.server)];
  const source = config.source;
  if (source.type === "kubeconfig") {
    const from = source.files.length > 0 ? ` from ${source.files.join(", ")}` : "";
    parts.push(`kubeconfig context "${source.context}" (cluster "${source.cluster}", user "${source.user}")${from}`);
  } else {
    parts.push(source.type);
  }
  parts.push(`namespace "${config.namespace}"`);
  parts.push(`auth: ${describeAuth(config.auth, config.tls.cert !== undefined)}`);
  const tls: string[] = [];
  if (config.tls.insecureSkipTlsVerify) tls.push("server certificate NOT verified");
  else tls.push(config.tls.ca !== undefined ? "CA from config" : "system CAs");
  if (config.tls.serverName !== undefined) tls.push(`server name ${config.tls.serverName}`);
  parts.push(`TLS: ${tls.join(", ")}`);
  if (config.proxyUrl !== undefined) parts.push(`proxy ${safeUrl(config.proxyUrl)}`);
  return parts.join("; ");
}

function describeAuth(auth: AuthProvider | undefined, clientCert: boolean): string {
  const parts: string[] = [];
  if (clientCert) parts.push("client certificate");
  if (auth !== undefined) {
    parts.push(typeof auth.describe === "function" ? auth.describe() : "custom provider");
  }
  return parts.length > 0 ? parts.join(" + ") : "none";
}

/**
 * A URL fit for messages and logs: without user info, query or fragment (a proxy or
 * server URL may carry a password or a token). The runtime's one copy: config, transport
 * and client messages all use it.
 */
export function safeUrl(url: string | URL): string {
  try {
    const parsed = new URL(String(url));
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    parsed.hash = "";
    return parsed.href.replace(/\/$/, "");
  } catch {
    return "<unparsable URL>";
  }
}
