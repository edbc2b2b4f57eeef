/**
 * The kubeconfig conformance corpus: cases (cases/*.yaml, facts taken from peers' test suites,
 * each with its source) -> files on disk -> both loaders (ours and client-go's, see ../reference.ts)
 * -> one normalized shape each, compared field by field.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import {
  BasicAuth,
  BearerTokenAuth,
  createTransport,
  ExecCredentialAuth,
  loadClusterConfig,
  OidcAuth,
  TokenFileAuth,
  type ClusterConfig,
  type LoadConfigOptions,
} from "@kubex/runtime";
import type { ReferenceRequest, ReferenceResult } from "../reference.js";

const here = dirname(fileURLToPath(import.meta.url));
/** Marker every secret in the corpus carries. */
const SECRET = /S3CRET/;

export type FileContent = string | { utf16le: string } | { utf16be: string } | { base64: string } | { utf8bom: string };

export interface Case {
  id: string;
  /** Where the facts come from: suite, file, test name. */
  source: string;
  /** Files written into the case's folder (kubeconfigs, token files, plugins). */
  files?: Record<string, FileContent>;
  /** Shorthand for one kubeconfig file named `config`. */
  config?: string;
  /** The KUBECONFIG list (names of `files`); default `[config]` unless `explicit` is set. */
  kubeconfig?: string[];
  /** `--kubeconfig FILE` / `{ kubeconfig: FILE }`. */
  explicit?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  /** What the peer's test asserts, checked against our result (a subset of Normalized; `error` is a regexp for our message). */
  expect?: Partial<Normalized> & { error?: string };
  /** Id of an entry in deviations.yaml: we differ from client-go here on purpose. */
  deviation?: string;
  /** Suite file the case came from (filled in when loading). */
  suite?: string;
}

export interface Deviation {
  id: string;
  clientGo: string;
  kubex: string;
  reason: string;
}

/** What both loaders are reduced to. Secrets stay in it: it lives only inside the test process. */
export interface Normalized {
  ok: boolean;
  server?: string;
  namespace?: string;
  tlsServerName?: string;
  insecure?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  basic?: string;
  impersonate?: { user?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  exec?: {
    command: string;
    args: string[];
    env: { name: string; value: string }[];
    apiVersion: string;
    installHint: string;
    provideClusterInfo: boolean;
    interactiveMode: string;
    config?: unknown;
  };
  authProvider?: string;
  proxy?: string;
  disableCompression?: boolean;
}

export async function loadCases(): Promise<Case[]> {
  const dir = join(here, "cases");
  const cases: Case[] = [];
  for (const name of (await readdir(dir)).filter((n) => n.endsWith(".yaml")).sort()) {
    const doc = parse(await readFile(join(dir, name), "utf8")) as { cases: Case[] };
    for (const c of doc.cases) {
      const files = { ...(c.config !== undefined ? { config: c.config } : {}), ...c.files };
      cases.push({
        ...c,
        files,
        suite: name,
        ...(c.kubeconfig === undefined && c.explicit === undefined ? { kubeconfig: ["config"] } : {}),
      });
    }
  }
  return cases;
}

export async function loadDeviations(): Promise<Deviation[]> {
  return (parse(await readFile(join(here, "deviations.yaml"), "utf8")) as { deviations: Deviation[] }).deviations;
}

const pki = join(here, "pki");

/** Writes a case's files (and the test PKI) into `dir`, substituting ${CA_DATA}, ${CERT_DATA}, ${KEY_DATA}, ${DIR}. */
export async function materialize(c: Case, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const vars: Record<string, string> = { DIR: dir };
  for (const [file, v] of [
    ["ca.crt", "CA_DATA"],
    ["client.crt", "CERT_DATA"],
    ["client.key", "KEY_DATA"],
  ] as const) {
    const bytes = await readFile(join(pki, file));
    await writeFile(join(dir, file), bytes);
    vars[v] = bytes.toString("base64");
  }
  const subst = (text: string) => text.replace(/\$\{([A-Z_]+)\}/g, (m, name: string) => vars[name] ?? m);
  for (const [name, content] of Object.entries(c.files ?? {})) {
    const target = join(dir, name);
    await mkdir(dirname(target), { recursive: true });
    let bytes: Buffer;
    if (typeof content === "string") bytes = Buffer.from(subst(content), "utf8");
    else if ("utf16le" in content) bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(subst(content.utf16le), "utf16le")]);
    else if ("utf16be" in content)
      bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(subst(content.utf16be), "utf16le").swap16()]);
    else if ("utf8bom" in content) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(subst(content.utf8bom), "utf8")]);
    else bytes = Buffer.from(content.base64, "base64");
    await writeFile(target, bytes, { mode: name.endsWith(".sh") ? 0o755 : 0o644 });
  }
}

export function referenceRequest(c: Case, dir: string): ReferenceRequest {
  const r: ReferenceRequest = { dir };
  if (c.explicit !== undefined) r.explicit = join(dir, c.explicit);
  else r.kubeconfig = (c.kubeconfig ?? []).map((f) => (f === "" ? "" : join(dir, f))).join(":");
  if (c.context !== undefined) r.context = c.context;
  if (c.cluster !== undefined) r.cluster = c.cluster;
  if (c.user !== undefined) r.user = c.user;
  if (c.namespace !== undefined) r.namespace = c.namespace;
  return r;
}

const sha = (bytes: string | Buffer) => createHash("sha256").update(bytes).digest("hex");

