/**
 * The floor: undici's own `request` with `JSON.parse`, nothing else. Also the untimed
 * driver the runner uses to create fixtures. Same TLS material (CA, client certificate)
 * as the kubeconfig gives every other column; one keep-alive `Agent`.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createSecureContext } from "node:tls";
import { Agent, type Dispatcher } from "undici";
import { parse } from "yaml";

export interface RawCluster {
  origin: string;
  agent: Agent;
  close(): Promise<void>;
}

interface NamedEntry<T> {
  name: string;
  [key: string]: unknown;
  value?: T;
}

/** The current context's server, CA and client certificate and key, as PEM text. */
export interface TlsMaterial {
  origin: string;
  ca: string | undefined;
  cert: string;
  key: string;
}

/** Reads the current context's server, CA and client certificate (inline `-data` or file paths). */
export function readTlsMaterial(kubeconfigPath: string): TlsMaterial {
  const doc = parse(readFileSync(kubeconfigPath, "utf8")) as Record<string, unknown>;
  const pick = <T>(list: string, name: unknown, field: string): T => {
    const entry = (doc[list] as NamedEntry<T>[] | undefined)?.find((e) => e.name === name);
    if (entry === undefined) throw new Error(`${kubeconfigPath}: no ${list} entry named ${String(name)}`);
    return entry[field] as T;
  };
  const context = pick<{ cluster: string; user: string }>("contexts", doc["current-context"], "context");
  const cluster = pick<Record<string, string>>("clusters", context.cluster, "cluster");
  const user = pick<Record<string, string>>("users", context.user, "user");
  const base = dirname(kubeconfigPath);
  const material = (entry: Record<string, string>, key: string): string | undefined => {
    if (entry[`${key}-data`] !== undefined) return Buffer.from(entry[`${key}-data`]!, "base64").toString("utf8");
    if (entry[key] !== undefined) return readFileSync(resolve(base, entry[key]!), "utf8");
    return undefined;
  };
  const ca = material(cluster, "certificate-authority");
  const cert = material(user, "client-certificate");
  const key = material(user, "client-key");
  if (cert === undefined || key === undefined)
    throw new Error(`${kubeconfigPath}: the floor needs a client certificate in the current context`);
  return { origin: new URL(cluster.server!).origin, ca, cert, key };
}

export function connectRaw(kubeconfigPath: string): RawCluster {
  const { origin, ca, cert, key } = readTlsMaterial(kubeconfigPath);
  // One secure context for every connection, as a careful hand-written client would do.
  const secureContext = createSecureContext({ ...(ca !== undefined ? { ca } : {}), cert, key });
  const agent = new Agent({ pipelining: 1, keepAliveTimeout: 30_000, connect: { secureContext } });
  return { origin, agent, close: () => agent.close() };
}

const headers = { accept: "application/json" };

/** GET `path` and `JSON.parse` the body. */
export async function getJson<T>(raw: RawCluster, path: string): Promise<T> {
  const response = await raw.agent.request({ origin: raw.origin, path, method: "GET", headers });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`GET ${path}: HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Sends a JSON body; 409 on create is reported to the caller as `false`. */
export async function sendJson(
  raw: RawCluster,
  method: Dispatcher.HttpMethod,
  path: string,
  body: unknown,
  contentType = "application/json",
): Promise<{ status: number; body: unknown }> {
  const response = await raw.agent.request({
    origin: raw.origin,
    path,
    method,
    headers: { ...headers, "content-type": contentType },
    body: JSON.stringify(body),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text.length > 0 ? JSON.parse(text) : undefined };
}

/**
 * A watch stream read the floor way: split lines as chunks arrive, `JSON.parse` each.
 * `onEvent` returns true to stop.
 */
export async function watchRaw(
  raw: RawCluster,
  path: string,
  onEvent: (event: { type: string; object: unknown }) => boolean,
): Promise<void> {
  const controller = new AbortController();
  const response = await raw.agent.request({ origin: raw.origin, path, method: "GET", headers, signal: controller.signal, bodyTimeout: 0 });
  if (response.statusCode >= 300)
    throw new Error(`watch ${path}: HTTP ${response.statusCode}: ${(await response.body.text()).slice(0, 300)}`);
  let rest = "";
  response.body.setEncoding("utf8");
  try {
    for await (const chunk of response.body as AsyncIterable<string>) {
      rest += chunk;
      let newline: number;
      while ((newline = rest.indexOf("\n")) >= 0) {
        const line = rest.slice(0, newline);
        rest = rest.slice(newline + 1);
        if (line.length > 0 && onEvent(JSON.parse(line) as { type: string; object: unknown })) {
          response.body.destroy();
          return;
        }
      }
    }
  } catch (error) {
    if (!response.body.destroyed) throw error;
  }
}
