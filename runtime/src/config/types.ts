/**
 * What a client needs to reach one cluster, whatever it was loaded from (kubeconfig,
 * in-cluster files, explicit options). Produced by `config/`, consumed by `transport/`.
 * Contains secrets: never log it; `describeConfig` gives a safe summary.
 */
export interface ClusterConfig {
  /** Base URL of the API server, e.g. `https://127.0.0.1:6443` (may carry a path prefix). */
  server: string;
  tls: TlsConfig;
  /** Produces credentials per request; absent when TLS client certificates alone authenticate. */
  auth?: AuthProvider;
  /** Default namespace (the context's, the in-cluster namespace file's, or `default`). */
  namespace: string;
  /** HTTP(S) proxy from kubeconfig `proxy-url`; the environment's proxies apply when unset. */
  proxyUrl?: string;
  /**
   * Act as another identity (kubeconfig `as`, `as-uid`, `as-groups`, `as-user-extra`, or
   * `createClient({ impersonate })`): sent as `Impersonate-*` headers on every HTTP and WebSocket request.
   */
  impersonate?: Impersonation;
  /** kubeconfig `disable-compression`: never ask the server for compressed responses. */
  disableCompression?: boolean;
  /** Where this came from, for error messages (no secrets). */
  source: ConfigSource;
}

/** The identity to act as; the real credentials must be allowed to `impersonate` it (RBAC). */
export interface Impersonation {
  /** `Impersonate-User`; required when any other field is set. */
  user?: string;
  /** `Impersonate-Uid`. */
  uid?: string;
  /** `Impersonate-Group`, one header per group. */
  groups?: string[];
  /** `Impersonate-Extra-<key>`, one header per value. */
  extra?: Record<string, string[]>;
}

export interface TlsConfig {
  /** PEM CA bundle(s) to trust; system roots when unset. */
  ca?: string;
  /** PEM client certificate (chain). */
  cert?: string;
  /** PEM client private key. */
  key?: string;
  /** SNI / verification name (`tls-server-name`). */
  serverName?: string;
  /** Skip server certificate verification (`insecure-skip-tls-verify`); only when the config asks. */
  insecureSkipTlsVerify?: boolean;
}

export type ConfigSource =
  { type: "kubeconfig"; files: string[]; context: string; cluster: string; user: string } | { type: "in-cluster" } | { type: "explicit" };

/**
 * Supplies request credentials. `headers()` is called for every request (HTTP and
 * WebSocket) and may cache; `refresh()` is called once after a 401 and resolves true
 * when new credentials are worth a retry.
 */
export interface AuthProvider {
  headers(): Promise<Record<string, string>>;
  refresh?(): Promise<boolean>;
  /** Client certificate material produced at run time (exec plugins may return it). */
  tls?(): Promise<{ cert?: string; key?: string } | undefined>;
  /** A short, secret-free description for `describeConfig` (e.g. `exec plugin "aws"`). */
  describe?(): string;
}
