/**
 * `createClient()`: loads a cluster's configuration and opens its transport.
 *
 *     await using client = await createClient({ context: "kind-dev" });
 */
import { protectConfig } from "./config/protect.js";
import type { ClusterConfig, Impersonation } from "./config/types.js";
import { callPart } from "./request/call.js";
import { safeUrl } from "./transport/failures.js";
import { createTransport, type TransportOptions } from "./transport/http-transport.js";
import type { RetryOptions } from "./transport/retry.js";
import type { Client, Transport } from "./transport/types.js";

export interface CreateClientOptions {
  /** Kubeconfig file(s); default `KUBECONFIG`, else `~/.kube/config`, else in-cluster. */
  kubeconfig?: string | string[];
  /** Context to use instead of the kubeconfig's `current-context`. */
  context?: string;
  /** Cluster to use instead of the context's. */
  cluster?: string;
  /** User to use instead of the context's. */
  user?: string;
  /** Default namespace instead of the context's. */
  namespace?: string;
  /** Use the in-cluster service account (true), never (false), or as a fallback (unset). */
  inCluster?: boolean;
  /** A ready configuration; nothing is loaded. */
  config?: ClusterConfig;
  /**
   * Default timeout in ms for every request of this client (a call's own `timeout` wins);
   * unset: 90 s for requests (`DEFAULT_REQUEST_TIMEOUT_MS`, see there why), none for opening
   * streaming sessions; `0`: none.
   */
  timeout?: number;
  /** Retry policy for safe requests; `false` switches retries off. */
  retry?: RetryOptions;
  /** `User-Agent` header sent with every request. */
  userAgent?: string;
  /**
   * Act as another user (`Impersonate-User`, `-Uid`, `-Group`, `-Extra-*` on every HTTP and WebSocket
   * request); replaces the kubeconfig user's `as`/`as-groups`/... as a whole.
   */
  impersonate?: Impersonation;
  /**
   * Most connections open at once to the cluster for requests (default 32); a request
   * beyond it waits for a free one. Streams (watches, log follows) are not counted.
   */
  connections?: number;
  /** Largest 2xx body read into memory, in bytes (default 256 MiB); `ResponseTooLarge` past it. */
  maxResponseBytes?: number;
  /**
   * HTTP/2 where the server offers it (default; watches and concurrent requests then share one
   * connection); `false` for HTTP/1.1 only. A non-empty `DISABLE_HTTP2` environment variable also
   * turns it off, as for client-go.
   */
  http2?: boolean;
}

/** Loads the configuration (unless `config` is given) and returns a client whose connections open on first use. */
export async function createClient(options: CreateClientOptions = {}): Promise<Client> {
  // Checked before any loading, so a bad default is an InvalidRequest rather than no timeout at all.
  if (options.timeout !== undefined) callPart({ timeout: options.timeout }, "createClient");
  let config = options.config ?? (await loadConfig(options));
  if (options.config !== undefined && options.impersonate !== undefined) {
    if (options.impersonate.user === undefined || options.impersonate.user === "") {
      const { KubexConfigError } = await import("./errors.js");
      throw new KubexConfigError("impersonate needs a user", { field: "impersonate.user", hint: "set the user name to act as" });
    }
    config = protectConfig({ ...options.config, tls: { ...options.config.tls }, impersonate: options.impersonate });
  }
  const namespace = options.config !== undefined && options.namespace !== undefined ? options.namespace : config.namespace;
  const transportOptions: TransportOptions = {};
  if (options.timeout !== undefined) transportOptions.timeout = options.timeout;
  if (options.retry !== undefined) transportOptions.retry = options.retry;
  if (options.userAgent !== undefined) transportOptions.userAgent = options.userAgent;
  if (options.connections !== undefined) transportOptions.connections = options.connections;
  if (options.maxResponseBytes !== undefined) transportOptions.maxResponseBytes = options.maxResponseBytes;
  // A config passed in gets the guards a loaded one has (non-enumerable hooks: its fields read as before).
  if (options.config !== undefined && Object.isExtensible(config) && !Object.prototype.hasOwnProperty.call(config, "toJSON"))
    protectConfig(config);
  if (options.http2 !== undefined) transportOptions.http2 = options.http2;
  return new ClusterClient(config, createTransport(config, transportOptions), namespace, options.timeout);
}

async function loadConfig(options: CreateClientOptions): Promise<ClusterConfig> {
  // Loaded on demand: a client made from an explicit config never pulls in kubeconfig parsing.
  const { loadClusterConfig } = await import("./config/index.js");
  const loadOptions: Parameters<typeof loadClusterConfig>[0] = {};
  if (options.kubeconfig !== undefined) loadOptions.kubeconfig = options.kubeconfig;
  if (options.context !== undefined) loadOptions.context = options.context;
  if (options.cluster !== undefined) loadOptions.cluster = options.cluster;
  if (options.user !== undefined) loadOptions.user = options.user;
  if (options.namespace !== undefined) loadOptions.namespace = options.namespace;
  if (options.inCluster !== undefined) loadOptions.inCluster = options.inCluster;
  if (options.impersonate !== undefined) loadOptions.impersonate = options.impersonate;
  return loadClusterConfig(loadOptions);
}

class ClusterClient implements Client {
  readonly config: ClusterConfig;
  readonly transport: Transport;
  readonly namespace: string;
  readonly timeout: number | undefined;

  constructor(config: ClusterConfig, transport: Transport, namespace: string, timeout: number | undefined) {
    this.config = config;
    this.transport = transport;
    this.namespace = namespace;
    this.timeout = timeout;
  }

  /** Closes every pooled connection and any open stream; idempotent. */
  close(): Promise<void> {
    return this.transport.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** A summary without credentials: the server and where the config came from. */
  toJSON(): { server: string; namespace: string; source: ClusterConfig["source"] } {
    return { server: safeUrl(this.config.server), namespace: this.namespace, source: this.config.source };
  }

  toString(): string {
    return `Client { server: ${safeUrl(this.config.server)}, namespace: ${this.namespace} }`;
  }

  /** `console.log(client)` shows the summary, never the config's credentials. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
