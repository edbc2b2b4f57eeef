/**
 * The undici dispatcher for one cluster: a keep-alive connection pool (no pipelining),
 * TLS from the cluster config, and a proxy when one applies.
 */
import type { Dispatcher } from "undici";
import { LanesDispatcher } from "./lanes.js";
import { AgentClass, ProxyAgentClass } from "./undici.js";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { createSecureContext, type ConnectionOptions, type SecureContext, type SecureContextOptions } from "node:tls";
import type { TlsConfig } from "../config/types.js";
import { KubexConfigError } from "../errors.js";
import { safeUrl } from "./failures.js";

/** Certificate material for one dispatcher: the config's, overridden by what the auth provider produced. */
export interface TlsMaterial extends TlsConfig {}

export interface DispatcherSettings {
  tls: TlsMaterial;
  /** Proxy URL, or undefined for direct connections. */
  proxy: string | undefined;
  /** Most connections kept to the server; undefined for undici's default (unlimited). */
  connections?: number;
  /**
   * The server's origin when HTTP/2 may be used (https, no proxy, not switched off): requests then
   * go through {@link LanesDispatcher}; undefined: HTTP/1.1 only.
   */
  http2Origin?: string;
}

/**
 * The pools of one cluster: `requests` with the connection limit (a request beyond it
 * waits for a free connection), and, made on first use, one without a limit for streams
 * (a watch holds its connection for minutes: capped, 32 watches would starve every request).
 */
export interface Dispatchers {
  readonly requests: Dispatcher;
  /** The stream pool, once made. */
  readonly streams: Dispatcher | undefined;
  streamPool(): Dispatcher;
}

export function createDispatchers(settings: DispatcherSettings): Dispatchers {
  const { http2Origin, ...http1 } = settings;
  const { connections: _limit, ...unlimited } = http1;
  let streams: Dispatcher | undefined;
  if (http2Origin !== undefined && settings.proxy === undefined) {
    // HTTP/2 where the server offers it: one dispatcher routes requests and streams to the lanes,
    // which make the HTTP/1.1 pools when they first need them (bad TLS material fails here, now).
    checkTlsMaterial(settings.tls);
    const lanes = new LanesDispatcher({
      origin: http2Origin,
      tls: tlsOptions(settings.tls),
      idleTimeout: KEEP_ALIVE.keepAliveTimeout,
      requests: () => createDispatcher(http1),
      streams: () => (streams ??= createDispatcher(unlimited)),
    });
    return { requests: lanes, streams: undefined, streamPool: () => lanes };
  }
  const requests = createDispatcher(http1);
  return {
    requests,
    get streams() {
      return streams;
    },
    streamPool() {
      streams ??= createDispatcher(unlimited);
      return streams;
    },
  };
}

const KEEP_ALIVE = {
  pipelining: 1, // one request at a time per connection: keep-alive without pipelining
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 600_000,
} as const;

export function createDispatcher(settings: DispatcherSettings): Dispatcher {
  checkTlsMaterial(settings.tls);
  const tls = tlsOptions(settings.tls);
  const pool = { ...KEEP_ALIVE, ...(settings.connections !== undefined ? { connections: settings.connections } : {}) };
  if (settings.proxy === undefined) {
    const Agent = AgentClass();
    return new Agent({ ...pool, connect: tls });
  }
  let proxyUrl: URL;
  try {
    proxyUrl = new URL(settings.proxy);
  } catch {
    // No cause: Node's URL error keeps the input, and a proxy URL may carry a password.
    throw new KubexConfigError("the proxy URL is not a valid URL", {
      field: "proxy-url",
      hint: "use http://host:port, https://host:port or socks5://host:port",
    });
  }
  if (!["http:", "https:", "socks5:", "socks:"].includes(proxyUrl.protocol)) {
    throw new KubexConfigError(`the proxy URL ${safeUrl(proxyUrl)} has an unsupported scheme`, {
      field: "proxy-url",
      hint: "use an http://, https:// or socks5:// proxy",
    });
  }
  const ProxyAgent = ProxyAgentClass();
  return new ProxyAgent({ ...pool, uri: proxyUrl.href, requestTls: tls });
}

/**
 * One secure context per TLS material: without it, every new connection parses the CA, the
 * certificate and the key again (several ms of CPU each; watches open many connections), and
 * the HTTP/1.1 pool, the HTTP/2 lane and the stream pool would each parse them once more.
 */
const secureContexts = new WeakMap<TlsMaterial, SecureContext>();

function secureContextOf(tls: TlsMaterial): SecureContext {
  let context = secureContexts.get(tls);
  if (context !== undefined) return context;
  const material: SecureContextOptions = {};
  if (tls.ca !== undefined) material.ca = tls.ca;
  if (tls.cert !== undefined) material.cert = tls.cert;
  if (tls.key !== undefined) material.key = tls.key;
  try {
    context = createSecureContext(material);
  } catch (cause) {
    // checkTlsMaterial has parsed each part on its own; what is left is a key that is not the certificate's.
    throw new KubexConfigError(`the client key does not belong to the client certificate (${codeOf(cause)})`, {
      field: "client-key",
      hint: "client-certificate and client-key must be a matching PEM certificate and private key",
      cause: new Error(codeOf(cause)),
    });
  }
  secureContexts.set(tls, context);
  return context;
}

function tlsOptions(tls: TlsMaterial): ConnectionOptions {
  const options: ConnectionOptions = { secureContext: secureContextOf(tls) };
  if (tls.serverName !== undefined) options.servername = tls.serverName;
  // Verification stays on unless the config explicitly asks to skip it.
  options.rejectUnauthorized = tls.insecureSkipTlsVerify !== true;
  return options;
}

/** Fails early, naming the field, when PEM material cannot be loaded (the message never includes the material). */
function checkTlsMaterial(tls: TlsMaterial): void {
  if (tls.ca !== undefined) {
    try {
      // createSecureContext ignores text that holds no certificate, so parse each one.
      const certificates = tls.ca.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
      if (certificates === null) throw Object.assign(new Error("no PEM certificate found"), { code: "no PEM certificate found" });
      for (const certificate of certificates) new X509Certificate(certificate);
    } catch (cause) {
      throw new KubexConfigError(`the CA certificate cannot be loaded (${codeOf(cause)})`, {
        field: "certificate-authority",
        hint: "it must be PEM: -----BEGIN CERTIFICATE----- ...",
        cause,
      });
    }
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new KubexConfigError(
      `a client ${tls.cert === undefined ? "key" : "certificate"} is set without its ${tls.cert === undefined ? "certificate" : "key"}`,
      {
        field: tls.cert === undefined ? "client-certificate" : "client-key",
        hint: "set both client-certificate and client-key",
      },
    );
  }
  if (tls.cert !== undefined && tls.key !== undefined) {
    const hint = "client-certificate and client-key must be a matching PEM certificate and private key";
    try {
      new X509Certificate(tls.cert);
    } catch (cause) {
      throw new KubexConfigError(`the client certificate cannot be loaded (${codeOf(cause)})`, {
        field: "client-certificate",
        hint,
        cause,
      });
    }
    try {
      createPrivateKey(tls.key);
    } catch (cause) {
      // the parser's error carries no key material, but keep only its code to be sure
      throw new KubexConfigError(`the client key cannot be loaded (${codeOf(cause)})`, {
        field: "client-key",
        hint,
        cause: new Error(codeOf(cause)),
      });
    }
    // Whether the key belongs to the certificate is checked when the secure context is made
    // (secureContextOf): a context of its own here would load the system's root store for nothing.
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" ? code : "invalid PEM";
}
