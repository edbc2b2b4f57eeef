/**
 * Keeps secrets out of `console.log`, `util.inspect`, `String()` and `JSON.stringify` of every
 * object the config layer returns (ClusterConfig, Kubeconfig and its entries): non-enumerable
 * hooks, so spreading and reading the fields work as before.
 */
import { describeConfig } from "./describe.js";
import type { ClusterConfig } from "./types.js";

const inspect = Symbol.for("nodejs.util.inspect.custom");
const REDACTED = "[redacted]";

const hidden = (value: unknown) => ({ value, enumerable: false, configurable: true, writable: true });

/** Field names whose values are secrets wherever they appear in a kubeconfig entry. */
const SECRET_FIELDS = new Set(["token", "password", "clientKeyData"]);
/** auth-provider config keys that are not secret (everything else is shown as [redacted]). */
const PUBLIC_PROVIDER_KEYS = new Set(["idp-issuer-url", "client-id", "idp-certificate-authority", "extra-scopes", "expiry", "cmd-path"]);

/** A URL without user info or query (a proxy URL may carry a password). */
export function safeUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.username !== "" || url.password !== "") {
      url.username = "";
      url.password = "";
    }
    url.search = "";
    return url.toString().replace(/\/$/, "");
  } catch {
    return "(invalid URL)";
  }
}

/** The entry with its secrets replaced by "[redacted]" (and exec env values, which often carry keys). */
export function redactEntry(entry: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (SECRET_FIELDS.has(key) && value !== undefined) out[key] = REDACTED;
    else if (key === "proxyUrl" && typeof value === "string") out[key] = safeUrl(value);
    else if (key === "authProvider" && value !== null && typeof value === "object") {
      const provider = value as { name: string; config: Record<string, string> };
      out[key] = {
        name: provider.name,
        config: Object.fromEntries(Object.entries(provider.config).map(([k, v]) => [k, PUBLIC_PROVIDER_KEYS.has(k) ? v : REDACTED])),
      };
    } else if (key === "exec" && value !== null && typeof value === "object") {
      const exec = value as { env?: { name: string; value: string }[] };
      out[key] = { ...exec, env: (exec.env ?? []).map((e) => ({ name: e.name, value: REDACTED })) };
    } else out[key] = value;
  }
  return out;
}

/**
 * The prototype of kubeconfig entries (clusters, users): renderings without secrets. On the
 * prototype rather than on each object, so loading thousands of entries stays cheap.
 */
const ENTRY_PROTO = Object.freeze({
  toJSON(this: object) {
    return redactEntry(this);
  },
  [inspect](this: object) {
    return redactEntry(this);
  },
  toString(this: { entry?: string }) {
    return this.entry ?? "kubeconfig entry";
  },
});

/** A kubeconfig entry (cluster, user) with the given fields whose renderings show no secret. */
export function protectedEntry<T extends object>(fields: T): T {
  return Object.assign(Object.create(ENTRY_PROTO) as T, fields);
}

interface KubeconfigLike {
  files: string[];
  currentContext?: string;
  clusters: Map<string, object>;
  users: Map<string, object>;
  contexts: Map<string, object>;
}

/** Hooks on a whole Kubeconfig: JSON lists its entries (redacted) instead of empty Maps. */
export function protectKubeconfig<T extends KubeconfigLike>(config: T): T {
  const render = () => ({
    files: config.files,
    ...(config.currentContext !== undefined ? { currentContext: config.currentContext } : {}),
    clusters: [...config.clusters.values()].map(redactEntry),
    users: [...config.users.values()].map(redactEntry),
    contexts: [...config.contexts.values()],
  });
  Object.defineProperties(config, {
    toJSON: hidden(render),
    [inspect]: hidden(() => ({ Kubeconfig: render() })),
    toString: hidden(
      () =>
        `Kubeconfig { ${config.files.join(", ") || "(text)"}: ${config.contexts.size} contexts, ${config.clusters.size} clusters, ${config.users.size} users }`,
    ),
  });
  return config;
}

export function protectConfig(config: ClusterConfig): ClusterConfig {
  const json = () => {
    const { tls: _tls, auth, proxyUrl, ...rest } = config;
    return {
      ...rest,
      tls: redactedTls(config),
      ...(auth !== undefined ? { auth: "[provider]" } : {}),
      ...(proxyUrl !== undefined ? { proxyUrl: safeUrl(proxyUrl) } : {}),
    };
  };
  Object.defineProperties(config, {
    [inspect]: hidden(() => `ClusterConfig { ${describeConfig(config)} }`),
    toString: hidden(() => `ClusterConfig { ${describeConfig(config)} }`),
    toJSON: hidden(json),
  });
  Object.defineProperties(config.tls, {
    [inspect]: hidden(() => redactedTls(config)),
    toJSON: hidden(() => redactedTls(config)),
  });
  return config;
}

function redactedTls(config: ClusterConfig): Record<string, unknown> {
  const { key, ...rest } = config.tls;
  return key !== undefined ? { ...rest, key: REDACTED } : rest;
}
