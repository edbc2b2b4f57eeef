/**
 * A (merged) kubeconfig + overrides -> the ClusterConfig a client uses, as client-go's
 * clientcmd does: the context in use, its cluster and user are validated (entries nobody uses
 * are not), the certificate files they name are read, and the user's auth provider is made.
 *
 * Like client-go, user credentials (tokens, passwords, client certificates, exec plugins,
 * auth providers) are used only for an `https://` server: for `http://` they are left out, with
 * a warning, so no credential ever travels in clear. Impersonation applies either way.
 */
import { readFile } from "node:fs/promises";
import { KubexConfigError } from "../errors.js";
import { BasicAuth, BearerTokenAuth } from "./auth/static.js";
import { ExecCredentialAuth } from "./auth/exec.js";
import type { ExecClusterInfo } from "./auth/exec-credential.js";
import { OidcAuth, type OidcConfig } from "./auth/oidc.js";
import { TokenFileAuth } from "./auth/token-file.js";
import type { ExecConfig, ExecEntry, Kubeconfig, KubeconfigCluster, KubeconfigUser } from "./kubeconfig.js";
import { persistAuthProviderConfig } from "./persist.js";
import { protectConfig } from "./protect.js";
import type { AuthProvider, ClusterConfig, Impersonation, TlsConfig } from "./types.js";

export interface SelectOptions {
  /** Context to use instead of `current-context`. */
  context?: string;
  /** Cluster to use instead of the context's. */
  cluster?: string;
  /** User to use instead of the context's. */
  user?: string;
  /** Namespace to use instead of the context's. */
  namespace?: string;
  /** Identity to act as instead of the user's `as`/`as-groups`/... (replaces them as a whole). */
  impersonate?: Impersonation;
  /** Environment exec plugins start from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Milliseconds an exec credential plugin may run (default 60 000). */
  execTimeout?: number;
  /** Receives warnings (credentials left out for an http:// server); default `process.emitWarning`. */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

const EXEC_API_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];
const INTERACTIVE_MODES = ["Never", "IfAvailable", "Always"];

type Details = { file?: string | undefined; context?: string | undefined; field?: string; hint?: string; cause?: unknown };
const err = (message: string, d: Details) =>
  new KubexConfigError(message, Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)));