/**
 * A trailing slash is not significant. A scheme-less host is http for client-go when the config
 * has no TLS material at the time it decides (rest.DefaultServerURL), which is what it then uses.
 */
function normalizeServer(host: string, schemeless = "https"): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `${schemeless}://${host}`;
  return withScheme.replace(/\/+$/, "");
}

export async function normalizeReference(result: ReferenceResult): Promise<Normalized> {
  if (!result.ok || result.config === undefined || result.transportError !== undefined) return { ok: false };
  const c = result.config;
  const tlsMaterial = c.ca !== undefined || c.cert !== undefined || c.insecure === true;
  const out: Normalized = { ok: true, server: normalizeServer(c.host, tlsMaterial ? "https" : "http"), namespace: c.namespace };
  if (c.tlsServerName) out.tlsServerName = c.tlsServerName;
  if (c.insecure) out.insecure = true;
  for (const k of ["ca", "cert", "key"] as const) {
    const m = c[k];
    if (m?.sha256 !== undefined) out[k] = m.sha256;
  }
  if (c.bearerTokenFile) {
    // client-go reads the file at request time (CachedFileTokenSource), trimmed; it wins over the inline token.
    try {
      out.token = (await readFile(c.bearerTokenFile, "utf8")).trim();
    } catch {
      return { ok: false };
    }
  } else if (c.bearerToken) out.token = c.bearerToken;
  if (c.username || c.password) out.basic = `${c.username ?? ""}:${c.password ?? ""}`;
  if (c.impersonate) out.impersonate = dropEmpty(c.impersonate);
  if (c.exec) out.exec = c.exec.config === undefined ? omit(c.exec, "config") : c.exec;
  if (c.authProvider) out.authProvider = c.authProvider.name;
  if (c.proxy) out.proxy = c.proxy;
  if (c.disableCompression) out.disableCompression = true;
  return out;
}

export interface OursResult {
  normalized: Normalized;
  error?: unknown;
  config?: ClusterConfig;
}

/** Loads the case with our loader (and builds its transport, which checks TLS material, without connecting). */
export async function ours(c: Case, dir: string): Promise<OursResult> {
  const options: LoadConfigOptions = { env: { HOME: join(dir, "no-home"), PATH: process.env["PATH"] } };
  if (c.explicit !== undefined) options.kubeconfig = join(dir, c.explicit);
  else (options.env as Record<string, string>)["KUBECONFIG"] = (c.kubeconfig ?? []).map((f) => (f === "" ? "" : join(dir, f))).join(":");
  if (c.context !== undefined) options.context = c.context;
  if (c.cluster !== undefined) options.cluster = c.cluster;
  if (c.user !== undefined) options.user = c.user;
  if (c.namespace !== undefined) options.namespace = c.namespace;
  let config: ClusterConfig;
  const warnings: string[] = [];
  try {
    config = await loadClusterConfig({ ...options, onWarning: (w: string) => warnings.push(w) });
    if (warnings.some((w) => SECRET.test(w))) throw new Error(`case ${c.id}: a warning shows a secret`);
    const transport = createTransport(config);
    await transport.close();
  } catch (error) {
    return { normalized: { ok: false }, error };
  }
  const out: Normalized = { ok: true, server: normalizeServer(config.server), namespace: config.namespace };
  if (config.tls.serverName !== undefined) out.tlsServerName = config.tls.serverName;
  if (config.tls.insecureSkipTlsVerify) out.insecure = true;
  if (config.tls.ca !== undefined) out.ca = sha(config.tls.ca);
  if (config.tls.cert !== undefined) out.cert = sha(config.tls.cert);
  if (config.tls.key !== undefined) out.key = sha(config.tls.key);
  const auth = config.auth;
  if (auth instanceof BearerTokenAuth || auth instanceof TokenFileAuth) {
    try {
      out.token = ((await auth.headers())["authorization"] ?? "").replace(/^Bearer /, "");
    } catch (error) {
      return { normalized: { ok: false }, error };
    }
  } else if (auth instanceof BasicAuth) {
    out.basic = Buffer.from(((await auth.headers())["authorization"] ?? "").replace(/^Basic /, ""), "base64").toString("utf8");
  } else if (auth instanceof ExecCredentialAuth) {
    const e = auth.exec;
    out.exec = {
      command: e.command,
      args: e.args,
      env: e.env,
      apiVersion: e.apiVersion,
      installHint: e.installHint ?? "",
      provideClusterInfo: e.provideClusterInfo,
      interactiveMode: e.interactiveMode,
    };
    if (auth.clusterConfig !== undefined) out.exec.config = auth.clusterConfig;
  } else if (auth instanceof OidcAuth) {
    out.authProvider = "oidc";
  } else if (auth !== undefined) {
    throw new Error(`case ${c.id}: unknown auth provider ${auth.constructor.name}`);
  }
  if (config.impersonate !== undefined) out.impersonate = dropEmpty(config.impersonate);
  if (config.proxyUrl !== undefined) out.proxy = config.proxyUrl;
  if (config.disableCompression) out.disableCompression = true;
  return { normalized: out, config };
}

function dropEmpty<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(
      ([, v]) =>
        v !== undefined &&
        v !== "" &&
        !(Array.isArray(v) && v.length === 0) &&
        !(typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0),
    ),
  ) as T;
}

function omit<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const { [key]: _, ...rest } = value;
  return rest;
}
