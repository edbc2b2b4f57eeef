/**
 * A (merged) kubeconfig + overrides -> the ClusterConfig a client uses. Reads the
 * certificate files the kubeconfig names; creates the auth provider for the user.
 */
import { readFile } from "node:fs/promises";
import { KubexConfigError } from "../errors.js";
import { BasicAuth, BearerTokenAuth } from "./auth/static.js";
import { ExecCredentialAuth } from "./auth/exec.js";
import type { ExecClusterInfo } from "./auth/exec-credential.js";
import { TokenFileAuth } from "./auth/token-file.js";
import type { Kubeconfig, KubeconfigCluster, KubeconfigUser } from "./kubeconfig.js";
import { protectConfig } from "./protect.js";
import type { AuthProvider, ClusterConfig, TlsConfig } from "./types.js";

export interface SelectOptions {
  /** Context to use instead of `current-context`. */
  context?: string;
  /** Cluster to use instead of the context's. */
  cluster?: string;
  /** User to use instead of the context's. */
  user?: string;
  /** Namespace to use instead of the context's. */
  namespace?: string;
  /** Environment exec plugins start from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Milliseconds an exec credential plugin may run (default 60 000). */
  execTimeout?: number;
  signal?: AbortSignal;
}

export async function resolveKubeconfig(config: Kubeconfig, options: SelectOptions = {}): Promise<ClusterConfig> {
  const files = config.files;
  const anyFile = files.length === 1 ? files[0] : files.length > 1 ? files.join(", ") : undefined;
  const fileOf = (entry: { file: string | undefined } | undefined) => entry?.file ?? anyFile;
  const err = (message: string, d: { file?: string | undefined; context?: string | undefined; field?: string; hint?: string; cause?: unknown }) =>
    new KubexConfigError(message, Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)));

  const contextName = options.context ?? config.currentContext;
  let context = contextName !== undefined ? config.contexts.get(contextName) : undefined;
  if (contextName === undefined) {
    if (options.cluster === undefined) {
      throw err("kubeconfig has no current-context", {
        file: anyFile,
        field: "current-context",
        hint: `pass { context } or run \`kubectl config use-context NAME\`${names(config.contexts)}`,
      });
    }
  } else if (context === undefined) {
    throw err(`context "${contextName}" not found`, {
      file: options.context !== undefined ? anyFile : (config.currentContextFile ?? anyFile),
      context: contextName,
      field: options.context !== undefined ? "contexts" : "current-context",
      hint: `use a context the kubeconfig defines${names(config.contexts)}`,
    });
  }
  const ctxLabel = contextName;
  const clusterName = options.cluster ?? context?.cluster;
  if (clusterName === undefined) {
    throw err("context names no cluster", { file: fileOf(context), context: ctxLabel, field: `contexts[${JSON.stringify(ctxLabel)}].context.cluster`, hint: "set the context's cluster or pass { cluster }" });
  }
  const cluster = config.clusters.get(clusterName);
  if (cluster === undefined) {
    throw err(`cluster "${clusterName}" not found`, {
      file: options.cluster !== undefined ? anyFile : fileOf(context),
      context: ctxLabel,
      field: options.cluster !== undefined ? "clusters" : `contexts[${JSON.stringify(ctxLabel)}].context.cluster`,
      hint: `define it under clusters or pick another${names(config.clusters)}`,
    });
  }
  const userName = options.user ?? context?.user;
  let user: KubeconfigUser | undefined;
  if (userName !== undefined) {
    user = config.users.get(userName);
    if (user === undefined) {
      throw err(`user "${userName}" not found`, {
        file: options.user !== undefined ? anyFile : fileOf(context),
        context: ctxLabel,
        field: options.user !== undefined ? "users" : `contexts[${JSON.stringify(ctxLabel)}].context.user`,
        hint: `define it under users or pick another${names(config.users)}`,
      });
    }
  }

  const clusterAt = `clusters[${JSON.stringify(cluster.name)}].cluster`;
  const server = serverUrl(cluster, clusterAt, ctxLabel);
  const tls: TlsConfig = {};
  const reader = new MaterialReader(ctxLabel, options.signal);
  if (cluster.certificateAuthorityData !== undefined && cluster.certificateAuthority !== undefined) {
    throw err("certificate-authority and certificate-authority-data are both set", { file: cluster.file, context: ctxLabel, field: `${clusterAt}.certificate-authority-data`, hint: "keep one of them" });
  }
  if (cluster.insecureSkipTlsVerify && (cluster.certificateAuthority !== undefined || cluster.certificateAuthorityData !== undefined)) {
    throw err("insecure-skip-tls-verify cannot be combined with a certificate authority", { file: cluster.file, context: ctxLabel, field: `${clusterAt}.insecure-skip-tls-verify`, hint: "remove insecure-skip-tls-verify (verification with the CA is what you want) or the CA" });
  }
  const ca = await reader.pem(cluster.file, `${clusterAt}.certificate-authority`, cluster.certificateAuthority, cluster.certificateAuthorityData, "CA certificate");
  if (ca !== undefined) tls.ca = ca;
  if (cluster.tlsServerName !== undefined) tls.serverName = cluster.tlsServerName;
  if (cluster.insecureSkipTlsVerify) tls.insecureSkipTlsVerify = true;
  if (cluster.proxyUrl !== undefined) checkProxyUrl(cluster, clusterAt, ctxLabel);

  let auth: AuthProvider | undefined;
  if (user !== undefined) {
    const userAt = `users[${JSON.stringify(user.name)}].user`;
    const uerr = (message: string, field: string, hint: string) => err(message, { file: user.file, context: ctxLabel, field: `${userAt}.${field}`, hint });
    if (user.clientCertificate !== undefined && user.clientCertificateData !== undefined) throw uerr("client-certificate and client-certificate-data are both set", "client-certificate-data", "keep one of them");
    if (user.clientKey !== undefined && user.clientKeyData !== undefined) throw uerr("client-key and client-key-data are both set", "client-key-data", "keep one of them");
    const cert = await reader.pem(user.file, `${userAt}.client-certificate`, user.clientCertificate, user.clientCertificateData, "client certificate");
    const key = await reader.pem(user.file, `${userAt}.client-key`, user.clientKey, user.clientKeyData, "client key");
    if ((cert === undefined) !== (key === undefined)) {
      throw uerr(cert === undefined ? "client key given without a client certificate" : "client certificate given without a client key", cert === undefined ? "client-certificate" : "client-key", "a client certificate needs both the certificate and its key");
    }
    if (cert !== undefined) tls.cert = cert;
    if (key !== undefined) tls.key = key;

    const hasToken = user.token !== undefined || user.tokenFile !== undefined;
    const hasBasic = user.username !== undefined || user.password !== undefined;
    if (hasToken && hasBasic) throw uerr("a bearer token and username/password are both set", "username", "keep one way of authenticating");
    if (user.exec !== undefined && (hasToken || hasBasic)) throw uerr("an exec plugin and a token or username/password are both set", "exec", "keep one way of authenticating");
    if (user.authProvider !== undefined && user.exec === undefined && !hasToken) {
      throw uerr(`auth-provider "${user.authProvider}" is not supported`, "auth-provider", "use an exec credential plugin instead (client-go removed the built-in auth providers)");
    }
    if (user.exec !== undefined) {
      const info: ExecClusterInfo = { server };
      if (tls.serverName !== undefined) info.tlsServerName = tls.serverName;
      if (tls.insecureSkipTlsVerify) info.insecureSkipTlsVerify = true;
      if (tls.ca !== undefined) info.ca = tls.ca;
      if (cluster.proxyUrl !== undefined) info.proxyUrl = cluster.proxyUrl;
      if (cluster.execExtension !== undefined) info.config = cluster.execExtension;
      const source: { file?: string; context?: string; field?: string } = { field: `${userAt}.exec` };
      if (user.file !== undefined) source.file = user.file;
      if (ctxLabel !== undefined) source.context = ctxLabel;
      const execOptions: ConstructorParameters<typeof ExecCredentialAuth>[1] = { cluster: info, source };
      if (options.env !== undefined) execOptions.env = options.env;
      if (options.execTimeout !== undefined) execOptions.timeout = options.execTimeout;
      auth = new ExecCredentialAuth(user.exec, execOptions);
    } else if (user.tokenFile !== undefined) {
      // client-go: the file, read periodically, takes precedence over an inline token.
      const source: { file?: string; context?: string; field?: string } = { field: `${userAt}.tokenFile` };
      if (user.file !== undefined) source.file = user.file;
      if (ctxLabel !== undefined) source.context = ctxLabel;
      const fileAuth = new TokenFileAuth(user.tokenFile, { source });
      await fileAuth.headers(); // a missing or empty file is a configuration error now, not at the first request
      auth = fileAuth;
    } else if (user.token !== undefined) {
      auth = new BearerTokenAuth(user.token);
    } else if (hasBasic) {
      if (user.username === undefined || user.password === undefined) throw uerr("username and password must both be set", user.username === undefined ? "username" : "password", "set both, or neither");
      auth = new BasicAuth(user.username, user.password);
    }
  }

  const result: ClusterConfig = {
    server,
    tls,
    namespace: options.namespace ?? context?.namespace ?? "default",
    source: { type: "kubeconfig", files: [...files], context: ctxLabel ?? "", cluster: cluster.name, user: user?.name ?? "" },
  };
  if (auth !== undefined) result.auth = auth;
  if (cluster.proxyUrl !== undefined) result.proxyUrl = cluster.proxyUrl;
  return protectConfig(result);
}