export async function resolveKubeconfig(config: Kubeconfig, options: SelectOptions = {}): Promise<ClusterConfig> {
  const files = config.files;
  const anyFile = files.length === 1 ? files[0] : files.length > 1 ? files.join(", ") : undefined;
  const fileOf = (entry: { file: string | undefined } | undefined) => entry?.file ?? anyFile;

  const contextName = options.context ?? config.currentContext;
  const context = contextName !== undefined ? config.contexts.get(contextName) : undefined;
  if (contextName === undefined) {
    if (options.cluster === undefined) {
      throw err("kubeconfig has no current-context", {
        file: anyFile ?? "(none)",
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
  const ctxField = (key: string) => (context !== undefined ? `${context.entry}.context.${key}` : key);
  // A context without a cluster (or user) names the entry called "" when there is one, as in client-go.
  const clusterName = options.cluster ?? context?.cluster ?? (config.clusters.has("") ? "" : undefined);
  if (clusterName === undefined) {
    throw err("context names no cluster", {
      file: fileOf(context),
      context: ctxLabel,
      field: ctxField("cluster"),
      hint: "set the context's cluster or pass { cluster }",
    });
  }
  const cluster = config.clusters.get(clusterName);
  if (cluster === undefined) {
    throw err(`cluster "${clusterName}" not found`, {
      file: options.cluster !== undefined ? anyFile : fileOf(context),
      context: ctxLabel,
      field: options.cluster !== undefined ? "clusters" : ctxField("cluster"),
      hint: `define it under clusters or pick another${names(config.clusters)}`,
    });
  }
  const userName = options.user ?? context?.user ?? (config.users.has("") ? "" : undefined);
  let user: KubeconfigUser | undefined;
  if (userName !== undefined) {
    user = config.users.get(userName);
    if (user === undefined) {
      throw err(`user "${userName}" not found`, {
        file: options.user !== undefined ? anyFile : fileOf(context),
        context: ctxLabel,
        field: options.user !== undefined ? "users" : ctxField("user"),
        hint: `define it under users or pick another${names(config.users)}`,
      });
    }
  }

  const clusterAt = `${cluster.entry}.cluster`;
  const cerr = (message: string, field: string, hint: string) =>
    err(message, { file: cluster.file ?? anyFile, context: ctxLabel, field: `${clusterAt}.${field}`, hint });
  const server = serverUrl(cluster, clusterAt, ctxLabel, anyFile);
  const secure = server.startsWith("https://");
  const reader = new MaterialReader(ctxLabel, options.signal);

  // Validation of what is used, as client-go's ConfirmUsable does (for http:// servers too).
  if (cluster.certificateAuthorityData !== undefined && cluster.certificateAuthority !== undefined) {
    throw cerr("certificate-authority and certificate-authority-data are both set", "certificate-authority-data", "keep one of them");
  }
  if (cluster.proxyUrl !== undefined) checkProxyUrl(cluster, clusterAt, ctxLabel);
  await reader.exists(cluster.file ?? anyFile, `${clusterAt}.certificate-authority`, cluster.certificateAuthority, "CA certificate");
  if (user !== undefined) await validateUser(user, reader, ctxLabel, anyFile);

  const tls: TlsConfig = {};
  let auth: AuthProvider | undefined;
  if (secure) {
    if (cluster.insecureSkipTlsVerify && (cluster.certificateAuthority !== undefined || cluster.certificateAuthorityData !== undefined)) {
      // client-go's transport refuses the pair too ("specifying a root certificates file with the insecure flag is not allowed").
      throw cerr(
        "insecure-skip-tls-verify cannot be combined with a certificate authority",
        "insecure-skip-tls-verify",
        "remove insecure-skip-tls-verify (verification with the CA is what you want) or the CA",
      );
    }
    const ca = await reader.pem(
      cluster.file ?? anyFile,
      `${clusterAt}.certificate-authority`,
      cluster.certificateAuthority,
      cluster.certificateAuthorityData,
      "CA certificate",
    );
    if (ca !== undefined) tls.ca = ca;
    if (cluster.tlsServerName !== undefined) tls.serverName = cluster.tlsServerName;
    if (cluster.insecureSkipTlsVerify) tls.insecureSkipTlsVerify = true;
    if (user !== undefined) auth = await userAuth(user, cluster, server, tls, reader, ctxLabel, anyFile, options);
  } else if (user !== undefined && hasCredentials(user)) {
    const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, "KubexConfigWarning"));
    warn(
      `kubeconfig user "${user.name}" has credentials, but they are not sent to the plain-HTTP server ${server} (context "${ctxLabel ?? ""}"); use an https:// server to authenticate`,
    );
  }

  const result: ClusterConfig = {
    server,
    tls,
    namespace: options.namespace ?? context?.namespace ?? "default",
    source: { type: "kubeconfig", files: [...files], context: ctxLabel ?? "", cluster: cluster.name, user: user?.name ?? "" },
  };
  if (auth !== undefined) result.auth = auth;
  if (cluster.proxyUrl !== undefined) result.proxyUrl = cluster.proxyUrl;
  if (cluster.disableCompression) result.disableCompression = true;
  const impersonate = options.impersonate ?? user?.impersonate;
  if (impersonate !== undefined) {
    checkImpersonation(
      impersonate,
      user !== undefined && options.impersonate === undefined
        ? { file: user.file ?? anyFile, context: ctxLabel, field: `${user.entry}.user.as` }
        : { field: "impersonate" },
    );
    result.impersonate = impersonate;
  }
  return protectConfig(result);
}

function hasCredentials(user: KubeconfigUser): boolean {
  return [
    user.token,
    user.tokenFile,
    user.username,
    user.password,
    user.clientCertificate,
    user.clientCertificateData,
    user.clientKey,
    user.clientKeyData,
    user.exec,
    user.authProvider,
  ].some((v) => v !== undefined);
}

/** client-go's validateAuthInfo for the user in use. */
async function validateUser(
  user: KubeconfigUser,
  reader: MaterialReader,
  ctxLabel: string | undefined,
  anyFile: string | undefined,
): Promise<void> {
  const userAt = `${user.entry}.user`;
  const file = user.file ?? anyFile;
  const uerr = (message: string, field: string, hint: string) =>
    err(message, { file, context: ctxLabel, field: `${userAt}.${field}`, hint });
  if (user.clientCertificate !== undefined && user.clientCertificateData !== undefined)
    throw uerr("client-certificate and client-certificate-data are both set", "client-certificate-data", "keep one of them");
  if (user.clientKey !== undefined && user.clientKeyData !== undefined)
    throw uerr("client-key and client-key-data are both set", "client-key-data", "keep one of them");
  const hasCert = user.clientCertificate !== undefined || user.clientCertificateData !== undefined;
  const hasKey = user.clientKey !== undefined || user.clientKeyData !== undefined;
  if (hasCert !== hasKey) {
    throw uerr(
      hasCert ? "client certificate given without a client key" : "client key given without a client certificate",
      hasCert ? "client-key" : "client-certificate",
      "a client certificate needs both the certificate and its key",
    );
  }
  await reader.exists(file, `${userAt}.client-certificate`, user.clientCertificate, "client certificate");
  await reader.exists(file, `${userAt}.client-key`, user.clientKey, "client key");
  const hasBasic = user.username !== undefined || user.password !== undefined;
  if (user.token !== undefined && hasBasic)
    throw uerr("a bearer token and username/password are both set", "username", "keep one way of authenticating");
  if (user.exec !== undefined) {
    if (user.authProvider !== undefined)
      throw uerr("an exec plugin and an auth-provider are both set", "auth-provider", "keep one of them (client-go refuses the pair too)");
    checkExec(user.exec, `${userAt}.exec`, file, ctxLabel);
  }
  const imp = user.impersonate;
  if (imp !== undefined && imp.user === undefined)
    throw uerr(
      "as-uid, as-groups or as-user-extra is set without impersonating a user (as)",
      "as",
      "set as: to the user name to act as, or remove the other as-* fields",
    );
}

function checkExec(
  exec: ExecEntry,
  at: string,
  file: string | undefined,
  context: string | undefined,
): asserts exec is ExecEntry & ExecConfig {
  const fail = (message: string, field: string, hint: string): never => {
    throw err(message, { file, context, field: `${at}.${field}`, hint });
  };
  if (exec.command === undefined) fail("exec credential plugin has no command", "command", "set the plugin's executable name or path");
  if (exec.apiVersion === undefined)
    fail("exec credential plugin has no apiVersion", "apiVersion", `use one of ${EXEC_API_VERSIONS.join(", ")}`);
  if (!EXEC_API_VERSIONS.includes(exec.apiVersion as string)) {
    fail(
      `exec credential plugin apiVersion "${short(exec.apiVersion as string)}" is not supported`,
      "apiVersion",
      `use one of ${EXEC_API_VERSIONS.join(", ")}`,
    );
  }
  exec.env.forEach((e, i) => {
    if (e.name === "") fail("exec credential plugin env entry has no name", `env[${i}].name`, "give every env entry a name");
  });
  if (exec.interactiveMode === undefined) {
    fail(
      `exec credential plugin of apiVersion ${exec.apiVersion as string} must set interactiveMode`,
      "interactiveMode",
      "set interactiveMode to Never, IfAvailable or Always",
    );
  }
  if (!INTERACTIVE_MODES.includes(exec.interactiveMode as string)) {
    fail(
      `exec credential plugin interactiveMode "${short(exec.interactiveMode as string)}" is not valid`,
      "interactiveMode",
      "use Never, IfAvailable or Always",
    );
  }
}

function checkImpersonation(imp: Impersonation, where: { file?: string | undefined; context?: string | undefined; field: string }): void {
  if (
    (imp.uid !== undefined || (imp.groups?.length ?? 0) > 0 || Object.keys(imp.extra ?? {}).length > 0) &&
    (imp.user === undefined || imp.user === "")
  ) {
    throw err("impersonation sets uid, groups or extra without a user", { ...where, hint: "set the user to impersonate" });
  }
}

async function userAuth(
  user: KubeconfigUser,
  cluster: KubeconfigCluster,
  server: string,
  tls: TlsConfig,
  reader: MaterialReader,
  ctxLabel: string | undefined,
  anyFile: string | undefined,
  options: SelectOptions,
): Promise<AuthProvider | undefined> {
  const userAt = `${user.entry}.user`;
  const file = user.file ?? anyFile;
  const uerr = (message: string, field: string, hint: string) =>
    err(message, { file, context: ctxLabel, field: `${userAt}.${field}`, hint });
  const source = (field: string): { file?: string; context?: string; field?: string } => ({
    field: `${userAt}.${field}`,
    ...(file !== undefined ? { file } : {}),
    ...(ctxLabel !== undefined ? { context: ctxLabel } : {}),
  });
  const cert = await reader.pem(
    file,
    `${userAt}.client-certificate`,
    user.clientCertificate,
    user.clientCertificateData,
    "client certificate",
  );
  const key = await reader.pem(file, `${userAt}.client-key`, user.clientKey, user.clientKeyData, "client key");
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;

  if (user.authProvider !== undefined && user.authProvider.name !== "oidc") {
    throw uerr(
      user.authProvider.name === "" ? "auth-provider has no name" : `auth-provider "${short(user.authProvider.name)}" is not supported`,
      "auth-provider",
      "use an exec credential plugin instead (client-go removed the gcp and azure auth providers; only oidc remains)",
    );
  }
  if (user.authProvider !== undefined && user.token === undefined && user.tokenFile === undefined) {
    const provider = user.authProvider;
    const c = provider.config;
    const oidc: OidcConfig = { issuerUrl: c["idp-issuer-url"] ?? "", clientId: c["client-id"] ?? "" };
    if (oidc.issuerUrl === "")
      throw uerr("oidc auth-provider has no idp-issuer-url", "auth-provider.config.idp-issuer-url", "set it to the issuer's URL");
    if (oidc.clientId === "")
      throw uerr("oidc auth-provider has no client-id", "auth-provider.config.client-id", "set it to the OAuth client id");
    if (c["client-secret"]) oidc.clientSecret = c["client-secret"];
    if (c["id-token"]) oidc.idToken = c["id-token"];
    if (c["refresh-token"]) oidc.refreshToken = c["refresh-token"];
    const ca = await reader.pem(
      file,
      `${userAt}.auth-provider.config.idp-certificate-authority`,
      c["idp-certificate-authority"] || undefined,
      c["idp-certificate-authority-data"] || undefined,
      "issuer CA certificate",
    );
    if (ca !== undefined) oidc.ca = ca;
    const userFile = user.file;
    return new OidcAuth(oidc, {
      source: source("auth-provider"),
      ...(userFile !== undefined
        ? {
            persist: (tokens) =>
              persistAuthProviderConfig(userFile, user.name, {
                "id-token": tokens.idToken,
                ...(tokens.refreshToken !== undefined ? { "refresh-token": tokens.refreshToken } : {}),
              }),
          }
        : {}),
    });
  }
  if (
    user.exec !== undefined &&
    user.token === undefined &&
    user.tokenFile === undefined &&
    user.username === undefined &&
    user.password === undefined
  ) {
    const exec = user.exec as ExecConfig;
    const info: ExecClusterInfo = { server };
    if (tls.serverName !== undefined) info.tlsServerName = tls.serverName;
    if (tls.insecureSkipTlsVerify) info.insecureSkipTlsVerify = true;
    if (tls.ca !== undefined) info.ca = tls.ca;
    if (cluster.proxyUrl !== undefined) info.proxyUrl = cluster.proxyUrl;
    if (cluster.execExtension !== undefined) info.config = cluster.execExtension;
    const execOptions: ConstructorParameters<typeof ExecCredentialAuth>[1] = { cluster: info, source: source("exec") };
    if (options.env !== undefined) execOptions.env = options.env;
    if (options.execTimeout !== undefined) execOptions.timeout = options.execTimeout;
    return new ExecCredentialAuth(exec, execOptions);
  }
  if (user.tokenFile !== undefined) {
    // client-go: the file, read periodically, takes precedence over an inline token.
    const fileAuth = new TokenFileAuth(user.tokenFile, { source: source("tokenFile") });
    await fileAuth.headers(); // a missing or empty file is a configuration error now, not at the first request
    return fileAuth;
  }
  if (user.token !== undefined) return new BearerTokenAuth(user.token);
  if (user.username !== undefined || user.password !== undefined) return new BasicAuth(user.username ?? "", user.password ?? "");
  return undefined;
}

function names(map: Map<string, unknown>): string {
  const list = [...map.keys()];
  if (list.length === 0) return " (it defines none)";
  const shown = list
    .slice(0, 10)
    .map((n) => JSON.stringify(n))
    .join(", ");
  return ` (defined: ${shown}${list.length > 10 ? ", ..." : ""})`;
}

function serverUrl(cluster: KubeconfigCluster, at: string, context: string | undefined, anyFile: string | undefined): string {
  const file = cluster.file ?? anyFile;
  const details = { ...(file !== undefined ? { file } : {}), ...(context !== undefined ? { context } : {}), field: `${at}.server` };
  if (cluster.server === undefined || cluster.server === "") {
    throw new KubexConfigError(`cluster "${cluster.name}" has no server`, {
      ...details,
      hint: "set server to the API server's URL, e.g. https://127.0.0.1:6443",
    });
  }
  // Like client-go, a bare host:port means https.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(cluster.server) ? cluster.server : `https://${cluster.server}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new KubexConfigError(`cluster "${cluster.name}" server is not a valid URL`, {
      ...details,
      hint: "write it as https://HOST:PORT",
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new KubexConfigError(`cluster "${cluster.name}" server must be an http(s) URL`, {
      ...details,
      hint: "write it as https://HOST:PORT",
    });
  }
  if (url.username !== "" || url.password !== "") {
    throw new KubexConfigError(`cluster "${cluster.name}" server URL must not carry credentials`, {
      ...details,
      hint: "put credentials under users[].user",
    });
  }
  // client-go drops the query and fragment (of a server with a path; without one they cannot be used either).
  return text.replace(/[?#].*$/, "").replace(/\/+$/, "");
}

function checkProxyUrl(cluster: KubeconfigCluster, at: string, context: string | undefined): void {
  let ok: boolean;
  try {
    ok = ["http:", "https:", "socks5:"].includes(new URL(cluster.proxyUrl as string).protocol); // client-go's parseProxyURL
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new KubexConfigError(`cluster "${cluster.name}" proxy-url is not a valid proxy URL`, {
      ...(cluster.file !== undefined ? { file: cluster.file } : {}),
      ...(context !== undefined ? { context } : {}),
      field: `${at}.proxy-url`,
      hint: "write it as http://HOST:PORT, https://HOST:PORT or socks5://HOST:PORT",
    });
  }
}

/** Reads PEM material from a file or from base64 `-data`, with errors that name the field. */
class MaterialReader {
  constructor(
    readonly context: string | undefined,
    readonly signal: AbortSignal | undefined,
  ) {}

  #where(file: string | undefined) {
    return { ...(file !== undefined ? { file } : {}), ...(this.context !== undefined ? { context: this.context } : {}) };
  }

  /** A file the entry names must exist (client-go's validation opens it), whatever the server's scheme. */
  async exists(file: string | undefined, field: string, filePath: string | undefined, what: string): Promise<void> {
    if (filePath === undefined) return;
    await this.#read(file, field, filePath, what);
  }

  async #read(file: string | undefined, field: string, filePath: string, what: string): Promise<string> {
    try {
      return await readFile(filePath, { encoding: "utf8", ...(this.signal !== undefined ? { signal: this.signal } : {}) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((error as Error).name === "AbortError") throw error;
      throw new KubexConfigError(
        code === "ENOENT" ? `${what} file ${filePath} does not exist` : `${what} file ${filePath} cannot be read (${code ?? "error"})`,
        {
          ...this.#where(file),
          field,
          hint:
            code === "ENOENT"
              ? "fix the path (relative paths are relative to the kubeconfig file that names them)"
              : "check the file's permissions",
          cause: error,
        },
      );
    }
  }

  async pem(
    file: string | undefined,
    field: string,
    filePath: string | undefined,
    data: string | undefined,
    what: string,
  ): Promise<string | undefined> {
    const where = this.#where(file);
    if (data !== undefined) {
      const dataField = `${field}-data`;
      if (!/^[A-Za-z0-9+/=\s_-]*$/.test(data)) {
        throw new KubexConfigError(`${dataField.split(".").pop()} is not base64`, {
          ...where,
          field: dataField,
          hint: `it must hold the base64 encoding of the ${what} PEM file (base64 -w0 FILE)`,
        });
      }
      const text = Buffer.from(data, "base64").toString("utf8");
      if (!text.includes("-----BEGIN")) {
        throw new KubexConfigError(`${dataField.split(".").pop()} does not decode to PEM`, {
          ...where,
          field: dataField,
          hint: `it must hold the base64 encoding of the ${what} PEM file (base64 -w0 FILE)`,
        });
      }
      return text;
    }
    if (filePath === undefined) return undefined;
    const text = await this.#read(file, field, filePath, what);
    if (!text.includes("-----BEGIN")) {
      throw new KubexConfigError(`${what} file ${filePath} is not PEM`, { ...where, field, hint: `point it at the ${what} in PEM format` });
    }
    return text;
  }
}

/** A value from the file, cut short for a message (only for non-secret fields). */
function short(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}...` : value;
}