function names(map: Map<string, unknown>): string {
  const list = [...map.keys()];
  if (list.length === 0) return " (it defines none)";
  const shown = list.slice(0, 10).map((n) => JSON.stringify(n)).join(", ");
  return ` (defined: ${shown}${list.length > 10 ? ", ..." : ""})`;
}

function serverUrl(cluster: KubeconfigCluster, at: string, context: string | undefined): string {
  const details = { ...(cluster.file !== undefined ? { file: cluster.file } : {}), ...(context !== undefined ? { context } : {}), field: `${at}.server` };
  if (cluster.server === undefined || cluster.server === "") {
    throw new KubexConfigError(`cluster "${cluster.name}" has no server`, { ...details, hint: "set server to the API server's URL, e.g. https://127.0.0.1:6443" });
  }
  // Like client-go, a bare host:port means https.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(cluster.server) ? cluster.server : `https://${cluster.server}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new KubexConfigError(`cluster "${cluster.name}" server is not a valid URL`, { ...details, hint: "write it as https://HOST:PORT" });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new KubexConfigError(`cluster "${cluster.name}" server must be an http(s) URL`, { ...details, hint: "write it as https://HOST:PORT" });
  }
  if (url.username !== "" || url.password !== "") {
    throw new KubexConfigError(`cluster "${cluster.name}" server URL must not carry credentials`, { ...details, hint: "put credentials under users[].user" });
  }
  return text.replace(/\/+$/, "");
}

function checkProxyUrl(cluster: KubeconfigCluster, at: string, context: string | undefined): void {
  let ok = false;
  try {
    ok = ["http:", "https:", "socks5:", "socks5h:"].includes(new URL(cluster.proxyUrl as string).protocol);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new KubexConfigError(`cluster "${cluster.name}" proxy-url is not a valid proxy URL`, {
      ...(cluster.file !== undefined ? { file: cluster.file } : {}),
      ...(context !== undefined ? { context } : {}),
      field: `${at}.proxy-url`,
      hint: "write it as http://HOST:PORT or https://HOST:PORT",
    });
  }
}

/** Reads PEM material from a file or from base64 `-data`, with errors that name the field. */
class MaterialReader {
  constructor(
    readonly context: string | undefined,
    readonly signal: AbortSignal | undefined,
  ) {}

  async pem(file: string | undefined, field: string, filePath: string | undefined, data: string | undefined, what: string): Promise<string | undefined> {
    const where = { ...(file !== undefined ? { file } : {}), ...(this.context !== undefined ? { context: this.context } : {}) };
    if (data !== undefined) {
      const dataField = `${field}-data`;
      if (!/^[A-Za-z0-9+/=\s_-]*$/.test(data)) {
        throw new KubexConfigError(`${dataField.split(".").pop()} is not base64`, { ...where, field: dataField, hint: `it must hold the base64 encoding of the ${what} PEM file (base64 -w0 FILE)` });
      }
      const text = Buffer.from(data, "base64").toString("utf8");
      if (!text.includes("-----BEGIN")) {
        throw new KubexConfigError(`${dataField.split(".").pop()} does not decode to PEM`, { ...where, field: dataField, hint: `it must hold the base64 encoding of the ${what} PEM file (base64 -w0 FILE)` });
      }
      return text;
    }
    if (filePath === undefined) return undefined;
    let text: string;
    try {
      text = await readFile(filePath, { encoding: "utf8", ...(this.signal !== undefined ? { signal: this.signal } : {}) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((error as Error).name === "AbortError") throw error;
      throw new KubexConfigError(
        code === "ENOENT" ? `${what} file ${filePath} does not exist` : `${what} file ${filePath} cannot be read (${code ?? "error"})`,
        { ...where, field, hint: code === "ENOENT" ? "fix the path (relative paths are relative to the kubeconfig file that names them)" : "check the file's permissions", cause: error },
      );
    }
    if (!text.includes("-----BEGIN")) {
      throw new KubexConfigError(`${what} file ${filePath} is not PEM`, { ...where, field, hint: `point it at the ${what} in PEM format` });
    }
    return text;
  }
}
